"""Standard exports of events: GeoJSON (RFC 7946) and CSV with HXL hashtags.

Both carry aggregates only — counts, places, tiers — never report text or authors, so they
can be shared with partners as they are.

HXL: the second row of the CSV holds the hashtags that humanitarian tools (HDX, HXL Proxy,
libhxl) use to understand columns without a data dictionary. ``#affected+killed`` is
reserved for a casualty *figure*; tocsin does not extract figures yet, so that column is left
empty and the number of casualty *reports* goes to ``#indicator+reports+casualties``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from ..model import Event

GEOJSON_PROPS = ("id", "title", "summary", "hazard", "status", "tier", "severity",
                 "first_seen", "last_seen", "report_count", "source_count", "info_counts",
                 "needs_counts", "languages", "places")


def event_feature(ev: Event) -> dict[str, Any]:
    """A Point at the bbox centre (null geometry when not located) with ``bbox`` set."""
    d = ev.to_dict()
    props = {k: d[k] for k in GEOJSON_PROPS}
    feat: dict[str, Any] = {"type": "Feature", "id": ev.id, "geometry": None,
                            "properties": props}
    c = ev.centroid
    if c is not None and ev.bbox is not None:
        feat["geometry"] = {"type": "Point", "coordinates": [round(c[0], 6), round(c[1], 6)]}
        feat["bbox"] = [round(x, 6) for x in ev.bbox]
    return feat


def events_geojson(events: Iterable[Event]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": [event_feature(e) for e in events]}


HXL_COLUMNS: list[tuple[str, str]] = [
    ("event_id", "#event+id"),
    ("title", "#event+name"),
    ("hazard", "#event+type"),
    ("tier", "#severity+tier"),
    ("severity", "#severity+score"),
    ("status", "#status"),
    ("first_seen", "#date+start"),
    ("last_seen", "#date+reported"),
    ("place", "#loc+name"),
    ("country", "#country+code"),
    ("lat", "#geo+lat"),
    ("lon", "#geo+lon"),
    ("bbox", "#geo+bbox"),
    ("killed", "#affected+killed"),
    ("casualty_reports", "#indicator+reports+casualties"),
    ("displacement_reports", "#indicator+reports+displaced"),
    ("needs", "#sector+needs"),
    ("reports", "#indicator+reports+num"),
    ("independent_sources", "#indicator+sources+num"),
    ("languages", "#language+code"),
]


def _row(ev: Event) -> list[Any]:
    c = ev.centroid
    top = ev.places[0] if ev.places else {}
    needs = sorted(ev.needs_counts, key=lambda n: -ev.needs_counts[n])
    return [
        ev.id, _safe(ev.title), ev.hazard or "", ev.tier.value, f"{ev.severity:.3f}", ev.status.value,
        ev.first_seen.isoformat(), ev.last_seen.isoformat(), _safe(top.get("name") or ""),
        top.get("country") or "",
        f"{c[1]:.5f}" if c else "", f"{c[0]:.5f}" if c else "",
        " ".join(f"{x:.5f}" for x in ev.bbox) if ev.bbox else "",
        "",
        ev.info_counts.get("casualties", 0),
        ev.info_counts.get("displacement", 0),
        " ".join(needs), ev.report_count, ev.source_count,
        " ".join(sorted(ev.languages)),
    ]


def events_hxl_csv(events: Iterable[Event]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([c for c, _ in HXL_COLUMNS])
    w.writerow([h for _, h in HXL_COLUMNS])
    for ev in events:
        w.writerow(_row(ev))
    return buf.getvalue()


def _safe(v: str) -> str:
    """Defuse spreadsheet formula injection: titles and place names come from public posts."""
    if v[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + v
    return v
