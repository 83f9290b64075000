"""One canonical, matching-friendly form of text, computed with numpy over whole batches.

Folding: lower case; accents removed (tweets and SMS drop them: "evacues", "sequia");
Arabic hamza seats, alef maqsura and ta marbuta unified; Arabic harakat, tatweel and Hebrew
niqqud removed; digits become 0 (numbers vary, their presence matters); every punctuation or
symbol becomes a space, and space runs collapse to one. After this, a word boundary is simply
a space, which lets the lexicon and the word hasher avoid per-character Python code.

Terms in ``terms.py`` go through the same :func:`fold`, so text and terms always agree.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import numpy as np

#: Code points above this are kept as they are (CJK and beyond need no folding here).
LUT_SIZE = 0x3000
#: Marker for "delete this code point".
DELETE = 0xFFFFFFFF
SPACE = 0x20

# Separate simple patterns: each has a literal prefix that re scans for at C speed, where one
# alternation with look-behind costs ~10x more. Applied to lower-cased text.
_STRIP_RES = (re.compile(r"https?://\S+"), re.compile(r"www\.\S+"), re.compile(r"@\w+"))

_KEEP = set("йЙїЇ")  # distinct letters in Russian/Ukrainian, not accented variants
_EXTRA = {"ё": "е", "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و",
          "ئ": "ي", "ـ": ""}


@lru_cache(maxsize=1)
def lut() -> np.ndarray:
    """The code point map (index: input code point, value: output or ``DELETE``)."""
    table = np.arange(LUT_SIZE, dtype=np.uint64)
    for cp in range(LUT_SIZE):
        ch = chr(cp)
        cat = unicodedata.category(ch)
        if ch in _KEEP:
            continue
        if ch in _EXTRA:
            table[cp] = ord(_EXTRA[ch]) if _EXTRA[ch] else DELETE
        elif ch == "\x1e":  # the batch separator must survive
            continue
        elif cat[0] in "PSZ" or cat in ("Cc", "Cf"):
            table[cp] = SPACE
        elif cat[0] == "M":
            table[cp] = DELETE
        elif cat == "Nd":
            table[cp] = ord("0")
        else:
            base = [c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c)]
            if len(base) == 1 and base[0] != ch:
                table[cp] = ord(base[0])
    return table.astype(np.uint32)


@lru_cache(maxsize=1)
def full_lut() -> np.ndarray:
    """:func:`lut` extended to every code point (identity above ``LUT_SIZE``): one gather
    folds a whole batch. Fixed size (4.4 MB)."""
    table = np.arange(0x110000, dtype=np.uint32)
    table[:LUT_SIZE] = lut()
    return table


def fold_codepoints(text: str) -> np.ndarray:
    """Fold a (possibly joined) text; returns its code points, spaces collapsed.

    URLs and @mentions are removed first: they are not words of the message, and two copies
    of a post that differ only by a shortened link must look the same.
    """
    text = text.lower()
    for pat in _STRIP_RES:
        text = pat.sub(" ", text)
    cps = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    mapped = full_lut()[cps]
    deleted = mapped == DELETE
    if deleted.any():
        mapped = mapped[~deleted]
    if mapped.shape[0]:
        is_space = mapped == SPACE
        keep = np.ones(mapped.shape[0], dtype=bool)
        keep[1:] = ~(is_space[1:] & is_space[:-1])
        mapped = mapped[keep]
    return mapped


def to_str(cps: np.ndarray) -> str:
    return cps.astype(np.uint32).tobytes().decode("utf-32-le")


def fold(text: str) -> str:
    """Folded form of one text (used for terms and single texts)."""
    return to_str(fold_codepoints(text)).strip()
