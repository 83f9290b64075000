"""Toponym recognition: gazetteer matching with script-aware rules, no NER model.

One Aho-Corasick pass over the folded text finds every gazetteer key anywhere; the rules
here then decide which hits are place mentions:
- Latin: word boundaries on both sides, the original text capitalised (abbreviations such
  as "US" in capitals only), and common words ("Police", "Split", "Nice") accepted only
  with locative evidence ("in Split", "Split, Croatia");
- Arabic and Hebrew: a hit may start inside a word when what precedes it is a clitic
  prefix (و ب ل ال ... / ו ב ה ל מ ש ...), so "وغزة" and "בשדרות" are found;
- Cyrillic: words the automaton misses are reduced to candidate nominatives (Харкова,
  Харкові -> Харків) and looked up again;
- CJK: no word boundaries exist, so any hit of a kept (larger) place counts.
Overlaps are settled leftmost-longest, so "New York City" beats "York".
"""

from __future__ import annotations

import os
import re
from array import array
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from zlib import crc32

import numpy as np
import regex

from tocsin.enrich.geoparse.fold import (
    ASCII_BOUND,
    ASCII_FOLD,
    ASCII_FOLD_BOUND,
    BOUND,
    BOUND_TABLE,
    FOLD_TABLE,
    bounded,
    fold,
    in_word,
)
from tocsin.enrich.geoparse.gazetteer import (
    F_EXACT_CASE,
    KIND_CITY,
    SCRIPTS,
    Gazetteer,
)

S_LATIN, S_ARABIC, S_HEBREW, S_CYRILLIC, S_CJK, S_OTHER = range(len(SCRIPTS))

# Recogniser.find for texts of Latin-script hits, compiled (_recognise.c): identical
# results; built by `pip install` where a C compiler is present. TOCSIN_PURE_PYTHON=1
# forces the Python code.
_Scanner = None
if not os.environ.get("TOCSIN_PURE_PYTHON"):
    try:
        from tocsin.enrich.geoparse._recognise import Scanner as _Scanner
    except ImportError:  # no compiler at install time: the Python twin does the same
        pass
#: which implementation finds the places in most texts: "c" or "python"
IMPLEMENTATION = "python" if _Scanner is None else "c"

# Arabic: optional conjunction (و ف), optional preposition (ب ل ك), optional article.
_AR = [c + p + a for c in ("", "و", "ف") for p in ("", "ب", "ل", "ك") for a in ("", "ال")]
ARABIC_PREFIXES = frozenset(fold(x) for x in _AR + ["لل", "ولل", "فلل"] if x)
# Hebrew: up to three of ו ב ה ל מ ש כ, as in "ובשדרות", "מהעיר" ...
_HE = "ובהלמשכ"
HEBREW_PREFIXES = frozenset(
    [a for a in _HE] + [a + b for a in _HE for b in _HE]
    + [a + b + c for a in "וש" for b in "וכלמב" for c in "בהלמ"])

LOCATIVE = frozenset(
    "in at near from to into across outside inside around towards toward via of "
    "en à au aux de dans près desde cerca em no na nel in bei nach aus".split())
TITLES = frozenset(
    "mr mrs ms miss dr prof president gen general sen senator rep gov governor minister "
    "king queen prince princess pope sir lord lady judge justice mayor coach captain "
    "officer sgt sheriff chancellor secretary ambassador saint".split())
#: Capitalised words that may follow a town without turning it into a person or company
#: name ("Gaza City", "Houston Police", "Aleppo Governorate").
PLACE_FOLLOWERS = frozenset(
    "city county province state region district governorate oblast island islands valley "
    "airport port harbour harbor river lake bay coast strip border police fire department "
    "government ministry council authorities authority officials army forces municipality "
    "hospital university governor mayor airbase base camp refugee refugees residents "
    "people health area metro metropolitan international emergency national west east "
    "north south central".split())

#: Never toponyms in running text, whatever the gazetteer says (months, weekdays...).
NEVER = frozenset(fold(w) for w in (
    *"January February March April May June July August September October November December "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday Christmas Easter Ramadan "
    "Eid God Lord Allah Internet Web Hurricane Storm Typhoon Cyclone Tornado Tropical "
    "Earthquake Quake Flood Floods Wildfire Tsunami".split(), "el nino", "la nina",
    "red cross", "red crescent", "national guard", "coast guard"))
