"""PostgreSQL store (psycopg 3): the same protocol as SQLite, for deployments that share one
database between several processes or machines.

Schema lives in its own PostgreSQL schema (default ``tocsin``), versioned in a one-row table.
Reports are inserted with ``ON CONFLICT DO NOTHING RETURNING id`` so a batch learns, in one
round trip, which of its reports were new.
"""

from __future__ import annotations

import json
import threading
from datetime import datetime
from typing import Any

from ..alerts.pgstore import PG_ALERT_MIGRATION, PostgresAlertMethods
from ..model import Event, Report, Source, SourceKind, event_from_dict, utcnow
from .base import EventQuery
from .query import PostgresDialect, event_filters, order_by

PG_MIGRATIONS: list[list[str]] = [
    [
        """CREATE TABLE reports (
            id TEXT PRIMARY KEY, source TEXT NOT NULL, url TEXT, author_key TEXT,
            published_at TIMESTAMPTZ NOT NULL, received_at TIMESTAMPTZ NOT NULL, text TEXT,
            lang TEXT, truncated BOOLEAN NOT NULL DEFAULT FALSE, duplicate_of TEXT,
            info_type TEXT, relevant BOOLEAN, relevance DOUBLE PRECISION, hazard TEXT,
            needs JSONB, places JSONB, location JSONB, info_scores JSONB, event_id TEXT)""",
        "CREATE INDEX reports_event ON reports(event_id, published_at)",
        "CREATE INDEX reports_received ON reports(received_at)",
        """CREATE TABLE events (
            id TEXT PRIMARY KEY, status TEXT NOT NULL, first_seen TIMESTAMPTZ NOT NULL,
            last_seen TIMESTAMPTZ NOT NULL, updated_at TIMESTAMPTZ NOT NULL, hazard TEXT,
            tier TEXT NOT NULL, severity DOUBLE PRECISION NOT NULL, report_count INTEGER NOT NULL,
            min_lon DOUBLE PRECISION, min_lat DOUBLE PRECISION, max_lon DOUBLE PRECISION,
            max_lat DOUBLE PRECISION, merged_into TEXT, body JSONB NOT NULL)""",
        "CREATE INDEX events_last_seen ON events(last_seen)",
        "CREATE INDEX events_severity ON events(severity)",
        "CREATE TABLE sources (name TEXT PRIMARY KEY, body JSONB NOT NULL)",
        "CREATE TABLE state (key TEXT PRIMARY KEY, value BYTEA)",
        """CREATE TABLE audit_log (id BIGSERIAL PRIMARY KEY, at TIMESTAMPTZ NOT NULL,
            actor TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL)""",
    ],
    PG_ALERT_MIGRATION,  # 2: subscriptions, alerts, API keys, dead letters (tocsin.alerts)
]


_DIALECT = PostgresDialect()


