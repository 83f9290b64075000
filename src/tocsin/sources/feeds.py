"""RSS/Atom polling: conditional GETs, exponential back-off with jitter, per-source health.

Feeds are organisational sources (an agency's wire): reports keep the configured feed name
as their source and carry no author key. A feed that fails keeps being retried with growing
gaps (capped), and never stops the rest of the pipeline; with no network at all, ``tocsin
run`` keeps serving and the sources page shows every feed as failing.
"""

from __future__ import annotations

import asyncio
import calendar
import random
from collections import OrderedDict
from collections.abc import AsyncIterator
from datetime import datetime, timezone

import feedparser
import httpx
import xxhash

from .. import __version__
from ..model import Report, SourceKind
from .health import SourceHealth
from .records import BadInput, report_from_dict

USER_AGENT = f"tocsin/{__version__} (+https://github.com/tocsin; crisis monitoring)"


def backoff_delay(failures: int, base: float, cap: float, rng: random.Random) -> float:
    """Full-jitter exponential back-off: uniform in [0, min(cap, base * 2**failures)]."""
    if failures <= 0:
        return base
    return rng.uniform(base / 2, min(cap, base * (2 ** min(failures, 20))))


def entries_to_items(parsed, feed_name: str) -> list[dict]:
    items = []
    for e in parsed.entries:
        title = (e.get("title") or "").strip()
        summary = (e.get("summary") or "").strip()
        text = title if not summary or summary == title else f"{title}. {summary}"
        if not text:
            continue
        t = e.get("published_parsed") or e.get("updated_parsed")
        when = (
            datetime.fromtimestamp(calendar.timegm(t), tz=timezone.utc).isoformat()
            if t else None
        )
        key = e.get("id") or e.get("link") or text
        items.append(
            {
                "id": f"{feed_name}:" + xxhash.xxh64_hexdigest(key.encode("utf-8")),
                "text": _strip_html(text),
                "url": e.get("link"),
                "time": when,
                "source": feed_name,
            }
        )
    return items


def _strip_html(s: str) -> str:
    # Feed summaries are HTML; we keep their text only (never render a feed's markup).
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", " ", s))


class FeedSource:
    """Polls one RSS/Atom feed."""

    def __init__(
        self,
        url: str,
        *,
        name: str | None = None,
        interval: float = 300.0,
        timeout: float = 20.0,
        max_backoff: float = 3600.0,
        client: httpx.AsyncClient | None = None,
        seed: int | None = None,
        **_ignored,
    ):
        self.url = url
        self.interval = interval
        self.timeout = timeout
        self.max_backoff = max_backoff
        self.health = SourceHealth(name or url, SourceKind.FEED, url)
        self._client = client
        self._etag: str | None = None
        self._last_modified: str | None = None
        self._seen: OrderedDict[str, None] = OrderedDict()  # bounded memory of entry ids
        self._rng = random.Random(seed)

    async def poll_once(self, client: httpx.AsyncClient) -> list[Report]:
        """One conditional GET; returns the new entries as reports (raises on failure)."""
        headers = {"User-Agent": USER_AGENT}
        if self._etag:
            headers["If-None-Match"] = self._etag
        if self._last_modified:
            headers["If-Modified-Since"] = self._last_modified
        resp = await client.get(self.url, headers=headers, timeout=self.timeout,
                                follow_redirects=True)
        if resp.status_code == 304:
            return []
        resp.raise_for_status()
        self._etag = resp.headers.get("ETag") or self._etag
        self._last_modified = resp.headers.get("Last-Modified") or self._last_modified
        parsed = feedparser.parse(resp.content)
        if parsed.bozo and not parsed.entries:
            raise ValueError(f"not a feed: {parsed.get('bozo_exception')}")
        out = []
        for item in entries_to_items(parsed, self.health.name):
            if item["id"] in self._seen:
                continue
            self._seen[item["id"]] = None
            while len(self._seen) > 5000:
                self._seen.popitem(last=False)
            try:
                report, _ = report_from_dict(item, source=self.health.name, pseudonymiser=None)
            except BadInput as e:
                self.health.bad(self.url, str(e))
                continue
            report.extra["org"] = True  # an agency's feed: organisational corroboration
            out.append(report)
        self.health.item(len(out))
        return out

    async def batches(self) -> AsyncIterator[list[Report]]:
        own = self._client is None
        client = self._client or httpx.AsyncClient()
        try:
            while True:
                try:
                    reports = await self.poll_once(client)
                    self.health.success()
                    if reports:
                        yield reports
                    delay = self.interval
                except (httpx.HTTPError, ValueError, OSError) as e:
                    self.health.failure(f"{type(e).__name__}: {e}")
                    delay = backoff_delay(self.health.source.consecutive_failures,
                                          self.interval, self.max_backoff, self._rng)
                await asyncio.sleep(delay)
        finally:
            if own:
                await client.aclose()
