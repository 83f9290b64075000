"""Configuration: a TOML file, environment overrides, and defaults that work with no file.

``tocsin run`` with no config monitors a default list of real public feeds and keeps its
database under ``./var`` (or ``$TOCSIN_HOME``).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_FEEDS: list[dict[str, Any]] = [
    {"kind": "feed", "name": "GDACS", "url": "https://www.gdacs.org/xml/rss.xml"},
    {"kind": "feed", "name": "USGS significant earthquakes",
     "url": "https://earthquake.usgs.gov/earthquakes/feed/v1.0/summary/significant_week.atom"},
    {"kind": "feed", "name": "ReliefWeb updates", "url": "https://reliefweb.int/updates/rss.xml"},
    {"kind": "feed", "name": "UN News",
     "url": "https://news.un.org/feed/subscribe/en/news/all/rss.xml"},
]


class ConfigError(ValueError):
    pass


@dataclass(slots=True)
class Config:
    home: Path = field(default_factory=lambda: Path(os.environ.get("TOCSIN_HOME", "var")))
    db: Path | None = None  # default: home / "tocsin.db"
    database_url: str | None = None  # postgresql://... to use PostgreSQL instead of SQLite
    host: str = "127.0.0.1"
    port: int = 8040
    mode: str = "fast"  # fast | accurate
    sources: list[dict[str, Any]] = field(default_factory=lambda: [dict(s) for s in DEFAULT_FEEDS])
    feed_interval: float = 300.0
    batch_size: int = 512
    queue_batches: int = 16  # bounded ingest queue, in batches: back-pressure, not memory
    text_retention_days: float = 30.0
    public_read: bool = True
    log_level: str = "info"
    #: detector options (``[detector]``: names and defaults in ``tocsin.detect.config``);
    #: checked when the config is read
    detector: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def db_path(self) -> Path:
        return self.db or (self.home / "tocsin.db")

    @property
    def secret_path(self) -> Path:
        return self.db_path.with_name(self.db_path.name + ".secret")


def load_config(path: str | Path | None = None) -> Config:
    cfg = Config()
    if path is not None:
        p = Path(path)
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except OSError as e:
            raise ConfigError(f"cannot read config {p}: {e.strerror or e}") from e
        except tomllib.TOMLDecodeError as e:
            raise ConfigError(f"config {p} is not valid TOML: {e}") from e
        apply_dict(cfg, data, base=p.parent)
    if os.environ.get("TOCSIN_DB"):
        cfg.db = Path(os.environ["TOCSIN_DB"])
    if os.environ.get("TOCSIN_DATABASE_URL"):
        cfg.database_url = os.environ["TOCSIN_DATABASE_URL"]
    if os.environ.get("TOCSIN_PORT"):
        cfg.port = int(os.environ["TOCSIN_PORT"])
    return cfg


def apply_dict(cfg: Config, data: dict[str, Any], base: Path = Path(".")) -> None:
    simple = {"host": str, "port": int, "mode": str, "feed_interval": float, "batch_size": int,
              "queue_batches": int, "text_retention_days": float, "public_read": bool,
              "log_level": str}
    for key, value in data.items():
        if key in simple:
            setattr(cfg, key, simple[key](value))
        elif key == "home":
            cfg.home = base / value
        elif key == "db":
            cfg.db = base / value
        elif key == "database_url":
            if not str(value).startswith(("postgresql://", "postgres://")):
                raise ConfigError("database_url must be a postgresql:// URL")
            cfg.database_url = str(value)
        elif key == "sources":
            if not isinstance(value, list) or not all(isinstance(s, dict) for s in value):
                raise ConfigError("'sources' must be a list of tables ([[sources]])")
            for s in value:
                if "kind" not in s:
                    raise ConfigError(f"source {s.get('name', '?')!r} has no 'kind'")
            cfg.sources = value
        elif key == "detector":
            cfg.detector = detector_options(value)
        else:
            cfg.extra[key] = value
    if cfg.mode not in ("fast", "accurate"):
        raise ConfigError(f"mode must be 'fast' or 'accurate', not {cfg.mode!r}")


def detector_options(value: Any) -> dict[str, Any]:
    """The ``[detector]`` table, checked against the detector's options (names, kinds)."""
    from .detect.config import DetectorConfig

    if not isinstance(value, dict):
        raise ConfigError("'detector' must be a table ([detector]) of detector options")
    try:
        checked = DetectorConfig.from_dict(dict(value))
    except ValueError as e:
        raise ConfigError(f"[detector]: {e}") from e
    return {k: getattr(checked, k) for k in value}
