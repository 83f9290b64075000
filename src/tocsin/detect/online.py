"""The online clusterer: each report joins the most similar live cluster or opens a candidate.

Why this shape:

* **Bounded cost.** A report is scored only against clusters that share one of its features,
  found through two inverted indexes: one over events (open, or closed but still retained)
  and one over candidates, whose posting lists keep only the newest few per feature. Closed
  events leave memory after ``retain_closed``, candidates after ``candidate_ttl``, and
  decayed words leave the background table at each clock rebase, so neither cost per report
  nor memory grows with history.
* **Similarity = idf-weighted coverage.** ``sim(r, c) = Σ_w idf(w)·k(w)·P(w|c) / Σ_w
  idf(w)·k(w)`` where ``P(w|c)`` is the time-decayed share of the cluster's reports that carry
  feature ``w`` (shrunk towards zero by ``prior_docs`` pseudo-reports) and ``k`` the feature
  kind's weight. Unlike a cosine against a centroid, it does not punish a big event for
  having a broad vocabulary, so a short post ("Praying for Houston #Harvey") still finds the
  event of thousands it belongs to instead of splintering into a new fragment.
* **Candidates before events.** A report that matches nothing opens a *candidate*; it becomes
  an event (``NEW``) only once ``promote_reports`` distinct reports (and, when authors are
  known, ``promote_sources`` independent sources) joined it, it has a newsworthy anchor and
  a crisis cue, and it is not a sub-story of a live event (then it is folded into that
  event). Its earlier reports are back-filled into the event (``drain_backfill``).
* **No hazard, no new story.** A report in which the classifier found no hazard (and whose
  relevance it was unsure of, or which it typed "not_relevant") may join an event but never
  opens or grows a candidate: city small talk would otherwise become a "story" before any
  disaster there. Nor does a weak match land it in an event later.
* **Tentative members.** A report that matches an event only weakly opens its own candidate
  (a new story may start with it) and falls back to that event if the candidate dies: recall
  without letting weak matches steer anything. A report that joins a candidate remembers the
  event it also matched: a *generic* candidate (no name of its own: "hurricane" talk) can
  never become an event, and its reports land in that event instead of nowhere.
* **Drift control.** A mature event keeps an *identity* (the anchors it was known by); only
  reports that name it reshape its vocabulary, a report lacking its primary anchor is scored
  down, and only a report that names it re-opens it once closed. Without this, successive
  hurricanes chain into one event through the words all hurricanes share.
* **Story shift.** An event that existed for a while and is then swamped, within an hour,
  by several times as many reports as it ever had (marathon-morning "Boston" chatter, then
  the bombing) carries on under a new id announced NEW; the prelude stays a closed event.
* **Merges** repair the fragments that online decisions inevitably make: every
  ``merge_every`` reports (and at least every ``merge_interval`` of stream time), events that
  share their primary anchors (mutually) or their scene, or a smaller event that carries a
  larger one's name and no name of its own (a sub-story), merge into the older one, which
  keeps its id; the other keeps a pointer (status MERGED, ``merged_into``). An event born
  while the other was closed is a new incident and never merges into it.
"""

from __future__ import annotations

import heapq
import json
import zlib
from collections import Counter, OrderedDict, deque
from datetime import datetime
from typing import Any

import xxhash

from ..model import ChangeKind, Event, EventChange, EventStatus, Report, Tier
from .cluster import CANDIDATE, Cluster
from .config import HOUR, DetectorConfig
from .decay import Clock, DocFreq
from .dense import cross_lingual_match
from .features import report_features, split_compound_df, usable_places
from .geo import near, specific
from .merge import anchors, primary, same_story
from .novelty import newsworthy
from .scores import (
    build_event,
    growth_rate,
    highest_tier,
    severity,
    severity_and_tier,
    tier_of,
    to_ts,
)
from .scoring import (
    accumulate,
    best_match,
    index_terms,
    match_params,
    names_story,
    unindex_terms,
)

SNAPSHOT_VERSION = 3  # 2: identity, regions, hazard counters, absorbed ids; 3: the state
#: that decisions read besides the clusters (retry sizes, anchor and hashtag-split caches)
_CLOSED = EventStatus.CLOSED.value
_COOLING = EventStatus.COOLING.value
_MERGED = EventStatus.MERGED.value
_TIER_RANK = {Tier.ROUTINE.value: 0, Tier.URGENT.value: 1, Tier.FLASH.value: 2}
#: bounded memories (ids only): duplicates -> cluster, events ever promoted, evicted summaries
_RECENT_REPORTS = 50_000
_ARCHIVE = 5_000
#: features kept per event profile before pruning (memory bound for month-long events)
_MAX_TERMS = 40_000
_ABSORBED = 500_000
#: merge pointers kept in memory (the oldest go first; the store records every merge)
_POINTERS = 500_000
_BACKFILL = 200_000
#: a region defines a cluster's scene when this share of its (at least this many) placed
#: reports name it
_REGION_SHARE = 0.5
_REGION_MIN_PLACED = 5
#: a cluster's hazard counts (for penalties and merge vetoes) only when this share of its
#: hazard labels agree: per-report hazard labels are noisy (a bombing read as "earthquake")
_HAZARD_SHARE = 0.6
#: an event's identity anchors follow it until it has this many original reports
_IDENTITY_FREEZE = 100
#: a new event's newsworthy anchor must be carried by at least half of its reports
_NEWS_SHARE = 0.5
#: share of a cluster's reports naming its main place for that place to define its scene
_SCENE_SHARE = 0.2
#: both halves of a split hashtag must appear in this many recent (decayed) reports
_SPLIT_MIN_DOCS = 3.0
#: hazards of one family count as one kind of disaster for merges and folds: a storm floods
#: and sets off landslides, and per-report labels split one storm's reports between "storm"
#: and "flood" (a flood event whose reports say "storm" 60 % of the time is still a flood)
_FAMILY = {"storm": "hydromet", "flood": "hydromet", "landslide": "hydromet"}


def _reborn(c: Cluster, start: float, window: float) -> bool:
    """Does a burst that began at ``start`` follow right on (within ``window``) a report that
    re-opened ``c`` from closed, ``c`` being an event known only by a place (its identity's
    primary is a place: "Mexico", not "Harvey")? Then it is a new incident at that place,
    not the old story coming back: a named storm's late reports name their storm, and a
    story that merely resumes does not resume with a burst."""
    if not c.dormant:
        return False
    closed, woke = c.dormant[-1]
    return (woke is not None and closed <= start <= woke + window
            and c.identity_primary is not None and _place_anchor(c, c.identity_primary))


