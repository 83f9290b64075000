"""When is an event change worth a (new) alert? The anti-flood rules.

An event is re-reported many times a minute while it grows; a subscriber wants one alert
when it first qualifies and then one more only when something they would act on changed:

* **escalated** — the tier went up (routine → urgent → flash);
* **updated** — casualty reports crossed the next step of a log scale (1, 3, 10, 30, 100...),
  or the event reached a new area: a new country, or a located place more than
  ``new_area_km`` from every place the subscriber was already told about.

Each comparison is against what *this subscriber was last told*, not against the previous
event state, so many small changes add up to one update instead of being lost. Updates
(not escalations) are also spaced at least ``min_update_interval`` of stream time apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..model import Event
from . import geo
from .index import EventGeo
from .subscriptions import TIER_RANK

CASUALTY_STEPS = (1, 3, 10, 30, 100, 300, 1000, 3000, 10000)


def casualty_step(ev: Event) -> int:
    """How many steps of the casualty scale the event's casualty reports have reached."""
    n = ev.info_counts.get("casualties", 0) + ev.info_counts.get("missing_or_found", 0)
    return sum(1 for s in CASUALTY_STEPS if n >= s)


@dataclass(slots=True)
class Told:
    """What one subscriber was last told about one event."""

    seq: int
    alert_id: str
    fired_at: datetime
    tier_rank: int
    casualty_step: int
    countries: frozenset[str] = frozenset()
    #: places told (shared between subscribers told about the same event state: never
    #: mutated, replaced)
    points: tuple[tuple[float, float], ...] = ()
    #: points already found near a told point, made on first need: skip the distance test
    #: next time (the common case of an event re-reported with the same places)
    near: set[tuple[float, float]] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "alert_id": self.alert_id, "fired_at": self.fired_at.isoformat(),
                "tier_rank": self.tier_rank, "casualty_step": self.casualty_step,
                "countries": sorted(self.countries), "points": [list(p) for p in self.points]}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Told:
        return cls(seq=d["seq"], alert_id=d["alert_id"],
                   fired_at=datetime.fromisoformat(d["fired_at"]), tier_rank=d["tier_rank"],
                   casualty_step=d["casualty_step"], countries=frozenset(d["countries"]),
                   points=tuple(tuple(p) for p in d["points"]))  # type: ignore[misc]


@dataclass(slots=True)
class TriggerRules:
    new_area_km: float = 50.0
    min_update_interval: timedelta = timedelta(minutes=15)
    max_points: int = 50  # bound the per-(subscription, event) memory


def _far_from_all(lon: float, lat: float, pts: tuple[tuple[float, float], ...],
                  km: float) -> bool:
    """No point of ``pts`` within ``km``; a latitude difference alone settles most pairs
    (one degree of latitude is ~111 km everywhere), so haversine runs only for close ones."""
    dlat = km / 110.0
    for x, y in pts:
        if abs(y - lat) <= dlat and geo.haversine_km(lon, lat, x, y) <= km:
            return False
    return True


#: ``decide`` result kind: a material change exists but the update interval has not passed
WAIT = "wait"


TIER_NAME = {v: k for k, v in TIER_RANK.items()}


def decide(told: Told | None, ev: Event, g: EventGeo, at: datetime,
           rules: TriggerRules, step: int | None = None,
           rank: int | None = None) -> tuple[str, list[str]] | None:
    """(kind, reasons) if this state deserves an alert to this subscriber, else None.

    kind is new, escalated, updated — or ``WAIT`` when an update is due but spaced out.
    ``step`` and ``rank`` (casualty step, tier rank) may be passed in by a caller that
    evaluates one event state for many subscribers."""
    if rank is None:
        rank = TIER_RANK.get(ev.tier.value, 0)
    if told is None:
        return "new", [f"first match at tier {TIER_NAME[rank]}"]
    if rank > told.tier_rank:
        return "escalated", [f"tier {TIER_NAME[told.tier_rank]} → {TIER_NAME[rank]}"]
    reasons: list[str] = []
    step = casualty_step(ev) if step is None else step
    if step > told.casualty_step:
        reasons.append(f"casualty reports reached {CASUALTY_STEPS[step - 1]}")
    new_cc = g.countries - told.countries
    if new_cc:
        reasons.append("new countries: " + ", ".join(sorted(new_cc)))
    else:
        for p in g.points:
            if p in told.points or (told.near is not None and p in told.near):
                continue
            lon, lat = p
            if _far_from_all(lon, lat, told.points, rules.new_area_km):
                reasons.append(f"new area near {lat:.2f},{lon:.2f}")
                break
            if told.near is None:
                told.near = set()
            if len(told.near) < 4 * rules.max_points:
                told.near.add(p)
    if not reasons:
        return None
    if at - told.fired_at < rules.min_update_interval:
        # not yet: compared against what was told, so it fires on a later change
        return WAIT, reasons
    return "updated", reasons


def remember(seq: int, alert_id: str, ev: Event, g: EventGeo, at: datetime,
             prev: Told | None, rules: TriggerRules, step: int | None = None,
             rank: int | None = None) -> Told:
    step = casualty_step(ev) if step is None else step
    rank = TIER_RANK.get(ev.tier.value, 0) if rank is None else rank
    if prev is None:  # the common case, kept cheap: thousands of subscribers per event
        return Told(seq=seq, alert_id=alert_id, fired_at=at, tier_rank=rank,
                    casualty_step=step, countries=g.countries,
                    points=g.points[: rules.max_points])
    pts = list(prev.points)
    known = set(pts)
    for p in g.points:
        if len(pts) >= rules.max_points:
            break
        if p not in known:
            known.add(p)
            pts.append(p)
    # the highest tier ever told: a tier that flaps down and up again must not re-alert
    return Told(seq=seq, alert_id=alert_id, fired_at=at, tier_rank=max(rank, prev.tier_rank),
                casualty_step=max(step, prev.casualty_step),
                countries=g.countries | prev.countries, points=tuple(pts), near=prev.near)
