"""The geoparse, eval geoparse and gazetteer commands, on synthetic files."""

from __future__ import annotations

import gzip
import json

from typer.testing import CliRunner

from tocsin.cli import app

runner = CliRunner()


def test_geoparse_counts_bad_lines_and_keeps_order(cache_env, tmp_path):
    src = tmp_path / "in.jsonl.gz"
    with gzip.open(src, "wt", encoding="utf-8") as f:
        f.write(json.dumps({"id": "a", "text": "Shelling in Kharkiv."}) + "\n")
        f.write("{not json\n")
        f.write(json.dumps({"id": "b", "text": "ירי לעבר שדרות", "lang": "he"}) + "\n")
        f.write(json.dumps({"id": "c"}) + "\n")
        f.write(json.dumps({"id": "d", "text": "nothing here"}) + "\n")
    out = tmp_path / "out.jsonl"
    res = runner.invoke(app, ["geoparse", str(src), "-o", str(out), "-q"])
    assert res.exit_code == 0, res.output
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == ["a", "b", "d"]
    assert rows[0]["places"][0]["name"] == "Kharkiv"
    assert set(rows[0]["places"][0]) == {"start", "end", "phrase", "geonameid", "name", "lat",
                                         "lon", "country"}
    assert rows[1]["places"][0]["country"] == "IL"
    assert rows[2]["places"] == []
    assert "in.jsonl.gz:2" in res.output and "in.jsonl.gz:4" in res.output
    assert "2 bad lines" in res.output


def test_geoparse_unreadable_file_exits_1(cache_env, tmp_path):
    res = runner.invoke(app, ["geoparse", str(tmp_path / "missing.jsonl"), "-o",
                              str(tmp_path / "o.jsonl")])
    assert res.exit_code == 1
    assert "cannot read" in res.output
    bad_gz = tmp_path / "bad.jsonl.gz"
    bad_gz.write_bytes(b"not gzip at all")
    res = runner.invoke(app, ["geoparse", str(bad_gz), "-o", str(tmp_path / "o.jsonl")])
    assert res.exit_code == 1


def test_eval_geoparse_json(cache_env, tmp_path):
    text = "Aid convoys left Rafah for Khan Yunis; Paris pledged money."
    gold = {"id": "g1", "text": text, "toponyms": [
        {"start": 17, "end": 22, "phrase": "Rafah", "lat": 31.2972, "lon": 34.2436},
        {"start": 27, "end": 37, "phrase": "Khan Yunis", "lat": 31.3402, "lon": 34.3063},
        {"start": 39, "end": 44, "phrase": "Paris", "lat": 48.8534, "lon": 2.3488}]}
    assert text[39:44] == "Paris"
    f = tmp_path / "gold.geo.jsonl"
    f.write_text(json.dumps(gold) + "\n")
    res = runner.invoke(app, ["eval", "geoparse", "--gold", str(f)])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["recognition"]["recall"] == 1.0
    assert out["resolution"]["acc161"] == 1.0
    assert out["end_to_end"]["n"] == 3


def test_gazetteer_info(cache_env):
    res = runner.invoke(app, ["gazetteer", "info"])
    assert res.exit_code == 0, res.output
    info = json.loads(res.stdout)
    assert info["entities"] > 1000 and info["keys"] > info["countries"]


def test_gazetteer_build_if_missing_is_a_no_op(cache_env):
    res = runner.invoke(app, ["gazetteer", "build", "--if-missing"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["built"] is False
