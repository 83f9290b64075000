"""Typed records shared by every stage.

Stages exchange *batches* (plain lists of these records) so that per-call overhead is paid
once per batch, not once per report. Records are mutable dataclasses with slots: enrichment
stages fill fields in place instead of copying, which keeps the hot path allocation-light.

Nothing here models a person. A report carries at most ``author_key``, an HMAC pseudonym
used only to count independent sources of an event (see ``tocsin.privacy``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

INFO_TYPES: tuple[str, ...] = (
    "casualties",
    "missing_or_found",
    "displacement",
    "infrastructure_damage",
    "urgent_needs",
    "relief_efforts",
    "caution_and_advice",
    "sympathy_and_support",
    "other_relevant",
    "not_relevant",
)

HAZARDS: tuple[str, ...] = (
    "earthquake",
    "flood",
    "storm",
    "wildfire",
    "explosion",
    "armed_conflict",
    "disease_outbreak",
    "transport_accident",
    "landslide",
    "drought_or_food_insecurity",
    "other",
    "none",
)

NEEDS: tuple[str, ...] = (
    "water",
    "food",
    "shelter",
    "medical",
    "search_and_rescue",
    "evacuation",
    "power",
    "communications",
    "protection",
    "cash",
)

#: Texts longer than this are cut and flagged ``truncated``; a 20k-character post is either
#: a paste of a whole article or an attack on the pipeline, and neither needs the tail.
MAX_TEXT_CHARS = 20_000


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class SourceKind(str, enum.Enum):
    """Organisational sources keep their configured name; social ones are pseudonymised."""

    FILE = "file"
    FEED = "feed"
    PUSH = "push"
    SOCIAL = "social"


class EventStatus(str, enum.Enum):
    EMERGING = "emerging"
    ACTIVE = "active"
    COOLING = "cooling"
    CLOSED = "closed"
    MERGED = "merged"


class Tier(str, enum.Enum):
    FLASH = "flash"
    URGENT = "urgent"
    ROUTINE = "routine"


@dataclass(slots=True)
class Place:
    """A toponym found in a report and, when resolved, its GeoNames referent."""

    start: int
    end: int
    phrase: str
    geonameid: int | None = None
    name: str | None = None
    lat: float | None = None
    lon: float | None = None
    country: str | None = None
    admin1: str | None = None
    feature: str | None = None
    score: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "phrase": self.phrase,
            "geonameid": self.geonameid,
            "name": self.name,
            "lat": self.lat,
            "lon": self.lon,
            "country": self.country,
            "admin1": self.admin1,
            "feature": self.feature,
            "score": round(self.score, 4),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Place:
        return cls(
            start=int(d.get("start", 0)),
            end=int(d.get("end", 0)),
            phrase=str(d.get("phrase", "")),
            geonameid=d.get("geonameid"),
            name=d.get("name"),
            lat=d.get("lat"),
            lon=d.get("lon"),
            country=d.get("country"),
            admin1=d.get("admin1"),
            feature=d.get("feature"),
            score=float(d.get("score") or 0.0),
        )


@dataclass(slots=True)
class Report:
    """One ingested item, enriched in place as it moves through the stages."""

    id: str
    source: str
    text: str
    published_at: datetime
    received_at: datetime = field(default_factory=utcnow)
    url: str | None = None
    author_key: str | None = None
    lang: str | None = None
    truncated: bool = False
    # enrichment: normalisation and dedup
    norm_text: str = ""
    tokens: list[str] = field(default_factory=list)
    exact_key: str | None = None
    simhash: int = 0
    duplicate_of: str | None = None
    # enrichment: classification
    info_type: str | None = None
    info_scores: dict[str, float] = field(default_factory=dict)
    relevant: bool | None = None
    relevance: float | None = None
    hazard: str | None = None
    needs: list[str] = field(default_factory=list)
    # enrichment: geoparsing
    places: list[Place] = field(default_factory=list)
    location: Place | None = None
    # enrichment: accurate mode only — the multilingual sentence embedding (a unit float32
    # vector) the detector compares events by across languages; derived from the text, so
    # it is never stored or exported (``to_dict`` leaves it out)
    embedding: Any = None
    # detection
    event_id: str | None = None
    # anything the source gave that the pipeline has no field for (kept, never interpreted)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self, *, with_text: bool = True) -> dict[str, Any]:
        d: dict[str, Any] = {
            "id": self.id,
            "source": self.source,
            "url": self.url,
            "published_at": self.published_at.isoformat(),
            "received_at": self.received_at.isoformat(),
            "author_key": self.author_key,
            "lang": self.lang,
            "truncated": self.truncated,
            "duplicate_of": self.duplicate_of,
            "info_type": self.info_type,
            "info_scores": self.info_scores,
            "relevant": self.relevant,
            "relevance": self.relevance,
            "hazard": self.hazard,
            "needs": list(self.needs),
            "places": [p.to_dict() for p in self.places],
            "location": self.location.to_dict() if self.location else None,
            "event_id": self.event_id,
        }
        if with_text:
            d["text"] = self.text
        return d


ReportBatch = list[Report]


@dataclass(slots=True)
class Source:
    """A configured input and its health, as the sources page shows it."""

    name: str
    kind: SourceKind
    url: str | None = None
    enabled: bool = True
    last_success: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    consecutive_failures: int = 0
    items_total: int = 0
    items_bad: int = 0
    items_per_min: float = 0.0

    @property
    def healthy(self) -> bool:
        return self.consecutive_failures == 0 and self.last_success is not None

    def to_dict(self) -> dict[str, Any]:
        def iso(t: datetime | None) -> str | None:
            return t.isoformat() if t else None

        return {
            "name": self.name,
            "kind": self.kind.value,
            "url": self.url,
            "enabled": self.enabled,
            "healthy": self.healthy,
            "last_success": iso(self.last_success),
            "last_error": self.last_error,
            "last_error_at": iso(self.last_error_at),
            "consecutive_failures": self.consecutive_failures,
            "items_total": self.items_total,
            "items_bad": self.items_bad,
            "items_per_min": round(self.items_per_min, 2),
        }


@dataclass(slots=True)
class Event:
    """The unit users see: an aggregate of reports, never of people."""

    id: str
    status: EventStatus
    first_seen: datetime
    last_seen: datetime
    title: str = ""
    summary: str = ""
    hazard: str | None = None
    top_terms: list[str] = field(default_factory=list)
    info_counts: dict[str, int] = field(default_factory=dict)
    needs_counts: dict[str, int] = field(default_factory=dict)
    places: list[dict[str, Any]] = field(default_factory=list)
    bbox: tuple[float, float, float, float] | None = None  # (min_lon, min_lat, max_lon, max_lat)
    report_count: int = 0
    source_count: int = 0
    org_source_count: int = 0  # organisational sources (agency feeds) among source_count
    languages: dict[str, int] = field(default_factory=dict)
    growth_rate: float = 0.0
    severity: float = 0.0
    tier: Tier = Tier.ROUTINE
    merged_into: str | None = None
    updated_at: datetime = field(default_factory=utcnow)
    #: the id of the report the title was taken from (its representative report)
    title_report: str | None = None

    @property
    def centroid(self) -> tuple[float, float] | None:
        if self.bbox is None:
            return None
        return ((self.bbox[0] + self.bbox[2]) / 2, (self.bbox[1] + self.bbox[3]) / 2)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status.value,
            "first_seen": self.first_seen.isoformat(),
            "last_seen": self.last_seen.isoformat(),
            "title": self.title,
            "summary": self.summary,
            "hazard": self.hazard,
            "top_terms": list(self.top_terms),
            "info_counts": dict(self.info_counts),
            "needs_counts": dict(self.needs_counts),
            "places": list(self.places),
            "bbox": list(self.bbox) if self.bbox else None,
            "report_count": self.report_count,
            "source_count": self.source_count,
            "org_source_count": self.org_source_count,
            "languages": dict(self.languages),
            "growth_rate": round(self.growth_rate, 4),
            "severity": round(self.severity, 4),
            "tier": self.tier.value,
            "merged_into": self.merged_into,
            "updated_at": self.updated_at.isoformat(),
            "title_report": self.title_report,
        }


class ChangeKind(str, enum.Enum):
    NEW = "new"
    UPDATED = "updated"
    ESCALATED = "escalated"
    STATUS = "status"
    MERGED = "merged"


@dataclass(slots=True)
class EventChange:
    """What the detector tells the rest of the system after observing a batch."""

    kind: ChangeKind
    event: Event
    at: datetime  # stream time at which the change happened

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "at": self.at.isoformat(), "event": self.event.to_dict()}


def _dt(s: str | None) -> datetime | None:
    return datetime.fromisoformat(s) if s else None


def event_from_dict(d: dict[str, Any]) -> Event:
    """Inverse of ``Event.to_dict`` (used by stores and the API client side)."""
    return Event(
        id=d["id"],
        status=EventStatus(d["status"]),
        first_seen=datetime.fromisoformat(d["first_seen"]),
        last_seen=datetime.fromisoformat(d["last_seen"]),
        title=d.get("title", ""),
        summary=d.get("summary", ""),
        hazard=d.get("hazard"),
        top_terms=list(d.get("top_terms") or []),
        info_counts=dict(d.get("info_counts") or {}),
        needs_counts=dict(d.get("needs_counts") or {}),
        places=list(d.get("places") or []),
        bbox=tuple(d["bbox"]) if d.get("bbox") else None,  # type: ignore[arg-type]
        report_count=int(d.get("report_count", 0)),
        source_count=int(d.get("source_count", 0)),
        org_source_count=int(d.get("org_source_count", 0)),
        languages=dict(d.get("languages") or {}),
        growth_rate=float(d.get("growth_rate", 0.0)),
        severity=float(d.get("severity", 0.0)),
        tier=Tier(d.get("tier", "routine")),
        merged_into=d.get("merged_into"),
        updated_at=_dt(d.get("updated_at")) or utcnow(),
        title_report=d.get("title_report"),
    )
