"""Assembling a running tocsin: store, pseudonymiser, stages, detector, pipeline, API server.

``tocsin run``, ``tocsin replay`` and ``tocsin serve`` differ only in which sources they
attach and which clock drives the event lifecycle; everything else is built here, once.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import Callable
from typing import Any

import uvicorn

from .api.app import create_app
from .api.state import AppState
from .broadcast import Broadcaster
from .config import Config
from .detect.replay import pass_gc_rarely
from .pipeline import DETECTOR_STATE_KEY, Pipeline
from .privacy import Pseudonymiser, load_or_create_secret
from .sources.base import connector_class
from .store.sqlite import SQLiteStore

log = logging.getLogger("tocsin")

#: Functions called with (AppState) before the app is built: plugins add routes, hooks.
STATE_EXTENSIONS: list[Callable[[AppState], None]] = []


def open_store(cfg: Config):
    """SQLite by default; PostgreSQL when ``database_url`` is set."""
    if cfg.database_url:
        from .store.postgres import PostgresStore

        return PostgresStore(cfg.database_url)
    return SQLiteStore(cfg.db_path)


def build_detector(store, mode: str = "fast", options: dict[str, Any] | None = None):
    """The detector, carrying on from the state saved in ``store`` if any. ``options`` (the
    config's ``[detector]`` table) override the defaults — and, when the detector is
    restored, the options it was saved with (the others keep their saved values)."""
    from .detect import create_detector, restore_detector

    det = create_detector(**(options or {}))
    data = store.get_state(DETECTOR_STATE_KEY)
    if data:
        try:
            det = restore_detector(data, **(options or {}))
            log.info("detector state restored (%d active events)", len(det.active_events()))
        except Exception:
            log.exception("could not restore detector state; starting with no open events")
    return det


def build_sources(cfg: Config, pseudonymiser: Pseudonymiser) -> list[Any]:
    out = []
    for spec in cfg.sources:
        spec = dict(spec)
        kind = spec.pop("kind")
        cls = connector_class(kind)
        if kind == "feed":
            spec.setdefault("interval", cfg.feed_interval)
            out.append(cls(spec.pop("url"), **spec))
        else:
            out.append(cls(**spec, pseudonymiser=pseudonymiser))
    return out


def load_models(state: AppState) -> None:
    """Load the enrichment models and the detector into the state's pipeline.

    This is the slow part of start-up (the gazetteer, and on a new machine its one-off
    build), so ``serve_forever`` runs it in a thread while the API already answers.
    """
    from .enrich.chain import default_stages

    pipeline = state.pipeline
    if pipeline is None or pipeline.ready:
        return
    stages = default_stages(state.cfg.mode)
    pipeline.stages = list(stages)
    pipeline.restore_dedup_window()
    pipeline.detector = build_detector(state.store, state.cfg.mode, state.cfg.detector)
    # The gazetteer and models are a large, long-lived heap: keep them out of every
    # future garbage collection instead of rescanning them each time. Then let the cycle
    # collector pass rarely: reports die by reference counting, and at Python's default
    # threshold it ran every ~700 allocations (measured on `tocsin replay` of crisismmd:
    # CPU 12.9 -> 11.9 s, peak RSS 653 -> 633 MB; docs/pipeline.md).
    gc.collect()
    gc.freeze()
    pass_gc_rarely()


def build_state(cfg: Config, *, ingest: bool, clock: str = "wall",
                defer_models: bool = False) -> AppState:
    store = open_store(cfg)
    pseudonymiser = Pseudonymiser(load_or_create_secret(cfg.secret_path))
    broadcaster = Broadcaster()
    state = AppState(cfg=cfg, store=store, broadcaster=broadcaster, pseudonymiser=pseudonymiser)
    if ingest:
        state.pipeline = Pipeline(cfg, store, [], None, broadcaster=broadcaster, clock=clock)
        if not defer_models:
            load_models(state)
    from .alerts.service import attach as attach_alerts

    attach_alerts(state)  # subscriptions, alert hook, API keys and export routes
    for ext in STATE_EXTENSIONS:
        ext(state)
    return state


async def serve_forever(state: AppState, *, stop_when_sources_done: bool = False,
                        keep_serving: bool = False) -> int:
    """Run the pipeline (if any) and the API until a signal, or until a replay ends."""
    cfg = state.cfg
    app = create_app(state)
    server = uvicorn.Server(uvicorn.Config(app, host=cfg.host, port=cfg.port,
                                           log_level="warning", lifespan="off"))
    server.install_signal_handlers = lambda: None  # we own the signals
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()

    def on_signal(signame: str) -> None:
        log.warning("%s received: flushing in-flight reports and stopping", signame)
        stop.set()
        if state.pipeline is not None:
            state.pipeline.stop()

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, on_signal, sig.name)
    server_task = asyncio.create_task(server.serve(), name="api")
    alerts = state.extras.get("alerts")
    if alerts is not None:
        await alerts.start()  # delivery workers live on this loop
    try:
        if state.pipeline is not None:
            if not state.pipeline.ready:
                log.info("loading models and gazetteer (the API already answers)")
                from .enrich.classify.encoder import EncoderUnavailable

                try:
                    await asyncio.to_thread(load_models, state)
                except (OSError, ValueError, EncoderUnavailable) as e:
                    # (accurate mode without the optional encoder: said at start-up, in one
                    # line, not at the first batch)
                    log.error("cannot start the pipeline: %s", e)
                    return 1
            await state.pipeline.run(stop_when_sources_done=stop_when_sources_done)
            if keep_serving and not stop.is_set():
                log.warning("replay finished; still serving on http://%s:%d (Ctrl-C stops)",
                            cfg.host, cfg.port)
                await stop.wait()
        else:
            await stop.wait()
    finally:
        if alerts is not None:
            await alerts.stop()  # drain queued deliveries (bounded), save trigger state
        server.should_exit = True
        await server_task
        state.store.close()
    return 0
