"""``tocsin detect`` and ``tocsin eval detect`` end to end on a generated stream file."""

from __future__ import annotations

import gc
import gzip
import json
import random
from datetime import UTC, datetime

from typer.testing import CliRunner

from tocsin.cli import app
from tocsin.detect.replay import REPLAY_GC_GEN0, fewer_gc_passes, pass_gc_rarely

from .conftest import FILLER, T0

runner = CliRunner()


def write_stream(path, n=80, bad_at=(5,), info=False):
    rng = random.Random(11)
    lines = []
    for i in range(n):
        if i in bad_at:
            lines.append("{not json")
            continue
        story = "valdora" if i % 2 else "kelda"
        hazard_word = "earthquake" if story == "valdora" else "storm"
        text = f"{story} {hazard_word} " + " ".join(rng.sample(FILLER, 3)) + f" {story}{i}"
        item = {"id": f"item{i}", "time": f"2026-03-01T06:{i // 2:02d}:{(i % 2) * 30:02d}Z",
                "text": text, "lang": "en", "event": story, "dataset": "fixture"}
        if info:  # gold information types, as humaid's stream has them
            item["info_type"] = "casualties" if i % 4 < 2 else "sympathy_and_support"
        lines.append(json.dumps(item))
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "wt", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    assert T0.isoformat().startswith("2026-03-01T06")


def test_detect_writes_one_line_per_readable_item(tmp_path):
    src, out, alerts = tmp_path / "s.jsonl.gz", tmp_path / "o.jsonl", tmp_path / "a.jsonl"
    write_stream(src)
    res = runner.invoke(app, ["detect", str(src), "-o", str(out), "--alerts", str(alerts),
                              "--quiet", "--no-classify", "--no-geoparse"])
    assert res.exit_code == 0, res.output
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(rows) == 79  # the unparseable line has no id, so no output line
    assert [r["id"] for r in rows] == [f"item{i}" for i in range(80) if i != 5]
    events = {r["event"] for r in rows if r["event"]}
    assert len(events) == 2
    kinds = [json.loads(x)["kind"] for x in alerts.read_text().splitlines()]
    assert kinds.count("new") == 2
    assert "1 bad lines skipped" in res.output


def test_detect_unreadable_file_is_a_one_line_error(tmp_path):
    res = runner.invoke(app, ["detect", str(tmp_path / "missing.jsonl"), "-o",
                              str(tmp_path / "o.jsonl"), "--quiet"])
    assert res.exit_code == 1
    assert "cannot read" in res.output and len(res.output.strip().splitlines()) == 1


