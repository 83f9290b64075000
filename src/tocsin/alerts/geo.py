"""Small, dependency-free geometry for matching events to subscription areas.

Areas are tested against *points* (an event's located places): a few hundred floating-point
operations per event, so no GEOS/shapely dependency is needed. Longitudes are degrees in
[-180, 180]; a bbox with ``w > e`` crosses the antimeridian.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ..enrich.geoparse.geo import EARTH_RADIUS_KM
from ..enrich.geoparse.geo import haversine_km as _haversine_lat_lon

Ring = Sequence[Sequence[float]]  # [[lon, lat], ...], first == last
BBox = tuple[float, float, float, float]  # (w, s, e, n)


def haversine_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance with GeoJSON's (lon, lat) argument order."""
    return _haversine_lat_lon(lat1, lon1, lat2, lon2)


def in_bbox(lon: float, lat: float, bbox: BBox) -> bool:
    w, s, e, n = bbox
    if not (s <= lat <= n):
        return False
    if w <= e:
        return w <= lon <= e
    return lon >= w or lon <= e  # crosses the antimeridian


def in_ring(lon: float, lat: float, ring: Ring) -> bool:
    """Even-odd ray casting. Points exactly on an edge may go either way (measure zero)."""
    inside = False
    n = len(ring)
    j = n - 1
    for i in range(n):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > lat) != (yj > lat):
            x = (xj - xi) * (lat - yi) / (yj - yi) + xi
            if lon < x:
                inside = not inside
        j = i
    return inside


def in_polygon(lon: float, lat: float, rings: Sequence[Ring]) -> bool:
    """GeoJSON Polygon semantics: inside the outer ring and outside every hole."""
    if not rings or not in_ring(lon, lat, rings[0]):
        return False
    return not any(in_ring(lon, lat, hole) for hole in rings[1:])


def ring_bbox(ring: Ring) -> BBox:
    lons = [p[0] for p in ring]
    lats = [p[1] for p in ring]
    return (min(lons), min(lats), max(lons), max(lats))


def circle_bboxes(lon: float, lat: float, radius_km: float) -> list[BBox]:
    """Bounding boxes (one, or two across the antimeridian) that contain a circle.

    Conservative: it may contain more than the circle, never less, which is all an index
    pre-filter needs; the exact test is ``haversine_km``.
    """
    dlat = math.degrees(radius_km / EARTH_RADIUS_KM)
    s, n = lat - dlat, lat + dlat
    if s <= -90 or n >= 90:
        # the circle reaches a pole: every longitude is possible
        return [(-180.0, max(-90.0, s), 180.0, min(90.0, n))]
    # the widest longitude span of the circle (at the latitude where it is tangent)
    sin_ratio = math.sin(radius_km / EARTH_RADIUS_KM) / math.cos(math.radians(lat))
    if sin_ratio >= 1:
        return [(-180.0, s, 180.0, n)]
    dlon = math.degrees(math.asin(sin_ratio))
    w, e = lon - dlon, lon + dlon
    if w < -180:
        return [(w + 360, s, 180.0, n), (-180.0, s, e, n)]
    if e > 180:
        return [(w, s, 180.0, n), (-180.0, s, e - 360, n)]
    return [(w, s, e, n)]


def split_bbox(bbox: BBox) -> list[BBox]:
    """A bbox crossing the antimeridian as two ordinary ones."""
    w, s, e, n = bbox
    if w <= e:
        return [bbox]
    return [(w, s, 180.0, n), (-180.0, s, e, n)]
