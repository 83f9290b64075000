from datetime import datetime, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from support.dedup import near_copy_streams
from tocsin.enrich.dedup import DedupIndex, DedupStage, hamming, simhash, simhash_batch
from tocsin.enrich.text import TextStage
from tocsin.model import Report

T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)


def rep(i, text):
    return Report(id=str(i), source="t", text=text, published_at=T0)


def run(texts, index=None):
    batch = [rep(i, t) for i, t in enumerate(texts)]
    TextStage().enrich(batch)
    DedupStage(index).enrich(batch)
    return batch


def test_retweet_and_other_link_are_exact_copies():
    b = run([
        "Bridge collapsed on Route 9 near the river, cars trapped https://t.co/aaa",
        "RT @someone: Bridge collapsed on Route 9 near the river, cars trapped https://t.co/bbb",
        "Bridge collapsed on route 9 near the river; cars trapped!",
        "Shelter open at the central school for families from the river district",
    ])
    assert [r.duplicate_of for r in b] == [None, "0", "0", None]


LONG = (
    "Update from the district office: the road to the northern villages is blocked by a "
    "landslide after heavy rain overnight. Teams are clearing debris, the bridge at the junction "
    "is closed, and families from the upper valley are asked to use the coast road and to go to "
    "the school shelter, where water and blankets are available until tomorrow evening"
)


def test_near_copy_of_a_long_text_is_found():
    b = run([LONG, LONG + " via local radio", LONG + " #flood"])
    assert [r.duplicate_of for r in b] == [None, "0", "0"]


def test_different_texts_are_not_copies():
    b = run([LONG, "Cholera cases confirmed in two camps; clinics ask for oral rehydration salts"])
    assert b[1].duplicate_of is None
    assert hamming(b[0].simhash, b[1].simhash) > 10


def test_window_is_bounded():
    idx = DedupIndex(window=10)
    run([f"unique report number {i} about something else entirely {i * 7}" for i in range(50)], idx)
    assert len(idx) == 10
    # an evicted text is no longer remembered
    b = run(["unique report number 0 about something else entirely 0"], idx)
    assert b[0].duplicate_of is None


@settings(max_examples=50)
@given(st.lists(st.lists(st.text(alphabet="abcdefgh", min_size=1, max_size=6), max_size=12),
                max_size=8))
def test_batch_simhash_equals_single(token_lists):
    assert simhash_batch(token_lists) == [simhash(t) for t in token_lists]


@given(st.integers(0, 2**64 - 1), st.integers(0, 2**64 - 1))
def test_hamming_is_a_metric(a, b):
    assert hamming(a, a) == 0
    assert hamming(a, b) == hamming(b, a)
    assert 0 <= hamming(a, b) <= 64


class SequentialIndex:
    """The one-report-at-a-time index the batched one must agree with (the reference).

    Buckets per band value keep the ``cap`` newest entries; the exact map and the buckets
    forget what falls out of the window. Scanning bands in order and each bucket oldest
    first, the first entry within ``max_distance`` bits is the original.
    """

    def __init__(self, window, max_distance=4, min_tokens=4, cap=8):
        self.window, self.d, self.min_tokens, self.cap = window, max_distance, min_tokens, cap
        self.bits = 64 // (max_distance + 1)
        self.bands = [{} for _ in range(max_distance + 1)]
        self.exact = {}
        self.order = []  # (seq, key, hash, near) of inserted reports
        self.seq = 0

    def values(self, h):
        return [(h >> (i * self.bits)) & ((1 << self.bits) - 1) for i in range(len(self.bands))]

    def check(self, rid, key, h, n_tokens):
        near = n_tokens >= self.min_tokens and h != 0
        if key in self.exact:
            return self.exact[key][1]
        if near:
            for band, v in zip(self.bands, self.values(h), strict=True):
                for _seq, oid, oh in band.get(v, []):
                    if hamming(h, oh) <= self.d:
                        return oid
        s = self.seq
        self.seq += 1
        self.exact[key] = (s, rid)
        if near:
            for band, v in zip(self.bands, self.values(h), strict=True):
                bucket = band.setdefault(v, [])
                bucket.append((s, rid, h))
                del bucket[:-self.cap]
        self.order.append((s, key, h, near))
        while len(self.order) > self.window:
            os_, okey, oh, onear = self.order.pop(0)
            if self.exact.get(okey, (None,))[0] == os_:
                del self.exact[okey]
            if onear:
                for band, v in zip(self.bands, self.values(oh), strict=True):
                    band[v] = [e for e in band.get(v, []) if e[0] != os_]
        return None


def streams():
    return near_copy_streams()


@settings(max_examples=120, deadline=None)
@given(streams(), st.sampled_from([0, 1, 2, 3, 7, 40, 20_000]),
       st.lists(st.integers(1, 40), min_size=1, max_size=8))
def test_batched_index_answers_as_one_by_one(items, window, cuts):
    """Whatever the batch boundaries, the batched index gives the sequential answers."""
    ref = SequentialIndex(window)
    want = [ref.check(*it) for it in items]
    idx = DedupIndex(window=window)
    got, i, k = [], 0, 0
    while i < len(items):
        chunk = items[i:i + cuts[k % len(cuts)]]
        i, k = i + len(chunk), k + 1
        got += idx.check_batch(*(list(col) for col in zip(*chunk, strict=True)))
    assert got == want
    assert len(idx) == len(ref.order)


def test_reports_sharing_an_id_are_separate_entries():
    """A repeated id is two reports: the window and the exact map stay bounded."""
    idx = DedupIndex(window=3)
    for i in range(50):
        assert idx.check_and_add("same-id", f"key{i}", 0, 0) is None
    assert len(idx) == 3 and len(idx._exact) == 3


@given(st.lists(st.lists(st.text(max_size=5), max_size=6), max_size=6))
def test_token_hashes_are_xxh64_whatever_the_cache_holds(token_lists):
    import xxhash

    from tocsin.enrich import dedup

    want = [xxhash.xxh64_intdigest(t.encode("utf-8")) for toks in token_lists for t in toks]
    for clear in (True, False):  # cold, then warm
        if clear:
            dedup._TOKEN_HASHES.clear()
        hashes, owner = dedup._token_hashes(token_lists)
        assert hashes.tolist() == want
        assert owner.tolist() == [i for i, toks in enumerate(token_lists) for _ in toks]


@given(st.lists(st.tuples(st.integers(0, 3), st.booleans()), max_size=40), st.integers(1, 8))
def test_trimmed_previous_in_group_only_drops_empty_columns(items, m):
    import numpy as np

    from tocsin.enrich.dedup import _group_starts, _previous_in_group

    items.sort(key=lambda it: it[0])  # group-sorted, as the index calls it
    groups = np.array([g for g, _ in items], dtype=np.int64)
    mask = np.array([s for _, s in items], dtype=bool)
    start = _group_starts(groups)
    full = _previous_in_group(mask, start, m)
    trimmed = _previous_in_group(mask, start, m, trim=True)
    k = trimmed.shape[1]
    assert k <= m and (full[:, k:] == -1).all()
    assert (trimmed == full[:, :k]).all()
    assert k == 0 or (trimmed[:, -1] >= 0).any()
