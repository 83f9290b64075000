"""The classify / eval classify commands on small files made here."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from typer.testing import CliRunner

from tocsin.cli import app

from .fixtures import CRISIS, NOT_CRISIS

runner = CliRunner()


def _write(path: Path, lines: list[str]) -> None:
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")


def test_classify_file_with_bad_lines(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl.gz"
    lines = [json.dumps({"id": f"i{i}", "text": t, "lang": lang})
             for i, (lang, t, _, _) in enumerate(CRISIS)]
    lines.insert(2, "{broken")
    lines.append(json.dumps({"id": "nolang", "text": "Massive flooding downtown"}))
    lines.append(json.dumps({"id": "notext"}))
    _write(src, lines)
    out = tmp_path / "out.jsonl"
    r = runner.invoke(app, ["classify", str(src), "-o", str(out)])
    assert r.exit_code == 0, r.output
    got = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [g["id"] for g in got] == [f"i{i}" for i in range(len(CRISIS))] + ["nolang"]
    assert got[-1]["lang"] == "en"
    for g in got:
        assert {"id", "lang", "info_type", "scores", "relevant", "hazard", "needs"} <= set(g)
    assert "in.jsonl.gz:3" in r.output and "in.jsonl.gz:" + str(len(lines)) in r.output


def test_unreadable_file_exits_1(tmp_path: Path) -> None:
    r = runner.invoke(app, ["classify", str(tmp_path / "missing.jsonl"), "-o",
                            str(tmp_path / "o.jsonl")])
    assert r.exit_code == 1
    assert "missing.jsonl" in r.output


def test_eval_classify_prints_metrics(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    rows = [{"id": f"c{i}", "text": t, "lang": lang, "relevant": True, "hazard": hz,
             "info_type": "other_relevant"} for i, (lang, t, hz, _) in enumerate(CRISIS)]
    rows += [{"id": f"n{i}", "text": t, "lang": lang, "relevant": False,
              "info_type": "not_relevant"} for i, (lang, t) in enumerate(NOT_CRISIS)]
    gold.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    r = runner.invoke(app, ["eval", "classify", "--gold", str(gold)])
    assert r.exit_code == 0, r.output
    rep = json.loads(r.stdout)
    assert rep["info_type"]["n"] == len(rows)
    assert 0 <= rep["info_type"]["macro_f1"] <= 1
    assert "per_language" in rep["info_type"] and "ece" in rep["info_type"]
    assert rep["relevance"]["f1"] >= 0.8
