"""Two labelled streams replayed at once: do simultaneous disasters stay apart?

Each evaluation stream holds disasters of one period. This shifts a second stream in time so
that one of its disasters starts alongside one of the first's (by default Hurricane Sandy's
first report two days after Hurricane Harvey's: two hurricanes over the United States at
once, with CrisisLexT6's keyword chatter interleaved), replays the merged stream through the
pipeline (`tocsin eval detect`'s own scoring), and reports, for each stream's items within
the merged replay, BCubed F1 and the gold events detected — against the same stream
replayed alone in the same run.

    .venv/bin/python bench/bench_overlay.py [--base crisismmd] [--other crisislex_t6]
        [--align hurricane_harvey:2012_Sandy_Hurricane] [--lag-hours 48]

The merged file is written to a temporary folder and removed afterwards; the shifted copy
keeps every field but the time.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tocsin.detect import create_detector
from tocsin.detect.replay import available_stages, replay
from tocsin.eval.detect import bcubed, detection_scores, evaluate_stream

STREAMS = Path(__file__).resolve().parents[2] / "shared" / "data" / "streams"


def load(name: str) -> list[dict[str, Any]]:
    with gzip.open(STREAMS / f"{name}.stream.jsonl.gz", "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def when(item: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(item["time"].replace("Z", "+00:00")).astimezone(UTC)


def first_time(items: list[dict[str, Any]], event: str) -> datetime:
    times = [when(r) for r in items if r.get("event") == event]
    if not times:
        raise SystemExit(f"no gold event {event!r} in that stream")
    return min(times)


def scores_of(items: list[dict[str, Any]], final: dict[str, str | None]) -> dict[str, Any]:
    """BCubed and detection over ``items`` (in stream order) as the merged replay placed them."""
    gold = [r.get("event") for r in items]
    pred = [final.get(r["id"]) for r in items]
    times = [when(r).timestamp() for r in items]
    p, r, f = bcubed(gold, pred)
    ds = detection_scores(gold, pred, times)
    return {"bcubed": {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)},
            "detected_share": round(ds.detected, 4), "missed": ds.missed_events}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", default="crisismmd")
    ap.add_argument("--other", default="crisislex_t6")
    ap.add_argument("--align", default="hurricane_harvey:2012_Sandy_Hurricane",
                    help="BASE_EVENT:OTHER_EVENT whose first reports are brought together")
    ap.add_argument("--lag-hours", type=float, default=48.0,
                    help="the other event starts this long after the base event")
    a = ap.parse_args()
    for name in (a.base, a.other):
        if not (STREAMS / f"{name}.stream.jsonl.gz").exists():
            print(f"{STREAMS / name}.stream.jsonl.gz: not found, skipped", file=sys.stderr)
            return 0
    base, other = load(a.base), load(a.other)
    ev_base, _, ev_other = a.align.partition(":")
    shift = (first_time(base, ev_base) + timedelta(hours=a.lag_hours)
             - first_time(other, ev_other))
    for r in other:
        r["time"] = (when(r) + shift).strftime("%Y-%m-%dT%H:%M:%SZ")
    merged = sorted(base + other, key=when)
    alone = {a.base: evaluate_stream(STREAMS / f"{a.base}.stream.jsonl.gz"),
             a.other: evaluate_stream(STREAMS / f"{a.other}.stream.jsonl.gz")}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "overlay.stream.jsonl.gz"
        with gzip.open(path, "wt", encoding="utf-8") as f:
            for r in merged:
                f.write(json.dumps(r) + "\n")
        stages, _ = available_stages()
        det = create_detector()
        backfill: dict[str, str] = {}
        res = replay(path, det, stages, on_backfill=backfill.update)
        final = dict(zip(res.ids, res.final_events(det, backfill), strict=True))
    out: dict[str, Any] = {"align": a.align, "lag_hours": a.lag_hours,
                           "shift_days": round(shift.total_seconds() / 86400, 2), "streams": {}}
    for name, items in ((a.base, base), (a.other, other)):
        together = scores_of(sorted(items, key=when), final)
        f_alone = alone[name]["bcubed"]["f1"]
        out["streams"][name] = {
            "alone": {"bcubed": alone[name]["bcubed"],
                      "detected_share": alone[name]["detection"]["detected_share"]},
            "together": together,
            "f1_together_vs_alone": round(together["bcubed"]["f1"] / f_alone, 3)
            if f_alone else None,
        }
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
