"""Regression guards on the real corpora (skipped when ../shared/data is absent).

Thresholds sit a little under the figures measured when this was written (see
docs/geoparse.md), so that a regression fails while run-to-run noise cannot.
"""

from __future__ import annotations

import pytest

from tocsin.eval.geoparse import evaluate_file

from .conftest import data_file

pytestmark = pytest.mark.data

GUARDS = {
    # file: (min recall, min Acc@161 over found toponyms)
    "trnews.geo.jsonl.gz": (0.88, 0.84),
    "geowebnews.geo.jsonl.gz": (0.75, 0.89),
    "geovirus.geo.jsonl.gz": (0.87, 0.71),
}


@pytest.mark.parametrize("name", sorted(GUARDS))
def test_corpus_scores(full_gp, name):
    r = evaluate_file(data_file(name), full_gp)
    min_rec, min_acc = GUARDS[name]
    assert r["recognition"]["recall"] >= min_rec, r
    assert r["resolution"]["acc161"] >= min_acc, r
    assert r["recognition"]["precision"] >= 0.70, r
