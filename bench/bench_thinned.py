"""Detection at lower volumes: each labelled stream replayed thinned to a share of its items.

A deployment that takes a few hundred reports a day sees the same stories as the evaluation
streams but far fewer reports of each, and every count the detector waits for (reports to
open an event, reports between merge passes) comes later or not at all. This replays each
stream in ``../shared/data/streams`` (skipped when absent) in full and thinned to
``--shares`` of its items (``tocsin eval detect --thin S --seed K``: the items kept are
chosen by a hash of their ids, ``--seeds`` choices per share), and reports, per share, the
mean and lowest BCubed F1 over the seeds, the lowest share of gold events detected, the
highest false-alarm share, and the mean F1 as a ratio of the full replay's (measured in the
same run).

``--compare KEY=VALUE`` (repeatable) scores a second detector configuration on the very same
replays, side by side (e.g. ``--compare merge_interval=0``: merge passes by report counts
only, as before 2026-11-30).

    .venv/bin/python bench/bench_thinned.py [--streams humaid,crisismmd] [--shares 0.1,0.25]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path
from typing import Any

from tocsin.detect.config import parse_option_pairs
from tocsin.eval.detect import evaluate_stream

STREAMS = Path(__file__).resolve().parents[2] / "shared" / "data" / "streams"
NAMES = ("humaid", "crisismmd", "crisislex_t6")


def summary(runs: list[dict[str, Any]], full_f1: float) -> dict[str, Any]:
    f1 = [r["bcubed"]["f1"] for r in runs]
    purity = [r["noise_purity"] for r in runs if r["noise_purity"] is not None]
    return {
        "f1_mean": round(statistics.fmean(f1), 4),
        "f1_min": min(f1),
        "f1_mean_vs_full": round(statistics.fmean(f1) / full_f1, 3) if full_f1 else None,
        "detected_min": min(r["detection"]["detected_share"] for r in runs),
        "false_alarms_max": max(r["false_alarm_share"] for r in runs),
        **({"noise_purity_mean": round(statistics.fmean(purity), 4)} if purity else {}),
        "items_mean": round(statistics.fmean(r["items"] for r in runs)),
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--streams", default=",".join(NAMES))
    ap.add_argument("--shares", default="0.1,0.25,0.5")
    ap.add_argument("--seeds", type=int, default=3, help="thinned replays per share")
    ap.add_argument("--compare", action="append", default=[], metavar="KEY=VALUE",
                    help="a second detector configuration, scored on the same replays")
    a = ap.parse_args()
    configs = {"default": {}}
    if a.compare:
        try:
            configs["compare"] = parse_option_pairs(a.compare)
        except ValueError as e:
            raise SystemExit(f"--compare {e}") from e
    shares = [float(s) for s in a.shares.split(",")]
    results: dict[str, Any] = {}
    for name in a.streams.split(","):
        path = STREAMS / f"{name}.stream.jsonl.gz"
        if not path.exists():
            print(f"{path}: not found, skipped", file=sys.stderr)
            continue
        per_config: dict[str, Any] = {}
        for label, cfg in configs.items():
            full = evaluate_stream(path, config=cfg)
            full_f1 = full["bcubed"]["f1"]
            row: dict[str, Any] = {"full": {
                "f1": full_f1, "detected": full["detection"]["detected_share"],
                "false_alarms": full["false_alarm_share"],
                **({"noise_purity": full["noise_purity"]}
                   if full["noise_purity"] is not None else {}),
                "items": full["items"]}}
            for share in shares:
                runs = []
                for seed in range(1, a.seeds + 1):
                    runs.append(evaluate_stream(path, config=cfg, thin=share, seed=seed))
                    print(f"{name} {label} share {share} seed {seed}: F1 "
                          f"{runs[-1]['bcubed']['f1']}", file=sys.stderr, flush=True)
                row[f"share_{share}"] = summary(runs, full_f1)
            per_config[label] = row
        results[name] = per_config
        print(json.dumps({name: per_config}), file=sys.stderr)
    out = {"configs": configs, "shares": shares, "seeds": a.seeds, "streams": results}
    print(json.dumps(out, indent=2))
    return 0 if results else 1


if __name__ == "__main__":
    raise SystemExit(main())
