"""SQLite store, the embedded default: one file, WAL mode, batched idempotent writes.

WAL lets the API read while the pipeline writes, and lets ``tocsin serve`` in another
process read the same file. One connection is shared under a lock; every pipeline batch is
one transaction, which is what makes thousands of reports per second cheap.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..model import Event, Report, Source, SourceKind, event_from_dict
from .base import EventQuery
from .migrations import SQLITE_MIGRATIONS
from .query import SQLiteDialect, alert_filters, event_filters, order_by

_DIALECT = SQLiteDialect()


def _j(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


class SQLiteStore:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._lock = threading.RLock()
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA busy_timeout=10000")
        self.migrate()

    # -- schema -------------------------------------------------------------------------
    def migrate(self) -> int:
        with self._lock:
            version = self._conn.execute("PRAGMA user_version").fetchone()[0]
            for i, stmts in enumerate(SQLITE_MIGRATIONS[version:], start=version + 1):
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    for s in stmts:
                        self._conn.execute(s)
                    self._conn.execute(f"PRAGMA user_version={i}")
                    self._conn.execute("COMMIT")
                except Exception:
                    self._conn.execute("ROLLBACK")
                    raise
            return len(SQLITE_MIGRATIONS)

    @property
    def schema_version(self) -> int:
        return self._conn.execute("PRAGMA user_version").fetchone()[0]

    def _tx(self, fn, *args):
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                out = fn(*args)
                self._conn.execute("COMMIT")
                return out
            except Exception:
                self._conn.execute("ROLLBACK")
                raise

    # -- reports ------------------------------------------------------------------------
    def add_reports(self, batch: list[Report]) -> list[Report]:
        if not batch:
            return []

        def work():
            rows = [
                (
                    r.id, r.source, r.url, r.author_key, r.published_at.isoformat(),
                    r.received_at.isoformat(), r.text, r.lang, int(r.truncated), r.duplicate_of,
                    r.info_type, None if r.relevant is None else int(r.relevant), r.relevance,
                    r.hazard, _j(r.needs), _j([p.to_dict() for p in r.places]),
                    _j(r.location.to_dict()) if r.location else None,
                    _j(r.info_scores) if r.info_scores else None, r.event_id,
                )
                for r in batch
            ]
            new: list[Report] = []
            # INSERT OR IGNORE one by one tells us which were new; executemany cannot.
            cur = self._conn.cursor()
            for r, row in zip(batch, rows, strict=True):
                cur.execute(
                    "INSERT OR IGNORE INTO reports (id, source, url, author_key, published_at,"
                    " received_at, text, lang, truncated, duplicate_of, info_type, relevant,"
                    " relevance, hazard, needs, places, location, info_scores, event_id)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    row,
                )
                if cur.rowcount == 1:
                    new.append(r)
            return new

        return self._tx(work)

    def set_report_events(self, assignments: dict[str, str | None]) -> None:
        """Attach stored reports to events after the fact (report id -> event id)."""
        rows = [(eid, rid) for rid, eid in assignments.items()]
        if rows:
            self._tx(lambda: self._conn.executemany(
                "UPDATE reports SET event_id=? WHERE id=?", rows))

    def count_reports(self) -> int:
        with self._lock:
            return self._conn.execute("SELECT count(*) FROM reports").fetchone()[0]

    def report_ids(self, ids: list[str]) -> set[str]:
        """Which of these ids are already stored (one indexed lookup per id, batched)."""
        out: set[str] = set()
        with self._lock:
            for i in range(0, len(ids), 500):
                chunk = ids[i : i + 500]
                q = "SELECT id FROM reports WHERE id IN (%s)" % ",".join("?" * len(chunk))
                out.update(r[0] for r in self._conn.execute(q, chunk))
        return out

    def event_reports(self, event_id: str, *, limit: int = 100, offset: int = 0,
                      with_text: bool = False) -> list[dict[str, Any]]:
        cols = ("id, source, url, published_at, lang, info_type, relevance, hazard, needs,"
                " places, duplicate_of" + (", text" if with_text else ""))
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {cols} FROM reports WHERE event_id=? ORDER BY published_at, id"
                " LIMIT ? OFFSET ?",
                (event_id, limit, offset),
            ).fetchall()
        out = []
        for row in rows:
            d = {
                "id": row[0], "source": row[1], "url": row[2], "published_at": row[3],
                "lang": row[4], "info_type": row[5], "relevance": row[6], "hazard": row[7],
                "needs": json.loads(row[8] or "[]"), "places": json.loads(row[9] or "[]"),
                "duplicate_of": row[10],
            }
            if with_text:
                d["text"] = row[11]
            out.append(d)
        return out

    def event_timeline(self, event_id: str, bucket_seconds: int = 3600) -> list[dict[str, Any]]:
        """Report counts per time bucket, for the event page's small chart."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT CAST(strftime('%s', published_at) AS INTEGER) / ? * ? AS b, count(*)"
                " FROM reports WHERE event_id=? GROUP BY b ORDER BY b",
                (bucket_seconds, bucket_seconds, event_id),
            ).fetchall()
        return [{"t": datetime.fromtimestamp(b).astimezone().isoformat(), "count": c}
                for b, c in rows if b is not None]

    def expire_text(self, before: datetime) -> int:
        return self._tx(lambda: self._conn.execute(
            "UPDATE reports SET text=NULL WHERE received_at < ? AND text IS NOT NULL",
            (before.isoformat(),)).rowcount)

    # -- events -------------------------------------------------------------------------
    def upsert_events(self, events: list[Event]) -> None:
        if not events:
            return
        rows = []
        for e in events:
            bb = e.bbox or (None, None, None, None)
            rows.append((
                e.id, e.status.value, e.first_seen.isoformat(), e.last_seen.isoformat(),
                e.updated_at.isoformat(), e.hazard, e.tier.value, e.severity, e.report_count,
                bb[0], bb[1], bb[2], bb[3], e.merged_into, _j(e.to_dict()),
            ))
        self._tx(lambda: self._conn.executemany(
            "INSERT INTO events (id, status, first_seen, last_seen, updated_at, hazard, tier,"
            " severity, report_count, min_lon, min_lat, max_lon, max_lat, merged_into, body)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET"
            " status=excluded.status, first_seen=excluded.first_seen,"
            " last_seen=excluded.last_seen, updated_at=excluded.updated_at,"
            " hazard=excluded.hazard, tier=excluded.tier, severity=excluded.severity,"
            " report_count=excluded.report_count, min_lon=excluded.min_lon,"
            " min_lat=excluded.min_lat, max_lon=excluded.max_lon, max_lat=excluded.max_lat,"
            " merged_into=excluded.merged_into, body=excluded.body",
            rows,
        ))

    def get_event(self, event_id: str) -> Event | None:
        with self._lock:
            row = self._conn.execute("SELECT body FROM events WHERE id=?", (event_id,)).fetchone()
        return event_from_dict(json.loads(row[0])) if row else None

    def list_events(self, q: EventQuery) -> tuple[list[Event], int]:
        clause, args = event_filters(q, _DIALECT)
        with self._lock:
            total = self._conn.execute(f"SELECT count(*) FROM events{clause}", args).fetchone()[0]
            rows = self._conn.execute(
                f"SELECT body FROM events{clause} ORDER BY {order_by(q)} LIMIT ? OFFSET ?",
                [*args, q.limit, q.offset]).fetchall()
        return [event_from_dict(json.loads(r[0])) for r in rows], total

    # -- sources, state, audit -------------------------------------------------------------
    def upsert_sources(self, sources: list[Source]) -> None:
        rows = [(s.name, _j(s.to_dict())) for s in sources]
        if rows:
            self._tx(lambda: self._conn.executemany(
                "INSERT INTO sources (name, body) VALUES (?, ?)"
                " ON CONFLICT(name) DO UPDATE SET body=excluded.body", rows))

    def list_sources(self) -> list[Source]:
        with self._lock:
            rows = self._conn.execute("SELECT body FROM sources ORDER BY name").fetchall()
        out = []
        for (body,) in rows:
            d = json.loads(body)
            s = Source(name=d["name"], kind=SourceKind(d["kind"]), url=d.get("url"),
                       enabled=d.get("enabled", True))
            for k in ("last_success", "last_error_at"):
                setattr(s, k, datetime.fromisoformat(d[k]) if d.get(k) else None)
            s.last_error = d.get("last_error")
            s.consecutive_failures = d.get("consecutive_failures", 0)
            s.items_total = d.get("items_total", 0)
            s.items_bad = d.get("items_bad", 0)
            s.items_per_min = d.get("items_per_min", 0.0)
            out.append(s)
        return out

    def audit(self, actor: str, action: str, target: str) -> None:
        from ..model import utcnow

        self._tx(lambda: self._conn.execute(
            "INSERT INTO audit_log (at, actor, action, target) VALUES (?,?,?,?)",
            (utcnow().isoformat(), actor, action, target)))

    def audit_entries(self, limit: int = 100) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT at, actor, action, target FROM audit_log ORDER BY id DESC LIMIT ?",
                (limit,)).fetchall()
        return [dict(zip(("at", "actor", "action", "target"), r, strict=True)) for r in rows]

    def get_state(self, key: str) -> bytes | None:
        with self._lock:
            row = self._conn.execute("SELECT value FROM state WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_state(self, key: str, value: bytes) -> None:
        self._tx(lambda: self._conn.execute(
            "INSERT INTO state (key, value) VALUES (?, ?)"
            " ON CONFLICT(key) DO UPDATE SET value=excluded.value", (key, value)))

    # -- alerts: subscriptions, alerts, API keys, dead letters (migration 2) ---------------
    # Bodies are validated by tocsin.alerts before they get here; the store keeps JSON.
    SUBS_VERSION_KEY = "alerts.subscriptions_version"

    def _bump_subs_version(self) -> None:
        """Another process (``tocsin run``) polls this to pick up CLI/API edits."""
        import secrets

        self._conn.execute(
            "INSERT INTO state (key, value) VALUES (?, ?)"
            " ON CONFLICT(key) DO UPDATE SET value=excluded.value",
            (self.SUBS_VERSION_KEY, secrets.token_bytes(8)))

    def put_subscription(self, sub_id: str, owner: str | None, created_at: str,
                         body: dict[str, Any]) -> None:
        def work():
            self._conn.execute(
                "INSERT INTO subscriptions (id, owner, created_at, body) VALUES (?,?,?,?)"
                " ON CONFLICT(id) DO UPDATE SET owner=excluded.owner, body=excluded.body",
                (sub_id, owner, created_at, _j(body)))
            self._bump_subs_version()

        self._tx(work)

    def delete_subscription(self, sub_id: str) -> bool:
        def work():
            n = self._conn.execute("DELETE FROM subscriptions WHERE id=?", (sub_id,)).rowcount
            if n:
                self._bump_subs_version()
            return n

        return self._tx(work) > 0

    def subscriptions_version(self) -> bytes | None:
        return self.get_state(self.SUBS_VERSION_KEY)

    def list_subscription_bodies(self) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT body FROM subscriptions ORDER BY created_at, id").fetchall()
        return [json.loads(r[0]) for r in rows]

    ALERT_COLUMNS = ("id", "subscription_id", "event_id", "kind", "tier", "fired_at",
                     "update_of", "update_of_fired_at", "seq", "severity", "channel", "reasons",
                     "snapshot")

    def add_alerts(self, alerts: list[dict[str, Any]] | list[tuple],
                   snapshots: dict[str, str] | None = None) -> None:
        """Idempotent on alert id: a replayed batch does not duplicate alerts.

        Takes ``Alert.to_dict()`` dicts (the event inline), or rows in ``ALERT_COLUMNS``
        order whose ``snapshot`` is a key into ``snapshots`` (key -> event JSON), so that one
        event state that fired alerts to thousands of subscribers is written once."""
        snaps = dict(snapshots or {})
        rows: list[tuple] = []
        for a in alerts:
            if isinstance(a, tuple):
                rows.append(a)
                continue
            key = f"{a['event_id']}@{a['fired_at']}#{a['id']}"
            snaps[key] = _j(a.get("event") or {})
            rows.append((a["id"], a["subscription_id"], a["event_id"], a["kind"], a["tier"],
                         a["fired_at"], a.get("update_of"), a.get("update_of_fired_at"),
                         a.get("seq", 1), a.get("severity", 0.0), a.get("channel", ""),
                         _j(a.get("reasons") or []), key))

        def work():
            if snaps:
                self._conn.executemany(
                    "INSERT OR IGNORE INTO alert_snapshots (key, body) VALUES (?,?)",
                    list(snaps.items()))
            self._conn.executemany(
                "INSERT OR IGNORE INTO alerts (%s) VALUES (%s)"
                % (", ".join(self.ALERT_COLUMNS), ",".join("?" * len(self.ALERT_COLUMNS))),
                rows)

        if rows:
            self._tx(work)

    _ALERT_COLS = ("SELECT a.id, a.update_of, a.subscription_id, a.event_id, a.kind, a.tier,"
                   " a.severity, a.fired_at, a.seq, a.update_of_fired_at, a.reasons, a.channel,"
                   " s.body FROM alerts a LEFT JOIN alert_snapshots s ON s.key = a.snapshot")
    _ALERT_KEYS = ("id", "update_of", "subscription_id", "event_id", "kind", "tier", "severity",
                   "fired_at", "seq", "update_of_fired_at", "reasons", "channel")

    @classmethod
    def _alert_row(cls, row: tuple) -> dict[str, Any]:
        """The same shape as ``Alert.to_dict()``."""
        d = dict(zip(cls._ALERT_KEYS, row[:12], strict=True))
        d["reasons"] = json.loads(d["reasons"])
        d["event"] = json.loads(row[12]) if row[12] else {}
        return d

    def get_alert(self, alert_id: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._conn.execute(self._ALERT_COLS + " WHERE a.id=?", (alert_id,)).fetchone()
        return self._alert_row(row) if row else None

    def list_alerts(self, *, subscription_ids: list[str] | None = None,
                    since: datetime | None = None, limit: int = 100,
                    offset: int = 0) -> list[dict[str, Any]]:
        """Newest first. ``subscription_ids=[]`` means none (not all)."""
        if since is not None:  # fired_at is stored in UTC ISO form: compare like with like
            if since.tzinfo is None:
                since = since.replace(tzinfo=timezone.utc)
            since = since.astimezone(timezone.utc)
        filters = alert_filters(subscription_ids, since, _DIALECT)
        if filters is None:
            return []
        clause, args = filters
        with self._lock:
            rows = self._conn.execute(
                f"{self._ALERT_COLS}{clause} ORDER BY a.fired_at DESC, a.id LIMIT ? OFFSET ?",
                [*args, limit, offset]).fetchall()
        return [self._alert_row(r) for r in rows]

    def put_api_key(self, key_id: str, name: str, scopes: list[str], hashed: str,
                    created_at: str) -> None:
        self._tx(lambda: self._conn.execute(
            "INSERT INTO api_keys (id, name, scopes, hash, created_at) VALUES (?,?,?,?,?)",
            (key_id, name, _j(scopes), hashed, created_at)))

    def get_api_key(self, key_id: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT id, name, scopes, hash, created_at, revoked_at FROM api_keys WHERE id=?",
                (key_id,)).fetchone()
        if not row:
            return None
        return {"id": row[0], "name": row[1], "scopes": json.loads(row[2]), "hash": row[3],
                "created_at": row[4], "revoked_at": row[5]}

    def list_api_keys(self) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT id, name, scopes, created_at, revoked_at FROM api_keys"
                " ORDER BY created_at").fetchall()
        return [{"id": r[0], "name": r[1], "scopes": json.loads(r[2]), "created_at": r[3],
                 "revoked_at": r[4]} for r in rows]

    def revoke_api_key(self, key_id: str, at: str) -> bool:
        return self._tx(lambda: self._conn.execute(
            "UPDATE api_keys SET revoked_at=? WHERE id=? AND revoked_at IS NULL",
            (at, key_id)).rowcount) > 0

    def add_dead_letter(self, subscription_id: str, alert_id: str, channel: str,
                        attempts: int, error: str) -> None:
        from ..model import utcnow

        self._tx(lambda: self._conn.execute(
            "INSERT INTO dead_letters (at, subscription_id, alert_id, channel, attempts, error)"
            " VALUES (?,?,?,?,?,?)",
            (utcnow().isoformat(), subscription_id, alert_id, channel, attempts, error[:1000])))

    def list_dead_letters(self, subscription_id: str | None = None,
                          limit: int = 100) -> list[dict[str, Any]]:
        q = "SELECT at, subscription_id, alert_id, channel, attempts, error FROM dead_letters"
        args: list[Any] = []
        if subscription_id:
            q += " WHERE subscription_id=?"
            args.append(subscription_id)
        with self._lock:
            rows = self._conn.execute(q + " ORDER BY id DESC LIMIT ?", [*args, limit]).fetchall()
        keys = ("at", "subscription_id", "alert_id", "channel", "attempts", "error")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def close(self) -> None:
        with self._lock:
            self._conn.close()
