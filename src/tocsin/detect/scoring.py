"""The detector's hot loop: how much of a report's feature weight each live cluster covers.

``accumulate(feats, df, num, g_bg, cap, posts)`` walks the report's features; for each it
computes the capped, smoothed IDF ``k·min(log(num / (df[w] + g_bg)) + 1, cap)`` and adds
``idf·terms[w]`` to every cluster found under ``w`` in the posting indexes ``posts`` (events
first, then candidates: the order scores accumulate in, which breaks ties). It returns those
sums keyed by cluster, in first-seen order, and the report's total weight (the similarity's
denominator).

The other loops the detector runs for every report live here too, for the same reason:

* ``add_weight(table, keys, g)``: ``table[w] = table.get(w, 0.0) + g`` for each key — a
  cluster's profile and the background document frequencies grow this way; returns the
  keys that were new to ``table`` (a profile's new words go into the posting index);
* ``at_least(terms, cut)``: the ``(w, v)`` items of a profile with ``v >= cut`` — event
  profiles hold thousands of words, of which summaries and anchors want the few frequent
  ones;
* ``word_features(tokens, cache, limit, compute, one)``: ``features.word_features``' loop
  over a report's tokens with its per-token cache (see there);
* ``index_terms(postings, words, cid, c, cap)`` and ``unindex_terms(postings, terms, cid)``:
  the posting-index upkeep of ``OnlineDetector._index`` / ``_unindex`` (file a cluster under
  its new words, keeping at most ``cap`` newest per word when ``cap >= 0``; take it out
  again, dropping emptied lists).

Two implementations of each with identical results, bit for bit: a C extension
(``_accumulate``, built by ``pip install`` where a C compiler is present; ``accumulate`` is
about three times faster compiled) and the pure-Python ``*_py`` twins it falls back to.
``TOCSIN_PURE_PYTHON=1`` forces the latter.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
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


_MISSING = object()


def add_weight_py(table: dict[str, float], keys: dict[str, Any], g: float) -> list[str]:
    get = table.get
    fresh = []
    for w in keys:
        v = get(w, _MISSING)
        if v is _MISSING:
            fresh.append(w)
            v = 0.0
        table[w] = v + g
    return fresh


def at_least_py(terms: dict[str, float], cut: float) -> list[tuple[str, float]]:
    return [(w, v) for w, v in terms.items() if v >= cut]


def word_features_py(tokens: list[str], cache: dict[str, tuple[str, ...]], limit: int,
                     compute: Callable[[str], tuple[str, ...]], one: float
                     ) -> dict[str, float]:
    out: dict[str, float] = {}
    get = cache.get
    for t in tokens:
        fs = get(t)
        if fs is None:
            fs = compute(t)
            if len(cache) < limit:
                cache[t] = fs
        for w in fs:
            out[w] = one
    return out


def index_terms_py(postings: dict[str, dict[str, Any]], words: Any, cid: str, c: Any,
                   cap: int) -> None:
    for w in words:
        post = postings.get(w)
        if post is None:
            postings[w] = {cid: c}
            continue
        post[cid] = c
        if cap >= 0 and len(post) > cap:
            del post[next(iter(post))]


def unindex_terms_py(postings: dict[str, dict[str, Any]], terms: dict[str, Any], cid: str
                     ) -> None:
    for w in terms:
        post = postings.get(w)
        if post is not None and post.pop(cid, None) is not None and not post:
            del postings[w]


accumulate = accumulate_py
add_weight = add_weight_py
at_least = at_least_py
word_features = word_features_py
index_terms = index_terms_py
unindex_terms = unindex_terms_py
if not os.environ.get("TOCSIN_PURE_PYTHON"):
    try:
        from ._accumulate import (  # type: ignore[no-redef]  # noqa: F401, F811
            accumulate,
            add_weight,
            at_least,
            index_terms,
            unindex_terms,
            word_features,
        )

        IMPLEMENTATION = "c"
    except ImportError:  # no compiler at install time: the Python twin does the same
        pass
