"""Reading JSON-lines (plain/gz), counting bad lines, and id-hash splits."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tocsin.enrich.classify.data import BadLine, fold_of, iter_jsonl, split_of


def test_plain_and_gzip(tmp_path: Path) -> None:
    lines = ['{"id": "a", "text": "x"}', "not json", "[1, 2]", "", '{"id": "b", "text": "y"}']
    plain = tmp_path / "in.jsonl"
    plain.write_text("\n".join(lines), encoding="utf-8")
    gz = tmp_path / "in.data"  # gzip is detected by content, not by name
    with gzip.open(gz, "wt", encoding="utf-8") as fh:
        fh.write("\n".join(lines))
    for p in (plain, gz):
        bad: list[BadLine] = []
        got = list(iter_jsonl(p, bad))
        assert [n for n, _ in got] == [1, 5]
        assert [(b.line, b.reason.split(" ")[0]) for b in bad] == [(2, "not"), (3, "not")]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=30),
                          st.dictionaries(st.text(max_size=5), st.integers(), max_size=3)
                          .map(json.dumps)), max_size=20))
def test_parser_accounts_for_every_nonblank_line(tmp_path_factory, lines: list[str]) -> None:
    lines = [ln.replace("\n", " ").replace("\r", " ") for ln in lines]
    p = tmp_path_factory.mktemp("p") / "x.jsonl"
    p.write_text("\n".join(lines), encoding="utf-8")
    bad: list[BadLine] = []
    good = list(iter_jsonl(p, bad))
    nonblank = sum(1 for ln in "\n".join(lines).split("\n") if ln.strip())
    assert len(good) + len(bad) == nonblank


def test_splits_are_stable_and_balanced() -> None:
    ids = [f"kaggle:{i:06x}" for i in range(5000)]
    folds = [fold_of(i) for i in ids]
    assert folds == [fold_of(i) for i in ids]
    share = folds.count(0) / len(folds)
    assert 0.17 < share < 0.23
    assert split_of({"id": "x", "split": "test"}) == "test"
    assert split_of({"id": ids[folds.index(0)]}) == "test"
