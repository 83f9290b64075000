"""The alert engine: event changes in, alerts out. Pure matching and trigger logic, no I/O.

``process`` runs inside the pipeline's worker thread after each batch (and in
``tocsin detect --alerts``), so it must be fast: the spatial index narrows 10,000
subscriptions to the few that could care, and the trigger compares the event with what each
of those subscribers was last told. Delivery happens elsewhere (``service.AlertService``).

With no subscriptions and ``default_all=True`` (the default, so that a bare
``AlertEngine()`` in ``tocsin detect --alerts`` lists every alert the system would raise), a
built-in "everything, min tier routine" subscription (id ``sub_default``) stands in. The
running service passes ``default_all=False``: a server with no subscribers alerts no one.
"""

from __future__ import annotations

import bisect
import json
import threading
from collections.abc import Iterable
from typing import Any

from ..model import ChangeKind, Event, EventChange, EventStatus
from .alert import Alert, alert_id
from .index import EventGeo, SubscriptionIndex, event_geo
from .subscriptions import TIER_RANK, Channel, Subscription
from .trigger import WAIT, Told, TriggerRules, casualty_step, decide, remember

DEFAULT_SUBSCRIPTION_ID = "sub_default"


def default_subscription() -> Subscription:
    return Subscription(id=DEFAULT_SUBSCRIPTION_ID, name="everything (built-in default)",
                        channel=Channel("none"), min_sources=0)


