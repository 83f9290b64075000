"""Fixtures for the dashboard tests: real servers on loopback and Debian's Chromium.

The tests skip, saying why, when /usr/bin/chromium or the Python playwright package is
missing, unless TOCSIN_REQUIRE_SERVICES=1 (CI), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("TOCSIN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-default-apps", "--disable-extensions"]
VENV_BIN = Path(sys.executable).parent
TOCSIN = os.environ.get("TOCSIN_BIN") or (
    str(VENV_BIN / "tocsin") if (VENV_BIN / "tocsin").exists() else "tocsin")


def _missing_browser() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python 'playwright' package is not installed"
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


def pytest_collection_modifyitems(config, items):
    why = _missing_browser()
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
            # with TOCSIN_REQUIRE_SERVICES=1 a missing browser is not skipped: the browser
            # fixture then fails, loudly
            if why and os.environ.get("TOCSIN_REQUIRE_SERVICES") != "1":
                item.add_marker(pytest.mark.skip(reason=why))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A tocsin process on loopback, started and stopped by the test, with bounded waits."""

    def __init__(self, args: list[str], port: int, log: Path, env: dict | None = None,
                 db: Path | None = None):
        self.args, self.port, self.log, self.db = args, port, log, db
        self.env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> Server:
        self._logf = open(self.log, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(self.args, cwd=ROOT, env=self.env, stdout=self._logf,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}: "
                                   f"{self.log.read_text(errors='replace')[-3000:]}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server on port {self.port} not up after {timeout}s: "
                           f"{self.log.read_text(errors='replace')[-3000:]}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if getattr(self, "_logf", None):
            self._logf.close()
            self._logf = None


def devserver(db: Path, port: int, log: Path) -> Server:
    return Server([sys.executable, "-m", "tests.web.devserver", "--db", str(db),
                   "--port", str(port)], port, log, db=db)


def serve(db: Path, port: int, log: Path) -> Server:
    return Server([TOCSIN, "serve", "--db", str(db), "--port", str(port)], port, log, db=db)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class PageWatch:
    """Everything a page did that a test may want to forbid."""

    def __init__(self, page, origin: str):
        self.page = page
        self.origin = origin
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.outside: list[str] = []
        self.dialogs: list[str] = []
        page.on("console", lambda m: self.console_errors.append(m.text)
                if m.type == "error" else None)
        page.on("pageerror", lambda e: self.page_errors.append(str(e)))
        page.on("dialog", self._dialog)
        # Requests to any other host are recorded and refused: the page must work offline.
        page.context.route("**/*", self._route)

    def _dialog(self, d) -> None:
        self.dialogs.append(d.message)
        d.dismiss()

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(self.origin) or url.startswith("data:") or url.startswith("blob:"):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()


@pytest.fixture
def make_page(browser):
    contexts = []

    def make(origin: str, width: int = 1280, height: int = 800):
        ctx = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(ctx)
        page = ctx.new_page()
        page.set_default_timeout(10_000)
        return page, PageWatch(page, origin)

    yield make
    for ctx in contexts:
        ctx.close()


@pytest.fixture(scope="module")
def fixture_server(tmp_path_factory) -> Iterator[Server]:
    """The five invented incidents (one with hostile HTML), served with live publishing.

    Shared by a module's tests to keep the suite fast: tests may add keys and subscriptions
    but must leave the events as they found them.
    """
    from .fixtures import make_db

    tmp = tmp_path_factory.mktemp("web")
    db = make_db(tmp / "web.db")
    srv = devserver(db, free_port(), tmp / "server.log").start()
    yield srv
    srv.stop()
