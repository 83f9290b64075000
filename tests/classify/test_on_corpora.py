"""Quality floors on the shared corpora (skipped when ../shared/data is absent).

Floors sit below the measured figures (see MODEL_CARD.md) so that a regression, not noise,
fails them. Dev and held-out folds only; the bigger test-set evaluation is the CLI's job.
"""

from __future__ import annotations

import pytest

from support.services import shared_file
from tocsin.enrich.classify import Classifier
from tocsin.enrich.classify.accurate import sample
from tocsin.enrich.classify.data import load_corpus
from tocsin.eval.classify import binary_f1, macro_f1, parallel_relevance, weighted_f1

pytestmark = pytest.mark.data


@pytest.fixture(scope="module")
def clf() -> Classifier:
    return Classifier.load()


def test_humaid_dev_info_type(clf: Classifier) -> None:
    rows = sample(load_corpus(shared_file("classify/humaid.dev.jsonl.gz")), 3000)
    pred = [c.info_type for c in clf.classify([r["text"] for r in rows])]
    gold = [r["info_type"] for r in rows]
    assert macro_f1(gold, pred) >= 0.70
    assert weighted_f1(gold, pred) >= 0.73


def test_kaggle_dev_fold_relevance(clf: Classifier) -> None:
    rows = [r for r in load_corpus(shared_file("classify/kaggle_disaster.jsonl.gz"))
            if r["split"] == "dev"]
    pred = [c.relevant for c in clf.classify([r["text"] for r in rows])]
    assert binary_f1([r["relevant"] for r in rows], pred) >= 0.74


def test_disaster_response_originals_close_to_english_twins(clf: Classifier) -> None:
    rows = [r for r in load_corpus(shared_file("classify/disaster_response.jsonl.gz"))
            if r["split"] == "test"]
    res = clf.classify([r["text"] for r in rows], [r.get("lang") for r in rows])
    rep = parallel_relevance(rows, [c.to_dict() for c in res])
    assert rep is not None and rep["n_originals"] > 1000
    assert rep["gap"] <= 0.05
