import gzip
import json
import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tocsin.model import MAX_TEXT_CHARS, SourceKind
from tocsin.privacy import Pseudonymiser
from tocsin.sources.files import FileUnreadable, JsonLinesSource, iter_reports
from tocsin.sources.health import SourceHealth
from tocsin.sources.records import BadInput, parse_time, report_from_dict

PS = Pseudonymiser(b"s" * 32)


def health():
    return SourceHealth("test", SourceKind.FILE)


def write_lines(path, lines: list[bytes]):
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wb") as f:
        for line in lines:
            f.write(line + b"\n")


GOOD = {"id": "a1", "time": "2024-03-01T10:00:00Z", "text": "Flooding in the lower town"}


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz"])
def test_bad_lines_are_counted_logged_and_skipped(tmp_path, caplog, suffix):
    p = tmp_path / f"s{suffix}"
    write_lines(p, [
        json.dumps(GOOD).encode(),
        b"{not json",
        "caf\xe9".encode("latin-1"),  # wrong encoding
        json.dumps({"id": "e", "text": "   "}).encode(),  # empty text
        json.dumps([1, 2]).encode(),  # not an object
        json.dumps({"id": "t", "text": "x", "time": "yesterday"}).encode(),
        b"",
        json.dumps({**GOOD, "id": "a2", "mood": "unknown field"}).encode(),
        json.dumps({"id": "big", "text": "y" * (MAX_TEXT_CHARS + 5)}).encode(),
    ])
    h = health()
    with caplog.at_level(logging.WARNING, logger="tocsin.sources"):
        got = list(iter_reports(p, h, PS))
    assert [r.id for _, r in got] == ["a1", "a2", "big"]
    assert h.source.items_bad == 5
    assert h.unknown_fields == 1
    big = got[-1][1]
    assert big.truncated and len(big.text) == MAX_TEXT_CHARS
    assert f"{p}:2" in caplog.text and "not JSON" in caplog.text
    assert f"{p}:3" in caplog.text and "not UTF-8" in caplog.text


def test_csv_stream(tmp_path):
    p = tmp_path / "s.csv"
    p.write_text("id,time,text,lang\n1,2024-01-01T00:00:00Z,Storm damage in the port,en\n"
                 "2,2024-01-01T00:01:00Z,,en\n", encoding="utf-8")
    h = health()
    got = [r for _, r in iter_reports(p, h, PS)]
    assert [r.id for r in got] == ["1"] and got[0].lang == "en"
    assert h.source.items_bad == 1


def test_unreadable_file_is_an_error(tmp_path):
    with pytest.raises(FileUnreadable, match="cannot open"):
        list(iter_reports(tmp_path / "missing.jsonl", health(), PS))
    bad = tmp_path / "broken.jsonl.gz"
    bad.write_bytes(b"\x1f\x8b\x08\x00garbage")
    with pytest.raises(FileUnreadable):
        JsonLinesSource(bad).check()


async def test_replay_speed_keeps_order_and_batches(tmp_path):
    p = tmp_path / "s.jsonl"
    write_lines(p, [json.dumps({"id": str(i), "text": f"report {i}",
                                "time": f"2024-01-01T00:00:{i:02d}Z"}).encode() for i in range(30)])
    src = JsonLinesSource(p, speed=0, batch_size=8, pseudonymiser=PS)
    ids = [r.id for b in [b async for b in src.batches()] for r in b]
    assert ids == [str(i) for i in range(30)]
    assert src.done and src.health.source.items_total == 30


@given(st.dictionaries(st.text(max_size=8), st.one_of(st.none(), st.integers(), st.text(max_size=20),
                                                       st.lists(st.integers(), max_size=3)),
                       max_size=6))
def test_report_from_dict_never_crashes_unexpectedly(d):
    try:
        r, unknown = report_from_dict(d, source="s", pseudonymiser=PS)
    except BadInput:
        return
    assert r.text.strip() and r.id


@given(st.datetimes(timezones=st.just(__import__("datetime").timezone.utc)))
def test_parse_time_roundtrip(dt):
    assert parse_time(dt.isoformat()) == dt
