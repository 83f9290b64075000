"""The embedded runner with a recording test double as detector (the real one is tested in
tests/detect and end to end through the CLI)."""

import asyncio
import json
import pickle
from datetime import datetime, timezone

from tocsin.broadcast import Broadcaster
from tocsin.config import Config
from tocsin.enrich.dedup import DedupStage
from tocsin.enrich.language import LanguageStage
from tocsin.enrich.text import TextStage
from tocsin.model import ChangeKind, Event, EventChange, EventStatus
from tocsin.pipeline import DEDUP_STATE_KEY, DETECTOR_STATE_KEY, Pipeline
from tocsin.privacy import Pseudonymiser
from tocsin.sources.files import JsonLinesSource
from tocsin.store.sqlite import SQLiteStore

PS = Pseudonymiser(b"p" * 32)


class KeywordDetector:
    """Puts every report mentioning 'flood' in one event; records what it saw."""

    def __init__(self):
        self.seen: list[str] = []
        self.event: Event | None = None

    def observe(self, batch):
        changes = []
        for r in batch:
            self.seen.append(r.id)
            if "flood" in r.tokens:
                if self.event is None:
                    self.event = Event(id="ev1", status=EventStatus.EMERGING,
                                       first_seen=r.published_at, last_seen=r.published_at)
                    kind = ChangeKind.NEW
                else:
                    kind = ChangeKind.UPDATED
                self.event.report_count += 1
                self.event.last_seen = r.published_at
                r.event_id = "ev1"
                changes.append(EventChange(kind, self.event, r.published_at))
        return changes

    def tick(self, now):
        return []

    def drain_backfill(self):
        """Pretend the first report turned out to belong to the event (once)."""
        if self.event is not None and not getattr(self, "_filled", False):
            self._filled = True
            return {"r0": "ev1"}
        return {}

    def active_events(self):
        return [self.event] if self.event else []

    def get_event(self, i):
        return self.event

    def resolve(self, i):
        return i

    def snapshot(self):
        return pickle.dumps(self.seen)

    @classmethod
    def restore(cls, data):
        d = cls()
        d.seen = pickle.loads(data)
        return d


def write_stream(path, n):
    with open(path, "w") as f:
        for i in range(n):
            text = f"flood water rising in district {i}" if i % 2 else f"market day number {i}"
            f.write(json.dumps({"id": f"r{i}", "time": f"2024-01-01T00:{i // 60:02d}:{i % 60:02d}Z",
                                "text": text, "author": f"@user{i % 7}"}) + "\n")


def make(tmp_path, detector=None):
    cfg = Config(home=tmp_path, batch_size=16, queue_batches=2)
    store = SQLiteStore(cfg.db_path)
    det = detector or KeywordDetector()
    p = Pipeline(cfg, store, [TextStage(), LanguageStage(), DedupStage()], det,
                 broadcaster=Broadcaster(), clock="stream")
    return p, store, det


async def test_replay_stores_everything_and_publishes(tmp_path):
    write_stream(tmp_path / "s.jsonl", 200)
    p, store, det = make(tmp_path)
    p.add_source(JsonLinesSource(tmp_path / "s.jsonl", batch_size=16, pseudonymiser=PS))
    listener = p.broadcaster.subscribe()
    await p.run(stop_when_sources_done=True)
    assert store.count_reports() == 200
    assert det.seen == [f"r{i}" for i in range(200)]  # stream order preserved
    assert store.get_event("ev1").report_count == 100
    assert len(store.event_reports("ev1", limit=1000)) == 101  # 100 + the back-filled r0
    assert store.event_reports("ev1", limit=1)[0]["id"] == "r0"
    assert listener.queue.qsize() > 0
    assert store.get_state(DETECTOR_STATE_KEY) is not None  # saved at shutdown


async def test_second_run_adds_nothing(tmp_path):
    write_stream(tmp_path / "s.jsonl", 50)
    for _ in range(2):
        p, store, det = make(tmp_path)
        p.add_source(JsonLinesSource(tmp_path / "s.jsonl", batch_size=16, pseudonymiser=PS))
        await p.run(stop_when_sources_done=True)
        store.close()
    p, store, det = make(tmp_path)
    assert store.count_reports() == 50
    assert p.stats.processed == 0


