import sqlite3
from datetime import datetime, timedelta, timezone

from tocsin.model import Event, EventStatus, Report, Source, SourceKind, Tier
from tocsin.store.base import EventQuery
from tocsin.store.migrations import SQLITE_MIGRATIONS
from tocsin.store.sqlite import SQLiteStore

T0 = datetime(2024, 3, 1, 12, tzinfo=timezone.utc)


def rep(i, event=None, text="Shelling reported near the market"):
    return Report(id=f"r{i}", source="s", text=text, published_at=T0 + timedelta(minutes=i),
                  event_id=event)


def ev(i, **kw):
    d = dict(id=f"e{i}", status=EventStatus.ACTIVE, first_seen=T0, last_seen=T0 + timedelta(hours=i),
             title=f"event {i}", hazard="flood", report_count=i, severity=i / 10, tier=Tier.ROUTINE)
    d.update(kw)
    return Event(**d)


def test_wal_and_migrations(tmp_path):
    s = SQLiteStore(tmp_path / "t.db")
    assert s.schema_version == len(SQLITE_MIGRATIONS)
    mode = sqlite3.connect(tmp_path / "t.db").execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    s.close()
    assert SQLiteStore(tmp_path / "t.db").migrate() == len(SQLITE_MIGRATIONS)  # re-open: no-op


def test_reports_are_idempotent(any_store):
    s = any_store
    batch = [rep(i) for i in range(5)]
    assert len(s.add_reports(batch)) == 5
    assert s.add_reports([rep(i, text="changed") for i in range(5)]) == []
    assert s.count_reports() == 5
    assert s.add_reports([rep(4), rep(5)])[0].id == "r5"
    assert s.count_reports() == 6


def test_event_queries(any_store):
    s = any_store
    s.upsert_events([
        ev(1, bbox=(30.0, 50.0, 36.0, 51.0)),
        ev(2, bbox=(-73.0, 18.0, -72.0, 19.0), hazard="earthquake", tier=Tier.FLASH),
        ev(3, status=EventStatus.MERGED, merged_into="e1"),
    ])
    evs, total = s.list_events(EventQuery())
    assert total == 2 and [e.id for e in evs] == ["e2", "e1"]
    assert [e.id for e in s.list_events(EventQuery(order="severity"))[0]] == ["e2", "e1"]
    assert [e.id for e in s.list_events(EventQuery(bbox=(-80, 10, -70, 20)))[0]] == ["e2"]
    assert [e.id for e in s.list_events(EventQuery(tier=["flash"]))[0]] == ["e2"]
    assert [e.id for e in s.list_events(EventQuery(since=T0 + timedelta(hours=2)))[0]] == ["e2"]
    s.upsert_events([ev(4, info_counts={"casualties": 2, "not_relevant": 0},
                        needs_counts={"water": 1}, languages={"ar": 3})])
    assert [e.id for e in s.list_events(EventQuery(info_type=["casualties"]))[0]] == ["e4"]
    assert s.list_events(EventQuery(info_type=["not_relevant"]))[1] == 0
    assert [e.id for e in s.list_events(EventQuery(needs=["food", "water"]))[0]] == ["e4"]
    assert [e.id for e in s.list_events(EventQuery(lang=["ar"]))[0]] == ["e4"]
    s.upsert_events([ev(1, title="renamed")])
    assert s.get_event("e1").title == "renamed"
    assert s.get_event("e3").merged_into == "e1"
    assert s.get_event("nope") is None


def test_event_reports_text_expiry_and_audit(any_store):
    s = any_store
    s.add_reports([rep(i, event="e1") for i in range(3)])
    rows = s.event_reports("e1", with_text=True)
    assert [r["id"] for r in rows] == ["r0", "r1", "r2"] and rows[0]["text"]
    assert "text" not in s.event_reports("e1")[0]
    s.set_report_events({"r0": "e2"})
    assert [r["id"] for r in s.event_reports("e2")] == ["r0"]
    s.set_report_events({"r0": "e1"})
    assert s.expire_text(datetime.now(timezone.utc) + timedelta(days=1)) == 3
    assert s.event_reports("e1", with_text=True)[0]["text"] is None
    s.audit("key:abc", "read_raw_reports", "event:e1")
    assert s.audit_entries()[0]["action"] == "read_raw_reports"


def test_sources_and_state(any_store):
    s = any_store
    src = Source(name="GDACS", kind=SourceKind.FEED, url="https://x", items_total=3,
                 last_error="timeout")
    s.upsert_sources([src])
    got = s.list_sources()[0]
    assert got.name == "GDACS" and got.items_total == 3 and got.last_error == "timeout"
    s.set_state("detector", b"\x00\x01")
    assert s.get_state("detector") == b"\x00\x01"
