"""Per-source counters and health: what the sources page and `/api/v1/sources` show."""

from __future__ import annotations

import logging
import time
from collections import deque

from ..model import Source, SourceKind, utcnow

log = logging.getLogger("tocsin.sources")


class SourceHealth:
    """Wraps a Source record with the bookkeeping every connector needs."""

    def __init__(self, name: str, kind: SourceKind, url: str | None = None):
        self.source = Source(name=name, kind=kind, url=url)
        self.unknown_fields = 0
        self._recent: deque[float] = deque()

    @property
    def name(self) -> str:
        return self.source.name

    def item(self, n: int = 1) -> None:
        self.source.items_total += n
        now = time.monotonic()
        self._recent.extend([now] * min(n, 10_000))
        while self._recent and now - self._recent[0] > 60:
            self._recent.popleft()
        self.source.items_per_min = float(len(self._recent))

    def bad(self, where: str, reason: str) -> None:
        """Count and log a skipped item with where it came from (never its raw content)."""
        self.source.items_bad += 1
        log.warning("skipped bad item from %s at %s: %s", self.name, where, reason)

    def success(self) -> None:
        self.source.last_success = utcnow()
        self.source.consecutive_failures = 0

    def failure(self, error: str) -> None:
        self.source.last_error = error[:500]
        self.source.last_error_at = utcnow()
        self.source.consecutive_failures += 1
        log.warning("source %s failing (%d in a row): %s", self.name,
                    self.source.consecutive_failures, error[:200])
