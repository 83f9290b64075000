"""The dedup window carried over a restart: ``DedupIndex.to_state`` / ``from_state``.

A restored index must answer every later report exactly as the index that never stopped,
with the C kernel and with the numpy paths, wherever the restart falls.
"""

from __future__ import annotations

import contextlib
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from support.compiled import require_built
from support.dedup import near_copy_streams
from tocsin.enrich import dedup
from tocsin.enrich.dedup import DedupIndex


def feed(idx: DedupIndex, items, cuts) -> list:
    out, i, k = [], 0, 0
    while i < len(items):
        chunk = items[i:i + cuts[k % len(cuts)]]
        i, k = i + len(chunk), k + 1
        out += idx.check_batch(*[list(col) for col in zip(*chunk, strict=True)])
    return out


def alive(idx: DedupIndex):
    k = max(idx._lo, idx._hi - idx.window) - idx._lo
    return (idx._hi, idx._h[k:].tolist(), idx._near[k:].tolist(), idx._ids[k:],
            idx._keys[k:], sorted(idx._exact.items()))


@contextlib.contextmanager
def kernel(path: str):
    """Run the block on the C kernel (where built) or on the numpy paths."""
    saved = dedup._dedup
    if path == "numpy":
        dedup._dedup = None
    try:
        yield
    finally:
        dedup._dedup = saved


@pytest.mark.parametrize("path", ["c", "numpy"])
def test_restored_index_answers_as_the_one_never_stopped(path):
    if path == "c":
        require_built("tocsin.enrich._dedup", dedup._dedup is not None)
    with kernel(path):
        restarts_change_nothing()


@settings(max_examples=150, deadline=None)
@given(near_copy_streams(max_items=150, id_cycle=97), st.data(),
       st.sampled_from([0, 1, 3, 7, 40, 20_000]), st.sampled_from([3, 4, 7]),
       st.lists(st.integers(1, 30), min_size=1, max_size=5))
def restarts_change_nothing(items, data, window, max_distance, cuts):
    at = data.draw(st.integers(0, len(items)), label="restart after")
    whole = DedupIndex(window=window, max_distance=max_distance)
    want = feed(whole, items, cuts)

    before = DedupIndex(window=window, max_distance=max_distance)
    got = feed(before, items[:at], cuts)
    restored = DedupIndex.from_state(before.to_state())
    assert alive(restored) == alive(before)
    got += feed(restored, items[at:], cuts)
    assert got == want
    assert alive(restored) == alive(whole)


def test_state_keeps_only_the_alive_entries_and_the_settings():
    idx = DedupIndex(window=5, max_distance=3, min_tokens=2)
    far_apart = [int(x) for x in np.random.default_rng(7).integers(1, 2**63, 12)]
    idx.check_batch([f"r{i}" for i in range(12)], [str(i) for i in range(12)], far_apart,
                    [9] * 12)
    back = DedupIndex.from_state(idx.to_state())
    assert (back.window, back.max_distance, back.min_tokens) == (5, 3, 2)
    assert back._ids == [f"r{i}" for i in range(7, 12)]
    # a repost of an alive report is a copy (exact, or near: one bit flipped); a repost of
    # a forgotten one is not
    assert back.check_and_add("x", "11", 5, 9) == "r11"
    assert back.check_and_add("y", "new", far_apart[10] ^ 1, 9) == "r10"
    assert back.check_and_add("z", "2", far_apart[2], 9) is None


def test_empty_index_round_trips():
    back = DedupIndex.from_state(DedupIndex().to_state())
    assert len(back) == 0 and back.window == 20_000
    assert back.check_and_add("a", "k", 123, 9) is None
    assert back.check_and_add("b", "k", 123, 9) == "a"


def bad_states():
    good = DedupIndex(window=4)
    good.check_batch(["a", "b"], ["1", "2"], [0x0123456789ABCDEF, 0x7EDCBA9876543210], [9, 9])
    body = zlib.decompress(good.to_state())
    assert b'"ids":["a","b"]' in body

    def with_header(old: bytes, new: bytes) -> bytes:
        """The state with its JSON header edited (and its length prefix kept right)."""
        m = len(b"tocsin-dedup\x00")
        n = int.from_bytes(body[m:m + 8], "little")
        head = body[m + 8:m + 8 + n].replace(old, new)
        return zlib.compress(body[:m] + len(head).to_bytes(8, "little") + head
                             + body[m + 8 + n:])

    yield b"not compressed"
    yield zlib.compress(b"something else entirely")
    yield zlib.compress(body[:-1])  # the near flags missing
    yield zlib.compress(body + b"\0" * 8)  # a hash too many
    yield with_header(b'"version":1', b'"version":9')
    yield with_header(b'"ids":["a","b"]', b'"ids":["a"]')
    yield with_header(b'"ids":["a","b"]', b'"ids":["a",2]')
    yield with_header(b'"window":4', b'"window":1')
    yield with_header(b'"first_seq":0', b'"first_seq":-3')
    yield with_header(b'"version":1', b'"version":1,"version"')


@pytest.mark.parametrize("data", list(bad_states()))
def test_a_broken_state_is_a_value_error(data):
    with pytest.raises(ValueError, match="dedup state"):
        DedupIndex.from_state(data)


def test_default_window_state_is_small():
    """A full default window (20,000 alive entries) saves in well under a megabyte."""
    rng = np.random.default_rng(1)
    idx = DedupIndex()
    n = 25_000
    hashes = rng.integers(0, 2**63, n, dtype=np.uint64)
    idx.check_batch([f"id-{i:08d}" for i in range(n)], [f"{i:016x}" for i in range(n)],
                    hashes, [9] * n)
    data = idx.to_state()
    assert len(idx) == 20_000
    assert len(data) < 1_000_000
    assert alive(DedupIndex.from_state(data)) == alive(idx)
