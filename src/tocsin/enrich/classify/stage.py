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
        v = self.classifier.verdicts([r.text or "" for r in batch], [r.lang for r in batch])
        # fresh dicts and lists per report (see Classifier.verdicts): nothing is shared
        for r, t, sc, rel, p, hz, nd in zip(batch, v.info_type, v.scores, v.relevant,
                                            v.relevance, v.hazard, v.needs, strict=True):
            r.info_type = t
            r.info_scores = sc
            r.relevant = rel
            r.relevance = p
            r.hazard = hz
            r.needs = nd
        return batch
