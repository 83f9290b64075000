"""Spatial index of subscriptions: which subscriptions could care about this event?

A uniform grid (2° cells by default) maps each cell to the subscriptions whose area overlaps
it; an event's located places are looked up cell by cell and only those candidates get the
exact point-in-area test. Subscriptions whose area covers a continent (more than
``max_cells`` cells) live in a short "wide" list tested directly, country subscriptions in a
country-code map, and "anywhere" subscriptions in a list bucketed by minimum tier so that a
routine event never touches subscriptions that want only flashes.

Cost per event change is O(places + candidates), independent of the number of
subscriptions elsewhere in the world — the property the 10,000-subscription benchmark checks.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from ..model import Event
from .subscriptions import TIER_RANK, Subscription

MAX_EVENT_POINTS = 50


@dataclass(slots=True)
class EventGeo:
    """The points and countries an event is at, as far as tocsin knows."""

    points: tuple[tuple[float, float], ...]  # (lon, lat), distinct, in place order
    countries: frozenset[str]


def event_geo(ev: Event) -> EventGeo:
    """Located places are the event's footprint; without any, the bbox centre stands in."""
    pts: list[tuple[float, float]] = []
    ccs: set[str] = set()
    for p in ev.places[:MAX_EVENT_POINTS]:
        lat, lon = p.get("lat"), p.get("lon")
        if lat is not None and lon is not None:
            pts.append((float(lon), float(lat)))
        if p.get("country"):
            ccs.add(str(p["country"]).upper())
    if not pts and ev.bbox is not None:
        c = ev.centroid
        if c is not None:
            pts.append(c)
    return EventGeo(tuple(dict.fromkeys(pts)), frozenset(ccs))


class SubscriptionIndex:
    def __init__(self, cell_deg: float = 2.0, max_cells: int = 2048):
        self.cell_deg = cell_deg
        self.max_cells = max_cells
        self._subs: dict[str, Subscription] = {}
        self._cells: dict[tuple[int, int], dict[str, Subscription]] = {}
        self._sub_cells: dict[str, list[tuple[int, int]]] = {}
        self._wide: dict[str, Subscription] = {}
        self._countries: dict[str, dict[str, Subscription]] = {}
        self._anywhere: list[dict[str, Subscription]] = [{}, {}, {}]  # by min tier rank

    def __len__(self) -> int:
        return len(self._subs)

    def __contains__(self, sub_id: str) -> bool:
        return sub_id in self._subs

    def get(self, sub_id: str) -> Subscription | None:
        return self._subs.get(sub_id)

    def all(self) -> list[Subscription]:
        return list(self._subs.values())

    def _cell(self, lon: float, lat: float) -> tuple[int, int]:
        c = self.cell_deg
        # clamp so that lon=180 / lat=90 fall in the last cell, not a phantom one
        return (min(math.floor(lon / c), math.ceil(180 / c) - 1),
                min(math.floor(lat / c), math.ceil(90 / c) - 1))

    def _cells_for(self, sub: Subscription) -> list[tuple[int, int]] | None:
        assert sub.area is not None
        out: list[tuple[int, int]] = []
        for w, s, e, n in sub.area.index_bboxes():
            x0, y0 = self._cell(w, s)
            x1, y1 = self._cell(e, n)
            if (x1 - x0 + 1) * (y1 - y0 + 1) + len(out) > self.max_cells:
                return None
            out.extend((x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1))
        return out

    def add(self, sub: Subscription) -> None:
        if sub.id in self._subs:
            self.remove(sub.id)
        self._subs[sub.id] = sub
        area = sub.area
        if area is None:
            self._anywhere[sub.min_rank][sub.id] = sub
        elif area.kind == "countries":
            for cc in area.countries:
                self._countries.setdefault(cc, {})[sub.id] = sub
        else:
            cells = self._cells_for(sub)
            if cells is None:
                self._wide[sub.id] = sub
            else:
                self._sub_cells[sub.id] = cells
                for key in cells:
                    self._cells.setdefault(key, {})[sub.id] = sub

    def remove(self, sub_id: str) -> Subscription | None:
        sub = self._subs.pop(sub_id, None)
        if sub is None:
            return None
        for bucket in self._anywhere:
            bucket.pop(sub_id, None)
        self._wide.pop(sub_id, None)
        if sub.area is not None and sub.area.kind == "countries":
            for cc in sub.area.countries:
                self._countries.get(cc, {}).pop(sub_id, None)
        for key in self._sub_cells.pop(sub_id, []):
            cell = self._cells.get(key)
            if cell is not None:
                cell.pop(sub_id, None)
                if not cell:
                    del self._cells[key]
        return sub

    def extend(self, subs: Iterable[Subscription]) -> None:
        for s in subs:
            self.add(s)

    def match(self, ev: Event, g: EventGeo | None = None,
              rank: int | None = None) -> list[Subscription]:
        """Subscriptions this event matches now (area and every other criterion)."""
        g = g or event_geo(ev)
        if rank is None:
            rank = TIER_RANK.get(ev.tier.value, 0)
        found: dict[str, Subscription] = {}
        for r in range(rank + 1):
            for sid, sub in self._anywhere[r].items():
                if sub.matches_attrs(ev, rank):
                    found[sid] = sub
        for cc in g.countries:
            for sid, sub in self._countries.get(cc, {}).items():
                if sid not in found and sub.matches_attrs(ev, rank):
                    found[sid] = sub
        if g.points:
            spatial: dict[str, Subscription] = {}
            for lon, lat in g.points:
                cell = self._cells.get(self._cell(lon, lat))
                if cell:
                    for sid, sub in cell.items():
                        if sid not in spatial and sub.area.contains(lon, lat):  # type: ignore[union-attr]
                            spatial[sid] = sub
                for sid, sub in self._wide.items():
                    if sid not in spatial and sub.area.contains(lon, lat):  # type: ignore[union-attr]
                        spatial[sid] = sub
            for sid, sub in spatial.items():
                if sid not in found and sub.matches_attrs(ev, rank):
                    found[sid] = sub
        return list(found.values())


def brute_force_match(subs: Iterable[Subscription], ev: Event) -> list[Subscription]:
    """The obvious loop, kept as the reference the index is tested against."""
    g = event_geo(ev)
    out = []
    for sub in subs:
        if not sub.matches_attrs(ev):
            continue
        a = sub.area
        if a is None:
            out.append(sub)
        elif a.kind == "countries":
            if a.countries & g.countries:
                out.append(sub)
        elif any(a.contains(lon, lat) for lon, lat in g.points):
            out.append(sub)
    return out
