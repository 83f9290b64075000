"""The classifier: information type, relevance, hazard and needs for batches of texts.

Two modes share one interface:
- ``fast`` (default): hashed n-grams + multilingual concepts, linear heads; > 20k texts/s.
  A model may add static word vectors distilled from the encoder (``static.py``; the shipped
  one does not: they did not help on held-out data).
- ``accurate``: the fast scores, then the multilingual e5 encoder for the texts where the
  fast path is unsure or whose language the n-grams were never trained on (Arabic, Hebrew,
  Cyrillic ...), blended with dev-tuned weights. It runs at encoder speed on those texts only.

Model files live in one folder (default: ``tocsin/models/classifier`` inside the package,
read with ``importlib.resources``) so that users can swap in a model trained on their data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np

from ...model import INFO_TYPES
from .features import FeatureConfig, Featurizer
from .linear import LinearHeads, sigmoid, softmax
from .rules import concept_hazard_hits, concept_need_hits, decide_hazards, decide_needs
from .static import STATIC_FILE, StaticVectors

FAST_FILE = "fast.npz"
CONCEPT_FILE = "concepts.npz"
ACCURATE_FILE = "accurate.npz"
META_FILE = "meta.json"
#: A doc whose letters are less than this share Latin counts as an untrained script.
MIN_LATIN = 0.5
#: Concept bonus for hazards in texts whose n-grams were not used: concepts are all we have.
UNTRAINED_HAZARD_BONUS = 6.0


@dataclass(slots=True)
class Classification:
    """The classifier's verdict on one text."""

    info_type: str
    scores: dict[str, float]
    relevant: bool
    relevance: float
    hazard: str
    needs: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "info_type": self.info_type,
            "scores": {k: round(v, 4) for k, v in self.scores.items()},
            "relevant": self.relevant,
            "relevance": round(self.relevance, 4),
            "hazard": self.hazard,
            "needs": list(self.needs),
        }


@dataclass(slots=True)
class Scored:
    """Array form of a batch's scores, before they become Classification objects."""

    info: np.ndarray  # (n, 10) calibrated probabilities in INFO_TYPES order
    relevance: np.ndarray  # (n,)
    hazard_probs: np.ndarray  # (n, len(hazard classes))
    needs_probs: np.ndarray  # (n, len(need classes))
    concepts: np.ndarray  # (n, n_concepts) 0/1
    trained_lang: np.ndarray  # (n,) bool: the n-grams were used
    native: np.ndarray  # (n,) bool: declared language is a trained one other than English


@dataclass(slots=True)
class Verdicts:
    """A batch's verdicts, one list per :class:`Classification` field (same order)."""

    info_type: list[str]
    scores: list[dict[str, float]]
    relevant: list[bool]
    relevance: list[float]
    hazard: list[str]
    needs: list[list[str]]

    def __len__(self) -> int:
        return len(self.info_type)


def default_model_dir() -> Path:
    """The shipped model folder inside the installed package."""
    return Path(str(resources.files("tocsin").joinpath("models", "classifier")))


