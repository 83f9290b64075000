"""The embedded runner: sources → bounded queue → enrichment → detection → store → listeners.

One asyncio loop owns the sources, the API server and the bookkeeping; the CPU-bound work
(enrichment, detection, the store's batched writes) runs batch by batch in one worker
thread so the API stays responsive. The ingest queue is bounded: a fast source waits for
the pipeline (back-pressure) instead of filling memory. On SIGINT/SIGTERM the sources stop,
what is already queued is processed and stored, and the detector's state is saved so that a
restart carries on with the same events (with the dedup stage's window, so that a repost of a
report from before the restart is still known as a copy).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .broadcast import Broadcaster
from .config import Config
from .detect.base import Detector
from .enrich.chain import Stage, run_stages
from .model import EventChange, Report, utcnow
from .sources.base import SourceConnector
from .store.base import Store

log = logging.getLogger("tocsin.pipeline")

DETECTOR_STATE_KEY = "detector"
#: the dedup stage's window (``DedupIndex.to_state``), saved with the detector's state
DEDUP_STATE_KEY = "dedup"
ChangeHook = Callable[[list[EventChange]], None]


@dataclass(slots=True)
class PipelineStats:
    received: int = 0
    already_stored: int = 0
    processed: int = 0
    assigned: int = 0
    changes: int = 0
    batches: int = 0
    started: float = field(default_factory=time.monotonic)
    stream_time: datetime | None = None

    def to_dict(self) -> dict:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        return {
            "received": self.received,
            "already_stored": self.already_stored,
            "processed": self.processed,
            "assigned_to_events": self.assigned,
            "event_changes": self.changes,
            "batches": self.batches,
            "reports_per_second": round(self.processed / elapsed, 1),
            "stream_time": self.stream_time.isoformat() if self.stream_time else None,
        }


class Pipeline:
    def __init__(
        self,
        cfg: Config,
        store: Store,
        stages: Sequence[Stage],
        detector: Detector | None,
        *,
        broadcaster: Broadcaster | None = None,
        clock: str = "wall",  # "wall" for live sources, "stream" for replays
        hooks: Sequence[ChangeHook] = (),
    ):
        self.cfg = cfg
        self.store = store
        self.stages = list(stages)
        self.detector = detector
        self.broadcaster = broadcaster or Broadcaster()
        self.clock = clock
        self.hooks = list(hooks)
        self.sources: list[SourceConnector] = []
        self.queue: asyncio.Queue[list[Report] | None] = asyncio.Queue(maxsize=cfg.queue_batches)
        self.stats = PipelineStats()
        self._stop = asyncio.Event()
        self._last_snapshot = time.monotonic()

    # -- wiring --------------------------------------------------------------------------
    @property
    def ready(self) -> bool:
        """Models loaded (a runner may attach them after the API is already serving)."""
        return self.detector is not None

    def add_source(self, source: SourceConnector) -> None:
        self.sources.append(source)

    def add_hook(self, hook: ChangeHook) -> None:
        self.hooks.append(hook)

    def stop(self) -> None:
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    async def submit(self, batch: list[Report]) -> None:
        """Queue a batch (HTTP push, tests); waits when the queue is full."""
        if batch:
            await self.queue.put(batch)

    # -- processing (worker thread) ------------------------------------------------------
    def process(self, batch: list[Report]) -> list[EventChange]:
        """Enrich, detect, store and announce one batch. Idempotent over report ids."""
        self.stats.received += len(batch)
        seen: set[str] = set()
        unique = []
        for r in batch:
            if r.id not in seen:
                seen.add(r.id)
                unique.append(r)
        stored = self.store.report_ids([r.id for r in unique]) if hasattr(
            self.store, "report_ids") else set()
        fresh = [r for r in unique if r.id not in stored]
        self.stats.already_stored += len(batch) - len(fresh)
        if not fresh:
            return []
        fresh = run_stages(self.stages, fresh)
        changes = self.detector.observe(fresh)
        # Reports the detector placed in an event after the fact (they first formed a
        # candidate): those in this batch are stored with it, earlier ones are updated.
        backfill = self.detector.drain_backfill() if hasattr(self.detector, "drain_backfill") else {}
        if backfill:
            for r in fresh:
                eid = backfill.pop(r.id, None)
                if eid is not None:
                    r.event_id = eid
        newest = max(r.published_at for r in fresh)
        if self.clock == "stream":
            if self.stats.stream_time is None or newest > self.stats.stream_time:
                self.stats.stream_time = newest
            changes += self.detector.tick(self.stats.stream_time)
        self.store.add_reports(fresh)
        if backfill:
            self.store.set_report_events(backfill)
        self._publish(changes)
        self.stats.processed += len(fresh)
        self.stats.assigned += sum(1 for r in fresh if r.event_id)
        self.stats.batches += 1
        return changes

    def tick(self, now: datetime) -> list[EventChange]:
        changes = self.detector.tick(now)
        self._publish(changes)
        return changes

    def _publish(self, changes: list[EventChange]) -> None:
        if not changes:
            return
        self.stats.changes += len(changes)
        latest: dict[str, EventChange] = {}
        for c in changes:
            latest[c.event.id] = c  # the last state of each event in this batch is enough
        self.store.upsert_events([c.event for c in latest.values()])
        for c in latest.values():
            self.broadcaster.publish_threadsafe("event", c.to_dict())
        for hook in self.hooks:
            try:
                hook(changes)
            except Exception:  # a broken hook must not stop detection
                log.exception("event-change hook %r failed", hook)

    def save_state(self) -> None:
        """Save what a restart needs to carry on: the detector and the dedup window, taken
        between the same two batches (both are called from the one worker)."""
        self.store.set_state(DETECTOR_STATE_KEY, self.detector.snapshot())
        dedup = self._dedup_stage()
        if dedup is not None:
            self.store.set_state(DEDUP_STATE_KEY, dedup.index.to_state())
        self.store.upsert_sources([s.health.source for s in self.sources])

    def restore_dedup_window(self) -> int:
        """Load the dedup window saved by the last run into the dedup stage; returns how many
        reports it remembers. A missing stage or state is no error (0); a state that cannot
        be read is logged and the window starts empty, as it did before states were saved."""
        dedup = self._dedup_stage()
        data = self.store.get_state(DEDUP_STATE_KEY) if dedup is not None else None
        if dedup is None or not data:
            return 0
        from .enrich.dedup import DedupIndex

        try:
            dedup.index = DedupIndex.from_state(data)
        except ValueError as e:
            log.warning("dedup window not restored (%s); starting with an empty one", e)
            return 0
        log.info("dedup window restored (%d reports)", len(dedup.index))
        return len(dedup.index)

    def _dedup_stage(self):
        return next((st for st in self.stages
                     if getattr(st, "name", None) == "dedup" and hasattr(st, "index")), None)

    # -- the loop ------------------------------------------------------------------------
    async def _pump(self, source: SourceConnector) -> None:
        try:
            async for batch in source.batches():
                if self._stop.is_set():
                    break
                await self.queue.put(batch)
        except asyncio.CancelledError:
            raise
        except Exception as e:  # a broken connector is a failing source, not a crash
            log.exception("source %s stopped", source.health.name)
            source.health.failure(f"{type(e).__name__}: {e}")

    async def _worker(self) -> None:
        while True:
            batch = await self.queue.get()
            if batch is None:
                return
            # Merge what is already waiting: bigger batches amortise per-batch overhead.
            while len(batch) < self.cfg.batch_size * 4 and not self.queue.empty():
                nxt = self.queue.get_nowait()
                if nxt is None:
                    await asyncio.to_thread(self.process, batch)
                    return
                batch = batch + nxt
            try:
                await asyncio.to_thread(self.process, batch)
            except Exception:
                log.exception("batch of %d reports failed; skipped", len(batch))
            if time.monotonic() - self._last_snapshot > 30:
                self._last_snapshot = time.monotonic()
                await asyncio.to_thread(self.save_state)

    async def _housekeeping(self) -> None:
        last_expiry = 0.0
        while not self._stop.is_set():
            try:
                await asyncio.wait_for(self._stop.wait(), timeout=5)
            except TimeoutError:
                pass
            self.store.upsert_sources([s.health.source for s in self.sources])
            if self.clock == "wall":
                await asyncio.to_thread(self.tick, utcnow())
            if time.monotonic() - last_expiry > 3600:
                last_expiry = time.monotonic()
                cutoff = utcnow() - timedelta(days=self.cfg.text_retention_days)
                n = self.store.expire_text(cutoff)
                if n:
                    log.info("expired raw text of %d reports older than %s", n, cutoff)

    async def run(self, *, stop_when_sources_done: bool = False) -> None:
        """Run until stop() (or, for replays, until every source is exhausted)."""
        self.broadcaster.loop = asyncio.get_running_loop()
        self.stats = PipelineStats()
        worker = asyncio.create_task(self._worker(), name="pipeline-worker")
        house = asyncio.create_task(self._housekeeping(), name="pipeline-housekeeping")
        pumps = [asyncio.create_task(self._pump(s), name=f"source-{s.health.name}")
                 for s in self.sources]
        stop_wait = asyncio.create_task(self._stop.wait())
        try:
            if stop_when_sources_done and pumps:
                done_all = asyncio.gather(*pumps, return_exceptions=True)
                await asyncio.wait({done_all, stop_wait}, return_when=asyncio.FIRST_COMPLETED)
            else:
                await stop_wait
        finally:
            self._stop.set()
            for p in pumps:
                p.cancel()
            await asyncio.gather(*pumps, return_exceptions=True)
            # Flush: everything already queued is processed and stored before we exit.
            await self.queue.put(None)
            await worker
            await house
            stop_wait.cancel()
            await asyncio.to_thread(self.save_state)
            log.info("pipeline stopped: %s", self.stats.to_dict())
