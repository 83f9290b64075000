"""The Store protocol: what the pipeline and the API need from persistence.

SQLite (``sqlite.py``) is the embedded default; a PostgreSQL implementation satisfies the
same protocol. Writes are batched (one transaction per pipeline batch) and idempotent: the
same report ingested twice changes nothing, which is what makes a killed-and-restarted
replay safe.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from ..model import Event, Report, Source


@dataclass(slots=True)
class EventQuery:
    status: list[str] | None = None
    since: datetime | None = None  # last_seen >= since
    bbox: tuple[float, float, float, float] | None = None  # min_lon, min_lat, max_lon, max_lat
    hazard: list[str] | None = None
    tier: list[str] | None = None
    info_type: list[str] | None = None  # any of these information types counted in the event
    needs: list[str] | None = None  # any of these needs counted in the event
    lang: list[str] | None = None  # any of these languages among the event's reports
    include_merged: bool = False
    order: str = "recent"  # recent | severity | reports
    limit: int = 50
    offset: int = 0


class Store(Protocol):
    def add_reports(self, batch: list[Report]) -> list[Report]:
        """Insert reports not already stored; return only the new ones, in batch order."""

    def set_report_events(self, assignments: dict[str, str | None]) -> None:
        """Attach already stored reports to events (report id -> event id)."""

    def upsert_events(self, events: list[Event]) -> None: ...

    def get_event(self, event_id: str) -> Event | None: ...

    def list_events(self, q: EventQuery) -> tuple[list[Event], int]: ...

    def event_reports(self, event_id: str, *, limit: int = 100, offset: int = 0,
                      with_text: bool = False) -> list[dict[str, Any]]: ...

    def count_reports(self) -> int: ...

    def upsert_sources(self, sources: list[Source]) -> None: ...

    def list_sources(self) -> list[Source]: ...

    def expire_text(self, before: datetime) -> int:
        """Blank raw text of reports received before ``before``; events keep aggregates."""

    def audit(self, actor: str, action: str, target: str) -> None: ...

    def get_state(self, key: str) -> bytes | None: ...

    def set_state(self, key: str, value: bytes) -> None: ...

    def close(self) -> None: ...
