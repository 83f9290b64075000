"""Trigger rules: one alert per first match, one per escalation or material change."""

from __future__ import annotations

from tocsin.alerts.engine import DEFAULT_SUBSCRIPTION_ID, AlertEngine
from tocsin.alerts.subscriptions import subscription_from_dict
from tocsin.model import ChangeKind, EventStatus

from .conftest import change, make_event


def sub(**kw):
    body = {"name": "t", "channel": {"type": "atom"}, **kw}
    return subscription_from_dict(body)


def test_first_match_then_silence_on_repeats():
    eng = AlertEngine([sub(area={"countries": ["HT"]})])
    ev = make_event()
    first = eng.process([change(ev, 0, ChangeKind.NEW)])
    assert [a.kind for a in first] == ["new"]
    assert first[0].update_of is None
    for m in range(1, 60):
        assert eng.process([change(make_event(), m)]) == []


def test_escalation_fires_once_with_update_of_link():
    eng = AlertEngine([sub()])
    a1 = eng.process([change(make_event(tier="routine"), 0)])
    a2 = eng.process([change(make_event(tier="urgent"), 1)])
    a3 = eng.process([change(make_event(tier="urgent"), 2)])
    a4 = eng.process([change(make_event(tier="flash"), 3)])
    assert [a.kind for a in a1 + a2 + a3 + a4] == ["new", "escalated", "escalated"]
    assert a2[0].update_of == a1[0].id and a4[0].update_of == a2[0].id
    assert len({a.id for a in a1 + a2 + a4}) == 3


def test_tier_flapping_does_not_realert():
    eng = AlertEngine([sub()])
    eng.process([change(make_event(tier="urgent"), 0)])
    assert eng.process([change(make_event(tier="routine"), 30)]) == []
    assert eng.process([change(make_event(tier="urgent"), 60)]) == []


def test_min_tier_first_alert_is_new_when_reached():
    eng = AlertEngine([sub(min_tier="urgent")])
    assert eng.process([change(make_event(tier="routine"), 0)]) == []
    out = eng.process([change(make_event(tier="urgent"), 1)])
    assert [a.kind for a in out] == ["new"]


def test_casualty_steps_are_updates_spaced_in_stream_time():
    eng = AlertEngine([sub()])
    eng.process([change(make_event(casualties=0), 0)])
    assert eng.process([change(make_event(casualties=1), 5)]) == []  # within 15 min
    out = eng.process([change(make_event(casualties=2), 20)])  # still step 1: now due
    assert [a.kind for a in out] == ["updated"]
    assert eng.process([change(make_event(casualties=2), 40)]) == []
    assert [a.kind for a in eng.process([change(make_event(casualties=3), 60)])] == ["updated"]


def test_new_area_is_an_update_but_nearby_place_is_not():
    eng = AlertEngine([sub()])
    eng.process([change(make_event(), 0)])
    near = make_event(places=[
        {"name": "P", "lat": 18.54, "lon": -72.34, "country": "HT"},
        {"name": "Pétion-Ville", "lat": 18.51, "lon": -72.29, "country": "HT"}])
    assert eng.process([change(near, 30)]) == []
    far = make_event(places=[
        {"name": "P", "lat": 18.54, "lon": -72.34, "country": "HT"},
        {"name": "Cap-Haïtien", "lat": 19.76, "lon": -72.2, "country": "HT"}])
    out = eng.process([change(far, 60)])
    assert [a.kind for a in out] == ["updated"] and "new area" in out[0].reasons[0]
    other = make_event(places=[{"name": "Dajabón", "lat": 19.55, "lon": -71.71,
                                "country": "DO"}])
    out = eng.process([change(other, 90)])
    assert out and "new countries: DO" in out[0].reasons[0]


def test_ids_are_deterministic_across_runs():
    """Same subscription, same stream → same alert ids (replays are idempotent)."""
    s = sub()
    ids = []
    for _ in range(2):
        eng = AlertEngine([s])
        ids.append([a.id for a in eng.process([change(make_event(), 0)])
                    + eng.process([change(make_event(tier="flash"), 1)])])
    assert ids[0] == ids[1] and len(ids[0]) == 2


def test_merge_carries_history_to_the_survivor():
    eng = AlertEngine([sub()])
    eng.process([change(make_event("a"), 0)])
    loser = make_event("a", status=EventStatus.MERGED, merged_into="b")
    out = eng.process([change(loser, 1, ChangeKind.MERGED), change(make_event("b"), 1)])
    assert out == []  # the survivor is what the subscriber was already told about
    up = eng.process([change(make_event("b", tier="urgent"), 2)])
    assert [a.kind for a in up] == ["escalated"] and up[0].event_id == "b"


def test_closed_events_are_forgotten():
    eng = AlertEngine([sub()])
    eng.process([change(make_event(), 0)])
    assert eng.tracked == 1
    eng.process([change(make_event(status=EventStatus.CLOSED), 5, ChangeKind.STATUS)])
    assert eng.tracked == 0


def test_default_subscription_only_without_others():
    eng = AlertEngine(default_all=True)
    out = eng.process([change(make_event(sources=0), 0)])
    assert [a.subscription_id for a in out] == [DEFAULT_SUBSCRIPTION_ID]
    eng.add(sub())
    assert DEFAULT_SUBSCRIPTION_ID not in {s.id for s in eng.subscriptions()}
    plain = AlertEngine(default_all=False)
    assert plain.process([change(make_event(), 0)]) == []
    bare = AlertEngine()  # what `tocsin detect --alerts` builds
    assert [a.kind for a in bare.process([change(make_event(), 0)])] == ["new"]


def test_snapshot_restore_prevents_repeat_alerts():
    s = sub()
    eng = AlertEngine([s])
    eng.process([change(make_event(), 0)])
    data = eng.snapshot()
    eng2 = AlertEngine([s])
    eng2.restore_state(data)
    assert eng2.process([change(make_event(), 1)]) == []
    assert [a.kind for a in eng2.process([change(make_event(tier="flash"), 2)])] == [
        "escalated"]


def test_alert_dict_contract():
    eng = AlertEngine(default_all=True)
    a = eng.process([change(make_event(), 7)])[0].to_dict()
    for k in ("id", "update_of", "subscription_id", "event_id", "kind", "tier", "fired_at"):
        assert k in a
    assert a["fired_at"] == "2026-03-01T12:07:00+00:00"
