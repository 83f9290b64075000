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

from .text import words

MASK64 = (1 << 64) - 1


def exact_key(tokens: list[str]) -> str:
    return xxhash.xxh64_hexdigest(" ".join(tokens).encode("utf-8"))


def _features(tokens: list[str]) -> list[str]:
    # Unigrams and bigrams: unigrams alone make reordered texts collide, bigrams alone make
    # short texts too sensitive to a single changed word.
    feats = list(tokens)
    feats.extend(f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False))
    return feats


def simhash_batch(token_lists: list[list[str]]) -> list[int]:
    """64-bit SimHash of each token list (0 for an empty one), vectorised over the batch.

    Per-bit voting in Python costs 64 operations per feature; numpy does the whole batch's
    votes at once, which is what keeps dedup far from the pipeline's critical path.
    """
    lengths = []
    hashes: list[int] = []
    for toks in token_lists:
        feats = _features(toks)
        lengths.append(len(feats))
        hashes.extend(xxhash.xxh64_intdigest(f.encode("utf-8")) for f in feats)
    out = [0] * len(token_lists)
    if not hashes:
        return out
    arr = np.array(hashes, dtype=np.uint64)
    bits = np.unpackbits(arr.view(np.uint8).reshape(-1, 8), axis=1, bitorder="little")
    votes = bits.astype(np.int32) * 2 - 1  # +1 for a set bit, -1 otherwise
    starts = np.cumsum([0, *lengths[:-1]])
    nonempty = np.array(lengths) > 0
    sums = np.add.reduceat(votes, starts[nonempty], axis=0)
    packed = np.packbits(sums > 0, axis=1, bitorder="little").view(np.uint64).ravel()
    for i, v in zip(np.flatnonzero(nonempty), packed, strict=True):
        out[i] = int(v)
    return out


def simhash(tokens: list[str]) -> int:
    """64-bit SimHash of one token list."""
    return simhash_batch([tokens])[0]


def hamming(a: int, b: int) -> int:
    return (a ^ b).bit_count()


class DedupIndex:
    """Remembers the last ``window`` reports' keys and answers "is this a copy, of what?"."""

    def __init__(self, window: int = 50_000, max_distance: int = 3, min_tokens: int = 4):
        self.window = window
        self.max_distance = max_distance
        # Very short texts ("Pray for Nepal") collide by accident; they get exact matching only.
        self.min_tokens = min_tokens
        self._bands = max_distance + 1
        self._band_bits = 64 // self._bands
        self._exact: OrderedDict[str, str] = OrderedDict()
        self._band_index: list[dict[int, list[tuple[int, str]]]] = [
            {} for _ in range(self._bands)
        ]
        self._order: OrderedDict[str, tuple[int, bool]] = OrderedDict()

    def _band_values(self, h: int) -> list[int]:
        mask = (1 << self._band_bits) - 1
        return [(h >> (i * self._band_bits)) & mask for i in range(self._bands)]

    def check_and_add(self, report_id: str, key: str, h: int, n_tokens: int) -> str | None:
        """Return the id of the earlier report this one copies, or None; then remember it."""
        original = self._exact.get(key)
        near = n_tokens >= self.min_tokens and h != 0
        if original is None and near:
            for band, value in zip(self._band_index, self._band_values(h), strict=True):
                for other_h, other_id in band.get(value, ()):
                    if hamming(h, other_h) <= self.max_distance:
                        original = other_id
                        break
                if original is not None:
                    break
        if original is not None:
            return original
        self._exact[key] = report_id
        if near:
            for band, value in zip(self._band_index, self._band_values(h), strict=True):
                band.setdefault(value, []).append((h, report_id))
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
                if bucket:
                    bucket[:] = [e for e in bucket if e[1] != old_id]
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
