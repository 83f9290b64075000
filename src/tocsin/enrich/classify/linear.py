"""Linear heads over hashed features (+ a small dense block): storage, int8 quantisation and
fast scoring.

All heads (information type, relevance, hazard, needs) share one feature space, so their
weights are stacked into one matrix and a batch is scored with one sparse x dense product
per feature block. Weights are stored as int8 with one scale per column: that keeps the
shipped model under the 25 MB budget at 2^18 hash buckets while costing < 0.1 % in F1
(measured when the shipped model was built; see MODEL_CARD.md).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp


@dataclass(slots=True)
class Head:
    """A named group of columns in the stacked weight matrix."""

    name: str
    classes: tuple[str, ...]
    start: int
    kind: str  # "softmax" (one label) or "sigmoid" (independent labels)

    @property
    def stop(self) -> int:
        return self.start + len(self.classes)


class LinearHeads:
    """Stacked linear heads: ``logits = X @ W + D @ W_dense + b``.

    ``D`` is an optional dense block (the pooled static word vectors, ``static.py``) with its
    own small float32 weight matrix ``dense``; heads that do not use it have zero columns.
    """

    def __init__(self, heads: list[Head], weights: np.ndarray, bias: np.ndarray,
                 dense: np.ndarray | None = None) -> None:
        self.heads = {h.name: h for h in heads}
        self._padded = _aligned_padded(np.asarray(weights, dtype=np.float32))
        #: (n_features, n_outputs); a view of the padded matrix that products use
        self.weights = self._padded[:, : np.shape(weights)[1]]
        self.bias = np.asarray(bias, dtype=np.float32)
        self.dense = None if dense is None else np.ascontiguousarray(dense, dtype=np.float32)

    @classmethod
    def stack(cls, parts: list[tuple[Head, np.ndarray, np.ndarray]],
              dense: dict[str, np.ndarray] | None = None) -> LinearHeads:
        """Build from per-head ``(head, W[n_features, n_classes], b[n_classes])``;
        ``dense`` maps a head name to its dense-block weights ``[n_dense, n_classes]``."""
        heads, ws, bs, start = [], [], [], 0
        for head, w, b in parts:
            heads.append(Head(head.name, head.classes, start, head.kind))
            start += len(head.classes)
            ws.append(w)
            bs.append(b)
        dw = None
        if dense:
            n_dense = next(iter(dense.values())).shape[0]
            dw = np.zeros((n_dense, start), dtype=np.float32)
            for h in heads:
                if h.name in dense:
                    dw[:, h.start:h.stop] = dense[h.name]
        return cls(heads, np.hstack(ws), np.concatenate(bs), dw)

    @property
    def n_dense(self) -> int:
        return 0 if self.dense is None else int(self.dense.shape[0])

    @property
    def n_features(self) -> int:
        return int(self.weights.shape[0])

    def logits(self, blocks: list[sp.csr_matrix], keep_rows: np.ndarray | None = None,
               ngram_blocks: int | None = None, dense_x: np.ndarray | None = None
               ) -> np.ndarray:
        """Sum of block products plus bias.

        ``keep_rows`` (bool per row) zeroes the first ``ngram_blocks`` blocks' contribution
        for rows where it is False: texts in a language the n-grams were never trained on get
        only the language-independent concept features (hashed n-grams of an unseen script
        land on buckets whose weights mean something else, i.e. noise). ``dense_x`` is the
        dense block (required when the heads have dense weights).
        """
        k = self.weights.shape[1]
        out = np.zeros((blocks[0].shape[0], self._padded.shape[1]), dtype=np.float32)
        n_ng = len(blocks) if ngram_blocks is None else ngram_blocks
        for i, b in enumerate(blocks):
            part = b @ self._padded  # padding columns are zero and are dropped below
            if keep_rows is not None and i < n_ng:
                part[~keep_rows] = 0.0
            out += part
        out = out[:, :k] if out.shape[1] == k else np.ascontiguousarray(out[:, :k])
        if self.dense is not None:
            if dense_x is None:
                raise ValueError("these heads need the dense (static vector) features")
            d = dense_x @ self.dense
            if keep_rows is not None:
                d[~keep_rows] = 0.0
            out += d
        out += self.bias
        return out

    # -- persistence ------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        """int8 weights with a per-column scale; float32 bias; head table."""
        absmax = np.abs(self.weights).max(axis=0)
        scale = np.where(absmax > 0, absmax / 127.0, 1.0).astype(np.float32)
        q = np.clip(np.rint(self.weights / scale), -127, 127).astype(np.int8)
        names = np.array([h.name for h in self.heads.values()])
        kinds = np.array([h.kind for h in self.heads.values()])
        starts = np.array([h.start for h in self.heads.values()], dtype=np.int64)
        classes = np.array(["|".join(h.classes) for h in self.heads.values()])
        extra = {} if self.dense is None else {"dense": self.dense}
        buf = io.BytesIO()
        np.savez_compressed(buf, q=q, scale=scale, bias=self.bias, names=names, kinds=kinds,
                            starts=starts, classes=classes, **extra)
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> LinearHeads:
        z = np.load(io.BytesIO(data), allow_pickle=False)
        weights = z["q"].astype(np.float32) * z["scale"][None, :]
        heads = [Head(str(n), tuple(str(c).split("|")), int(s), str(k))
                 for n, k, s, c in zip(z["names"], z["kinds"], z["starts"], z["classes"],
                                       strict=True)]
        return cls(heads, weights, z["bias"], z["dense"] if "dense" in z.files else None)


#: Weight matrices with at least this many rows are padded (see ``_aligned_padded``).
PAD_MIN_ROWS = 4096


def _aligned_padded(w: np.ndarray) -> np.ndarray:
    """``w`` copied into a 64-byte-aligned matrix whose rows are a whole number of cache
    lines (columns padded with zeros to a multiple of 16 floats).

    Scoring gathers one weight row per non-zero feature from a matrix far larger than the
    caches; a 26-float row straddles two or three cache lines, a 32-float aligned row
    exactly two. The extra columns are zero and the real ones are computed by the same
    operations in the same order, so results are bit-identical. Small matrices are left as
    they are."""
    w = np.asarray(w, dtype=np.float32)
    if w.ndim != 2 or w.shape[0] < PAD_MIN_ROWS:
        return np.ascontiguousarray(w)
    rows, cols = w.shape
    width = -(-cols // 16) * 16
    buf = np.empty(rows * width * 4 + 64, dtype=np.uint8)
    off = (-buf.ctypes.data) % 64
    out = buf[off : off + rows * width * 4].view(np.float32).reshape(rows, width)
    out[:, :cols] = w
    out[:, cols:] = 0.0
    return out


def softmax(z: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    z = z / max(temperature, 1e-6)
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))