#: A capitalised word after these is a storm's name, not a place ("Hurricane Harvey").
HAZARD_WORDS = frozenset(
    "hurricane storm typhoon cyclone depression tropical tormenta huracan ouragan "
    "tempete".split())
_HAZARD_LENS = frozenset(len(w) for w in HAZARD_WORDS)  # fold() keeps the length
QUALIFIERS = frozenset(
    "north south east west northern southern eastern western central greater downtown "
    "upper lower new old st saint san santa fort port mount lake".split())

_CYR_TOKEN = regex.compile(r"\p{Cyrillic}[\p{Cyrillic}\p{M}'’]*(?:-\p{Cyrillic}+)*")
_CYR_ENDINGS = ("ами", "ями", "ові", "еві", "ого", "ому", "ою", "ею", "ом", "ем", "ой",
                "ей", "ів", "ах", "ях", "а", "я", "у", "ю", "і", "ї", "е", "и", "ы")
_CYR_ADD = ("", "а", "я", "ь", "й", "о", "е")
def _data_words(name: str) -> frozenset[str]:
    text = (resources.files("tocsin.enrich.geoparse") / "data" / name).read_text("utf-8")
    return frozenset(ln.strip() for ln in text.splitlines()
                     if ln.strip() and not ln.startswith("#"))


STORM_NAMES = _data_words("storm_names.txt")
STOPLIST = _data_words("stoplist.txt")

_HAS_CYRILLIC = regex.compile(r"\p{Cyrillic}")
#: the blocks that hold every \p{Cyrillic} character (a superset; tests check it): the
#: stdlib's re finds none of them in most non-ASCII posts several times faster
_MAYBE_CYRILLIC = re.compile(
    "[\u0400-\u052f\u1c80-\u1c8f\u1d2b\u1d78\u2de0-\u2dff\ua640-\ua69f\ufe2e\ufe2f"
    "\U0001e030-\U0001e08f]")
#: characters of the scripts whose keys live in the unbounded automaton (fold.script_of);
#: code-point ranges only, so the stdlib's re gives the same answers as regex, faster
_INSIDE_SCRIPTS = re.compile(
    "[\u0590-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")


def _has_cyrillic(text: str) -> bool:
    return _MAYBE_CYRILLIC.search(text) is not None and \
        _HAS_CYRILLIC.search(text) is not None
_SENT_END = frozenset(".!?\n:;\"“”«»|•")


@dataclass(slots=True)
class Mention:
    """A recognised toponym span and the gazetteer key it matched."""

    start: int
    end: int
    phrase: str
    key_id: int
    locative: bool = False  # preceded by a locative preposition
    confidence: float = 1.0  # how sure recognition is (not resolution)


def _word_before(text: str, i: int) -> tuple[str, int]:
    """The word ending just before position i (skipping spaces), and where it starts."""
    j = i - 1
    while j >= 0 and text[j] == " ":
        j -= 1
    end = j + 1
    while j >= 0 and (text[j].isalnum() or text[j] in ".-'’"):
        j -= 1
    return text[j + 1:end], j + 1


def _word_after(text: str, i: int) -> str:
    j = i
    while j < len(text) and text[j] == " ":
        j += 1
    k = j
    while k < len(text) and text[k].isalnum():
        k += 1
    return text[j:k]


def _sentence_initial(text: str, start: int) -> bool:
    j = start - 1
    while j >= 0 and text[j] in " \t\"'“‘(«-":
        j -= 1
    return j < 0 or text[j] in _SENT_END


def cyrillic_lemmas(word: str) -> list[str]:
    """Candidate nominatives of an inflected Cyrillic word (lower case, unfolded)."""
    w = word.lower()
    out: list[str] = []
    # shorter endings first: the longest plausible stem is the likeliest nominative
    for e in sorted(_CYR_ENDINGS, key=len):
        if w.endswith(e) and len(w) - len(e) >= 3:
            stem = w[: len(w) - len(e)]
            stems = [stem]
            # Ukrainian closed-syllable alternation: Харкова -> Харків, Києва -> Київ
            for k in range(len(stem) - 1, max(len(stem) - 4, 0), -1):
                if stem[k] in "ое":
                    stems.append(stem[:k] + "і" + stem[k + 1:])
                    break
                if stem[k] == "є":
                    stems.append(stem[:k] + "ї" + stem[k + 1:])
                    break
            for s in stems:
                out.extend(s + a for a in _CYR_ADD)
    return list(dict.fromkeys(out))


