"""Subscriptions: who wants to hear about which events, and through which channel.

A subscription describes events only — an area, hazards, information types, needs, a minimum
tier, a minimum number of independent sources, languages. There is deliberately no field
that could name an author, an account or a person.

``subscription_from_dict`` is the one validator used by the API, the CLI and the store, so
that a subscription that reached the database is known to be well formed.
"""

from __future__ import annotations

import math
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..model import HAZARDS, INFO_TYPES, NEEDS, Event, Tier, utcnow
from . import geo
from .ssrf import UnsafeURL, check_url_syntax

TIER_RANK = {Tier.ROUTINE.value: 0, Tier.URGENT.value: 1, Tier.FLASH.value: 2}
CHANNEL_TYPES = ("webhook", "email", "sse", "atom")
MAX_POLYGON_POINTS = 10_000
_EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")
_LANG = re.compile(r"^[a-z]{2,3}$")
_CC = re.compile(r"^[A-Z]{2}$")


class SubscriptionError(ValueError):
    """A subscription that cannot be accepted; the message says which field and why."""


@dataclass(slots=True)
class Area:
    """One of: bbox, polygon (GeoJSON rings), point + radius, country codes."""

    kind: str  # bbox | polygon | circle | countries
    bbox: geo.BBox | None = None
    rings: list[list[list[float]]] | None = None
    point: tuple[float, float] | None = None
    radius_km: float | None = None
    countries: frozenset[str] = frozenset()

    def contains(self, lon: float, lat: float) -> bool:
        if self.kind == "bbox":
            assert self.bbox is not None
            return geo.in_bbox(lon, lat, self.bbox)
        if self.kind == "polygon":
            assert self.rings is not None
            return geo.in_polygon(lon, lat, self.rings)
        if self.kind == "circle":
            assert self.point is not None and self.radius_km is not None
            return geo.haversine_km(self.point[0], self.point[1], lon, lat) <= self.radius_km
        return False

    def index_bboxes(self) -> list[geo.BBox]:
        """Boxes covering the area, for the spatial index (countries are indexed apart)."""
        if self.kind == "bbox":
            assert self.bbox is not None
            return geo.split_bbox(self.bbox)
        if self.kind == "polygon":
            assert self.rings is not None
            return [geo.ring_bbox(self.rings[0])]
        if self.kind == "circle":
            assert self.point is not None and self.radius_km is not None
            return geo.circle_bboxes(self.point[0], self.point[1], self.radius_km)
        return []

    def to_dict(self) -> dict[str, Any]:
        if self.kind == "bbox":
            return {"bbox": list(self.bbox or ())}
        if self.kind == "polygon":
            return {"polygon": {"type": "Polygon", "coordinates": self.rings}}
        if self.kind == "circle":
            return {"point": list(self.point or ()), "radius_km": self.radius_km}
        return {"countries": sorted(self.countries)}


@dataclass(slots=True)
class Channel:
    type: str  # webhook | email | sse | atom
    url: str | None = None
    secret: str | None = None
    to: str | None = None

    def to_dict(self, *, reveal_secret: bool = False) -> dict[str, Any]:
        d: dict[str, Any] = {"type": self.type}
        if self.url is not None:
            d["url"] = self.url
        if self.secret is not None:
            d["secret"] = self.secret if reveal_secret else "********"
        if self.to is not None:
            d["to"] = self.to
        return d


