"""Server-sent events of event changes: ``GET /api/v1/stream``."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from sse_starlette.sse import EventSourceResponse

from .state import AppState, get_state

router = APIRouter(prefix="/api/v1", tags=["stream"])


def _audience(request: Request, st: AppState, subscription: str | None) -> frozenset[str]:
    """Alerts of a subscription go only to a client whose key owns it (or is admin)."""
    if not subscription:
        return frozenset()
    from .auth import current_key

    key = current_key(request)
    svc = st.extras.get("alerts")
    sub = svc.get(subscription) if svc is not None else None
    if key is None or sub is None or not (key.is_admin or sub.owner == key.id):
        raise HTTPException(404, f"no subscription {subscription!r} for this key")
    return frozenset({subscription})


@router.get("/stream")
async def stream(
    request: Request,
    st: Annotated[AppState, Depends(get_state)],
    subscription: Annotated[str | None, Query(
        description="also receive this subscription's alerts (needs its owner's key)")] = None,
):
    """Event changes for everyone; a subscription's alerts only for its owner's key."""
    audience = _audience(request, st, subscription)
    last = request.headers.get("last-event-id")
    listener = st.broadcaster.subscribe(int(last) if last and last.isdigit() else None,
                                        audience=audience)

    async def gen():
        try:
            yield {"event": "hello", "retry": 3000,
                   "data": json.dumps({"listeners": st.broadcaster.listener_count})}
            while True:
                try:
                    seq, kind, data, _aud = await asyncio.wait_for(listener.queue.get(), timeout=15)
                except TimeoutError:
                    if await request.is_disconnected():
                        return
                    continue
                yield {"id": str(seq), "event": kind, "data": json.dumps(data, ensure_ascii=False)}
        finally:
            st.broadcaster.unsubscribe(listener)

    return EventSourceResponse(gen(), ping=15)
