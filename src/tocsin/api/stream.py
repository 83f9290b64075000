"""Server-sent events of event changes: ``GET /api/v1/stream``."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sse_starlette.sse import EventSourceResponse

from .state import AppState, get_state

router = APIRouter(prefix="/api/v1", tags=["stream"])


@router.get("/stream")
async def stream(request: Request, st: Annotated[AppState, Depends(get_state)]):
    last = request.headers.get("last-event-id")
    listener = st.broadcaster.subscribe(int(last) if last and last.isdigit() else None)

    async def gen():
        try:
            yield {"event": "hello", "retry": 3000,
                   "data": json.dumps({"listeners": st.broadcaster.listener_count})}
            while True:
                try:
                    seq, kind, data = await asyncio.wait_for(listener.queue.get(), timeout=15)
                except TimeoutError:
                    if await request.is_disconnected():
                        return
                    continue
                yield {"id": str(seq), "event": kind, "data": json.dumps(data, ensure_ascii=False)}
        finally:
            st.broadcaster.unsubscribe(listener)

    return EventSourceResponse(gen(), ping=15)
