"""The state of one cluster — a candidate or an event — and how a report updates it.

A cluster holds two kinds of state: the *profile* used for matching (decayed term weights,
kept on the shared forward-decay scale of ``decay.Clock``) and the *aggregates* users see
(counts by info type, needs, places, languages, sources). Aggregates are exact counts, never
decayed: "312 reports" means 312 reports.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import islice
from math import sqrt
from typing import Any

from ..model import EventStatus, Report, Tier
from .dense import add_vector, vector_from_state, vector_to_state
from .features import usable_places
from .geo import COARSE
from .representative import (
    FOREIGN_PENALTY,
    MAX_QUALITY,
    MIN_KEYS,
    POOL_SIZE,
    QUALITY_WEIGHT,
    TITLE_REGROWTH,
    TitleCandidate,
    clean,
    floor,
    merged,
    offer,
    report_quality,
    rescore,
)
from .scoring import CANDIDATE, add_weight, profile_sum
from .title import title_text
from .vocab import CRISIS

#: closed spells a cluster remembers (``Cluster.dormant``): an event closes and re-opens a
#: few times in its life at most; the oldest spells matter least
DORMANT_SPELLS = 4


def crisis_cue(r: Report, feats: dict[str, float]) -> bool:
    """Does this report say something bad happened? The classifier's word when it spoke."""
    if r.relevant is not None:
        return r.relevant
    if r.hazard and r.hazard != "none":
        return True
    return any(w in CRISIS for w in feats)


