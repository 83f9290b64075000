"""Pipeline stage and event helper built on the geoparser."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from tocsin.enrich.geoparse.geoparser import Geoparser
from tocsin.model import Place, Report

log = logging.getLogger(__name__)


class GeoparseStage:
    """Sets ``r.places`` and ``r.location`` on each report; stateless between batches."""

    name = "geoparse"

    def __init__(self, geoparser: Geoparser | None = None) -> None:
        self.gp = geoparser or Geoparser.load()

    def enrich(self, batch: list[Report]) -> list[Report]:
        parse, locate = self.gp.parse, self.gp.locate
        for r in batch:
            try:
                places = parse(r.text or "", lang=r.lang)
            except Exception:  # noqa: BLE001 - one bad report must not stop the pipeline
                log.exception("geoparse failed on report %s; left without places", r.id)
                places = []
            r.places = places
            # four posts in ten name no place: no location to choose
            r.location = locate(places) if places else None
        return batch


def bbox_of(places: Iterable[Place]) -> tuple[float, float, float, float] | None:
    """(min_lon, min_lat, max_lon, max_lat) of the resolved places, or None if there are none.

    Longitudes are taken as they are: an event spanning the antimeridian gets a wide box,
    which over-covers rather than misses subscribers' areas.
    """
    pts = [(p.lon, p.lat) for p in places if p.lat is not None and p.lon is not None]
    if not pts:
        return None
    lons = [x for x, _ in pts]
    lats = [y for _, y in pts]
    return (min(lons), min(lats), max(lons), max(lats))