@dataclass(slots=True)
class Subscription:
    id: str
    name: str
    channel: Channel
    area: Area | None = None  # None: anywhere, including events not (yet) located
    hazards: frozenset[str] = frozenset()
    info_types: frozenset[str] = frozenset()
    needs: frozenset[str] = frozenset()
    min_tier: str = Tier.ROUTINE.value
    min_sources: int = 1
    languages: frozenset[str] = frozenset()
    owner: str | None = None  # id of the API key that created it (never a person)
    created_at: datetime = field(default_factory=utcnow)
    min_rank: int = field(init=False, default=0)  # min_tier as a number, for the hot path

    def __post_init__(self) -> None:
        self.min_rank = TIER_RANK[self.min_tier]

    def matches_attrs(self, ev: Event, rank: int | None = None) -> bool:
        """Everything except the area (which the index and ``EventGeo`` handle).
        ``rank``: the event's tier rank, when the caller already has it."""
        if rank is None:
            rank = TIER_RANK.get(ev.tier.value, 0)
        if rank < self.min_rank:
            return False
        if ev.source_count < self.min_sources:
            return False
        if self.hazards and ev.hazard not in self.hazards:
            return False
        if self.info_types and not any(ev.info_counts.get(t) for t in self.info_types):
            return False
        if self.needs and not any(ev.needs_counts.get(n) for n in self.needs):
            return False
        if self.languages and not any(ev.languages.get(lang) for lang in self.languages):
            return False
        return True

    def to_dict(self, *, reveal_secret: bool = False) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "area": self.area.to_dict() if self.area else None,
            "hazards": sorted(self.hazards),
            "info_types": sorted(self.info_types),
            "needs": sorted(self.needs),
            "min_tier": self.min_tier,
            "min_sources": self.min_sources,
            "languages": sorted(self.languages),
            "channel": self.channel.to_dict(reveal_secret=reveal_secret),
            "owner": self.owner,
            "created_at": self.created_at.isoformat(),
        }


def new_subscription_id() -> str:
    return "sub_" + secrets.token_hex(8)


# -- validation ---------------------------------------------------------------------------
def _num(v: Any, what: str) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise SubscriptionError(f"{what} must be a finite number, not {v!r}")
    return float(v)


def _lon_lat(p: Any, what: str) -> tuple[float, float]:
    if not isinstance(p, list | tuple) or len(p) < 2:
        raise SubscriptionError(f"{what} must be [lon, lat]")
    lon, lat = _num(p[0], f"{what} longitude"), _num(p[1], f"{what} latitude")
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise SubscriptionError(f"{what} out of range: lon in [-180,180], lat in [-90,90]")
    return lon, lat


def area_from_dict(d: Any) -> Area | None:
    if d is None:
        return None
    if not isinstance(d, dict):
        raise SubscriptionError("area must be an object: bbox, polygon, point+radius_km or "
                                "countries, or null for anywhere")
    keys = {k for k in ("bbox", "polygon", "point", "countries") if d.get(k) is not None}
    if len(keys) != 1:
        raise SubscriptionError("area needs exactly one of bbox, polygon, point (+radius_km), "
                                "countries")
    if "bbox" in keys:
        b = d["bbox"]
        if not isinstance(b, list | tuple) or len(b) != 4:
            raise SubscriptionError("area.bbox must be [west, south, east, north]")
        w, s = _lon_lat(b[:2], "area.bbox south-west corner")
        e, n = _lon_lat(b[2:], "area.bbox north-east corner")
        if s > n:
            raise SubscriptionError("area.bbox south is above north")
        return Area("bbox", bbox=(w, s, e, n))  # w > e: crosses the antimeridian
    if "polygon" in keys:
        poly = d["polygon"]
        if not isinstance(poly, dict) or poly.get("type") != "Polygon":
            raise SubscriptionError('area.polygon must be a GeoJSON object {"type": "Polygon",'
                                    ' "coordinates": [[[lon, lat], ...]]}')
        coords = poly.get("coordinates")
        if not isinstance(coords, list) or not coords:
            raise SubscriptionError("area.polygon.coordinates must be a list of linear rings")
        rings: list[list[list[float]]] = []
        total = 0
        for i, ring in enumerate(coords):
            if not isinstance(ring, list) or len(ring) < 4:
                raise SubscriptionError(f"area.polygon ring {i} needs at least 4 positions")
            pts = [list(_lon_lat(p, f"area.polygon ring {i} position {j}"))
                   for j, p in enumerate(ring)]
            if pts[0] != pts[-1]:
                raise SubscriptionError(f"area.polygon ring {i} is not closed (first position "
                                        "must equal the last)")
            total += len(pts)
            rings.append(pts)
        if total > MAX_POLYGON_POINTS:
            raise SubscriptionError(f"area.polygon has {total} positions; at most "
                                    f"{MAX_POLYGON_POINTS} (simplify it)")
        return Area("polygon", rings=rings)
    if "point" in keys:
        lon, lat = _lon_lat(d["point"], "area.point")
        r = _num(d.get("radius_km"), "area.radius_km")
        if not (0 < r <= 5000):
            raise SubscriptionError("area.radius_km must be in (0, 5000]")
        return Area("circle", point=(lon, lat), radius_km=r)
    cc = d["countries"]
    if not isinstance(cc, list) or not cc:
        raise SubscriptionError("area.countries must be a non-empty list of ISO 3166-1 "
                                "alpha-2 codes")
    codes = frozenset(str(c).upper() for c in cc)
    bad = [c for c in codes if not _CC.match(c)]
    if bad:
        raise SubscriptionError(f"area.countries: not ISO 3166-1 alpha-2 codes: {sorted(bad)}")
    return Area("countries", countries=codes)


