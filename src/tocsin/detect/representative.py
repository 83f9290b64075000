"""Choosing an event's representative report: the one whose text becomes its title.

A title is what a responder reads first, in an alert, a feed, the dashboard. It should be a
report that is *typical* of the event as it is now and that *says something*: "River bursts
its banks in Goma, 40 families displaced", not "wow" or "what is going on in Goma?".

Two measures, both cheap and both bounded:

* **typicality** against the event's current profile: the share of the event's reports
  that carry each of the report's features (decayed, as the profile is), summed and divided
  by the square root of the report's feature count — the cosine of the report's binary
  vector with the profile, up to the profile's own norm, which is the same for every
  report of one event. Off-topic words pull it down; the event's own words, places and
  hazard pull it up. A cosine favours short posts (an aside with the storm's name and
  nothing else has two features, both in every report), so a report is counted as having
  at least ``MIN_KEYS`` features: a title should say something.
* **quality** from what enrichment already knows: the classifier's relevance, a hazard, an
  actionable information type (casualties, damage, needs…), a resolved place, enough
  words; a question or a report the classifier typed ``not_relevant`` loses.

A report that names *another* live event's primary anchor (a call for donations for three
hurricanes at once) is typical of every event it names and the title of none: it
loses ``FOREIGN_PENALTY``. The detector passes the anchors of its open events as they were
when the batch began (so a title, unlike an event's membership, can depend on where a stream
was cut into batches).

The first reports of an event are scored against a profile of a handful of reports, where
almost anything looks typical; so each cluster keeps a small pool (``POOL_SIZE``) of the
best reports offered so far. The title is chosen from the pool, scored again against the
current profile, when a change of the event is announced and the event has a quarter more
reports than when its title was last chosen (``TITLE_REGROWTH``): at its opening, then at
each new stage of the story, never at every batch; reading an event through the API changes
nothing. A report enters the
pool when it beats the pool's weakest entry; per report that costs one lookup per feature.
Its text is made a title (``title.title_text``, no account names or links) when the event is
next announced, not on the per-report path: a report's raw text stays in a pool only until the
end of its batch, or while its cluster is a candidate (forgotten a day after the last report
it took, ``candidate_ttl``), and never reaches a snapshot.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from ..model import Report
from .scoring import profile_sum
from .title import title_text

#: reports a cluster keeps as title candidates
POOL_SIZE = 6
#: information types that tell a responder something they can act on
ACTIONABLE = frozenset({
    "casualties", "missing_or_found", "displacement", "infrastructure_damage",
    "urgent_needs", "relief_efforts", "caution_and_advice",
})
#: the fewest features a report counts as having in ``typicality`` (a content-word tweet
#: has ten to fifteen; set a priori)
MIN_KEYS = 8
#: the weight of quality against typicality (set a priori: quality ranges over about
#: [-0.6, 1.8], typicality over about [0.2, 1.5] for reports of one event)
QUALITY_WEIGHT = 0.5
#: a title is chosen again once the event has this many times the reports it had when its
#: title was last chosen: a title that changed with every batch would be noise to its
#: readers, and a quarter more reports is a new stage of the story (set a priori)
TITLE_REGROWTH = 1.25
#: the highest ``report_quality`` (relevance 1, a hazard, an actionable type, a place, 20
#: words): a report whose typicality plus this cannot enter a pool is not scored further
MAX_QUALITY = 1.0 + 0.3 + 0.3 + 0.2 + 0.2
#: what naming another open event's primary anchor costs (set a priori: more than the whole
#: quality advantage one report can have over another)
FOREIGN_PENALTY = 1.0


def names_other(keys: Any, foreign: frozenset[str], own: dict[str, float]) -> bool:
    """Does a report with these features name an anchor of another event (one in
    ``foreign`` that is not among the event's own identity anchors ``own``)?"""
    if not foreign or foreign.isdisjoint(keys):
        return False
    return any(w not in own for w in foreign.intersection(keys))


def report_quality(r: Report, has_place: bool) -> float:
    """How much a report says, from the enrichment's verdicts (higher is better; at most
    ``MAX_QUALITY``)."""
    q = 0.5 if r.relevance is None else r.relevance
    if r.hazard and r.hazard not in ("none", "other"):
        q += 0.3
    info = r.info_type
    if info in ACTIONABLE:
        q += 0.3
    elif info == "not_relevant":
        q -= 0.3
    if has_place:
        q += 0.2
    q += min(len(r.tokens), 20) * 0.01
    if "?" in r.text:
        q -= 0.3
    return q


def typicality(keys: Any, terms: dict[str, float], n: float) -> float:
    """The share of the profile's reports carrying each key, summed, over the square root
    of the number of keys (at least ``MIN_KEYS``)."""
    if n <= 0.0 or not keys:
        return 0.0
    # (compiled, ``scoring.profile_sum``: this runs for every report an event takes)
    return profile_sum(keys, terms) / n / math.sqrt(max(len(keys), MIN_KEYS))


@dataclass(slots=True, eq=False)
class TitleCandidate:
    """A report in the title pool. ``text`` is the report's normalised text until the
    pool is next scored, then its title (``title.title_text``: no account names, no links);
    ``clean`` says which. Cleaning at scoring time keeps the regexes of ``title_text`` off
    the per-report path."""

    score: float  # typicality when last scored + QUALITY_WEIGHT x quality (- penalty)
    quality: float
    text: str
    keys: tuple[str, ...]
    report_id: str
    clean: bool = False

    def title(self) -> str:
        """Its title text (cleaned once, on first use; may be empty: links only)."""
        if not self.clean:
            self.text, self.clean = title_text(self.text), True
        return self.text

    def to_state(self) -> list[Any]:
        return [self.score, self.quality, self.title(), list(self.keys), self.report_id]

    @classmethod
    def from_state(cls, d: list[Any]) -> TitleCandidate:
        return cls(float(d[0]), float(d[1]), str(d[2]), tuple(d[3]), str(d[4]), clean=True)


_score = attrgetter("score")


def offer(pool: list[TitleCandidate], cand: TitleCandidate) -> float:
    """Put a candidate in the pool if there is room or it beats the weakest entry (which it
    replaces). Returns the pool's floor: the score a report must beat to enter it (-inf
    while there is room)."""
    if len(pool) < POOL_SIZE:
        pool.append(cand)
    else:
        weakest = min(pool, key=_score)  # (the first of equals, as a scan would find)
        if cand.score > weakest.score:
            pool[pool.index(weakest)] = cand
    return floor(pool)


def floor(pool: list[TitleCandidate]) -> float:
    """The score a report must beat to enter the pool (-inf while there is room)."""
    return min(map(_score, pool)) if len(pool) >= POOL_SIZE else -math.inf


def rescore(pool: list[TitleCandidate], terms: dict[str, float], n: float,
            foreign: frozenset[str] = frozenset(), own: dict[str, float] | None = None
            ) -> TitleCandidate | None:
    """Score every entry against the current profile; the best entry with a title (None:
    none has one). Entries whose text leaves no title once cleaned are dropped."""
    clean(pool)  # (no raw text outlives the batch in an event's pool)
    own = own or {}
    for c in pool:
        c.score = typicality(c.keys, terms, n) + QUALITY_WEIGHT * c.quality
        if names_other(c.keys, foreign, own):
            c.score -= FOREIGN_PENALTY
    return max(pool, key=_score, default=None)  # (the first of equals)


def clean(pool: list[TitleCandidate]) -> None:
    """Make every entry's text a title (``title.title_text``), dropping those left empty
    (links and mentions only): done at each announced change, so that no raw text stays in
    an event's pool past its batch."""
    pool[:] = [c for c in pool if c.title()]


def merged(a: list[TitleCandidate], b: list[TitleCandidate]) -> list[TitleCandidate]:
    """The best ``POOL_SIZE`` entries of two pools (on their last scores)."""
    return sorted(a + b, key=lambda c: -c.score)[:POOL_SIZE]
