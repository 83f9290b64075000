"""A real tocsin API server over a fixture database, plus one test-only route.

``POST /_test/publish`` stores events and broadcasts them on the SSE stream exactly as the
pipeline does (``kind="event"``, data ``{kind, at, event}``), so the dashboard's live
updates can be tested without depending on detection being tuned. Run as
``python -m tests.web.devserver --db FILE --port N``; never part of the product.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import APIRouter, Request

from tocsin.api.app import create_app
from tocsin.config import Config
from tocsin.model import event_from_dict
from tocsin.runtime import build_state


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--port", type=int, required=True)
    args = ap.parse_args()
    cfg = Config()
    cfg.db = Path(args.db)
    cfg.port = args.port
    cfg.home = cfg.db_path.parent
    state = build_state(cfg, ingest=False)
    app = create_app(state)
    test = APIRouter()

    @test.post("/_test/publish")
    async def publish(request: Request) -> dict[str, Any]:
        items = await request.json()
        events = [event_from_dict(d) for d in items]
        state.store.upsert_events(events)
        for e in events:
            state.broadcaster.publish("event", {"kind": "updated",
                                                "at": e.last_seen.isoformat(),
                                                "event": e.to_dict()})
        return {"published": len(events)}

    @test.post("/_test/alert")
    async def alert(request: Request) -> dict[str, Any]:
        state.broadcaster.publish("alert", await request.json())
        return {"published": 1}

    app.include_router(test)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=args.port,
                                           log_level="warning", lifespan="off"))
    asyncio.run(server.serve())


if __name__ == "__main__":
    main()
