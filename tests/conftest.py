"""Shared fixtures. Helper functions live in ``tests/support`` (importable as ``support``)."""

from __future__ import annotations

import pytest

from support.services import free_port


@pytest.fixture
def port() -> int:
    return free_port()
