"""Event detection: online clustering of enriched reports into crisis events.

Everyone builds the detector through :func:`create_detector`, so the implementation behind
the :class:`~tocsin.detect.base.Detector` contract can change without touching callers.
"""

from __future__ import annotations

from typing import Any

from .base import Detector
from .config import DetectorConfig
from .online import OnlineDetector

__all__ = ["Detector", "DetectorConfig", "OnlineDetector", "create_detector", "restore_detector"]


def create_detector(**config: Any) -> OnlineDetector:
    """A fresh detector; keyword options override :class:`DetectorConfig` defaults.

    Unknown options raise ``ValueError`` naming them (a typo must not silently fall back to
    a default).
    """
    return OnlineDetector(DetectorConfig.from_dict({**DetectorConfig().to_dict(), **config}))


def restore_detector(data: bytes, **overrides: Any) -> OnlineDetector:
    """A detector carrying on from ``snapshot()`` bytes; keyword options override those it
    was saved with."""
    return OnlineDetector.restore(data, **overrides)
