"""The compiled recogniser (``_recognise.c``) gives exactly what the Python code it stands
in for gives.

``Recogniser.find`` hands most texts to ``Scanner.find`` and runs its Python code on the
rest; here the same texts go through a recogniser with the scanner and one without, on
generated texts (place names, cases, punctuation, accents, other scripts, lone
surrogates) and, where the shared streams are present, on real posts.
"""

from __future__ import annotations

import gzip
import json
from itertools import islice

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geoparse.conftest import full_gp, gp, small_cache  # noqa: F401  (fixtures)
from support.compiled import require_built
from support.services import SHARED_DATA
from tocsin.enrich.geoparse import recognise
from tocsin.enrich.geoparse.fold import BOUND
from tocsin.enrich.geoparse.recognise import Recogniser


def compiled_scanner():
    """The extension's Scanner, or a skip (a failure in CI, whose machine has a compiler)."""
    try:
        from tocsin.enrich.geoparse._recognise import Scanner
    except ImportError:
        require_built("tocsin.enrich.geoparse._recognise", False)
    return Scanner


def pair(gz):
    """(a recogniser that uses the compiled scanner, one that runs the Python code only)."""
    compiled_scanner()
    rec_c, rec_py = Recogniser(gz), Recogniser(gz)
    if rec_c._scanner is None:  # TOCSIN_PURE_PYTHON=1 in this process
        pytest.skip("TOCSIN_PURE_PYTHON is set")
    rec_py._scanner = None
    return rec_c, rec_py


def outcome(rec, text, lang):
    try:
        return rec.find(text, lang)
    except Exception as e:  # noqa: BLE001 - both paths must fail alike too
        return type(e)


# place names of the small test gazetteer and words its rules single out
TRICKY = [
    "Paris", "Gaza", "Gaza City", "New York", "US", "U.S.", "UK", "UAE", "Jordan", "Split",
    "Croatia", "Nice", "Police", "Reading", "March", "May", "Hurricane", "Harvey", "Storm",
    "Mr", "Dr.", "President", "Conor", "McGregor", "Washington", "Post", "Peterson", "in",
    "at", "near", "from", "the", "and", "South", "Florida", "Coast", "Guard", "Red", "Cross",
    "Mount Pearl", "mount_pearl", "Port-au-Prince", "Deir al-Balah", "Kharkiv", "Kharkív",
    "Київ", "Харкова", "غزة", "وغزة", "בשדרות", "東京", "Genève", "İstanbul", "ǅemal",
    "Ελλάδα", "NATO", "APC", "St. Louis", "'s-Hertogenbosch", "Goma", "DR", "Congo",
    "Rafah", "London", "Ontario", "Texas", "Aleppo", "Syria", "Haiti", "\ud83d", "🌀", "é",
]
SEPARATORS = [" ", ", ", ". ", " in ", " - ", "-", "'", "’", " (", "\n", " #", "@", "  ",
              " – ", " “", "» ", " • ", ": ", "\t", "_", "\ud83d", " é "]
CASES = [str, str.upper, str.lower, str.title, str.capitalize]


@st.composite
def texts(draw, names):
    words = draw(st.lists(st.sampled_from(names + TRICKY), min_size=1, max_size=12))
    out = []
    for w in words:
        out.append(draw(st.sampled_from(CASES))(w))
        out.append(draw(st.sampled_from(SEPARATORS)))
    text = "".join(out[:-1] if draw(st.booleans()) else out)
    # whole-text case matters too: all capitals (acronyms, "US"), no capitals at all
    return draw(st.sampled_from([str, str, str.upper, str.lower]))(text)


@pytest.fixture(scope="module")
def names(gp):  # noqa: F811
    """Every 40th key of the small gazetteer's bounded automaton, as a name."""
    keys = islice(gp.gazetteer.bounded.keys(), 0, None, 40)
    return [k.strip(BOUND).replace(BOUND, " ") for k in keys][:3000]


@settings(max_examples=600, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_compiled_find_is_the_python_find(gp, names, data):  # noqa: F811
    rec_c, rec_py = pair(gp.gazetteer)
    text = data.draw(texts(names))
    lang = data.draw(st.sampled_from([None, "en", "fr", "ar"]))
    assert outcome(rec_c, text, lang) == outcome(rec_py, text, lang)


def test_compiled_find_on_hand_picked_texts(gp):  # noqa: F811
    rec_c, rec_py = pair(gp.gazetteer)
    cases = [
        "Ferries stopped in Split, Croatia.",
        "The U.S. and UK sent aid; the US embassy in the UAE agreed.",
        "THE US AND UK SENT AID TO GAZA",
        "Conor McGregor said McGregor would fly to Paris.",
        "Hurricane Harvey hits Texas; Mr London in Ontario.",
        "donate to Red Cross in Port-au-Prince, Haiti",
        "aid reached gaza and rafah",
        "Kharkív, Genève and İstanbul – “Paris” » Goma • DR Congo",
        "Київ і Харкова", "قصف في غزة", "ובשדרות", "東京で地震",
        "Mount Pearl or mount_pearl or Mount\ud83dPearl",
        "", " ", "\ud83d", "ǅemal from Aleppo", "NATO and the APC near Aleppo, Syria",
        # about half the letters in capitals: the edge of _mostly_upper
        "PARIS and Gaza were HIT", "US and Gaza aid ARRIVES", "GAZA CITY and rafah too",
        "PARIS and Gaza were HITS", "US aid to Gaza ARRIVED",
    ]
    for text in cases:
        for lang in (None, "fr"):
            assert outcome(rec_c, text, lang) == outcome(rec_py, text, lang), text


def _stream_texts(name, n):
    path = SHARED_DATA / "streams" / f"{name}.stream.jsonl.gz"
    if not path.exists():
        pytest.skip(f"{path} absent: the streams live in ../shared/data (not in the repo)")
    out = []
    with gzip.open(path, "rt", encoding="utf-8", errors="replace") as f:
        for line in islice(f, n):
            d = json.loads(line)
            text = d.get("text")
            if isinstance(text, str):
                out.append((text, d.get("lang")))
    return out


@pytest.mark.parametrize("stream", ["humaid", "crisismmd", "crisislex_t6"])
def test_compiled_find_on_real_posts(full_gp, stream):  # noqa: F811
    rec_c, rec_py = pair(full_gp.gazetteer)
    posts = _stream_texts(stream, 4000)
    found = 0
    for text, lang in posts:
        got = outcome(rec_c, text, lang)
        assert got == outcome(rec_py, text, lang), text
        found += bool(got)
    assert found > len(posts) // 10


def test_implementation_flag():
    assert recognise.IMPLEMENTATION in ("c", "python")
