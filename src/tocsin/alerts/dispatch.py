"""Delivery off the pipeline's path: per-subscription queues, one worker each.

The pipeline hook only *enqueues* (thread-safely, onto the event loop). Each webhook or
email subscription gets its own bounded queue and a worker task that lives while the queue
has work, so a slow or failing endpoint delays only its own alerts — never the pipeline,
never other subscribers — and alerts to one subscriber stay in order. A full queue
(an endpoint down for a long time) sends the overflow to the dead-letter list instead of
growing memory. SSE alerts go straight to the Broadcaster (kind ``alert``); Atom feeds are
read from the store, so they need no delivery at all.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from .alert import Alert
from .email import Mailer, SmtpConfig, build_message
from .subscriptions import Subscription
from .webhook import Outcome, RetryPolicy, post_alert

log = logging.getLogger("tocsin.alerts")


@dataclass(slots=True)
class DeliveryStats:
    delivered: int = 0
    failed: int = 0
    dead_lettered: int = 0
    queued: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"delivered": self.delivered, "failed": self.failed,
                "dead_lettered": self.dead_lettered, "queued": self.queued,
                "by_channel": dict(self.by_channel)}


class Dispatcher:
    def __init__(self, *, store: Any, lookup: Callable[[str], Subscription | None],
                 broadcaster: Any = None, smtp: SmtpConfig | None = None,
                 policy: RetryPolicy | None = None, allow_private: bool = False,
                 queue_max: int = 1000, web_base: str = ""):
        self.store = store
        self.lookup = lookup
        self.broadcaster = broadcaster
        self.policy = policy or RetryPolicy()
        self.allow_private = allow_private
        self.queue_max = queue_max
        self.web_base = web_base
        self.mailer = Mailer(smtp or SmtpConfig())
        self.stats = DeliveryStats()
        self.loop: asyncio.AbstractEventLoop | None = None
        self._client: httpx.AsyncClient | None = None
        self._queues: dict[str, asyncio.Queue[Alert]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}

    async def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        self._client = httpx.AsyncClient(
            follow_redirects=False,  # a redirect could point past the SSRF check
            limits=httpx.Limits(max_connections=1000, max_keepalive_connections=100),
            trust_env=False)

    # -- from the pipeline's worker thread -------------------------------------------------
    def submit_threadsafe(self, alerts: list[Alert]) -> None:
        if not alerts:
            return
        if self.loop is None:
            log.warning("%d alerts not delivered: dispatcher not started", len(alerts))
            return
        self.loop.call_soon_threadsafe(self.submit, alerts)

    # -- on the loop -----------------------------------------------------------------------
    def submit(self, alerts: list[Alert]) -> None:
        for a in alerts:
            ch = a.channel
            self.stats.by_channel[ch] = self.stats.by_channel.get(ch, 0) + 1
            if ch == "sse":
                if self.broadcaster is not None:
                    self.broadcaster.publish("alert", a.to_dict(), audience=a.subscription_id)
                self.stats.delivered += 1
            elif ch in ("webhook", "email"):
                self._enqueue(a)
            # atom: read from the store; none: tocsin detect's built-in default

    def _enqueue(self, a: Alert) -> None:
        q = self._queues.get(a.subscription_id)
        if q is None:
            q = self._queues[a.subscription_id] = asyncio.Queue(self.queue_max)
        if q.full():
            self._dead(a, 0, "delivery queue full (endpoint too slow or down)")
            return
        q.put_nowait(a)
        self.stats.queued += 1
        w = self._workers.get(a.subscription_id)
        if w is None or w.done():
            self._workers[a.subscription_id] = asyncio.create_task(
                self._work(a.subscription_id), name=f"deliver-{a.subscription_id}")

    async def _work(self, sub_id: str) -> None:
        q = self._queues[sub_id]
        while not q.empty():
            a = q.get_nowait()
            try:
                sub = self.lookup(sub_id)
                if sub is None:
                    continue  # deleted since the alert fired
                out = await self.deliver(sub, a)
                if out.ok:
                    self.stats.delivered += 1
                else:
                    self.stats.failed += 1
                    self._dead(a, out.attempts, out.error)
            except Exception as e:  # one bad alert must not kill the subscriber's worker
                log.exception("delivering %s failed", a.id)
                self._dead(a, 1, f"{type(e).__name__}: {e}")
            finally:
                self.stats.queued -= 1
                q.task_done()

    def _dead(self, a: Alert, attempts: int, error: str) -> None:
        self.stats.dead_lettered += 1
        log.warning("alert %s to %s dead-lettered after %d attempts: %s",
                    a.id, a.subscription_id, attempts, error)
        try:
            self.store.add_dead_letter(a.subscription_id, a.id, a.channel, attempts, error)
        except Exception:
            log.exception("could not record dead letter for %s", a.id)

    async def deliver(self, sub: Subscription, a: Alert,
                      policy: RetryPolicy | None = None) -> Outcome:
        """One alert through one subscription's channel, with that channel's retries."""
        ch = sub.channel
        policy = policy or self.policy
        if ch.type == "webhook":
            assert self._client is not None, "dispatcher not started"
            return await post_alert(self._client, ch.url or "", ch.secret or "", a.to_dict(),
                                    policy=policy, allow_private=self.allow_private)
        if ch.type == "email":
            msg = build_message(a, ch.to or "", self.mailer.cfg,
                                web=f"{self.web_base}/api/v1/events/{a.event_id}"
                                if self.web_base else None)
            last = ""
            for attempt in range(1, policy.attempts + 1):
                try:
                    await self.mailer.send(msg)
                    return Outcome(True, attempt)
                except Exception as e:  # smtplib raises OSError and SMTPException subclasses
                    last = f"{type(e).__name__}: {e}"
                if attempt < policy.attempts:
                    await asyncio.sleep(policy.delay(attempt))
            return Outcome(False, policy.attempts, last)
        if ch.type == "sse":
            if self.broadcaster is not None:
                self.broadcaster.publish("alert", a.to_dict(), audience=a.subscription_id)
            return Outcome(True, 1)
        return Outcome(True, 1)  # atom: the feed reads the store

    @property
    def pending(self) -> int:
        return sum(q.qsize() for q in self._queues.values()) + sum(
            1 for w in self._workers.values() if not w.done())

    async def drain(self, timeout: float) -> bool:
        """Wait for queued deliveries (end of a replay); True if all finished in time."""
        await asyncio.sleep(0)  # let submissions already scheduled from the worker land
        tasks = [w for w in self._workers.values() if not w.done()]
        if not tasks:
            return True
        done, pending = await asyncio.wait(tasks, timeout=timeout)
        return not pending

    async def stop(self, timeout: float = 10.0) -> None:
        await self.drain(timeout)
        for w in self._workers.values():
            w.cancel()
        await asyncio.gather(*self._workers.values(), return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()
        self.mailer.close()
