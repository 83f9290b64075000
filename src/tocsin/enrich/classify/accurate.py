"""Accurate mode: linear heads on the multilingual e5 encoder, used where the fast path is weak.

The encoder transfers across languages zero-shot (a head trained on English embeddings works
on Arabic or Ukrainian embeddings) but runs at ~20-40 texts/s per core, so it is applied only
to texts the fast path is unsure about (top information-type probability below
``unsure_below``, or relevance between ``rel_band``) and to texts in languages whose n-grams
were never trained. Its log-probabilities are blended with the fast ones using weights
tuned on dev (``w_trained`` for trained languages, ``w_untrained`` for the others).
"""

from __future__ import annotations

import collections
import copy
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import xxhash
from sklearn.linear_model import LogisticRegression

from ...model import INFO_TYPES
from .calibration import fit_platt, fit_temperature
from .linear import sigmoid, softmax


@dataclass(slots=True)
class AccurateHeads:
    """Encoder heads and blend parameters (stored in ``accurate.npz``)."""

    w_info: np.ndarray  # (384, 10)
    b_info: np.ndarray  # (10,)
    w_rel: np.ndarray  # (384,)
    b_rel: float
    info_temperature: float
    rel_platt: tuple[float, float]
    unsure_below: float = 0.6
    rel_band: tuple[float, float] = (0.2, 0.8)
    w_trained: float = 0.5
    w_untrained: float = 0.15
    rel_blend: float = 0.5
    cache_dir: str | None = None
    _encoder: Any = None

    # -- persistence ----------------------------------------------------------------------
    def save(self, path: str | Path) -> None:
        buf = io.BytesIO()
        np.savez_compressed(
            buf, w_info=self.w_info.astype(np.float32), b_info=self.b_info.astype(np.float32),
            w_rel=self.w_rel.astype(np.float32), b_rel=np.float32(self.b_rel),
            params=np.array([self.info_temperature, *self.rel_platt, self.unsure_below,
                             *self.rel_band, self.w_trained, self.w_untrained, self.rel_blend]))
        Path(path).write_bytes(buf.getvalue())

    @classmethod
    def load(cls, path: str | Path) -> AccurateHeads:
        p = Path(path)
        if not p.exists():
            raise FileNotFoundError(f"{p}: this model folder has no accurate-mode heads; "
                                    "train them with `tocsin train ... --accurate`")
        z = np.load(p, allow_pickle=False)
        t, a, b, unsure, lo, hi, wt, wu, wr = (float(x) for x in z["params"])
        return cls(z["w_info"], z["b_info"], z["w_rel"], float(z["b_rel"]), t, (a, b),
                   unsure, (lo, hi), wt, wu, wr)

    # -- inference ------------------------------------------------------------------------
    def encoder(self) -> Any:
        if self._encoder is None:
            from .encoder import shared_encoder

            self._encoder = shared_encoder(self.cache_dir)
        return self._encoder

    def encoder_scores(self, emb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Calibrated info-type probabilities and relevance probabilities from embeddings."""
        info = softmax(emb @ self.w_info + self.b_info, self.info_temperature)
        a, b = self.rel_platt
        rel = sigmoid(a * (emb @ self.w_rel + self.b_rel) + b)
        return info, rel

    def route(self, s: Any) -> np.ndarray:
        """Rows that go to the encoder: untrained languages always; unsure information types
        and borderline relevance only where blending them was worth it on dev. Texts in a
        trained non-English language (Haitian Creole, French, Spanish) keep their fast
        relevance: their n-grams saw in-language labels, the encoder is weak on Creole."""
        lo, hi = self.rel_band
        rows = ~s.trained_lang
        if self.w_trained < 1.0:
            rows = rows | (s.info.max(axis=1) < self.unsure_below)
        if self.rel_blend < 1.0:
            rows = rows | ((s.relevance > lo) & (s.relevance < hi) & ~s.native)
        return rows

    def blend(self, s: Any, rows: np.ndarray, emb: np.ndarray) -> Any:
        """Blend encoder scores into ``s`` (a classifier.Scored) for ``rows``; in place."""
        if not rows.shape[0]:
            return s
        info_e, rel_e = self.encoder_scores(emb)
        w = np.where(s.trained_lang[rows], self.w_trained, self.w_untrained)[:, None]
        logp = (w * np.log(np.clip(s.info[rows], 1e-9, 1))
                + (1 - w) * np.log(np.clip(info_e, 1e-9, 1)))
        s.info[rows] = softmax(logp)
        wr = np.where(s.trained_lang[rows], np.where(s.native[rows], 1.0, self.rel_blend),
                      self.w_untrained)
        lf = _logit(s.relevance[rows])
        le = _logit(rel_e)
        s.relevance[rows] = sigmoid(wr * lf + (1 - wr) * le)
        return s

    def refine(self, texts: list[str], s: Any) -> Any:
        rows = np.flatnonzero(self.route(s))
        if rows.shape[0]:
            emb = self.encoder().encode([texts[i] for i in rows])
            self.blend(s, rows, emb)
        return s


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


# -- training ---------------------------------------------------------------------------
def _h(r: dict[str, Any]) -> int:
    return xxhash.xxh64_intdigest(str(r["id"]).encode("utf-8"))


def sample(rows: list[dict[str, Any]], n: int, cap_key: str | None = None,
           cap: int = 0) -> list[dict[str, Any]]:
    """Deterministic sample: items in id-hash order, at most ``cap`` per ``cap_key`` value."""
    out: list[dict[str, Any]] = []
    seen: collections.Counter[Any] = collections.Counter()
    for r in sorted(rows, key=_h):
        if cap_key:
            k = r.get(cap_key)
            if seen[k] >= cap:
                continue
            seen[k] += 1
        out.append(r)
        if len(out) >= n:
            break
    return out


def training_sample(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The items whose embeddings train and tune the encoder heads (a few thousand: the
    encoder is slow, and a linear head on 384 dims saturates early)."""
    by = collections.defaultdict(list)
    for r in rows:
        by[(r.get("dataset"), r["split"])].append(r)
    out = sample(by[("humaid", "train")], 10**9, "info_type", 450)
    out += sample(by[("humaid", "dev")], 1500)
    out += sample(by[("kaggle_disaster", "train")] + by[("kaggle_disaster", "dev")], 2000)
    out += sample(by[("disaster_response", "train")], 1500)
    out += [r for r in rows if r.get("dataset") == "crisisnlp2016" and r.get("lang") == "es"
            and r["split"] != "test"]
    return out


def train_accurate(rows: list[dict[str, Any]], fast: Any, cache_dir: str | None,
                   log: Callable[[str], None] = print) -> AccurateHeads:
    """Fit encoder heads on a deterministic sample and tune the blend on its dev part."""
    from .encoder import Encoder

    items = training_sample(rows)
    log(f"accurate: embedding {len(items)} items (cached ones are reused)")
    enc = Encoder(cache_dir)
    emb = enc.encode([str(r["text"]) for r in items])
    enc.save()
    split = np.array([r["split"] for r in items])
    info_y = np.array([INFO_TYPES.index(r["info_type"]) if r.get("info_type") in INFO_TYPES
                       else -1 for r in items])
    rel_y = np.array([(r["relevant"] if isinstance(r.get("relevant"), bool) else
                       (r["info_type"] != "not_relevant") if r.get("info_type") in INFO_TYPES
                       else None) for r in items], dtype=object)
    tr_i = (split == "train") & (info_y >= 0)
    lr = LogisticRegression(C=10.0, max_iter=2000)
    lr.fit(emb[tr_i], info_y[tr_i])
    w_info = np.zeros((emb.shape[1], len(INFO_TYPES)), np.float32)
    b_info = np.full(len(INFO_TYPES), -10.0, np.float32)
    for j, c in enumerate(lr.classes_):
        w_info[:, c] = lr.coef_[j]
        b_info[c] = lr.intercept_[j]
    tr_r = (split == "train") & np.array([v is not None for v in rel_y])
    from .training import relevance_weight

    wr = np.array([relevance_weight(r) for r in items])
    lr2 = LogisticRegression(C=3.0, max_iter=3000)
    lr2.fit(emb[tr_r], rel_y[tr_r].astype(int), sample_weight=wr[tr_r])
    w_rel, b_rel = lr2.coef_[0].astype(np.float32), float(lr2.intercept_[0])
    dev_i = (split == "dev") & (info_y >= 0)
    t = fit_temperature(emb[dev_i] @ w_info + b_info, info_y[dev_i])
    dev_r = (split == "dev") & np.array([isinstance(r.get("relevant"), bool) for r in items])
    platt = fit_platt(emb[dev_r] @ w_rel + b_rel, rel_y[dev_r].astype(int))
    heads = AccurateHeads(w_info, b_info, w_rel, b_rel, t, platt)
    _tune_blend(heads, fast, items, emb, info_y, rel_y, split, log)
    return heads


def _tune_blend(heads: AccurateHeads, fast: Any, items: list[dict[str, Any]], emb: np.ndarray,
                info_y: np.ndarray, rel_y: np.ndarray, split: np.ndarray,
                log: Callable[[str], None]) -> None:
    """Grid-search the blend on dev, separately for information type (macro + weighted F1)
    and relevance (F1); weight 1.0 means "keep the fast score" and is always a candidate, so
    the blend cannot be worse than the fast path on dev."""
    from ...eval.classify import binary_f1, macro_f1, weighted_f1

    dev = np.flatnonzero(split == "dev")
    texts = [str(items[i]["text"]) for i in dev]
    langs = [items[i].get("lang") for i in dev]
    it = info_y[dev] >= 0
    rr = np.array([isinstance(items[i].get("relevant"), bool) for i in dev])
    gold_i = [str(x) for x in info_y[dev][it]]
    gold_r = list(rel_y[dev][rr].astype(bool))
    base = fast.score(texts, langs)

    def run(w: float, unsure: float, w_rel: float) -> tuple[float, float]:
        heads.w_trained, heads.unsure_below, heads.rel_blend = w, unsure, w_rel
        s = copy.deepcopy(base)
        rows = np.flatnonzero(heads.route(s))
        heads.blend(s, rows, emb[dev][rows])
        pi = [str(x) for x in s.info.argmax(1)[it]]
        return (macro_f1(gold_i, pi) + weighted_f1(gold_i, pi),
                binary_f1(gold_r, list(s.relevance[rr] >= fast.rel_threshold)))

    best_i = max(((run(w, u, 1.0)[0], w, u) for w in (0.4, 0.5, 0.6, 0.7, 0.8, 1.0)
                  for u in (0.5, 0.6, 0.7, 0.8, 1.01)), key=lambda x: x[0])
    best_r = max(((run(best_i[1], best_i[2], wr)[1], wr) for wr in (0.3, 0.4, 0.5, 0.6, 0.7,
                                                                     0.8, 1.0)),
                 key=lambda x: x[0])
    heads.w_trained, heads.unsure_below, heads.rel_blend = best_i[1], best_i[2], best_r[1]
    log(f"accurate: info blend weight {best_i[1]} when top prob < {best_i[2]} "
        f"(dev macro+weighted F1 {best_i[0]:.4f}); relevance blend weight {best_r[1]} "
        f"(dev F1 {best_r[0]:.4f})")
