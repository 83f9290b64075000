"""Metrics for classification: F1 (macro, weighted, per class), confusion, per language, ECE.

Written out rather than taken from scikit-learn so that the definitions are explicit and
stable (e.g. macro-F1 averages over classes present in the gold labels, the convention of
the HumAID paper), and so property tests can pin them down.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np


def prf(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str] | None = None
        ) -> dict[str, dict[str, float]]:
    """Per-class precision, recall, F1 and support."""
    if len(gold) != len(pred):
        raise ValueError(f"{len(gold)} gold labels but {len(pred)} predictions")
    labels = list(labels) if labels is not None else sorted(set(gold) | set(pred))
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for g, p in zip(gold, pred, strict=True):
        if g == p:
            tp[g] += 1
        else:
            fp[p] += 1
            fn[g] += 1
    out = {}
    for c in labels:
        p_ = tp[c] / (tp[c] + fp[c]) if tp[c] + fp[c] else 0.0
        r_ = tp[c] / (tp[c] + fn[c]) if tp[c] + fn[c] else 0.0
        f_ = 2 * p_ * r_ / (p_ + r_) if p_ + r_ else 0.0
        out[c] = {"precision": p_, "recall": r_, "f1": f_, "support": tp[c] + fn[c]}
    return out


def macro_f1(gold: Sequence[str], pred: Sequence[str]) -> float:
    """Mean F1 over the classes present in ``gold`` (absent classes would only add noise)."""
    per = prf(gold, pred, sorted(set(gold)))
    return float(np.mean([v["f1"] for v in per.values()])) if per else 0.0


def weighted_f1(gold: Sequence[str], pred: Sequence[str]) -> float:
    """F1 per class weighted by gold support."""
    per = prf(gold, pred, sorted(set(gold)))
    total = sum(v["support"] for v in per.values())
    return float(sum(v["f1"] * v["support"] for v in per.values()) / total) if total else 0.0


def binary_f1(gold: Sequence[bool], pred: Sequence[bool]) -> float:
    """F1 of the positive class."""
    tp = sum(1 for g, p in zip(gold, pred, strict=True) if g and p)
    fp = sum(1 for g, p in zip(gold, pred, strict=True) if p and not g)
    fn = sum(1 for g, p in zip(gold, pred, strict=True) if g and not p)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def confusion(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]
              ) -> list[list[int]]:
    """Rows: gold label; columns: predicted label (both in ``labels`` order)."""
    idx = {c: i for i, c in enumerate(labels)}
    m = [[0] * len(labels) for _ in labels]
    for g, p in zip(gold, pred, strict=True):
        if g in idx and p in idx:
            m[idx[g]][idx[p]] += 1
    return m


def ece(confidence: Sequence[float], correct: Sequence[bool], n_bins: int = 15) -> float:
    """Expected calibration error: support-weighted |accuracy - confidence| over equal-width
    confidence bins (Guo et al. 2017). 0 is perfect; it never exceeds 1."""
    conf = np.clip(np.asarray(confidence, dtype=np.float64), 0.0, 1.0)
    ok = np.asarray(correct, dtype=np.float64)
    if conf.size == 0:
        return 0.0
    bins = np.minimum((conf * n_bins).astype(int), n_bins - 1)
    total = 0.0
    for b in range(n_bins):
        m = bins == b
        if m.any():
            total += m.sum() * abs(ok[m].mean() - conf[m].mean())
    return float(total / conf.size)


def info_type_report(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str],
                     confidence: Sequence[float] | None = None) -> dict[str, Any]:
    """The full report for one set of labelled items."""
    rep: dict[str, Any] = {
        "n": len(gold),
        "macro_f1": round(macro_f1(gold, pred), 4),
        "weighted_f1": round(weighted_f1(gold, pred), 4),
        "accuracy": round(float(np.mean([g == p for g, p in zip(gold, pred, strict=True)]))
                          if gold else 0.0, 4),
        "per_class": {c: {k: round(v, 4) if isinstance(v, float) else v for k, v in d.items()}
                      for c, d in prf(gold, pred, labels).items()},
        "confusion": {"labels": list(labels), "matrix": confusion(gold, pred, labels)},
    }
    if confidence is not None:
        rep["ece"] = round(ece(confidence, [g == p for g, p in zip(gold, pred, strict=True)]), 4)
    return rep


def evaluate(items: Sequence[dict[str, Any]], preds: Sequence[dict[str, Any]],
             labels: Sequence[str]) -> dict[str, Any]:
    """Score predictions (``info_type``, ``scores``, ``relevant``, ``relevance``, ``hazard``)
    against gold items (``info_type``, ``relevant``, ``hazard``, ``lang``), overall and per
    language. Items without a gold field are left out of that field's metrics."""
    out: dict[str, Any] = {"n_items": len(items)}
    it = [(g, p) for g, p in zip(items, preds, strict=True) if g.get("info_type") in labels]
    if it:
        conf = [max(p["scores"].values()) if p.get("scores") else 1.0 for _, p in it]
        out["info_type"] = info_type_report([g["info_type"] for g, _ in it],
                                            [p["info_type"] for _, p in it], labels, conf)
        by_lang: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = defaultdict(list)
        for g, p in it:
            by_lang[str(g.get("lang") or p.get("lang") or "unknown")].append((g, p))
        out["info_type"]["per_language"] = {
            lang: {"n": len(v),
                   "macro_f1": round(macro_f1([g["info_type"] for g, _ in v],
                                              [p["info_type"] for _, p in v]), 4),
                   "weighted_f1": round(weighted_f1([g["info_type"] for g, _ in v],
                                                    [p["info_type"] for _, p in v]), 4)}
            for lang, v in sorted(by_lang.items())}
    rel = [(g, p) for g, p in zip(items, preds, strict=True) if isinstance(g.get("relevant"), bool)]
    if rel:
        gold_r = [g["relevant"] for g, _ in rel]
        pred_r = [bool(p["relevant"]) for _, p in rel]
        rep: dict[str, Any] = {"n": len(rel), "f1": round(binary_f1(gold_r, pred_r), 4),
                               "accuracy": round(float(np.mean(
                                   [a == b for a, b in zip(gold_r, pred_r, strict=True)])), 4)}
        if all("relevance" in p for _, p in rel):
            rep["ece"] = round(ece([p["relevance"] for _, p in rel], gold_r), 4)
        by_lang_r: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
        for (g, p), gr, pr in zip(rel, gold_r, pred_r, strict=True):
            by_lang_r[str(g.get("lang") or p.get("lang") or "unknown")].append((gr, pr))
        rep["per_language"] = {
            k: {"n": len(v), "f1": round(binary_f1([a for a, _ in v], [b for _, b in v]), 4)}
            for k, v in sorted(by_lang_r.items())}
        out["relevance"] = rep
    nd = needs_report(items, preds)
    if nd:
        out["needs"] = nd
    par = parallel_relevance(items, preds)
    if par:
        out["parallel_relevance"] = par
    hz = [(g, p) for g, p in zip(items, preds, strict=True) if g.get("hazard")]
    if hz:
        out["hazard"] = {"n": len(hz), "accuracy": round(float(np.mean(
            [g["hazard"] == p.get("hazard") for g, p in hz])), 4),
            "macro_f1": round(macro_f1([g["hazard"] for g, _ in hz],
                                       [str(p.get("hazard")) for _, p in hz]), 4)}
    return out


