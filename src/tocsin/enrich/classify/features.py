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

import sys
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


def _mix_to(h: np.ndarray, salt: int, bits: int, dtype: type) -> np.ndarray:
    """``_mix(h ^ salt, bits)`` as a ``dtype`` array (int32 or int64), with one temporary.

    The column fits in ``bits`` < 32 bits, so for int32 the low half of each 64-bit word is
    read through a strided view instead of converting (the caller compresses it anyway)."""
    with np.errstate(over="ignore"):
        t = np.bitwise_xor(h, np.uint64(salt)) if salt else h.copy()
        np.multiply(t, _M64, out=t)
        np.right_shift(t, np.uint64(64 - bits), out=t)
    if dtype == np.int64:
        return t.view(np.int64)
    return t.view(np.int32)[_LOW::2]


#: Index of the low 32-bit half of a 64-bit word in memory.
_LOW = 0 if sys.byteorder == "little" else 1


#: Powers of the word-hash multiplier are cached up to this many positions (fixed memory).
_POW_CACHE = 1 << 20


def _powers(n: int, base: int) -> np.ndarray:
    """``base ** i mod 2**64`` for ``i < n`` (uint64)."""
    out = np.empty(n, dtype=np.uint64)
    if n:
        out[0] = 1
        out[1:] = np.uint64(base)
        with np.errstate(over="ignore"):
            np.cumprod(out, dtype=np.uint64, out=out)
    return out


