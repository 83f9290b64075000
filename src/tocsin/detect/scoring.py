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
* ``profile_sum(keys, terms)``: the sum of ``terms[w]`` over the keys found in ``terms``
  (a title candidate's typicality, for every report an event takes: representative.py);
* ``at_least(terms, cut)``: the ``(w, v)`` items of a profile with ``v >= cut`` — event
  profiles hold thousands of words, of which summaries and anchors want the few frequent
  ones;
* ``word_features(tokens, cache, limit, compute, one)``: ``features.word_features``' loop
  over a report's tokens with its per-token cache (see there);
* ``index_terms(postings, words, cid, c, cap)`` and ``unindex_terms(postings, terms, cid)``:
  the posting-index upkeep of ``OnlineDetector._index`` / ``_unindex`` (file a cluster under
  its new words, keeping at most ``cap`` newest per word when ``cap >= 0``; take it out
  again, dropping emptied lists).
* ``best_match(acc, denom, feats, now, hz, pts, params)``: the rest of
  ``OnlineDetector._assign``, its walk over ``accumulate``'s sums — similarity, penalties
  (missing anchor, hazard mismatch, far place, staleness) and the running best match and
  best weak event match; returns ``(best, best_sim, weak, weak_sim)``. ``pts``: the report's
  places as ``(geonameid, spot)`` pairs, or None when it has none;
* ``names_story(c, feats)``: does the report name the event's story (an identity anchor or
  one of its main places)? (``OnlineDetector._names_story``; ``best_match`` asks it of a
  closed event);
* ``far(pts, c, radius_km)``: no place of the report is the cluster's or near its main place
  (``best_match``'s place penalty).

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

from .geo import Spot, near, specific

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


def profile_sum_py(keys: Any, terms: dict[str, float]) -> float:
    get = terms.get
    s = 0.0
    for w in keys:
        v = get(w)
        if v is not None:
            s += v
    return s


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


#: cluster statuses ``best_match`` tells apart: a candidate's (defined here, and imported by
#: cluster.py, which this module cannot import) and ``EventStatus.CLOSED.value``
CANDIDATE = "candidate"
CLOSED = "closed"


def names_story_py(c: Any, feats: dict[str, float]) -> bool:
    """Does the report name the event's story (an identity anchor, or one of its places)?"""
    if not c.identity:
        return True
    ident, places, cut = c.identity, c.places, 0.1 * c.unique_count
    for w in feats:
        if w in ident:
            return True
        if w[:2] == "g:":
            e = places.get(w[2:])
            if e is not None and e[0] >= cut:  # one of its main places
                return True
    return False


def far_py(pts: list[tuple[str, Spot]], c: Any, radius_km: float) -> bool:
    """True when no place of the report is the cluster's or near its main place."""
    main = c.main_spot()
    if main is None or not specific(main):
        return False
    for gid, spot in pts:
        if gid in c.places or near(spot, main, radius_km):
            return False
    return True


def match_params(cfg: Any, hazard_share: float) -> tuple:
    """``best_match``'s ``params`` from a ``DetectorConfig`` (and the share of its hazard
    labels that makes a cluster's hazard count)."""
    return (cfg.prior_docs, cfg.stale_after, cfg.stale_half_life, cfg.candidate_join_threshold,
            cfg.missing_anchor if cfg.missing_anchor < 1.0 else None, hazard_share,
            cfg.hazard_mismatch, cfg.place_mismatch, cfg.weak_threshold, cfg.place_radius_km)


def best_match_py(acc: dict[Any, float], denom: float, feats: dict[str, float], now: float,
                  hz: str | None, pts: list[tuple[str, Spot]] | None, params: tuple
                  ) -> tuple[Any, float, Any, float]:
    """``params``: see ``match_params``."""
    (prior, stale_after, stale_half_life, cand_need, missing, hazard_share, hazard_mismatch,
     place_mismatch, weak_sim, radius_km) = params
    best, best_sim = None, 0.0
    weak = None
    for c, a in acc.items():
        norm = (c.n + prior * c.last_g) * denom
        if norm <= 0.0:
            continue
        sim = a / norm
        status = c.status
        is_ev = status != CANDIDATE
        # penalties only lower a score: skip them for clusters that cannot win anything
        # (a candidate below its own join threshold, or anything below both the best
        # and, for an event, the weak threshold)
        if is_ev:
            if sim <= best_sim and sim <= weak_sim:
                continue
        elif sim < cand_need or sim <= best_sim:
            continue
        if status == CLOSED and not names_story_py(c, feats):
            continue  # re-opening a closed story takes its name or one of its places
        if is_ev and missing is not None:
            p = c.identity_primary
            if p is not None and p not in feats:
                m = 1.0 - c.terms.get(p, 0.0) / c.n
                sim *= m if m > missing else missing  # max(missing, m), inlined
        if hz is not None:
            # c.dominant_hazard(hazard_share), inlined
            dh = c.top_hazard
            if dh is not None and dh != hz and c.hazards[dh] >= hazard_share * c.hazard_total:
                sim *= hazard_mismatch
        if pts is not None and c.main_place is not None and far_py(pts, c, radius_km):
            sim *= place_mismatch
        quiet = now - c.last
        if quiet > stale_after:
            sim *= 0.5 ** ((quiet - stale_after) / stale_half_life)
        if is_ev:
            if sim > weak_sim:
                weak, weak_sim = c, sim
        elif sim < cand_need:
            continue  # growing a new story takes more than joining an established one
        if sim > best_sim:
            best, best_sim = c, sim
    return best, best_sim, weak, weak_sim


accumulate = accumulate_py
add_weight = add_weight_py
profile_sum = profile_sum_py
at_least = at_least_py
best_match = best_match_py
names_story = names_story_py
far = far_py
word_features = word_features_py
index_terms = index_terms_py
unindex_terms = unindex_terms_py
if not os.environ.get("TOCSIN_PURE_PYTHON"):
    try:
        from ._accumulate import (  # type: ignore[no-redef]  # noqa: F401, F811
            accumulate,
            add_weight,
            at_least,
            best_match,
            far,
            index_terms,
            names_story,
            profile_sum,
            unindex_terms,
            word_features,
        )

        IMPLEMENTATION = "c"
    except ImportError:  # no compiler at install time: the Python twin does the same
        pass