def parallel_relevance(items: Sequence[dict[str, Any]], preds: Sequence[dict[str, Any]]
                       ) -> dict[str, Any] | None:
    """Relevance F1 of non-English originals against their English twins (same
    ``parallel_id``): the gap measures how much is lost when a message is not translated."""
    groups: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = defaultdict(list)
    for g, p in zip(items, preds, strict=True):
        if g.get("parallel_id") and isinstance(g.get("relevant"), bool):
            groups[str(g["parallel_id"])].append((g, p))
    en: list[tuple[bool, bool]] = []
    orig: list[tuple[bool, bool]] = []
    for pairs in groups.values():
        e = [x for x in pairs if x[0].get("lang") == "en"]
        o = [x for x in pairs if x[0].get("lang") != "en"]
        if e and o:
            en.extend((g["relevant"], bool(p["relevant"])) for g, p in e)
            orig.extend((g["relevant"], bool(p["relevant"])) for g, p in o)
    if not en:
        return None
    f_en = binary_f1([a for a, _ in en], [b for _, b in en])
    f_or = binary_f1([a for a, _ in orig], [b for _, b in orig])
    return {"n_english": len(en), "n_originals": len(orig), "f1_english": round(f_en, 4),
            "f1_originals": round(f_or, 4), "gap": round(f_en - f_or, 4)}


def gold_needs(item: dict[str, Any]) -> set[str] | None:
    """Gold needs of an item: an explicit ``needs`` list, or Disaster Response categories."""
    if isinstance(item.get("needs"), list):
        return {str(x) for x in item["needs"]}
    if item.get("dataset") == "disaster_response" and "labels_native" in item:
        from ..enrich.classify.data import DR_NEEDS

        return {DR_NEEDS[x] for x in item.get("labels_native") or [] if x in DR_NEEDS}
    return None


def needs_report(items: Sequence[dict[str, Any]], preds: Sequence[dict[str, Any]]
                 ) -> dict[str, Any] | None:
    """Per-need precision/recall/F1 and micro-F1 over items with gold needs."""
    pairs = [(gold_needs(g), set(p.get("needs") or [])) for g, p in zip(items, preds, strict=True)]
    pairs = [(g, p) for g, p in pairs if g is not None]
    if not pairs:
        return None
    names = sorted({n for g, p in pairs for n in g | p})
    per: dict[str, Any] = {}
    tp_all = fp_all = fn_all = 0
    for n in names:
        tp = sum(1 for g, p in pairs if n in g and n in p)
        fp = sum(1 for g, p in pairs if n not in g and n in p)
        fn = sum(1 for g, p in pairs if n in g and n not in p)
        tp_all, fp_all, fn_all = tp_all + tp, fp_all + fp, fn_all + fn
        pr = tp / (tp + fp) if tp + fp else 0.0
        rc = tp / (tp + fn) if tp + fn else 0.0
        per[n] = {"precision": round(pr, 4), "recall": round(rc, 4),
                  "f1": round(2 * pr * rc / (pr + rc), 4) if pr + rc else 0.0,
                  "support": tp + fn}
    micro = 2 * tp_all / (2 * tp_all + fp_all + fn_all) if tp_all else 0.0
    return {"n": len(pairs), "micro_f1": round(micro, 4), "per_need": per}
