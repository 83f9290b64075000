"""Regression guard on a real stream (reads ../shared/data; skipped when it is absent).

Only the smallest stream runs here, without classifier and geoparser, to stay fast; the full
figures come from ``tocsin eval detect`` (see docs/detection.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest

STREAMS = Path(__file__).resolve().parents[3] / "shared" / "data" / "streams"
CRISISMMD = STREAMS / "crisismmd.stream.jsonl.gz"

pytestmark = pytest.mark.data


@pytest.mark.skipif(not CRISISMMD.exists(),
                    reason=f"{CRISISMMD} not found: the shared evaluation data is not here")
def test_crisismmd_floor():
    from tocsin.eval.detect import evaluate_stream

    out = evaluate_stream(CRISISMMD, classify=False, geoparse=False)
    assert out["items"] == 16057 and out["bad_lines"] == 0
    assert out["bcubed"]["f1"] >= 0.6, out["bcubed"]
    assert out["detection"]["detected_share"] == 1.0
    assert out["fragmentation"] <= 4.0


@pytest.mark.skipif(not CRISISMMD.exists(),
                    reason=f"{CRISISMMD} not found: the shared evaluation data is not here")
def test_crisismmd_events_do_not_depend_on_the_batch_size():
    from tocsin.detect import create_detector
    from tocsin.detect.replay import available_stages, replay

    finals = []
    for batch_size in (1000, 384):
        stages, _ = available_stages(classify=False, geoparse=False)  # (dedup keeps state)
        det = create_detector()
        backfill: dict[str, str] = {}
        res = replay(CRISISMMD, det, stages, batch_size=batch_size, on_backfill=backfill.update)
        finals.append(res.final_events(det, backfill))
    assert sum(e is not None for e in finals[0]) > 10_000
    assert finals[0] == finals[1]


@pytest.mark.skipif(not CRISISMMD.exists(),
                    reason=f"{CRISISMMD} not found: the shared evaluation data is not here")
def test_crisismmd_events_survive_a_restart_unchanged():
    from tocsin.detect import create_detector, restore_detector
    from tocsin.detect.replay import ReplayResult, available_stages, iter_reports
    from tocsin.enrich.chain import run_stages

    stages, _ = available_stages(classify=False, geoparse=False)
    batches = [run_stages(stages, b) for b in iter_reports(CRISISMMD, ReplayResult(), 1000)]
    finals = []
    for restart_at in (None, 3, 8):
        det = create_detector()
        ids, clusters, backfill = [], [], {}
        for k, b in enumerate(batches):
            if k == restart_at:  # (as ``tocsin run`` does after a restart)
                det = restore_detector(det.snapshot())
            det.observe(b)
            backfill.update(det.drain_backfill())
            ids += [r.id for r in b]
            clusters += det.last_clusters
        finals.append([det.final_event(backfill.get(i, c)) for i, c in zip(ids, clusters,
                                                                            strict=True)])
    assert finals[0] == finals[1] == finals[2]
