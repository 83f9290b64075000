"""The shipped model through the public interface, on hand-written multilingual sentences."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from tocsin.enrich.classify import Classification, Classifier, ClassifyStage
from tocsin.model import HAZARDS, INFO_TYPES, NEEDS, Report

from .fixtures import CRISIS, NOT_CRISIS


@pytest.fixture(scope="module")
def clf() -> Classifier:
    return Classifier.load()


def test_interface_and_invariants(clf: Classifier) -> None:
    texts = [t for _, t, _, _ in CRISIS] + [t for _, t in NOT_CRISIS] + ["", "🙂", "x" * 30000]
    res = clf.classify(texts)
    assert len(res) == len(texts)
    for c in res:
        assert isinstance(c, Classification)
        assert c.info_type in INFO_TYPES and list(c.scores) == list(INFO_TYPES)
        assert sum(c.scores.values()) == pytest.approx(1.0, abs=1e-4)
        assert 0.0 <= c.relevance <= 1.0 and isinstance(c.relevant, bool)
        assert c.hazard in HAZARDS and set(c.needs) <= set(NEEDS)
    assert clf.classify([]) == []


def test_langs_length_must_match(clf: Classifier) -> None:
    with pytest.raises(ValueError):
        clf.classify(["a", "b"], ["en"])


def test_batch_and_single_agree(clf: Classifier) -> None:
    texts = [t for _, t, _, _ in CRISIS]
    langs = [lang for lang, _, _, _ in CRISIS]
    together = clf.classify(texts, langs)
    for i, t in enumerate(texts):
        alone = clf.classify([t], [langs[i]])[0]
        assert alone.info_type == together[i].info_type
        assert alone.scores["casualties"] == pytest.approx(together[i].scores["casualties"],
                                                           abs=1e-5)


def test_multilingual_crisis_sentences_are_handled(clf: Classifier) -> None:
    """Every language is classified as a crisis with the right hazard, not mapped to
    not_relevant: the concept features carry over where n-grams were never trained."""
    res = clf.classify([t for _, t, _, _ in CRISIS], [lang for lang, _, _, _ in CRISIS])
    wrong = []
    for (lang, text, hazard, _need), c in zip(CRISIS, res, strict=True):
        if not c.relevant or c.info_type == "not_relevant" or c.hazard != hazard:
            wrong.append((lang, text[:30], c.relevant, c.info_type, c.hazard))
    assert len(wrong) <= 1, wrong
    needs_found = sum(need in c.needs for (_, _, _, need), c in zip(CRISIS, res, strict=True))
    assert needs_found >= len(CRISIS) - 3


def test_untrained_language_without_langs_uses_script(clf: Classifier) -> None:
    ar = [t for lang, t, _, _ in CRISIS if lang == "ar"]
    assert clf.classify(ar)[0].hazard == clf.classify(ar, ["ar"] * len(ar))[0].hazard


def test_everyday_sentences_are_not_relevant(clf: Classifier) -> None:
    res = clf.classify([t for _, t in NOT_CRISIS], [lang for lang, _ in NOT_CRISIS])
    assert sum(not c.relevant for c in res) >= len(NOT_CRISIS) - 1
    assert all(c.needs == [] for c in res if not c.relevant)


def test_stage_sets_fields_in_place(clf: Classifier) -> None:
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    batch = [Report(id=str(i), source="test", text=t, published_at=now, lang=lang)
             for i, (lang, t, _, _) in enumerate(CRISIS[:4])]
    out = ClassifyStage(clf).enrich(batch)
    assert out is batch
    for r in batch:
        assert r.info_type in INFO_TYPES and r.info_scores and r.relevance is not None
        assert r.hazard in HAZARDS and isinstance(r.needs, list)
    assert ClassifyStage(clf).enrich([]) == []


def test_bad_mode_is_rejected() -> None:
    with pytest.raises(ValueError):
        Classifier.load(mode="quick")


def test_shipped_model_fits_budget_and_has_a_card() -> None:
    from tocsin.enrich.classify.classifier import default_model_dir

    folder = default_model_dir()
    total = sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
    assert total <= 25 * 1024 * 1024
    card = (folder / "MODEL_CARD.md").read_text(encoding="utf-8")
    for needed in ("CC BY-NC-SA 4.0", "CC BY 4.0", "MIT", "Kaggle", "HumAID", "CrisisNLP"):
        assert needed in card


def test_repeated_texts_are_scored_once_and_get_equal_separate_verdicts(clf: Classifier) -> None:
    texts = ["Flood waters rising, we need water and food", "lovely day",
             "Flood waters rising, we need water and food", "обстріл лікарні"]
    langs = ["en", None, "en", "uk"]
    out = clf.classify(texts, langs)
    assert out[0] == out[2] and out[0] is not out[2]
    assert out[0].scores is not out[2].scores and out[0].needs is not out[2].needs
    alone = clf.classify(texts[:2] + texts[3:], langs[:2] + langs[3:])
    assert [out[0], out[1], out[3]] == alone
    # a repeated text with another declared language is scored on its own
    other = clf.classify([texts[0], texts[0]], ["en", "ar"])
    assert other[0] == out[0]


def test_verdicts_match_classify(clf: Classifier) -> None:
    texts = ["Bridge collapsed after the earthquake", "", "cat pictures", "Bridge collapsed"]
    v = clf.verdicts(texts)
    assert len(v) == len(texts)
    objs = clf.classify(texts)
    assert [o.info_type for o in objs] == v.info_type and [o.needs for o in objs] == v.needs
    assert [o.scores for o in objs] == v.scores and [o.relevance for o in objs] == v.relevance
    assert len(clf.verdicts([])) == 0
