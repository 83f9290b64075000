"""Language identification with py3langid (139 languages, model shipped in the package).

Very short texts or texts with almost no letters get ``None`` rather than a confident guess:
a wrong language is worse than an unknown one for the stages that route on it.

py3langid walks each text's bytes through its feature automaton in a Python loop, about
150 us a post here, which made language the slowest stage on streams that do not declare
one. ``identify_batch`` walks all the texts of a batch together, one numpy step per byte
position, then scores each text with py3langid's own scoring code, so every label is the
one ``py3langid.classify`` gives (checked on the first texts of each identifier, and by the
tests); repeated texts (retweets) are identified once. About 3x cheaper on crisislex_t6.
Where the optional C extension ``_langwalk`` is built, it walks the texts instead (several
at a time, so that their table lookups overlap: a lone walk waits on memory at every byte)
and hands py3langid's scoring the same feature counts, in the same order; the stage then
costs about a quarter less. TOCSIN_PURE_PYTHON=1 forces the numpy walk.
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from itertools import islice

import numpy as np
import py3langid

from .text import strip_non_words

log = logging.getLogger(__name__)

#: the automaton walk in C (``_langwalk.c``), ~10x cheaper than the numpy walk; None where
#: it was not built or TOCSIN_PURE_PYTHON is set: the numpy walk gives the same features
_langwalk = None
if not os.environ.get("TOCSIN_PURE_PYTHON"):
    try:
        from . import _langwalk  # type: ignore[attr-defined, no-redef]
    except ImportError:  # no compiler at install time
        pass

#: Below this many letters the identifier is guessing; we say "unknown" instead.
MIN_LETTERS = 3
#: Longer texts (in UTF-8 bytes) are walked one by one: the batch walk pads to the longest.
BATCH_MAX_BYTES = 2048


def _enough_letters(body: str) -> bool:
    # stops at the third letter instead of counting them all
    return len(list(islice(filter(str.isalpha, body), MIN_LETTERS))) >= MIN_LETTERS


def identify(text: str) -> str | None:
    """ISO 639-1 code of ``text`` (already normalised or raw), or None when undecidable."""
    body = strip_non_words(text)
    if not _enough_letters(body):
        return None
    lang, _score = py3langid.classify(body)
    return lang


class _BatchIdentifier:
    """py3langid's classifier with the automaton walk vectorised across texts."""

    def __init__(self):
        from py3langid import langid

        self.ident = ident = langid._get_identifier()
        if ident._norm_probs or ident.min_confidence is not None:
            raise ValueError("identifier set to probabilities, not the default")
        self.floor = langid.RAW_FLOOR
        self.nextmove = np.asarray(ident.tk_nextmove)  # uint32, a view: no 78 MB copy
        self.rowbase = np.asarray(ident._rowbase, dtype=np.int64)
        self.output = np.asarray(ident.tk_output, dtype=np.int64)
        self.n_features = int(self.output.max(initial=-1)) + 1
        # The model's weights are float16; scoring casts the rows a text visits to float32
        # first, and numpy's float16 cast is slow (55 of 60 us a text). Cast once: 57 MB,
        # only for streams that need language identification. The scores are the same
        # float32 numbers, so the same labels.
        self.table = np.asarray(ident.nb_ptc, dtype=np.float32)
        self.table_of = ident.nb_ptc  # ``py3langid.set_languages`` swaps it: cast again then
        self.checked = False

    def _label(self, visits: dict[int, int]) -> str:
        """``LanguageIdentifier.classify`` from the walked feature counts (same scoring code)."""
        ident = self.ident
        if visits:
            scores = ident._sparse_score(visits, self.table)
        else:
            scores = np.full(len(ident.nb_classes), self.floor, dtype=np.float32)
        for i, j in ident._alias_pairs:
            scores[i] = max(scores[i], scores[j])
            scores[j] = self.floor
        return ident.nb_classes[int(scores.argmax())]

    def _visits(self, encoded: list[bytes]) -> list[dict[int, int]]:
        """{feature: count} of each text's walk, in first-visit order (``visit_counts``)."""
        if _langwalk is not None:
            return _langwalk.walk(encoded, self.nextmove, self.rowbase, self.output,
                                  self.n_features)
        return [Counter(feats) for feats in self._walk(encoded)]

    def _walk(self, encoded: list[bytes]) -> list[list[int]]:
        """Feature ids each text visits, in visiting order (``langid.visit_counts``)."""
        n = len(encoded)
        if n == 0:
            return []
        lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=n)
        order = np.argsort(-lengths, kind="stable")
        longest = int(lengths[order[0]]) if n else 0
        mat = np.zeros((n, max(longest, 1)), dtype=np.int64)
        for row, i in enumerate(order.tolist()):
            b = encoded[i]
            mat[row, : len(b)] = np.frombuffer(b, dtype=np.uint8)
        active = np.searchsorted(-lengths[order], -np.arange(longest), side="left")
        state = np.zeros(n, dtype=np.int64)
        rows_hit: list[np.ndarray] = []
        feats_hit: list[np.ndarray] = []
        nm, rb, out = self.nextmove, self.rowbase, self.output
        for p in range(longest):
            k = int(active[p])  # rows still inside their text at byte p
            st = nm[rb[state[:k]] + mat[:k, p]]
            state[:k] = st
            f = out[st]
            hit = np.flatnonzero(f >= 0)
            if hit.size:
                rows_hit.append(hit)
                feats_hit.append(f[hit])
        result: list[list[int]] = [[] for _ in range(n)]
        if rows_hit:
            rows = np.concatenate(rows_hit)
            feats = np.concatenate(feats_hit)
            by_row = np.argsort(rows, kind="stable")  # keeps byte order within a text
            rows, feats = rows[by_row], feats[by_row]
            bounds = np.flatnonzero(np.diff(rows)) + 1
            starts = np.concatenate([[0], bounds]).tolist()
            ends = np.concatenate([bounds, [rows.size]]).tolist()
            flist = feats.tolist()
            orig = order[rows[starts]].tolist() if starts else []
            for s, e, i in zip(starts, ends, orig, strict=True):
                result[i] = flist[s:e]
        return result

    def classify_bodies(self, bodies: list[str]) -> list[str]:
        if self.ident.nb_ptc is not self.table_of:
            self.table = np.asarray(self.ident.nb_ptc, dtype=np.float32)
            self.table_of = self.ident.nb_ptc
            self.checked = False
        encode = self.ident._encode
        encoded = [encode(b) for b in bodies]
        labels: list[str | None] = [None] * len(bodies)
        short = [i for i, e in enumerate(encoded) if len(e) <= BATCH_MAX_BYTES]
        for i, visits in zip(short, self._visits([encoded[i] for i in short]), strict=True):
            labels[i] = self._label(visits)
        for i in range(len(encoded)):
            if labels[i] is None:
                labels[i] = py3langid.classify(bodies[i])[0]
        if not self.checked:
            self.checked = True
            for body, got in zip(bodies[:16], labels, strict=False):
                if py3langid.classify(body)[0] != got:
                    log.warning("batched language id disagrees with py3langid; not used")
                    raise _Mismatch
        return labels  # type: ignore[return-value]


