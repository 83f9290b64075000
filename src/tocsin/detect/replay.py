"""Replaying a recorded stream file through enrichment and a detector, as fast as possible.

One runner serves ``tocsin detect``, ``tocsin eval detect`` and the benchmark, so the three
measure the same code. Items travel in batches (one call per stage per batch). A line that
cannot become a report (bad JSON, missing text, unreadable time) is counted, logged with
``file:line`` and skipped: it has no id we could trust, so it gets no output line.
"""

from __future__ import annotations

import gc
import gzip
import io
import json
import logging
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xxhash

from ..enrich.chain import Stage, run_stages
from ..model import EventChange, Report, utcnow
from ..privacy import Pseudonymiser
from ..sources.records import NOT_PARSED, fast_loads, report_from_dict
from .online import OnlineDetector

log = logging.getLogger(__name__)


class StreamError(OSError):
    """The stream file cannot be read at all (missing, unreadable, not gzip)."""


def open_text(path: Path) -> io.TextIOBase:
    """Open plain or gzip JSON-lines, deciding by the magic bytes rather than the name."""
    try:
        with open(path, "rb") as f:
            magic = f.read(2)
        if magic == b"\x1f\x8b":
            return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", errors="replace")
        return open(path, encoding="utf-8", errors="replace")  # noqa: SIM115
    except OSError as e:
        raise StreamError(f"{path}: cannot read ({e.strerror or e}); check the path") from e


def open_binary(path: Path) -> io.BufferedIOBase:
    """Open plain or gzip JSON-lines as bytes (the magic bytes decide, not the name)."""
    try:
        with open(path, "rb") as f:
            magic = f.read(2)
        if magic == b"\x1f\x8b":
            return gzip.open(path, "rb")  # type: ignore[return-value]
        return open(path, "rb")  # noqa: SIM115
    except OSError as e:
        raise StreamError(f"{path}: cannot read ({e.strerror or e}); check the path") from e


def _text_lines(raw: bytes) -> list[str]:
    """A byte line as the text reader saw it: decoded leniently, split at any CR or LF."""
    text = raw.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
    parts = text.split("\n")
    if parts and parts[-1] == "":
        parts.pop()
    return parts


def available_stages(mode: str = "fast", *, classify: bool = True, geoparse: bool = True
                     ) -> tuple[list[Stage], list[str]]:
    """The default enrichment chain with every stage that can load here, and what is missing.

    Classification and geoparsing are built by other modules and ship models; a checkout
    without them still detects (on words alone), and says so instead of failing.
    """
    from ..enrich.chain import default_stages, embed_stage

    missing: list[str] = []
    stages = default_stages(mode, classify=False, geoparse=False, embed=False)
    wanted = [n for n, on in (("classify", classify), ("geoparse", geoparse)) if on]
    for name in wanted:
        try:
            extra = default_stages(mode, classify=name == "classify",
                                   geoparse=name == "geoparse", embed=False)[3:]
        except Exception as e:  # noqa: BLE001 - any failure to load means "not available"
            missing.append(f"{name} ({type(e).__name__}: {e})")
            continue
        stages.extend(extra)
    if mode == "accurate":
        try:
            stages.append(embed_stage())
        except Exception as e:  # noqa: BLE001 - as above
            missing.append(f"embed ({type(e).__name__}: {e})")
    return stages, missing


@dataclass
class ReplayResult:
    ids: list[str] = field(default_factory=list)
    clusters: list[str | None] = field(default_factory=list)
    gold: list[Any] = field(default_factory=list)
    #: the gold information type of each item, where the stream gives one (else None)
    gold_info: list[Any] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    bad: int = 0
    n_changes: int = 0
    seconds: float = 0.0
    stage_seconds: dict[str, float] = field(default_factory=dict)

    def final_events(self, detector: OnlineDetector, backfill: dict[str, str] | None = None
                     ) -> list[str | None]:
        """Event id per good item, merge pointers resolved (ids as of the end of the stream).

        ``backfill`` holds the later decisions the detector announced through
        ``drain_backfill`` (a candidate's reports that ended up in an event).
        """
        bf = backfill or {}
        return [detector.final_event(bf.get(rid, c)) for rid, c in zip(self.ids, self.clusters,
                                                                      strict=True)]


def keeps(report_id: str, share: float, seed: int) -> bool:
    """Does a thinned replay (``share`` of the items, choice ``seed``) keep this item?
    Decided by a hash of its id, so the choice does not depend on the order of the stream or
    on where it was cut into batches, and the same seed keeps the same items every time."""
    return xxhash.xxh64_intdigest(report_id.encode("utf-8"), seed) < share * 2.0**64


