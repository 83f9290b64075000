"""RSS/Atom polling against a real HTTP server on loopback replaying recorded feeds."""

import asyncio
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from tocsin.sources.feeds import FeedSource, backoff_delay

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Agency</title>
<item><title>Flood warning for the river valley</title><link>https://example.org/a</link>
<guid>a</guid><pubDate>Mon, 04 Mar 2024 10:00:00 GMT</pubDate>
<description>&lt;p&gt;Water levels rising&lt;/p&gt;</description></item>
<item><title>Earthquake M6.1 near the coast</title><link>https://example.org/b</link><guid>b</guid></item>
</channel></rss>"""


class FeedServer:
    def __init__(self):
        self.hits = []
        self.mode = "ok"
        outer = self

        class H(BaseHTTPRequestHandler):
            def do_GET(self):
                outer.hits.append(dict(self.headers))
                if outer.mode == "fail":
                    self.send_response(503)
                    self.end_headers()
                    return
                if self.headers.get("If-None-Match") == '"v1"':
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("ETag", '"v1"')
                self.end_headers()
                self.wfile.write(RSS)

            def log_message(self, *a):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/rss"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = FeedServer()
    yield s
    s.close()


async def test_poll_parses_entries_and_uses_etag(server):
    src = FeedSource(server.url, name="Agency")
    async with httpx.AsyncClient() as client:
        first = await src.poll_once(client)
        second = await src.poll_once(client)
    assert [r.text.split(". ")[0] for r in first] == [
        "Flood warning for the river valley", "Earthquake M6.1 near the coast"]
    assert "<p>" not in first[0].text and "Water levels rising" in first[0].text
    assert first[0].source == "Agency" and first[0].author_key is None
    assert first[0].extra.get("org") is True  # organisational corroboration
    assert first[0].url == "https://example.org/a"
    assert second == []
    assert server.hits[1].get("If-None-Match") == '"v1"'


async def test_failures_mark_source_unhealthy_and_back_off(server):
    server.mode = "fail"
    src = FeedSource(server.url, name="Agency", interval=0.01, max_backoff=0.05, seed=1)
    it = src.batches().__aiter__()
    task = asyncio.ensure_future(it.__anext__())
    await asyncio.sleep(0.3)
    task.cancel()
    assert src.health.source.consecutive_failures >= 2
    assert "503" in src.health.source.last_error
    assert not src.health.source.healthy


async def test_no_network_is_a_failing_source_not_a_crash():
    src = FeedSource("http://127.0.0.1:9/none", name="Down", interval=0.01, max_backoff=0.02)
    it = src.batches().__aiter__()
    task = asyncio.ensure_future(it.__anext__())
    await asyncio.sleep(0.2)
    assert not task.done()
    task.cancel()
    assert src.health.source.consecutive_failures >= 1


def test_backoff_grows_and_is_capped():
    import random

    rng = random.Random(0)
    assert backoff_delay(0, 10, 100, rng) == 10
    for f in range(1, 30):
        assert 5 <= backoff_delay(f, 10, 100, rng) <= 100
