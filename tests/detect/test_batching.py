"""The detector's events do not depend on how the stream was cut into batches, nor on a
restart (snapshot, restore) between two of them.

A live pipeline hands the detector whatever arrived since the last call; a replay uses a fixed
batch size. Either way the same reports in the same order must give the same events. What
used to differ was the merge pass, which ran at the end of a batch once ``merge_every``
reports had passed: every 1,000 reports with batches of 1,000, every 4,000 with batches of
4,000 (crisislex_t6 F1 then moved from 0.836 to 0.844, and a gold event was missed).
"""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from tocsin.detect import create_detector, restore_detector

from .conftest import enrich, story


def _stream(seed: int = 5):
    """Three interleaved stories, two of them about one town (so merges have work)."""
    rng = random.Random(seed)
    reports = (story(rng, ["kelda", "storm", "arnhaven"], ["hit", "battered"], 60, 0, 2, "a")
               + story(rng, ["valdora", "earthquake", "mirren"], ["shook", "struck"], 60, 5, 2,
                       "b")
               + story(rng, ["arnhaven", "kelda", "levee"], ["breached", "flooded"], 60, 40, 2,
                       "c"))
    reports.sort(key=lambda r: (r.published_at, r.id))
    return enrich(reports)


def _run(cuts: list[int], merge_every: int = 7, restarts: frozenset[int] = frozenset()):
    """Final event per report, and the report counts at which merge passes ran; the detector
    is snapshotted and restored before the batches numbered in ``restarts``."""
    det = create_detector(merge_every=merge_every)
    passes: list[int] = []

    def merge_pass(now):
        passes.append(det.processed)
        return type(det)._merge_pass(det, now)

    det._merge_pass = merge_pass
    reports = _stream()
    bounds = [0, *sorted({c for c in cuts if 0 < c < len(reports)}), len(reports)]
    ids, clusters, backfill = [], [], {}
    for k, (lo, hi) in enumerate(zip(bounds, bounds[1:], strict=False)):
        batch = reports[lo:hi]
        if k in restarts:
            det = restore_detector(det.snapshot())
            det._merge_pass = merge_pass
        det.observe(batch)
        backfill.update(det.drain_backfill())
        ids += [r.id for r in batch]
        clusters += det.last_clusters
    return [det.final_event(backfill.get(i, c)) for i, c in zip(ids, clusters, strict=True)], \
        passes


def test_merge_passes_run_every_merge_every_reports_whatever_the_batches():
    _, one_batch = _run([])
    _, many = _run(list(range(0, 180, 13)))
    assert one_batch == many == list(range(7, 180, 7))


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 179), max_size=12))
def test_events_are_the_same_however_the_stream_is_cut(cuts):
    reference, _ = _run([])
    assert any(e is not None for e in reference)
    events, _ = _run(cuts)
    assert events == reference


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 179), min_size=1, max_size=8), st.data())
def test_events_are_the_same_after_restarts_between_batches(cuts, data):
    reference, passes = _run([])
    n_batches = len({c for c in cuts if 0 < c < 180}) + 1
    restarts = frozenset(data.draw(st.sets(st.integers(1, max(1, n_batches - 1)))))
    events, restarted_passes = _run(cuts, restarts=restarts)
    assert events == reference and restarted_passes == passes


def test_a_version_2_snapshot_still_restores():
    import json
    import zlib

    det = create_detector()
    det.observe(_stream()[:90])
    state = json.loads(zlib.decompress(det.snapshot()))
    for key in ("retry", "anchor_cache", "split_cache", "ev_post", "cand_post"):
        del state[key]
    state["version"] = 2
    old = restore_detector(zlib.compress(json.dumps(state).encode()))
    assert {e.id for e in old.active_events()} == {e.id for e in det.active_events()}
    assert old.ev_post.keys() == det.ev_post.keys()
    old.observe(_stream()[90:])  # and carries on