def iter_reports(path: Path, result: ReplayResult, batch_size: int, *,
                 thin: float = 1.0, seed: int = 0) -> Iterator[list[Report]]:
    """Batches of reports from a stream file; bad lines are counted into ``result``.

    ``thin`` < 1 keeps only that share of the items (``keeps``; the rest are never parsed
    into reports): the same stream at a lower volume, as a small deployment would see it.

    Lines are read as bytes and parsed by orjson where it gives exactly what ``json`` gives
    (``records.fast_loads``); anything else (bad UTF-8, a bare CR, non-strict JSON) takes the
    text path, which is what this reader always did: UTF-8 with replacement characters,
    universal newlines, ``json.loads``. Each batch is stamped with one ``received_at``: its
    lines are taken in one burst, and a clock read per line was a tenth of the reading cost.
    """
    pseudo = Pseudonymiser(secrets.token_bytes(32))  # per run: counts sources, reveals nothing
    source = Path(path).name.split(".")[0] or "file"
    batch: list[Report] = []
    now = utcnow()

    def bad(lineno: int, e: Exception) -> None:
        result.bad += 1
        log.warning("%s:%d: skipped: %s", path, lineno, e)

    with open_binary(path) as f:
        lineno = 0
        for raw in f:
            lineno += 1
            d = NOT_PARSED if b"\r" in raw else fast_loads(raw)
            if d is not NOT_PARSED:
                objs: Any = ((lineno, d),)
            else:  # the text reader's way, line by line as it split them
                pieces = _text_lines(raw)
                first = lineno
                lineno += len(pieces) - 1
                objs = []
                for k, piece in enumerate(pieces):
                    if not piece.strip():
                        continue
                    try:
                        objs.append((first + k, json.loads(piece)))
                    except ValueError as e:
                        bad(first + k, e)
            for n, obj in objs:
                try:
                    r = report_from_dict(obj, source=source, pseudonymiser=pseudo, now=now)[0]
                except ValueError as e:  # BadInput, or a time no datetime can hold
                    bad(n, e)
                    continue
                if thin < 1.0 and not keeps(r.id, thin, seed):
                    continue
                batch.append(r)
                if len(batch) >= batch_size:
                    yield batch
                    batch = []
                    now = utcnow()
    if batch:
        yield batch


#: the cyclic collector's first threshold during a replay (Python's default: 700)
REPLAY_GC_GEN0 = 50_000


@contextmanager
def fewer_gc_passes(gen0: int = REPLAY_GC_GEN0) -> Iterator[None]:
    """Run the block with Python's cycle collector passing rarely; thresholds restored after.

    A replay allocates a dozen container objects per report (the report, its token list,
    score dict, places...). They die by reference counting, not by the cycle collector, yet
    at the default thresholds the collector ran ~1,700 times over the humaid stream, 13 of
    them full passes over every live object: ~22 us of CPU per report, 7 % of the whole
    replay, for no memory back. At 50,000 it runs ~20 times (~1.5 us per report). Nothing
    the replay computes depends on when cycles are collected, so its output is unchanged.
    """
    old = pass_gc_rarely(gen0)
    try:
        yield
    finally:
        gc.set_threshold(*old)


def pass_gc_rarely(gen0: int = REPLAY_GC_GEN0) -> tuple[int, ...]:
    """Raise the cycle collector's first threshold to ``gen0`` (never lower it); returns
    the thresholds it had. ``fewer_gc_passes`` does this for one replay; a long-running
    pipeline (``tocsin run``/``replay``) does it for good once its models are loaded."""
    old = gc.get_threshold()
    gc.set_threshold(max(gen0, old[0]), *old[1:])
    return old


@fewer_gc_passes()
def replay(
    path: Path,
    detector: OnlineDetector,
    stages: list[Stage],
    *,
    batch_size: int = 1000,
    on_changes: Callable[[list[EventChange]], None] | None = None,
    on_batch: Callable[[int], None] | None = None,
    on_backfill: Callable[[dict[str, str]], None] | None = None,
    keep_gold: bool = False,
    thin: float = 1.0,
    seed: int = 0,
) -> ReplayResult:
    """Run the file through ``stages`` then ``detector``; returns per-item provisional ids
    (of the items kept, with ``thin`` < 1: ``iter_reports``)."""
    res = ReplayResult()
    t0 = time.perf_counter()
    for batch in iter_reports(path, res, batch_size, thin=thin, seed=seed):
        for st in stages:
            s0 = time.perf_counter()
            batch = run_stages([st], batch)
            res.stage_seconds[st.name] = res.stage_seconds.get(st.name, 0.0) \
                + time.perf_counter() - s0
        s0 = time.perf_counter()
        changes = detector.observe(batch)
        res.stage_seconds["detect"] = res.stage_seconds.get("detect", 0.0) \
            + time.perf_counter() - s0
        bf = detector.drain_backfill()
        if on_backfill is not None and bf:
            on_backfill(bf)
        res.ids.extend(r.id for r in batch)
        res.clusters.extend(detector.last_clusters)
        if keep_gold:
            res.gold.extend(r.extra.get("event") for r in batch)
            res.gold_info.extend(r.extra.get("info_type") for r in batch)
            res.times.extend(r.published_at.timestamp() for r in batch)
        res.n_changes += len(changes)
        if on_changes is not None and changes:
            on_changes(changes)
        if on_batch is not None:
            on_batch(len(batch))
    res.seconds = time.perf_counter() - t0
    return res
