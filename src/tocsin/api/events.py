"""Event endpoints: list with filters and paging, one event with its provenance."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from ..store.base import EventQuery
from .state import AppState, get_state

router = APIRouter(prefix="/api/v1", tags=["events"])


def parse_bbox(bbox: str | None) -> tuple[float, float, float, float] | None:
    if not bbox:
        return None
    try:
        w, s, e, n = (float(x) for x in bbox.split(","))
    except ValueError as err:
        raise HTTPException(422, "bbox must be 'min_lon,min_lat,max_lon,max_lat'") from err
    if not (-180 <= w <= 180 and -180 <= e <= 180 and -90 <= s <= n <= 90):
        raise HTTPException(422, "bbox out of range (lon in [-180,180], lat in [-90,90], s<=n)")
    return (w, s, e, n)


def _csv(v: str | None) -> list[str] | None:
    return [x for x in v.split(",") if x] if v else None


@router.get("/events")
def list_events(
    st: Annotated[AppState, Depends(get_state)],
    status: Annotated[str | None, Query(description="comma-separated: emerging,active,cooling,closed")] = None,
    since: Annotated[datetime | None, Query(description="only events seen at or after this time")] = None,
    bbox: Annotated[str | None, Query(description="min_lon,min_lat,max_lon,max_lat")] = None,
    hazard: Annotated[str | None, Query(description="comma-separated hazards")] = None,
    tier: Annotated[str | None, Query(description="comma-separated: flash,urgent,routine")] = None,
    info_type: Annotated[str | None, Query(description="comma-separated information types")] = None,
    needs: Annotated[str | None, Query(description="comma-separated needs")] = None,
    lang: Annotated[str | None, Query(description="comma-separated language codes")] = None,
    order: Annotated[str, Query(pattern="^(recent|severity|reports)$")] = "recent",
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    q = EventQuery(status=_csv(status), since=since, bbox=parse_bbox(bbox), hazard=_csv(hazard),
                   tier=_csv(tier), info_type=_csv(info_type), needs=_csv(needs),
                   lang=_csv(lang), order=order, limit=limit, offset=offset)
    events, total = st.store.list_events(q)
    return {"total": total, "limit": limit, "offset": offset,
            "events": [e.to_dict() for e in events]}


@router.get("/events/{event_id}")
def get_event(
    event_id: str,
    request: Request,
    st: Annotated[AppState, Depends(get_state)],
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0)] = 0,
    text: Annotated[bool, Query(description="include raw report text (audit-logged)")] = False,
) -> dict[str, Any]:
    event = st.store.get_event(event_id)
    if event is None:
        raise HTTPException(404, f"no event {event_id!r}")
    allow = st.extras.get("raw_text_allowed")
    if text:
        # raw text needs a key with read scope (the hook, installed by api.auth, raises
        # 401/403); with no hook installed, nobody gets raw text
        if allow is None:
            raise HTTPException(401, "raw report text needs an API key with 'read' scope")
        actor = allow(request)
        st.store.audit(actor, "read_raw_reports", f"event:{event_id}")
    reports = st.store.event_reports(event_id, limit=limit, offset=offset, with_text=text)
    out = event.to_dict()
    out["reports"] = reports
    if hasattr(st.store, "event_timeline"):
        out["timeline"] = st.store.event_timeline(event_id)
    return out
