"""Text normalisation: one canonical form per report, and the word tokens every later stage uses.

URLs and @mentions stay in ``norm_text`` (a reader needs them) but never become words: two
copies of a post that differ only by their shortened link or the account they reply to must
look identical to dedup and clustering. Hashtags become their word ("#Ecuador" -> "ecuador").
"""

from __future__ import annotations

import re
import unicodedata

import regex

URL_RE = regex.compile(r"(?:https?://|www\.)\S+", regex.IGNORECASE)
MENTION_RE = regex.compile(r"(?<![\w@])@\w{1,30}")
RT_PREFIX_RE = regex.compile(r"^(?:\s*(?:RT|MT)\b\s*:?\s*)+", regex.IGNORECASE)
WS_RE = regex.compile(r"\s+")
# A word starts with a letter or digit and may carry marks (Arabic/Hebrew diacritics,
# combining accents) and inner apostrophes or hyphens ("Port-au-Prince", "aujourd'hui").
WORD_RE = regex.compile(r"[\p{L}\p{N}][\p{L}\p{M}\p{N}]*(?:['’\-][\p{L}\p{M}\p{N}]+)*")
# Control characters other than newline/tab are removed; they carry nothing and break logs.
CONTROL_RE = regex.compile(r"[\p{Cc}\p{Cf}&&[^\n\t]]", regex.V1)


def normalise(text: str) -> str:
    """NFKC, control characters removed, whitespace collapsed."""
    # ASCII is already NFKC (and the test is O(1)).
    t = text if text.isascii() else unicodedata.normalize("NFKC", text)
    if not t.isprintable():
        # A printable text has no control or format character (tests check every code
        # point), and most posts are: the regex runs only for the others.
        t = CONTROL_RE.sub("", t)
    elif "  " not in t and t[:1] != " " and t[-1:] != " ":
        # The only whitespace a printable text can hold is " " (tests check every code
        # point), so without a double, leading or trailing space it is already collapsed:
        # four posts in five, which skip the split and join below (a third of this function).
        return t
    # ``WS_RE.sub(" ", t).strip()``, five times faster: once CONTROL_RE has run, str.split()
    # splits on exactly the characters WS_RE matches (the only ones where Python's isspace
    # and Unicode's White_Space disagree, U+001C..U+001F, are controls; tests check them all)
    return " ".join(t.split())


def strip_non_words(norm_text: str) -> str:
    """Remove the parts that are tokens but not words: retweet prefix, URLs, mentions."""
    t = norm_text
    # Substring tests are far cheaper than the regexes and most posts need none of them.
    # (one test: when t[:2] is "RT", t.lstrip() is t)
    if t.lstrip()[:2].upper() in ("RT", "MT"):
        t = RT_PREFIX_RE.sub("", t)
    # A URL has "://" or a "www." (any case: only w and W match (?i)w, tests check every
    # code point); lower-casing the whole text, which costs more than the test, is left to
    # the few posts with a "w." in them.
    if "://" in t or (("w." in t or "W." in t) and "www." in t.lower()):
        t = URL_RE.sub(" ", t)
    if "@" in t:
        t = MENTION_RE.sub(" ", t)
    return t


# ASCII fast path of ``words``. In ASCII, \p{L} is [A-Za-z], \p{N} is [0-9] and \p{M} is
# empty, so WORD_RE is ASCII_WORD_RE on the lower-cased text. One bytes.translate lower-cases
# and blanks every other character; most posts then have no apostrophe or hyphen and their
# words are just the runs left between spaces. Twice as fast as the Unicode regex.
ASCII_WORD_RE = re.compile(r"[a-z0-9]+(?:['\-][a-z0-9]+)*")
_ASCII_WORD_TABLE = bytes(
    c + 32 if 65 <= c <= 90 else c if 97 <= c <= 122 or 48 <= c <= 57 or c in (39, 45) else 32
    for c in range(256)
)


def words(norm_text: str) -> list[str]:
    """Lower-cased words of a normalised text, without URLs, mentions or the RT marker."""
    t = strip_non_words(norm_text)
    if t.isascii():
        t = t.encode("ascii").translate(_ASCII_WORD_TABLE).decode("ascii")
        if "'" in t or "-" in t:
            return ASCII_WORD_RE.findall(t)
        return t.split()
    return WORD_RE.findall(t.casefold())


def urls(norm_text: str) -> list[str]:
    return URL_RE.findall(norm_text)


class TextStage:
    """Fills ``norm_text`` and ``tokens``; stateless, so any runner can call it on any batch."""

    name = "text"

    def enrich(self, batch):
        for r in batch:
            r.norm_text = normalise(r.text)
            r.tokens = words(r.norm_text)
        return batch
