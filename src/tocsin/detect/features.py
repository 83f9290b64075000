"""Turning an enriched report into the sparse weighted features the clusterer compares.

Three kinds of feature share one sparse vector so that one inverted index and one scoring
loop serve them all:

* words (``r.tokens`` minus stop words, lightly stemmed) — the strongest signal for short
  posts;
* resolved places, as ``g:<geonameid>`` (plus ``a:<country>.<admin1>`` at a lower weight) —
  language-independent, so they link reports written in different languages and scripts;
* the hazard (``h:<hazard>``) — keeps a storm report out of a concurrent earthquake event.

Feature keys are plain strings: Python caches their hashes, so they cost no more than hashed
integer ids, they never collide, and a snapshot stays readable across processes (Python's
``hash`` of ``str`` is salted per process).
"""

from __future__ import annotations

from collections.abc import Callable

import regex

from ..model import Report
from .scoring import word_features as _word_features
from .vocab import GENERIC, NOT_PLACES, STOPWORDS, stem

HASHTAG_RE = regex.compile(r"#([\p{L}\p{N}_]{6,})")

#: word features per token seen (bounded; words repeat a lot in a stream)
_TOKEN_FEATS: dict[str, tuple[str, ...]] = {}
_STEM_CACHE = 200_000

#: Feature-kind weights: a place shared by two reports is worth several shared words, since
#: it is what links reports across languages; a country/admin-1 is a weak hint only (two
#: hurricanes can hit the same country at once).
PLACE_WEIGHT = 3.0
ADMIN_WEIGHT = 0.5
HAZARD_WEIGHT = 1.0


def _token_features(t: str) -> tuple[str, ...]:
    """The word features one token gives (none for a stop word), in insertion order."""
    if len(t) < 2 or t in STOPWORDS or t.isdigit() and len(t) < 3:
        return ()
    w = stem(t)
    out = [] if w in STOPWORDS else [w]  # "wants", "that's"
    if out and "-" in t:
        for part in t.split("-"):
            if len(part) > 2 and part not in STOPWORDS:
                out.append(stem(part))
    return tuple(out)


def word_features(tokens: list[str]) -> dict[str, float]:
    """Binary bag of content words: a word repeated in a short post adds nothing.

    Hyphenated words also give their parts ("iran-iraq" -> iran, iraq; "post-irma" -> irma):
    the compound and its parts name the same things. What each token gives is cached
    (bounded): words repeat a lot in a stream.
    """
    # the loop itself is ``scoring.word_features`` (compiled where possible): it runs over
    # every token of every report
    return _word_features(tokens, _TOKEN_FEATS, _STEM_CACHE, _token_features, 1.0)


def split_compound(tag: str, known: Callable[[str], float], min_known: float) -> list[str]:
    """Split a run-together hashtag in two known words ("hurricaneharvey", "srilanka").

    Hashtags are how a story names itself, and the same story writes "#PuertoRico" and
    "Puerto Rico". ``known`` gives a word's current (decayed) document frequency; both
    halves must be at least ``min_known`` frequent, and the split whose rarer half is most
    frequent wins. No dictionary is needed: the stream itself says which words exist.
    """
    best, best_k = None, min_known
    for i in range(3, len(tag) - 2):
        left, right = tag[:i], tag[i:]
        if left in STOPWORDS or right in STOPWORDS:
            continue
        k = min(known(left), known(right))
        if k >= best_k:
            best, best_k = (left, right), k
    return [stem(best[0]), stem(best[1])] if best else []


def split_compound_df(tag: str, df: dict[str, float], g: float, min_known: float
                      ) -> list[str]:
    """``split_compound`` against a decayed document-frequency table (``df[w] / g``) — the
    same answer, without a function call per candidate half (the detector's hot path)."""
    best, best_k = None, min_known
    get = df.get
    for i in range(3, len(tag) - 2):
        left = tag[:i]
        dl = get(left)
        if dl is None or dl / g < best_k or left in STOPWORDS:
            continue
        right = tag[i:]
        dr = get(right)
        if dr is None or right in STOPWORDS:
            continue
        k = (dl if dl < dr else dr) / g
        if k >= best_k:
            best, best_k = (left, right), k
    return [stem(best[0]), stem(best[1])] if best else []


def report_features(r: Report, splitter: Callable[[str], list[str]] | None = None,
                    places: list | None = None) -> dict[str, float]:
    """All features of one report, with their kind weights (words 1.0).

    ``places``: the report's ``usable_places`` when the caller already has them.
    """
    feats = word_features(r.tokens)
    if splitter is not None and "#" in r.norm_text:
        for tag in HASHTAG_RE.findall(r.norm_text):
            for part in splitter(tag.casefold()):
                feats.setdefault(part, 1.0)
    for p in usable_places(r) if places is None else places:
        if p.geonameid is not None:
            feats[f"g:{p.geonameid}"] = PLACE_WEIGHT
            if p.country and p.admin1:
                feats.setdefault(f"a:{p.country}.{p.admin1}", ADMIN_WEIGHT)
    if r.hazard and r.hazard not in ("none", "other"):
        feats[f"h:{r.hazard}"] = HAZARD_WEIGHT
    return feats


def usable_places(r: Report) -> list:
    """Resolved places, minus those whose surface form is crisis vocabulary.

    "Hurricane" is also a town in Utah and "Flood" a village somewhere: a gazetteer match on
    a hazard word would give every storm report the same false place and fuse unrelated
    storms, so such places are ignored here whatever the geoparser decided.
    """
    out = []
    for p in r.places:
        if p.geonameid is None:
            continue
        phrase = p.phrase.casefold()
        if phrase in NOT_PLACES or stem(phrase) in GENERIC:
            continue
        out.append(p)
    return out


def is_word(feature: str) -> bool:
    """True for a word feature (place and hazard features carry a ':' prefix)."""
    return not (len(feature) > 2 and feature[1] == ":")