class AlertEngine:
    def __init__(self, subscriptions: Iterable[Subscription] = (), *,
                 rules: TriggerRules | None = None, default_all: bool = True):
        self.rules = rules or TriggerRules()
        self.index = SubscriptionIndex()
        self.default_all = default_all
        self._told: dict[tuple[str, str], Told] = {}
        self._by_event: dict[str, set[str]] = {}
        #: per event, everything matching and triggering depend on, as last evaluated: an
        #: event re-reported without a material change skips matching altogether
        self._seen: dict[str, tuple] = {}
        self._waiting: set[str] = set()  # events with an update held back by the interval
        self._thresholds: list[int] | None = None  # distinct min_sources values
        self._lock = threading.RLock()  # the API edits subscriptions while the worker matches
        self.index.extend(subscriptions)
        self._sync_default()

    # -- subscriptions ---------------------------------------------------------------------
    def _sync_default(self) -> None:
        others = len(self.index) - (DEFAULT_SUBSCRIPTION_ID in self.index)
        if self.default_all and others == 0 and DEFAULT_SUBSCRIPTION_ID not in self.index:
            self.index.add(default_subscription())
        elif others > 0 and DEFAULT_SUBSCRIPTION_ID in self.index:
            self.index.remove(DEFAULT_SUBSCRIPTION_ID)

    def add(self, sub: Subscription) -> None:
        """Add or replace (same id); a replaced subscription keeps what it was told."""
        with self._lock:
            self.index.add(sub)
            self._sync_default()
            self._changed()

    def remove(self, sub_id: str) -> bool:
        with self._lock:
            gone = self.index.remove(sub_id) is not None
            self._sync_default()
            self._changed()
            return gone

    def _changed(self) -> None:
        """Subscriptions changed: every open event must be looked at afresh."""
        self._seen.clear()
        self._thresholds = None

    def _fingerprint(self, ev: Event, g: EventGeo, step: int) -> tuple:
        if self._thresholds is None:
            self._thresholds = sorted({s.min_sources for s in self.index.all()})
        return (
            ev.tier, ev.hazard, bisect.bisect_right(self._thresholds, ev.source_count),
            step, g.countries, frozenset(g.points),
            frozenset(k for k, v in ev.info_counts.items() if v),
            frozenset(k for k, v in ev.needs_counts.items() if v),
            frozenset(k for k, v in ev.languages.items() if v),
        )

    def replace_all(self, subs: Iterable[Subscription]) -> None:
        """Swap the whole subscription set (reloaded from the store); what each subscriber
        was told is kept, so a reload never re-alerts."""
        index = SubscriptionIndex(self.index.cell_deg, self.index.max_cells)
        index.extend(subs)
        with self._lock:
            self.index = index
            self._sync_default()
            self._changed()

    def subscriptions(self) -> list[Subscription]:
        return self.index.all()

    # -- the hot path ----------------------------------------------------------------------
    def process(self, changes: list[EventChange]) -> list[Alert]:
        """Alerts fired by this batch of changes, in change order."""
        if not changes:
            return []
        latest: dict[str, EventChange] = {}
        for c in changes:
            if c.kind is ChangeKind.MERGED:
                self._carry_over(c)
                latest.pop(c.event.id, None)
                continue
            latest.pop(c.event.id, None)
            latest[c.event.id] = c  # re-insert: order of the last change per event
        out: list[Alert] = []
        with self._lock:
            for c in latest.values():
                ev = c.event
                if ev.status in (EventStatus.CLOSED, EventStatus.MERGED):
                    self._forget(ev.id)
                    continue
                g = event_geo(ev)
                step = casualty_step(ev)
                rank = TIER_RANK.get(ev.tier.value, 0)
                tier = ev.tier.value
                fp = self._fingerprint(ev, g, step)
                if self._seen.get(ev.id) == fp and ev.id not in self._waiting:
                    continue  # nothing any subscriber could be alerted about changed
                self._seen[ev.id] = fp
                self._waiting.discard(ev.id)
                ev_dict: dict[str, Any] | None = None
                for sub in self.index.match(ev, g, rank):
                    key = (sub.id, ev.id)
                    told = self._told.get(key)
                    d = decide(told, ev, g, c.at, self.rules, step, rank)
                    if d is None:
                        continue
                    kind, reasons = d
                    if kind == WAIT:
                        self._waiting.add(ev.id)
                        continue
                    seq = told.seq + 1 if told else 1
                    aid = alert_id(sub.id, ev.id, seq)
                    if ev_dict is None:
                        ev_dict = ev.to_dict()
                    out.append(Alert(
                        id=aid, subscription_id=sub.id, event_id=ev.id, kind=kind,
                        tier=tier, severity=ev.severity, fired_at=c.at, seq=seq,
                        update_of=told.alert_id if told else None,
                        update_of_fired_at=told.fired_at if told else None,
                        reasons=reasons, event=ev_dict, channel=sub.channel.type))
                    self._told[key] = remember(seq, aid, ev, g, c.at, told, self.rules, step,
                                              rank)
                    self._by_event.setdefault(ev.id, set()).add(sub.id)
        return out

    def _carry_over(self, c: EventChange) -> None:
        """A merged event's subscribers keep their history on the surviving event, so the
        survivor is an update to them, not a brand-new alert."""
        loser, winner = c.event.id, c.event.merged_into
        with self._lock:
            self._seen.pop(loser, None)
            self._waiting.discard(loser)
            if winner:
                self._seen.pop(winner, None)
            subs = self._by_event.pop(loser, set())
            for sid in subs:
                told = self._told.pop((sid, loser), None)
                if told is not None and winner and (sid, winner) not in self._told:
                    self._told[(sid, winner)] = told
                    self._by_event.setdefault(winner, set()).add(sid)

    def _forget(self, event_id: str) -> None:
        self._seen.pop(event_id, None)
        self._waiting.discard(event_id)
        for sid in self._by_event.pop(event_id, set()):
            self._told.pop((sid, event_id), None)

    # -- persistence -----------------------------------------------------------------------
    def snapshot(self) -> bytes:
        with self._lock:
            rows = [[s, e, t.to_dict()] for (s, e), t in self._told.items()]
        return json.dumps({"v": 1, "told": rows}).encode()

    def restore_state(self, data: bytes) -> None:
        d = json.loads(data)
        with self._lock:
            self._told.clear()
            self._by_event.clear()
            self._seen.clear()
            for s, e, t in d.get("told", []):
                self._told[(s, e)] = Told.from_dict(t)
                self._by_event.setdefault(e, set()).add(s)

    @property
    def tracked(self) -> int:
        return len(self._told)
