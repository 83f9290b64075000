"""CAP 1.2 (OASIS Common Alerting Protocol) for one alert.

Mapping choices, so that a CAP consumer reads tocsin's alerts the way it reads an agency's:

* ``msgType`` Alert for a first alert, Update (with ``references`` to the previous one) for
  escalations and updates — CAP's own way to chain messages, matching ``update_of``.
* ``urgency``/``severity`` from the tier: flash → Immediate/Severe, urgent → Expected/Moderate,
  routine → Future/Minor. tocsin observes reports, not the hazard itself, so it never claims
  ``Extreme``.
* ``certainty`` from corroboration: Likely with at least three independent sources, else
  Possible. tocsin never says Observed: it relays what public sources say.
* the area is the event's bbox as a CAP polygon (``lat,lon`` pairs, closed), or a 10 km circle
  around a single located point, plus ISO 3166-1 geocodes; ``areaDesc`` names the places.
* ``sent`` has no fractional seconds and an explicit ``+00:00``: the schema's pattern allows
  nothing else.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from xml.etree import ElementTree as ET

from .alert import Alert

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
DEFAULT_SENDER = "tocsin@localhost"

CATEGORY = {
    "earthquake": "Geo", "landslide": "Geo", "flood": "Met", "storm": "Met",
    "drought_or_food_insecurity": "Env", "wildfire": "Fire", "explosion": "Safety",
    "armed_conflict": "Security", "disease_outbreak": "Health",
    "transport_accident": "Transport",
}
URGENCY = {"flash": "Immediate", "urgent": "Expected", "routine": "Future"}
SEVERITY = {"flash": "Severe", "urgent": "Moderate", "routine": "Minor"}
POINT_RADIUS_KM = 10.0


def cap_time(t: datetime) -> str:
    if t.tzinfo is None:
        t = t.replace(tzinfo=timezone.utc)
    return t.astimezone(timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    el = ET.SubElement(parent, f"{{{CAP_NS}}}{tag}")
    if text is not None:
        el.text = text
    return el


def _clean(s: str) -> str:
    """XML 1.0 forbids most control characters; social text sometimes carries them."""
    return "".join(ch for ch in s if ch in "\t\n\r" or ord(ch) >= 0x20)


def _area(info: ET.Element, ev: dict[str, Any]) -> None:
    places = [p for p in ev.get("places") or [] if p.get("name")]
    desc = ", ".join(p["name"] for p in places[:5]) or "location not determined"
    area = _sub(info, "area")
    _sub(area, "areaDesc", _clean(desc))
    bbox = ev.get("bbox")
    if bbox:
        w, s, e, n = bbox
        if w != e and s != n:
            pts = [(s, w), (s, e), (n, e), (n, w), (s, w)]
            _sub(area, "polygon", " ".join(f"{lat:.4f},{lon:.4f}" for lat, lon in pts))
        else:
            _sub(area, "circle", f"{(s + n) / 2:.4f},{(w + e) / 2:.4f} {POINT_RADIUS_KM:g}")
    for cc in sorted({str(p["country"]).upper() for p in places if p.get("country")}):
        gc = _sub(area, "geocode")
        _sub(gc, "valueName", "ISO3166-1")
        _sub(gc, "value", cc)


def to_cap(alert: Alert, *, sender: str = DEFAULT_SENDER, web: str | None = None,
           language: str = "en") -> str:
    """The CAP 1.2 XML document for ``alert`` (UTF-8 string with declaration)."""
    ev = alert.event
    ET.register_namespace("", CAP_NS)
    root = ET.Element(f"{{{CAP_NS}}}alert")
    _sub(root, "identifier", alert.id)
    _sub(root, "sender", sender)
    _sub(root, "sent", cap_time(alert.fired_at))
    _sub(root, "status", "Actual")
    _sub(root, "msgType", "Alert" if alert.update_of is None else "Update")
    _sub(root, "scope", "Public")
    _sub(root, "note", _clean("; ".join(alert.reasons))[:1000] or None)
    if alert.update_of is not None and alert.update_of_fired_at is not None:
        _sub(root, "references",
             f"{sender},{alert.update_of},{cap_time(alert.update_of_fired_at)}")
    _sub(root, "incidents", alert.event_id)

    info = _sub(root, "info")
    _sub(info, "language", language)
    _sub(info, "category", CATEGORY.get(ev.get("hazard") or "", "Other"))
    hazard = (ev.get("hazard") or "crisis").replace("_", " ")
    _sub(info, "event", hazard)
    _sub(info, "responseType", "Monitor")
    _sub(info, "urgency", URGENCY.get(alert.tier, "Unknown"))
    _sub(info, "severity", SEVERITY.get(alert.tier, "Unknown"))
    _sub(info, "certainty", "Likely" if int(ev.get("source_count") or 0) >= 3 else "Possible")
    ec = _sub(info, "eventCode")
    _sub(ec, "valueName", "tocsin:hazard")
    _sub(ec, "value", ev.get("hazard") or "unknown")
    if ev.get("first_seen"):
        _sub(info, "onset", cap_time(datetime.fromisoformat(ev["first_seen"])))
    _sub(info, "senderName", "tocsin (automated detection from public reports)")
    headline = ev.get("title") or ev.get("summary") or hazard
    _sub(info, "headline", _clean(str(headline))[:160])
    _sub(info, "description", _clean(str(ev.get("summary") or headline)))
    if web:
        _sub(info, "web", web)
    for name, value in (
        ("tocsin:tier", alert.tier),
        ("tocsin:severity", f"{alert.severity:.3f}"),
        ("tocsin:kind", alert.kind),
        ("tocsin:independent_sources", str(ev.get("source_count", 0))),
        ("tocsin:reports", str(ev.get("report_count", 0))),
        ("tocsin:event_id", alert.event_id),
    ):
        p = _sub(info, "parameter")
        _sub(p, "valueName", name)
        _sub(p, "value", value)
    _area(info, ev)
    # drop empty optional elements (note with no reasons)
    for el in list(root):
        if el.text is None and len(el) == 0:
            root.remove(el)
    return ET.tostring(root, encoding="unicode", xml_declaration=False).join(
        ['<?xml version="1.0" encoding="UTF-8"?>\n', ""])
