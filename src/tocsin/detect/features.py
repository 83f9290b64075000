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

HASHTAG_RE = regex.compile(r"#([\p{L}\p{N}_]{6,})")

# Function words of the languages most crisis streams carry. Small on purpose: IDF already
# down-weights frequent words; this list only removes words that are frequent *everywhere*
# and would otherwise tie unrelated events together early in a stream, before IDF has data.
_STOP = """
a an the and or but if of to in on at by for from with without into onto over under about
after before during as is are was were be been being am do does did done have has had
having i me my we our you your he him his she her it its they them their this that these
those there here what which who whom whose when where why how all any both each few more
most other some such no nor not only own same so than too very can will just should would
could may might must shall now then also via rt amp http https www com co t.co get got
up out off again once let lets im dont cant wont its it's i'm u ur us
le la les un une des du de et ou mais donc ni car que qui quoi dont où au aux ce cet cette
ces il elle ils elles nous vous je tu se sa son ses leur leurs est sont été être avoir a
pour par sur dans avec sans en ne pas plus y l d
el los las uno una unos unas y o pero del al que quien en con sin por para es son fue ser
lo se su sus le les mas muy ya
o os as um uma e do da dos das em no na nos nas com sem por para é são foi ser
der die das ein eine und oder aber von zu im in mit ohne für ist sind war den dem des
il lo gli uno e o ma di da in con senza per è sono
في من على إلى الى عن مع هذا هذه ذلك التي الذي الذين و أو ثم قد لا ما لم لن هو هي هم كان
""".split()
STOPWORDS: frozenset[str] = frozenset(_STOP)

#: Feature-kind weights: a place shared by two reports is worth several shared words, since
#: it is what links reports across languages; a country/admin-1 is a weak hint only (two
#: hurricanes can hit the same country at once).
PLACE_WEIGHT = 3.0
ADMIN_WEIGHT = 0.5
HAZARD_WEIGHT = 1.0


def stem(word: str) -> str:
    """A deliberately crude English plural/possessive stripper.

    "floods", "flood's" and "flood" must meet; full stemming costs more than it earns on
    tweets, and it must never damage non-Latin words (those have no such suffixes here).
    """
    if word.endswith("'s") or word.endswith("’s"):
        word = word[:-2]
    if len(word) > 4 and word[-1] == "s" and word[-2] not in "su'":
        word = word[:-1]
    return word


def word_features(tokens: list[str]) -> dict[str, float]:
    """Binary bag of content words: a word repeated in a short post adds nothing.

    Hyphenated words also give their parts ("iran-iraq" -> iran, iraq; "post-irma" -> irma):
    the compound and its parts name the same things.
    """
    out: dict[str, float] = {}
    for t in tokens:
        if len(t) < 2 or t in STOPWORDS or t.isdigit() and len(t) < 3:
            continue
        out[stem(t)] = 1.0
        if "-" in t:
            for part in t.split("-"):
                if len(part) > 2 and part not in STOPWORDS:
                    out[stem(part)] = 1.0
    return out


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


def report_features(r: Report, splitter: Callable[[str], list[str]] | None = None
                    ) -> dict[str, float]:
    """All features of one report, with their kind weights (words 1.0)."""
    feats = word_features(r.tokens)
    if splitter is not None and "#" in r.norm_text:
        for tag in HASHTAG_RE.findall(r.norm_text):
            for part in splitter(tag.casefold()):
                feats.setdefault(part, 1.0)
    for p in r.places:
        if p.geonameid is not None:
            feats[f"g:{p.geonameid}"] = PLACE_WEIGHT
            if p.country and p.admin1:
                feats.setdefault(f"a:{p.country}.{p.admin1}", ADMIN_WEIGHT)
    if r.hazard and r.hazard not in ("none", "other"):
        feats[f"h:{r.hazard}"] = HAZARD_WEIGHT
    return feats


def is_word(feature: str) -> bool:
    """True for a word feature (place and hazard features carry a ':' prefix)."""
    return not (len(feature) > 2 and feature[1] == ":")
