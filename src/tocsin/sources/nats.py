"""NATS JetStream as a source: other systems publish reports to a subject, tocsin consumes
them through a durable pull consumer.

Messages are JSON objects (one report) or arrays of them. A message is acknowledged only
after its reports are in the pipeline's queue, and the store's idempotent upserts make a
redelivery harmless: at-least-once delivery, exactly-once storage. A bad message is counted,
logged with its stream sequence number, and terminated so it is not redelivered forever.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncIterator

from ..model import Report, SourceKind
from ..privacy import Pseudonymiser
from .feeds import backoff_delay
from .health import SourceHealth
from .records import BadInput, report_from_dict


class NatsSource:
    def __init__(
        self,
        subject: str = "tocsin.reports",
        *,
        url: str = "nats://127.0.0.1:4222",
        stream: str = "TOCSIN_REPORTS",
        durable: str = "tocsin",
        name: str | None = None,
        batch_size: int = 256,
        pseudonymiser: Pseudonymiser | None = None,
    ):
        self.subject = subject
        self.url = url
        self.stream = stream
        self.durable = durable
        self.batch_size = batch_size
        self.pseudonymiser = pseudonymiser
        self.health = SourceHealth(name or f"nats:{subject}", SourceKind.PUSH, url)
        self._rng = random.Random()

    def _parse(self, msg) -> list[Report]:
        where = f"{self.subject} seq {msg.metadata.sequence.stream}"
        try:
            payload = json.loads(msg.data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            self.health.bad(where, f"not UTF-8 JSON ({e})")
            return []
        items = payload if isinstance(payload, list) else [payload]
        out = []
        for i, item in enumerate(items):
            try:
                report, _ = report_from_dict(item, source=self.health.name,
                                             pseudonymiser=self.pseudonymiser)
            except BadInput as e:
                self.health.bad(f"{where} item {i}", str(e))
                continue
            out.append(report)
        return out

    async def batches(self) -> AsyncIterator[list[Report]]:
        import nats
        from nats.errors import TimeoutError as NatsTimeout
        from nats.js.errors import BadRequestError

        while True:
            nc = None
            try:
                nc = await nats.connect(self.url, connect_timeout=5, max_reconnect_attempts=3)
                js = nc.jetstream()
                try:
                    await js.add_stream(name=self.stream, subjects=[self.subject])
                except BadRequestError:
                    pass  # exists already, with its own configuration: use it as it is
                sub = await js.pull_subscribe(self.subject, durable=self.durable)
                self.health.success()
                while True:
                    try:
                        msgs = await sub.fetch(self.batch_size, timeout=1)
                    except (TimeoutError, NatsTimeout):
                        continue
                    reports: list[Report] = []
                    for m in msgs:
                        reports.extend(self._parse(m))
                    if reports:
                        self.health.item(len(reports))
                        yield reports  # returns once the pipeline has queued them
                    for m in msgs:
                        await m.ack()
                    self.health.success()
            except asyncio.CancelledError:
                raise
            except Exception as e:  # connection refused, server gone: retry with back-off
                self.health.failure(f"{type(e).__name__}: {e}")
                await asyncio.sleep(backoff_delay(self.health.source.consecutive_failures,
                                                  1.0, 60.0, self._rng))
            finally:
                if nc is not None and not nc.is_closed:
                    await nc.close()