def _choices(d: dict[str, Any], key: str, allowed: tuple[str, ...]) -> frozenset[str]:
    v = d.get(key) or []
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise SubscriptionError(f"{key} must be a list of strings")
    bad = sorted(set(v) - set(allowed))
    if bad:
        raise SubscriptionError(f"{key}: unknown values {bad}; allowed: {list(allowed)}")
    return frozenset(v)


def channel_from_dict(d: Any, *, allow_private: bool = False) -> Channel:
    if not isinstance(d, dict) or d.get("type") not in CHANNEL_TYPES:
        raise SubscriptionError(f"channel must be an object with type one of {CHANNEL_TYPES}")
    t = d["type"]
    if t == "webhook":
        url = d.get("url")
        if not isinstance(url, str):
            raise SubscriptionError("a webhook channel needs a url")
        try:
            check_url_syntax(url, allow_private=allow_private)
        except UnsafeURL as e:
            raise SubscriptionError(f"channel.url refused: {e}") from e
        secret = d.get("secret")
        if secret is None or secret == "********":
            secret = secrets.token_urlsafe(32)
        if not isinstance(secret, str) or len(secret) < 16:
            raise SubscriptionError("channel.secret must be a string of at least 16 characters "
                                    "(or omitted: one is generated and returned once)")
        return Channel("webhook", url=url, secret=secret)
    if t == "email":
        to = d.get("to")
        if not isinstance(to, str) or not _EMAIL.match(to) or len(to) > 254:
            raise SubscriptionError("an email channel needs one address in 'to'")
        return Channel("email", to=to)
    return Channel(t)


def subscription_from_dict(d: Any, *, id: str | None = None, owner: str | None = None,
                           allow_private: bool = False) -> Subscription:
    """Validate an API/CLI/store body into a Subscription; raises SubscriptionError."""
    if not isinstance(d, dict):
        raise SubscriptionError("a subscription must be a JSON object")
    name = d.get("name") or ""
    if not isinstance(name, str) or len(name) > 200:
        raise SubscriptionError("name must be a string of at most 200 characters")
    min_tier = d.get("min_tier") or Tier.ROUTINE.value
    if not isinstance(min_tier, str) or min_tier not in TIER_RANK:
        raise SubscriptionError(f"min_tier must be one of {list(TIER_RANK)}")
    min_sources = d.get("min_sources", 1)
    if isinstance(min_sources, bool) or not isinstance(min_sources, int) or not (
            0 <= min_sources <= 100_000):
        raise SubscriptionError("min_sources must be an integer >= 0")
    langs = d.get("languages") or []
    if not isinstance(langs, list) or not all(isinstance(x, str) and _LANG.match(x)
                                              for x in langs):
        raise SubscriptionError("languages must be ISO 639 codes such as 'en', 'ar', 'ht'")
    created = d.get("created_at")
    return Subscription(
        id=id or d.get("id") or new_subscription_id(),
        name=name,
        area=area_from_dict(d.get("area")),
        hazards=_choices(d, "hazards", HAZARDS),
        info_types=_choices(d, "info_types", INFO_TYPES),
        needs=_choices(d, "needs", NEEDS),
        min_tier=min_tier,
        min_sources=min_sources,
        languages=frozenset(langs),
        channel=channel_from_dict(d.get("channel"), allow_private=allow_private),
        owner=owner if owner is not None else d.get("owner"),
        created_at=datetime.fromisoformat(created) if isinstance(created, str) else utcnow(),
    )
