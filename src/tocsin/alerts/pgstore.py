"""The alert tables and methods for the PostgreSQL store, kept beside the alerts code.

``store/postgres.py`` adopts them with two lines::

    PG_MIGRATIONS.append(PG_ALERT_MIGRATION)
    class PostgresStore(PostgresAlertMethods): ...

Same shapes and semantics as the SQLite methods (see ``store/sqlite.py``); the tests run both.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from typing import Any

from ..store.query import PostgresDialect, alert_filters

PG_ALERT_MIGRATION: list[str] = [
    """CREATE TABLE subscriptions (id TEXT PRIMARY KEY, owner TEXT,
        created_at TIMESTAMPTZ NOT NULL, body JSONB NOT NULL)""",
    "CREATE INDEX subscriptions_owner ON subscriptions(owner)",
    """CREATE TABLE alerts (id TEXT PRIMARY KEY, subscription_id TEXT NOT NULL,
        event_id TEXT NOT NULL, kind TEXT NOT NULL, tier TEXT NOT NULL,
        fired_at TIMESTAMPTZ NOT NULL, update_of TEXT, update_of_fired_at TIMESTAMPTZ,
        seq INTEGER NOT NULL, severity DOUBLE PRECISION NOT NULL, channel TEXT NOT NULL,
        reasons JSONB NOT NULL, snapshot TEXT)""",
    "CREATE INDEX alerts_sub_time ON alerts(subscription_id, fired_at)",
    "CREATE INDEX alerts_time ON alerts(fired_at)",
    "CREATE TABLE alert_snapshots (key TEXT PRIMARY KEY, body JSONB NOT NULL)",
    """CREATE TABLE api_keys (id TEXT PRIMARY KEY, name TEXT NOT NULL, scopes JSONB NOT NULL,
        hash TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL, revoked_at TIMESTAMPTZ)""",
    """CREATE TABLE dead_letters (id BIGSERIAL PRIMARY KEY, at TIMESTAMPTZ NOT NULL,
        subscription_id TEXT NOT NULL, alert_id TEXT NOT NULL, channel TEXT NOT NULL,
        attempts INTEGER NOT NULL, error TEXT NOT NULL)""",
    "CREATE INDEX dead_letters_sub ON dead_letters(subscription_id, id)",
]

SUBS_VERSION_KEY = "alerts.subscriptions_version"
ALERT_COLUMNS = ("id", "subscription_id", "event_id", "kind", "tier", "fired_at", "update_of",
                 "update_of_fired_at", "seq", "severity", "channel", "reasons", "snapshot")
_ALERT_KEYS = ALERT_COLUMNS[:-1]


def _j(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


def _iso(v: Any) -> Any:
    return v.isoformat() if isinstance(v, datetime) else v


class PostgresAlertMethods:
    """Mixin for ``PostgresStore`` (which provides ``_conn``, ``_lock``, ``get_state``)."""

    _conn: Any
    _lock: Any
    ALERT_COLUMNS = ALERT_COLUMNS
    SUBS_VERSION_KEY = SUBS_VERSION_KEY

    def _bump_subs_version(self) -> None:
        self._conn.execute(
            "INSERT INTO state (key, value) VALUES (%s, %s) ON CONFLICT (key)"
            " DO UPDATE SET value=EXCLUDED.value", (SUBS_VERSION_KEY, secrets.token_bytes(8)))

    def put_subscription(self, sub_id: str, owner: str | None, created_at: str,
                         body: dict[str, Any]) -> None:
        with self._lock, self._conn.transaction():
            self._conn.execute(
                "INSERT INTO subscriptions (id, owner, created_at, body) VALUES (%s,%s,%s,%s)"
                " ON CONFLICT (id) DO UPDATE SET owner=EXCLUDED.owner, body=EXCLUDED.body",
                (sub_id, owner, created_at, _j(body)))
            self._bump_subs_version()

    def delete_subscription(self, sub_id: str) -> bool:
        with self._lock, self._conn.transaction():
            n = self._conn.execute("DELETE FROM subscriptions WHERE id=%s", (sub_id,)).rowcount
            if n:
                self._bump_subs_version()
        return n > 0

    def subscriptions_version(self) -> bytes | None:
        return self.get_state(SUBS_VERSION_KEY)  # type: ignore[attr-defined]

    def list_subscription_bodies(self) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT body FROM subscriptions ORDER BY created_at, id").fetchall()
        return [r[0] for r in rows]

    def add_alerts(self, alerts: list[dict[str, Any]] | list[tuple],
                   snapshots: dict[str, str] | None = None) -> None:
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
        if not rows:
            return
        with self._lock, self._conn.transaction(), self._conn.cursor() as cur:
            if snaps:
                cur.executemany("INSERT INTO alert_snapshots (key, body) VALUES (%s, %s)"
                                " ON CONFLICT (key) DO NOTHING", list(snaps.items()))
            cur.executemany(
                "INSERT INTO alerts (%s) VALUES (%s) ON CONFLICT (id) DO NOTHING"
                % (", ".join(ALERT_COLUMNS), ",".join(["%s"] * len(ALERT_COLUMNS))), rows)

    _SELECT = ("SELECT " + ", ".join(f"a.{c}" for c in _ALERT_KEYS) + ", s.body FROM alerts a"
               " LEFT JOIN alert_snapshots s ON s.key = a.snapshot")

    @staticmethod
    def _alert_row(row: tuple) -> dict[str, Any]:
        d = dict(zip(_ALERT_KEYS, row[:12], strict=True))
        d["fired_at"] = _iso(d["fired_at"])
        d["update_of_fired_at"] = _iso(d["update_of_fired_at"])
        d["event"] = row[12] or {}
        return d

    def get_alert(self, alert_id: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._conn.execute(self._SELECT + " WHERE a.id=%s", (alert_id,)).fetchone()
        return self._alert_row(row) if row else None

    def list_alerts(self, *, subscription_ids: list[str] | None = None,
                    since: datetime | None = None, limit: int = 100,
                    offset: int = 0) -> list[dict[str, Any]]:
        filters = alert_filters(subscription_ids, since, PostgresDialect())
        if filters is None:
            return []
        clause, args = filters
        with self._lock:
            rows = self._conn.execute(
                f"{self._SELECT}{clause} ORDER BY a.fired_at DESC, a.id LIMIT %s OFFSET %s",
                [*args, limit, offset]).fetchall()
        return [self._alert_row(r) for r in rows]

    def put_api_key(self, key_id: str, name: str, scopes: list[str], hashed: str,
                    created_at: str) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT INTO api_keys (id, name, scopes, hash, created_at)"
                " VALUES (%s,%s,%s,%s,%s)", (key_id, name, _j(scopes), hashed, created_at))

    def get_api_key(self, key_id: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT id, name, scopes, hash, created_at, revoked_at FROM api_keys"
                " WHERE id=%s", (key_id,)).fetchone()
        if not row:
            return None
        return {"id": row[0], "name": row[1], "scopes": row[2], "hash": row[3],
                "created_at": _iso(row[4]), "revoked_at": _iso(row[5])}

    def list_api_keys(self) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT id, name, scopes, created_at, revoked_at FROM api_keys"
                " ORDER BY created_at").fetchall()
        return [{"id": r[0], "name": r[1], "scopes": r[2], "created_at": _iso(r[3]),
                 "revoked_at": _iso(r[4])} for r in rows]

    def revoke_api_key(self, key_id: str, at: str) -> bool:
        with self._lock:
            return self._conn.execute(
                "UPDATE api_keys SET revoked_at=%s WHERE id=%s AND revoked_at IS NULL",
                (at, key_id)).rowcount > 0

    def add_dead_letter(self, subscription_id: str, alert_id: str, channel: str,
                        attempts: int, error: str) -> None:
        from ..model import utcnow

        with self._lock:
            self._conn.execute(
                "INSERT INTO dead_letters (at, subscription_id, alert_id, channel, attempts,"
                " error) VALUES (%s,%s,%s,%s,%s,%s)",
                (utcnow(), subscription_id, alert_id, channel, attempts, error[:1000]))

    def list_dead_letters(self, subscription_id: str | None = None,
                          limit: int = 100) -> list[dict[str, Any]]:
        q = ("SELECT at, subscription_id, alert_id, channel, attempts, error"
             " FROM dead_letters")
        args: list[Any] = []
        if subscription_id:
            q += " WHERE subscription_id=%s"
            args.append(subscription_id)
        with self._lock:
            rows = self._conn.execute(q + " ORDER BY id DESC LIMIT %s", [*args, limit]).fetchall()
        keys = ("at", "subscription_id", "alert_id", "channel", "attempts", "error")
        return [dict(zip(keys, (_iso(r[0]), *r[1:]), strict=True)) for r in rows]
