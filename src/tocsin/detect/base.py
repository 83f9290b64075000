"""The detector contract: what the runners, the CLI and the store rely on.

Detection internals can be replaced freely as long as this surface holds: ``observe`` takes
an enriched batch in stream order, sets ``report.event_id`` on each report (None for noise)
and returns the event changes it caused; ``tick`` advances the lifecycle on stream time
(reports arriving also advance it); ``snapshot``/``restore`` let a restarted process carry on
with the same events instead of opening new ones.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, runtime_checkable

from ..model import Event, EventChange, Report


@runtime_checkable
class Detector(Protocol):
    def observe(self, batch: list[Report]) -> list[EventChange]: ...

    def tick(self, now: datetime) -> list[EventChange]: ...

    def active_events(self) -> list[Event]: ...

    def get_event(self, event_id: str) -> Event | None: ...

    def resolve(self, event_id: str) -> str: ...  # follows merge pointers to the live id

    def snapshot(self) -> bytes: ...

    @classmethod
    def restore(cls, data: bytes) -> Detector: ...
