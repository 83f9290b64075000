"""Invented events and reports for the dashboard tests (no corpus text, ever).

Places are real (so the map has somewhere to put them); incidents, texts and sources are
made up. One report carries HTML that a hostile post might contain: it must render as text.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

from tocsin.model import Event, EventStatus, Report, Source, SourceKind, Tier
from tocsin.store.sqlite import SQLiteStore

T0 = datetime(2026, 3, 2, 6, 0, tzinfo=timezone.utc)

XSS_TITLE = 'Bridge collapse <script>alert(1)</script> <img src=x onerror=alert(1)>'
XSS_TEXT = ('Bridge down near Lyon <script>alert("x")</script>'
            '<img src=x onerror=alert(1)> people trapped')

#: (id, title, hazard, tier, lon, lat, place, country, info, needs, langs)
INCIDENTS = [
    ("ev-flood-dhaka", "Flooding in Dhaka, thousands displaced", "flood", "flash",
     90.41, 23.81, "Dhaka", "BD", {"displacement": 9, "urgent_needs": 4},
     {"shelter": 6, "water": 5}, {"en": 8, "bn": 5}),
    ("ev-quake-izmir", "Earthquake near Izmir damages buildings", "earthquake", "urgent",
     27.14, 38.42, "Izmir", "TR", {"infrastructure_damage": 7, "casualties": 2},
     {"search_and_rescue": 4}, {"tr": 6, "en": 3}),
    ("ev-fire-valparaiso", "Wildfire reaches hills of Valparaíso", "wildfire", "urgent",
     -71.62, -33.05, "Valparaíso", "CL", {"caution_and_advice": 5, "displacement": 2},
     {"evacuation": 3}, {"es": 7}),
    ("ev-storm-manila", "Storm cuts power across Manila", "storm", "routine",
     120.98, 14.60, "Manila", "PH", {"infrastructure_damage": 3}, {"power": 3},
     {"en": 2, "tl": 2}),
    ("ev-xss-lyon", XSS_TITLE, "transport_accident", "flash",
     4.84, 45.76, "Lyon", "FR", {"casualties": 3}, {"medical": 2}, {"fr": 3, "en": 1}),
]


def _event(spec, *, at: datetime, reports: int) -> Event:
    eid, title, hazard, tier, lon, lat, place, cc, info, needs, langs = spec
    return Event(
        id=eid, status=EventStatus.ACTIVE, first_seen=at - timedelta(hours=3), last_seen=at,
        title=title, summary=f"{reports} reports about {place}. " + (
            XSS_TEXT if eid == "ev-xss-lyon" else "Invented test incident."),
        hazard=hazard, top_terms=[place.lower(), hazard], info_counts=dict(info),
        needs_counts=dict(needs),
        places=[{"name": place, "lat": lat, "lon": lon, "country": cc, "phrase": place}],
        bbox=(lon - 0.2, lat - 0.2, lon + 0.2, lat + 0.2), report_count=reports,
        source_count=max(1, reports // 2), languages=dict(langs), severity=
        {"flash": 0.9, "urgent": 0.6, "routine": 0.2}[tier], tier=Tier(tier), updated_at=at,
        title_report=f"{eid}-r1",  # (its report k = 1: see make_db)
    )


def make_db(path: Path, *, extra_events: int = 0, seed: int = 7) -> Path:
    """A store with the five incidents, their reports, and optionally many filler events."""
    store = SQLiteStore(path)
    try:
        evs, reps = [], []
        for i, spec in enumerate(INCIDENTS):
            at = T0 + timedelta(hours=i)
            n = 4 + i
            evs.append(_event(spec, at=at, reports=n))
            for k in range(n):
                text = XSS_TEXT if spec[0] == "ev-xss-lyon" and k == 0 else (
                    f"Invented report {k} about {spec[6]}: water rising, roads closed.")
                reps.append(Report(
                    id=f"{spec[0]}-r{k}", source="test-feed" if k % 2 else "test-social",
                    text=text, published_at=at - timedelta(minutes=25 * k),
                    url=f"https://news.example.org/{spec[0]}/{k}" if k % 3 else
                    "javascript:alert(1)", lang=next(iter(spec[10])),
                    info_type=next(iter(spec[8])), needs=list(spec[9])[:1], event_id=spec[0]))
        rng = random.Random(seed)
        hazards = ["flood", "storm", "earthquake", "wildfire", "other"]
        for i in range(extra_events):
            lon, lat = rng.uniform(-170, 170), rng.uniform(-55, 70)
            tier = rng.choice(["flash", "urgent", "routine", "routine"])
            at = T0 - timedelta(minutes=7 * (i + 1))
            evs.append(Event(
                id=f"ev-fill-{i:05d}", status=EventStatus.ACTIVE,
                first_seen=at - timedelta(hours=2), last_seen=at,
                title=f"Filler incident {i}", summary="Invented background event.",
                hazard=rng.choice(hazards), info_counts={"other_relevant": 2},
                places=[{"name": f"P{i}", "lat": lat, "lon": lon, "country": "XX"}],
                bbox=(lon - 0.1, lat - 0.1, lon + 0.1, lat + 0.1),
                report_count=rng.randint(2, 60), source_count=rng.randint(1, 10),
                languages={"en": 2}, severity=rng.random(), tier=Tier(tier), updated_at=at))
        for i in range(0, len(evs), 500):
            store.upsert_events(evs[i:i + 500])
        store.add_reports(reps)
        store.upsert_sources([
            Source(name="test-feed", kind=SourceKind.FEED, url="https://feeds.example.org/a.xml",
                   last_success=T0, items_total=120, items_per_min=3.5),
            Source(name="broken-feed", kind=SourceKind.FEED, url="https://feeds.example.org/b",
                   last_error="HTTP 503 <b>Service Unavailable</b>", last_error_at=T0,
                   consecutive_failures=3)])
    finally:
        store.close()
    return path


def write_stream(path: Path) -> Path:
    """A small replayable JSON-lines stream of invented reports (for ``tocsin replay``).

    Three incidents in real places, each told in varied words by several outlets (so that
    near-duplicate detection keeps most of them); the Lyon ones carry hostile HTML.
    """
    bursts = {
        "flood": ["Severe flooding in Dhaka, families displaced and in need of shelter",
                  "Dhaka streets under water after river bursts its banks, clean water short",
                  "Thousands evacuated as floods submerge neighbourhoods of Dhaka",
                  "Relief teams bring boats and food to flooded districts of Dhaka"],
        "quake": ["Earthquake shakes Izmir, several buildings collapsed",
                  "Rescue teams search rubble in Izmir after strong quake",
                  "Izmir hospitals receive injured after the earthquake, aftershocks felt",
                  "Tents set up in Izmir parks for residents afraid to return home"],
        "xss": ["Train derailed near Lyon station <script>alert(1)</script>, passengers hurt",
                "Ambulances at the Lyon derailment <img src=x onerror=alert(1)> site",
                "Lyon rail line closed after derailment, injured taken to hospital",
                "Investigators arrive at Lyon train crash <script>alert(2)</script>"],
    }
    lines = []
    t = T0
    for rep in range(14):
        for key, texts in bursts.items():
            t += timedelta(seconds=40)
            lines.append({"id": f"s-{key}-{rep}", "time": t.isoformat(), "lang": "en",
                          "text": f"{texts[rep % len(texts)]} (report {rep}, desk {rep % 3})",
                          "url": f"https://news.example.org/{key}/{rep}",
                          "source": f"outlet-{rep % 5}"})
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n",
                    encoding="utf-8")
    return path


def make_key(db: Path, scopes: list[str], name: str = "dashboard-test") -> str:
    """A real API key in the store (the plain key is returned once, as in production)."""
    from tocsin.alerts.keys import create_key

    store = SQLiteStore(db)
    try:
        return create_key(store, name, scopes)[0]
    finally:
        store.close()
