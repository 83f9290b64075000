"""Event summary and severity: what a responder reads first, and how loud the bell rings.

Severity is a transparent sum of bounded parts, each in [0, 1] before weighting, so that a
responder (and a test) can tell why an event is flash rather than routine:

* hazard: some hazards kill more people faster (earthquake, explosion, conflict);
* casualties: the share of the event's reports about deaths, injuries or missing people;
* growth: reports per hour over the last hour, on a log scale;
* corroboration: independent sources on a log scale (a single account cannot raise a flash).

No part looks at who wrote anything — only at how many independent sources did.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable
from datetime import UTC, datetime

from ..model import Event, EventStatus, Tier
from .cluster import Cluster
from .features import is_word
from .scoring import at_least

HAZARD_BASE: dict[str, float] = {
    "earthquake": 1.0,
    "explosion": 1.0,
    "armed_conflict": 1.0,
    "storm": 0.8,
    "flood": 0.7,
    "wildfire": 0.7,
    "landslide": 0.7,
    "transport_accident": 0.6,
    "disease_outbreak": 0.6,
    "drought_or_food_insecurity": 0.4,
    "other": 0.3,
}
WEIGHTS = {"hazard": 0.25, "casualties": 0.3, "growth": 0.2, "sources": 0.25}
FLASH_AT = 0.7
URGENT_AT = 0.45
#: a flash needs corroboration whatever the other parts say
FLASH_MIN_SOURCES = 3
#: an agency's own feed reporting the event counts as much as many independent accounts
ORG_BONUS = 0.4
_W_HAZARD, _W_CAS, _W_GROWTH, _W_SOURCES = (WEIGHTS["hazard"], WEIGHTS["casualties"],
                                            WEIGHTS["growth"], WEIGHTS["sources"])
_LOG200, _LOG50 = math.log(200.0), math.log(50.0)


def severity_parts(c: Cluster, growth: float) -> dict[str, float]:
    h = c.dominant_hazard()
    classified = sum(c.info.values())
    harmed = c.info.get("casualties", 0) + c.info.get("missing_or_found", 0)
    return {
        "hazard": HAZARD_BASE.get(h or "", 0.3),
        # a quarter of reports about casualties is already a lot
        "casualties": min(1.0, 4.0 * harmed / classified) if classified else 0.0,
        "growth": min(1.0, math.log1p(growth) / math.log(200.0)),
        "sources": min(1.0, math.log1p(len(c.sources)) / math.log(50.0)
                       + (ORG_BONUS if c.org_sources else 0.0)),
    }


def severity(c: Cluster, growth: float) -> float:
    """``Σ WEIGHTS[k]·severity_parts(c, growth)[k]``, without building the parts (this runs
    for every report that joins an event, to catch a tier escalation when it happens)."""
    classified = sum(c.info.values())
    if classified:
        info = c.info
        harmed = info.get("casualties", 0) + info.get("missing_or_found", 0)
        cas = 4.0 * harmed / classified
        cas = cas if cas < 1.0 else 1.0
    else:
        cas = 0.0
    gr = math.log1p(growth) / _LOG200
    src = math.log1p(len(c.sources)) / _LOG50
    if c.org_sources:
        src += ORG_BONUS
    return (_W_HAZARD * HAZARD_BASE.get(c.top_hazard or "", 0.3) + _W_CAS * cas
            + _W_GROWTH * (gr if gr < 1.0 else 1.0) + _W_SOURCES * (src if src < 1.0 else 1.0))


def tier_of(sev: float, n_sources: int, corroborated: bool = False) -> Tier:
    """Flash needs independent sources, or corroboration by an organisational source."""
    if sev >= FLASH_AT and (n_sources >= FLASH_MIN_SOURCES or corroborated):
        return Tier.FLASH
    if sev >= URGENT_AT:
        return Tier.URGENT
    return Tier.ROUTINE


def highest_tier(n_sources: int, corroborated: bool = False) -> Tier:
    """The highest tier ``tier_of`` can give an event with these sources, whatever its
    severity."""
    if n_sources >= FLASH_MIN_SOURCES or corroborated:
        return Tier.FLASH
    return Tier.URGENT


def severity_and_tier(c: Cluster, growth: float) -> tuple[float, Tier]:
    sev = severity(c, growth)
    return sev, tier_of(sev, len(c.sources), bool(c.org_sources))


def growth_rate(c: Cluster, now: float) -> float:
    """Reports per hour over roughly the last hour (the one-hour-half-life counter)."""
    dt = max(0.0, now - c.rate_t)
    return c.rate * 0.5 ** (dt / 3600.0) * math.log(2.0)


def top_terms(c: Cluster, idf: Callable[[str], float], k: int) -> list[str]:
    """Words most typical of the event: frequent in it, rare in the background."""
    # only words carried by at least 1% of the event can be among its top terms; filtering
    # on the raw weight first keeps this cheap for events with tens of thousands of words
    cut = 0.01 * c.n
    words = [(v * idf(w), w) for w, v in at_least(c.terms, cut) if is_word(w)]
    return [w for _, w in heapq.nlargest(k, words)]


def places_and_bbox(
    c: Cluster, k: int = 10
) -> tuple[list[dict], tuple[float, float, float, float] | None]:
    """Top places, and a bbox over those mentioned by at least a fifth as many reports as
    the top one — a single stray mention of a far city must not stretch the box."""
    top = sorted(c.places.items(), key=lambda kv: -kv[1][0])[:k]
    out = [
        {"geonameid": int(g), "name": e[1], "lat": e[2], "lon": e[3], "country": e[4],
         "count": e[0]}
        for g, e in top
    ]
    pts = [(e[3], e[2]) for _, e in top if e[2] is not None and e[3] is not None
           and e[0] >= 0.2 * top[0][1][0]]
    bbox = None
    if pts:
        lons, lats = [p[0] for p in pts], [p[1] for p in pts]
        bbox = (min(lons), min(lats), max(lons), max(lats))
    return out, bbox


def _count(n: int, noun: str) -> str:
    """ "1 report", "2 reports"."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def to_ts(t: float) -> datetime:
    return datetime.fromtimestamp(t, tz=UTC)


def build_event(c: Cluster, now: float, idf: Callable[[str], float], n_terms: int) -> Event:
    """The user-facing Event for a cluster, computed from its state (cheap enough per batch).

    Its title is the one chosen when the event was last announced (``Cluster.pick_title``,
    called by the detector for each change): reading an event changes nothing."""
    growth = growth_rate(c, now)
    places, bbox = places_and_bbox(c)
    terms = top_terms(c, idf, n_terms)
    hazard = c.dominant_hazard()
    where = ", ".join(p["name"] for p in places[:3] if p["name"])
    summary_bits = [hazard or "crisis", where or None,
                    f"{_count(c.report_count, 'report')} from "
                    f"{_count(len(c.sources), 'source')}"]
    return Event(
        id=c.id,
        status=EventStatus(c.status),
        first_seen=to_ts(c.created),
        last_seen=to_ts(c.last),
        title=c.title[:200],
        title_report=c.title_id,
        summary=" · ".join(b for b in summary_bits if b),
        hazard=hazard,
        top_terms=terms,
        info_counts=dict(c.info),
        needs_counts=dict(c.needs),
        places=places,
        bbox=bbox,
        report_count=c.report_count,
        source_count=len(c.sources),
        org_source_count=len(c.org_sources),
        languages=dict(c.languages),
        growth_rate=growth,
        severity=c.severity,
        tier=Tier(c.tier),
        merged_into=c.merged_into,
        updated_at=to_ts(now),
    )
