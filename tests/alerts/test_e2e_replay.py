"""End to end: ``tocsin replay`` of a small synthetic stream (written by the test, no
corpus) with four subscriptions — a signed webhook to a local receiver, email to a local
aiosmtpd server, SSE to a live client on ``/api/v1/stream`` and an Atom feed — all real
servers on loopback. An escalating event must give one alert per step, never repeats.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest

from .receivers import MailSink, WebhookReceiver, free_port

SECRET = "e2e-webhook-secret-0123456789"
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
GAP_S = 1200  # stream seconds between the warm-up item and the crisis: time to connect SSE
SPEED = 200.0
#: first a few reports of shaking from two accounts (a routine event), then many independent
#: witnesses reporting deaths (it must escalate)
MILD = [
    "Earthquake felt in Port-au-Prince just now, strong shaking, everyone outside",
    "Did anyone else feel that earthquake in Port-au-Prince? Shaking for 20 seconds",
]
SEVERE = [
    "Strong earthquake hits Port-au-Prince, Haiti: buildings collapsed, people killed",
    "Earthquake in Port-au-Prince, Haiti. Many dead and injured under the rubble",
    "Massive quake shakes Port-au-Prince Haiti, death toll rising, hospitals overwhelmed",
    "Haiti earthquake: at least 20 killed in Port-au-Prince as houses collapse",
    "Port-au-Prince earthquake: families trapped, rescuers dig through rubble, many dead",
]


def write_stream(path: Path, mild: int = 8, severe: int = 32) -> None:
    rows = [{"id": "warmup", "time": T0.isoformat(), "author": "w0", "lang": "en",
             "text": "Lovely sunny afternoon at the market, nothing to report"}]
    t = T0 + timedelta(seconds=GAP_S)
    for i in range(mild):
        rows.append({"id": f"m{i}", "time": (t + timedelta(seconds=30 * i)).isoformat(),
                     "author": f"early{i % 2}", "lang": "en",
                     "text": f"{MILD[i % len(MILD)]} ({i})"})
    t += timedelta(seconds=30 * mild)
    for i in range(severe):
        rows.append({"id": f"s{i}", "time": (t + timedelta(seconds=15 * i)).isoformat(),
                     "author": f"witness{i}", "lang": "en",
                     "text": f"{SEVERE[i % len(SEVERE)]} (update {i})"})
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def tocsin(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from tocsin.cli import main; main()", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "TOCSIN_HOME": str(cwd)})


class SSEClient(threading.Thread):
    def __init__(self, url: str, headers: dict[str, str] | None = None):
        super().__init__(daemon=True)
        self.url, self.alerts, self.connected = url, [], threading.Event()
        self.headers = headers or {}
        self.stop = threading.Event()

    def run(self) -> None:
        with httpx.Client(timeout=None) as c, c.stream("GET", self.url, headers=self.headers) as r:
            kind = None
            for line in r.iter_lines():
                if line.startswith("event:"):
                    kind = line.split(":", 1)[1].strip()
                    if kind == "hello":
                        self.connected.set()
                elif line.startswith("data:") and kind == "alert":
                    self.alerts.append(json.loads(line.split(":", 1)[1]))
                if self.stop.is_set():
                    return


def wait_until(cond, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.1)
    return False


def test_replay_delivers_through_every_channel(tmp_path):
    aiosmtpd = pytest.importorskip("aiosmtpd.controller")
    from tocsin.enrich.chain import default_stages

    try:  # `tocsin replay` needs the shipped models (classifier, gazetteer)
        default_stages("fast")
    except Exception as e:  # noqa: BLE001 - any reason, named in the skip message
        pytest.skip(f"the enrichment chain cannot be built here, so neither can "
                    f"`tocsin replay`: {e}")
    api_port, smtp_port = free_port(), free_port()
    sink = MailSink()
    smtp = aiosmtpd.Controller(sink, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    cfg = tmp_path / "tocsin.toml"
    cfg.write_text(f"""
