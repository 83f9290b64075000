"""The bounded automaton: whole-word matching done by the automaton itself.

It must find exactly what the plain automaton plus a boundary test found: the ASCII fast
paths of fold/bounded equal the general ones, a key with a space inside does not match
other punctuation in its place, and keys that differ only in punctuation both survive.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tocsin.enrich.geoparse.fold import _BOUND_TABLE, _TABLE, BOUND, bounded, fold, in_word
from tocsin.enrich.geoparse.resolve import clear_caches


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=60))
def test_ascii_fast_paths_equal_the_general_tables(t):
    assert fold(t) == t.translate(_TABLE)
    f = fold(t)
    assert bounded(f) == BOUND + f.translate(_BOUND_TABLE) + BOUND


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_bounded_marks_exactly_the_non_word_characters(t):
    f = fold(t)
    b = bounded(f)
    assert len(b) == len(f) + 2
    assert all((c == BOUND) != in_word(f[i]) for i, c in enumerate(b[1:-1]))


def test_bounded_hits_are_whole_words(gp):
    assert [p.phrase for p in gp.parse("Floods in Paris; Parisian aid, Gaza-based.")] == \
        ["Paris", "Gaza"]
    assert [p.phrase for p in gp.parse("Floods in Paris2 and Parisian towns")] == []


def test_key_with_a_space_needs_the_space(gp):
    kid = gp.gazetteer.key_id("new york")
    assert kid >= 0 and gp.gazetteer.key_verify[kid]
    assert [p.phrase for p in gp.parse("Flooding in New York tonight.")] == ["New York"]
    # "new_york" is bounded like "new york" but is not that key: the check rejects it
    assert all(p.phrase != "New_York" for p in gp.parse("Flooding in New_York tonight."))


def test_every_key_is_found_by_key_id(gp):
    gz = gp.gazetteer
    for name in ("Paris", "Kharkiv", "Харків", "New York", "U.S.", "غزة", "שדרות"):
        folded = fold(name)
        kid = gz.key_id(folded)
        assert kid >= 0, folded
        assert gz.key_len[kid] == len(folded)


def test_keys_that_share_a_bounded_form_all_resolve(gp):
    gz = gp.gazetteer
    for group in gz.bounded_clash[:50]:
        for kid, key in group:
            assert gz.key_id(key) == kid


def test_resolution_cache_gives_the_same_places(gp):
    text = "Shelling in Kharkiv and Donetsk, Ukraine; aid for Kharkiv."
    first = gp.parse(text)
    clear_caches()
    fresh = gp.parse(text)
    again = gp.parse(text)
    assert first == fresh == again
    assert first[0] is not again[0]  # places are never shared between reports
