"""The alert engine: event changes in, alerts out. Pure matching and trigger logic, no I/O.

``process`` runs inside the pipeline's worker thread after each batch (and in
``tocsin detect --alerts``), so it must be fast: the spatial index narrows 10,000
subscriptions to the few that could care, and the trigger compares the event with what each
of those subscribers was last told. Delivery happens elsewhere (``service.AlertService``).

With ``default_all=True`` and no subscriptions, a built-in "everything, min tier routine"
subscription (id ``sub_default``) stands in, so that ``tocsin detect --alerts`` lists every
alert the system would raise.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from typing import Any

from ..model import ChangeKind, EventChange, EventStatus
from .alert import Alert, alert_id
from .index import SubscriptionIndex, event_geo
from .subscriptions import Channel, Subscription
from .trigger import Told, TriggerRules, decide, remember

DEFAULT_SUBSCRIPTION_ID = "sub_default"


def default_subscription() -> Subscription:
    return Subscription(id=DEFAULT_SUBSCRIPTION_ID, name="everything (built-in default)",
                        channel=Channel("none"), min_sources=0)


class AlertEngine:
    def __init__(self, subscriptions: Iterable[Subscription] = (), *,
                 rules: TriggerRules | None = None, default_all: bool = False):
        self.rules = rules or TriggerRules()
        self.index = SubscriptionIndex()
        self.default_all = default_all
        self._told: dict[tuple[str, str], Told] = {}
        self._by_event: dict[str, set[str]] = {}
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

    def remove(self, sub_id: str) -> bool:
        with self._lock:
            gone = self.index.remove(sub_id) is not None
            self._sync_default()
            return gone

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
                ev_dict: dict[str, Any] | None = None
                for sub in self.index.match(ev, g):
                    key = (sub.id, ev.id)
                    told = self._told.get(key)
                    d = decide(told, ev, g, c.at, self.rules)
                    if d is None:
                        continue
                    kind, reasons = d
                    seq = told.seq + 1 if told else 1
                    aid = alert_id(sub.id, ev.id, seq)
                    if ev_dict is None:
                        ev_dict = ev.to_dict()
                    out.append(Alert(
                        id=aid, subscription_id=sub.id, event_id=ev.id, kind=kind,
                        tier=ev.tier.value, severity=ev.severity, fired_at=c.at, seq=seq,
                        update_of=told.alert_id if told else None,
                        update_of_fired_at=told.fired_at if told else None,
                        reasons=reasons, event=ev_dict, channel=sub.channel.type))
                    self._told[key] = remember(seq, aid, ev, g, c.at, told, self.rules)
                    self._by_event.setdefault(ev.id, set()).add(sub.id)
        return out

    def _carry_over(self, c: EventChange) -> None:
        """A merged event's subscribers keep their history on the surviving event, so the
        survivor is an update to them, not a brand-new alert."""
        loser, winner = c.event.id, c.event.merged_into
        with self._lock:
            subs = self._by_event.pop(loser, set())
            for sid in subs:
                told = self._told.pop((sid, loser), None)
                if told is not None and winner and (sid, winner) not in self._told:
                    self._told[(sid, winner)] = told
                    self._by_event.setdefault(winner, set()).add(sid)

    def _forget(self, event_id: str) -> None:
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
            for s, e, t in d.get("told", []):
                self._told[(s, e)] = Told.from_dict(t)
                self._by_event.setdefault(e, set()).add(s)

    @property
    def tracked(self) -> int:
        return len(self._told)
