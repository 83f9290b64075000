"""Deciding that two clusters are one story: shared *specific anchors*.

Online clustering splits a story as it emerges: while nothing is known yet, "Harvey victims",
"Harvey relief" and "#HurricaneHarvey Houston" open parallel candidates that all grow. A
cosine between whole profiles misses that they are one story (their tails differ) and a
shared hazard word would wrongly fuse two concurrent hurricanes. What the fragments share is
an *anchor*: a feature most of their reports carry that is not generic crisis vocabulary —
a name ("harvey"), a place ("houston", or a GeoNames id, which is the same in every
language). Two clusters are one when the anchors of the smaller are (mostly) anchors of the
larger. A candidate joins an event whose primary anchor it carries (a sub-story, "Harvey" +
"Rockport", folds into its story, "Harvey"); two events merge when each one's primary anchor
is an anchor of the other.
"""

from __future__ import annotations

from collections.abc import Callable

from .cluster import Cluster
from .scoring import at_least
from .vocab import GENERIC


def anchors(c: Cluster, min_share: float) -> dict[str, float]:
    """Specific features carried by at least ``min_share`` of the cluster, with their share."""
    if c.n <= 0.0:
        return {}
    cut = min_share * c.n
    out: dict[str, float] = {}
    # (an event profile holds thousands of words, its anchors a handful: the cut first;
    # ``v >= cut`` there is ``not v < cut`` for the finite weights a profile holds)
    for w, v in at_least(c.terms, cut):
        if w in GENERIC:
            continue
        if len(w) > 2 and w[1] == ":" and w[0] != "g":  # only places among non-words
            continue
        out[w] = v / c.n
    return out


def primary(anc: dict[str, float], idf: Callable[[str], float]) -> str | None:
    """The anchor most of the cluster shares (ties: the rarer one) — what the story is about."""
    if not anc:
        return None
    return max(anc, key=lambda w: (round(anc[w], 2), idf(w)))


def same_story(a: dict[str, float], pa: str | None, b: dict[str, float], pb: str | None) -> bool:
    """Two events are one story when each one's primary anchor is an anchor of the other.

    Mutual, so that a big event which picked up a second name along the way ("Harvey" tweets
    that mention "Irma") does not swallow the other storm's event.
    """
    return pa is not None and pb is not None and pa in b and pb in a