async def test_queue_is_bounded_back_pressure(tmp_path):
    p, store, det = make(tmp_path)
    from tocsin.model import Report

    batch = [Report(id="x", source="s", text="t", published_at=datetime.now(timezone.utc))]
    for _ in range(p.queue.maxsize):
        await p.submit(batch)
    put = asyncio.ensure_future(p.submit(batch))
    await asyncio.sleep(0.05)
    assert not put.done()  # the producer waits: memory stays bounded
    put.cancel()


async def test_stop_flushes_what_is_queued(tmp_path):
    p, store, det = make(tmp_path)
    run = asyncio.ensure_future(p.run())
    from tocsin.model import Report

    await p.submit([Report(id=f"q{i}", source="s", text="flood here",
                           published_at=datetime(2024, 1, 1, tzinfo=timezone.utc)) for i in range(10)])
    p.stop()
    await run
    assert store.count_reports() == 10


async def test_broadcaster_replays_missed_messages_and_drops_for_slow_listeners():
    b = Broadcaster(maxsize=3, history=10)
    slow = b.subscribe()
    for i in range(5):
        b.publish("event", {"i": i})
    assert slow.dropped == 2 and slow.queue.qsize() == 3  # bounded: oldest dropped
    late = b.subscribe(last_id=3)
    got = [late.queue.get_nowait()[2]["i"] for _ in range(late.queue.qsize())]
    assert got == [3, 4]


class DuplicateSpy:
    """A stage after dedup that records what dedup decided for each report."""

    name = "spy"

    def __init__(self):
        self.duplicate_of: dict[str, str | None] = {}

    def enrich(self, batch):
        for r in batch:
            self.duplicate_of[r.id] = r.duplicate_of
        return batch


def reposts(path, n):
    """New ids, the texts of ``write_stream``'s first ``n`` flood reports, a day later."""
    with open(path, "w") as f:
        for i in range(1, 2 * n, 2):
            f.write(json.dumps({"id": f"again{i}", "time": "2024-01-02T00:00:00Z",
                                "text": f"RT flood water rising in district {i}",
                                "author": "@someone"}) + "\n")


async def run_with_spy(tmp_path, stream, restore: bool):
    p, store, det = make(tmp_path)
    spy = DuplicateSpy()
    p.stages.append(spy)
    if restore:
        p.restore_dedup_window()
    p.add_source(JsonLinesSource(stream, batch_size=16, pseudonymiser=PS))
    await p.run(stop_when_sources_done=True)
    store.close()
    return spy.duplicate_of


async def test_dedup_window_is_carried_over_a_restart(tmp_path):
    write_stream(tmp_path / "s.jsonl", 60)
    reposts(tmp_path / "again.jsonl", 10)
    await run_with_spy(tmp_path, tmp_path / "s.jsonl", restore=False)
    p, store, _ = make(tmp_path)
    assert store.get_state(DEDUP_STATE_KEY) is not None  # saved at shutdown
    store.close()
    got = await run_with_spy(tmp_path, tmp_path / "again.jsonl", restore=True)
    assert got == {f"again{i}": f"r{i}" for i in range(1, 20, 2)}


async def test_without_the_saved_window_reposts_look_new(tmp_path):
    """The same restart with the state thrown away: what the saved window prevents."""
    write_stream(tmp_path / "s.jsonl", 60)
    reposts(tmp_path / "again.jsonl", 10)
    await run_with_spy(tmp_path, tmp_path / "s.jsonl", restore=False)
    got = await run_with_spy(tmp_path, tmp_path / "again.jsonl", restore=False)
    assert set(got.values()) == {None}


async def test_unreadable_dedup_state_starts_an_empty_window(tmp_path, caplog):
    p, store, _ = make(tmp_path)
    store.set_state(DEDUP_STATE_KEY, b"garbage")
    assert p.restore_dedup_window() == 0
    assert "dedup window not restored" in caplog.text
    assert len(p.stages[2].index) == 0
    p.stages = [TextStage()]  # no dedup stage: nothing to restore, no error
    assert p.restore_dedup_window() == 0
