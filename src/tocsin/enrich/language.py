"""Language identification with py3langid (139 languages, model shipped in the package).

Very short texts or texts with almost no letters get ``None`` rather than a confident guess:
a wrong language is worse than an unknown one for the stages that route on it.
"""

from __future__ import annotations

import py3langid

from .text import strip_non_words

#: Below this many letters the identifier is guessing; we say "unknown" instead.
MIN_LETTERS = 3


def identify(text: str) -> str | None:
    """ISO 639-1 code of ``text`` (already normalised or raw), or None when undecidable."""
    body = strip_non_words(text)
    if sum(ch.isalpha() for ch in body) < MIN_LETTERS:
        return None
    lang, _score = py3langid.classify(body)
    return lang


def identify_batch(texts: list[str]) -> list[str | None]:
    return [identify(t) for t in texts]


class LanguageStage:
    """Sets ``lang`` where the source did not declare one."""

    name = "language"

    def enrich(self, batch):
        for r in batch:
            if not r.lang:
                r.lang = identify(r.norm_text or r.text)
        return batch
