"""Schema migrations, applied in order; ``PRAGMA user_version`` records how far a file is.

Never edit a migration that has shipped: append a new one. Each is a list of statements so
that SQLite and PostgreSQL dialect differences stay visible in one place.
"""

from __future__ import annotations

SQLITE_MIGRATIONS: list[list[str]] = [
    # 1: reports, events, sources, state, audit log
    [
        """CREATE TABLE reports (
            id TEXT PRIMARY KEY,
            source TEXT NOT NULL,
            url TEXT,
            author_key TEXT,
            published_at TEXT NOT NULL,
            received_at TEXT NOT NULL,
            text TEXT,
            lang TEXT,
            truncated INTEGER NOT NULL DEFAULT 0,
            duplicate_of TEXT,
            info_type TEXT,
            relevant INTEGER,
            relevance REAL,
            hazard TEXT,
            needs TEXT,
            places TEXT,
            location TEXT,
            info_scores TEXT,
            event_id TEXT
        )""",
        "CREATE INDEX reports_event ON reports(event_id, published_at)",
        "CREATE INDEX reports_received ON reports(received_at)",
        """CREATE TABLE events (
            id TEXT PRIMARY KEY,
            status TEXT NOT NULL,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            hazard TEXT,
            tier TEXT NOT NULL,
            severity REAL NOT NULL,
            report_count INTEGER NOT NULL,
            min_lon REAL, min_lat REAL, max_lon REAL, max_lat REAL,
            merged_into TEXT,
            body TEXT NOT NULL
        )""",
        "CREATE INDEX events_last_seen ON events(last_seen)",
        "CREATE INDEX events_severity ON events(severity)",
        "CREATE INDEX events_status ON events(status)",
        "CREATE TABLE sources (name TEXT PRIMARY KEY, body TEXT NOT NULL)",
        "CREATE TABLE state (key TEXT PRIMARY KEY, value BLOB)",
        """CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL
        )""",
    ],
    # 2: alerts — subscriptions, alerts fired (+ event snapshots), API keys (hashed),
    #    webhook dead letters
    [
        """CREATE TABLE subscriptions (
            id TEXT PRIMARY KEY,
            owner TEXT,
            created_at TEXT NOT NULL,
            body TEXT NOT NULL
        )""",
        "CREATE INDEX subscriptions_owner ON subscriptions(owner)",
        """CREATE TABLE alerts (
            id TEXT PRIMARY KEY,
            subscription_id TEXT NOT NULL,
            event_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            tier TEXT NOT NULL,
            fired_at TEXT NOT NULL,
            update_of TEXT,
            update_of_fired_at TEXT,
            seq INTEGER NOT NULL,
            severity REAL NOT NULL,
            channel TEXT NOT NULL,
            reasons TEXT NOT NULL,
            snapshot TEXT
        )""",
        "CREATE INDEX alerts_sub_time ON alerts(subscription_id, fired_at)",
        # the event as it was when alerts fired, stored once for all the alerts it caused
        "CREATE TABLE alert_snapshots (key TEXT PRIMARY KEY, body TEXT NOT NULL)",
        "CREATE INDEX alerts_time ON alerts(fired_at)",
        """CREATE TABLE api_keys (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            scopes TEXT NOT NULL,
            hash TEXT NOT NULL,
            created_at TEXT NOT NULL,
            revoked_at TEXT
        )""",
        """CREATE TABLE dead_letters (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            subscription_id TEXT NOT NULL,
            alert_id TEXT NOT NULL,
            channel TEXT NOT NULL,
            attempts INTEGER NOT NULL,
            error TEXT NOT NULL
        )""",
        "CREATE INDEX dead_letters_sub ON dead_letters(subscription_id, id)",
    ],
]