class Featurizer:
    """Turns lists of texts into feature blocks."""

    def __init__(self, config: FeatureConfig | None = None) -> None:
        self.config = config or FeatureConfig()
        self.lexicon = Lexicon()
        self.n_concepts = self.lexicon.n_concepts
        self.n_features = self.config.n_hash + self.n_concepts
        # column indices fit int32 (what scipy would convert them to anyway) unless huge
        self._idx = np.int32 if self.n_features < 2**31 else np.int64
        self._pows = np.zeros(0, np.uint64)
        self._inv_pows = np.zeros(0, np.uint64)

    def _pow_tables(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Powers of the word-hash multiplier and of its inverse, ``n`` of each."""
        if n > self._pows.shape[0]:
            if n > _POW_CACHE:
                return _powers(n, _MUL), _powers(n, _MUL_INV)
            size = max(n, min(_POW_CACHE, 1 << 16))
            self._pows, self._inv_pows = _powers(size, _MUL), _powers(size, _MUL_INV)
        return self._pows[:n], self._inv_pows[:n]

    def _char_blocks(self, vals: np.ndarray, sep: np.ndarray, lens: np.ndarray
                     ) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per n-gram order, (n-grams per doc, column of every n-gram inside one document,
        in doc order). ``sep``: positions of the separators; ``lens``: each document's length
        without them. Rolling hashes are updated in place; an n-gram is kept unless it starts
        on a separator or crosses one, i.e. unless it starts in the ``k`` positions ending
        at a separator, so no per-position document index is needed."""
        cfg = self.config
        n = vals.shape[0]
        out: list[tuple[np.ndarray, np.ndarray]] = []
        h = vals.copy()
        mul = np.uint64(_MUL)
        with np.errstate(over="ignore"):
            for k in range(1, cfg.char_max + 1):
                m = n - k + 1
                if m <= 0:
                    break
                hk = h[:m]
                if k > 1:
                    np.multiply(hk, mul, out=hk)
                    np.add(hk, vals[k - 1 : k - 1 + m], out=hk)
                if k < cfg.char_min:
                    continue
                cols = _mix_to(hk, k * 0x1F3D5B79, cfg.bits, self._idx)
                if sep.shape[0]:
                    bad = (sep[:, None] - np.arange(k)).ravel()
                    ok = np.ones(m, dtype=bool)
                    ok[bad[(bad >= 0) & (bad < m)]] = False
                    cols = cols[ok]
                else:  # one document, or none (then nothing is kept)
                    cols = cols.copy() if lens.shape[0] else cols[:0].copy()
                out.append((np.maximum(lens - (k - 1), 0), cols))
        return out

    def _word_blocks(self, cps: np.ndarray, vals: np.ndarray, n_docs: int
                     ) -> tuple[list[tuple[np.ndarray, np.ndarray]], np.ndarray, np.ndarray]:
        """Word unigrams and bigrams from space-delimited runs (text is padded with spaces),
        as (words per doc, columns); also each word's doc and full 64-bit hash (the key of
        its static vector)."""
        n = cps.shape[0]
        is_space = cps == SPACE
        edge = is_space[1:] != is_space[:-1]
        bounds = np.flatnonzero(edge) + 1  # alternating word starts and ends
        if not bounds.shape[0]:
            return [], np.zeros(0, np.int64), np.zeros(0, np.uint64)
        starts, ends = bounds[0::2], bounds[1::2]
        pows, inv_pows = self._pow_tables(n)
        with np.errstate(over="ignore"):
            # P[i] = sum_{j<i} c_j * inv^j ; hash(s, e) = (P[e] - P[s]) * mul^s
            prefix = np.zeros(n + 1, dtype=np.uint64)
            np.multiply(vals, inv_pows, out=prefix[1:])
            np.cumsum(prefix[1:], out=prefix[1:], dtype=np.uint64)
            wh = (prefix[ends] - prefix[starts]) * pows[starts]
            wh ^= (ends - starts).astype(np.uint64) * _SALT_WORD
        is_sep_word = (cps[starts] == _SEP_CP) & (ends - starts == 1)
        sep_words = np.flatnonzero(is_sep_word)
        keep = ~is_sep_word
        # words per doc: the separators split the word sequence into the documents
        wcount = np.diff(np.concatenate([[-1], sep_words, [wh.shape[0]]])) - 1
        wcount = wcount[:n_docs] if n_docs else wcount[:0]
        kdoc = np.repeat(np.arange(wcount.shape[0], dtype=np.int64), wcount)
        kh = wh[keep] if sep_words.shape[0] else wh
        bits = self.config.bits
        out = [(wcount, np.ascontiguousarray(_mix_to(kh, 0, bits, self._idx)))]
        if self.config.word_bigrams and wh.shape[0] > 1:
            ok = keep[:-1] & keep[1:]
            with np.errstate(over="ignore"):
                nxt = wh[1:][ok]
                bh = wh[:-1][ok] * _SALT_BIGRAM + (nxt ^ (nxt >> np.uint64(29)))
            out.append((np.maximum(wcount - 1, 0),
                        np.ascontiguousarray(_mix_to(bh, 0, bits, self._idx))))
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
        n = cps.shape[0]
        is_sep = cps == _SEP_CP
        sep = np.flatnonzero(is_sep)
        # document d spans [bounds[d], bounds[d + 1]) (its separator first, except doc 0)
        bounds = np.concatenate([[0], sep, [n]]) if n_docs else np.zeros(1, np.int64)
        lens = np.diff(bounds) - (np.arange(n_docs) > 0)
        vals = cps.astype(np.uint64)
        parts = self._char_blocks(vals, sep, lens)
        n_char = len(parts)
        word_docs, word_hashes = None, None
        if self.config.words:
            wparts, word_docs, word_hashes = self._word_blocks(cps, vals, n_docs)
            parts += wparts
        # row-normalise the n-gram part: 1/sqrt(count) per entry approximates an L2 norm
        counts = np.zeros(n_docs, dtype=np.int64)
        for c, _ in parts:
            counts += c
        inv = (1.0 / np.sqrt(np.maximum(counts, 1))).astype(np.float32)
        inv_w = inv * np.float32(self.config.word_weight)
        shape = (n_docs, self.n_features)
        blocks = [_csr_from_counts(c, cols, inv_w if i >= n_char else inv, shape)
                  for i, (c, cols) in enumerate(parts)]
        # concepts
        doc_starts = np.concatenate([[0], sep + 1]).astype(np.int64)
        kd, kc = self.lexicon.batch(to_str(cps), doc_starts)
        vals_c = np.full(kd.shape[0], self.config.concept_weight, dtype=np.float32)
        blocks.append(_csr_in_row_order(kd, (kc + self.config.n_hash).astype(self._idx),
                                        vals_c, shape))
        # script: share of Latin letters, a cheap stand-in for "a language we trained on"
        letter = (cps != SPACE) & ~is_sep & (cps != 0x30)
        latin_letter = letter & (cps < 0x250)
        if n_docs:  # every document's span is non-empty (a space or its separator)
            n_letters = np.add.reduceat(letter.view(np.int8), bounds[:-1], dtype=np.int64)
            n_latin = np.add.reduceat(latin_letter.view(np.int8), bounds[:-1], dtype=np.int64)
        else:
            n_letters = n_latin = np.zeros(0, np.int64)
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


def _csr_from_counts(counts: np.ndarray, cols: np.ndarray, row_vals: np.ndarray,
                     shape: tuple[int, int]) -> sp.csr_matrix:
    """CSR whose row ``i`` holds the next ``counts[i]`` of ``cols``, each valued
    ``row_vals[i]`` (entries already in row order: no COO conversion, no sort)."""
    indptr = np.zeros(shape[0] + 1, dtype=cols.dtype)
    np.cumsum(counts, out=indptr[1:])
    return sp.csr_matrix((np.repeat(row_vals, counts), cols, indptr), shape=shape,
                         dtype=np.float32)


def _csr_in_row_order(rows: np.ndarray, cols: np.ndarray, vals: np.ndarray,
                      shape: tuple[int, int]) -> sp.csr_matrix:
    """CSR straight from entries already in row order (no COO conversion, no sort)."""
    indptr = np.zeros(shape[0] + 1, dtype=np.int64)
    if rows.shape[0]:
        np.cumsum(np.bincount(rows, minlength=shape[0])[: shape[0]], out=indptr[1:])
    return sp.csr_matrix((vals, cols, indptr), shape=shape, dtype=np.float32)
