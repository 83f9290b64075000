"""A hypothesis strategy shared by the near-duplicate index's tests."""

from __future__ import annotations

from hypothesis import strategies as st


@st.composite
def near_copy_streams(draw, max_items: int = 120, id_cycle: int | None = None):
    """Reports ``(id, exact key, simhash, n_tokens)`` drawn from a few 'stories' (hashes a
    few bits apart), with repeated keys; ``id_cycle`` makes ids repeat too."""
    centres = draw(st.lists(st.integers(0, 2**64 - 1), min_size=1, max_size=6))
    items = []
    for i in range(draw(st.integers(1, max_items))):
        h = draw(st.sampled_from(centres))
        for bit in draw(st.lists(st.integers(0, 63), max_size=7)):
            h ^= 1 << bit
        if draw(st.integers(0, 9)) == 0:
            h = 0
        key = str(draw(st.integers(0, 12)))
        rid = f"r{i % id_cycle}" if id_cycle else f"r{i}"
        items.append((rid, key, h, draw(st.sampled_from([0, 3, 4, 9]))))
    return items