class _Mismatch(Exception):
    pass


_BATCH: _BatchIdentifier | None = None
_BATCH_BROKEN = False


def identify_batch(texts: list[str]) -> list[str | None]:
    """``identify`` of each text (same labels), batched; repeated texts are classified once."""
    global _BATCH, _BATCH_BROKEN
    bodies: dict[str, str | None] = {}
    keys: list[str | None] = []
    for t in texts:
        body = strip_non_words(t)
        if _enough_letters(body):
            bodies[body] = None
            keys.append(body)
        else:
            keys.append(None)
    todo = list(bodies)
    if todo:
        labels: list[str] | None = None
        if not _BATCH_BROKEN:
            try:
                if _BATCH is None:
                    _BATCH = _BatchIdentifier()
                labels = _BATCH.classify_bodies(todo)
            except (_Mismatch, AttributeError, TypeError, ValueError, IndexError) as e:
                # a py3langid whose internals differ from those this was written against
                if not isinstance(e, _Mismatch):
                    log.warning("batched language id unavailable (%s); one by one", e)
                _BATCH_BROKEN = True
        if labels is None:
            labels = [py3langid.classify(b)[0] for b in todo]
        bodies.update(zip(todo, labels, strict=True))
    return [None if k is None else bodies[k] for k in keys]


class LanguageStage:
    """Sets ``lang`` where the source did not declare one."""

    name = "language"

    def enrich(self, batch):
        todo = [r for r in batch if not r.lang]
        if todo:
            for r, lang in zip(todo, identify_batch([r.norm_text or r.text for r in todo]),
                               strict=True):
                r.lang = lang
        return batch