def test_eval_detect_prints_json(tmp_path):
    src = tmp_path / "s.jsonl"
    write_stream(src, bad_at=())
    res = runner.invoke(app, ["eval", "detect", "--gold", str(src), "--no-classify",
                              "--no-geoparse"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output[res.output.index("{"):])
    assert out["items"] == 80
    assert out["bcubed"]["f1"] > 0.8
    assert out["detection"]["detected_share"] == 1.0
    assert out["noise_purity"] is None
    assert "breakdown" not in out
    # every event's title, at the end and as first announced, is one of its own reports
    for titles in (out["titles"], out["titles"]["at_opening"]):
        assert titles["events"] >= 1 and titles["on_topic_share"] == 1.0
        assert titles["actionable_share"] is None  # the file gives no information types
    assert out["titles"]["changes_per_event"] >= 0.0


def test_eval_detect_scores_titles_by_gold_information_type(tmp_path):
    src = tmp_path / "s.jsonl"
    write_stream(src, bad_at=(), info=True)
    res = runner.invoke(app, ["eval", "detect", "--gold", str(src), "--no-classify",
                              "--no-geoparse"])
    assert res.exit_code == 0, res.output
    titles = json.loads(res.output[res.output.index("{"):])["titles"]
    assert 0.0 <= titles["actionable_share"] <= 1.0
    assert 0.0 <= titles["at_opening"]["actionable_share"] <= 1.0


def test_eval_detect_breakdown_says_where_the_items_went(tmp_path):
    src = tmp_path / "s.jsonl"
    write_stream(src, bad_at=())
    res = runner.invoke(app, ["eval", "detect", "--gold", str(src), "--no-classify",
                              "--no-geoparse", "--breakdown"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output[res.output.index("{"):])["breakdown"]
    assert {r["gold"] for r in out["gold_events"]} == {"valdora", "kelda"}
    assert sum(r["items"] for r in out["gold_events"]) == 80
    assert {r["opened_by"] for r in out["events"]} == {"valdora", "kelda"}
    assert not any(r["false_alarm"] for r in out["events"])
    for r in out["events"]:  # counts and ids only: no report text travels
        assert set(r) == {"event", "items", "noise_share", "gold", "opened_by", "false_alarm"}


def test_detect_rejects_unknown_option(tmp_path):
    src = tmp_path / "s.jsonl"
    write_stream(src, n=3, bad_at=())
    res = runner.invoke(app, ["detect", str(src), "-o", str(tmp_path / "o"), "--set",
                              "no_such_option=1", "--quiet"])
    assert res.exit_code == 2


def test_alerts_carry_an_escalation_raised_in_the_middle_of_a_batch(tmp_path):
    """One batch: a slow story opens an event (routine), a burst of many independent
    sources raises it to urgent, then the story goes on. The alerts file must hold an
    ``escalated`` alert fired at the burst's stream time, not at the end of the batch."""
    rng = random.Random(5)
    t0 = T0.timestamp()
    lines = []

    def item(i, minute, author):
        words = ["valdora", "quake"] + rng.sample(FILLER, 3)
        rng.shuffle(words)
        ts = datetime.fromtimestamp(t0 + minute * 60, tz=UTC).isoformat()
        lines.append(json.dumps({"id": f"i{i}", "time": ts, "text": " ".join(words) + f" v{i}",
                                 "lang": "en", "author": author}))

    n = 0
    for k in range(8):  # slow start: eight posts over an hour
        item(n, k * 8, f"early{k}")
        n += 1
    for k in range(100):  # the burst: a hundred independent sources within five minutes
        item(n, 120 + k * 0.05, f"burst{k}")
        n += 1
    for k in range(20):  # and the story goes on for hours
        item(n, 300 + k * 20, f"late{k % 5}")
        n += 1
    src, out, alerts = tmp_path / "s.jsonl", tmp_path / "o.jsonl", tmp_path / "a.jsonl"
    src.write_text("\n".join(lines) + "\n")
    res = runner.invoke(app, ["detect", str(src), "-o", str(out), "--alerts", str(alerts),
                              "--quiet", "--no-classify", "--no-geoparse",
                              "--batch-size", "1000"])
    assert res.exit_code == 0, res.output
    rows = [json.loads(x) for x in alerts.read_text().splitlines()]
    kinds = [r["kind"] for r in rows]
    assert kinds[0] == "new" and "escalated" in kinds, kinds
    esc = rows[kinds.index("escalated")]
    fired = datetime.fromisoformat(esc["fired_at"]).timestamp()
    # fired during the burst (stream time), long before the batch's last item
    assert t0 + 120 * 60 <= fired <= t0 + 126 * 60
    assert esc["event"]["tier"] in ("urgent", "flash")
    assert all("fired_at" in r for r in rows)


def test_replay_restores_the_gc_thresholds():
    before = gc.get_threshold()
    with fewer_gc_passes():
        assert gc.get_threshold()[0] == max(REPLAY_GC_GEN0, before[0])
        assert gc.get_threshold()[1:] == before[1:]
    assert gc.get_threshold() == before
    try:
        with fewer_gc_passes():
            raise KeyError("x")
    except KeyError:
        pass
    assert gc.get_threshold() == before


def test_pass_gc_rarely_raises_the_first_threshold_and_never_lowers_it():
    before = gc.get_threshold()
    try:
        gc.set_threshold(700, *before[1:])
        assert pass_gc_rarely(50_000) == (700, *before[1:])
        assert gc.get_threshold() == (50_000, *before[1:])
        gc.set_threshold(90_000, *before[1:])
        pass_gc_rarely(50_000)
        assert gc.get_threshold()[0] == 90_000
    finally:
        gc.set_threshold(*before)