@dataclass(slots=True, eq=False)  # identity hash: the detector keys dicts by cluster
class Cluster:
    id: str
    created: float
    last: float
    status: str = CANDIDATE  # "candidate" or an EventStatus value
    # profile (forward-decayed: divide by Clock.g(t) for "documents as of t")
    terms: dict[str, float] = field(default_factory=dict)
    n: float = 0.0
    last_g: float = 1.0  # decay weight of the last report: shrinkage is relative to it
    # aggregates
    report_count: int = 0
    unique_count: int = 0  # reports that are not duplicates of an earlier one
    sources: set[str] = field(default_factory=set)
    crisis: int = 0  # original reports with a crisis cue (relevant, hazard, crisis word)
    authored: int = 0  # reports carrying an author pseudonym (corroboration is checkable)
    #: organisational sources (configured agency feeds) among the sources: corroboration
    org_sources: set[str] = field(default_factory=set)
    languages: Counter[str] = field(default_factory=Counter)
    info: Counter[str] = field(default_factory=Counter)
    needs: Counter[str] = field(default_factory=Counter)
    hazards: Counter[str] = field(default_factory=Counter)
    top_hazard: str | None = None
    hazard_total: int = 0
    #: gid -> [n, name, lat, lon, country, admin1, feature]
    places: dict[str, list[Any]] = field(default_factory=dict)
    main_place: str | None = None  # geonameid mentioned by most reports
    #: first-level regions ("US.TX") named by its original reports, once per report
    regions: Counter[str] = field(default_factory=Counter)
    placed: int = 0  # original reports naming at least one specific place
    rate: float = 0.0  # reports, decayed with a one-hour half-life (growth rate)
    rate_t: float = 0.0
    #: the representative report's text (without the accounts it names) and id: the best
    #: of ``title_pool`` when the event was last announced (``pick_title``)
    title: str = ""
    title_id: str | None = None
    #: the title candidates, at most ``representative.POOL_SIZE``, and the score a report
    #: must beat to join them (see representative.py)
    title_pool: list[TitleCandidate] = field(default_factory=list)
    title_floor: float = float("-inf")
    #: its report count when its title was last chosen (``pick_title``)
    title_picked_at: int = 0
    #: (open events' anchors, this event's identity, the anchors that are not its own):
    #: what ``_offer_title`` tests reports against, kept while both stay the same objects
    title_foreign: tuple[frozenset[str], dict[str, float], frozenset[str]] | None = None
    #: (report id, fallback event id or None, whether the report *joined* the candidate —
    #: the fallback is then the event it also matched, not a weak match it fell short of),
    #: kept while a candidate
    members: list[tuple[str, str | None, bool]] = field(default_factory=list)
    tier: str = Tier.ROUTINE.value
    severity: float = 0.0
    merged_into: str | None = None
    closed_at: float | None = None
    #: its latest spells of being closed, [closed at, re-opened at (None: still closed)],
    #: oldest first, at most ``DORMANT_SPELLS``: an event born during one is a new incident,
    #: never a fragment of this one (the merge pass)
    dormant: list[list[float | None]] = field(default_factory=list)
    #: the anchors the event was known by when it matured, and its primary: what a report
    #: must name to reshape the event's vocabulary or to re-open it once closed
    identity: dict[str, float] = field(default_factory=dict)
    identity_primary: str | None = None
    #: accurate mode: the decayed sum of the embeddings of the reports that shaped the
    #: profile (same weights as ``terms``); its direction is the cluster's representative
    #: embedding (``dense.py``). None where no report carried one (fast mode).
    emb: Any = None
    emb_count: int = 0  # reports summed into ``emb``

    def fall_dormant(self, now: float) -> None:
        """It closed at ``now``: a spell of being closed begins."""
        self.dormant.append([now, None])
        del self.dormant[:-DORMANT_SPELLS]

    def wake(self, now: float) -> None:
        """A closed event re-opened at ``now``: its spell of being closed ends."""
        if self.dormant and self.dormant[-1][1] is None:
            self.dormant[-1][1] = now

    def was_closed_at(self, t: float) -> bool:
        """Was this event closed at stream time ``t`` (in one of the spells it remembers)?"""
        return any(s <= t and (e is None or t <= e) for s, e in self.dormant)

    @property
    def is_event(self) -> bool:
        return self.status != CANDIDATE

    @property
    def is_open(self) -> bool:
        return self.status in (
            EventStatus.EMERGING.value,
            EventStatus.ACTIVE.value,
            EventStatus.COOLING.value,
        )

    def main_spot(self, min_share: float = 0.0) -> tuple[Any, ...] | None:
        """(lat, lon, country, admin1, feature) of the main place, if enough reports name it."""
        e = self.places.get(self.main_place or "")
        if e is None or e[0] < min_share * self.unique_count:
            return None
        return (e[2], e[3], e[4], e[5], e[6])

    def main_region(self, min_placed: int, min_share: float) -> str | None:
        """The first-level region most of its placed reports name, if one dominates."""
        if self.placed < min_placed or not self.regions:
            return None
        reg, k = self.regions.most_common(1)[0]
        return reg if k >= min_share * self.placed else None

    def dominant_hazard(self, min_share: float = 0.0) -> str | None:
        """Most reported hazard; None unless it has ``min_share`` of the hazard labels.

        Kept incrementally (``top_hazard``): this is asked for every scored cluster.
        """
        h = self.top_hazard
        if h is None:
            return None
        if min_share and self.hazards[h] < min_share * self.hazard_total:
            return None
        return h

    def _recount_hazards(self) -> None:
        self.hazard_total = sum(self.hazards.values())
        self.top_hazard = self.hazards.most_common(1)[0][0] if self.hazards else None

    def add(self, r: Report, feats: dict[str, float], t: float, g: float,
            shape: bool = True, profile: bool = True, places: list | None = None,
            foreign: frozenset[str] = frozenset()) -> Sequence[str]:
        """Fold one report into the aggregates and, unless it is a copy, the profile.

        Copies (``duplicate_of`` set) count to volume only: a retweet storm must neither
        rewrite the event's vocabulary nor pass for corroboration. ``shape=False`` (a report
        the classifier judged not relevant, admitted on strong similarity) counts likewise.
        ``profile=False`` counts the report fully but leaves the vocabulary alone (a report
        that does not name the event's story: see ``OnlineDetector`` on drift).
        ``foreign``: the primary anchors of the open events, which a title candidate had
        better not name unless they are this event's own (representative.py).

        Returns the features that are new to the profile, in order (what the posting index
        must learn); none when the profile was left alone.
        """
        original = r.duplicate_of is None and shape
        new_terms: Sequence[str] = ()
        if original and profile:
            # terms[w] += g for each feature (compiled: every report)
            new_terms = add_weight(self.terms, feats, g)
            self.n += g
            self.last_g = g
            if r.embedding is not None:
                self.emb = add_vector(self.emb, r.embedding, g)
                self.emb_count += 1
        if t > self.last:
            self.last = t
        self.report_count += 1
        # rate: one-hour half-life counter, updated lazily
        dt = t - self.rate_t
        if dt > 0.0:
            self.rate = self.rate * 0.5 ** (dt / 3600.0) + 1.0
            self.rate_t = t
        else:
            self.rate += 1.0
        if original:
            self.unique_count += 1
            self.sources.add(r.author_key or r.source)
            if r.extra.get("org"):
                self.org_sources.add(r.source)
            if crisis_cue(r, feats):
                self.crisis += 1
            if r.author_key:
                self.authored += 1
            if profile:
                # a title candidate, if typical and telling enough (representative.py;
                # titles never name the accounts a post names: see title.py); a report
                # that does not name the event's story (``profile=False``) titles nothing.
                # ``typicality(feats, self.terms, self.n)``, inline: every report runs it
                k = len(feats)
                typ = profile_sum(feats, self.terms) / self.n / sqrt(
                    k if k > MIN_KEYS else MIN_KEYS) if self.n > 0.0 else 0.0
                if typ + QUALITY_WEIGHT * MAX_QUALITY > self.title_floor:
                    self._offer_title(r, feats, typ, places, foreign)
        if r.lang:
            self.languages[r.lang] += 1
        if r.info_type:
            self.info[r.info_type] += 1
        for need in r.needs:
            self.needs[need] += 1
        if r.hazard and r.hazard not in ("none", "other"):
            k = self.hazards[r.hazard] = self.hazards[r.hazard] + 1
            self.hazard_total += 1
            if self.top_hazard is None or k > self.hazards[self.top_hazard]:
                self.top_hazard = r.hazard
        if places is None:
            places = usable_places(r)
        if original and places:
            # an ordered set (not a set): the Counter's insertion order breaks ties in
            # ``main_region``, and a set's order of strings changes with PYTHONHASHSEED
            regs = dict.fromkeys(f"{p.country}.{p.admin1}" for p in places
                                 if p.country and p.admin1 and p.feature not in COARSE)
            if regs:
                self.placed += 1
                regions = self.regions
                for reg in regs:
                    regions[reg] += 1
        for p in places:
            key = str(p.geonameid)
            entry = self.places.get(key)
            if entry is None:
                entry = self.places[key] = [1, p.name or p.phrase, p.lat, p.lon, p.country,
                                            p.admin1, p.feature]
            else:
                entry[0] += 1
            main = self.places.get(self.main_place) if self.main_place else None
            if main is None or entry[0] > main[0]:
                self.main_place = key
        return new_terms

    def absorb(self, other: Cluster) -> None:
        """Merge ``other`` into this cluster (both profiles on the same decay scale)."""
        for w, v in other.terms.items():
            self.terms[w] = self.terms.get(w, 0.0) + v
        self.n += other.n
        self.last_g = max(self.last_g, other.last_g)
        self.created = min(self.created, other.created)
        self.last = max(self.last, other.last)
        self.report_count += other.report_count
        self.unique_count += other.unique_count
        self.sources |= other.sources
        self.org_sources |= other.org_sources
        self.authored += other.authored
        self.crisis += other.crisis
        self.languages.update(other.languages)
        self.info.update(other.info)
        self.needs.update(other.needs)
        self.hazards.update(other.hazards)
        self._recount_hazards()
        self.regions.update(other.regions)
        self.placed += other.placed
        for k, e in other.places.items():
            mine = self.places.get(k)
            if mine is None:
                self.places[k] = list(e)
            else:
                mine[0] += e[0]
        if self.places:
            # the first place with the highest count (as ``max`` would pick), without a
            # key function call per place
            counts = [e[0] for e in self.places.values()]
            i = counts.index(max(counts))
            self.main_place = next(islice(self.places, i, None))
        self.rate += other.rate
        if other.emb is not None:
            self.emb = add_vector(self.emb, other.emb, 1.0)
            self.emb_count += other.emb_count
        # (its title is chosen again when the merged event is next announced)
        self.title_pool = merged(self.title_pool, other.title_pool)
        self.title_floor = floor(self.title_pool)
        self.members.extend(other.members)

    def _offer_title(self, r: Report, feats: dict[str, float], typ: float,
                     places: list | None, foreign: frozenset[str]) -> None:
        """Offer a report of typicality ``typ`` to the title pool (``add``)."""
        q = report_quality(r, bool(usable_places(r) if places is None else places))
        score = typ + QUALITY_WEIGHT * q
        if score <= self.title_floor:
            return
        # ``names_other(feats, foreign, self.identity)``, with the difference kept
        fc = self.title_foreign
        if fc is None or fc[0] is not foreign or fc[1] is not self.identity:
            fc = self.title_foreign = (foreign, self.identity,
                                       foreign.difference(self.identity))
        if not fc[2].isdisjoint(feats):
            score -= FOREIGN_PENALTY
            if score <= self.title_floor:
                return
        self.title_floor = offer(self.title_pool, TitleCandidate(
            score, q, r.norm_text or r.text, tuple(feats), r.id))

    def pick_title(self, foreign: frozenset[str] = frozenset()) -> None:
        """Choose the title again if the event has grown by ``TITLE_REGROWTH`` since it was
        last chosen (or has none): the pool's best against the profile as it is now
        (``foreign``: the primary anchors of the open events). An empty pool (an old
        snapshot) keeps the title as it is."""
        clean(self.title_pool)  # (every announced change: no raw text outlives the batch)
        if self.title_id is None or self.report_count >= TITLE_REGROWTH * self.title_picked_at:
            best = rescore(self.title_pool, self.terms, self.n, foreign, self.identity)
            if best is not None:
                self.title, self.title_id = best.title(), best.report_id
                self.title_picked_at = self.report_count
        self.title_floor = floor(self.title_pool)

    def prune_places(self, keep: int) -> None:
        """Bound memory: keep the ``keep`` most-mentioned places."""
        if len(self.places) > keep:
            top = sorted(self.places.items(), key=lambda kv: -kv[1][0])[:keep]
            self.places = dict(top)
            self.main_place = top[0][0]

    # --- snapshot -----------------------------------------------------------------------
    def to_state(self) -> dict[str, Any]:
        return {
            "id": self.id, "created": self.created, "last": self.last, "status": self.status,
            "terms": self.terms, "n": self.n, "last_g": self.last_g,
            "report_count": self.report_count, "unique_count": self.unique_count,
            "sources": sorted(self.sources), "org_sources": sorted(self.org_sources),
            "authored": self.authored, "crisis": self.crisis,
            "languages": dict(self.languages),
            "info": dict(self.info), "needs": dict(self.needs), "hazards": dict(self.hazards),
            "places": self.places, "regions": dict(self.regions), "placed": self.placed,
            "main_place": self.main_place, "rate": self.rate, "rate_t": self.rate_t,
            "title": self.title, "title_id": self.title_id,
            "title_picked_at": self.title_picked_at,
            "title_pool": [e.to_state() for e in self.title_pool],
            "members": self.members,
            "tier": self.tier, "severity": self.severity, "merged_into": self.merged_into,
            "closed_at": self.closed_at, "dormant": self.dormant,
            "identity": self.identity,
            "identity_primary": self.identity_primary,
            "emb": vector_to_state(self.emb), "emb_count": self.emb_count,
        }

    @classmethod
    def from_state(cls, d: dict[str, Any]) -> Cluster:
        c = cls(id=d["id"], created=d["created"], last=d["last"], status=d["status"])
        c.terms = dict(d["terms"])
        c.n, c.last_g = d["n"], d["last_g"]
        c.report_count, c.unique_count = d["report_count"], d["unique_count"]
        c.sources = set(d["sources"])
        c.org_sources = set(d.get("org_sources", ()))
        c.authored, c.crisis = d["authored"], d["crisis"]
        c.languages = Counter(d["languages"])
        c.info, c.needs, c.hazards = Counter(d["info"]), Counter(d["needs"]), Counter(d["hazards"])
        c._recount_hazards()
        c.places = {k: list(v) for k, v in d["places"].items()}
        c.main_place = d["main_place"]
        c.regions, c.placed = Counter(d["regions"]), d["placed"]
        c.rate, c.rate_t = d["rate"], d["rate_t"]
        # (a state saved before titles were cleaned may hold a retweet prefix or mentions)
        c.title, c.title_id = title_text(d["title"]), d.get("title_id")
        c.title_picked_at = int(d.get("title_picked_at", 0))
        # (a state saved before title pools has none: its title stays until one fills)
        c.title_pool = [TitleCandidate.from_state(e) for e in d.get("title_pool", ())
                        ][:POOL_SIZE]
        c.title_floor = floor(c.title_pool)
        c.members = [(m[0], m[1], bool(m[2]) if len(m) > 2 else False) for m in d["members"]]
        c.tier, c.severity = d["tier"], d["severity"]
        c.merged_into, c.closed_at = d["merged_into"], d["closed_at"]
        c.dormant = [[s, e] for s, e in d.get("dormant", ())]
        c.identity, c.identity_primary = dict(d["identity"]), d["identity_primary"]
        c.emb, c.emb_count = vector_from_state(d.get("emb")), int(d.get("emb_count", 0))
        return c
