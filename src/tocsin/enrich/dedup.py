"""Exact and near-duplicate detection: xxhash keys and 64-bit SimHash.

A retweet, or a copy of a post with a different shortened link, is the same information:
it counts towards an event's volume but must not count twice towards its independent
sources. Exact copies share ``exact_key`` (a hash of the words only). Near copies differ in
at most ``max_distance`` of the 64 SimHash bits; the pigeonhole principle lets us find them
by exact lookup: split the hash into ``max_distance + 1`` bands and any near copy agrees with
us on at least one whole band. Work per report is bounded by the window size, never by
history: the index forgets entries older than ``window`` reports.

The index answers a whole batch with a handful of numpy passes instead of a Python loop per
report (which cost ~30 us a report, as much as the rest of enrichment before classification).
The answers are exactly those of checking the reports one by one, in order; see
``DedupIndex.check_batch`` for why.

Where the optional C extension ``_dedup`` is built, it does the numeric parts instead: the
token hashes (xxh64 computed in C, no cache), the exact keys and SimHash votes in one pass
over the tokens (no feature matrices), and the index checked one report after the other, as
the numpy passes are proven to answer. Same hashes, keys, answers and index state
(tests/enrich/test_dedup_compiled.py). TOCSIN_PURE_PYTHON=1 forces the numpy paths.
"""

from __future__ import annotations

import json
import os
import zlib
from itertools import chain

import numpy as np
import xxhash
from scipy import sparse

from .text import words

MASK64 = (1 << 64) - 1

#: the C twins of ``simhash_array`` (with the exact keys) and of ``check_batch``
#: (``_dedup.c``); None where it was not built or TOCSIN_PURE_PYTHON is set: the numpy paths
#: give the same answers
_dedup = None
if not os.environ.get("TOCSIN_PURE_PYTHON"):
    try:
        from . import _dedup  # type: ignore[attr-defined, no-redef]
    except ImportError:  # no compiler at install time
        pass


def exact_key(tokens: list[str]) -> str:
    return xxhash.xxh64_hexdigest(" ".join(tokens).encode("utf-8"))


_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xC2B2AE3D27D4EB4F)

class _TokenHashes(dict):
    """token -> xxh64 of its UTF-8 bytes, computed on the first lookup of the token.

    Words repeat a lot across a stream, so hashing each distinct word once is most of the
    cost of SimHash saved. ``__missing__`` hashes a new word inside the one lookup every
    token needs anyway; collecting the batch's new words first (a set of every token, then
    its difference with the cache) cost as much again as the lookups.
    """

    def __missing__(self, token: str) -> int:
        h = self[token] = xxhash.xxh64_intdigest(token.encode("utf-8"))
        return h


#: the cache, cleared when it grows too big
_TOKEN_HASHES = _TokenHashes()
_TOKEN_CACHE_MAX = 500_000


