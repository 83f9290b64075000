"""Folding and concept matching: boundaries, clitics, accents, every supported language."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tocsin.enrich.classify.folding import fold
from tocsin.enrich.classify.lexicon import Lexicon
from tocsin.enrich.classify.terms import CONCEPT_NAMES, CONCEPTS, LANGS

from .fixtures import CRISIS


@pytest.fixture(scope="module")
def lex() -> Lexicon:
    return Lexicon()


def names(lex: Lexicon, text: str) -> set[str]:
    return {CONCEPT_NAMES[i] for i in lex.concepts(text)}


def test_fold_removes_accents_punctuation_and_variants() -> None:
    assert fold("Évacués!!  Séisme, 2024") == "evacues seisme 0000"
    assert fold("إعصار") == fold("اعصار")
    assert fold("Ёлка") == fold("елка")
    assert "й" in fold("йод")  # a distinct letter, not an accented и


def test_every_concept_covers_every_language() -> None:
    for c in CONCEPTS:
        assert set(c.terms) == set(LANGS), c.name


def test_word_boundaries(lex: Lexicon) -> None:
    assert "armed_conflict" in names(lex, "War broke out")
    assert "armed_conflict" not in names(lex, "a warm toward wardrobe")  # exact term 'war'
    assert "flood" in names(lex, "FLOODING downtown")  # stem 'flood*'
    assert "flood" not in names(lex, "bloodflood")  # must start at a word


def test_arabic_and_hebrew_clitics(lex: Lexicon) -> None:
    assert "earthquake" in names(lex, "والزلزال")  # wa + al + zilzal
    assert "armed_conflict" in names(lex, "בהפגזה")  # be + ha + hafgaza
    assert "flood" in names(lex, "והשיטפון")


@pytest.mark.parametrize("lang,text,hazard,need", CRISIS)
def test_fixture_sentences_fire_hazard_and_need(lex: Lexicon, lang: str, text: str,
                                                hazard: str, need: str) -> None:
    hits = [CONCEPTS[i] for i in lex.concepts(text)]
    assert hazard in {c.hazard for c in hits}, (lang, text)
    assert need in {c.need for c in hits}, (lang, text)


@given(st.text(max_size=200))
def test_matching_never_crashes_and_indices_are_valid(text: str) -> None:
    lex = _LEX
    for i in lex.concepts(text):
        assert 0 <= i < len(CONCEPTS)


_LEX = Lexicon()
