"""Thinned replays (``tocsin eval detect --thin``): the same stream at a lower volume."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tocsin.cli import app
from tocsin.detect.replay import ReplayResult, iter_reports, keeps

from .test_cli import write_stream

runner = CliRunner()

ids = st.text(min_size=1, max_size=40)
shares = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(ids, shares, shares, st.integers(min_value=0, max_value=2**32))
def test_a_smaller_share_keeps_a_subset_of_a_larger_one(rid, s1, s2, seed):
    lo, hi = sorted((s1, s2))
    if keeps(rid, lo, seed):
        assert keeps(rid, hi, seed)
    assert keeps(rid, 1.0, seed)
    assert not keeps(rid, 0.0, seed)
    assert keeps(rid, lo, seed) == keeps(rid, lo, seed)  # the same choice every time


def test_the_share_kept_is_close_to_the_share_asked_and_the_seed_changes_the_choice():
    population = [f"item{i}" for i in range(20_000)]
    one = {r for r in population if keeps(r, 0.25, 1)}
    two = {r for r in population if keeps(r, 0.25, 2)}
    assert 0.23 < len(one) / len(population) < 0.27
    assert one != two and 0.2 < len(one & two) / len(one) < 0.3  # about independent


def test_thinning_does_not_depend_on_the_batch_size(tmp_path):
    src = tmp_path / "s.jsonl"
    write_stream(src, n=120, bad_at=(7,))
    got = {}
    for size in (1, 13, 1000):
        res = ReplayResult()
        got[size] = [r.id for b in iter_reports(src, res, size, thin=0.4, seed=5) for r in b]
        assert res.bad == 1  # a bad line is still counted, whatever thinning keeps
    assert got[1] == got[13] == got[1000]
    assert got[1] == [f"item{i}" for i in range(120) if i != 7 and keeps(f"item{i}", 0.4, 5)]


def test_eval_detect_thin_scores_the_items_kept(tmp_path):
    src = tmp_path / "s.jsonl"
    write_stream(src, n=120, bad_at=())
    res = runner.invoke(app, ["eval", "detect", "--gold", str(src), "--no-classify",
                              "--no-geoparse", "--thin", "0.5", "--seed", "3"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output[res.output.index("{"):])
    assert out["thinned"] == {"share": 0.5, "seed": 3}
    assert out["items"] == sum(keeps(f"item{i}", 0.5, 3) for i in range(120))
    assert out["events_final"] >= 1 and 0.0 < out["bcubed"]["f1"] <= 1.0


def test_eval_detect_rejects_a_share_outside_zero_to_one(tmp_path):
    src = tmp_path / "s.jsonl"
    write_stream(src, bad_at=())
    for bad in ("0", "1.5", "-0.2"):
        res = runner.invoke(app, ["eval", "detect", "--gold", str(src), "--no-classify",
                                  "--no-geoparse", "--thin", bad])
        assert res.exit_code == 2
        assert "thin must be in (0, 1]" in res.output
