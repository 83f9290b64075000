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


def test_padded_weights_give_the_plain_product() -> None:
    """Scoring uses a cache-line-padded copy of the weights: same numbers, bit for bit."""
    from tocsin.enrich.classify.linear import PAD_MIN_ROWS, Head, LinearHeads

    rng = np.random.default_rng(0)
    w = rng.standard_normal((PAD_MIN_ROWS + FZ.n_features, 7)).astype(np.float32)
    heads = LinearHeads([Head("a", tuple("abcdefg"), 0, "softmax")], w, np.zeros(7))
    assert heads.weights.shape == w.shape and np.array_equal(heads.weights, w)
    fz = Featurizer(FeatureConfig(bits=14))
    b = fz.transform(["Flood in the valley, roads cut", "ok", "Обстріл лікарні 🔥"])
    blocks = [x.copy() for x in b.blocks]
    for x in blocks:
        x.resize((x.shape[0], w.shape[0]))
    expect = np.zeros((3, 7), np.float32)
    for x in blocks:
        expect += x @ w
    assert np.array_equal(heads.logits(blocks), expect)


def test_rows_count_ngrams_of_their_own_document() -> None:
    """Per order k, a document of L folded characters (with its padding spaces) has
    max(L - k + 1, 0) character n-grams: none cross or start on the separator."""
    b = Featurizer(FeatureConfig(bits=14, words=False)).transform(["ab", "", "abcdef", "\x1e"])
    lens = [4, 1, 8, 1]  # " ab ", " ", " abcdef ", " " (the separator inside a text is a space)
    for k, block in zip(range(2, 6), b.blocks[:4], strict=True):
        assert np.diff(block.indptr).tolist() == [max(n - k + 1, 0) for n in lens]