def _token_hashes(token_lists: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
    """64-bit hashes of every token of the batch, and the report each belongs to."""
    cache = _TOKEN_HASHES
    if len(cache) > _TOKEN_CACHE_MAX:
        cache.clear()
    n = len(token_lists)
    sizes = np.fromiter(map(len, token_lists), dtype=np.int64, count=n)
    owner = np.repeat(np.arange(n), sizes)
    # (another thread clearing the cache meanwhile only makes some words hashed again)
    hashes = np.fromiter(map(cache.__getitem__, chain.from_iterable(token_lists)),
                         dtype=np.uint64, count=owner.size)
    return hashes, owner


def simhash_batch(token_lists: list[list[str]]) -> list[int]:
    """64-bit SimHash of each token list (0 for an empty one), vectorised over the batch.

    Features are the unigrams and bigrams of the words: unigrams alone make reordered texts
    collide, bigrams alone make short texts too sensitive to one changed word. Only tokens
    are hashed in Python; bigram hashes are mixed from their tokens' hashes in numpy and the
    per-bit votes of the whole batch are counted at once, which keeps dedup far from the
    pipeline's critical path.
    """
    return simhash_array(token_lists).tolist()


def simhash_array(token_lists: list[list[str]]) -> np.ndarray:
    """``simhash_batch`` as a uint64 array (what the index works on)."""
    if _dedup is not None:
        out = np.empty(len(token_lists), dtype=np.uint64)
        _dedup.simhash_keys(token_lists, out, None)
        return out
    return _simhash_array_numpy(token_lists)


def simhash_and_keys(token_lists: list[list[str]]) -> tuple[np.ndarray, list[str]]:
    """``simhash_array`` and the ``exact_key`` of each token list (in one pass in C)."""
    if _dedup is not None:
        out = np.empty(len(token_lists), dtype=np.uint64)
        keys: list[str] = []
        _dedup.simhash_keys(token_lists, out, keys)
        return out, keys
    return _simhash_array_numpy(token_lists), [exact_key(toks) for toks in token_lists]


def _simhash_array_numpy(token_lists: list[list[str]]) -> np.ndarray:
    """The numpy path of ``simhash_array`` (the reference of the C one)."""
    n = len(token_lists)
    uni, owner = _token_hashes(token_lists)
    if uni.size == 0:
        return np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        same = owner[:-1] == owner[1:]
        bi = (uni[:-1] * _M1 ^ ((uni[1:] << np.uint64(1)) | (uni[1:] >> np.uint64(63))) * _M2)[same]
    feats = np.concatenate([uni, bi])
    feat_owner = np.concatenate([owner, owner[:-1][same]])
    bits = np.unpackbits(feats.view(np.uint8).reshape(-1, 8), axis=1, bitorder="little")
    # set-bit counts per report: a sparse (reports x features) indicator times the bit matrix
    owner_matrix = sparse.csr_matrix(
        (np.ones(feats.size, dtype=np.int32), (feat_owner, np.arange(feats.size))),
        shape=(n, feats.size))
    ones = owner_matrix @ bits.astype(np.int32)
    totals = np.bincount(feat_owner, minlength=n)
    majority = ones * 2 > totals[:, None]
    packed = np.packbits(majority, axis=1, bitorder="little").view(np.uint64).ravel()
    packed[totals == 0] = 0
    return packed


def simhash(tokens: list[str]) -> int:
    """64-bit SimHash of one token list."""
    return simhash_batch([tokens])[0]


def hamming(a: int, b: int) -> int:
    return (a ^ b).bit_count()


#: ``DedupIndex.to_state``'s format: magic, header length, JSON header, hashes, near flags
_STATE_MAGIC = b"tocsin-dedup\x00"
DEDUP_STATE_VERSION = 1


class DedupIndex:
    """Remembers the last ``window`` reports' keys and answers "is this a copy, of what?".

    Entries are numbered in insertion order (``seq``); only reports that are not copies are
    inserted, and the last ``window`` of them are alive. For each band, a table row per band
    value holds the ``bucket_cap`` newest insertions with that value (so a burst of look-alike
    posts sharing a band cannot make a check slower than a fixed number of comparisons). A
    report is an exact copy of the alive report with the same key; otherwise, when it has
    enough tokens, a near copy of the first alive entry within ``max_distance`` bits found
    scanning the bands in order and each row oldest first.

    Report ids need not be unique: every report that is not a copy is its own entry. (The
    index this replaced was keyed by id; an id seen twice desynchronised its exact-key map
    from its window, which then never forgot a key again.)
    """

    def __init__(self, window: int = 20_000, max_distance: int = 4, min_tokens: int = 4):
        if window < 0:
            raise ValueError("window must not be negative")
        self.window = window
        self.max_distance = max_distance
        # Very short texts ("Pray for Nepal") collide by accident; they get exact matching only.
        self.min_tokens = min_tokens
        self._bands = max_distance + 1
        self._band_bits = 64 // self._bands
        if self._band_bits > 16:
            raise ValueError("max_distance must be at least 3 (bands of at most 16 bits)")
        self.bucket_cap = 8
        # seq -> (hash, id, key) for seq in [_lo, _hi); at least the alive ones are kept
        self._lo = 0
        self._hi = 0
        self._h = np.zeros(0, dtype=np.uint64)
        self._near = np.zeros(0, dtype=bool)  # in the band table (enough tokens, hash != 0)
        self._ids: list[str] = []
        self._keys: list[str] = []
        self._exact: dict[str, int] = {}  # key -> seq of the alive report that has it
        # band, band value, slot -> seq (-1: empty); newest in the last slot
        self._table = np.full((self._bands, 1 << self._band_bits, self.bucket_cap), -1,
                              dtype=np.int64)
        self._shifts = np.arange(self._bands, dtype=np.uint64) * np.uint64(self._band_bits)
        self._mask = np.uint64((1 << self._band_bits) - 1)

    def check_and_add(self, report_id: str, key: str, h: int, n_tokens: int) -> str | None:
        """Return the id of the earlier report this one copies, or None; then remember it."""
        return self.check_batch([report_id], [key], [h], [n_tokens])[0]

    def check_batch(self, ids: list[str], keys: list[str], hashes, n_tokens) -> list[str | None]:
        """``check_and_add`` of each report in order, answered for the whole batch at once.

        Whether report *i* is a copy depends only on which earlier reports were inserted
        (those that were not copies). A pass takes a guess of that set and answers every
        report under it, vectorised; the next pass guesses the set the previous one found.
        The first report whose guess was wrong is answered right in the next pass (all before
        it were right), so the passes reach the one consistent answer, the sequential one,
        and stop; in practice copies rarely depend on each other and one or two passes do.
        """
        n = len(ids)
        if n == 0:
            return []
        h = np.asarray(hashes, dtype=np.uint64)
        near = (np.asarray(n_tokens) >= self.min_tokens) & (h != 0)
        if _dedup is not None and self._table.flags.c_contiguous:
            return self._check_batch_c(ids, keys, h, near)
        W, cap, B = self.window, self.bucket_cap, self._bands
        vals = ((h[:, None] >> self._shifts) & self._mask).astype(np.int64)  # n x B
        lo, hi = self._lo, self._hi
        base = hi - lo  # index in ``allh`` of batch item 0
        allh = np.concatenate([self._h, h])
        ar = np.arange(n)
        # exact keys: the alive entry from earlier batches, and the batch's own repeats
        old_exact = np.fromiter((self._exact.get(k, -1) for k in keys), dtype=np.int64, count=n)
        codes: dict[str, int] = {}
        code = np.fromiter((codes.setdefault(k, len(codes)) for k in keys), dtype=np.int64,
                           count=n)
        k_order = np.argsort(code, kind="stable")
        k_start = _group_starts(code[k_order])
        # per band: batch order sorted by value, and where each value's run starts
        b_order = [np.argsort(vals[:, b], kind="stable") for b in range(B)]
        b_start = [_group_starts(vals[o, b]) for b, o in enumerate(b_order)]
        rows = [self._table[b][vals[:, b]] for b in range(B)]  # n x cap each
        slot = np.arange(cap)
        # first guess: every report is inserted but those whose key is already known (a
        # retweet), so that a stream of exact copies is answered in one pass, not two
        first_of_key = np.zeros(n, dtype=bool)
        first_of_key[np.unique(code, return_index=True)[1]] = True
        ins = first_of_key & (old_exact < 0)
        while True:
            seq = hi + np.cumsum(ins) - ins  # seq each report gets if inserted
            oldest = seq - W  # entries with a smaller seq are no longer alive at that report
            # exact copy: latest inserted earlier report with the same key, else the old one
            prev = _previous_in_group(ins[k_order], k_start, 1)[:, 0]
            prev_b = np.full(n, -1, dtype=np.int64)
            prev_b[k_order] = np.where(prev >= 0, k_order[np.maximum(prev, 0)], -1)
            ex_batch = (prev_b >= 0) & (seq[np.maximum(prev_b, 0)] >= oldest)
            ex_old = ~ex_batch & (old_exact >= 0) & (old_exact >= oldest)
            target = np.where(ex_batch, base + prev_b, np.where(ex_old, old_exact - lo, -1))
            todo = near & (target < 0)
            src = ins & near
            for b in range(B):
                if not todo.any():
                    break
                o = b_order[b]
                # sorted positions. In a batch of a thousand, a report rarely has more than
                # three or four earlier ones with its band value, so the columns stop at the
                # most any report has: the comparisons below run on ~12 columns, not 16
                prevs = _previous_in_group(src[o], b_start[b], cap, trim=True)
                cand_b = np.full(prevs.shape, -1, dtype=np.int64)
                cand_b[o] = np.where(prevs >= 0, o[np.maximum(prevs, 0)], -1)[:, ::-1]
                k = (cand_b >= 0).sum(axis=1)
                # the bucket as report i sees it: the newest ``cap`` of (row, then batch)
                old_rows = np.where(slot[None, :] >= k[:, None], rows[b], -1)
                cseq = np.concatenate([old_rows, np.where(cand_b >= 0, seq[np.maximum(
                    cand_b, 0)], -1)], axis=1)
                cidx = np.concatenate([old_rows - lo, base + cand_b], axis=1)
                ok = (cseq >= 0) & (cseq >= oldest[:, None])
                cidx = np.where(ok, cidx, 0)
                dist = np.bitwise_count(allh[cidx] ^ h[:, None])
                hit = ok & (dist <= self.max_distance) & todo[:, None]
                found = hit.any(axis=1)
                first = hit.argmax(axis=1)
                target = np.where(found, cidx[ar, first], target)
                todo &= ~found
            new_ins = target < 0
            if np.array_equal(new_ins, ins):
                break
            ins = new_ins
        old_ids = self._ids
        out: list[str | None] = [
            None if t < 0 else ids[t - base] if t >= base else old_ids[t]
            for t in target.tolist()]
        self._commit(ids, keys, h, near, vals, ins, b_order)
        return out

    def _check_batch_c(self, ids, keys, h, near) -> list[str | None]:
        """``check_batch`` by ``_dedup.check``: the reports one by one, in C."""
        n = len(ids)
        keys = keys if type(keys) is list else list(keys)
        lo, hi = self._lo, self._hi
        out = np.empty(n, dtype=np.int64)
        # inserts each report that is not a copy into the table and the exact map as it goes
        _dedup.check(self._table, self._h, lo, hi, self.window, self.max_distance,
                     self._bands, self._band_bits, h, near, keys, self._exact,
                     out)
        ins = out < 0
        sel = np.flatnonzero(ins)
        sl = sel.tolist()
        old_ids = self._ids
        new_ids = [ids[i] for i in sl]
        res: list[str | None] = [
            None if t < 0 else new_ids[t - hi] if t >= hi else old_ids[t - lo]
            for t in out.tolist()]
        self._commit_entries(new_ids, keys, h, near, sel, sl, new_exact=False)
        return res

    def _commit(self, ids, keys, h, near, vals, ins, b_order) -> None:
        """Insert the reports that were not copies, and forget what fell out of the window."""
        sel = np.flatnonzero(ins)
        if sel.size == 0:
            return
        hi = self._hi
        seq = hi + np.cumsum(ins) - ins
        sl = sel.tolist()
        self._commit_entries([ids[i] for i in sl], keys, h, near, sel, sl, new_exact=True)
        self._commit_table(ins, near, vals, seq, b_order)

    def _commit_entries(self, new_ids, keys, h, near, sel, sl, *, new_exact: bool) -> None:
        """Append the inserted reports' hashes, near flags, ids (``new_ids``: already
        selected) and keys (and, with ``new_exact``, their exact keys), forget the exact keys
        that fell out of the window, trim now and then."""
        if not sl:
            return
        W = self.window
        hi = self._hi
        new_hi = hi + len(sl)
        self._h = np.concatenate([self._h, h[sel]])
        self._near = np.concatenate([self._near, near[sel]])
        self._ids.extend(new_ids)
        new_keys = [keys[i] for i in sl]
        self._keys.extend(new_keys)
        ex = self._exact
        if new_exact:
            for s, k in enumerate(new_keys, hi):
                ex[k] = s
        lo, old_keys = self._lo, self._keys
        for s in range(max(0, hi - W), max(0, new_hi - W)):
            k = old_keys[s - lo]
            if ex.get(k) == s:
                del ex[k]
        self._hi = new_hi
        drop = new_hi - W - lo
        if drop > W // 2:  # trim now and then, keeping at least the alive entries
            self._h = self._h[drop:].copy()
            self._near = self._near[drop:].copy()
            del self._ids[:drop]
            del self._keys[:drop]
            self._lo = lo + drop

    def _commit_table(self, ins, near, vals, seq, b_order) -> None:
        """Shift the inserted near reports into their rows of every band (newest last)."""
        cap = self.bucket_cap
        t = np.arange(cap)
        src = ins & near
        for b, o in enumerate(b_order):
            s_idx = o[src[o]]
            if s_idx.size == 0:
                continue
            v = vals[s_idx, b]
            sq = seq[s_idx]
            starts = _run_starts(v)
            counts = np.diff(np.append(starts, v.size))
            g = np.minimum(counts, cap)
            pos = (starts + counts - g)[:, None] + t[None, :]
            newpart = np.where(t[None, :] < g[:, None], sq[np.minimum(pos, sq.size - 1)], -1)
            uv = v[starts]
            comb = np.concatenate([self._table[b][uv], newpart], axis=1)
            self._table[b][uv] = comb[np.arange(uv.size)[:, None], g[:, None] + t[None, :]]

    def __len__(self) -> int:
        return min(self._hi, self.window)

    # -- state carried over a restart ----------------------------------------------------
    def to_state(self) -> bytes:
        """The alive entries, compressed: what ``from_state`` rebuilds an equivalent index
        from (ids, exact keys, SimHashes and near flags; no text, no author).

        The band table itself (21 MB at the default window) is not saved: it is rebuilt by
        inserting the alive entries again, in their order. That gives the same answers from
        then on: a row's slots hold its newest insertions, the alive entries are the newest
        of all, and the dead ones that fill the other slots are never matched.
        """
        first = max(self._lo, self._hi - self.window)
        k = first - self._lo
        head = {
            "version": DEDUP_STATE_VERSION,
            "window": self.window,
            "max_distance": self.max_distance,
            "min_tokens": self.min_tokens,
            "bucket_cap": self.bucket_cap,
            "first_seq": first,
            "ids": self._ids[k:],
            "keys": self._keys[k:],
        }
        hb = json.dumps(head, separators=(",", ":")).encode("utf-8")
        body = b"".join([_STATE_MAGIC, len(hb).to_bytes(8, "little"), hb,
                         self._h[k:].astype("<u8").tobytes(),
                         np.packbits(self._near[k:]).tobytes()])
        return zlib.compress(body, 3)

    @classmethod
    def from_state(cls, data: bytes) -> DedupIndex:
        """The index ``to_state`` saved; ``ValueError`` when ``data`` is not such a state."""
        try:
            body = zlib.decompress(data)
        except zlib.error as e:
            raise ValueError(f"dedup state is not compressed state data ({e})") from e
        m = len(_STATE_MAGIC)
        if body[:m] != _STATE_MAGIC or len(body) < m + 8:
            raise ValueError("dedup state: not a tocsin dedup state")
        n_head = int.from_bytes(body[m:m + 8], "little")
        try:
            head = json.loads(body[m + 8:m + 8 + n_head].decode("utf-8"))
        except ValueError as e:
            raise ValueError(f"dedup state: unreadable header ({e})") from e
        if not isinstance(head, dict) or head.get("version") != DEDUP_STATE_VERSION:
            raise ValueError(f"dedup state version {head.get('version')!r} is not "
                             f"{DEDUP_STATE_VERSION}" if isinstance(head, dict)
                             else "dedup state: unreadable header")
        ids, keys, first = head["ids"], head["keys"], head["first_seq"]
        n = len(ids)
        rest = body[m + 8 + n_head:]
        n_near = (n + 7) // 8
        if (len(keys) != n or len(rest) != 8 * n + n_near or n > head["window"]
                or not isinstance(first, int) or first < 0
                or not all(type(x) is str for x in chain(ids, keys))):
            raise ValueError("dedup state: entries do not add up")
        idx = cls(window=head["window"], max_distance=head["max_distance"],
                  min_tokens=head["min_tokens"])
        if head["bucket_cap"] != idx.bucket_cap:  # (a state from another version's default)
            idx.bucket_cap = head["bucket_cap"]
            idx._table = np.full((idx._bands, 1 << idx._band_bits, idx.bucket_cap), -1,
                                 dtype=np.int64)
        h = np.frombuffer(rest[:8 * n], dtype="<u8").astype(np.uint64)
        near = np.unpackbits(np.frombuffer(rest[8 * n:], dtype=np.uint8), count=n).astype(bool)
        idx._lo, idx._hi = first, first + n
        idx._h, idx._near, idx._ids, idx._keys = h, near, list(ids), list(keys)
        idx._exact = {k: s for s, k in enumerate(keys, first)}  # the newest of a key wins
        if n:
            seq = np.arange(first, first + n, dtype=np.int64)
            vals = ((h[:, None] >> idx._shifts) & idx._mask).astype(np.int64)
            b_order = [np.argsort(vals[:, b], kind="stable") for b in range(idx._bands)]
            idx._commit_table(np.ones(n, dtype=bool), near, vals, seq, b_order)
        return idx


def _run_starts(sorted_vals: np.ndarray) -> np.ndarray:
    """Indices where a new run of equal values starts in a sorted array."""
    if sorted_vals.size == 0:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.concatenate([[True], sorted_vals[1:] != sorted_vals[:-1]]))


