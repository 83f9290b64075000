"""Recorded streams from files: JSON-lines or CSV, plain or gzip, replayed at a speed factor.

``--speed 0`` replays as fast as the pipeline takes it; ``--speed X`` keeps the recorded
gaps between items divided by X (so 60 replays an hour in a minute). Reading is lazy and line
by line: a 10 GB file costs no more memory than a small one.
"""

from __future__ import annotations

import asyncio
import csv
import gzip
import io
import json
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

from ..model import Report, SourceKind
from ..privacy import Pseudonymiser
from .health import SourceHealth
from .records import NOT_PARSED, BadInput, fast_loads, report_from_dict

#: A line longer than this is not a post; it is skipped and counted rather than parsed.
MAX_LINE_BYTES = 1_000_000


class FileUnreadable(Exception):
    """The file cannot be read at all (missing, permissions, not gzip...): a CLI error."""


def _open_binary(path: Path):
    try:
        f = open(path, "rb")  # noqa: SIM115 - handed to the caller
    except OSError as e:
        raise FileUnreadable(f"cannot open {path}: {e.strerror or e}") from e
    magic = f.read(2)
    f.seek(0)
    if magic == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=f)
    return f


def _is_csv(path: Path) -> bool:
    name = path.name.lower()
    return name.endswith(".csv") or name.endswith(".csv.gz")


def iter_items(path: str | Path, health: SourceHealth) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line number, object)``; bad lines are counted in ``health`` and skipped."""
    path = Path(path)
    f = _open_binary(path)
    try:
        if _is_csv(path):
            yield from _iter_csv(path, f, health)
            return
        lineno = 0
        while True:
            try:
                raw = f.readline(MAX_LINE_BYTES + 1)
            except (OSError, EOFError, gzip.BadGzipFile) as e:
                if lineno == 0:
                    raise FileUnreadable(f"cannot read {path}: {e}") from e
                health.bad(f"{path}:{lineno + 1}", f"file is corrupt from here on: {e}")
                return
            if not raw:
                return
            lineno += 1
            if len(raw) > MAX_LINE_BYTES:
                # consume the rest of the oversized line
                while raw and not raw.endswith(b"\n"):
                    raw = f.readline(MAX_LINE_BYTES)
                health.bad(f"{path}:{lineno}", f"line longer than {MAX_LINE_BYTES} bytes")
                continue
            if not raw.strip():
                continue
            obj = fast_loads(raw)  # the same object json gives, or NOT_PARSED
            if obj is NOT_PARSED:
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError as e:
                    health.bad(f"{path}:{lineno}", f"not UTF-8 ({e.reason} at byte {e.start})")
                    continue
                try:
                    obj = json.loads(text)
                except json.JSONDecodeError as e:
                    health.bad(f"{path}:{lineno}", f"not JSON ({e.msg} at column {e.colno})")
                    continue
            if not isinstance(obj, dict):
                health.bad(f"{path}:{lineno}", "not a JSON object")
                continue
            yield lineno, obj
    finally:
        f.close()


def _iter_csv(path: Path, f, health: SourceHealth) -> Iterator[tuple[int, dict[str, Any]]]:
    text = io.TextIOWrapper(f, encoding="utf-8", errors="strict", newline="")
    reader = csv.DictReader(text)
    lineno = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError as e:
            health.bad(f"{path}:{lineno + 1}", f"not UTF-8 ({e.reason}); rest of file skipped")
            return
        except csv.Error as e:
            health.bad(f"{path}:{reader.line_num}", f"bad CSV ({e})")
            continue
        lineno = reader.line_num
        yield lineno, {k: v for k, v in row.items() if k is not None and v not in (None, "")}


def iter_reports(
    path: str | Path,
    health: SourceHealth,
    pseudonymiser: Pseudonymiser | None,
) -> Iterator[tuple[int, Report]]:
    """Items of a file as Reports, with bad ones counted and skipped."""
    for lineno, obj in iter_items(path, health):
        try:
            report, unknown = report_from_dict(obj, source=health.name, pseudonymiser=pseudonymiser)
        except BadInput as e:
            health.bad(f"{path}:{lineno}", str(e))
            continue
        if report.truncated:
            health.bad(f"{path}:{lineno}", "text over the cap, truncated and flagged (kept)")
            health.source.items_bad -= 1  # kept, so only logged
        if unknown:
            health.unknown_fields += 1
        health.item()
        yield lineno, report


class JsonLinesSource:
    """Replays a recorded stream file (JSON-lines or CSV, plain or gzip)."""

    def __init__(
        self,
        path: str | Path,
        *,
        name: str | None = None,
        speed: float = 0.0,
        batch_size: int = 512,
        pseudonymiser: Pseudonymiser | None = None,
    ):
        self.path = Path(path)
        self.speed = speed
        self.batch_size = batch_size
        self.pseudonymiser = pseudonymiser
        self.health = SourceHealth(name or f"file:{self.path.name}", SourceKind.FILE, str(self.path))
        self.done = False

    def check(self) -> None:
        """Fail early, with a clear message, when the file cannot be read at all."""
        f = _open_binary(self.path)
        try:
            f.read(1)
        except (OSError, EOFError, gzip.BadGzipFile) as e:
            raise FileUnreadable(f"cannot read {self.path}: {e}") from e
        finally:
            f.close()

    async def batches(self) -> AsyncIterator[list[Report]]:
        batch: list[Report] = []
        first_stream_t: float | None = None
        wall_start = time.monotonic()
        for _lineno, report in iter_reports(self.path, self.health, self.pseudonymiser):
            if self.speed > 0:
                t = report.published_at.timestamp()
                if first_stream_t is None:
                    first_stream_t = t
                due = wall_start + (t - first_stream_t) / self.speed
                delay = due - time.monotonic()
                if delay > 0.005:
                    if batch:
                        yield batch
                        batch = []
                    await asyncio.sleep(delay)
            batch.append(report)
            if len(batch) >= self.batch_size:
                yield batch
                batch = []
                await asyncio.sleep(0)  # let the API and other sources breathe
        if batch:
            yield batch
        self.health.success()
        self.done = True
