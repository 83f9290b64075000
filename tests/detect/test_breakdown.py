"""``eval.breakdown``: the per-event tables agree with the headline metrics (hypothesis) and
with worked examples."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tocsin.eval.breakdown import MIXED, NOISE, breakdown, by_detected_event, by_gold_event
from tocsin.eval.detect import detection_scores, noise_purity

labels = st.one_of(st.none(), st.sampled_from(["a", "b", "c", "d"]))
preds = st.one_of(st.none(), st.sampled_from(["x", "y", "z", "w"]))
pairs = st.lists(st.tuples(labels, preds), min_size=1, max_size=80)


@settings(max_examples=300, deadline=None)
@given(pairs, st.integers(1, 12))
def test_tables_account_for_every_item_and_match_the_headline_figures(data, k):
    gold, pred = zip(*data, strict=True)
    gold_rows = by_gold_event(gold, pred)
    event_rows = by_detected_event(gold, pred, first_k=k)
    # every item is in exactly one gold row; every assigned item in exactly one event row
    assert sum(r["items"] for r in gold_rows) == len(gold)
    assert sum(r["items"] for r in event_rows) == sum(p is not None for p in pred)
    assert {r["event"] for r in event_rows} == {p for p in pred if p is not None}
    # the noise row's unassigned share is the noise purity
    noise = [r for r in gold_rows if r["gold"] == NOISE]
    purity = noise_purity(gold, pred)
    assert (noise[0]["unassigned"] if noise else None) == (
        None if purity is None else round(purity, 4))
    # the events flagged as false alarms are those detection_scores counts
    ds = detection_scores(gold, pred, [float(i) for i in range(len(gold))], first_k=k)
    assert len(event_rows) == ds.n_events
    flagged = sum(r["false_alarm"] for r in event_rows)
    assert flagged == round(ds.false_alarm_share * ds.n_events)
    # a gold event is detected exactly when some event was opened by it
    openers = {r["opened_by"] for r in event_rows}
    assert set(ds.detected_events) == openers - {NOISE, MIXED}
    for r in gold_rows:
        assert 0.0 <= r["unassigned"] <= 1.0 and 0.0 <= r["main_share"] <= 1.0
        assert r["main_share"] + r["unassigned"] <= 1.0 + 1e-9
        assert (r["events"] == 0) == (r["main_event"] is None)


@settings(max_examples=100, deadline=None)
@given(pairs)
def test_rows_do_not_depend_on_how_events_are_named(data):
    gold, pred = zip(*data, strict=True)
    renamed = [None if p is None else "ev-" + p for p in pred]
    a, b = breakdown(gold, pred), breakdown(gold, renamed)
    for ra, rb in zip(a["events"], b["events"], strict=True):
        assert rb["event"] == "ev-" + ra["event"]
        assert {k: v for k, v in ra.items() if k != "event"} == \
            {k: v for k, v in rb.items() if k != "event"}
    assert [r["items"] for r in a["gold_events"]] == [r["items"] for r in b["gold_events"]]


def test_a_split_event_and_a_false_alarm():
    # gold "a" is split over events 1 and 2 with two items left out; event 3 is opened by
    # noise, then takes one item of "b"
    gold = ["a", "a", "a", "a", "a", "a", None, None, None, "b", "a", "a"]
    pred = ["1", "1", "1", "1", "2", "2", "3", "3", None, "3", None, None]
    g = {r["gold"]: r for r in by_gold_event(gold, pred)}
    assert g["a"] == {"gold": "a", "items": 8, "unassigned": 0.25, "events": 2,
                      "main_event": "1", "main_share": 0.5}
    assert g[NOISE]["unassigned"] == round(1 / 3, 4) and g[NOISE]["main_event"] == "3"
    assert g["b"]["main_share"] == 1.0
    e = {r["event"]: r for r in by_detected_event(gold, pred, first_k=3)}
    assert e["1"]["opened_by"] == "a" and not e["1"]["false_alarm"]
    assert e["3"] == {"event": "3", "items": 3, "noise_share": round(2 / 3, 4),
                      "gold": {"b": 1}, "opened_by": NOISE, "false_alarm": True}
    assert [r["gold"] for r in by_gold_event(gold, pred)] == ["a", "b", NOISE]


def test_an_even_split_of_the_first_items_is_mixed():
    e = by_detected_event(["a", "b"], ["1", "1"], first_k=2)
    assert e[0]["opened_by"] == MIXED and not e[0]["false_alarm"]


def test_lengths_must_agree():
    with pytest.raises(ValueError):
        by_gold_event(["a"], [])
    with pytest.raises(ValueError):
        by_detected_event(["a"], ["1", "2"])
