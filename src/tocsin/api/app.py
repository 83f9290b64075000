"""The FastAPI application: REST, SSE, push ingestion. OpenAPI docs at ``/docs``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI

from .. import __version__
from . import events, ingest, stream, web
from .state import AppState, get_state

meta = APIRouter(tags=["meta"])


@meta.get("/healthz")
def healthz(st: Annotated[AppState, Depends(get_state)]) -> dict[str, Any]:
    return {
        "status": "ok",
        "version": __version__,
        "reports": st.store.count_reports(),
        "ingesting": st.pipeline is not None and st.pipeline.ready and not st.pipeline.stopping,
        "loading_models": st.pipeline is not None and not st.pipeline.ready,
    }


@meta.get("/api/v1/sources", tags=["sources"])
def sources(st: Annotated[AppState, Depends(get_state)]) -> dict[str, Any]:
    if st.pipeline is not None:
        live = [s.health.source.to_dict() for s in st.pipeline.sources]
    else:
        live = [s.to_dict() for s in st.store.list_sources()]
    return {"sources": live}


@meta.get("/api/v1/stats", tags=["meta"])
def stats(st: Annotated[AppState, Depends(get_state)]) -> dict[str, Any]:
    out: dict[str, Any] = {"reports": st.store.count_reports(),
                           "listeners": st.broadcaster.listener_count}
    if st.pipeline is not None:
        out["pipeline"] = st.pipeline.stats.to_dict()
    return out


def create_app(state: AppState) -> FastAPI:
    app = FastAPI(
        title="tocsin",
        version=__version__,
        description="Crisis events detected in public streams: events, never people.",
    )
    app.state.tocsin = state
    app.include_router(meta)
    app.include_router(events.router)
    app.include_router(ingest.router)
    app.include_router(stream.router)
    app.include_router(web.router)
    for extend in state.extras.get("app_extensions", []):
        extend(app)
    return app