db = "tocsin.db"
port = {api_port}
log_level = "warning"
sources = []
[alerts]
allow_private_urls = true
min_update_interval_s = 86400
drain_timeout_s = 30
[alerts.smtp]
host = "127.0.0.1"
port = {smtp_port}
[alerts.retry]
attempts = 3
base_s = 0.05
""", encoding="utf-8")
    stream = tmp_path / "stream.jsonl"
    write_stream(stream)
    proc = None
    with WebhookReceiver(SECRET) as rx:
        try:
            subs = {}
            for label, args in {
                "webhook": ["--webhook", rx.url, "--secret", SECRET],
                "email": ["--email", "ops@example.org"],
                "sse": ["--channel", "sse"],
                "atom": ["--channel", "atom", "--countries", "HT"],
            }.items():
                r = tocsin("subscriptions", "add", "--name", label, *args, "--config", str(cfg),
                           cwd=tmp_path)
                assert r.returncode == 0, r.stderr
                subs[label] = json.loads(r.stdout)["id"]
            r = tocsin("keys", "create", "--name", "e2e", "--scope", "admin", "--config",
                       str(cfg), cwd=tmp_path)
            assert r.returncode == 0, r.stderr
            key = r.stdout.strip()

            proc = subprocess.Popen(
                [sys.executable, "-c", "from tocsin.cli import main; main()", "replay",
                 str(stream), "--speed", str(SPEED), "--config", str(cfg), "--keep-serving"],
                cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                env={**os.environ, "TOCSIN_HOME": str(tmp_path)})
            base = f"http://127.0.0.1:{api_port}"

            def up() -> bool:
                try:
                    return httpx.get(base + "/healthz", timeout=1).status_code == 200
                except httpx.HTTPError:
                    assert proc.poll() is None, proc.stdout.read()
                    return False

            assert wait_until(up, 90), "API did not come up"
            auth = {"Authorization": f"Bearer {key}"}
            # a public listener must never see a subscription's alerts
            public = SSEClient(base + "/api/v1/stream")
            public.start()
            sse = SSEClient(f"{base}/api/v1/stream?subscription={subs['sse']}", headers=auth)
            sse.start()
            assert sse.connected.wait(10) and public.connected.wait(10)
            assert httpx.get(f"{base}/api/v1/stream?subscription={subs['sse']}",
                             timeout=5).status_code == 404  # no key, no private stream

            def stats():
                return httpx.get(base + "/api/v1/stats", timeout=5).json()["pipeline"]

            assert wait_until(lambda: stats()["processed"] == 41, 60), stats()
            stored = {}
            for label, sid in subs.items():
                r = httpx.get(f"{base}/api/v1/alerts?subscription={sid}", headers=auth)
                stored[label] = r.json()["alerts"][::-1]  # oldest first
            assert stored["webhook"], "the replayed crisis raised no alert"
            assert wait_until(lambda: len(rx.alerts) == len(stored["webhook"]), 30)
            assert wait_until(lambda: len(sink.messages) == len(stored["email"]), 30)
            assert wait_until(lambda: len(sse.alerts) >= len(stored["sse"]), 10)
            assert public.alerts == []
            feed = httpx.get(f"{base}/api/v1/subscriptions/{subs['atom']}/feed.atom").text
            sse.stop.set()
            public.stop.set()
        finally:
            if proc is not None:
                proc.send_signal(signal.SIGTERM)
                try:
                    out, _ = proc.communicate(timeout=60)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    out, _ = proc.communicate()
            smtp.stop()

    # webhook: every delivery signed and verified by the receiver, in order, no repeats
    assert rx.bad_signatures == 0
    assert [a["id"] for a in rx.alerts] == [a["id"] for a in stored["webhook"]]
    assert len({r["headers"]["Idempotency-Key"] for r in rx.requests}) == len(rx.alerts)
    # email: one message per alert
    assert sorted(m["X-Tocsin-Alert-Id"] for m in sink.messages) == sorted(
        a["id"] for a in stored["email"])
    # SSE: the live client saw this subscription's alerts
    assert {a["id"] for a in stored["sse"]} <= {a["id"] for a in sse.alerts}
    # Atom: the feed lists every alert of its subscription
    import feedparser

    f = feedparser.parse(feed)
    assert {e.id for e in f.entries} == {f"urn:tocsin:alert:{a['id']}" for a in stored["atom"]}
    assert stored["atom"]

    # anti-flood: per (subscription, event) one "new", then only escalations, each a tier up,
    # each linked to the previous alert; and the crisis did escalate at least once
    rank = {"routine": 0, "urgent": 1, "flash": 2}
    escalations = 0
    for alerts in stored.values():
        chains: dict[str, list[dict]] = {}
        for a in alerts:
            chains.setdefault(a["event_id"], []).append(a)
        for chain in chains.values():
            assert [a["kind"] for a in chain][0] == "new"
            assert all(a["kind"] == "escalated" for a in chain[1:]), chain
            tiers = [rank[a["tier"]] for a in chain]
            assert tiers == sorted(set(tiers)), f"repeated tier in {chain}"
            assert all(b["update_of"] == a["id"] for a, b in zip(chain, chain[1:], strict=False))
            escalations += len(chain) - 1
    assert escalations >= 1, "no escalation happened; the stream is meant to escalate"
