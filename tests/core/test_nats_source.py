"""NATS JetStream source against the real server on loopback."""

import asyncio
import json
import uuid

from support.services import require_service
from tocsin.privacy import Pseudonymiser
from tocsin.sources.nats import NatsSource


async def test_consumes_reports_and_counts_bad_messages():
    require_service("NATS", "127.0.0.1", 4222)
    import nats

    tag = uuid.uuid4().hex[:8]
    subject = f"tocsin.test.{tag}"
    src = NatsSource(subject, stream=f"T{tag}", durable=f"d{tag}", batch_size=10,
                     pseudonymiser=Pseudonymiser(b"n" * 32))
    nc = await nats.connect("nats://127.0.0.1:4222")
    js = nc.jetstream()
    await js.add_stream(name=f"T{tag}", subjects=[subject])
    await js.publish(subject, json.dumps({"id": "n1", "text": "Flood in the valley",
                                          "author": "@someone"}).encode())
    await js.publish(subject, b"{broken")
    await js.publish(subject, json.dumps([{"id": "n2", "text": "Road closed"}, {"text": ""}]).encode())
    got = []
    it = src.batches().__aiter__()
    try:
        while len(got) < 2:
            got += await asyncio.wait_for(it.__anext__(), 10)
    finally:
        await it.aclose()
        await js.delete_stream(f"T{tag}")
        await nc.close()
    assert [r.id for r in got] == ["n1", "n2"]
    assert got[0].author_key and "someone" not in got[0].author_key
    assert src.health.source.items_bad == 2
