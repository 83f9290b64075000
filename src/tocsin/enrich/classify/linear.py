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
import os
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

_products = None
if not os.environ.get("TOCSIN_PURE_PYTHON"):
    try:
        from . import _products  # type: ignore[attr-defined, no-redef]
    except ImportError:  # no compiler at install time: the numpy product does the same
        pass


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

    def __init__(self, heads: list[Head], weights: np.ndarray | None, bias: np.ndarray,
                 dense: np.ndarray | None = None, *,
                 quantised: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        """``weights`` (n_features, n_outputs) float32; or ``None`` with ``quantised``
        ``(q, scale)`` (int8 weights, one float32 scale per column) as a model file stores
        them: then, where the C product is built, only the int8 matrix is kept and products
        read it directly (``_products.c``); the float matrix is made on first use of
        :attr:`weights` (training, or the numpy path)."""
        self.heads = {h.name: h for h in heads}
        self._padded: np.ndarray | None = None
        self._weights: np.ndarray | None = None
        self._q: np.ndarray | None = None
        self._scale: np.ndarray | None = None
        if weights is None:
            if quantised is None:
                raise ValueError("LinearHeads needs weights or quantised=(q, scale)")
            q, scale = quantised
            self._n_out = int(np.shape(q)[1])
            if _products is not None:
                self._q = _aligned_padded(np.asarray(q, dtype=np.int8), width_of=32)
                # one scale per column of the padded matrix (padding columns: 0)
                self._scale = np.zeros(self._q.shape[1], dtype=np.float32)
                self._scale[: self._n_out] = scale
            else:
                self._set_weights(dequantise(q, scale))
        else:
            self._n_out = int(np.shape(weights)[1])
            self._set_weights(weights)
        self.bias = np.asarray(bias, dtype=np.float32)
        self.dense = None if dense is None else np.ascontiguousarray(dense, dtype=np.float32)

    def _set_weights(self, weights: np.ndarray) -> None:
        self._padded = _aligned_padded(np.asarray(weights, dtype=np.float32))
        self._weights = self._padded[:, : self._n_out]

    @property
    def weights(self) -> np.ndarray:
        """(n_features, n_outputs) float32, a view of the padded matrix products use. Made
        from the int8 weights on first use when the heads were loaded quantised; from then
        on the numpy product runs (its sums are the same, bit for bit), so that a change
        written into this array is what scoring sees."""
        if self._weights is None:
            assert self._q is not None and self._scale is not None
            n = self._n_out
            self._set_weights(dequantise(self._q[:, :n], self._scale[:n]))
            self._q = self._scale = None
        assert self._weights is not None
        return self._weights

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
        return int((self._q if self._q is not None else self.weights).shape[0])

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
        if self._q is not None and keep_rows is None:
            out = np.zeros((blocks[0].shape[0], self._n_out), dtype=np.float32)
            _products.add_products(out, self._q, self._scale, self._n_out,
                                   [(b.data, b.indices, b.indptr) for b in blocks])
            return self._finish(out, keep_rows, dense_x)
        k = self.weights.shape[1]
        assert self._padded is not None
        out = np.zeros((blocks[0].shape[0], self._padded.shape[1]), dtype=np.float32)
        n_ng = len(blocks) if ngram_blocks is None else ngram_blocks
        for i, b in enumerate(blocks):
            part = b @ self._padded  # padding columns are zero and are dropped below
            if keep_rows is not None and i < n_ng:
                part[~keep_rows] = 0.0
            out += part
        out = out[:, :k] if out.shape[1] == k else np.ascontiguousarray(out[:, :k])
        return self._finish(out, keep_rows, dense_x)

    def _finish(self, out: np.ndarray, keep_rows: np.ndarray | None,
                dense_x: np.ndarray | None) -> np.ndarray:
        """The dense block's product and the bias, added to the sparse products ``out``."""
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
        if self._q is not None and self._scale is not None:
            n = self._n_out  # (as loaded: unchanged)
            q, scale = self._q[:, :n], self._scale[:n]
        else:
            q, scale = quantise(self.weights)
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
        heads = [Head(str(n), tuple(str(c).split("|")), int(s), str(k))
                 for n, k, s, c in zip(z["names"], z["kinds"], z["starts"], z["classes"],
                                       strict=True)]
        return cls(heads, None, z["bias"], z["dense"] if "dense" in z.files else None,
                   quantised=(z["q"], z["scale"]))


#: Weight matrices with at least this many rows are padded (see ``_aligned_padded``).
PAD_MIN_ROWS = 4096


def quantise(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 weights and one float32 scale per column (how a model file stores them)."""
    absmax = np.abs(weights).max(axis=0)
    scale = np.where(absmax > 0, absmax / 127.0, 1.0).astype(np.float32)
    q = np.clip(np.rint(weights / scale), -127, 127).astype(np.int8)
    return q, scale


def dequantise(q: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """float32 weights from :func:`quantise`'s output (the C product computes each weight
    the same way: the int8 value as a float32 times its column's scale)."""
    return np.asarray(q).astype(np.float32) * np.asarray(scale, dtype=np.float32)[None, :]


def _aligned_padded(w: np.ndarray, width_of: int = 16) -> np.ndarray:
    """``w`` copied into a 64-byte-aligned matrix whose rows are a whole number of cache
    lines or an even share of one (columns padded with zeros to a multiple of ``width_of``
    items: 16 float32 = 64 bytes, 32 int8 = half a line).

    Scoring gathers one weight row per non-zero feature from a matrix far larger than the
    caches; a 26-float row straddles two or three cache lines, a 32-float aligned row
    exactly two. The extra columns are zero and the real ones are computed by the same
    operations in the same order, so results are bit-identical. Small matrices are left as
    they are."""
    if w.ndim != 2 or w.shape[0] < PAD_MIN_ROWS:
        return np.ascontiguousarray(w)
    rows, cols = w.shape
    width = -(-cols // width_of) * width_of
    item = w.dtype.itemsize
    buf = np.empty(rows * width * item + 64, dtype=np.uint8)
    off = (-buf.ctypes.data) % 64
    out = buf[off : off + rows * width * item].view(w.dtype).reshape(rows, width)
    out[:, :cols] = w
    out[:, cols:] = 0
    return out


def softmax(z: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    z = z / max(temperature, 1e-6)
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))
