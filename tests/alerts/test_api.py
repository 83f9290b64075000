"""The HTTP contract: auth and scopes, subscription CRUD with ownership, alerts, CAP, feeds,
exports, and raw text behind a read key."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tocsin.alerts.keys import create_key
from tocsin.alerts.service import attach
from tocsin.api.app import create_app
from tocsin.api.state import AppState
from tocsin.broadcast import Broadcaster
from tocsin.config import Config

from .conftest import change, make_event

BODY = {"name": "haiti", "area": {"bbox": [-75, 17, -70, 21]}, "hazards": ["earthquake"],
        "min_tier": "routine", "channel": {"type": "atom"}}


@pytest.fixture
def env(store):
    def build(public_read: bool = True):
        cfg = Config(public_read=public_read)
        st = AppState(cfg=cfg, store=store, broadcaster=Broadcaster())
        svc = attach(st)
        keys = {s: create_key(store, s, [s])[0] for s in ("read", "subscribe", "admin")}
        keys["subscribe2"] = create_key(store, "other", ["subscribe"])[0]
        return TestClient(create_app(st)), svc, keys

    return build


def h(key):
    return {"Authorization": f"Bearer {key}"}


def test_subscription_crud_and_scopes(env):
    c, svc, k = env()
    assert c.post("/api/v1/subscriptions", json=BODY).status_code == 401
    assert c.post("/api/v1/subscriptions", json=BODY, headers=h(k["read"])).status_code == 403
    assert c.post("/api/v1/subscriptions", json=BODY,
                  headers=h("tk_nope_nope")).status_code == 401
    r = c.post("/api/v1/subscriptions", json=BODY, headers={"X-API-Key": k["subscribe"]})
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    assert svc.get(sid) is not None  # live in the engine, not only stored
    assert c.get(f"/api/v1/subscriptions/{sid}", headers=h(k["subscribe"])).json()["name"] == \
        "haiti"
    # another subscriber cannot see or touch it; an admin can
    assert c.get(f"/api/v1/subscriptions/{sid}", headers=h(k["subscribe2"])).status_code == 404
    assert c.delete(f"/api/v1/subscriptions/{sid}",
                    headers=h(k["subscribe2"])).status_code == 404
    assert c.get("/api/v1/subscriptions", headers=h(k["subscribe2"])).json()["total"] == 0
    assert c.get("/api/v1/subscriptions", headers=h(k["admin"])).json()["total"] == 1
    r = c.put(f"/api/v1/subscriptions/{sid}", json={**BODY, "min_tier": "flash"},
              headers=h(k["subscribe"]))
    assert r.status_code == 200 and r.json()["min_tier"] == "flash"
    assert svc.get(sid).min_tier == "flash"
    assert c.delete(f"/api/v1/subscriptions/{sid}", headers=h(k["subscribe"])).status_code == 204
    assert svc.get(sid) is None and store_has_no_subs(svc)


def store_has_no_subs(svc):
    return svc.store.list_subscription_bodies() == []


def test_validation_and_ssrf_are_422(env):
    c, _, k = env()
    bad = {**BODY, "channel": {"type": "webhook", "url": "http://169.254.169.254/"}}
    r = c.post("/api/v1/subscriptions", json=bad, headers=h(k["subscribe"]))
    assert r.status_code == 422 and "not a public address" in r.text
    r = c.post("/api/v1/subscriptions", json={**BODY, "min_tier": "x"},
               headers=h(k["subscribe"]))
    assert r.status_code == 422 and "min_tier" in r.text


def test_alerts_cap_and_feed(env):
    c, svc, k = env()
    sid = c.post("/api/v1/subscriptions", json=BODY, headers=h(k["subscribe"])).json()["id"]
    svc.on_changes([change(make_event(), 0)])
    svc.on_changes([change(make_event(tier="flash"), 5)])
    r = c.get(f"/api/v1/alerts?subscription={sid}", headers=h(k["subscribe"]))
    alerts = r.json()["alerts"]
    assert [a["kind"] for a in alerts] == ["escalated", "new"]
    assert alerts[0]["update_of"] == alerts[1]["id"]
    assert c.get("/api/v1/alerts", headers=h(k["subscribe2"])).json()["alerts"] == []
    assert c.get("/api/v1/alerts").status_code == 401
    r = c.get("/api/v1/alerts?since=2026-03-01T12:03:00Z", headers=h(k["admin"]))
    assert len(r.json()["alerts"]) == 1
    cap = c.get(f"/api/v1/alerts/{alerts[0]['id']}.cap")
    assert cap.status_code == 200 and cap.headers["content-type"].startswith(
        "application/cap+xml") and "<msgType>Update</msgType>" in cap.text
    feed = c.get(f"/api/v1/subscriptions/{sid}/feed.atom")
    assert feed.status_code == 200 and alerts[0]["id"] in feed.text


def test_public_read_off_gates_reads(env):
    c, svc, k = env(public_read=False)
    sid = c.post("/api/v1/subscriptions", json=BODY, headers=h(k["subscribe"])).json()["id"]
    assert c.get("/api/v1/events").status_code == 401
    assert c.get("/api/v1/events", headers=h(k["read"])).status_code == 200
    assert c.get("/api/v1/events.geojson").status_code == 401
    assert c.get("/api/v1/events.csv", headers=h(k["read"])).status_code == 200
    assert c.get("/healthz").status_code == 200
    assert c.get(f"/api/v1/subscriptions/{sid}/feed.atom").status_code == 401
    assert c.get(f"/api/v1/subscriptions/{sid}/feed.atom?key={k['subscribe']}").status_code \
        == 200
    assert c.get(f"/api/v1/subscriptions/{sid}/feed.atom?key={k['subscribe2']}").status_code \
        == 401


def test_raw_text_needs_a_read_key_and_is_audited(env, store):
    c, _, k = env()
    store.upsert_events([make_event("ev1")])
    assert c.get("/api/v1/events/ev1").status_code == 200
    assert c.get("/api/v1/events/ev1?text=1").status_code == 401
    r = c.get("/api/v1/events/ev1?text=1", headers=h(k["read"]))
    assert r.status_code == 200
    actors = [e["actor"] for e in store.audit_entries() if e["action"] == "read_raw_reports"]
    assert actors == [f"key:{k['read'].split('_')[1]}"]


def test_exports_over_http(env, store):
    c, _, _ = env()
    store.upsert_events([make_event("ev1"), make_event("ev2", lon=None)])
    gj = c.get("/api/v1/events.geojson")
    assert gj.headers["content-type"].startswith("application/geo+json")
    assert {f["id"] for f in gj.json()["features"]} == {"ev1", "ev2"}
    csv = c.get("/api/v1/events.csv?bbox=-80,10,-60,30")
    lines = csv.text.strip().splitlines()
    assert lines[1].startswith("#event+id") and len(lines) == 3


def test_revoked_key_is_refused(env, store):
    c, _, k = env()
    kid = k["subscribe"].split("_")[1]
    assert store.revoke_api_key(kid, "2026-01-01T00:00:00+00:00")
    assert c.get("/api/v1/subscriptions", headers=h(k["subscribe"])).status_code == 401
    assert store.get_api_key(kid)["hash"] not in k["subscribe"]  # stored hashed


def test_test_fire_reaches_a_real_webhook(store):
    from .receivers import WebhookReceiver

    cfg = Config(extra={"alerts": {"allow_private_urls": True}})
    st = AppState(cfg=cfg, store=store, broadcaster=Broadcaster())
    attach(st)
    key = create_key(store, "s", ["subscribe"])[0]
    secret = "x" * 24
    with WebhookReceiver(secret) as rx, TestClient(create_app(st)) as c:
        body = {**BODY, "channel": {"type": "webhook", "url": rx.url, "secret": secret}}
        sid = c.post("/api/v1/subscriptions", json=body, headers=h(key)).json()["id"]
        r = c.post(f"/api/v1/subscriptions/{sid}/test", headers=h(key))
        assert r.status_code == 200 and r.json()["ok"], r.text
    assert rx.bad_signatures == 0 and rx.alerts[0]["kind"] == "test"
    assert "not a real event" in rx.alerts[0]["event"]["title"]


def test_subscriptions_written_by_another_process_are_picked_up(tmp_path):
    from tocsin.alerts.service import AlertService
    from tocsin.alerts.subscriptions import subscription_from_dict
    from tocsin.store.sqlite import SQLiteStore

    running = AlertService(SQLiteStore(tmp_path / "db"))  # e.g. `tocsin run`
    cli = AlertService(SQLiteStore(tmp_path / "db"))  # e.g. `tocsin subscriptions add`
    assert running.on_changes([change(make_event(), 0)]) == []
    cli.save(subscription_from_dict(BODY))
    assert running.reload_if_changed()
    assert [a.kind for a in running.on_changes([change(make_event(), 1)])] == ["new"]
    assert not running.reload_if_changed()


def test_reloaded_subscriptions_are_the_ones_delivered_to(tmp_path):
    from tocsin.alerts.service import AlertService
    from tocsin.alerts.subscriptions import subscription_from_dict
    from tocsin.store.sqlite import SQLiteStore

    running = AlertService(SQLiteStore(tmp_path / "db"))
    cli = AlertService(SQLiteStore(tmp_path / "db"))
    cli.save(subscription_from_dict({**BODY, "id": "sub_x"}))
    running.reload_if_changed()
    assert running.dispatcher.lookup("sub_x") is not None  # the delivery side sees it too
