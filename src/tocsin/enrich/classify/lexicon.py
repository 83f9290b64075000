"""Fast matching of the curated multilingual concepts (``terms.py``) over whole batches.

One Aho-Corasick automaton (pyahocorasick, C) scans a batch joined into one folded string
(see ``folding.py``: punctuation is already a space). Keys carry their own boundaries: a
leading space means "at a word start", a trailing space "at a word end" (exact terms; stems
have none). Arabic and Hebrew attach clitics (``و``, ``ال``, ``ב``, ``ה``...) to the word, so
their terms are also added behind each clitic. Every automaton hit is therefore a valid match
and the only Python work is one tuple per hit.
"""

from __future__ import annotations

from itertools import chain

import ahocorasick
import numpy as np

from .folding import fold
from .terms import CONCEPTS

ARABIC_CLITICS = ("و", "ف", "ب", "ل", "ك", "ال", "وال", "بال", "لل", "فال", "كال", "وب", "ول")
HEBREW_CLITICS = ("ה", "ו", "ב", "ל", "מ", "ש", "כ", "וה", "וב", "ול", "ומ", "שה", "שב", "מה",
                  "כש", "לה", "בה", "וש", "מש")


class Lexicon:
    """Finds concept occurrences in folded text."""

    def __init__(self) -> None:
        self.n_concepts = len(CONCEPTS)
        keys: dict[str, set[int]] = {}
        for ci, concept in enumerate(CONCEPTS):
            for lang, terms in concept.terms.items():
                clitics = ("",)
                if lang == "ar":
                    clitics += ARABIC_CLITICS
                elif lang == "he":
                    clitics += HEBREW_CLITICS
                for term in terms:
                    stem = term.endswith("*")
                    body = fold(term.rstrip("*"))
                    if len(body) < 2:
                        continue
                    for cl in clitics:
                        key = " " + cl + body + ("" if stem else " ")
                        keys.setdefault(key, set()).add(ci)
        self._groups: list[tuple[int, ...]] = []
        group_ids: dict[tuple[int, ...], int] = {}
        # each key's value is one int, (group << 16) | length: hits come back as flat ints
        self._automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
        for key, cis in keys.items():
            g = tuple(sorted(cis))
            gid = group_ids.setdefault(g, len(group_ids))
            if gid == len(self._groups):
                self._groups.append(g)
            if len(key) >= 1 << 16:
                raise ValueError(f"term too long: {key[:40]!r}...")
            self._automaton.add_word(key, (gid << 16) | len(key))
        self._automaton.make_automaton()
        # flattened group table: concepts of group g are flat[ptr[g]:ptr[g+1]]
        self._ptr = np.zeros(len(self._groups) + 1, dtype=np.int64)
        np.cumsum([len(g) for g in self._groups], out=self._ptr[1:])
        self._flat = np.fromiter((c for g in self._groups for c in g), dtype=np.int64)

    def hits(self, padded: str) -> tuple[np.ndarray, np.ndarray]:
        """Start offsets and concept indices of all matches in a space-padded folded string."""
        res = list(self._automaton.iter(padded))
        if not res:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        flat = np.fromiter(chain.from_iterable(res), np.int64, 2 * len(res))
        ends, packed = flat[0::2], flat[1::2]
        lens, gids = packed & 0xFFFF, packed >> 16
        sizes = self._ptr[gids + 1] - self._ptr[gids]
        starts = np.repeat(ends - lens + 1, sizes)
        # concepts of each hit's group, flattened in hit order
        offs = np.repeat(self._ptr[gids] - np.cumsum(sizes) + sizes, sizes)
        cis = self._flat[offs + np.arange(int(sizes.sum()))]
        return starts, cis

    def concepts(self, text: str) -> set[int]:
        """Indices (into ``CONCEPTS``) of the concepts present in one raw text."""
        _, cis = self.hits(" " + fold(text) + " ")
        return set(cis.tolist())

    def batch(self, padded: str, doc_starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Deduplicated ``(doc_index, concept_index)`` pairs over a joined, folded batch."""
        starts, cis = self.hits(padded)
        if not starts.shape[0]:
            return starts, cis
        docs = np.searchsorted(doc_starts, starts, side="right") - 1
        pair = np.unique(docs * self.n_concepts + cis)
        return pair // self.n_concepts, pair % self.n_concepts
