"""Geoparsing metrics: recognition on exact spans, resolution as Acc@161 and error in km.

Conventions (as in the Mordecai and GeoWebNews papers, and shared/data/README.md):
- recognition: precision/recall/F1 of predicted (start, end) spans against gold spans;
- resolution: over the gold toponyms whose exact span the recogniser found, the share
  resolved within 161 km (100 miles) of the gold point, and mean/median error;
- end to end: Acc@161 over all gold toponyms, a missed toponym counting as wrong.
Gold toponyms without coordinates count for recognition only.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import statistics
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from tocsin.enrich.geoparse.geo import haversine_km
from tocsin.model import Place

ACC_KM = 161.0


def read_gold(path: str | Path) -> Iterator[dict[str, Any]]:
    """Documents of a geo gold file (JSON lines, plain or .gz)."""
    p = Path(path)
    opener = gzip.open if p.suffix == ".gz" else open
    with opener(p, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def half_of(doc_id: str, seed: str = "tocsin-geo-2026") -> str:
    """'tune' or 'test': a fixed, seeded split of documents for honest rule tuning."""
    h = hashlib.sha256((seed + doc_id).encode()).digest()[0]
    return "tune" if h % 2 == 0 else "test"


def score(docs: Iterable[dict[str, Any]], predict: Callable[[dict[str, Any]], list[Place]]
          ) -> dict[str, Any]:
    """Score ``predict(doc) -> places`` against the gold toponyms of ``docs``."""
    tp = fp = fn = 0
    errors: list[float] = []
    n_gold_geo = 0
    n_docs = 0
    for doc in docs:
        n_docs += 1
        pred = {(p.start, p.end): p for p in predict(doc)}
        gold = {(t["start"], t["end"]): t for t in doc.get("toponyms", [])}
        hits = pred.keys() & gold.keys()
        tp += len(hits)
        fp += len(pred) - len(hits)
        fn += len(gold) - len(hits)
        for span, t in gold.items():
            if t.get("lat") is None or t.get("lon") is None:
                continue
            n_gold_geo += 1
            p = pred.get(span)
            if p is not None and p.lat is not None and p.lon is not None:
                errors.append(haversine_km(t["lat"], t["lon"], p.lat, p.lon))
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    within = sum(e <= ACC_KM for e in errors)
    return {
        "docs": n_docs,
        "gold_toponyms": tp + fn,
        "predicted": tp + fp,
        "recognition": {"precision": round(prec, 4), "recall": round(rec, 4),
                        "f1": round(f1, 4)},
        "resolution": {
            "n": len(errors),
            "acc161": round(within / len(errors), 4) if errors else None,
            "mean_km": round(statistics.fmean(errors), 1) if errors else None,
            "median_km": round(statistics.median(errors), 1) if errors else None,
        },
        "end_to_end": {"n": n_gold_geo,
                       "acc161": round(within / n_gold_geo, 4) if n_gold_geo else None},
    }


def evaluate_file(path: str | Path, geoparser: Any, *, half: str = "all",
                  home_country: str | None = None) -> dict[str, Any]:
    """Run the geoparser over a gold file (optionally one half of the fixed split)."""
    docs = [d for d in read_gold(path) if half == "all" or half_of(str(d["id"])) == half]

    def predict(doc: dict[str, Any]) -> list[Place]:
        return geoparser.parse(doc["text"], lang=doc.get("lang"), home_country=home_country)

    out = score(docs, predict)
    out["file"] = str(path)
    out["half"] = half
    return out
