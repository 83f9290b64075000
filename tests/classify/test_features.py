"""The batch featurizer: a text's features do not depend on its batch neighbours."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tocsin.enrich.classify.features import FeatureConfig, Featurizer

FZ = Featurizer(FeatureConfig(bits=14))


def rows(texts: list[str]) -> list[dict[int, float]]:
    m = FZ.transform(texts).matrix().tocsr()
    out = []
    for i in range(m.shape[0]):
        r = m.getrow(i)
        out.append({int(c): round(float(v), 5) for c, v in zip(r.indices, r.data, strict=True)
                    if abs(v) > 1e-9})
    return out


def test_shapes_and_concepts() -> None:
    b = FZ.transform(["flood in town", "", "Обстріл лікарні"])
    assert all(x.shape == (3, FZ.n_features) for x in b.blocks)
    cm = b.concept_matrix(FZ.n_concepts)
    assert cm[0].sum() >= 1 and cm[1].sum() == 0 and cm[2].sum() >= 2
    assert b.latin[0] == 1.0 and b.latin[2] == 0.0


def test_urls_and_mentions_do_not_change_features() -> None:
    a, b = rows(["RT @someone: bridge collapsed https://t.co/xyz", "RT: bridge collapsed"])
    assert a == b


def test_word_weight_changes_values() -> None:
    z = Featurizer(FeatureConfig(bits=14, word_weight=3.0))
    assert z.transform(["storm"]).blocks[-2].data.max() > FZ.transform(["storm"]).blocks[-2].data.max()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=80), min_size=1, max_size=5))
def test_batch_independence(texts: list[str]) -> None:
    together = rows(texts)
    alone = [rows([t])[0] for t in texts]
    assert together == alone


def test_deterministic() -> None:
    a = FZ.transform(["same text twice"]).matrix()
    b = Featurizer(FeatureConfig(bits=14)).transform(["same text twice"]).matrix()
    assert np.array_equal(a.toarray(), b.toarray())
