"""Turning one raw input object into a Report, or saying precisely why it cannot be one.

Every connector (files, feeds, HTTP push, NATS) funnels through ``report_from_dict`` so that
validation, the text cap and pseudonymisation happen in exactly one place. The raw author
handle is consumed here and never copied anywhere else.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import regex
import xxhash

try:  # a C parser, ~3x faster than json on posts; json is the reference and the fallback
    import orjson
except ImportError:  # pragma: no cover - orjson is a dependency; stay correct without it
    orjson = None  # type: ignore[assignment]

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
_AUTHOR_KEYS = frozenset(AUTHOR_FIELDS)


class BadInput(ValueError):
    """An item that cannot become a report; the message says what is wrong with it."""


# orjson reads integers outside [-2**63, 2**64) as floats where json keeps them exact. Such
# a float can only hide in a float or a container value; a line that has one of those and a
# run of 19 digits anywhere goes to json, so that no id or label changes its spelling.
_LONG_DIGITS = regex.compile(rb"[0-9]{19}")
_SCALARS = (str, int, bool, type(None))

#: what ``fast_loads`` returns when it leaves the line to ``json``
NOT_PARSED: Any = object()


def fast_loads(raw: bytes) -> Any:
    """Parse one JSON line with orjson, or ``NOT_PARSED`` when only ``json`` can answer exactly.

    ``NOT_PARSED`` means: this line is not valid UTF-8 or not strict JSON (``NaN``, ``1e400``,
    a lone surrogate escape, a UTF-8 BOM...), or it may have an integer orjson would turn into
    a float. The caller then parses it as it always did, so results and error messages stay
    those of ``json.loads``; orjson is only ever a faster way to the same object.
    """
    if orjson is None:
        return NOT_PARSED
    try:
        d = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return NOT_PARSED
    if type(d) is dict:
        for v in d.values():
            if type(v) not in _SCALARS:
                if _LONG_DIGITS.search(raw) is not None:
                    return NOT_PARSED
                break
    elif type(d) is float or (type(d) is list and _LONG_DIGITS.search(raw) is not None):
        return NOT_PARSED
    return d


def loads_line(raw: bytes) -> Any:
    """``json.loads(raw.decode("utf-8", errors="replace"))``, the same object, faster."""
    obj = fast_loads(raw)
    if obj is NOT_PARSED:
        return json.loads(raw.decode("utf-8", errors="replace"))
    return obj


def parse_time(value: Any) -> datetime:
    if type(value) is str and len(value) == 20 and value[19] == "Z" and value[10] == "T":
        # "2016-04-17T05:05:27Z", the shape of every stream here: the general path below
        # reads it as value[:19] + "+00:00", which is this, at a third of the cost
        try:
            # Python >= 3.11 reads the "Z" as timezone.utc itself, a tenth of the cost of
            # ``.replace(tzinfo=...)`` (~1 us of the ~10 us it takes to read a report).
            # Where it parses at all it gives exactly what the line below gives (fuzzed:
            # value, tzinfo object, fold); what it refuses (a naive part that carries its
            # own offset, "...T05:05+01Z") is left to that line, as before.
            return datetime.fromisoformat(value)
        except ValueError:
            pass
        try:
            return datetime.fromisoformat(value[:19]).replace(tzinfo=timezone.utc)
        except ValueError:
            pass  # the general path says what is wrong
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, (int, float)):
        try:
            dt = datetime.fromtimestamp(float(value), tz=timezone.utc)
        except (OverflowError, OSError, ValueError) as e:  # 1e300, NaN: bad input, not a crash
            raise BadInput(f"unreadable time {value!r}") from e
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
    if not text or text.isspace():  # ``not text.strip()`` without copying the text
        raise BadInput("empty 'text'")
    truncated = len(text) > MAX_TEXT_CHARS
    if truncated:
        text = text[:MAX_TEXT_CHARS]
    received = now or utcnow()
    raw_time = d["time"] if "time" in d else d.get("published_at")
    published = parse_time(raw_time) if raw_time not in (None, "") else received
    rid = d.get("id")
    if rid is None or rid == "":
        # Stable id from content: the same item pushed twice must dedupe at the store.
        rid = f"{source}:" + xxhash.xxh64_hexdigest(f"{published.isoformat()}|{text}".encode())
    elif not isinstance(rid, (str, int)):
        raise BadInput("'id' must be a string or an integer")
    author_key = None
    for key in () if _AUTHOR_KEYS.isdisjoint(d) else AUTHOR_FIELDS:
        handle = d.get(key)
        if handle:
            if pseudonymiser is None:
                raise BadInput("item names an author but no pseudonymiser is configured")
            author_key = pseudonymiser.pseudonym(str(handle), str(d.get("platform") or source))
            break
    lang = d.get("lang")
    if lang is not None and not isinstance(lang, str):
        lang = None
    url = d.get("url")
    if url is not None and not isinstance(url, str):
        url = None
    # the common case (every field known) without a Python loop over the fields
    unknown = [] if KNOWN_FIELDS.issuperset(d) else [k for k in d if k not in KNOWN_FIELDS]
    extra: dict[str, Any] = {}
    if "event" in d:
        extra["event"] = d["event"]
    if "dataset" in d:
        extra["dataset"] = d["dataset"]
    if "info_type" in d:  # a gold label of the evaluation formats (``eval.detect``)
        extra["info_type"] = d["info_type"]
    # positional (id, source, text, published_at, received_at, url, author_key, lang,
    # truncated): a third cheaper than keywords, and this runs once per item of every source
    report = Report(str(rid), str(d.get("source") or source), text, published, received, url,
                    author_key, lang or None, truncated, extra=extra)
    return report, unknown