class Classifier:
    """Load once, then call :meth:`classify` on batches."""

    def __init__(self, heads: LinearHeads, meta: dict[str, Any], mode: str = "fast",
                 accurate: Any = None, concept_heads: LinearHeads | None = None,
                 static: StaticVectors | None = None) -> None:
        if mode not in ("fast", "accurate"):
            raise ValueError(f"mode must be 'fast' or 'accurate', not {mode!r}")
        self.heads = heads
        self.concept_heads = concept_heads
        self.meta = meta
        self.mode = mode
        self.featurizer = Featurizer(FeatureConfig(**meta["features"]))
        if self.featurizer.n_features != heads.n_features:
            raise ValueError("model weights do not match its feature configuration; "
                             "the model folder is corrupt or from another version")
        if heads.n_dense and (static is None or static.n_features != heads.n_dense):
            raise ValueError(f"the model's heads need {STATIC_FILE} with {heads.n_dense} "
                             "features; the model folder is incomplete or mixed")
        self.static = static if heads.n_dense else None
        self.trained_langs = frozenset(meta["trained_langs"])
        self.info_temperature = float(meta["info_temperature"])
        self.concept_info_temperature = float(meta.get("concept_info_temperature", 1.0))
        self.info_offsets = np.asarray(meta.get("info_offsets", [0.0] * len(INFO_TYPES)))
        self.rel_platt = tuple(meta["relevance_platt"])
        self.concept_rel_platt = tuple(meta.get("concept_relevance_platt", self.rel_platt))
        self.rel_threshold = float(meta["relevance_threshold"])
        self.hazard_temperature = float(meta.get("hazard_temperature", 1.0))
        self.hazard_bonus = float(meta["hazard_bonus"])
        self.needs_thresholds = np.asarray(meta["needs_thresholds"], dtype=np.float64)
        self._accurate = accurate

    # -- loading ------------------------------------------------------------------------
    @classmethod
    def load(cls, path: str | Path | None = None, mode: str = "fast") -> Classifier:
        """Load a model folder (default: the shipped one). ``mode``: fast | accurate."""
        folder = Path(path) if path else default_model_dir()
        meta_path = folder / META_FILE
        if not meta_path.exists():
            raise FileNotFoundError(
                f"no classifier model in {folder} (missing {META_FILE}); "
                "train one with `tocsin train --data FILE --out DIR`")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        heads = LinearHeads.from_bytes((folder / FAST_FILE).read_bytes())
        cpath = folder / CONCEPT_FILE
        concept_heads = LinearHeads.from_bytes(cpath.read_bytes()) if cpath.exists() else None
        static = StaticVectors.load(folder / STATIC_FILE) if heads.n_dense else None
        accurate = None
        if mode == "accurate":
            from .accurate import AccurateHeads

            accurate = AccurateHeads.load(folder / ACCURATE_FILE)
        return cls(heads, meta, mode, accurate, concept_heads, static)

    # -- scoring ------------------------------------------------------------------------
    def score(self, texts: list[str], langs: list[str | None] | None = None) -> Scored:
        """Calibrated arrays for a batch (the fast path)."""
        batch = self.featurizer.transform(texts)
        if langs is None:
            trained = batch.latin >= MIN_LATIN
        else:
            latin_ok = (batch.latin >= MIN_LATIN).tolist()
            trained = np.array([(lang in self.trained_langs) if lang else ok
                                for lang, ok in zip(langs, latin_ok, strict=True)], dtype=bool)
        dense = None
        if self.static is not None and batch.word_docs is not None:
            dense = self.static.pool(batch.word_docs, batch.word_hashes, batch.n_docs)
        logits = self.heads.logits(batch.blocks, dense_x=dense)
        concepts = batch.concept_matrix(self.featurizer.n_concepts)
        h = self.heads.heads
        temps = np.full((len(texts), 1), self.info_temperature, dtype=np.float32)
        pa = np.full(len(texts), self.rel_platt[0], dtype=np.float32)
        pb = np.full(len(texts), self.rel_platt[1], dtype=np.float32)
        untrained = np.flatnonzero(~trained)
        if untrained.shape[0]:
            if self.concept_heads is not None:
                # n-grams of an unseen language land on buckets that mean something else:
                # use the head trained on the language-independent concepts alone
                ch = self.concept_heads
                logits[untrained] = concepts[untrained] @ ch.weights + ch.bias
                temps[untrained] = self.concept_info_temperature
                pa[untrained], pb[untrained] = self.concept_rel_platt
            else:
                logits[untrained] = self.heads.logits(
                    [b[untrained] for b in batch.blocks], np.zeros(len(untrained), bool),
                    len(batch.blocks) - 1, None if dense is None else dense[untrained])
        info = softmax(logits[:, h["info"].start:h["info"].stop] / temps)
        rel = sigmoid(pa * logits[:, h["relevance"].start] + pb)
        hz = softmax(logits[:, h["hazard"].start:h["hazard"].stop], self.hazard_temperature)
        nd = sigmoid(logits[:, h["needs"].start:h["needs"].stop])
        native = np.array([bool(lang) and lang != "en" and lang in self.trained_langs
                           for lang in (langs or [None] * len(texts))])
        return Scored(info, rel, hz, nd, concepts, trained, native)

    def decide(self, s: Scored) -> list[Classification]:
        """Turn scores into verdicts (argmax, thresholds, hazard and needs rules)."""
        return self._objects(self._verdicts(s))

    def _verdicts(self, s: Scored) -> Verdicts:
        h = self.heads.heads
        pick = np.argmax(np.log(np.clip(s.info, 1e-12, 1.0)) + self.info_offsets, axis=1)
        relevant = s.relevance >= self.rel_threshold
        hazards = decide_hazards(s.hazard_probs, h["hazard"].classes,
                                 concept_hazard_hits(s.concepts), s.relevance,
                                 np.where(s.trained_lang, self.hazard_bonus,
                                          UNTRAINED_HAZARD_BONUS), self.rel_threshold)
        needs = decide_needs(s.needs_probs, h["needs"].classes, self.needs_thresholds,
                             concept_need_hits(s.concepts), relevant)
        # whole columns at once: tolist() and map() instead of numpy scalar access per item
        # (rows of s.info have exactly one value per information type)
        scores = list(map(dict, map(zip, repeat(INFO_TYPES), s.info.tolist())))
        return Verdicts([INFO_TYPES[p] for p in pick.tolist()], scores, relevant.tolist(),
                        s.relevance.tolist(), hazards, needs)

    @staticmethod
    def _objects(v: Verdicts) -> list[Classification]:
        return list(map(Classification, v.info_type, v.scores, v.relevant, v.relevance,
                        v.hazard, v.needs))

    def classify(self, texts: list[str], langs: list[str | None] | None = None
                 ) -> list[Classification]:
        """Classify a batch. ``langs`` (ISO 639-1 or None per text) routes untrained
        languages to language-independent features; without it the script decides."""
        return self._objects(self.verdicts(texts, langs))

    def verdicts(self, texts: list[str], langs: list[str | None] | None = None) -> Verdicts:
        """What :meth:`classify` says, as one list per field (cheaper for a whole batch:
        no object per text). Every text gets its own ``scores`` dict and ``needs`` list."""
        if langs is not None and len(langs) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(langs)} languages")
        if not texts:
            return Verdicts([], [], [], [], [], [])
        texts = [t if isinstance(t, str) else "" for t in texts]
        # identical (text, language) pairs (retweets, copies) get identical verdicts: each
        # is scored once per batch (a text's features and scores do not depend on its batch
        # neighbours, up to the last bit of a BLAS product for untrained-language texts)
        keys: list[Any] = texts if langs is None else list(zip(texts, langs, strict=True))
        first = dict.fromkeys(keys)
        repeated = len(first) < len(texts)
        if repeated:
            pos = {k: i for i, k in enumerate(first)}
            where = [pos[k] for k in keys]
            texts = list(first) if langs is None else [t for t, _ in first]
            langs = None if langs is None else [lang for _, lang in first]
        s = self.score(texts, langs)
        if self.mode == "accurate" and self._accurate is not None:
            s = self._accurate.refine(texts, s)
        if repeated:
            idx = np.asarray(where, dtype=np.int64)
            s = Scored(*(np.take(getattr(s, f), idx, axis=0) for f in Scored.__slots__))
        return self._verdicts(s)