def _j(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


class PostgresStore(PostgresAlertMethods):
    def __init__(self, dsn: str, schema: str = "tocsin"):
        import psycopg

        if not schema.isidentifier():
            raise ValueError(f"schema name {schema!r} is not a plain identifier")
        self.schema = schema
        self._conn = psycopg.connect(dsn, autocommit=True)
        self._lock = threading.RLock()
        self._conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        self._conn.execute(f'SET search_path TO "{schema}"')
        self.migrate()

    def migrate(self) -> int:
        with self._lock, self._conn.transaction():
            self._conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (self.schema,))
            self._conn.execute("CREATE TABLE IF NOT EXISTS schema_version (v INTEGER NOT NULL)")
            row = self._conn.execute("SELECT v FROM schema_version").fetchone()
            version = row[0] if row else 0
            if row is None:
                self._conn.execute("INSERT INTO schema_version VALUES (0)")
            for i, stmts in enumerate(PG_MIGRATIONS[version:], start=version + 1):
                for s in stmts:
                    self._conn.execute(s)
                self._conn.execute("UPDATE schema_version SET v=%s", (i,))
        return len(PG_MIGRATIONS)

    @property
    def schema_version(self) -> int:
        with self._lock:
            return self._conn.execute("SELECT v FROM schema_version").fetchone()[0]

    def add_reports(self, batch: list[Report]) -> list[Report]:
        if not batch:
            return []
        new_ids: set[str] = set()
        with self._lock, self._conn.transaction(), self._conn.cursor() as cur:
            for r in batch:
                cur.execute(
                    "INSERT INTO reports (id, source, url, author_key, published_at, received_at,"
                    " text, lang, truncated, duplicate_of, info_type, relevant, relevance, hazard,"
                    " needs, places, location, info_scores, event_id) VALUES (%s,%s,%s,%s,%s,%s,"
                    "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s) ON CONFLICT (id) DO NOTHING RETURNING id",
                    (r.id, r.source, r.url, r.author_key, r.published_at, r.received_at, r.text,
                     r.lang, r.truncated, r.duplicate_of, r.info_type, r.relevant, r.relevance,
                     r.hazard, _j(r.needs), _j([p.to_dict() for p in r.places]),
                     _j(r.location.to_dict()) if r.location else None,
                     _j(r.info_scores) if r.info_scores else None, r.event_id),
                )
                if cur.fetchone() is not None:
                    new_ids.add(r.id)
        return [r for r in batch if r.id in new_ids]

    def report_ids(self, ids: list[str]) -> set[str]:
        with self._lock:
            rows = self._conn.execute("SELECT id FROM reports WHERE id = ANY(%s)", (ids,)).fetchall()
        return {r[0] for r in rows}

    def set_report_events(self, assignments: dict[str, str | None]) -> None:
        """Attach stored reports to events after the fact (report id -> event id)."""
        if not assignments:
            return
        with self._lock, self._conn.transaction(), self._conn.cursor() as cur:
            cur.executemany("UPDATE reports SET event_id=%s WHERE id=%s",
                            [(eid, rid) for rid, eid in assignments.items()])

    def count_reports(self) -> int:
        with self._lock:
            return self._conn.execute("SELECT count(*) FROM reports").fetchone()[0]

    def event_reports(self, event_id: str, *, limit: int = 100, offset: int = 0,
                      with_text: bool = False) -> list[dict[str, Any]]:
        cols = ("id, source, url, published_at, lang, info_type, relevance, hazard, needs,"
                " places, duplicate_of" + (", text" if with_text else ""))
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {cols} FROM reports WHERE event_id=%s ORDER BY published_at, id"
                " LIMIT %s OFFSET %s", (event_id, limit, offset)).fetchall()
        out = []
        for row in rows:
            d = {"id": row[0], "source": row[1], "url": row[2], "published_at": row[3].isoformat(),
                 "lang": row[4], "info_type": row[5], "relevance": row[6], "hazard": row[7],
                 "needs": row[8] or [], "places": row[9] or [], "duplicate_of": row[10]}
            if with_text:
                d["text"] = row[11]
            out.append(d)
        return out

    def expire_text(self, before: datetime) -> int:
        with self._lock:
            cur = self._conn.execute(
                "UPDATE reports SET text=NULL WHERE received_at < %s AND text IS NOT NULL", (before,))
            return cur.rowcount

    def upsert_events(self, events: list[Event]) -> None:
        if not events:
            return
        rows = []
        for e in events:
            bb = e.bbox or (None, None, None, None)
            rows.append((e.id, e.status.value, e.first_seen, e.last_seen, e.updated_at, e.hazard,
                         e.tier.value, e.severity, e.report_count, *bb, e.merged_into,
                         _j(e.to_dict())))
        with self._lock, self._conn.transaction(), self._conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO events (id, status, first_seen, last_seen, updated_at, hazard, tier,"
                " severity, report_count, min_lon, min_lat, max_lon, max_lat, merged_into, body)"
                " VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s) ON CONFLICT (id) DO UPDATE"
                " SET status=EXCLUDED.status, first_seen=EXCLUDED.first_seen,"
                " last_seen=EXCLUDED.last_seen, updated_at=EXCLUDED.updated_at,"
                " hazard=EXCLUDED.hazard, tier=EXCLUDED.tier, severity=EXCLUDED.severity,"
                " report_count=EXCLUDED.report_count, min_lon=EXCLUDED.min_lon,"
                " min_lat=EXCLUDED.min_lat, max_lon=EXCLUDED.max_lon, max_lat=EXCLUDED.max_lat,"
                " merged_into=EXCLUDED.merged_into, body=EXCLUDED.body", rows)

    def get_event(self, event_id: str) -> Event | None:
        with self._lock:
            row = self._conn.execute("SELECT body FROM events WHERE id=%s", (event_id,)).fetchone()
        return event_from_dict(row[0]) if row else None

    def list_events(self, q: EventQuery) -> tuple[list[Event], int]:
        clause, args = event_filters(q, _DIALECT)
        with self._lock:
            total = self._conn.execute(f"SELECT count(*) FROM events{clause}", args).fetchone()[0]
            rows = self._conn.execute(
                f"SELECT body FROM events{clause} ORDER BY {order_by(q)} LIMIT %s OFFSET %s",
                [*args, q.limit, q.offset]).fetchall()
        return [event_from_dict(r[0]) for r in rows], total

    def upsert_sources(self, sources: list[Source]) -> None:
        if not sources:
            return
        with self._lock, self._conn.transaction(), self._conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO sources (name, body) VALUES (%s, %s)"
                " ON CONFLICT (name) DO UPDATE SET body=EXCLUDED.body",
                [(s.name, _j(s.to_dict())) for s in sources])

    def list_sources(self) -> list[Source]:
        with self._lock:
            rows = self._conn.execute("SELECT body FROM sources ORDER BY name").fetchall()
        out = []
        for (d,) in rows:
            s = Source(name=d["name"], kind=SourceKind(d["kind"]), url=d.get("url"))
            s.last_success = datetime.fromisoformat(d["last_success"]) if d.get("last_success") else None
            s.last_error = d.get("last_error")
            s.consecutive_failures = d.get("consecutive_failures", 0)
            s.items_total = d.get("items_total", 0)
            s.items_bad = d.get("items_bad", 0)
            out.append(s)
        return out

    def audit(self, actor: str, action: str, target: str) -> None:
        with self._lock:
            self._conn.execute("INSERT INTO audit_log (at, actor, action, target) VALUES"
                               " (%s,%s,%s,%s)", (utcnow(), actor, action, target))

    def audit_entries(self, limit: int = 100) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._conn.execute("SELECT at, actor, action, target FROM audit_log"
                                      " ORDER BY id DESC LIMIT %s", (limit,)).fetchall()
        return [{"at": r[0].isoformat(), "actor": r[1], "action": r[2], "target": r[3]}
                for r in rows]

    def get_state(self, key: str) -> bytes | None:
        with self._lock:
            row = self._conn.execute("SELECT value FROM state WHERE key=%s", (key,)).fetchone()
        return bytes(row[0]) if row else None

    def set_state(self, key: str, value: bytes) -> None:
        with self._lock:
            self._conn.execute("INSERT INTO state (key, value) VALUES (%s, %s) ON CONFLICT (key)"
                               " DO UPDATE SET value=EXCLUDED.value", (key, value))

    def drop_schema(self) -> None:
        """Remove everything (tests)."""
        with self._lock:
            self._conn.execute(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')

    def close(self) -> None:
        with self._lock:
            self._conn.close()
