"""Event exports in standard formats: ``/api/v1/events.geojson`` and ``/api/v1/events.csv``
(HXL-tagged). Aggregates only: no report text, no authors."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import JSONResponse

from ..alerts.exports import events_geojson, events_hxl_csv
from ..alerts.keys import ApiKey
from ..model import Event
from ..store.base import EventQuery
from .auth import public_or
from .events import _csv, parse_bbox
from .state import AppState, get_state

router = APIRouter(prefix="/api/v1", tags=["exports"])
MAX_EXPORT = 10_000


def _events(st: AppState, status: str | None, since: datetime | None, bbox: str | None,
            hazard: str | None, tier: str | None, limit: int) -> list[Event]:
    q = EventQuery(status=_csv(status), since=since, bbox=parse_bbox(bbox), hazard=_csv(hazard),
                   tier=_csv(tier), order="recent", limit=limit)
    return st.store.list_events(q)[0]


Status = Annotated[str | None, Query(description="comma-separated statuses")]
Since = Annotated[datetime | None, Query(description="events seen at or after")]
Bbox = Annotated[str | None, Query(description="min_lon,min_lat,max_lon,max_lat")]
Hazard = Annotated[str | None, Query(description="comma-separated hazards")]
TierQ = Annotated[str | None, Query(description="comma-separated tiers")]
Limit = Annotated[int, Query(ge=1, le=MAX_EXPORT)]
Reader = Annotated[ApiKey | None, Depends(public_or("read"))]


@router.get("/events.geojson")
def geojson(st: Annotated[AppState, Depends(get_state)], _: Reader, status: Status = None,
            since: Since = None, bbox: Bbox = None, hazard: Hazard = None, tier: TierQ = None,
            limit: Limit = 1000) -> JSONResponse:
    return JSONResponse(events_geojson(_events(st, status, since, bbox, hazard, tier, limit)),
                        media_type="application/geo+json")


@router.get("/events.csv")
def hxl_csv(st: Annotated[AppState, Depends(get_state)], _: Reader, status: Status = None,
            since: Since = None, bbox: Bbox = None, hazard: Hazard = None, tier: TierQ = None,
            limit: Limit = 1000) -> Response:
    body = events_hxl_csv(_events(st, status, since, bbox, hazard, tier, limit))
    return Response(body, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="tocsin-events.csv"'})