class Recogniser:
    """Finds toponym spans in text using a loaded :class:`Gazetteer`."""

    def __init__(self, gz: Gazetteer) -> None:
        self.gz = gz
        self._script = gz.key_script
        # Per-key facts read once per hit: kept in array.array, not lists. A list of 711k
        # ints is a container the cyclic GC walks on every full collection (ten of them
        # cost ~50 ms a collection, paid every few thousand posts); arrays are not tracked.
        self._len = _untracked(gz.key_len, "h")
        self._zipf_en = _untracked(gz.key_zipf, "d")
        self._zipf_other = _untracked(gz.key_zipf_other, "d")
        self._nwords = _untracked(gz.key_nwords, "b")
        self._stop = STOPLIST  # read at import, not from the index: editable without rebuild
        self._storms = STORM_NAMES
        # per-key summaries of the postings, computed once (vectorised) instead of per hit
        starts = gz.key_ptr[:-1]
        self._best_kind = _untracked(np.minimum.reduceat(gz.kind[gz.post_ent], starts), "b")
        self._best_pop = _untracked(np.maximum.reduceat(gz.pop[gz.post_ent], starts), "q")
        self._exact = _untracked(
            np.bitwise_or.reduceat(gz.post_flags, starts) & F_EXACT_CASE, "b")
        self._script_l = _untracked(gz.key_script, "b")
        self._verify = _untracked(gz.key_verify, "b")
        self._crc = _untracked(gz.key_crc, "I")
        #: keys of NEVER words ("Hurricane", "God"), which _accept_latin always refuses
        self._never = frozenset(k for k in map(gz.key_id, NEVER) if k >= 0)
        self._lfacts: dict[int, tuple[bool, bool, bool, int, int, bool]] = {}
        #: one-word storm names ("harvey") that _latin can only refuse in a text with
        #: capitals: not exact-case, not stop-listed (the stop-list rule comes first), so
        #: the hit is dropped in the loop; its surname mark would never matter either,
        #: since no hit of the key can be accepted in that text
        self._storm_only = frozenset(
            k for k in map(gz.key_id, (w for w in STORM_NAMES
                                       if w.isalnum() and w not in STOPLIST))
            if k >= 0 and self._script_l[k] == S_LATIN and self._nwords[k] == 1
            and not self._exact[k])
        self._skip_cased = self._never | self._storm_only
        #: find() for texts of Latin-script hits, compiled, or None (the Python code then)
        self._scanner = None if _Scanner is None else _Scanner(
            self._len, self._script_l, self._verify, self._exact, self._nwords,
            self._best_kind, self._best_pop, self._zipf_en, self._zipf_other, self._crc,
            self._skip_cased, self._never, NEVER, self._stop, self._storms, LOCATIVE,
            TITLES, HAZARD_WORDS, QUALIFIERS, PLACE_FOLLOWERS, ASCII_FOLD, ASCII_BOUND,
            FOLD_TABLE, BOUND_TABLE, Mention)

    # -- per-key facts -----------------------------------------------------------------
    def _key_facts(self, kid: int) -> tuple[int, float, bool, bool, bool]:
        """(best kind, best population, any exact-case, unused, has non-city)."""
        bk = self._best_kind[kid]
        return bk, self._best_pop[kid], bool(self._exact[kid]), False, bk < KIND_CITY

    def _accept_latin(self, text: str, folded: str, s: int, e: int, kid: int,
                      lowercase_text: bool, zipf: list[float],
                      prev: tuple[str, int] | None = None) -> tuple[bool, bool]:
        """Case and common-word rules for a Latin-script hit; returns (accept, locative)."""
        orig = text[s:e]
        best_kind, best_pop, exact, _demonym, important = self._key_facts(kid)
        prev_word, prev_start = prev or _word_before(text, s)
        locative = prev_word.lower() in LOCATIVE
        if folded[s:e] in NEVER:
            return False, locative
        if exact:
            letters = [c for c in orig if c.isalpha()]
            if "." in orig:
                if not letters or not letters[0].isupper():
                    return False, locative
            elif not all(c.isupper() for c in letters):
                return False, locative
            # "US" in an all-capitals headline is as likely the pronoun
            if orig.replace(".", "") == "US" and _mostly_upper(text):
                return False, locative
            return True, locative
        if len(orig) <= 5 and orig.isupper() and not _mostly_upper(text):
            return False, locative  # an acronym ("NATO", "APC"), not a name
        if not orig[0].isupper():
            if not lowercase_text:
                return False, locative
            z = zipf[kid]
            return (best_kind <= 1 or best_pop >= 100_000) and z < 3.5, locative
        if prev_word and prev_word.rstrip(".").lower() in TITLES:
            return False, locative
        if prev_word and fold(prev_word) in HAZARD_WORDS:
            return False, locative
        if self._nwords[kid] > 1:
            return True, locative
        key = folded[s:e]
        z = zipf[kid]
        nxt = _word_after(text, e)
        follows_region = False
        if text[e:e + 2] == ", " and nxt[:1].isupper():
            follows_region = True  # "Split, Croatia" - checked against the gazetteer later
        # "donate to Red Cross": a preposition before a longer capitalised name is no
        # evidence for its first word
        part_of_name = nxt[:1].isupper() and nxt.lower() not in PLACE_FOLLOWERS
        evidence = (locative and not part_of_name) or follows_region
        if key in self._stop:
            if nxt[:1].isupper() and not follows_region:
                return False, locative  # "South Florida", "Coast Guard": a longer name
            return evidence, locative
        if key in self._storms:
            return follows_region, locative
        if best_kind >= 2 and nxt[:1].isupper() and nxt.lower() not in PLACE_FOLLOWERS:
            # "Jordan Peterson", "Washington Post": part of a longer proper name
            if best_kind == KIND_CITY and not locative:
                return False, locative
        if z >= 5.5 and best_kind >= 2:
            return evidence, locative
        if z >= 4.3 and not important and best_pop < 300_000:
            return evidence, locative
        if z >= 3.3 and best_pop < 5_000 and not important:
            return evidence, locative
        if _sentence_initial(text, s) and z >= 3.0 and not important and best_pop < 100_000:
            return evidence, locative
        if prev_word[:1].isupper() and not _sentence_initial(text, prev_start) and \
                best_kind == KIND_CITY and best_pop < 100_000 and not locative and \
                fold(prev_word) not in QUALIFIERS:
            return False, locative  # inside a longer capitalised name
        return True, locative

    def find(self, text: str, lang: str | None = None) -> list[Mention]:
        """All toponym mentions in ``text``, leftmost-longest, non-overlapping.

        ``lang`` picks which language's word frequencies judge common words: "paris" is
        rare in English but means "bets" in French.
        """
        if not text:
            return []
        if self._scanner is not None:
            # The compiled twin of what follows, from the folding to the Mentions, for the
            # texts whose hits are all Latin-script keys; None for the others (Arabic,
            # Hebrew, CJK or Cyrillic letters, a non-Latin key, a punctuation clash),
            # which the Python code below decides.
            found = self._scanner.find(self.gz.bounded.iter, text, lang in (None, "en"))
            if found is not None:
                return found
        zipf = self._zipf_en if lang in (None, "en") else self._zipf_other
        ascii_text = text.isascii()
        if ascii_text:  # fold and bound in one encode (most posts): same strings as below
            raw = text.encode("ascii")
            folded = raw.translate(ASCII_FOLD).decode("ascii")
            btext = BOUND + raw.translate(ASCII_FOLD_BOUND).decode("ascii") + BOUND
            # in ASCII, isupper() is A-Z, exactly what lower() changes
            lowercase_text = text.lower() == text
        else:
            folded = fold(text)
            btext = bounded(folded)
            lowercase_text = not any(map(str.isupper, text))
        n = len(folded)
        cands: list[tuple[int, int, int, bool]] = []
        surnames: set[int] = set()
        klen = self._len
        kscript = self._script_l
        check = self._check
        latin = self._latin
        # Whole-word hits of the word-delimited scripts: the bounded automaton only
        # reports keys with a word boundary (or the text's edge) on both sides.
        verify, kcrc = self._verify, self._crc
        never, cased = self._never, not lowercase_text
        # Latin keys dropped without a call: NEVER words, and in a text with capitals the
        # storm names too
        skip = self._skip_cased if cased else never
        for end_i, v in self.gz.bounded.iter(btext):
            e = end_i - 1
            if v < 0:  # keys that differ only in punctuation ("dong'an", "dong an")
                v = self._clash(v, folded, e)
                if v < 0:
                    continue
            s = e - klen[v]
            # the two commonest rejections, decided here without a call: a Latin hit in
            # lower case in a text that has capitals (4 in 10 hits), and NEVER words
            if kscript[v] == S_LATIN:
                if cased and text[s].islower() or v in skip:
                    continue
                if verify[v] and crc32(folded[s:e].encode()) != kcrc[v]:
                    continue  # "mount_pearl" is not the key "mount pearl"
                hit = latin(text, folded, s, e, v, lowercase_text, surnames, zipf)
            else:
                if v in never:
                    continue
                if verify[v] and crc32(folded[s:e].encode()) != kcrc[v]:
                    continue
                hit = check(text, folded, n, s, e, v, lowercase_text, surnames, zipf, True)
            if hit is not None:
                cands.append(hit)
        # Arabic, Hebrew and CJK keys may end or start inside words: every hit, filtered
        # here (only texts that contain those scripts).
        if not ascii_text and _INSIDE_SCRIPTS.search(folded) is not None:
            for end_i, kid in self.gz.automaton.iter(folded):
                e = end_i + 1
                if e < n and kscript[kid] != S_CJK and _in_word(folded[e]):
                    continue
                hit = check(text, folded, n, e - klen[kid], e, kid, lowercase_text,
                            surnames, zipf)
                if hit is not None:
                    cands.append(hit)
        cyrillic = not ascii_text and _has_cyrillic(text)
        if not cands:
            if not cyrillic:
                return []
        elif surnames:
            cands = [c for c in cands if c[2] not in surnames]
        if cyrillic:
            cands.extend(self._cyrillic(text, cands))
        if len(cands) > 1:
            cands.sort(key=_span_order)
        out: list[Mention] = []
        last_end = -1
        for s, e, kid, loc in cands:
            if s < last_end:
                continue
            out.append(Mention(s, e, text[s:e], kid, loc))
            last_end = e
        return out

    def _latin(self, text: str, folded: str, s: int, e: int, kid: int,
               lowercase_text: bool, surnames: set[int], zipf: array
               ) -> tuple[int, int, int, bool] | None:
        """``_check(..., whole_word=True)`` for a Latin key, in one call: the same rules in
        the same order (``_is_name_part``, then ``_accept_latin``), with the per-key facts
        read once from a small cache and the text scanned only as far as a rule needs.

        The caller has already refused a lower-case hit in a text with capitals, NEVER
        keys and failed CRC checks.
        """
        f = self._lfacts.get(kid)
        if f is None:
            f = self._latin_facts(kid)
        exact, multi, name_part, bk, pop, important = f
        prev_word, prev_start = _word_before(text, s)
        c0 = text[s]
        # _is_name_part: "Conor McGregor"
        if name_part and c0.isupper() and prev_word[:1].isupper() and prev_word.isalpha() \
                and prev_start + len(prev_word) == s - 1 and not _sentence_initial(text, prev_start) \
                and (fp := fold(prev_word)) not in QUALIFIERS and fp not in LOCATIVE \
                and fp not in TITLES:
            surnames.add(kid)
            return None
        # _accept_latin
        orig = text[s:e]
        locative = prev_word.lower() in LOCATIVE
        if folded[s:e] in NEVER:
            return None
        if exact:
            letters = [c for c in orig if c.isalpha()]
            if "." in orig:
                if not letters or not letters[0].isupper():
                    return None
            elif not all(c.isupper() for c in letters):
                return None
            if orig.replace(".", "") == "US" and _mostly_upper(text):
                return None
            return (s, e, kid, locative)
        if len(orig) <= 5 and orig.isupper() and not _mostly_upper(text):
            return None  # an acronym ("NATO", "APC"), not a name
        if not c0.isupper():
            if not lowercase_text:
                return None
            if (bk <= 1 or pop >= 100_000) and zipf[kid] < 3.5:
                return (s, e, kid, locative)
            return None
        if prev_word:
            if prev_word.rstrip(".").lower() in TITLES:
                return None
            if len(prev_word) in _HAZARD_LENS and fold(prev_word) in HAZARD_WORDS:
                return None
        if multi:
            return (s, e, kid, locative)
        key = folded[s:e]
        # _accept_latin reads the next word (nxt) for "follows_region", "part_of_name" and
        # its evidence (locative and not part_of_name). follows_region needs
        # text[e:e + 2] == ", " and a capitalised nxt, but nxt is read from e on, so after
        # "," it is empty: that rule never fires. The rest is decided here in the same
        # order, reading nxt only where the outcome depends on it.
        if key in self._stop:
            # refused when nxt is capitalised ("South Florida", "Coast Guard"), else
            # evidence, which is then just `locative`
            if not locative or _next_upper(text, e):
                return None
            return (s, e, kid, locative)
        if key in self._storms:
            return None
        pon = None  # part_of_name, read on demand
        if bk == KIND_CITY and not locative:
            pon = _part_of_name(text, e)
            if pon:
                return None  # "Jordan Peterson", "Washington Post": a longer proper name
        z = zipf[kid]
        if z >= 5.5 and bk >= 2 or z >= 4.3 and not important and pop < 300_000 or \
                z >= 3.3 and pop < 5_000 and not important or \
                z >= 3.0 and not important and pop < 100_000 and _sentence_initial(text, s):
            # a common word: only with evidence
            if not locative:
                return None
            if pon is None:
                pon = _part_of_name(text, e)
            return None if pon else (s, e, kid, locative)
        if prev_word[:1].isupper() and bk == KIND_CITY and pop < 100_000 and \
                not locative and not _sentence_initial(text, prev_start) and \
                fold(prev_word) not in QUALIFIERS:
            return None  # inside a longer capitalised name
        return (s, e, kid, locative)

    def _latin_facts(self, kid: int) -> tuple[bool, bool, bool, int, int, bool]:
        """(exact-case, several words, may be a surname, best kind, best population,
        non-city) of a key, cached: hits repeat the same few thousand keys."""
        bk, pop = self._best_kind[kid], self._best_pop[kid]
        multi = self._nwords[kid] > 1
        f = (bool(self._exact[kid]), multi,
             not multi and bk == KIND_CITY and pop < 500_000, bk, pop, bk < KIND_CITY)
        if len(self._lfacts) >= 50_000:
            self._lfacts.clear()
        self._lfacts[kid] = f
        return f

    def _clash(self, v: int, folded: str, e: int) -> int:
        for kid, k in self.gz.bounded_clash[-2 - v]:
            if folded[e - len(k):e] == k:
                return kid
        return -1

    def _check(self, text: str, folded: str, n: int, s: int, e: int, kid: int,
               lowercase_text: bool, surnames: set[int], zipf: list[float],
               whole_word: bool = False) -> tuple[int, int, int, bool] | None:
        """Boundary, clitic, case and common-word rules for one automaton hit
        (``whole_word``: the bounded automaton already checked the boundaries)."""
        scr = self._script_l[kid]
        if whole_word:
            pass
        elif e < n and scr != S_CJK and _in_word(folded[e]):
            return None
        elif s > 0 and _in_word(folded[s - 1]):
            if scr == S_ARABIC or scr == S_HEBREW:
                ws = s - 1
                while ws > 0 and _in_word(folded[ws - 1]):
                    ws -= 1
                pref = folded[ws:s]
                if pref not in (ARABIC_PREFIXES if scr == S_ARABIC else HEBREW_PREFIXES):
                    return None
            elif scr != S_CJK:
                return None
        locative = False
        if scr == S_LATIN:
            if not lowercase_text and text[s].islower():
                return None  # _accept_latin's case rule, before any other work
            prev = _word_before(text, s)
            if text[s:s + 1].isupper() and self._is_name_part(text, s, kid, prev):
                surnames.add(kid)
                return None
            ok, locative = self._accept_latin(text, folded, s, e, kid, lowercase_text, zipf,
                                              prev)
            if not ok:
                return None
        elif scr != S_CJK and not self._accept_other(text, folded, s, e, kid,
                                                     lowercase_text):
            return None
        return (s, e, kid, locative)

    def _accept_other(self, text: str, folded: str, s: int, e: int, kid: int,
                      lowercase_text: bool) -> bool:
        """Arabic, Hebrew, Cyrillic and other scripts: stop-list, very common words, case.

        These scripts (but Cyrillic) have no capitals to tell a name from a word, so only
        the commonest words ("اور", "שמאל") and the stop-list are refused; a town whose
        name is an everyday word is rarely reported in them without a bigger place.
        """
        if folded[s:e] in self._stop:
            return False
        if self._nwords[kid] > 1:
            return True
        z = self._zipf_en[kid]
        bk, pop = self._best_kind[kid], self._best_pop[kid]
        important = bk < KIND_CITY or pop >= 300_000
        if z >= 6.0 and not important:
            return False
        if self._script_l[kid] == S_CYRILLIC:
            if not text[s].isupper() and not lowercase_text:
                return False
            if _sentence_initial(text, s) and z >= 3.0 and bk >= KIND_CITY and pop < 100_000:
                return False
        return True

    def _is_name_part(self, text: str, s: int, kid: int,
                      prev: tuple[str, int] | None = None) -> bool:
        """A small town's name as the second word of a capitalised pair ("Conor McGregor").

        Recognition keeps one sense per discourse: such a name is then a surname
        everywhere in the document, including where it stands alone ("McGregor said").
        """
        if self._nwords[kid] > 1 or self._best_kind[kid] != KIND_CITY or \
                self._best_pop[kid] >= 500_000:
            return False
        prev_word, prev_start = prev or _word_before(text, s)
        return bool(prev_word[:1].isupper() and prev_word.isalpha()
                    and prev_start + len(prev_word) == s - 1
                    and not _sentence_initial(text, prev_start)
                    and (fp := fold(prev_word)) not in QUALIFIERS and fp not in LOCATIVE
                    and fp not in TITLES)

    def _cyrillic(self, text: str, cands: list[tuple[int, int, int, bool]]
                  ) -> list[tuple[int, int, int, bool]]:
        """Inflected Cyrillic words that no key matched as written."""
        covered = {(s, e) for s, e, _, _ in cands}
        taken = [(s, e) for s, e, _, _ in cands]
        folded = fold(text)
        out = []
        for m in _CYR_TOKEN.finditer(text):
            s, e = m.span()
            if (s, e) in covered or any(a <= s < b or a < e <= b for a, b in taken):
                continue
            if not text[s].isupper():
                continue
            best_kid, best_pop = -1, -1.0
            for lemma in cyrillic_lemmas(m.group()):
                kid = self.gz.key_id(fold(lemma))
                if kid >= 0 and self._accept_other(text, folded, s, e, kid, False):
                    pop = self._key_facts(kid)[1]
                    if pop > best_pop:
                        best_kid, best_pop = kid, pop
            if best_kid >= 0:
                prev_word, _ = _word_before(text, s)
                out.append((s, e, best_kid, prev_word.lower() in {"в", "у", "під", "под", "з",
                                                                  "із", "до", "из", "на"}))
        return out


