"""Dedup's C twin (``_dedup.c``): the same SimHashes and the same index as the numpy paths."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from support.compiled import require_built, under_pure_python
from support.dedup import near_copy_streams
from tocsin.enrich import dedup
from tocsin.enrich.dedup import DedupIndex

try:
    from tocsin.enrich import _dedup
except ImportError:  # no compiler when it was installed
    _dedup = None


def compiled():
    """The extension, or a skip (a failure in CI, whose machine has a C compiler)."""
    require_built("tocsin.enrich._dedup", _dedup is not None and dedup._dedup is not None)
    return _dedup


tokens = st.text(alphabet="abcdefgh\u00e9\u65e5", min_size=1, max_size=4)
token_lists = st.lists(st.lists(tokens, max_size=20), max_size=10)


@settings(max_examples=200, deadline=None)
@given(token_lists, st.booleans())
def test_c_simhash_equals_numpy(lists, cold):
    compiled()
    if cold:
        dedup._TOKEN_HASHES.clear()
    got = dedup.simhash_array(lists)
    want = dedup._simhash_array_numpy(lists)
    assert got.dtype == want.dtype == np.uint64
    assert got.tolist() == want.tolist()


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from([1, 2, 127, 128, 129, 255, 256, 700]))
def test_c_simhash_equals_numpy_on_long_texts(seed, size):
    """More than 255 features: the C byte counters are flushed on the way."""
    compiled()
    rng = np.random.default_rng(seed)
    vocab = [f"w{i}" for i in range(int(rng.integers(1, 40)))]
    lists = [[vocab[j] for j in rng.integers(0, len(vocab), size)] for _ in range(3)]
    lists.append([])
    # one word repeated: every feature votes for the same bits, the counters' worst case
    lists += [["same"] * size, ["same", "other"] * size]
    assert dedup.simhash_array(lists).tolist() == dedup._simhash_array_numpy(lists).tolist()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.text(min_size=1, max_size=40), max_size=8), max_size=6))
def test_c_keys_and_token_hashes_are_xxh64(lists):
    """Any text, any length (xxh64's 32-byte blocks included): the same keys and SimHashes."""
    compiled()
    got_h, got_k = dedup.simhash_and_keys(lists)
    assert got_k == [dedup.exact_key(toks) for toks in lists]
    assert got_h.tolist() == dedup._simhash_array_numpy(lists).tolist()
    assert dedup.simhash_array(lists).tolist() == got_h.tolist()


def test_c_refuses_what_the_python_path_refuses():
    compiled()
    for bad in ([["a", 3]], [None], [["\ud800"]]):
        with pytest.raises((TypeError, AttributeError, UnicodeEncodeError)):
            dedup.simhash_and_keys(bad)
        with pytest.raises((TypeError, AttributeError, UnicodeEncodeError)):
            dedup._simhash_array_numpy(bad)


def streams():
    return near_copy_streams(max_items=150, id_cycle=97)


def state(idx: DedupIndex):
    return (idx._lo, idx._hi, idx._h.tolist(), idx._near.tolist(), list(idx._ids),
            list(idx._keys),
            list(idx._exact.items()), idx._table.tobytes())


@settings(max_examples=150, deadline=None)
@given(streams(), st.sampled_from([0, 1, 2, 3, 7, 40, 20_000]),
       st.lists(st.integers(1, 40), min_size=1, max_size=8), st.sampled_from([3, 4, 5, 7]))
def test_c_index_equals_numpy(items, window, cuts, max_distance):
    """Same answers and the same state after every batch, whatever the batch boundaries."""
    kernel = compiled()
    c_idx = DedupIndex(window=window, max_distance=max_distance)
    py_idx = DedupIndex(window=window, max_distance=max_distance)
    i = k = 0
    while i < len(items):
        chunk = items[i:i + cuts[k % len(cuts)]]
        i, k = i + len(chunk), k + 1
        cols = [list(col) for col in zip(*chunk, strict=True)]
        got = c_idx.check_batch(*cols)
        dedup._dedup = None
        try:
            want = py_idx.check_batch(*cols)
        finally:
            dedup._dedup = kernel
        assert got == want
        assert state(c_idx) == state(py_idx)


def test_c_index_refuses_inconsistent_arguments():
    kernel = compiled()
    idx = DedupIndex()
    h = np.array([1, 2], dtype=np.uint64)
    near = np.array([True, True])
    out = np.empty(2, dtype=np.int64)
    args = [idx._table, idx._h, 0, 0, idx.window, 4, idx._bands, idx._band_bits, h, near,
            ["a", "b"], {}, out]
    for pos, bad in ((10, ["a"]), (12, np.empty(3, np.int64)), (1, np.zeros(2, np.uint64)),
                     (8, h.astype(np.int32)), (7, 17), (6, 7), (0, idx._table[:2])):
        wrong = list(args)
        wrong[pos] = bad
        with pytest.raises((ValueError, TypeError)):
            kernel.check(*wrong)
    table = idx._table.copy()
    table[0, 1, 0] = 5  # an entry the history does not hold
    wrong = list(args)
    wrong[0] = table
    wrong[8] = np.array([1, 1], dtype=np.uint64)
    with pytest.raises(IndexError):
        kernel.check(*wrong)


def test_pure_python_switch_uses_the_numpy_paths():
    code = "from tocsin.enrich import dedup; print(dedup._dedup is None)"
    assert under_pure_python(code) == "True"
