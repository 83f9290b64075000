"""Hashed features for the fast classifier, computed for a whole batch at once.

Why this shape: the fast path must classify >= 20k reports/s on one core. Per-token Python
work is the bottleneck of ordinary vectorisers, so here
- character n-grams (language-agnostic: they work for Haitian Creole, Spanish, Arabic ...)
  are hashed with numpy over the code points of the *joined* batch, no Python loop;
- word unigrams and bigrams use one regex pass over the joined batch and a dict cache of
  word hashes; bigrams are combined in numpy;
- curated multilingual concepts (``lexicon.py``) add one column each, placed after the hash
  space, so that what a concept means, learnt on English, carries over to other languages.
Each block comes back as its own CSR matrix over the same column space; the model sums their
products with the weight matrix, which avoids sorting millions of (row, column) pairs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import regex
import scipy.sparse as sp
import xxhash

from ..text import MENTION_RE, URL_RE
from .lexicon import Lexicon, fold

SEP = "\x1e"
_JOIN = "\n" + SEP + "\n"  # newlines stop URL_RE at the separator
#: A word token, or the document separator (so one findall yields the boundaries too).
_TOKEN_RE = regex.compile(r"[\p{L}\p{N}][\p{L}\p{M}\p{N}]*(?:['\-][\p{L}\p{M}\p{N}]+)*|\x1e")
_RT_RE = regex.compile(r"\b(?:RT|MT)\b:?")
_WS_RE = regex.compile(r"\s+")
_HASHTAG_RE = regex.compile(r"#(?=\w)")
_NUM_RE = regex.compile(r"\d")
_M64 = np.uint64(0x9E3779B97F4A7C15)
_MUL = np.uint64(1_000_003)
_SALT_BIGRAM = np.uint64(0x5BD1E9955BD1E995)


@dataclass(frozen=True, slots=True)
class FeatureConfig:
    """What the hashing vectoriser does; saved with the model so a load rebuilds it exactly."""

    bits: int = 18
    char_min: int = 2
    char_max: int = 5
    word_bigrams: bool = True
    concept_weight: float = 1.0

    @property
    def n_hash(self) -> int:
        return 1 << self.bits


@dataclass(slots=True)
class Batch:
    """The feature blocks of one batch (each CSR over ``n_features`` columns)."""

    blocks: list[sp.csr_matrix]
    concept_docs: np.ndarray  # doc index of each concept hit
    concept_ids: np.ndarray  # concept index of each hit

    def matrix(self) -> sp.csr_matrix:
        """One summed matrix (training only: the sum sorts indices, which costs time)."""
        out = self.blocks[0]
        for b in self.blocks[1:]:
            out = out + b
        return out.tocsr()


def clean(texts: list[str]) -> str:
    """Join a batch, drop URLs/mentions/RT markers, casefold and fold accents: one C pass each."""
    joined = _JOIN.join(t.replace(SEP, " ") for t in texts)
    joined = URL_RE.sub(" ", joined)
    joined = MENTION_RE.sub(" ", joined)
    joined = _RT_RE.sub(" ", joined)
    joined = _WS_RE.sub(" ", joined)
    joined = _HASHTAG_RE.sub("", joined)
    joined = _NUM_RE.sub("0", joined)
    return fold(joined)


class Featurizer:
    """Turns lists of texts into feature blocks; holds the lexicon and a word-hash cache."""

    def __init__(self, config: FeatureConfig | None = None) -> None:
        self.config = config or FeatureConfig()
        self.lexicon = Lexicon()
        self.n_concepts = self.lexicon.n_concepts
        self.n_features = self.config.n_hash + self.n_concepts
        self._word_cache: dict[str, int] = {SEP: 0}

    # -- blocks -------------------------------------------------------------------------
    def _char_blocks(self, cps: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per n-gram order: doc index and column of every n-gram inside one document.

        Each order's entries come out in document order, so each becomes a CSR block
        without any sorting.
        """
        cfg = self.config
        n = cps.shape[0]
        is_sep = cps == ord(SEP)
        doc_of = np.cumsum(is_sep)  # a separator counts for the next doc; it is masked out
        vals = cps.astype(np.uint64)
        h = np.zeros(n, dtype=np.uint64)
        out: list[tuple[np.ndarray, np.ndarray]] = []
        shift = np.uint64(64 - cfg.bits)
        with np.errstate(over="ignore"):
            for k in range(1, cfg.char_max + 1):
                m = n - k + 1
                if m <= 0:
                    break
                h = h[:m] * _MUL + vals[k - 1 : k - 1 + m]
                if k < cfg.char_min:
                    continue
                ok = doc_of[k - 1 : k - 1 + m] == doc_of[:m]
                ok &= ~is_sep[:m]
                idx = np.flatnonzero(ok)
                hh = (h[idx] ^ np.uint64(k * 0x1F3D5B79)) * _M64
                out.append((doc_of[idx], (hh >> shift).astype(np.int64)))
        return out

    def _word_blocks(self, joined: str) -> list[tuple[np.ndarray, np.ndarray]]:
        toks = _TOKEN_RE.findall(joined)
        cache = self._word_cache
        get = cache.get
        hs = [get(t) for t in toks]
        for i, v in enumerate(hs):
            if v is None:
                t = toks[i]
                v = xxhash.xxh64_intdigest(t.encode("utf-8")) | 1
                if len(cache) < 2_000_000:
                    cache[t] = v
                hs[i] = v
        arr = np.fromiter(hs, dtype=np.uint64, count=len(hs))
        is_sep = arr == 0
        doc_of = np.cumsum(is_sep)
        shift = np.uint64(64 - self.config.bits)
        keep = ~is_sep
        with np.errstate(over="ignore"):
            out = [(doc_of[keep], ((arr[keep] * _M64) >> shift).astype(np.int64))]
            if self.config.word_bigrams and arr.shape[0] > 1:
                a, b = arr[:-1], arr[1:]
                ok = (a != 0) & (b != 0)
                bh = (a[ok] * _SALT_BIGRAM + (b[ok] ^ (b[ok] >> np.uint64(29)))) * _M64
                out.append((doc_of[:-1][ok], (bh >> shift).astype(np.int64)))
        return out

    # -- public -------------------------------------------------------------------------
    def transform(self, texts: list[str]) -> Batch:
        """Feature blocks for ``texts`` (any languages, any lengths)."""
        n_docs = len(texts)
        joined = clean(texts)
        cps = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
        parts = self._char_blocks(cps) + self._word_blocks(joined)
        # row-normalise the n-gram part: 1/sqrt(count) per entry approximates an L2 norm
        counts = np.zeros(n_docs, dtype=np.int64)
        for d, _ in parts:
            counts += np.bincount(d, minlength=n_docs)[:n_docs]
        inv = (1.0 / np.sqrt(np.maximum(counts, 1))).astype(np.float32)
        shape = (n_docs, self.n_features)
        blocks = [_csr_in_row_order(d, c, inv[d], shape) for d, c in parts]
        # concepts: offsets of each doc in the joined string
        sep_pos = np.flatnonzero(cps == ord(SEP))
        doc_starts = np.concatenate([[0], sep_pos + 1]).astype(np.int64)
        kd, kc = self.lexicon.batch(joined, doc_starts)
        vals = np.full(kd.shape[0], self.config.concept_weight, dtype=np.float32)
        blocks.append(sp.csr_matrix(
            (vals, (kd, kc + self.config.n_hash)), shape=shape, dtype=np.float32))
        return Batch(blocks, kd, kc)


def _csr_in_row_order(rows: np.ndarray, cols: np.ndarray, vals: np.ndarray,
                      shape: tuple[int, int]) -> sp.csr_matrix:
    """CSR straight from entries already in row order (no COO conversion, no sort)."""
    indptr = np.zeros(shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=shape[0])[: shape[0]], out=indptr[1:])
    return sp.csr_matrix((vals, cols, indptr), shape=shape, dtype=np.float32)
