"""Metric definitions, pinned with examples and properties."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tocsin.eval.classify import binary_f1, confusion, ece, evaluate, macro_f1, prf, weighted_f1

LABELS = ["a", "b", "c"]
labels = st.sampled_from(LABELS)


@given(st.lists(st.tuples(labels, labels), min_size=1, max_size=60))
def test_f1_bounds(pairs: list[tuple[str, str]]) -> None:
    g, p = zip(*pairs, strict=True)
    for f in (macro_f1(g, p), weighted_f1(g, p)):
        assert 0.0 <= f <= 1.0
    for v in prf(g, p).values():
        assert 0.0 <= v["precision"] <= 1.0 and 0.0 <= v["recall"] <= 1.0


@given(st.lists(labels, min_size=1, max_size=60))
def test_perfect_predictions_score_one(g: list[str]) -> None:
    assert macro_f1(g, g) == 1.0
    assert weighted_f1(g, g) == 1.0


def test_known_values() -> None:
    g = ["a", "a", "b", "b"]
    p = ["a", "b", "b", "b"]
    # a: P=1 R=.5 F=2/3 ; b: P=2/3 R=1 F=.8
    assert macro_f1(g, p) == pytest.approx((2 / 3 + 0.8) / 2)
    assert weighted_f1(g, p) == pytest.approx((2 / 3 * 2 + 0.8 * 2) / 4)
    assert confusion(g, p, ["a", "b"]) == [[1, 1], [0, 2]]
    assert binary_f1([True, True, False], [True, False, True]) == pytest.approx(0.5)


def test_length_mismatch_is_an_error() -> None:
    with pytest.raises(ValueError):
        prf(["a"], ["a", "b"])


@given(st.lists(st.tuples(st.floats(0, 1), st.booleans()), min_size=1, max_size=100))
def test_ece_bounds(pairs: list[tuple[float, bool]]) -> None:
    c, ok = zip(*pairs, strict=True)
    e = ece(c, ok)
    assert 0.0 <= e <= 1.0 and not math.isnan(e)


def test_ece_extremes() -> None:
    assert ece([1.0] * 10, [True] * 10) == 0.0
    assert ece([1.0] * 10, [False] * 10) == pytest.approx(1.0)
    assert ece([0.5] * 10, [True, False] * 5) == pytest.approx(0.0)


def test_evaluate_report_shape() -> None:
    gold = [{"info_type": "casualties", "relevant": True, "lang": "en", "hazard": "flood"},
            {"info_type": "not_relevant", "relevant": False, "lang": "fr", "hazard": "flood"}]
    pred = [{"info_type": "casualties", "scores": {"casualties": 0.9, "not_relevant": 0.1},
             "relevant": True, "relevance": 0.9, "hazard": "flood"},
            {"info_type": "casualties", "scores": {"casualties": 0.6, "not_relevant": 0.4},
             "relevant": False, "relevance": 0.2, "hazard": "storm"}]
    r = evaluate(gold, pred, ["casualties", "not_relevant"])
    assert r["info_type"]["accuracy"] == 0.5
    assert set(r["info_type"]["per_language"]) == {"en", "fr"}
    assert r["relevance"]["f1"] == 1.0
    assert r["hazard"]["accuracy"] == 0.5
    assert "ece" in r["info_type"] and "ece" in r["relevance"]
