"""End to end through the CLI: `tocsin replay` serving the API while it ingests, SSE live,
SIGTERM mid-stream then a rerun, and the privacy scan of what a run leaves behind."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from support.services import free_port
from support.streams import HANDLES, write_stream

TOCSIN = [sys.executable, "-m", "tocsin"]


def start_replay(stream: Path, db: Path, port: int, log: Path, *, speed: float, keep: bool):
    args = [*TOCSIN, "replay", str(stream), "--speed", str(speed), "--db", str(db),
            "--port", str(port), "--keep-serving" if keep else "--exit"]
    env = {**os.environ, "TOCSIN_HOME": str(db.parent)}
    return subprocess.Popen(args, stdout=log.open("ab"), stderr=subprocess.STDOUT, env=env)


def wait_http(url: str, proc: subprocess.Popen, timeout: float = 60, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
            raise AssertionError(f"server exited early with {proc.returncode}:\n{tail}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} not up within {timeout}s")


def stop(proc: subprocess.Popen, sig=signal.SIGTERM, timeout: float = 30) -> int:
    if proc.poll() is None:
        proc.send_signal(sig)
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise


def test_replay_serves_events_live_and_sse(tmp_path):
    stream = tmp_path / "s.jsonl"
    items = write_stream(stream, 900, step_s=10)
    port = free_port()
    log = tmp_path / "log.txt"
    # 9,000 s of stream at speed 1,500: about six seconds of replay
    proc = start_replay(stream, tmp_path / "t.db", port, log, speed=1500, keep=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(base + "/healthz", proc, log=log)
        got_sse_event = False
        seen_while_running = False
        with httpx.stream("GET", base + "/api/v1/stream", timeout=30) as resp:
            assert resp.headers["content-type"].startswith("text/event-stream")
            deadline = time.monotonic() + 30
            for line in resp.iter_lines():
                if line.startswith("event: event"):
                    got_sse_event = True
                    break
                if time.monotonic() > deadline:
                    break
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            stats = httpx.get(base + "/api/v1/stats").json()
            events = httpx.get(base + "/api/v1/events").json()
            if events["total"] and stats["reports"] < len(items):
                seen_while_running = True
                break
            if stats["reports"] >= len(items):
                break
            time.sleep(0.05)
        assert got_sse_event, "no event change arrived over SSE"
        assert seen_while_running, "events must be visible while the replay is still running"
        # wait for the end of the replay (generous: a loaded CI machine is slow), then check
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if httpx.get(base + "/api/v1/stats").json()["reports"] >= len(items):
                break
            time.sleep(0.05)
        assert httpx.get(base + "/healthz").json()["reports"] == len(items)
        evs = httpx.get(base + "/api/v1/events", params={"limit": 100}).json()["events"]
        assert evs
        one = httpx.get(base + f"/api/v1/events/{evs[0]['id']}").json()
        assert one["reports"] and "text" not in one["reports"][0]
        assert httpx.get(base + "/api/v1/events/nope").status_code == 404
        assert httpx.get(base + "/docs").status_code == 200
        assert httpx.get(base + "/api/v1/sources").json()["sources"][0]["items_total"] == len(items)
    finally:
        assert stop(proc) == 0
    privacy_scan(tmp_path, log)


def privacy_scan(folder: Path, log: Path) -> None:
    """No raw handle may survive anywhere a run writes: database, WAL, logs."""
    blobs = [p.read_bytes() for p in folder.iterdir() if p.is_file() and p.suffix != ".jsonl"]
    blobs.append(log.read_bytes())
    con = sqlite3.connect(folder / "t.db")
    dump = "\n".join(con.iterdump()).encode()
    con.close()
    blobs.append(dump)
    for h in HANDLES:
        needle = h.lstrip("@").encode()
        for b in blobs:
            assert needle not in b, f"raw handle {h} found in a file written by the run"


def test_sigterm_then_rerun_leaves_no_duplicates(tmp_path):
    stream = tmp_path / "s.jsonl"
    items = write_stream(stream, 1500, step_s=10)
    db = tmp_path / "t.db"
    log = tmp_path / "log.txt"
    port = free_port()
    proc = start_replay(stream, db, port, log, speed=3000, keep=False)
    wait_http(f"http://127.0.0.1:{port}/healthz", proc, log=log)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        n = httpx.get(f"http://127.0.0.1:{port}/healthz").json()["reports"]
        if n > 100:
            break
        time.sleep(0.02)
    assert stop(proc) == 0
    con = sqlite3.connect(db)
    first = con.execute("select count(*) from reports").fetchone()[0]
    con.close()
    assert 0 < first < len(items), "SIGTERM should stop the replay mid-stream"
    proc = start_replay(stream, db, free_port(), log, speed=0, keep=False)
    assert proc.wait(120) == 0
    con = sqlite3.connect(db)
    total, distinct = con.execute("select count(*), count(distinct id) from reports").fetchone()
    assigned = con.execute("select count(*) from reports where event_id is not null").fetchone()[0]
    con.close()
    assert total == distinct == len(items)
    assert assigned > 0
    privacy_scan(tmp_path, log)


def test_rerun_knows_reposts_of_the_last_run(tmp_path):
    """The dedup window is saved at exit and restored at start: a repost (new id, same
    words) of a report from the previous run is stored as its copy, not as news."""
    stream = tmp_path / "s.jsonl"
    items = write_stream(stream, 300, step_s=10)
    later = tmp_path / "later.jsonl"
    picked = items[-40::4]  # ten reports from the end of the first run
    with open(later, "w", encoding="utf-8") as f:
        for k, it in enumerate(picked):
            f.write(json.dumps({**it, "id": f"repost{k}", "time": "2024-06-01T00:00:00Z",
                                "text": "RT " + it["text"]}) + "\n")
    db, log = tmp_path / "t.db", tmp_path / "log.txt"
    for path in (stream, later):
        proc = start_replay(path, db, free_port(), log, speed=0, keep=False)
        assert proc.wait(180) == 0, log.read_text(errors="replace")[-3000:]
    con = sqlite3.connect(db)
    got = dict(con.execute("select id, duplicate_of from reports where id like 'repost%'"))
    first_run = {r[0] for r in con.execute("select id from reports where id like 't%'")}
    con.close()
    assert len(got) == len(picked)
    for k in range(len(picked)):
        # a copy of a report of the first run (of its own original, or of an earlier report
        # that the same template made all but identical: that is a near copy too)
        assert got[f"repost{k}"] in first_run, f"repost{k} was not recognised as a copy"
    assert "dedup window restored" in log.read_text(errors="replace")


def test_unreadable_file_is_one_line_and_nonzero(tmp_path):
    r = subprocess.run([*TOCSIN, "replay", str(tmp_path / "missing.jsonl"), "--db",
                        str(tmp_path / "t.db")], capture_output=True, text=True, timeout=60)
    assert r.returncode != 0
    assert r.stderr.strip().count("\n") == 0 and "cannot open" in r.stderr


def test_a_bad_detector_option_stops_run_with_one_line_naming_it(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[detector]\nmerge_interval = "6h"\n', encoding="utf-8")
    r = subprocess.run([*TOCSIN, "run", "--config", str(cfg), "--db", str(tmp_path / "t.db")],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode != 0
    assert r.stderr.strip().count("\n") == 0
    assert "merge_interval must be a number, not '6h'" in r.stderr


@pytest.mark.skipif(not os.environ.get("TOCSIN_TEST_RUN_OFFLINE", "1"), reason="disabled")
def test_run_with_no_network_keeps_serving(tmp_path):
    """`tocsin run` with feeds it cannot reach: serves /healthz, reports sources failing."""
    cfg = tmp_path / "c.toml"
    cfg.write_text(
        'feed_interval = 0.2\n[[sources]]\nkind = "feed"\nname = "unreachable"\n'
        'url = "http://127.0.0.1:9/feed.xml"\n', encoding="utf-8")
    port = free_port()
    log = tmp_path / "log.txt"
    proc = subprocess.Popen([*TOCSIN, "run", "--config", str(cfg), "--db", str(tmp_path / "t.db"),
                             "--port", str(port)], stdout=log.open("wb"), stderr=subprocess.STDOUT)
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz", proc, timeout=60, log=log)
        for _ in range(100):
            srcs = httpx.get(f"http://127.0.0.1:{port}/api/v1/sources").json()["sources"]
            if srcs and srcs[0]["consecutive_failures"] >= 1:
                break
            time.sleep(0.1)
        assert srcs[0]["name"] == "unreachable" and not srcs[0]["healthy"]
        assert srcs[0]["last_error"]
    finally:
        assert stop(proc, signal.SIGINT) == 0


def test_http_push_ingest(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text("sources = []\n", encoding="utf-8")
    port = free_port()
    log = tmp_path / "log.txt"
    proc = subprocess.Popen([*TOCSIN, "run", "--config", str(cfg), "--db", str(tmp_path / "t.db"),
                             "--port", str(port)], stdout=log.open("wb"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(base + "/healthz", proc, log=log)
        items = [{"id": f"p{i}", "text": f"Flooding reported in Goma, street {i} under water",
                  "time": "2024-05-01T06:00:00Z", "author": "@secret_handle_001"} for i in range(20)]
        items += [{"id": "bad", "text": ""}, "not an object"]
        r = httpx.post(base + "/api/v1/ingest", json=items)
        assert r.status_code == 202
        body = r.json()
        assert body["accepted"] == 20
        assert [x["index"] for x in body["rejected"]] == [20, 21]
        assert httpx.post(base + "/api/v1/ingest", json=items[:5]).json()["accepted"] == 5
        for _ in range(100):
            if httpx.get(base + "/healthz").json()["reports"] == 20:
                break
            time.sleep(0.05)
        assert httpx.get(base + "/healthz").json()["reports"] == 20  # resubmission stored once
        push = [s for s in httpx.get(base + "/api/v1/sources").json()["sources"] if s["name"] == "push"]
        assert push and push[0]["items_bad"] == 2
    finally:
        assert stop(proc) == 0
    privacy_scan(tmp_path, log)
