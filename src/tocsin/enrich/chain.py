"""The enrichment chain: the stages every report passes before detection, in order.

Each stage is a plain object with ``enrich(batch) -> batch``; the embedded runner, the CLI
commands and the tests all build their chain here so that they run the same code.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from ..model import Report
from .dedup import DedupStage
from .language import LanguageStage
from .text import TextStage


class Stage(Protocol):
    name: str

    def enrich(self, batch: list[Report]) -> list[Report]: ...


def default_stages(mode: str = "fast", *, classify: bool = True, geoparse: bool = True,
                   embed: bool | None = None) -> list[Stage]:
    """Text, language, dedup, then classification and geoparsing (loaded once, shipped
    models); sentence embeddings last where ``embed`` (default: in accurate mode)."""
    stages: list[Stage] = [TextStage(), LanguageStage(), DedupStage()]
    if classify:
        from .classify import Classifier, ClassifyStage

        stages.append(ClassifyStage(Classifier.load(mode=mode)))
    if geoparse:
        from .geoparse import Geoparser, GeoparseStage

        stages.append(GeoparseStage(Geoparser.load()))
    if mode == "accurate" if embed is None else embed:
        stages.append(embed_stage())
    return stages


def embed_stage() -> Stage:
    """Accurate mode's last stage: sentence embeddings for the detector (``embed.py``);
    raises ``EncoderUnavailable`` where the optional encoder is not installed."""
    from .embed import EmbedStage

    return EmbedStage()  # (its default encoder is the shared one)


def run_stages(stages: Sequence[Stage], batch: list[Report]) -> list[Report]:
    for stage in stages:
        batch = stage.enrich(batch)
    return batch