def _group_starts(sorted_vals: np.ndarray) -> np.ndarray:
    """For each position of a sorted array, the position where its run of equal values starts."""
    is_start = np.zeros(sorted_vals.size, dtype=np.int64)
    is_start[_run_starts(sorted_vals)] = 1
    return np.maximum.accumulate(np.where(is_start == 1, np.arange(sorted_vals.size), 0))


def _previous_in_group(mask: np.ndarray, start: np.ndarray, m: int, *,
                       trim: bool = False) -> np.ndarray:
    """For each position, the positions of the ``m`` nearest earlier set ones in its group.

    Column 0 is the nearest; -1 where there are fewer. ``mask`` and ``start`` are in the
    group-sorted order (``start`` from ``_group_starts``). With ``trim``, only as many
    columns as the position with the most such ones needs (at most ``m``, maybe none): the
    columns left out would be -1 everywhere.
    """
    n = mask.size
    pos = np.flatnonzero(mask)
    if pos.size == 0:
        return np.full((n, 0 if trim else m), -1, dtype=np.int64)
    before = np.cumsum(mask) - mask  # set ones strictly before each position
    first = before[start]  # ... and before the start of its group
    if trim:
        m = min(m, int((before - first).max()))
    j = before[:, None] - np.arange(1, m + 1)[None, :]
    valid = j >= first[:, None]
    return np.where(valid, pos[np.maximum(j, 0)], -1)


class DedupStage:
    """Fills ``exact_key``, ``simhash`` and ``duplicate_of``. Stateful (remembers a window)."""

    name = "dedup"

    def __init__(self, index: DedupIndex | None = None):
        self.index = index if index is not None else DedupIndex()

    def enrich(self, batch):
        token_lists = [r.tokens or words(r.norm_text or r.text) for r in batch]
        hashes, keys = simhash_and_keys(token_lists)
        dups = self.index.check_batch([r.id for r in batch], keys, hashes,
                                      [len(toks) for toks in token_lists])
        for r, k, h, d in zip(batch, keys, hashes.tolist(), dups, strict=True):
            r.exact_key = k
            r.simhash = h
            r.duplicate_of = d
        return batch
