"""The Alert record: one subscription told about one event state, once.

Ids are deterministic — a hash of (subscription, event, sequence number) — so that replaying
the same stream yields the same alert ids, a restarted process does not mint new ids for old
alerts, and receivers can use the id as an idempotency key.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


def alert_id(subscription_id: str, event_id: str, seq: int) -> str:
    h = hashlib.sha256(f"{subscription_id}\x1f{event_id}\x1f{seq}".encode()).hexdigest()
    return "al_" + h[:24]


@dataclass(slots=True)
class Alert:
    id: str
    subscription_id: str
    event_id: str
    kind: str  # new | escalated | updated
    tier: str
    severity: float
    fired_at: datetime  # stream time of the change that fired it
    seq: int = 1  # 1 for the first alert of this (subscription, event), then 2, 3...
    update_of: str | None = None
    update_of_fired_at: datetime | None = None
    reasons: list[str] = field(default_factory=list)
    event: dict[str, Any] = field(default_factory=dict)  # the event as it was when it fired
    channel: str = ""  # channel type, so delivery needs no subscription look-up for SSE/Atom

    def to_dict(self, *, with_event: bool = True) -> dict[str, Any]:
        d = {
            "id": self.id,
            "update_of": self.update_of,
            "subscription_id": self.subscription_id,
            "event_id": self.event_id,
            "kind": self.kind,
            "tier": self.tier,
            "severity": round(self.severity, 4),
            "fired_at": self.fired_at.isoformat(),
            "seq": self.seq,
            "update_of_fired_at": (self.update_of_fired_at.isoformat()
                                   if self.update_of_fired_at else None),
            "reasons": list(self.reasons),
            "channel": self.channel,
        }
        if with_event:
            d["event"] = self.event
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Alert:
        uf = d.get("update_of_fired_at")
        return cls(
            id=d["id"], subscription_id=d["subscription_id"], event_id=d["event_id"],
            kind=d["kind"], tier=d["tier"], severity=float(d.get("severity", 0.0)),
            fired_at=datetime.fromisoformat(d["fired_at"]), seq=int(d.get("seq", 1)),
            update_of=d.get("update_of"),
            update_of_fired_at=datetime.fromisoformat(uf) if uf else None,
            reasons=list(d.get("reasons") or []), event=dict(d.get("event") or {}),
            channel=d.get("channel", ""),
        )
