"""Shared fixtures. Helper functions live in ``tests/support`` (importable as ``support``)."""

from __future__ import annotations

import uuid

import pytest

from support.services import free_port, require_service

PG_DSN = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture(params=["sqlite", "postgres"])
def any_store(request, tmp_path):
    """Each store implementation in turn: an SQLite file, then a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        from tocsin.store.sqlite import SQLiteStore

        s = SQLiteStore(tmp_path / "t.db")
        yield s
        s.close()
        return
    require_service("PostgreSQL", "127.0.0.1", 5432)
    from tocsin.store.postgres import PostgresStore

    s = PostgresStore(PG_DSN, schema=f"t_{uuid.uuid4().hex[:12]}")
    try:
        yield s
    finally:
        s.drop_schema()
        s.close()
