"""Length-preserving text folding shared by the gazetteer build and the recogniser.

Matching runs on a folded copy of the text so that "Kharkiv", "KHARKIV" and "Kharkív", or
"أريحا" and "اريحا", hit the same key. Folding maps one character to exactly one character,
so offsets found in the folded text are offsets in the original: no alignment table is
needed and spans can be reported back verbatim.
"""

from __future__ import annotations

import unicodedata

# Arabic letters that writers use interchangeably: hamza seats on alef, alef maqsura / ya,
# ta marbuta / ha. Folding them avoids indexing every spelling variant.
_SPECIAL = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه",
    "’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'", "ʻ": "'", "‛": "'",
    # hyphens count as spaces: "Port-au-Prince" = "Port au Prince", "Deir al-Balah" =
    # "Deir al Balah"
    "-": " ", "‐": " ", "‑": " ", "‒": " ", "–": " ", "—": " ",
}


class _FoldTable(dict):
    """A ``str.translate`` table computed lazily per code point (translate calls __getitem__)."""

    def __missing__(self, cp: int) -> str:
        c = chr(cp)
        r = _SPECIAL.get(c)
        if r is None:
            low = c.lower()
            if len(low) != 1:
                low = unicodedata.normalize("NFD", c)[0].lower()
            d = unicodedata.normalize("NFD", low)
            r = d[0] if len(d) > 1 and unicodedata.category(d[0]).startswith("L") else low
            if len(r) != 1:  # pragma: no cover - defensive: keep length invariant
                r = c
        self[cp] = r
        return r


_TABLE = _FoldTable()


# ASCII text (most posts) folds through byte tables: several times faster than
# str.translate's per-character dictionary lookups, and identical by construction.
_ASCII_FOLD = bytes(ord(_TABLE[i]) for i in range(128)) + bytes(range(128, 256))


def fold(text: str) -> str:
    """Lower-case, strip accents, unify Arabic letter variants; ``len(fold(t)) == len(t)``."""
    if text.isascii():
        return text.encode("ascii").translate(_ASCII_FOLD).decode("ascii")
    return text.translate(_TABLE)


def script_of(text: str) -> str:
    """The dominant script of a name: 'latin', 'arabic', 'hebrew', 'cyrillic', 'cjk' or 'other'.

    Script decides which boundary rule applies: case and word boundaries for Latin,
    clitic prefixes for Arabic and Hebrew, case endings for Cyrillic, none for CJK.
    """
    for ch in text:
        cp = ord(ch)
        if ch.isalpha():
            if cp < 0x250 or 0x1E00 <= cp <= 0x1EFF:
                return "latin"
            if 0x400 <= cp <= 0x52F:
                return "cyrillic"
            if 0x590 <= cp <= 0x5FF:
                return "hebrew"
            if 0x600 <= cp <= 0x6FF or 0x750 <= cp <= 0x77F or 0xFB50 <= cp <= 0xFEFF:
                return "arabic"
            if 0x3040 <= cp <= 0x30FF or 0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF:
                return "cjk"
            return "other"
    return "other"


#: Stands for every character that is not inside a word in :func:`bounded` text.
BOUND = "\x01"


def in_word(ch: str) -> bool:
    """Letters, digits and combining marks (Arabic harakat, Devanagari vowel signs) are
    inside a word; a boundary test on ``isalnum`` alone would split "दिल्ली" after "दिल"."""
    if ch.isalnum():
        return True
    return ch > "\u02ff" and unicodedata.category(ch)[0] == "M"


class _BoundTable(dict):
    """Folded character -> itself inside words, :data:`BOUND` elsewhere (lazily)."""

    def __missing__(self, cp: int) -> str:
        c = chr(cp)
        r = c if in_word(c) else BOUND
        self[cp] = r
        return r


_BOUND_TABLE = _BoundTable()


_ASCII_BOUND = bytes(i if chr(i).isalnum() else ord(BOUND) for i in range(128)) \
    + bytes(range(128, 256))
ASCII_FOLD = _ASCII_FOLD  # for callers that fold ASCII text inline (the recogniser)
#: folded ASCII character -> its bounded form (what ``bounded`` maps ASCII text through)
ASCII_BOUND = _ASCII_BOUND
#: the per-character tables ``fold`` and ``bounded`` translate text that is not ASCII
#: through, for the compiled recogniser (``_recognise.c``), which applies them the same way
FOLD_TABLE = _TABLE
BOUND_TABLE = _BOUND_TABLE
#: ASCII text straight to its bounded form (without the end markers): fold, then bound
ASCII_FOLD_BOUND = bytes(_ASCII_BOUND[_ASCII_FOLD[i]] for i in range(128)) \
    + bytes(range(128, 256))


def bounded(folded: str) -> str:
    """``folded`` with every non-word character as :data:`BOUND` and one at each end.

    Keys indexed in this form (``bounded(key)``) can only match whole words: the
    automaton itself enforces the word-boundary rule, so the ~30 hits per tweet that lie
    inside words ("an" in "Japan") never reach Python. A match of ``bounded(key)`` ending
    at index ``i`` of ``bounded(folded)`` is ``folded[e - len(key):e]`` with ``e = i - 1``.
    """
    if folded.isascii():
        return BOUND + folded.encode("ascii").translate(_ASCII_BOUND).decode("ascii") + BOUND
    return BOUND + folded.translate(_BOUND_TABLE) + BOUND
