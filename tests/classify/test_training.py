"""Retraining the relevance head alone (``Trainer.retrain_relevance``) on hand-written text."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from tocsin.enrich.classify import Classifier
from tocsin.enrich.classify.classifier import (
    CONCEPT_FILE,
    FAST_FILE,
    META_FILE,
    default_model_dir,
)
from tocsin.enrich.classify.linear import LinearHeads
from tocsin.enrich.classify.training import Trainer

from .fixtures import CRISIS, NOT_CRISIS


def _rows() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    items = [(t, True) for _, t, _, _ in CRISIS] + [(t, False) for _, t in NOT_CRISIS]
    for k, (text, relevant) in enumerate(items):
        for split in ("train", "dev"):
            rows.append({"id": f"t{k}{split}", "text": text, "relevant": relevant,
                         "dataset": "kaggle_disaster", "split": split})
    return rows


def test_retrain_relevance_keeps_other_heads(tmp_path: Path) -> None:
    src = default_model_dir()
    meta = Trainer(log_fn=lambda _: None).retrain_relevance(_rows(), src, tmp_path)
    for name in (FAST_FILE, CONCEPT_FILE):
        old = LinearHeads.from_bytes((src / name).read_bytes())
        new = LinearHeads.from_bytes((tmp_path / name).read_bytes())
        j = old.heads["relevance"].start
        others = [c for c in range(old.weights.shape[1]) if c != j]
        assert np.array_equal(old.weights[:, others], new.weights[:, others])
        assert np.allclose(old.bias[others], new.bias[others])
        assert not np.array_equal(old.weights[:, j], new.weights[:, j])
    saved = json.loads((tmp_path / META_FILE).read_text(encoding="utf-8"))
    assert saved["relevance_threshold"] == meta["relevance_threshold"]
    assert saved["relevance_retrained_on"] == {"kaggle_disaster": len(_rows()) // 2}
    old_meta = json.loads((src / META_FILE).read_text(encoding="utf-8"))
    for key in ("info_temperature", "info_offsets", "hazard_bonus", "needs_thresholds"):
        assert saved[key] == old_meta[key]
    out = Classifier.load(tmp_path).classify([t for _, t, _, _ in CRISIS])
    assert len(out) == len(CRISIS)
    assert sum(c.relevant for c in out) >= len(CRISIS) // 2
