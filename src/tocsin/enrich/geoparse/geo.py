"""Great-circle helpers shared by the resolver, the event bbox and the evaluation."""

from __future__ import annotations

import math

import numpy as np

EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance; the Acc@161 convention of the geoparsing literature uses it."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def haversine_many(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Distances from one point to many, vectorised for candidate scoring."""
    p2 = np.radians(lats.astype(np.float64))
    return haversine_prepared(lat, lon, p2, np.cos(p2), lons.astype(np.float64))


def haversine_prepared(lat: float, lon: float, p2: np.ndarray, cos_p2: np.ndarray,
                       lons: np.ndarray) -> np.ndarray:
    """``haversine_many`` with the many points' side already computed (latitudes in radians,
    their cosines, longitudes in degrees, all float64): a caller that measures from many
    origins to the same points computes that side once."""
    p1 = np.radians(lat)
    dp = p2 - p1
    dl = np.radians(lons - lon)
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * cos_p2 * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(h)))
