"""HTTP push: ``POST /api/v1/ingest`` with a JSON array of reports.

Each item is validated on its own: good ones are queued (the call waits while the pipeline's
queue is full, which is the back-pressure a pushing client should feel), bad ones are
reported back by index with the reason and counted against the ``push`` source.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException

from ..model import SourceKind
from ..sources.health import SourceHealth
from ..sources.records import BadInput, report_from_dict
from .state import AppState, get_state

router = APIRouter(prefix="/api/v1", tags=["ingest"])
MAX_ITEMS = 10_000


def push_health(st: AppState) -> SourceHealth:
    h = st.extras.get("push_health")
    if h is None:
        h = SourceHealth("push", SourceKind.PUSH)
        st.extras["push_health"] = h
        if st.pipeline is not None:
            st.pipeline.sources.append(_PushSource(h))
    return h


class _PushSource:
    """Lets the push endpoint appear on the sources page like any connector."""

    def __init__(self, health: SourceHealth):
        self.health = health

    async def batches(self):  # pragma: no cover - push has no pull loop
        return
        yield


@router.post("/ingest", status_code=202)
async def ingest(
    st: Annotated[AppState, Depends(get_state)],
    items: Annotated[list[Any], Body(description="JSON array of report objects")],
) -> dict[str, Any]:
    if st.pipeline is None:
        raise HTTPException(503, "ingestion is not running in this process (use `tocsin run`)")
    if len(items) > MAX_ITEMS:
        raise HTTPException(413, f"at most {MAX_ITEMS} items per request")
    health = push_health(st)
    good, rejected = [], []
    for i, item in enumerate(items):
        try:
            source = item.get("source", "push") if isinstance(item, dict) else "push"
            report, _ = report_from_dict(item, source=str(source), pseudonymiser=st.pseudonymiser)
        except BadInput as e:
            health.bad(f"request item {i}", str(e))
            rejected.append({"index": i, "error": str(e)})
            continue
        good.append(report)
    health.item(len(good))
    if good:
        health.success()
        await st.pipeline.submit(good)
    return {"accepted": len(good), "rejected": rejected}