_in_word = in_word


def _next_upper(text: str, e: int) -> bool:
    """Whether _word_after(text, e) is capitalised."""
    n = len(text)
    while e < n and text[e] == " ":
        e += 1
    # nxt is the alnum run there: a non-alnum character that is "upper" (Ⓐ) makes it empty
    return e < n and text[e].isupper() and text[e].isalnum()


def _part_of_name(text: str, e: int) -> bool:
    """_accept_latin's part_of_name: the next word is capitalised and not a
    PLACE_FOLLOWERS word ("Gaza City" is a place, "Jordan Peterson" is not)."""
    n = len(text)
    while e < n and text[e] == " ":
        e += 1
    if e >= n or not (text[e].isupper() and text[e].isalnum()):
        return False
    m = e
    while m < n and text[m].isalnum():
        m += 1
    return text[e:m].lower() not in PLACE_FOLLOWERS


def _span_order(c: tuple[int, int, int, bool]) -> tuple[int, int]:
    return c[0], c[0] - c[1]


def _untracked(a: np.ndarray, code: str) -> array:
    """``a`` as an array.array of type ``code`` (same values; invisible to the GC)."""
    return array(code, a.astype(np.dtype(code)).tobytes())


_ASCII_LETTERS = bytes(range(65, 91)) + bytes(range(97, 123))
_ASCII_UPPER = bytes(range(65, 91))


@lru_cache(maxsize=8)  # asked for each acronym-like hit of the same text
def _mostly_upper(text: str) -> bool:
    if text.isascii():  # the same counts: in ASCII, isalpha() is A-Za-z, isupper() A-Z
        raw = text.encode("ascii")
        n_letters = len(raw) - len(raw.translate(None, _ASCII_LETTERS))
        n_upper = len(raw) - len(raw.translate(None, _ASCII_UPPER))
        return n_letters > 0 and n_upper > 0.6 * n_letters
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) > 0.6 * len(letters)
