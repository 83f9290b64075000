"""An event's title: its representative report's text, without the accounts it names.

A title outlives the report it came from (raw text expires after ``text_retention_days``;
events keep their aggregates) and travels in alerts, feeds and exports. A retweet's prefix
("RT @someone:") names the account that wrote the post, and @mentions name accounts too:
the title keeps neither, nor e-mail addresses, nor links (they are not news and may carry
tracking tokens).
"""

from __future__ import annotations

import regex

from ..enrich.text import normalise, strip_non_words

#: what a removed mention or link leaves behind: "(via )", "( )", a dangling "via:" or "cc"
_EMPTY_BRACKETS_RE = regex.compile(r"[(\[]\s*(?:(?:via|h/t|cc|by)\b\s*:?\s*)?[)\]]",
                                   regex.IGNORECASE)
#: an e-mail address (a mention's lookbehind keeps "a@b.org" out of mentions)
_EMAIL_RE = regex.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
#: a retweet marker whose account was removed ("MT @a: RT @b: ..." -> "RT : ...")
_ORPHAN_RT_RE = regex.compile(r"\b(?:RT|MT)\s*:\s*")
_DANGLING_RE = regex.compile(r"(?:\s+(?:via|h/t|cc|by)\s*:?)+\s*$", regex.IGNORECASE)
_EDGE_PUNCT = " :;,.|-–—»>"


def title_text(text: str) -> str:
    """``text`` made fit for an event title: no retweet prefix, @mentions, e-mail addresses
    or links; spaces collapsed; empty brackets and dangling "via"/"cc" left by them
    removed. May be empty (a post of mentions and links only)."""
    t = " ".join(strip_non_words(normalise(text)).split())
    if "@" in t:
        t = _EMAIL_RE.sub(" ", t)
    if ":" in t:
        t = _ORPHAN_RT_RE.sub("", t)
    if "(" in t or "[" in t:
        t = _EMPTY_BRACKETS_RE.sub("", t)
    t = _DANGLING_RE.sub("", t)
    return " ".join(t.split()).strip(_EDGE_PUNCT)
