"""The source protocol every connector implements, and the plugin registry that finds them.

A connector is an object with a ``health`` (SourceHealth) and an async ``batches()`` iterator
of Report batches. Built-in connectors register through the same ``tocsin.sources`` entry
point group a third-party package would use, so a plugin is a first-class citizen.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from importlib.metadata import entry_points
from typing import Any, Protocol, runtime_checkable

from ..model import Report
from .health import SourceHealth

ENTRY_POINT_GROUP = "tocsin.sources"


@runtime_checkable
class SourceConnector(Protocol):
    health: SourceHealth

    def batches(self) -> AsyncIterator[list[Report]]: ...


def available_kinds() -> dict[str, Any]:
    """Connector classes by kind name, from installed entry points (built-ins included)."""
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def connector_class(kind: str) -> type:
    eps = available_kinds()
    if kind not in eps:
        known = ", ".join(sorted(eps)) or "none"
        raise ValueError(f"unknown source kind {kind!r} (installed kinds: {known})")
    return eps[kind].load()
