"""Test helpers: free ports, loopback service checks, paths to the shared corpora."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED_DATA = REPO.parent / "shared" / "data"
REQUIRE_SERVICES = os.environ.get("TOCSIN_REQUIRE_SERVICES") == "1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def service_available(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def require_service(name: str, host: str, port: int) -> None:
    """Skip when a loopback service is absent (a laptop); fail under CI's REQUIRE flag."""
    if service_available(host, port):
        return
    msg = f"{name} is not listening on {host}:{port}"
    if REQUIRE_SERVICES:
        pytest.fail(msg + " and TOCSIN_REQUIRE_SERVICES=1")
    pytest.skip(msg + " (set TOCSIN_REQUIRE_SERVICES=1 to make this a failure)")


def shared_file(rel: str) -> Path:
    p = SHARED_DATA / rel
    if not p.exists():
        pytest.skip(f"{p} not found: the shared corpora live in ../shared/data beside the repo")
    return p
