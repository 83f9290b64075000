"""Delivery through real loopback servers: signed webhooks with retries and dead letters,
isolation of a stalled endpoint, SMTP, SSE through the Broadcaster."""

from __future__ import annotations

import asyncio
import threading

import pytest

from tocsin.alerts.dispatch import Dispatcher
from tocsin.alerts.engine import AlertEngine
from tocsin.alerts.subscriptions import subscription_from_dict
from tocsin.alerts.webhook import RetryPolicy
from tocsin.broadcast import Broadcaster

from .conftest import change, make_event
from .receivers import MailSink, WebhookReceiver, free_port

SECRET = "s3cret-s3cret-s3cret"
FAST = RetryPolicy(attempts=3, base_s=0.01, max_s=0.05, timeout_s=5)


def webhook_sub(url, sid):
    return subscription_from_dict({"id": sid, "channel": {"type": "webhook", "url": url,
                                                          "secret": SECRET}},
                                  allow_private=True)


async def wait_for(cond, timeout=15.0):
    for _ in range(int(timeout / 0.02)):
        if cond():
            return True
        await asyncio.sleep(0.02)
    return False


async def run_alerts(subs, *, store, broadcaster=None, smtp=None, policy=FAST):
    eng = AlertEngine(subs)
    disp = Dispatcher(store=store, lookup=eng.index.get, broadcaster=broadcaster, smtp=smtp,
                      policy=policy, allow_private=True)
    await disp.start()
    alerts = eng.process([change(make_event(), 0)]) + eng.process(
        [change(make_event(tier="flash"), 1)])
    # exactly what the pipeline hook does: from another thread
    await asyncio.to_thread(disp.submit_threadsafe, alerts)
    return disp, alerts


async def test_signed_webhook_with_retries_and_idempotency_key(store):
    with WebhookReceiver(SECRET, fail_first=2) as rx:
        disp, alerts = await run_alerts([webhook_sub(rx.url, "s1")], store=store)
        assert await wait_for(lambda: len(rx.alerts) == 2)
        await disp.stop()
    assert [a["id"] for a in rx.alerts] == [a.id for a in alerts]  # in order
    assert rx.bad_signatures == 0
    first_attempts = [r for r in rx.requests if r["headers"]["Idempotency-Key"] == alerts[0].id]
    assert len(first_attempts) == 3  # two 503s, then success, same key each time
    assert [r["headers"]["X-Tocsin-Attempt"] for r in first_attempts] == ["1", "2", "3"]
    assert rx.alerts[1]["update_of"] == rx.alerts[0]["id"]
    assert store.list_dead_letters() == []


async def test_failing_endpoint_goes_to_dead_letters(store):
    with WebhookReceiver(SECRET, fail_first=99) as rx:
        disp, alerts = await run_alerts([webhook_sub(rx.url, "s1")], store=store)
        assert await wait_for(lambda: len(store.list_dead_letters()) == 2)
        await disp.stop()
    dead = store.list_dead_letters()
    assert {d["alert_id"] for d in dead} == {a.id for a in alerts}
    assert all(d["attempts"] == 3 and "503" in d["error"] for d in dead)


async def test_client_errors_are_not_retried(store):
    with WebhookReceiver(SECRET, fail_first=99, status=410) as rx:
        disp, _ = await run_alerts([webhook_sub(rx.url, "s1")], store=store)
        assert await wait_for(lambda: len(store.list_dead_letters()) == 2)
        await disp.stop()
    assert len(rx.requests) == 2


async def test_stalled_endpoint_does_not_hold_up_others(store):
    gate = threading.Event()
    with WebhookReceiver(SECRET, gate=gate) as slow, WebhookReceiver(SECRET) as fast:
        disp, _ = await run_alerts([webhook_sub(slow.url, "slow"),
                                    webhook_sub(fast.url, "fast")], store=store)
        assert await wait_for(lambda: len(fast.alerts) == 2)
        assert slow.alerts == [] and not gate.is_set()  # still stuck while fast is done
        gate.set()
        assert await wait_for(lambda: len(slow.alerts) == 2)
        await disp.stop()


async def test_refused_url_at_delivery_is_dead_lettered(store):
    sub = webhook_sub("http://127.0.0.1:9/x", "s1")
    eng = AlertEngine([sub])
    disp = Dispatcher(store=store, lookup=eng.index.get, policy=FAST, allow_private=False)
    await disp.start()
    disp.submit(eng.process([change(make_event(), 0)]))
    assert await wait_for(lambda: len(store.list_dead_letters()) == 1)
    assert "refused" in store.list_dead_letters()[0]["error"]
    await disp.stop()


async def test_email_over_smtp_threads_updates(store):
    aiosmtpd = pytest.importorskip("aiosmtpd.controller")
    from tocsin.alerts.email import SmtpConfig

    sink = MailSink()
    port = free_port()
    ctl = aiosmtpd.Controller(sink, hostname="127.0.0.1", port=port)
    ctl.start()
    try:
        sub = subscription_from_dict({"id": "m", "channel": {"type": "email",
                                                             "to": "ops@example.org"}})
        disp, alerts = await run_alerts([sub], store=store, smtp=SmtpConfig(
            host="127.0.0.1", port=port, sender="tocsin@example.org"))
        assert await wait_for(lambda: len(sink.messages) == 2)
        await disp.stop()
    finally:
        ctl.stop()
    first, update = sink.messages
    assert first["To"] == "ops@example.org" and "[tocsin ROUTINE]" in first["Subject"]
    assert update["In-Reply-To"] == first["Message-ID"]
    cap = [p for p in update.iter_attachments() if p.get_content_type() == "application/cap+xml"]
    assert cap and alerts[1].id in cap[0].get_content().decode()


async def test_sse_alerts_go_through_the_broadcaster(store):
    b = Broadcaster()
    listener = b.subscribe(audience=frozenset({"live"}))
    outsider = b.subscribe()
    sub = subscription_from_dict({"id": "live", "channel": {"type": "sse"}})
    b.loop = asyncio.get_running_loop()
    disp, alerts = await run_alerts([sub], store=store, broadcaster=b)
    got = [await asyncio.wait_for(listener.queue.get(), 5) for _ in alerts]
    assert [(k, d["id"]) for _, k, d, _aud in got] == [("alert", a.id) for a in alerts]
    assert outsider.queue.empty()  # alerts are private to their subscription's listeners
    await disp.stop()
