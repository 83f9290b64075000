"""Factories shared by the alert tests: events and changes built in code, no corpora."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from tocsin.model import ChangeKind, Event, EventChange, EventStatus, Tier

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


def make_event(eid: str = "ev1", *, lon: float | None = -72.34, lat: float | None = 18.54,
               country: str | None = "HT", tier: str = "routine", hazard: str | None =
               "earthquake", sources: int = 3, casualties: int = 0, places: list | None = None,
               status: EventStatus = EventStatus.ACTIVE, **kw: Any) -> Event:
    if places is None:
        places = ([] if lon is None else
                  [{"geonameid": 1, "name": "Port-au-Prince", "lat": lat, "lon": lon,
                    "country": country, "count": 5}])
    pts = [(p["lon"], p["lat"]) for p in places if p.get("lat") is not None]
    bbox = None
    if pts:
        bbox = (min(p[0] for p in pts), min(p[1] for p in pts),
                max(p[0] for p in pts), max(p[1] for p in pts))
    return Event(id=eid, status=status, first_seen=T0, last_seen=T0, title="Earthquake",
                 summary="earthquake · Port-au-Prince", hazard=hazard,
                 info_counts={"casualties": casualties, "other_relevant": 2},
                 places=places, bbox=bbox, report_count=10, source_count=sources,
                 languages={"en": 5, "ht": 3}, severity=0.5, tier=Tier(tier), **kw)


def change(ev: Event, minutes: float = 0, kind: ChangeKind = ChangeKind.UPDATED) -> EventChange:
    return EventChange(kind, ev, T0 + timedelta(minutes=minutes))


@pytest.fixture
def store(tmp_path):
    from tocsin.store.sqlite import SQLiteStore

    s = SQLiteStore(tmp_path / "t.db")
    yield s
    s.close()