def _born_while_closed(a: Cluster, b: Cluster) -> bool:
    """Was the younger of two events born while the older one was closed? Then it is a new
    incident, not a fragment of the older one's story, whatever they share: fragments of a
    story emerge side by side while it runs, and a closed event's story had ended (the
    Mexico City earthquake of 19 September 2017 next to a closed event about the Chiapas
    earthquake eleven days earlier; both are "Mexico" earthquakes)."""
    old, young = (a, b) if (a.created, a.id) <= (b.created, b.id) else (b, a)
    return old.was_closed_at(young.created)


def _place_anchor(c: Cluster, w: str) -> bool:
    """Is anchor ``w`` one of the cluster's places (a GeoNames id, or a place's name as one
    word: "mozambique", "puertorico")?"""
    if w.startswith("g:"):
        return True
    return any(e[1] and e[1].lower().replace(" ", "") == w for e in c.places.values())


class OnlineDetector:
    """The default :class:`tocsin.detect.base.Detector` implementation."""

    def __init__(self, config: DetectorConfig | None = None, **overrides: Any):
        cfg = config or DetectorConfig()
        if overrides:
            cfg = DetectorConfig.from_dict({**cfg.to_dict(), **overrides})
        self.cfg = cfg
        self.clock = Clock(cfg.half_life)
        self.dfclock = Clock(cfg.df_half_life)
        self.df = DocFreq(cfg.idf_cap)
        self.clusters: dict[str, Cluster] = {}
        self.candidates: OrderedDict[str, None] = OrderedDict()
        self.ev_post: dict[str, dict[str, Cluster]] = {}
        self.cand_post: dict[str, dict[str, Cluster]] = {}
        self._posts_events = (self.ev_post,)
        self._posts_all = (self.ev_post, self.cand_post)
        #: ``scoring.best_match``'s settings (the config is fixed once the detector is built)
        self._match_params = match_params(cfg, _HAZARD_SHARE)
        self.pointers: dict[str, str] = {}
        self.promoted: OrderedDict[str, None] = OrderedDict()
        self.archive: OrderedDict[str, Event] = OrderedDict()
        self.recent: OrderedDict[str, str] = OrderedDict()  # report id -> cluster id
        self.processed = 0
        self._next_merge = cfg.merge_every
        #: stream time of the last merge pass (``merge_interval``; None before the first
        #: report)
        self._last_merge: float | None = None
        self._last_life: float | None = None
        self._backfill: dict[str, str] = {}
        self._anchor_cache: dict[str, tuple[dict[str, float], str | None]] = {}
        self._pending: list[EventChange] = []
        self._split_cache: dict[str, list[str]] = {}
        #: candidates that were ready but not newsworthy: size at which to look again
        self._retry: dict[str, int] = {}
        #: candidates folded into an event: provisional id -> event id (bounded; merged
        #: *events* keep their pointer in ``pointers``, the newest ``_POINTERS`` of them)
        self._absorbed: OrderedDict[str, str] = OrderedDict()
        #: provisional cluster id per report of the last ``observe`` call (None: unclustered);
        #: ``final_event`` turns it into the final event id once the stream is over
        self.last_clusters: list[str | None] = []
        #: event id -> (stream time, report id) of the reports it took directly within the
        #: last ``split_window``: the story-shift test (``_story_shift``)
        self._burst: dict[str, deque[tuple[float, str]]] = {}
        #: (creation time, candidate id) in creation order: the ``candidate_max_age`` test
        #: pops from the front, so it never walks the live candidates (entries of candidates
        #: that were promoted or died meanwhile are skipped when they come up; ids, not
        #: clusters, so that a dead candidate is not kept in memory for a day)
        self._born: deque[tuple[float, str]] = deque()
        #: the primary anchors of the open events when the batch began (``observe``)
        self._foreign: frozenset[str] = frozenset()

    # ------------------------------------------------------------------ public surface
    def observe(self, batch: list[Report]) -> list[EventChange]:
        """Cluster a batch; the changes it caused, each carrying the event's state at it.

        Events are built (summary, top terms…) only when a change is announced: NEW, STATUS
        and MERGED as they happen, ESCALATED at the report that raised the tier (so an alert
        fires at the stream time of the escalation, not at the end of the batch), and one
        UPDATED per grown event at the end of the batch, with its last state.
        """
        changes: list[EventChange] = []
        dirty: dict[str, Cluster] = {}
        self.last_clusters = out = []
        clock, dfclock, df = self.clock, self.dfclock, self.df
        split, remember, index = self._split, self._remember, self._index
        cfg = self.cfg
        # what the open events are known by, once a batch: a report naming another event's
        # anchor makes a poor title for this one (representative.py)
        self._foreign = foreign = frozenset(
            c.identity_primary for c in self.clusters.values()
            if c.identity_primary is not None and c.is_open)
        for r in batch:
            if self.processed >= self._next_merge:
                self._merge_due(changes)
            t = r.published_at.timestamp()
            factor = clock.advance(t)
            now = clock.now
            if factor is not None:
                self._rebase(factor)
            dfactor = dfclock.advance(t)
            if dfactor is not None:
                df.rescale(dfactor, floor=0.05)
            if self._last_life is None or now - self._last_life >= HOUR:
                changes.extend(self._lifecycle(now))
                if self._last_merge is None:
                    self._last_merge = now
                elif cfg.merge_interval > 0.0 and now - self._last_merge >= cfg.merge_interval:
                    self._merge_due(changes)
            g = clock.g()
            df.g = dg = dfclock.g()
            places = usable_places(r)
            feats = report_features(r, split, places)
            df.add(feats, dg)
            self.processed += 1
            if not feats:
                r.event_id = None
                out.append(None)
                continue
            # the classifier judged it relevant but found no hazard in it (and was not sure
            # of it): it may join a story that is already an event, never open or grow one
            # (also when its info-type head said "not_relevant", however sure the relevance
            # head was: two of the classifier's heads then see no crisis in it)
            quiet_cue = (r.hazard == "none" and cfg.no_hazard_relevance > 0.0
                         and (r.relevance is None or r.relevance < cfg.no_hazard_relevance
                              or r.info_type == "not_relevant"))
            if r.relevant is False:
                # judged not relevant: feeds no event — no candidate, no profile, no source —
                # but a report that plainly tells a live event's story (strong similarity)
                # still counts to its volume: classifiers miss some relevant posts
                c, sim, _ = self._assign(r, feats, now, events_only=True, places=places)
                if c is None or sim < self.cfg.irrelevant_join or c.status == _CLOSED:
                    r.event_id = None
                    out.append(None)
                    continue
                c.add(r, feats, t, g, shape=False, places=places)
                remember(r.id, c.id)
                dirty[c.id] = c
                self._escalation(c, now, changes)
                r.event_id = c.id
                out.append(c.id)
                continue
            c, sim, fallback = self._assign(r, feats, now, events_only=quiet_cue,
                                            places=places)
            if fallback is not None and r.hazard == "none" and cfg.weak_needs_hazard:
                # no hazard and only a weak match: not enough to land in an event later
                fallback = None
            joined = c is not None  # (a candidate it joined, not one it opens)
            if c is None:
                if quiet_cue:
                    # geo-tagged chatter ("I'm at … (Boston, MA)") would otherwise grow a
                    # "Boston" story before any disaster there, and the disaster's first
                    # reports would then join it. A weak match to an event is remembered
                    # as a late (back-filled) member of that event, volume only — unless
                    # ``weak_needs_hazard`` (default) already dropped it: no hazard there.
                    e = self.clusters.get(fallback) if fallback is not None else None
                    if e is not None and e.is_event:
                        self._note_backfill(r.id, e.id)
                        e.report_count += 1
                    r.event_id = None
                    out.append(None)
                    continue
                c = self._new_candidate(r, t)
            status = c.status
            # only reports that name the story reshape a mature event's vocabulary: the
            # rest count fully but cannot drag "Boston" towards the next disaster
            profile = status == CANDIDATE or self._names_story(c, feats)
            # the features new to its profile (none unless the report shaped it) are indexed
            new_terms = c.add(r, feats, t, g, profile=profile, places=places,
                              foreign=foreign)
            if new_terms:
                index(c, new_terms)
            remember(r.id, c.id)
            if status == CANDIDATE:
                c.members.append((r.id, fallback, joined))
                self.candidates.move_to_end(c.id)
                if self._ready(c) and c.unique_count >= self._retry.get(c.id, 0):
                    change, c = self._promote(c, now)
                    if change is not None:
                        changes.append(change)
            elif status == _COOLING or status == _CLOSED:
                self._reopen(c, now)
            if self._pending:  # STATUS changes (re-openings), in stream order
                changes.extend(self._pending)
                self._pending = []
            if status != CANDIDATE and cfg.split_ratio > 0.0:
                # (a folded candidate's reports were counted when it was folded)
                old_id = c.id
                if self._story_shift(c, t, (r.id,), now, changes):
                    dirty.pop(old_id, None)
            if c.status != CANDIDATE:
                dirty[c.id] = c
                self._escalation(c, now, changes)
                r.event_id = c.id
            else:
                r.event_id = None
            out.append(c.id)
        changes.extend(self._pending)
        self._pending = []
        now = self.clock.now
        if self.processed >= self._next_merge:
            self._merge_due(changes)
        done: set[int] = set()  # an event split in this batch is in ``dirty`` twice
        for c in dirty.values():
            if c.status == _MERGED or id(c) in done:
                continue
            done.add(id(c))
            changes.append(self._refresh(c, now))
        return changes

    def _merge_due(self, changes: list[EventChange]) -> None:
        """The merge pass that is due: every ``merge_every`` reports of the *stream*, checked
        before each report and at the end of a batch, so that the events do not depend on
        how the stream was cut into batches — or, on a quiet stream, once ``merge_interval``
        of stream time has passed since the last pass (checked at the hourly lifecycle step
        before a report)."""
        self._next_merge = self.processed + self.cfg.merge_every
        self._last_merge = self.clock.now
        changes.extend(self._merge_pass(self.clock.now))

    def _escalation(self, c: Cluster, now: float, changes: list[EventChange]) -> None:
        """ESCALATED, with the event as it is now, when this report raised its tier.

        Checked after every report an event takes (cheap: no Event is built unless the tier
        went up); a fall is recorded at the end of the batch (``_refresh``), quietly.
        """
        rank = _TIER_RANK[c.tier]
        if rank >= _TIER_RANK[highest_tier(len(c.sources), bool(c.org_sources)).value]:
            return  # (no severity could raise it: most reports of a large event)
        sev = severity(c, growth_rate(c, now))
        tier = tier_of(sev, len(c.sources), bool(c.org_sources)).value
        if _TIER_RANK[tier] > rank:
            c.severity, c.tier = sev, tier
            changes.append(self._change(ChangeKind.ESCALATED, c, now))

    def _story_shift(self, c: Cluster, t: float, rids: tuple[str, ...] | list[str], now: float,
                     changes: list[EventChange]) -> bool:
        """Split off a burst that dwarfs everything the event had before it.

        An event opened by a slow trickle (city small talk, another storm's aftermath) that
        suddenly takes, within ``split_window``, ``split_ratio`` times as many reports as in
        its whole life before, is now telling another story: the marathon-morning "Boston"
        chatter was not the bombing, the Irma-aftermath reports about Barbuda were not Maria.
        So is a closed event known only by its place that a report re-opened, when the burst
        follows at once (``_reborn``), whatever its size before: a second earthquake in
        Mexico eleven days after the first.
        The live cluster carries on under a new id, announced NEW at the burst, and its
        reports of the window are re-assigned to it (back-filled); the prelude keeps the old
        id as a closed event that takes nothing more. True when it split.
        """
        cfg = self.cfg
        win = self._burst.get(c.id)
        if win is None:
            win = self._burst[c.id] = deque()
        for rid in rids:
            win.append((t, rid))
        start = t - cfg.split_window
        while win and win[0][0] < start:
            win.popleft()
        k = len(win)
        if k < cfg.split_min:
            return False
        reborn = _reborn(c, win[0][0], cfg.split_window)
        if not reborn and (c.created > win[0][0] - cfg.split_age
                           or k < cfg.split_ratio * (c.report_count - k)):
            return False
        if reborn:  # (the burst is a new event; the spell it followed was the old one's)
            c.dormant.pop()
        old_id = c.id
        prelude = self._event(c, now)
        prelude.status = EventStatus.CLOSED
        self.archive[old_id] = prelude
        if len(self.archive) > _ARCHIVE:
            self.archive.popitem(last=False)
        changes.append(EventChange(kind=ChangeKind.STATUS, event=prelude, at=to_ts(now)))
        del self._burst[old_id]
        self._unindex(c, self.ev_post)
        del self.clusters[old_id]
        self._anchor_cache.pop(old_id, None)
        # named after the burst's first report, as a candidate is: that report may have
        # opened a candidate folded into this event, whose id is taken
        base = "e" + xxhash.xxh64_hexdigest(win[0][1].encode("utf-8"))[:12]
        cid, i = base, 1
        while (cid in self.clusters or cid in self.promoted or cid in self._absorbed
               or cid in self.pointers):
            cid, i = f"{base}-{i}", i + 1
        c.id = cid
        self.clusters[cid] = c
        self.promoted[cid] = None
        self._index(c, list(c.terms))
        for _t, wid in win:
            self._note_backfill(wid, cid)
            if wid in self.recent:
                self.recent[wid] = cid
        c.severity, tier = severity_and_tier(c, growth_rate(c, now))
        c.tier = tier.value
        changes.append(self._change(ChangeKind.NEW, c, now))
        return True

    def tick(self, now: datetime) -> list[EventChange]:
        t = now.timestamp()
        factor = self.clock.advance(t)
        if factor is not None:
            self._rebase(factor)
        return self._lifecycle(self.clock.now)

    def active_events(self) -> list[Event]:
        now = self.clock.now
        return [self._event(c, now) for c in self.clusters.values() if c.is_open]

    def get_event(self, event_id: str) -> Event | None:
        eid = self.resolve(event_id)
        c = self.clusters.get(eid)
        if c is not None and c.is_event:
            return self._event(c, self.clock.now)
        return self.archive.get(eid)

    def resolve(self, event_id: str) -> str:
        event_id = self._absorbed.get(event_id, event_id)
        seen = 0
        while event_id in self.pointers and seen < 1000:
            event_id = self.pointers[event_id]
            seen += 1
        return event_id

    def final_event(self, cluster_id: str | None) -> str | None:
        """The event a report provisionally put in ``cluster_id`` ended up in (None: noise)."""
        if cluster_id is None:
            return None
        eid = self.resolve(cluster_id)
        if cluster_id in self.promoted or eid in self.promoted:
            return eid
        return None

    def drain_backfill(self) -> dict[str, str]:
        """Reports observed while their cluster was a candidate, now in an event (id -> event).

        A store uses this to attach those reports to the event after the fact.
        """
        out, self._backfill = self._backfill, {}
        return out

    def _note_backfill(self, rid: str, eid: str) -> None:
        self._backfill[rid] = eid
        if len(self._backfill) > _BACKFILL:  # a caller that never drains must not leak
            del self._backfill[next(iter(self._backfill))]

    def _split(self, tag: str) -> list[str]:
        """Compound hashtag split against the stream's own vocabulary, cached (bounded)."""
        hit = self._split_cache.get(tag)
        if hit is None:
            df, g = self.df.df, self.df.g
            hit = split_compound_df(tag, df, g, _SPLIT_MIN_DOCS)
            if len(self._split_cache) > 50_000:
                self._split_cache.clear()
            # a split that failed may succeed once the halves have been seen: cache successes
            if hit:
                self._split_cache[tag] = hit
        return hit

    # ------------------------------------------------------------------ assignment
    def _assign(self, r: Report, feats: dict[str, float], now: float, events_only: bool = False,
                places: list | None = None) -> tuple[Cluster | None, float, str | None]:
        """Best cluster to join (or None), its similarity, and a fallback event id.

        The fallback is the best event when it matched only weakly: the report then opens a
        candidate, and lands in the fallback event if that candidate never grows into one.
        A report that joins a candidate also gets the best event it matched (above the weak
        threshold) as its fallback, for the same reason.
        """
        if r.duplicate_of is not None:
            cid = self.recent.get(r.duplicate_of)
            if cid is not None:
                c = self.clusters.get(self.resolve(cid))
                if c is not None and c.status != EventStatus.MERGED.value and (
                        c.is_event or not events_only):
                    return c, 1.0, None
        bg = self.df
        # events' postings first, then candidates': the order the scores accumulate in
        acc, denom = accumulate(feats, bg.df, bg.n + bg.g, bg.g, bg.idf_cap,
                                self._posts_events if events_only else self._posts_all)
        if not acc or denom <= 0.0:
            return None, 0.0, None
        cfg = self.cfg
        if denom < cfg.min_mass:
            denom = cfg.min_mass
        hz = r.hazard if r.hazard not in (None, "none", "other") else None
        if places is None:
            places = usable_places(r)
        pts = [(str(p.geonameid), (p.lat, p.lon, p.country, p.admin1, p.feature))
               for p in places] if places else None
        # (compiled, ``scoring.best_match``: the loop over the matched clusters, penalties
        # and the running best and weak matches)
        best, best_sim, weak, weak_sim = best_match(acc, denom, feats, now, hz, pts,
                                                    self._match_params)
        need = cfg.join_threshold
        if r.relevance is not None and cfg.relevance_scaling:
            # weaker crisis evidence needs stronger story evidence
            need *= 1.0 + cfg.relevance_scaling * max(0.0, 1.0 - r.relevance)
        if weak is not None and weak_sim < cfg.weak_threshold * need / cfg.join_threshold:
            weak = None  # ... and a clearer one to fall back on
        if best is not None and best_sim >= need:
            if weak is not None and best.status == CANDIDATE:
                # joining a candidate, it also matched an event: remembered, so that if the
                # candidate never becomes an event of its own (generic "hurricane" talk
                # has no anchor that could open one) its reports land in that event
                return best, best_sim, weak.id
            return best, best_sim, None
        return None, best_sim, weak.id if weak is not None else None

    def _same_scene(self, a: Cluster, b: Cluster) -> bool:
        """Both clusters are mostly about one specific place, and the two are near — or most
        of the reports of each that name a place name places in the same state/province."""
        ra = a.main_region(_REGION_MIN_PLACED, _REGION_SHARE)
        if ra is not None and ra == b.main_region(_REGION_MIN_PLACED, _REGION_SHARE):
            return True
        if a.main_place is not None and a.main_place == b.main_place:
            # the same place, even a whole country or island, is the main scene of both
            return (a.main_spot(_SCENE_SHARE / 2) is not None
                    and b.main_spot(_SCENE_SHARE / 2) is not None)
        sa, sb = a.main_spot(_SCENE_SHARE), b.main_spot(_SCENE_SHARE)
        if sa is None or sb is None or not specific(sa) or not specific(sb):
            return False
        return near(sa, sb, self.cfg.place_radius_km / 2)

    def _new_candidate(self, r: Report, t: float) -> Cluster:
        base = "e" + xxhash.xxh64_hexdigest(r.id.encode("utf-8"))[:12]
        cid, i = base, 1
        while cid in self.clusters or cid in self.promoted:
            cid, i = f"{base}-{i}", i + 1
        c = Cluster(id=cid, created=t, last=t, rate_t=t)
        self.clusters[cid] = c
        self.candidates[cid] = None
        if self.cfg.candidate_max_age > 0.0:
            self._born.append((t, cid))
            if len(self._born) > 4 * self.cfg.max_candidates:  # memory bound
                self._born.popleft()
        return c

    def _index(self, c: Cluster, new_terms: Any) -> None:
        if not new_terms:
            return
        # (compiled, ``scoring.index_terms``: this runs for most reports)
        if c.status == CANDIDATE:  # the newest ``candidate_postings`` per word
            index_terms(self.cand_post, new_terms, c.id, c, self.cfg.candidate_postings)
        else:
            index_terms(self.ev_post, new_terms, c.id, c, -1)

    def _unindex(self, c: Cluster, postings: dict[str, dict[str, Cluster]]) -> None:
        unindex_terms(postings, c.terms, c.id)  # (compiled: walks the whole vocabulary)

    def _remember(self, report_id: str, cid: str) -> None:
        self.recent[report_id] = cid
        if len(self.recent) > _RECENT_REPORTS:
            self.recent.popitem(last=False)

    # ------------------------------------------------------------------ promotion
    def _ready(self, c: Cluster) -> bool:
        if c.unique_count < self.cfg.promote_reports:
            return False
        if c.authored and len(c.sources) < self.cfg.promote_sources:
            return False
        return True

    def _promote(self, c: Cluster, now: float) -> tuple[EventChange | None, Cluster]:
        """Make a ready candidate an event — or fold it into the event whose story it is."""
        self._unindex(c, self.cand_post)
        self.candidates.pop(c.id, None)
        self._retry.pop(c.id, None)
        mine = anchors(c, self.cfg.anchor_share)
        host = self._host_for(c, mine)
        if host is None and c.emb is not None:
            host = self._cross_lingual_host(c)
        if host is None and not self._newsworthy(
                c, {w: v for w, v in mine.items() if v >= _NEWS_SHARE}):
            # no newsworthy anchor (no place, no name that is bursting): generic talk or
            # chatter. It belongs to the event it weakly matched, if any; otherwise it waits
            # (chatter that shares only "earthquake", or only "love", opens no event)
            # a report that joined the candidate and also matched an event votes only when
            # the candidate has no anchor of its own (generic talk: it can never become an
            # event, its reports belong to the event they matched); a candidate with a name
            # that is not bursting yet ("Mirren" next to "Kelda") waits and may still grow
            named = any(v >= _NEWS_SHARE for v in mine.values())
            votes = Counter(fb for _, fb, also in c.members
                            if fb is not None and (not also or not named))
            fb, k = votes.most_common(1)[0] if votes else (None, 0)
            cand = self.clusters.get(self.resolve(fb)) if fb else None
            if cand is None or not cand.is_event or 2 * k < len(c.members):
                # not (yet) an event: look again once it has grown by half
                self._retry[c.id] = c.unique_count + max(2, c.unique_count // 2)
                self.candidates[c.id] = None
                self._index(c, list(c.terms))
                return None, c
            host = cand
        if host is not None:
            if not host.is_open:
                self._reopen(host, now)
            # (not ``c.terms.keys() - host.terms.keys()``: that walks the host's vocabulary)
            hterms = host.terms
            new_terms = [w for w in c.terms if w not in hterms]
            kept = [m[0] for m in c.members]
            for rid in kept:
                self._note_backfill(rid, host.id)
            c.members = []
            host.absorb(c)
            self._index(host, new_terms)
            self._absorbed[c.id] = host.id
            if len(self._absorbed) > _ABSORBED:
                self._absorbed.popitem(last=False)
            del self.clusters[c.id]
            if self.cfg.split_ratio > 0.0 and kept:
                self._story_shift(host, now, kept, now, self._pending)
            return None, host
        c.status = EventStatus.EMERGING.value
        self._index(c, list(c.terms))
        for m in c.members:
            self._note_backfill(m[0], c.id)
        c.members = []
        self.promoted[c.id] = None
        while len(self.promoted) > 10 * _RECENT_REPORTS:
            self.promoted.popitem(last=False)
        self._anchor_cache[c.id] = (mine, primary(mine, self.df.idf))
        self._set_identity(c, mine)
        c.severity, tier = severity_and_tier(c, growth_rate(c, now))
        c.tier = tier.value
        return self._change(ChangeKind.NEW, c, now), c

    def _newsworthy(self, c: Cluster, anc: dict[str, float]) -> bool:
        if self._hazard_burst(c):
            return True
        if not anc or c.crisis < self.cfg.min_crisis_share * c.unique_count:
            return False
        lang = c.languages.most_common(1)[0][0] if c.languages else None
        df, n = self.df.df, self.df.n or 1.0
        return newsworthy(anc, lang, lambda w: df.get(w, 0.0) / n, self.cfg.min_burst)

    def _hazard_burst(self, c: Cluster) -> bool:
        """Many reports at once that agree on one hazard, with or without a name
        (``hazard_burst_reports``)."""
        cfg = self.cfg
        n = c.unique_count
        if cfg.hazard_burst_reports <= 0 or n < cfg.hazard_burst_reports:
            return False
        if c.last - c.created > cfg.hazard_burst_window:
            return False
        share = cfg.hazard_burst_share
        h = c.top_hazard
        return (c.crisis >= share * n and h is not None
                and c.hazards[h] >= share * c.report_count)

    def _anchors_of(self, c: Cluster) -> tuple[dict[str, float], str | None]:
        a = self._anchor_cache.get(c.id)
        if a is None:
            anc = anchors(c, self.cfg.anchor_share)
            a = self._anchor_cache[c.id] = (anc, primary(anc, self.df.idf))
        return a

    #: does the report name the event's story (an identity anchor, or one of its main
    #: places)? (compiled: ``scoring.names_story``)
    _names_story = staticmethod(names_story)

    def _set_identity(self, c: Cluster, anc: dict[str, float] | None = None) -> None:
        if anc is None:
            anc = anchors(c, self.cfg.anchor_share)
        if anc:
            c.identity = dict(anc)
            c.identity_primary = primary(anc, self.df.idf)

    @staticmethod
    def _identity_is_stale(c: Cluster, anc: dict[str, float]) -> bool:
        """Is a mature event's frozen name one that its reports no longer carry?

        Identity freezes at ``_IDENTITY_FREEZE`` reports so that a big event that picks up a
        second name ("Harvey" reports that mention "Irma") keeps its own. But an event may
        have learned its name from a misleading start: humaid's Maria event took its name
        from a dozen Irma-period posts about a photo album in Santa Fe (Argentina), and kept
        it for 3,500 Maria reports, so that none of Maria's fragments ("#HurricaneMaria",
        "Maria supplies", "PR") could ever be merged into it by name. When the name is carried
        by under a tenth of the event's reports (the cut below which a place does not name an
        event either, ``_naming_features``) while the event has anchors, it is learned again
        from those. (Not at ``anchor_share``: crisismmd's Maria event, whose recent reports
        say "Puerto Rico" more than "Maria", would be renamed "puerto" and shed the Maria
        reports that do not name the island.)
        """
        p = c.identity_primary
        if not anc or p is None or p in anc or c.n <= 0.0:
            return False
        return c.terms.get(p, 0.0) < 0.1 * c.n

    @staticmethod
    def _naming_features(c: Cluster) -> list[str]:
        cut = 0.1 * c.unique_count
        out = [w for w in c.identity if w in c.terms]
        out += [f"g:{g}" for g, e in c.places.items() if e[0] >= cut and f"g:{g}" in c.terms]
        return out

    def _reopen(self, c: Cluster, now: float) -> None:
        if c.status == _CLOSED:
            self._index(c, list(c.terms))
            c.wake(now)
        c.status = (EventStatus.ACTIVE.value if c.report_count >= self.cfg.active_reports
                    else EventStatus.EMERGING.value)
        c.closed_at = None
        self._pending.append(self._change(ChangeKind.STATUS, c, now))

    def _substory(self, a: Cluster, aa: dict[str, float], pa: str | None,
                  b: Cluster, ab: dict[str, float], pb: str | None) -> bool:
        """Is the smaller of two events a sub-story of the larger (``merge_substories``)?

        It is when it carries the larger one's name (its primary anchor, a word, not a
        place) among its own anchors, their hazards agree, and it has no name of its own
        that the larger lacks: "Mozambique" + "Idai" is a sub-story of "Idai", but an "Irma"
        event whose reports also say "Harvey" is not a sub-story of "Harvey". Only a mature
        event (``_IDENTITY_FREEZE`` reports) can have a name of its own; a place (its
        GeoNames id, or that place's name as a word) is not one, nor a hashtag that runs the
        larger one's name together with other words ("#HurricaneMaria" for "Maria"). It is a
        sub-story too when it is young and its name is one of the larger one's anchors.
        """
        if a.unique_count >= b.unique_count:
            small, pbig, psmall, abig, asmall = b, pa, pb, aa, ab
        else:
            small, pbig, psmall, abig, asmall = a, pb, pa, ab, aa
        carries_big = pbig is not None and not pbig.startswith("g:") and pbig in asmall
        # ... or the other way round: a young event (no name of its own yet) whose name the
        # larger event's reports carry ("Iraq" next to an "Iran" event a third of whose
        # reports say "Iraq"; "#westtx" next to the West Texas blood-drive event)
        carried = (psmall is not None and small.unique_count < _IDENTITY_FREEZE
                   and psmall in abig)
        if not (carries_big or carried):
            return False
        if not self._hazards_agree(a, b):
            return False
        return (small.unique_count < _IDENTITY_FREEZE or psmall is None or psmall in abig
                or _place_anchor(small, psmall) or self._compound_of(psmall, pbig))

    def _compound_of(self, tag: str, name: str | None) -> bool:
        """Is ``tag`` a run-together hashtag of which ``name`` is a part ("hurricanemaria"
        of "maria")? Such a name is the larger event's, not one of the smaller's own. (The
        split is not cached: the merge pass must leave the feature cache as it found it.)"""
        if not name or name not in tag or tag == name:
            return False
        return name in split_compound_df(tag, self.df.df, self.df.g, _SPLIT_MIN_DOCS)

    def _cross_lingual_host(self, c: Cluster) -> Cluster | None:
        """The live event ``c`` (a candidate, or an event at a merge pass) tells the story of
        in another language, by their representative embeddings
        (``dense.cross_lingual_match``)."""
        cfg = self.cfg
        if cfg.cross_lingual_link <= 0.0:
            return None
        hit = cross_lingual_match(
            c, (e for e in self.clusters.values() if e.is_open),
            link=cfg.cross_lingual_link, margin=cfg.cross_lingual_margin,
            min_reports=cfg.cross_lingual_min, compatible=self._may_share_story,
            same_kind=self._hazards_agree)
        return hit[0] if hit is not None else None

    def _may_share_story(self, a: Cluster, b: Cluster) -> bool:
        """Nothing says they are two stories: hazards agree, and their main scenes (when
        both have one) are near each other."""
        if not self._hazards_agree(a, b):
            return False
        sa, sb = a.main_spot(_SCENE_SHARE), b.main_spot(_SCENE_SHARE)
        return sa is None or sb is None or near(sa, sb, self.cfg.place_radius_km)

    @staticmethod
    def _hazards_agree(a: Cluster, b: Cluster) -> bool:
        ha, hb = a.dominant_hazard(_HAZARD_SHARE), b.dominant_hazard(_HAZARD_SHARE)
        if ha is None or hb is None or ha == hb:
            return True
        return _FAMILY.get(ha, ha) == _FAMILY.get(hb, hb)

    # ------------------------------------------------------------------ lifecycle
    def _lifecycle(self, now: float) -> list[EventChange]:
        """Advance statuses on stream time; forget stale candidates and old closed events."""
        self._last_life = now
        cfg = self.cfg
        changes: list[EventChange] = []
        # candidates: the OrderedDict is in least-recently-joined order
        while self.candidates:
            cid = next(iter(self.candidates))
            c = self.clusters[cid]
            if now - c.last <= cfg.candidate_ttl and len(self.candidates) <= cfg.max_candidates:
                break
            self.candidates.popitem(last=False)
            self._end_candidate(c)
        if cfg.candidate_max_age > 0.0:
            # a candidate that has not become an event a day after its first report was no
            # burst: it ends as an expired one does
            born, oldest = self._born, now - cfg.candidate_max_age
            while born and born[0][0] < oldest:
                t0, cid = born.popleft()
                c = self.clusters.get(cid)
                if c is not None and c.status == CANDIDATE and c.created == t0:
                    self.candidates.pop(cid, None)
                    self._end_candidate(c)
        for c in [c for c in self.clusters.values() if c.is_event]:
            quiet = now - c.last
            st = c.status
            if quiet >= cfg.closed_after:
                target = EventStatus.CLOSED.value
            elif quiet >= cfg.cooling_after:
                target = EventStatus.COOLING.value
            elif c.report_count >= cfg.active_reports or st == EventStatus.ACTIVE.value:
                target = EventStatus.ACTIVE.value
            else:
                target = EventStatus.EMERGING.value
            if target != st:
                c.status = target
                if target == EventStatus.CLOSED.value:
                    c.closed_at = now
                    c.fall_dormant(now)
                    # a closed event is found only through what names it (its identity and
                    # main places): the long posting lists of common words stay short
                    self._unindex(c, self.ev_post)
                    self._index(c, self._naming_features(c))
                changes.append(self._change(ChangeKind.STATUS, c, now))
            if target == EventStatus.CLOSED.value:
                if quiet >= cfg.retain_closed:
                    self._evict(c, now)
                continue
            if len(c.terms) > _MAX_TERMS:
                self._prune_terms(c, _MAX_TERMS // 2)
            c.prune_places(cfg.max_places)
        return changes

    def _end_candidate(self, c: Cluster) -> None:
        """Forget a candidate (already out of ``candidates``); its reports fall back."""
        self._unindex(c, self.cand_post)
        del self.clusters[c.id]
        self._retry.pop(c.id, None)
        self._fall_back(c)

    def _host_for(self, c: Cluster, mine: dict[str, float]) -> Cluster | None:
        """The event whose story a candidate tells: it carries the event's primary anchor
        (its name, or main place) — or, failing that, both are about the same scene."""
        host, best = None, 0.0
        # (``status`` compared directly, not ``is_event``: this walks every live cluster,
        # candidates included, at each promotion)
        events = [e for e in self.clusters.values() if e.status != CANDIDATE]
        for e in events:
            p = e.identity_primary or self._anchors_of(e)[1]
            share = mine.get(p, 0.0) if p is not None else 0.0
            if share > best or (share == best and host is not None and e.n > host.n):
                host, best = e, share
        if host is not None and best > 0.0:
            return host
        host = None
        for e in events:
            if self._hazards_agree(c, e) and self._same_scene(c, e) \
                    and (host is None or e.n > host.n):
                host = e
        return host

    def _fall_back(self, c: Cluster) -> None:
        """A candidate dies: if it told a live event's story its reports join that event;
        otherwise its tentative members join the events they weakly matched."""
        anc = anchors(c, self.cfg.anchor_share) if c.unique_count else {}
        host = self._host_for(c, anc) if c.unique_count else None
        named = any(v >= _NEWS_SHARE for v in anc.values())
        for rid, fb, also in c.members:
            if host is not None:
                self._note_backfill(rid, host.id)
                host.report_count += 1
                continue
            if fb is None or (also and named):
                continue  # (see ``_promote``: only a generic candidate's joiners fall back)
            e = self.clusters.get(self.resolve(fb))
            if e is not None and e.is_event:
                self._note_backfill(rid, e.id)
                e.report_count += 1

    def _evict(self, c: Cluster, now: float) -> None:
        self.archive[c.id] = self._event(c, now)
        if len(self.archive) > _ARCHIVE:
            self.archive.popitem(last=False)
        self._unindex(c, self.ev_post)
        del self.clusters[c.id]
        self._burst.pop(c.id, None)

    def _prune_terms(self, c: Cluster, keep: int) -> None:
        kept = dict(heapq.nlargest(keep, c.terms.items(), key=lambda kv: kv[1]))
        for w in c.terms.keys() - kept.keys():
            post = self.ev_post.get(w)
            if post is not None and post.pop(c.id, None) is not None and not post:
                del self.ev_post[w]
        c.terms = kept

    def _rebase(self, factor: float) -> None:
        """Move the profile decay landmark: rescale every profile once, drop what decayed."""
        for c in self.clusters.values():
            c.n *= factor
            c.last_g *= factor
            if c.emb is not None:
                c.emb *= factor
            floor = 1e-4 * c.n
            dropped = [w for w, v in c.terms.items() if v * factor <= floor]
            post_ix = self.cand_post if c.status == CANDIDATE else self.ev_post
            for w in dropped:
                post = post_ix.get(w)
                if post is not None and post.pop(c.id, None) is not None and not post:
                    del post_ix[w]
            c.terms = {w: v * factor for w, v in c.terms.items() if v * factor > floor}

    # ------------------------------------------------------------------ merges
    def _merge_pass(self, now: float) -> list[EventChange]:
        self._anchor_cache = {}
        events = [c for c in self.clusters.values() if c.is_event]
        if not any(c.is_open for c in events) or len(events) < 2:
            return []
        anc = {c.id: self._anchors_of(c) for c in events}
        for c in events:  # identity follows a young event, then freezes ...
            if c.is_open and c.unique_count < _IDENTITY_FREEZE:
                self._set_identity(c, anc[c.id][0])
            elif c.is_open and self._identity_is_stale(c, anc[c.id][0]):
                # ... unless the event has left its name behind: re-learned (replaced whole)
                self._set_identity(c, anc[c.id][0])
        pairs: list[tuple[float, Cluster, Cluster]] = []
        for i, a in enumerate(events):
            aa, pa = anc[a.id]
            for b in events[i + 1:]:
                if not (a.is_open or b.is_open):
                    continue
                if _born_while_closed(a, b):
                    continue
                ab, pb = anc[b.id]
                pa, pb = a.identity_primary or pa, b.identity_primary or pb
                # a shared name outweighs per-report hazard labels, which are noisy; a shared
                # place alone does not (a flood and an earthquake can hit one city at once)
                if same_story(aa, pa, ab, pb):
                    pairs.append((aa.get(pb, 0.0) + ab.get(pa, 0.0), a, b))
                elif self._hazards_agree(a, b) and self._same_scene(a, b):
                    pairs.append((0.0, a, b))
                elif self.cfg.merge_substories and self._substory(a, aa, pa, b, ab, pb):
                    pairs.append((-1.0, a, b))
        for a in events:  # an event telling a larger event's story in another language
            if a.emb is not None and a.is_open:
                host = self._cross_lingual_host(a)
                if host is not None and host.unique_count > a.unique_count:
                    pairs.append((-2.0, a, host))
        changes: list[EventChange] = []
        gone: set[str] = set()
        for _cos, a, b in sorted(pairs, key=lambda p: -p[0]):
            if a.id in gone or b.id in gone:
                continue
            keep, lose = (a, b) if (a.created, a.id) <= (b.created, b.id) else (b, a)
            if not keep.is_open:
                self._reopen(keep, now)
                changes.extend(self._pending)
                self._pending = []
            self._unindex(lose, self.ev_post)
            kterms = keep.terms
            new_terms = [w for w in lose.terms if w not in kterms]
            keep.absorb(lose)
            self._index(keep, new_terms)
            lose.status = EventStatus.MERGED.value
            lose.merged_into = keep.id
            self.pointers[lose.id] = keep.id
            if len(self.pointers) > _POINTERS:  # the store keeps every merge for good
                del self.pointers[next(iter(self.pointers))]
            gone.add(lose.id)
            changes.append(self._change(ChangeKind.MERGED, lose, now))
            changes.append(self._refresh(keep, now))
            self.archive[lose.id] = self._event(lose, now)
            del self.clusters[lose.id]
            self._burst.pop(lose.id, None)
            self._anchor_cache.pop(keep.id, None)
        return changes

    # ------------------------------------------------------------------ events out
    def _event(self, c: Cluster, now: float) -> Event:
        return build_event(c, now, self.df.idf, self.cfg.summary_terms)

    def _change(self, kind: ChangeKind, c: Cluster, now: float) -> EventChange:
        # the title is chosen again at each change announced, against the profile as it is
        # now and avoiding reports that name another open event (representative.py)
        c.pick_title(self._foreign)
        return EventChange(kind=kind, event=self._event(c, now), at=to_ts(now))

    def _refresh(self, c: Cluster, now: float) -> EventChange:
        """Recompute severity/tier; ESCALATED when the tier went up, else UPDATED."""
        old = _TIER_RANK[c.tier]
        c.severity, tier = severity_and_tier(c, growth_rate(c, now))
        c.tier = tier.value
        kind = ChangeKind.ESCALATED if _TIER_RANK[c.tier] > old else ChangeKind.UPDATED
        return self._change(kind, c, now)

    # ------------------------------------------------------------------ persistence
    def snapshot(self) -> bytes:
        state = {
            "version": SNAPSHOT_VERSION,
            "config": self.cfg.to_dict(),
            "clock": self.clock.to_state(),
            "dfclock": self.dfclock.to_state(),
            "df": self.df.to_state(),
            "clusters": [c.to_state() for c in self.clusters.values()],
            "candidates": list(self.candidates),
            "pointers": self.pointers,
            "absorbed": list(self._absorbed.items()),
            "promoted": list(self.promoted),
            "recent": list(self.recent.items()),
            "processed": self.processed,
            "next_merge": self._next_merge,
            "last_life": self._last_life,
            "last_merge": self._last_merge,
            "burst": {k: list(v) for k, v in self._burst.items()},
            # not mere caches: their entries were computed against the stream as it was then
            # (anchors until the next merge pass, hashtag splits against the vocabulary), so
            # a detector restored without them decides differently from one never stopped
            "retry": self._retry,
            "anchor_cache": {k: [a, p] for k, (a, p) in self._anchor_cache.items()},
            "split_cache": self._split_cache,
            # the postings in their order: which candidates a word still retrieves (the
            # newest ``candidate_postings``) and the order matches accumulate in are history
            "ev_post": {w: list(p) for w, p in self.ev_post.items()},
            "cand_post": {w: list(p) for w, p in self.cand_post.items()},
        }
        return zlib.compress(json.dumps(state, separators=(",", ":")).encode("utf-8"), 3)

    @classmethod
    def restore(cls, data: bytes, **overrides: Any) -> OnlineDetector:
        """A detector carrying on from ``snapshot()`` bytes, with the options it was saved
        with — except ``overrides`` (a deployment's configured options)."""
        state = json.loads(zlib.decompress(data).decode("utf-8"))
        version = state.get("version")
        if version not in (2, SNAPSHOT_VERSION):
            raise ValueError(f"detector snapshot version {version!r} "
                             f"is not {SNAPSHOT_VERSION}; start from an empty detector")
        d = cls(DetectorConfig.from_dict({**state["config"], **overrides}))
        d.clock = Clock.from_state(state["clock"])
        d.dfclock = Clock.from_state(state["dfclock"])
        d.df = DocFreq.from_state(state["df"])
        for cs in state["clusters"]:
            c = Cluster.from_state(cs)
            d.clusters[c.id] = c
        for cid in state["candidates"]:
            d.candidates[cid] = None
        if d.cfg.candidate_max_age > 0.0:
            d._born = deque(sorted((d.clusters[cid].created, cid)
                                   for cid in state["candidates"]))
        clusters = d.clusters
        if version == 2:  # (no postings saved: rebuilt, so decisions may differ slightly)
            for cid in state["candidates"]:
                d._index(clusters[cid], list(clusters[cid].terms))
            for c in clusters.values():
                if c.is_event:
                    d._index(c, list(c.terms))
        else:
            for key, postings in (("ev_post", d.ev_post), ("cand_post", d.cand_post)):
                for w, ids in state[key].items():
                    postings[w] = {cid: clusters[cid] for cid in ids}
        d.pointers = dict(state["pointers"])
        d._absorbed = OrderedDict((k, v) for k, v in state["absorbed"])
        d.promoted = OrderedDict((i, None) for i in state["promoted"])
        d.recent = OrderedDict((k, v) for k, v in state["recent"])
        d.processed = state["processed"]
        d._next_merge = state["next_merge"]
        d._last_life = state["last_life"]
        d._last_merge = state.get("last_merge")
        d._burst = {k: deque((t, rid) for t, rid in v)
                    for k, v in state.get("burst", {}).items()}
        d._retry = dict(state.get("retry", {}))
        d._anchor_cache = {k: (a, p) for k, (a, p) in state.get("anchor_cache", {}).items()}
        d._split_cache = dict(state.get("split_cache", {}))
        return d
