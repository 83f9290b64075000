"""Hashed features for the fast classifier, computed for a whole batch at once.

Why this shape: the fast path must classify >= 20k reports/s on one core, and per-token
Python work is what makes ordinary vectorisers slow. Here a batch is joined into one string,
folded once (``folding.py``) and turned into a numpy array of code points; then
- character n-grams (language-agnostic: they work for Haitian Creole, Spanish, Arabic ...)
  are rolling hashes over that array;
- word unigrams and bigrams are substring hashes over the same array (prefix sums of a
  polynomial hash), so there is no tokenising loop at all;
- curated multilingual concepts (``lexicon.py``) add one column each after the hash space,
  so that what a concept means, learnt on English, carries over to other languages.
Each block is its own CSR matrix over the same columns with rows already in order; the model
sums their products with the weight matrix, so nothing is ever sorted.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import scipy.sparse as sp

from .folding import SPACE, fold_codepoints, to_str
from .lexicon import Lexicon

SEP = "\x1e"
_SEP_CP = 0x1E
_M64 = np.uint64(0x9E3779B97F4A7C15)  # multiplicative-hash constant (2^64 / golden ratio)
_MUL = 1_000_003
_MUL_INV = pow(_MUL, -1, 1 << 64)
_SALT_BIGRAM = np.uint64(0x5BD1E9955BD1E995)
_SALT_WORD = np.uint64(0x27D4EB2F165667C5)


@dataclass(frozen=True, slots=True)
class FeatureConfig:
    """What the vectoriser does; saved with the model so that a load rebuilds it exactly."""

    bits: int = 19
    char_min: int = 2
    char_max: int = 5
    words: bool = True
    word_bigrams: bool = True
    concept_weight: float = 1.0
    word_weight: float = 2.0

    @property
    def n_hash(self) -> int:
        return 1 << self.bits

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(slots=True)
class Batch:
    """The feature blocks of one batch (each CSR over ``n_features`` columns)."""

    blocks: list[sp.csr_matrix]
    concept_docs: np.ndarray  # doc index of each (deduplicated) concept hit
    concept_ids: np.ndarray  # concept index of each hit
    n_docs: int
    latin: np.ndarray  # share of each doc's letters that are Latin script (0..1)
    word_docs: np.ndarray | None = None  # doc index of each word, in order
    word_hashes: np.ndarray | None = None  # 64-bit hash of each word (static-vector key)

    def matrix(self) -> sp.csr_matrix:
        """One summed matrix (for training; the sum sorts indices, which costs time)."""
        out = self.blocks[0]
        for b in self.blocks[1:]:
            out = out + b
        return out.tocsr()

    def concept_matrix(self, n_concepts: int) -> np.ndarray:
        """Dense 0/1 matrix (docs x concepts) of concept presence."""
        m = np.zeros((self.n_docs, n_concepts), dtype=np.float32)
        m[self.concept_docs, self.concept_ids] = 1.0
        return m


def _mix(h: np.ndarray, bits: int) -> np.ndarray:
    """Column index from a 64-bit hash: multiplicative hashing keeps the top bits."""
    with np.errstate(over="ignore"):
        return ((h * _M64) >> np.uint64(64 - bits)).astype(np.int64)


class Featurizer:
    """Turns lists of texts into feature blocks."""

    def __init__(self, config: FeatureConfig | None = None) -> None:
        self.config = config or FeatureConfig()
        self.lexicon = Lexicon()
        self.n_concepts = self.lexicon.n_concepts
        self.n_features = self.config.n_hash + self.n_concepts

    def _char_blocks(self, cps: np.ndarray, doc_of: np.ndarray, is_sep: np.ndarray
                     ) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per n-gram order, (doc, column) of every n-gram inside one document, in doc order."""
        cfg = self.config
        n = cps.shape[0]
        vals = cps.astype(np.uint64)
        h = np.zeros(n, dtype=np.uint64)
        out: list[tuple[np.ndarray, np.ndarray]] = []
        mul = np.uint64(_MUL)
        with np.errstate(over="ignore"):
            for k in range(1, cfg.char_max + 1):
                m = n - k + 1
                if m <= 0:
                    break
                h = h[:m] * mul + vals[k - 1 : k - 1 + m]
                if k < cfg.char_min:
                    continue
                ok = doc_of[k - 1 : k - 1 + m] == doc_of[:m]
                ok &= ~is_sep[:m]
                idx = np.flatnonzero(ok)
                out.append((doc_of[idx], _mix(h[idx] ^ np.uint64(k * 0x1F3D5B79), cfg.bits)))
        return out

    def _word_blocks(self, cps: np.ndarray, doc_of: np.ndarray
                     ) -> tuple[list[tuple[np.ndarray, np.ndarray]], np.ndarray, np.ndarray]:
        """Word unigrams and bigrams from space-delimited runs (text is padded with spaces);
        also each word's doc and full 64-bit hash (the key of its static vector)."""
        n = cps.shape[0]
        is_space = cps == SPACE
        starts = np.flatnonzero(~is_space[1:] & is_space[:-1]) + 1
        ends = np.flatnonzero(~is_space[:-1] & is_space[1:]) + 1
        if not starts.shape[0]:
            return [], np.zeros(0, np.int64), np.zeros(0, np.uint64)
        with np.errstate(over="ignore"):
            # P[i] = sum_{j<i} c_j * inv^j ; hash(s, e) = (P[e] - P[s]) * mul^s
            inv_pows = np.empty(n, dtype=np.uint64)
            inv_pows[0] = 1
            inv_pows[1:] = np.uint64(_MUL_INV)
            inv_pows = np.cumprod(inv_pows, dtype=np.uint64)
            pows = np.empty(n, dtype=np.uint64)
            pows[0] = 1
            pows[1:] = np.uint64(_MUL)
            pows = np.cumprod(pows, dtype=np.uint64)
            prefix = np.zeros(n + 1, dtype=np.uint64)
            np.cumsum(cps.astype(np.uint64) * inv_pows, out=prefix[1:], dtype=np.uint64)
            wh = (prefix[ends] - prefix[starts]) * pows[starts]
            wh ^= (ends - starts).astype(np.uint64) * _SALT_WORD
        is_sep_word = (cps[starts] == _SEP_CP) & (ends - starts == 1)
        keep = ~is_sep_word
        wdoc = doc_of[starts]
        bits = self.config.bits
        kdoc, kh = wdoc[keep], wh[keep]
        out = [(kdoc, _mix(kh, bits))]
        if self.config.word_bigrams and wh.shape[0] > 1:
            ok = keep[:-1] & keep[1:]
            with np.errstate(over="ignore"):
                bh = wh[:-1][ok] * _SALT_BIGRAM + (wh[1:][ok] ^ (wh[1:][ok] >> np.uint64(29)))
            out.append((wdoc[:-1][ok], _mix(bh, bits)))
        return out, kdoc, kh

    def transform(self, texts: list[str]) -> Batch:
        """Feature blocks for ``texts`` (any languages, any lengths)."""
        n_docs = len(texts)
        joined = f" {SEP} ".join(texts)
        if joined.count(SEP) != max(n_docs - 1, 0):  # a text contained the separator
            joined = f" {SEP} ".join(t.replace(SEP, " ") for t in texts)
        cps = fold_codepoints(" " + joined + " ")
        if cps.shape[0] == 0 or cps[0] != SPACE:
            cps = np.concatenate([np.array([SPACE], np.uint32), cps])
        if cps[-1] != SPACE:
            cps = np.concatenate([cps, np.array([SPACE], np.uint32)])
        is_sep = cps == _SEP_CP
        doc_of = np.cumsum(is_sep)  # a separator counts for the next doc; it is masked out
        parts = self._char_blocks(cps, doc_of, is_sep)
        n_char = len(parts)
        word_docs, word_hashes = None, None
        if self.config.words:
            wparts, word_docs, word_hashes = self._word_blocks(cps, doc_of)
            parts += wparts
        # row-normalise the n-gram part: 1/sqrt(count) per entry approximates an L2 norm
        counts = np.zeros(n_docs, dtype=np.int64)
        for d, _ in parts:
            counts += np.bincount(d, minlength=n_docs)[:n_docs]
        inv = (1.0 / np.sqrt(np.maximum(counts, 1))).astype(np.float32)
        shape = (n_docs, self.n_features)
        ww = np.float32(self.config.word_weight)
        blocks = [_csr_in_row_order(d, c, inv[d] * (ww if i >= n_char else 1), shape)
                  for i, (d, c) in enumerate(parts)]
        # concepts
        doc_starts = np.concatenate([[0], np.flatnonzero(is_sep) + 1]).astype(np.int64)
        kd, kc = self.lexicon.batch(to_str(cps), doc_starts)
        vals = np.full(kd.shape[0], self.config.concept_weight, dtype=np.float32)
        blocks.append(_csr_in_row_order(kd, kc + self.config.n_hash, vals, shape))
        # script: share of Latin letters, a cheap stand-in for "a language we trained on"
        letter = (cps != SPACE) & ~is_sep & (cps != 0x30)
        n_letters = np.bincount(doc_of[letter], minlength=n_docs)[:n_docs]
        n_latin = np.bincount(doc_of[letter & (cps < 0x250)], minlength=n_docs)[:n_docs]
        latin = np.where(n_letters > 0, n_latin / np.maximum(n_letters, 1), 1.0)
        return Batch(blocks, kd, kc, n_docs, latin, word_docs, word_hashes)

    def word_keys(self, words: list[str]) -> np.ndarray:
        """The 64-bit hash :meth:`transform` gives each of ``words`` (folded, one word each);
        these key the static word vectors (``static.py``)."""
        b = self.transform(words)
        if b.word_docs is None or b.word_hashes is None:
            raise ValueError("word features are switched off in this configuration")
        if not np.array_equal(b.word_docs, np.arange(len(words))):
            raise ValueError("each item must fold to exactly one word")
        return b.word_hashes


def _csr_in_row_order(rows: np.ndarray, cols: np.ndarray, vals: np.ndarray,
                      shape: tuple[int, int]) -> sp.csr_matrix:
    """CSR straight from entries already in row order (no COO conversion, no sort)."""
    indptr = np.zeros(shape[0] + 1, dtype=np.int64)
    if rows.shape[0]:
        np.cumsum(np.bincount(rows, minlength=shape[0])[: shape[0]], out=indptr[1:])
    return sp.csr_matrix((vals, cols, indptr), shape=shape, dtype=np.float32)
