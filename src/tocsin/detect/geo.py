"""Great-circle distance, for telling apart same-type disasters in different places."""

from __future__ import annotations

from ..enrich.geoparse.geo import haversine_km as km  # one great-circle formula for all

#: GeoNames feature codes too coarse to tell two disasters apart (countries, continents...)
COARSE = frozenset({"PCLI", "PCL", "PCLD", "PCLF", "PCLS", "PCLIX", "CONT", "RGN", "TERR",
                    "ZN", "AREA"})

#: a place as the detector keeps it: (lat, lon, country, admin1, feature)
Spot = tuple[float | None, float | None, str | None, str | None, str | None]


def near(a: Spot, b: Spot, radius_km: float) -> bool:
    """Could two places be the scene of one disaster?

    Same first-level division (a state, a province) or within ``radius_km``; a country-level
    place is "near" anything in that country, since it says nothing finer.
    """
    lat1, lon1, cc1, ad1, f1 = a
    lat2, lon2, cc2, ad2, f2 = b
    if cc1 and cc2 and cc1 == cc2:
        if f1 in COARSE or f2 in COARSE:
            return True
        if ad1 and ad2 and ad1 == ad2:
            return True
    if lat1 is None or lon1 is None or lat2 is None or lon2 is None:
        return False
    return km(lat1, lon1, lat2, lon2) <= radius_km


def specific(s: Spot) -> bool:
    """True for a place fine enough to identify a scene (not a country or a continent)."""
    return s[4] not in COARSE and s[0] is not None
