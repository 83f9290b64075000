"""The detect replay reader (bytes, orjson) against the text reader it replaced.

The reference below is the reader as it was: text mode with universal newlines and
replacement characters, ``json.loads`` per line. Whatever a line holds, both must keep the
same items, with the same fields, and count the same bad lines.
"""

from __future__ import annotations

import gzip
import io
import json
import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tocsin.detect.replay import ReplayResult, iter_reports
from tocsin.sources.records import (
    NOT_PARSED,
    BadInput,
    fast_loads,
    loads_line,
    report_from_dict,
)


def reference(path):
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    items, bad = [], 0
    for line in io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8", errors="replace"):
        if not line.strip():
            continue
        try:
            r, _ = report_from_dict(json.loads(line), source="s", pseudonymiser=None)
        except (ValueError, BadInput):
            bad += 1
            continue
        items.append(r)
    return items, bad


def fields(r):
    # an item without a time is published when received, which differs between two reads
    # (and an item with neither id nor time gets an id made from that time)
    published = None if r.published_at == r.received_at else r.published_at
    rid = None if published is None and re.fullmatch(r"s:[0-9a-f]{16}", r.id) else r.id
    return (rid, r.source, r.text, published, r.url, r.lang, r.truncated, r.extra)


def check(path):
    want, want_bad = reference(path)
    res = ReplayResult()
    got = [r for b in iter_reports(path, res, 3) for r in b]
    assert [fields(r) for r in got] == [fields(r) for r in want]
    assert res.bad == want_bad


TRICKY = [
    b'{"id": "a", "time": "2024-01-01T00:00:00Z", "text": "plain"}',
    b'{"id": "b", "text": "crlf line"}\r',  # with the newline added: CRLF
    b'{"id": "c1", "text": "bare"}\r{"id": "c2", "text": "carriage return"}',
    b'{"id": "d", "text": "caf\xe9 latin-1 byte"}',
    b'\xef\xbb\xbf{"id": "e", "text": "BOM"}',
    b'{"id": "f", "text": "nan", "score": NaN}',
    b'{"id": 123456789012345678901234567890, "text": "big int id"}',
    b'{"id": -9223372036854775809, "text": "small int id", "x": 1.5}',
    b'{"id": "g", "text": "lone \\ud800 surrogate"}',
    b'{"id": "h", "text": "inf", "v": 1e400}',
    b'\xc2\xa0',  # a no-break space alone: blank to the text reader
    b'   ',
    b'[1, 2]',
    b'{"id": "i", "text": "   "}',
    b'{"id": "j", "text": "t", "time": "yesterday"}',
    b'{"id": "k", "text": "t", "time": 1e300}',
    b'{"id": "l", "text": "\\u2028 line separator", "event": {"n": 18446744073709551616}}',
    b'{"id": "m", "text": "dup", "id": "m2"}',
    b'{not json',
    b'null',
    b'{"id": "n", "text": "encoded surrogate \xed\xa0\x80"}',
    b'{"id": "o", "text": "overlong \xc0\xaf"}',
    b'{"id": "p", "text": "tab\tinside"}',
]


@pytest.mark.parametrize("gz", [False, True])
def test_tricky_lines_read_as_the_text_reader_read_them(tmp_path, gz):
    data = b"\n".join(TRICKY) + b"\n"
    path = tmp_path / ("s.jsonl.gz" if gz else "s.jsonl")
    path.write_bytes(gzip.compress(data) if gz else data)
    check(path)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.text(max_size=8)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner,
                                                                max_size=3),
    max_leaves=6,
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["id", "text", "time", "lang", "url", "event", "x"]),
                       json_values, max_size=6))
def test_fast_loads_is_json_loads(d):
    raw = json.dumps(d).encode()
    # compared as JSON text: 2**64 == float(2**64) in Python, but not once written out
    assert json.dumps(loads_line(raw)) == json.dumps(json.loads(raw))
    fast = fast_loads(raw)
    if fast is not NOT_PARSED:
        assert json.dumps(fast) == json.dumps(json.loads(raw))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.binary(max_size=40) | st.sampled_from(TRICKY), max_size=12))
def test_any_bytes_read_as_the_text_reader_read_them(tmp_path_factory, lines):
    data = b"\n".join(lines)
    assume(data[:2] != b"\x1f\x8b")  # a gzip header: both readers decompress, and fail
    path = tmp_path_factory.mktemp("r") / "s.jsonl"
    path.write_bytes(data)
    check(path)


def general_time(value):
    """parse_time's general path for a string: 'Z' is '+00:00', then ISO 8601."""
    from datetime import datetime, timezone

    try:
        return datetime.fromisoformat(value.strip()[:-1] + "+00:00").astimezone(timezone.utc)
    except ValueError:
        return None


def parse_or_none(parse_time, value):
    try:
        return parse_time(value)
    except BadInput:
        return None


def assert_same_time(got, want):
    """Equal, and the same tzinfo object and fold (not merely an equal instant)."""
    assert got == want
    if got is not None:
        assert got.tzinfo is want.tzinfo and got.fold == want.fold


@given(st.datetimes() | st.builds(
    lambda a, b: a + "T" + b,
    st.text(alphabet="0123456789-:T ", min_size=10, max_size=10),
    st.text(alphabet="0123456789-:.", min_size=8, max_size=8)))
def test_the_common_time_shape_parses_as_the_general_path(x):
    from tocsin.sources.records import parse_time

    value = x.strftime("%Y-%m-%dT%H:%M:%SZ") if not isinstance(x, str) else x + "Z"
    assert_same_time(parse_or_none(parse_time, value), general_time(value))


@given(st.builds(
    lambda a, b: a + "T" + b + "Z",
    st.text(alphabet="0123456789-:TW ", min_size=10, max_size=10),
    st.text(alphabet="0123456789-+:.Z", min_size=8, max_size=8))
    | st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ")))
def test_the_common_time_shape_parses_as_it_did_before_the_z_fast_path(value):
    """``datetime.fromisoformat`` reading the "Z" gives what ``value[:19]`` as UTC gave,
    wherever it parses; what it refuses takes the old way (offsets, bad digits...)."""
    from datetime import datetime, timezone

    from tocsin.sources.records import parse_time

    try:
        want = datetime.fromisoformat(value[:19]).replace(tzinfo=timezone.utc)
    except ValueError:
        want = general_time(value)
    assert_same_time(parse_or_none(parse_time, value), want)
