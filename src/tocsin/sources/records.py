"""Turning one raw input object into a Report, or saying precisely why it cannot be one.

Every connector (files, feeds, HTTP push, NATS) funnels through ``report_from_dict`` so that
validation, the text cap and pseudonymisation happen in exactly one place. The raw author
handle is consumed here and never copied anywhere else.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import xxhash

from ..model import MAX_TEXT_CHARS, Report, utcnow
from ..privacy import Pseudonymiser

#: Fields the stream formats define; anything else is kept in ``extra`` and counted.
KNOWN_FIELDS = frozenset(
    {
        "id", "time", "published_at", "text", "lang", "url", "source", "dataset",
        "author", "user", "handle", "platform",
        # gold labels of the evaluation formats: carried, never used by the pipeline
        "event", "hazard", "info_type", "relevant", "collection", "label_native",
        "labels_native", "parallel_id", "genre", "split", "toponyms",
    }
)
#: Keys that name a post's author. Consumed by the pseudonymiser, never stored.
AUTHOR_FIELDS = ("author", "user", "handle")


class BadInput(ValueError):
    """An item that cannot become a report; the message says what is wrong with it."""


def parse_time(value: Any) -> datetime:
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, (int, float)):
        dt = datetime.fromtimestamp(float(value), tz=timezone.utc)
    elif isinstance(value, str) and value:
        v = value.strip()
        if v.endswith("Z"):
            v = v[:-1] + "+00:00"
        try:
            dt = datetime.fromisoformat(v)
        except ValueError as e:
            raise BadInput(f"unreadable time {value!r}") from e
    else:
        raise BadInput(f"unreadable time {value!r}")
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc)


def report_from_dict(
    d: Any,
    *,
    source: str,
    pseudonymiser: Pseudonymiser | None,
    now: datetime | None = None,
) -> tuple[Report, list[str]]:
    """Build a Report; returns it with the list of unknown field names (for counting)."""
    if not isinstance(d, dict):
        raise BadInput(f"expected a JSON object, got {type(d).__name__}")
    text = d.get("text")
    if not isinstance(text, str):
        raise BadInput("missing or non-string 'text'")
    if not text.strip():
        raise BadInput("empty 'text'")
    truncated = len(text) > MAX_TEXT_CHARS
    if truncated:
        text = text[:MAX_TEXT_CHARS]
    received = now or utcnow()
    raw_time = d.get("time", d.get("published_at"))
    published = parse_time(raw_time) if raw_time not in (None, "") else received
    rid = d.get("id")
    if rid is None or rid == "":
        # Stable id from content: the same item pushed twice must dedupe at the store.
        rid = f"{source}:" + xxhash.xxh64_hexdigest(f"{published.isoformat()}|{text}".encode())
    elif not isinstance(rid, (str, int)):
        raise BadInput("'id' must be a string or an integer")
    author_key = None
    for key in AUTHOR_FIELDS:
        handle = d.get(key)
        if handle:
            if pseudonymiser is None:
                raise BadInput("item names an author but no pseudonymiser is configured")
            author_key = pseudonymiser.pseudonym(str(handle), str(d.get("platform") or source))
            break
    lang = d.get("lang")
    if lang is not None and not isinstance(lang, str):
        lang = None
    url = d.get("url") if isinstance(d.get("url"), str) else None
    unknown = [k for k in d if k not in KNOWN_FIELDS]
    extra = {k: d[k] for k in ("event", "dataset") if k in d}
    report = Report(
        id=str(rid),
        source=str(d.get("source") or source),
        text=text,
        published_at=published,
        received_at=received,
        url=url,
        author_key=author_key,
        lang=lang or None,
        truncated=truncated,
        extra=extra,
    )
    return report, unknown
