"""``tocsin run``, ``tocsin replay`` and ``tocsin serve``: the main job and its variants."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from ..sources.files import FileUnreadable, JsonLinesSource
from ._common import fail, load_cli_config, setup_logging, stderr

ConfigOpt = Annotated[Path | None, typer.Option("--config", "-c", help="TOML config file")]
DbOpt = Annotated[Path | None, typer.Option("--db", help="SQLite database file (default var/tocsin.db)")]
PortOpt = Annotated[int | None, typer.Option("--port", help="API port (default 8040)")]
HostOpt = Annotated[str | None, typer.Option("--host", help="API address (default 127.0.0.1)")]


def _build(cfg, **kw):
    """Build the running state, turning set-up problems into one clear line."""
    from ..runtime import build_state

    try:
        return build_state(cfg, **kw)
    except (OSError, ValueError) as e:
        fail(f"cannot start: {e}")


def register(app: typer.Typer, eval_app: typer.Typer) -> None:
    @app.command()
    def run(config: ConfigOpt = None, db: DbOpt = None, port: PortOpt = None,
            host: HostOpt = None) -> None:
        """The main job: live sources → pipeline → store, serving the API and dashboard."""
        from ..runtime import build_sources, serve_forever

        cfg = load_cli_config(config, db, port, host)
        setup_logging(cfg.log_level)
        state = _build(cfg, ingest=True, clock="wall", defer_models=True)
        try:
            for src in build_sources(cfg, state.pseudonymiser):
                state.pipeline.add_source(src)
        except (ValueError, TypeError, FileUnreadable) as e:
            fail(f"bad source configuration: {e}")
        stderr.print(f"tocsin: watching {len(state.pipeline.sources)} sources; "
                     f"API and dashboard on http://{cfg.host}:{cfg.port}/  (db {cfg.db_path})")
        raise SystemExit(asyncio.run(serve_forever(state)))

    @app.command()
    def replay(
        file: Annotated[Path, typer.Argument(help="recorded stream: JSON-lines or CSV, plain or .gz")],
        speed: Annotated[float, typer.Option(help="time factor; 0 = as fast as possible")] = 0.0,
        config: ConfigOpt = None, db: DbOpt = None, port: PortOpt = None, host: HostOpt = None,
        keep_serving: Annotated[bool, typer.Option(
            "--keep-serving/--exit", help="keep the API up after the replay ends")] = False,
    ) -> None:
        """The main job fed from a recorded stream (stores reports and events, serves the API)."""
        from ..runtime import serve_forever

        cfg = load_cli_config(config, db, port, host)
        setup_logging(cfg.log_level)
        src = JsonLinesSource(file, speed=speed, batch_size=cfg.batch_size)
        try:
            src.check()
        except FileUnreadable as e:
            fail(str(e))
        state = _build(cfg, ingest=True, clock="stream", defer_models=True)
        src.pseudonymiser = state.pseudonymiser
        state.pipeline.add_source(src)
        stderr.print(f"tocsin: replaying {file} (speed {speed or 'max'}); "
                     f"API on http://{cfg.host}:{cfg.port}/  (db {cfg.db_path})")
        code = asyncio.run(serve_forever(state, stop_when_sources_done=True,
                                         keep_serving=keep_serving))
        st = state.pipeline.stats
        h = src.health
        stderr.print(f"tocsin: {h.source.items_total} items read, {h.source.items_bad} bad "
                     f"skipped, {st.processed} stored, {st.already_stored} already stored, "
                     f"{st.assigned} assigned to events")
        raise SystemExit(code)

    @app.command()
    def serve(config: ConfigOpt = None, db: DbOpt = None, port: PortOpt = None,
              host: HostOpt = None) -> None:
        """Serve the API and dashboard over an existing database, without ingesting."""
        from ..runtime import serve_forever

        cfg = load_cli_config(config, db, port, host)
        setup_logging(cfg.log_level)
        if not cfg.db_path.exists():
            fail(f"no database at {cfg.db_path} (run `tocsin run` or `tocsin replay` first)")
        state = _build(cfg, ingest=False)
        stderr.print(f"tocsin: serving {cfg.db_path} on http://{cfg.host}:{cfg.port}/")
        raise SystemExit(asyncio.run(serve_forever(state)))
