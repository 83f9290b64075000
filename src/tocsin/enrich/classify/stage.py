"""The pipeline stage: classifies a batch of reports in place.

Stateless apart from the loaded model, so any runner (embedded, distributed, CLI, tests) can
call it on any batch; batches amortise the per-call cost of the vectorised fast path.
"""

from __future__ import annotations

from ...model import Report
from .classifier import Classifier


class ClassifyStage:
    """Sets ``info_type``, ``info_scores``, ``relevant``, ``relevance``, ``hazard``, ``needs``."""

    name = "classify"

    def __init__(self, classifier: Classifier | None = None) -> None:
        self.classifier = classifier or Classifier.load()

    def enrich(self, batch: list[Report]) -> list[Report]:
        if not batch:
            return batch
        results = self.classifier.classify([r.text or "" for r in batch],
                                           [r.lang for r in batch])
        for r, c in zip(batch, results, strict=True):
            r.info_type = c.info_type
            r.info_scores = c.scores
            r.relevant = c.relevant
            r.relevance = c.relevance
            r.hazard = c.hazard
            r.needs = list(c.needs)
        return batch
