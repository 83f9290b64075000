"""What every request handler can reach: the store, the running pipeline, the broadcaster."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import Request

from ..broadcast import Broadcaster
from ..config import Config
from ..store.base import Store


@dataclass
class AppState:
    cfg: Config
    store: Store
    broadcaster: Broadcaster
    pipeline: Any = None  # tocsin.pipeline.Pipeline when ingestion runs in this process
    pseudonymiser: Any = None
    extras: dict[str, Any] = field(default_factory=dict)


def get_state(request: Request) -> AppState:
    return request.app.state.tocsin
