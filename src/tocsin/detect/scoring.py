"""The detector's hot loop: how much of a report's feature weight each live cluster covers.

``accumulate(feats, df, num, g_bg, cap, posts)`` walks the report's features; for each it
computes the capped, smoothed IDF ``k·min(log(num / (df[w] + g_bg)) + 1, cap)`` and adds
``idf·terms[w]`` to every cluster found under ``w`` in the posting indexes ``posts`` (events
first, then candidates: the order scores accumulate in, which breaks ties). It returns those
sums keyed by cluster, in first-seen order, and the report's total weight (the similarity's
denominator).

Two implementations with identical results, bit for bit: a C extension (``_accumulate``,
built by ``pip install`` where a C compiler is present; about three times faster) and the
pure-Python ``accumulate_py`` it falls back to. ``TOCSIN_PURE_PYTHON=1`` forces the latter.
"""

from __future__ import annotations

import math
import os
from typing import Any

#: which implementation ``accumulate`` is: "c" or "python"
IMPLEMENTATION = "python"


def accumulate_py(feats: dict[str, float], df: dict[str, float], num: float, g_bg: float,
                  cap: float, posts: tuple[dict[str, dict[str, Any]], ...]
                  ) -> tuple[dict[Any, float], float]:
    acc: dict[Any, float] = {}
    get = acc.get
    denom = 0.0
    log, df_get = math.log, df.get
    post_gets = tuple(p.get for p in posts)
    for w, k in feats.items():
        x = log(num / (df_get(w, 0.0) + g_bg)) + 1.0
        x = k * (x if x < cap else cap)
        denom += x
        for post_get in post_gets:
            post = post_get(w)
            if post:
                for c in post.values():
                    v = c.terms.get(w)
                    if v:
                        acc[c] = get(c, 0.0) + x * v
    return acc, denom


accumulate = accumulate_py
if not os.environ.get("TOCSIN_PURE_PYTHON"):
    try:
        from ._accumulate import accumulate  # type: ignore[no-redef]  # noqa: F401, F811

        IMPLEMENTATION = "c"
    except ImportError:  # no compiler at install time: the Python twin does the same
        pass
