"""Properties of the detection metrics (hypothesis) and a few worked examples."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tocsin.eval.detect import bcubed, detection_scores, noise_purity

labels = st.one_of(st.none(), st.sampled_from(["a", "b", "c", "d"]))
preds = st.one_of(st.none(), st.sampled_from(["x", "y", "z"]))
pairs = st.lists(st.tuples(labels, preds), min_size=1, max_size=60)


@settings(max_examples=200, deadline=None)
@given(pairs)
def test_bcubed_is_bounded(data):
    gold, pred = zip(*data, strict=True)
    p, r, f = bcubed(gold, pred)
    for v in (p, r, f):
        assert 0.0 <= v <= 1.0 + 1e-12
    assert f <= max(p, r) + 1e-12 and f >= min(p, r) - 1e-12 or f == 0.0


@settings(max_examples=200, deadline=None)
@given(st.lists(labels, min_size=1, max_size=60))
def test_perfect_clustering_scores_one(gold):
    pred = [None if g is None else f"e-{g}" for g in gold]
    assert bcubed(gold, pred) == (1.0, 1.0, 1.0)
    purity = noise_purity(gold, pred)
    assert purity is None or purity == 1.0


@settings(max_examples=100, deadline=None)
@given(st.lists(labels, min_size=1, max_size=60))
def test_renaming_predicted_clusters_changes_nothing(gold):
    pred = [None if g is None else {"a": "1", "b": "2", "c": "1", "d": "3"}[g] for g in gold]
    renamed = [None if p is None else p + "-renamed" for p in pred]
    assert bcubed(gold, pred) == bcubed(gold, renamed)


def test_everything_in_one_cluster_has_full_recall_low_precision():
    gold = ["a"] * 5 + ["b"] * 5
    p, r, _ = bcubed(gold, ["e"] * 10)
    assert r == 1.0 and p == 0.5


def test_unassigned_items_are_singletons():
    gold = ["a"] * 4
    p, r, _ = bcubed(gold, [None] * 4)
    assert p == 1.0 and r == 0.25


def test_noise_purity_counts_only_noise():
    assert noise_purity(["a", None, None, None], ["e", None, "e", None]) == 2 / 3
    assert noise_purity(["a"], ["e"]) is None


@settings(max_examples=100, deadline=None)
@given(pairs)
def test_detection_scores_are_bounded(data):
    gold, pred = zip(*data, strict=True)
    times = [float(i) for i in range(len(gold))]
    ds = detection_scores(gold, pred, times, first_k=3)
    assert 0.0 <= ds.detected <= 1.0
    assert 0.0 <= ds.false_alarm_share <= 1.0
    assert all(d >= 0.0 for d in ds.delays.values())
    assert set(ds.detected_events) | set(ds.missed_events) == {g for g in gold if g}


def test_detection_delay_and_false_alarm():
    gold = ["a", "a", None, None, None, "a", "b"]
    pred = [None, "e1", "e2", "e2", "e2", "e1", None]
    times = [0.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0]
    ds = detection_scores(gold, pred, times, opened_at={"e1": 15.0})
    assert ds.detected_events == ["a"] and ds.missed_events == ["b"]
    assert ds.delays == {"a": 15.0}
    assert ds.false_alarm_share == 0.5
