"""Properties of the detection metrics (hypothesis) and a few worked examples."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from tocsin.eval.detect import bcubed, detection_scores, noise_purity, title_scores

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


# --- titles (title_scores) --------------------------------------------------------------
infos = st.one_of(st.none(), st.sampled_from(["casualties", "not_relevant",
                                              "sympathy_and_support"]))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(labels, preds, infos), min_size=1, max_size=60),
       st.dictionaries(st.sampled_from(["x", "y", "z"]), st.integers(0, 70)),
       st.integers(1, 12))
def test_title_scores_are_bounded(data, title_at, min_items):
    gold, pred, info = zip(*data, strict=True)
    ids = [f"r{i}" for i in range(len(gold))]
    titles = {e: f"r{i}" for e, i in title_at.items()}  # some point outside the stream
    out = title_scores(ids, gold, info, pred, titles, min_items=min_items)
    assert 0 <= out["events"] <= len({p for p in pred if p is not None})
    for key in ("on_topic_share", "actionable_share"):
        assert out[key] is None or 0.0 <= out[key] <= 1.0
    assert (out["actionable_share"] is None) == (not out["events"]
                                                 or all(x is None for x in info))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(labels, preds), min_size=1, max_size=60))
def test_titles_from_the_majority_gold_event_are_all_on_topic(data):
    gold, pred = zip(*data, strict=True)
    ids = [f"r{i}" for i in range(len(gold))]
    titles = {}
    for e in {p for p in pred if p is not None}:
        mine = [i for i, p in enumerate(pred) if p == e]
        # (ties go to the label met first in the stream, as title_scores has it)
        top = Counter(gold[i] for i in mine).most_common(1)[0][0]
        titles[e] = ids[next(i for i in mine if gold[i] == top)]
    out = title_scores(ids, gold, [None] * len(gold), pred, titles, min_items=1)
    assert out["on_topic_share"] in (None, 1.0)


def test_title_scores_worked_example():
    ids = [f"r{i}" for i in range(12)]
    gold = ["a"] * 10 + [None, "b"]
    info = ["casualties"] * 5 + ["sympathy_and_support"] * 5 + [None, None]
    pred = ["x"] * 12
    assert title_scores(ids, gold, info, pred, {"x": "r0"}) == {
        "events": 1, "on_topic_share": 1.0, "actionable_share": 1.0}
    assert title_scores(ids, gold, info, pred, {"x": "r7"})["actionable_share"] == 0.0
    # a title taken from noise, or from another gold event, is off topic
    for off in ("r10", "r11", "not-in-stream"):
        assert title_scores(ids, gold, info, pred, {"x": off})["on_topic_share"] == 0.0
    # an event opened mostly by noise is left out, and one of fewer than 10 items too
    assert title_scores(ids, [None] * 12, info, pred, {"x": "r0"})["events"] == 0
    assert title_scores(ids[:9], gold[:9], info[:9], pred[:9], {"x": "r0"})["events"] == 0
