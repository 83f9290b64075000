"""The recogniser's fast paths decide exactly as the reference rules do.

``Recogniser.find`` folds ASCII posts in one pass, decides Latin whole-word hits in one
call (``_latin``) and drops storm names in texts with capitals before any call; the
reference below is the plain loop over ``_check`` (which keeps ``_is_name_part`` and
``_accept_latin`` as written). Both must give the same mentions on any text.
"""

from __future__ import annotations

from zlib import crc32

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from tocsin.enrich.geoparse import recognise as R
from tocsin.enrich.geoparse.fold import ASCII_FOLD_BOUND, BOUND, bounded, fold


def reference_find(rec: R.Recogniser, text: str, lang: str | None = None):
    """The recogniser before its fast paths: every bounded hit through ``_check``."""
    if not text:
        return []
    zipf = rec._zipf_en if lang in (None, "en") else rec._zipf_other
    folded = fold(text)
    n = len(folded)
    lowercase_text = not any(c.isupper() for c in text)
    cands, surnames = [], set()
    for end_i, v in rec.gz.bounded.iter(bounded(folded)):
        e = end_i - 1
        if v < 0:
            v = rec._clash(v, folded, e)
            if v < 0:
                continue
        s = e - rec._len[v]
        if v in rec._never:
            continue
        if rec._verify[v] and crc32(folded[s:e].encode()) != rec._crc[v]:
            continue
        hit = rec._check(text, folded, n, s, e, v, lowercase_text, surnames, zipf, True)
        if hit is not None:
            cands.append(hit)
    if not text.isascii() and R._INSIDE_SCRIPTS.search(folded) is not None:
        for end_i, kid in rec.gz.automaton.iter(folded):
            e = end_i + 1
            if e < n and rec._script_l[kid] != R.S_CJK and R._in_word(folded[e]):
                continue
            hit = rec._check(text, folded, n, e - rec._len[kid], e, kid, lowercase_text,
                             surnames, zipf)
            if hit is not None:
                cands.append(hit)
    if surnames:
        cands = [c for c in cands if c[2] not in surnames]
    if not text.isascii() and regex.search(r"\p{Cyrillic}", text):
        cands.extend(rec._cyrillic(text, cands))
    cands.sort(key=lambda c: (c[0], -(c[1] - c[0])))
    out, last_end = [], -1
    for s, e, kid, loc in cands:
        if s >= last_end:
            out.append(R.Mention(s, e, text[s:e], kid, loc))
            last_end = e
    return out


WORDS = ["Harvey", "Hurricane", "Irma", "in", "near", "to", "Houston", "Texas", "Paris",
         "Split", "Nice", "Mr.", "President", "Conor", "McGregor", "Gaza", "City", "Police",
         "Coast", "Guard", "US", "U.S.", "UK", "NATO", "Red", "Cross", "Jordan", "Peterson",
         "Washington", "Post", "South", "Florida", "New", "York", "Rafah", "Kharkiv",
         "Харкова", "Київ", "غزة", "وغزة", "בשדרות", "東京", "the", "flood", ",", ".", "!",
         "(", "\"", "'s", "-", "Port-au-Prince", "Ⓐ", "Ⓜiami", "HOUSTON", "houston",
         "Saint", "St.", "Mount", "Kent", "Reading", "Victoria", "Marathon", "\n"]


@given(st.lists(st.sampled_from(WORDS), max_size=25), st.sampled_from([" ", "  ", ""]),
       st.sampled_from([None, "en", "fr", "ar"]), st.sampled_from([0, 1, 2]))
@settings(max_examples=400, deadline=None)
def test_find_equals_reference(gp, words, sep, lang, case):
    text = sep.join(words)
    text = (text, text.lower(), text.upper())[case]
    assert gp.recogniser.find(text, lang) == reference_find(gp.recogniser, text, lang)


@given(st.text(max_size=80))
@settings(max_examples=300, deadline=None)
def test_find_equals_reference_on_any_text(gp, text):
    assert gp.recogniser.find(text) == reference_find(gp.recogniser, text)


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=60))
@settings(max_examples=300, deadline=None)
def test_ascii_fold_and_bound_in_one_table(t):
    raw = t.encode("ascii")
    assert BOUND + raw.translate(ASCII_FOLD_BOUND).decode("ascii") + BOUND == bounded(fold(t))
    assert (t.lower() == t) == (not any(c.isupper() for c in t))


@given(st.text(max_size=60))
@settings(max_examples=300, deadline=None)
def test_mostly_upper_fast_path(t):
    letters = [c for c in t if c.isalpha()]
    want = bool(letters) and sum(c.isupper() for c in letters) > 0.6 * len(letters)
    R._mostly_upper.cache_clear()
    assert R._mostly_upper(t) == want


def test_cyrillic_guard_covers_the_script():
    cyr = regex.compile(r"\p{Cyrillic}")
    missed = [cp for cp in range(0x110000)
              if cyr.match(chr(cp)) and not R._MAYBE_CYRILLIC.match(chr(cp))]
    assert missed == []
