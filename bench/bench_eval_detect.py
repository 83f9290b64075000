"""Detection quality on the labelled streams, against a baseline scored in the same run.

For each stream in ``../shared/data/streams`` (skipped when absent): ``tocsin eval detect``'s
figures (BCubed, noise purity, detection, false alarms, throughput) for the default detector,
then for a plain TF-IDF first-story-detection baseline fed the very same enriched reports:
each report joins the cluster of its nearest recent report if their cosine reaches a
threshold, else opens one. The baseline runs at several thresholds (0.05–0.5) and the ratios
are against its best one *on that stream* — a choice that favours the baseline, as the
public figures in the issue did (their threshold was tuned on the stream itself).
``--streams humaid,crisismmd`` to choose.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections import OrderedDict
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from tocsin.detect.replay import ReplayResult, available_stages, fewer_gc_passes, iter_reports
from tocsin.enrich.chain import run_stages
from tocsin.eval.detect import evaluate_stream, quality

STREAMS = Path(__file__).resolve().parents[2] / "shared" / "data" / "streams"
NAMES = ("humaid", "crisismmd", "crisislex_t6")


class TfidfFirstStory:
    """The baseline: first-story detection by nearest neighbour (Petrović et al. 2010).

    Each report's TF-IDF vector (binary term frequency, running document frequencies) is
    compared with the newest ``window`` reports that share one of its ``probe`` rarest
    words seen before; it joins its nearest neighbour's cluster if their cosine reaches
    ``threshold``, else it opens a cluster (a "first story"). No classifier, no places.
    """

    def __init__(self, threshold: float = 0.5, window: int = 2000, probe: int = 5):
        self.threshold, self.window, self.probe = threshold, window, probe
        self.df: dict[str, int] = {}
        self.n = 0
        #: the newest reports: sequence number -> (normalised vector, cluster id)
        self.recent: OrderedDict[int, tuple[dict[str, float], str]] = OrderedDict()
        self.post: dict[str, set[int]] = {}
        self.clusters = 0
        self.last_clusters: list[str | None] = []

    def observe(self, batch: list) -> list:
        out = self.last_clusters = []
        changes = []
        for r in batch:
            words = set(r.tokens)
            for w in words:
                self.df[w] = self.df.get(w, 0) + 1
            self.n += 1
            if not words:
                out.append(None)
                continue
            v = {w: math.log((self.n + 1) / (self.df[w] + 1)) + 1.0 for w in words}
            norm = math.sqrt(sum(x * x for x in v.values()))
            v = {w: x / norm for w, x in v.items()}
            # the rarest words seen before (a word seen only now can match no report)
            seen = [w for w in v if self.df[w] > 1]
            probes = sorted(seen, key=v.get, reverse=True)[: self.probe]
            best, best_cos = None, 0.0
            for k in set().union(*(self.post.get(w, ()) for w in probes)):
                u, cid = self.recent[k]
                cos = sum(x * u.get(w, 0.0) for w, x in v.items())
                if cos > best_cos:
                    best, best_cos = cid, cos
            if best is None or best_cos < self.threshold:
                best = str(self.clusters)
                self.clusters += 1
                changes.append(SimpleNamespace(kind=SimpleNamespace(value="new"),
                                               event=SimpleNamespace(id=best),
                                               at=r.published_at))
            self._remember(v, best)
            out.append(best)
        return changes

    def _remember(self, v: dict[str, float], cid: str) -> None:
        k = self.n
        self.recent[k] = (v, cid)
        for w in v:
            self.post.setdefault(w, set()).add(k)
        if len(self.recent) > self.window:
            old, (u, _) = self.recent.popitem(last=False)
            for w in u:
                s = self.post[w]
                s.discard(old)
                if not s:
                    del self.post[w]


def brief(out: dict[str, Any]) -> dict[str, Any]:
    keep = ("bcubed", "noise_purity", "false_alarm_share", "events_final")
    return {**{k: out[k] for k in keep}, "detected_share": out["detection"]["detected_share"],
            "pipeline_per_s": out["throughput"]["pipeline_per_s"],
            "detect_per_s": out["throughput"]["detect_per_s"]}


def enriched(path: Path) -> list[list]:
    """The stream's reports through every enrichment stage, in batches (read once)."""
    res = ReplayResult()
    stages, _ = available_stages()
    with fewer_gc_passes():
        return [run_stages(stages, b) for b in iter_reports(path, res, 1000)]


def score_baseline(batches: list[list], threshold: float) -> dict[str, Any]:
    """The baseline over already-enriched reports: the figures ``brief`` gives for ours
    (``tocsin eval detect``'s own scoring, ``quality``)."""
    fsd = TfidfFirstStory(threshold)
    pred: list[str | None] = []
    opened: dict[str, float] = {}
    t0 = time.perf_counter()  # wall, as ``tocsin eval detect`` times its detect stage
    for b in batches:
        for ch in fsd.observe(b):
            opened.setdefault(ch.event.id, ch.at.timestamp())
        pred.extend(fsd.last_clusters)
    secs = time.perf_counter() - t0
    gold = [r.extra.get("event") for b in batches for r in b]
    times = [r.published_at.timestamp() for b in batches for r in b]
    out = brief({**quality(gold, pred, times, opened),
                 "throughput": {"pipeline_per_s": None,
                                "detect_per_s": round(len(pred) / secs) if secs else None}})
    del out["pipeline_per_s"]  # no pipeline of its own: it reads ours
    return {"threshold": threshold, **out}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--streams", default=",".join(NAMES))
    ap.add_argument("--thresholds", default="0.05,0.1,0.15,0.2,0.3,0.5",
                    help="the baseline's cosine thresholds; it is reported at its best")
    a = ap.parse_args()
    results = {}
    for name in a.streams.split(","):
        path = STREAMS / f"{name}.stream.jsonl.gz"
        if not path.exists():
            print(f"{path}: not found, skipped", file=sys.stderr)
            continue
        ours = brief(evaluate_stream(path))
        batches = enriched(path)
        base = [score_baseline(batches, float(t)) for t in a.thresholds.split(",")]
        del batches
        best = max(base, key=lambda b: b["bcubed"]["f1"])
        results[name] = {
            "tocsin": ours,
            "baseline_tfidf_fsd_by_threshold": base,
            "f1_vs_best_baseline": round(ours["bcubed"]["f1"] / best["bcubed"]["f1"], 2)
            if best["bcubed"]["f1"] else None,
            "detect_speed_vs_best_baseline": round(ours["detect_per_s"] / best["detect_per_s"], 2)
            if best["detect_per_s"] and ours["detect_per_s"] else None,
        }
        print(json.dumps({name: results[name]}), file=sys.stderr)
    print(json.dumps(results, indent=2))
    return 0 if results else 1


if __name__ == "__main__":
    raise SystemExit(main())
