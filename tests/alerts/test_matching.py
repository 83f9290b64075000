"""The spatial index must agree with the obvious loop; the geometry with first principles."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tocsin.alerts import geo
from tocsin.alerts.index import SubscriptionIndex, brute_force_match
from tocsin.alerts.subscriptions import subscription_from_dict

from .conftest import make_event

lon_s = st.floats(-180, 180, allow_nan=False)
lat_s = st.floats(-89.9, 89.9, allow_nan=False)
CCS = ["HT", "DO", "TR", "SY", "NP", "PH"]


@st.composite
def areas(draw):
    kind = draw(st.sampled_from(["none", "bbox", "polygon", "circle", "countries"]))
    if kind == "none":
        return None
    if kind == "bbox":
        w, e = draw(lon_s), draw(lon_s)  # w > e crosses the antimeridian
        s, n = sorted([draw(lat_s), draw(lat_s)])
        return {"bbox": [w, s, e, n]}
    if kind == "polygon":
        cx, cy = draw(st.floats(-170, 170)), draw(st.floats(-80, 80))
        k = draw(st.integers(3, 9))
        rs = [draw(st.floats(0.1, 9)) for _ in range(k)]
        ring = [[cx + r * math.cos(2 * math.pi * i / k), cy + r * math.sin(2 * math.pi * i / k)]
                for i, r in enumerate(rs)]
        ring = [[max(-180, min(180, x)), max(-90, min(90, y))] for x, y in ring]
        return {"polygon": {"type": "Polygon", "coordinates": [ring + [ring[0]]]}}
    if kind == "circle":
        return {"point": [draw(lon_s), draw(lat_s)], "radius_km": draw(st.floats(1, 3000))}
    return {"countries": draw(st.lists(st.sampled_from(CCS), min_size=1, max_size=3))}


@st.composite
def subscriptions(draw, i):
    return subscription_from_dict({
        "id": f"s{i}", "area": draw(areas()), "channel": {"type": "atom"},
        "min_tier": draw(st.sampled_from(["routine", "urgent", "flash"])),
        "min_sources": draw(st.integers(0, 5)),
        "hazards": draw(st.sampled_from([[], ["earthquake"], ["flood", "storm"]])),
    })


@st.composite
def events(draw):
    n = draw(st.integers(0, 4))
    places = [{"name": "p", "lat": draw(lat_s), "lon": draw(lon_s),
               "country": draw(st.sampled_from(CCS + [None]))} for _ in range(n)]
    return make_event(places=places, tier=draw(st.sampled_from(["routine", "urgent", "flash"])),
                      sources=draw(st.integers(0, 6)),
                      hazard=draw(st.sampled_from(["earthquake", "flood", None])))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), cell=st.sampled_from([0.5, 1.0, 5.0]), wide=st.sampled_from([4, 4096]))
def test_index_agrees_with_brute_force(data, cell, wide):
    subs = [data.draw(subscriptions(i)) for i in range(data.draw(st.integers(1, 25)))]
    idx = SubscriptionIndex(cell_deg=cell, max_cells=wide)
    idx.extend(subs)
    # remove and re-add some, to exercise removal bookkeeping
    for s in subs[::3]:
        idx.remove(s.id)
    for s in subs[::6]:
        idx.add(s)
    live = [s for s in subs if s.id in idx]
    for _ in range(5):
        ev = data.draw(events())
        assert {s.id for s in idx.match(ev)} == {s.id for s in brute_force_match(live, ev)}


def _destination(lon, lat, bearing_deg, dist_km):
    """Point at a distance and bearing on the sphere (independent of haversine_km)."""
    d = dist_km / geo.EARTH_RADIUS_KM
    b, p1, l1 = map(math.radians, (bearing_deg, lat, lon))
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
    l2 = l1 + math.atan2(math.sin(b) * math.sin(d) * math.cos(p1),
                         math.cos(d) - math.sin(p1) * math.sin(p2))
    return (math.degrees(l2) + 540) % 360 - 180, math.degrees(p2)


@given(lon=lon_s, lat=st.floats(-80, 80), bearing=st.floats(0, 360),
       dist=st.floats(0.5, 2500), radius=st.floats(1, 2500))
def test_circle_membership_and_index_boxes(lon, lat, bearing, dist, radius):
    if abs(dist - radius) < 1e-6 * radius + 0.01:
        return  # on the circle itself: either answer is right
    plon, plat = _destination(lon, lat, bearing, dist)
    area = subscription_from_dict({"area": {"point": [lon, lat], "radius_km": radius},
                                   "channel": {"type": "sse"}}).area
    assert area.contains(plon, plat) == (dist < radius)
    if dist < radius:  # anything inside the circle is inside one of its index boxes
        assert any(geo.in_bbox(plon, plat, b) for b in area.index_bboxes())


@given(w=st.floats(-179, 178), s=st.floats(-89, 88), dw=st.floats(0.01, 50),
       dh=st.floats(0.01, 50), x=st.floats(0, 1), y=st.floats(0, 1))
def test_rectangle_polygon_equals_bbox(w, s, dw, dh, x, y):
    e, n = min(180, w + dw), min(90, s + dh)
    ring = [[w, s], [e, s], [e, n], [w, n], [w, s]]
    lon, lat = w + (e - w) * x, s + (n - s) * y
    if lon in (w, e) or lat in (s, n):
        return  # on the boundary (also after rounding): either answer is right
    assert geo.in_polygon(lon, lat, [ring]) == geo.in_bbox(lon, lat, (w, s, e, n)) is True
    assert not geo.in_polygon(e + 0.5 if e < 179 else w - 0.5, lat, [ring])


def test_polygon_hole_and_antimeridian_bbox():
    outer = [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]
    hole = [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]]
    assert geo.in_polygon(2, 2, [outer, hole])
    assert not geo.in_polygon(5, 5, [outer, hole])
    fiji = (177.0, -20.0, -178.0, -15.0)
    assert geo.in_bbox(179.5, -17, fiji) and geo.in_bbox(-179.5, -17, fiji)
    assert not geo.in_bbox(0, -17, fiji)


def test_unlocated_event_matches_only_anywhere_subscriptions():
    anywhere = subscription_from_dict({"channel": {"type": "sse"}})
    boxed = subscription_from_dict({"area": {"bbox": [-180, -90, 180, 90]},
                                    "channel": {"type": "sse"}})
    idx = SubscriptionIndex()
    idx.extend([anywhere, boxed])
    assert [s.id for s in idx.match(make_event(lon=None))] == [anywhere.id]
