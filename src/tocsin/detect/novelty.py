"""Is a candidate's name newsworthy? Burst against general language, not against the stream.

Off-topic chatter collected with crisis keywords coheres around everyday words ("love",
"tonight", swearing) that are frequent in the stream *and* in the language. A story's name
("Boston", "#yycflood", a GeoNames id) is rare in the language and suddenly frequent in the
stream. The expected frequency comes from ``wordfreq`` (frequencies of many languages,
shipped in the package, offline) when it is installed; without it the gate is open and only
the other promotion rules apply.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

try:  # optional: the detector works without it, with a weaker noise gate
    from wordfreq import available_languages, zipf_frequency
except ImportError:  # pragma: no cover - exercised only where wordfreq is absent
    zipf_frequency = None
    available_languages = None

#: average words per post: turns a per-word frequency into a per-post one
WORDS_PER_POST = 15.0


@lru_cache(maxsize=1)
def _languages() -> frozenset[str]:
    return frozenset(available_languages()) if available_languages else frozenset()


@lru_cache(maxsize=200_000)
def language_share(word: str, lang: str) -> float | None:
    """Expected share of posts in ``lang`` that contain ``word`` (None: no reference)."""
    if zipf_frequency is None or lang not in _languages():
        return None
    z = zipf_frequency(word, lang)
    return WORDS_PER_POST * 10 ** (z - 9.0) if z > 0 else 1e-9


def newsworthy(anchors: dict[str, float], lang: str | None,
               stream_share: Callable[[str], float], min_burst: float) -> bool:
    """True if one anchor is a place, or a word far more frequent now than in the language."""
    if zipf_frequency is None:
        return bool(anchors)
    for w in anchors:
        if w.startswith("g:"):
            return True
        expected = language_share(w, lang or "en")
        if expected is None or stream_share(w) >= min_burst * expected:
            return True
    return False
