"""How model scores and curated concepts combine into a hazard and a needs list.

Why rules at all: the corpora label only some hazards (earthquake, flood, storm, wildfire,
disease, a little conflict) and some needs; explosions, landslides, transport accidents,
drought, evacuation and communications have no training labels. For those, a concept hit
from the multilingual term lists is the evidence. For the learnt classes, a concept hit adds
a bonus to the model's log-probability (``hazard_bonus``, tuned on dev), so an explicit
"earthquake" in the text can override an event-level prior learnt from hashtags.
"""

from __future__ import annotations

import numpy as np

from ...model import HAZARDS, NEEDS
from .terms import CONCEPTS

#: Probability given to a hazard class the model never saw, before concept evidence.
UNSEEN_HAZARD_PROB = 1e-3

HAZARD_OF_CONCEPT = np.array([HAZARDS.index(c.hazard) if c.hazard else -1 for c in CONCEPTS])
NEED_OF_CONCEPT = np.array([NEEDS.index(c.need) if c.need else -1 for c in CONCEPTS])


def concept_hazard_hits(concepts: np.ndarray) -> np.ndarray:
    """(docs x HAZARDS) 0/1 matrix from a (docs x concepts) presence matrix."""
    out = np.zeros((concepts.shape[0], len(HAZARDS)), dtype=np.float32)
    for ci, hz in enumerate(HAZARD_OF_CONCEPT):
        if hz >= 0:
            out[:, hz] = np.maximum(out[:, hz], concepts[:, ci])
    return out


def concept_need_hits(concepts: np.ndarray) -> np.ndarray:
    """(docs x NEEDS) 0/1 matrix from a (docs x concepts) presence matrix."""
    out = np.zeros((concepts.shape[0], len(NEEDS)), dtype=np.float32)
    for ci, nd in enumerate(NEED_OF_CONCEPT):
        if nd >= 0:
            out[:, nd] = np.maximum(out[:, nd], concepts[:, ci])
    return out


def decide_hazards(model_probs: np.ndarray, model_classes: tuple[str, ...],
                   hits: np.ndarray, relevance: np.ndarray, bonus: np.ndarray | float,
                   relevance_threshold: float) -> list[str]:
    """One hazard per doc: model log-probability plus concept bonus, over all HAZARDS.

    ``bonus`` may differ per doc: where the n-grams were not used (untrained language) the
    model has only the concepts to go on, so their evidence should dominate. A doc with a
    hazard concept never gets ``none``; a doc judged not relevant without one always does.
    """
    n = model_probs.shape[0]
    full = np.full((n, len(HAZARDS)), UNSEEN_HAZARD_PROB, dtype=np.float64)
    for j, c in enumerate(model_classes):
        full[:, HAZARDS.index(c)] = np.maximum(model_probs[:, j], UNSEEN_HAZARD_PROB)
    none_idx = HAZARDS.index("none")
    bonus_col = np.broadcast_to(np.asarray(bonus, dtype=np.float64), (n,))[:, None]
    score = np.log(full) + bonus_col * hits
    has_hit = hits.sum(axis=1) > 0
    score[has_hit, none_idx] = -np.inf
    best = score.argmax(axis=1)
    quiet = (relevance < relevance_threshold) & (hits.sum(axis=1) == 0)
    best[quiet] = none_idx
    return [HAZARDS[i] for i in best.tolist()]


def decide_needs(model_probs: np.ndarray, model_classes: tuple[str, ...],
                 thresholds: np.ndarray, hits: np.ndarray, relevant: np.ndarray
                 ) -> list[list[str]]:
    """Needs per doc: learnt needs above their dev-tuned thresholds, plus concept hits for
    needs the data does not label; nothing for docs judged not relevant."""
    n = model_probs.shape[0]
    chosen = np.zeros((n, len(NEEDS)), dtype=bool)
    learnt = np.zeros(len(NEEDS), dtype=bool)
    for j, c in enumerate(model_classes):
        k = NEEDS.index(c)
        learnt[k] = True
        chosen[:, k] = model_probs[:, j] >= thresholds[j]
    chosen |= (hits > 0) & ~learnt[None, :]
    chosen &= relevant[:, None]
    # each row's set of needs as a bit mask, then one fresh list per row from a table of
    # the (few) masks present, in NEEDS order: no Python work per (row, need) pair
    masks = chosen.astype(np.int64) @ (np.int64(1) << np.arange(len(NEEDS), dtype=np.int64))
    names = {m: tuple(NEEDS[k] for k in range(len(NEEDS)) if m >> k & 1)
             for m in np.unique(masks).tolist()}
    return list(map(list, map(names.__getitem__, masks.tolist())))
