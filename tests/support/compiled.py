"""Tests of tocsin's optional C extensions: the rule when one is missing, and the switch.

Each extension has a Python twin with identical results; its tests hold the two to that.
Where the extension was not built (no C compiler at install time) they skip, except under
``TOCSIN_REQUIRE_SERVICES=1`` (CI, whose machine has a compiler), where they fail.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from support.services import REQUIRE_SERVICES


def require_built(module: str, built: bool) -> None:
    """Skip (or, in CI, fail) unless the extension ``module`` is built and in use."""
    if built:
        return
    msg = f"{module} is not built (no C compiler at install time)"
    if REQUIRE_SERVICES:
        pytest.fail(msg + " and TOCSIN_REQUIRE_SERVICES=1")
    pytest.skip(msg)


def under_pure_python(code: str) -> str:
    """What ``python -c code`` prints with ``TOCSIN_PURE_PYTHON=1`` (every twin forced)."""
    env = {**os.environ, "TOCSIN_PURE_PYTHON": "1"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True)
    return out.stdout.strip()
