"""Alert persistence on SQLite and PostgreSQL: the stored shape is Alert.to_dict(), writes
are idempotent, an event state shared by many alerts is stored once, keys are hashed."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tocsin.alerts.alert import Alert
from tocsin.alerts.engine import AlertEngine
from tocsin.alerts.keys import create_key, verify_key
from tocsin.alerts.service import AlertService
from tocsin.alerts.subscriptions import subscription_from_dict

from .conftest import change, make_event


def test_round_trip_and_idempotence(any_store):
    eng = AlertEngine(default_all=True)
    a1 = eng.process([change(make_event(), 0)])[0]
    a2 = eng.process([change(make_event(tier="flash"), 1)])[0]
    any_store.add_alerts([a1.to_dict(), a2.to_dict()])
    any_store.add_alerts([a1.to_dict()])  # a replayed batch
    assert any_store.get_alert(a2.id) == a2.to_dict()
    assert Alert.from_dict(any_store.get_alert(a1.id)).to_dict() == a1.to_dict()
    assert [a["id"] for a in any_store.list_alerts()] == [a2.id, a1.id]
    later = a1.fired_at + timedelta(seconds=30)
    assert [a["id"] for a in any_store.list_alerts(since=later)] == [a2.id]
    # the same instant written with another offset selects the same alerts
    plus2 = later.astimezone(timezone(timedelta(hours=2)))
    assert [a["id"] for a in any_store.list_alerts(since=plus2)] == [a2.id]


def test_service_rows_share_one_snapshot(any_store):
    svc = AlertService(any_store)
    for i in range(50):
        svc.save(subscription_from_dict({"id": f"s{i}", "channel": {"type": "atom"}}))
    fired = svc.on_changes([change(make_event(), 0)])
    assert len(fired) == 50
    n = any_store._conn.execute("SELECT count(*) FROM alert_snapshots").fetchone()[0]
    assert n == 1
    got = any_store.list_alerts(subscription_ids=["s7"])
    assert got == [fired[7].to_dict()]
    assert any_store.list_alerts(subscription_ids=[]) == []
    assert len(any_store.list_subscription_bodies()) == 50


def test_keys_and_dead_letters(any_store):
    plain, rec = create_key(any_store, "ops", ["subscribe"])
    assert verify_key(any_store, plain) == rec
    assert verify_key(any_store, plain[:-1] + ("A" if plain[-1] != "A" else "B")) is None
    assert plain.split("_", 2)[2] not in str(any_store.list_api_keys())
    assert any_store.revoke_api_key(rec.id, datetime.now(timezone.utc).isoformat())
    assert verify_key(any_store, plain) is None
    any_store.add_dead_letter("s1", "al_1", "webhook", 6, "HTTP 503")
    assert any_store.list_dead_letters("s1")[0]["error"] == "HTTP 503"


def test_trigger_state_survives_a_restart(store):
    svc = AlertService(store)
    svc.save(subscription_from_dict({"id": "s", "channel": {"type": "atom"}}))
    assert len(svc.on_changes([change(make_event(), 0)])) == 1
    svc.save_state()
    again = AlertService(store)  # a restarted process on the same database
    assert again.on_changes([change(make_event(), 5)]) == []
