"""An Atom (RFC 4287) feed of one subscription's alerts, newest first.

Each entry links to the alert's CAP document (``rel="alternate"``,
``type="application/cap+xml"``), the convention CAP aggregators (e.g. Google Public
Alerts, WMO's register of alerting authorities) use for CAP-over-Atom.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from xml.etree import ElementTree as ET

ATOM_NS = "http://www.w3.org/2005/Atom"


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
    if text is not None:
        el.text = "".join(ch for ch in text if ch in "\t\n\r" or ord(ch) >= 0x20)
    return el


def atom_feed(sub: dict[str, Any], alerts: list[dict[str, Any]], *, base_url: str = "") -> str:
    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    _el(feed, "id", f"urn:tocsin:subscription:{sub['id']}")
    _el(feed, "title", f"tocsin alerts: {sub.get('name') or sub['id']}")
    updated = alerts[0]["fired_at"] if alerts else datetime.now(timezone.utc).isoformat()
    _el(feed, "updated", updated)
    _el(feed, "generator", "tocsin")
    _el(feed, "link", rel="self", href=f"{base_url}/api/v1/subscriptions/{sub['id']}/feed.atom")
    author = _el(feed, "author")
    _el(author, "name", "tocsin")
    for a in alerts:
        ev = a.get("event") or {}
        entry = _el(feed, "entry")
        _el(entry, "id", f"urn:tocsin:alert:{a['id']}")
        hazard = (ev.get("hazard") or "crisis").replace("_", " ")
        title = f"[{a['tier'].upper()}] {ev.get('title') or hazard} ({a['kind']})"
        _el(entry, "title", title[:300])
        _el(entry, "updated", a["fired_at"])
        _el(entry, "published", a["fired_at"])
        _el(entry, "link", rel="alternate", type="application/cap+xml",
            href=f"{base_url}/api/v1/alerts/{a['id']}.cap")
        _el(entry, "link", rel="related", type="application/json",
            href=f"{base_url}/api/v1/events/{a['event_id']}")
        _el(entry, "category", term=a["tier"], label=f"tier {a['tier']}")
        if ev.get("hazard"):
            _el(entry, "category", term=ev["hazard"])
        summary = f"{ev.get('summary', '')} — {'; '.join(a.get('reasons') or [])}"
        _el(entry, "summary", summary)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(feed, encoding="unicode")
