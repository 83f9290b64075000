"""The ``embed`` stage (accurate mode): a multilingual sentence embedding per report.

The detector compares a new story's reports with the live events through these when words
and places do not link them: a burst of Arabic posts about an incident whose English
reports already formed an event shares no word with them, and no place either when the
geoparser resolved none. Only reports that can shape an event are embedded (originals the
classifier did not judge irrelevant, with some text): copies follow their original, and
irrelevant reports feed no event. The encoder is the one accurate-mode classification
uses (``shared_encoder``), so a text it already embedded costs nothing here.

The embedding lives on the report in memory only: it is never stored, exported or logged
(``Report.to_dict`` leaves it out), as it is derived from the text.
"""

from __future__ import annotations

from typing import Any

from ..model import Report


class EmbedStage:
    """Sets ``Report.embedding`` (unit float32 vector, 384 dims) where it can matter."""

    name = "embed"

    def __init__(self, encoder: Any = None) -> None:
        if encoder is None:
            from .classify.encoder import shared_encoder

            encoder = shared_encoder()
        self.encoder = encoder

    @staticmethod
    def wanted(r: Report) -> bool:
        return r.duplicate_of is None and r.relevant is not False and bool(r.tokens)

    def enrich(self, batch: list[Report]) -> list[Report]:
        rows = [r for r in batch if self.wanted(r)]
        if rows:
            vecs = self.encoder.encode([r.text for r in rows])
            for r, v in zip(rows, vecs, strict=True):
                r.embedding = v
        return batch
