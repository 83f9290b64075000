"""The embedded pipeline end to end (file → enrich → detect → SQLite → listeners) against
the same stages without the runner and store, in the same process: the ratio is what the
runner, the queue and the store cost. Both are timed in CPU seconds (``time.process_time``,
all threads) as well as wall seconds; on a shared machine the CPU figures are the ones to
compare, with the calibration loop of ``bench_detect.py`` for the machine's speed.

    python bench/bench_pipeline.py [--n 20000] [--stream PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import tempfile
import time
from pathlib import Path

from tocsin.config import Config
from tocsin.detect import create_detector
from tocsin.enrich.chain import default_stages, run_stages
from tocsin.model import SourceKind
from tocsin.pipeline import Pipeline
from tocsin.sources.files import JsonLinesSource, iter_reports
from tocsin.sources.health import SourceHealth
from tocsin.store.sqlite import SQLiteStore

DEFAULT = Path(__file__).resolve().parents[2] / "shared/data/streams/humaid.stream.jsonl.gz"


def load(path: Path, n: int, tmp: Path) -> Path:
    import gzip

    out = tmp / "stream.jsonl"
    with gzip.open(path, "rt", encoding="utf-8") as f, out.open("w", encoding="utf-8") as o:
        for i, line in enumerate(f):
            if i >= n:
                break
            o.write(line)
    return out


def bare(path: Path, batch: int = 512) -> tuple[float, float]:
    """Reports per wall second and per CPU second of the stages and detector alone."""
    stages = default_stages()
    det = create_detector()
    reports = [r for _, r in iter_reports(path, SourceHealth("b", SourceKind.FILE), None)]
    t, c = time.perf_counter(), time.process_time()
    for i in range(0, len(reports), batch):
        b = run_stages(stages, reports[i : i + batch])
        det.observe(b)
    return (len(reports) / (time.perf_counter() - t), len(reports) / (time.process_time() - c))


async def full(path: Path, tmp: Path) -> tuple[float, float, int]:
    cfg = Config(home=tmp / "full")
    store = SQLiteStore(cfg.db_path)
    p = Pipeline(cfg, store, default_stages(), create_detector(), clock="stream")
    p.add_source(JsonLinesSource(path, batch_size=cfg.batch_size))
    t, c = time.perf_counter(), time.process_time()
    await p.run(stop_when_sources_done=True)
    dt, dc = time.perf_counter() - t, time.process_time() - c
    n = store.count_reports()
    store.close()
    return n / dt, n / dc, n


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--stream", type=Path, default=DEFAULT)
    a = ap.parse_args()
    if not a.stream.exists():
        print(json.dumps({"skipped": f"{a.stream} not found"}))
        return
    from bench_detect import calibration_cpu_s

    calib = calibration_cpu_s()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        path = load(a.stream, a.n, tmp)
        stages_rate, stages_cpu_rate = bare(path)
        pipe_rate, pipe_cpu_rate, n = asyncio.run(full(path, tmp))
    print(json.dumps({
        "benchmark": "embedded pipeline (file → enrich → detect → SQLite)",
        "reports": n,
        "calibration_loop_cpu_s": round(calib, 3),
        "pipeline_reports_per_s": round(pipe_rate),
        "stages_only_reports_per_s": round(stages_rate),
        "pipeline_vs_stages_ratio": round(pipe_rate / stages_rate, 3),
        "pipeline_reports_per_cpu_s": round(pipe_cpu_rate),
        "stages_only_reports_per_cpu_s": round(stages_cpu_rate),
        "pipeline_vs_stages_cpu_ratio": round(pipe_cpu_rate / stages_cpu_rate, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }, indent=2))


if __name__ == "__main__":
    main()
