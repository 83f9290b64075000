"""Exact and near-duplicate detection: xxhash keys and 64-bit SimHash.

A retweet, or a copy of a post with a different shortened link, is the same information:
it counts towards an event's volume but must not count twice towards its independent
sources. Exact copies share ``exact_key`` (a hash of the words only). Near copies differ in
at most ``max_distance`` of the 64 SimHash bits; the pigeonhole principle lets us find them
by exact lookup: split the hash into ``max_distance + 1`` bands and any near copy agrees with
us on at least one whole band. Work per report is bounded by the window size, never by
history: the index forgets entries older than ``window`` reports.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import xxhash
from scipy import sparse

from .text import words

MASK64 = (1 << 64) - 1


def exact_key(tokens: list[str]) -> str:
    return xxhash.xxh64_hexdigest(" ".join(tokens).encode("utf-8"))


_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xC2B2AE3D27D4EB4F)


def _token_hashes(token_lists: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
    """64-bit hashes of every token of the batch, and the report each belongs to."""
    flat = [xxhash.xxh64_intdigest(t.encode("utf-8")) for toks in token_lists for t in toks]
    owner = np.repeat(np.arange(len(token_lists)), [len(t) for t in token_lists])
    return np.array(flat, dtype=np.uint64), owner


def simhash_batch(token_lists: list[list[str]]) -> list[int]:
    """64-bit SimHash of each token list (0 for an empty one), vectorised over the batch.

    Features are the unigrams and bigrams of the words: unigrams alone make reordered texts
    collide, bigrams alone make short texts too sensitive to one changed word. Only tokens
    are hashed in Python; bigram hashes are mixed from their tokens' hashes in numpy and the
    per-bit votes of the whole batch are counted at once, which keeps dedup far from the
    pipeline's critical path.
    """
    out = [0] * len(token_lists)
    uni, owner = _token_hashes(token_lists)
    if uni.size == 0:
        return out
    with np.errstate(over="ignore"):
        same = owner[:-1] == owner[1:]
        bi = (uni[:-1] * _M1 ^ ((uni[1:] << np.uint64(1)) | (uni[1:] >> np.uint64(63))) * _M2)[same]
    feats = np.concatenate([uni, bi])
    feat_owner = np.concatenate([owner, owner[:-1][same]])
    bits = np.unpackbits(feats.view(np.uint8).reshape(-1, 8), axis=1, bitorder="little")
    n = len(token_lists)
    # set-bit counts per report: a sparse (reports x features) indicator times the bit matrix
    owner_matrix = sparse.csr_matrix(
        (np.ones(feats.size, dtype=np.int32), (feat_owner, np.arange(feats.size))),
        shape=(n, feats.size))
    ones = owner_matrix @ bits.astype(np.int32)
    totals = np.bincount(feat_owner, minlength=n)
    majority = ones * 2 > totals[:, None]
    packed = np.packbits(majority, axis=1, bitorder="little").view(np.uint64).ravel()
    for i in np.flatnonzero(totals):
        out[i] = int(packed[i])
    return out


def simhash(tokens: list[str]) -> int:
    """64-bit SimHash of one token list."""
    return simhash_batch([tokens])[0]


def hamming(a: int, b: int) -> int:
    return (a ^ b).bit_count()


class DedupIndex:
    """Remembers the last ``window`` reports' keys and answers "is this a copy, of what?"."""

    def __init__(self, window: int = 20_000, max_distance: int = 4, min_tokens: int = 4):
        self.window = window
        self.max_distance = max_distance
        # Very short texts ("Pray for Nepal") collide by accident; they get exact matching only.
        self.min_tokens = min_tokens
        self._bands = max_distance + 1
        self._band_bits = 64 // self._bands
        self._exact: OrderedDict[str, str] = OrderedDict()
        # band value -> {report id: hash}, insertion-ordered; a bucket keeps at most
        # ``bucket_cap`` entries (the newest), so a burst of look-alike posts sharing a band
        # cannot make each check slower than a fixed number of comparisons.
        self.bucket_cap = 8
        self._band_index: list[dict[int, dict[str, int]]] = [{} for _ in range(self._bands)]
        self._order: OrderedDict[str, tuple[int, bool]] = OrderedDict()

    def _band_values(self, h: int) -> list[int]:
        mask = (1 << self._band_bits) - 1
        return [(h >> (i * self._band_bits)) & mask for i in range(self._bands)]

    def check_and_add(self, report_id: str, key: str, h: int, n_tokens: int) -> str | None:
        """Return the id of the earlier report this one copies, or None; then remember it."""
        original = self._exact.get(key)
        near = n_tokens >= self.min_tokens and h != 0
        if original is None and near:
            limit = self.max_distance
            for band, value in zip(self._band_index, self._band_values(h), strict=True):
                bucket = band.get(value)
                if bucket:
                    for other_id, other_h in bucket.items():
                        if (h ^ other_h).bit_count() <= limit:
                            original = other_id
                            break
                    if original is not None:
                        break
        if original is not None:
            return original
        self._exact[key] = report_id
        if near:
            cap = self.bucket_cap
            for band, value in zip(self._band_index, self._band_values(h), strict=True):
                bucket = band.get(value)
                if bucket is None:
                    band[value] = {report_id: h}
                else:
                    bucket[report_id] = h
                    if len(bucket) > cap:
                        del bucket[next(iter(bucket))]
        self._order[report_id] = (h, near)
        while len(self._order) > self.window:
            self._evict()
        return None

    def _evict(self) -> None:
        old_id, (h, near) = self._order.popitem(last=False)
        # the exact map is insertion-ordered in the same order as _order
        if self._exact:
            k, v = next(iter(self._exact.items()))
            if v == old_id:
                del self._exact[k]
        if near:
            for band, value in zip(self._band_index, self._band_values(h), strict=True):
                bucket = band.get(value)
                if bucket is not None:
                    bucket.pop(old_id, None)
                    if not bucket:
                        del band[value]

    def __len__(self) -> int:
        return len(self._order)


class DedupStage:
    """Fills ``exact_key``, ``simhash`` and ``duplicate_of``. Stateful (remembers a window)."""

    name = "dedup"

    def __init__(self, index: DedupIndex | None = None):
        self.index = index if index is not None else DedupIndex()

    def enrich(self, batch):
        token_lists = [r.tokens or words(r.norm_text or r.text) for r in batch]
        for r, toks, h in zip(batch, token_lists, simhash_batch(token_lists), strict=True):
            r.exact_key = exact_key(toks)
            r.simhash = h
            r.duplicate_of = self.index.check_and_add(r.id, r.exact_key, h, len(toks))
        return batch
