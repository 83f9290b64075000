"""Helpers shared by the CLI modules: logging set-up, error exits, progress bars."""

from __future__ import annotations

import logging
import sys
from typing import NoReturn

from rich.console import Console
from rich.logging import RichHandler
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TransferSpeedColumn,
)

stderr = Console(stderr=True)


def setup_logging(level: str = "info") -> None:
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(message)s",
        handlers=[RichHandler(console=stderr, show_path=False, rich_tracebacks=False)],
        force=True,
    )


def load_cli_config(config=None, db=None, port=None, host=None):
    """The config file (or defaults) with the command line's overrides; errors are one line."""
    from ..config import ConfigError, load_config

    try:
        cfg = load_config(config)
    except ConfigError as e:
        fail(str(e))
    if db:
        cfg.db = db
    if port:
        cfg.port = port
    if host:
        cfg.host = host
    return cfg


def fail(message: str, code: int = 1) -> NoReturn:
    """One clear line on stderr and a non-zero exit."""
    print(f"tocsin: error: {message}", file=sys.stderr)
    raise SystemExit(code)


def progress(description: str = "reports") -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        console=stderr,
        transient=False,
        disable=not stderr.is_terminal,
    )


__all__ = ["fail", "load_cli_config", "progress", "setup_logging", "stderr", "TransferSpeedColumn"]
