"""Story shift: a burst that dwarfs an event's whole past becomes a new event."""

from __future__ import annotations

from datetime import timedelta

from tocsin.detect import create_detector, restore_detector
from tocsin.model import ChangeKind, EventStatus

from .conftest import T0, enrich, place, story

# a slow story about one town, then the town's disaster: the same name, far more reports
TOWN = ["marrowby", "marrowby", "storm", "marrowby"]
DISASTER = ["marrowby", "explosion", "marrowby", "blast"]


def run(det, batches):
    """Observe batches; (changes, final event per report id) as a store would see them."""
    changes, prov, late = [], {}, {}
    for b in batches:
        changes += det.observe(b)
        prov.update({r.id: c for r, c in zip(b, det.last_clusters, strict=True)})
        late.update(det.drain_backfill())
    final = {rid: det.final_event(late.get(rid, c)) for rid, c in prov.items()}
    return changes, final


def trickle_then_burst(rng):
    # 12 reports over 22 hours, then 60 within half an hour, a day after the trickle began
    slow = enrich(story(rng, TOWN, ["windy", "grey"], 12, 0, 110, "s"))
    burst = enrich(story(rng, DISASTER, ["injured", "shook"], 60, 24 * 60, 0.5, "b"))
    return slow, burst


def test_a_burst_that_dwarfs_the_prelude_is_a_new_event(rng):
    det = create_detector(split_ratio=4.0, split_min=40, split_age=18 * 3600)
    slow, burst = trickle_then_burst(rng)
    changes, final = run(det, [slow, burst[:30], burst[30:]])
    prelude = {final[r.id] for r in slow}
    assert len(prelude) == 1 and None not in prelude
    (old,) = prelude
    new = {final[r.id] for r in burst}
    assert len(new) == 1 and old not in new and None not in new
    (nid,) = new
    # announced as new at the burst; the prelude closed at that moment
    news = [c for c in changes if c.kind == ChangeKind.NEW]
    assert [c.event.id for c in news] == [old, nid]
    assert news[1].at >= burst[0].published_at
    assert det.get_event(old).status == EventStatus.CLOSED
    assert det.get_event(nid).status != EventStatus.CLOSED
    # later reports of the story join the new event, not the closed prelude
    more = enrich(story(rng, DISASTER, ["rescue"], 3, 24 * 60 + 40, 1, "m"))
    _, final2 = run(det, [more])
    assert {final2[r.id] for r in more} == {nid}


def test_off_by_zero_ratio_keeps_one_event(rng):
    det = create_detector(split_ratio=0.0)
    slow, burst = trickle_then_burst(rng)
    changes, final = run(det, [slow, burst])
    assert len({final[r.id] for r in slow + burst}) == 1
    assert sum(c.kind == ChangeKind.NEW for c in changes) == 1


def test_growth_in_proportion_to_the_past_does_not_split(rng):
    det = create_detector(split_ratio=4.0, split_min=40, split_age=18 * 3600)
    # 60 reports over a day, then 60 in an hour: the burst only doubles the event
    slow = enrich(story(rng, TOWN, ["windy", "grey"], 60, 0, 24, "s"))
    burst = enrich(story(rng, DISASTER, ["injured"], 60, 25 * 60, 1, "b"))
    changes, final = run(det, [slow, burst])
    assert len({final[r.id] for r in slow + burst}) == 1
    assert sum(c.kind == ChangeKind.NEW for c in changes) == 1


def test_a_young_event_growing_fast_does_not_split(rng):
    det = create_detector(split_ratio=4.0, split_min=40, split_age=18 * 3600)
    # the trickle began only two hours before the burst: the event's own early growth
    slow = enrich(story(rng, TOWN, ["windy"], 10, 0, 10, "s"))
    burst = enrich(story(rng, DISASTER, ["injured"], 60, 120, 0.5, "b"))
    _, final = run(det, [slow, burst])
    assert len({final[r.id] for r in slow + burst}) == 1


def test_the_burst_window_survives_a_snapshot(rng):
    slow, burst = trickle_then_burst(rng)
    det = create_detector(split_ratio=4.0, split_min=40, split_age=18 * 3600)
    run(det, [slow, burst[:30]])
    det2 = restore_detector(det.snapshot())
    _, f2 = run(det2, [burst[30:]])
    ref = create_detector(split_ratio=4.0, split_min=40, split_age=18 * 3600)
    _, fr = run(ref, [slow, burst[:30], burst[30:]])
    assert {f2[r.id] for r in burst[30:]} == {fr[r.id] for r in burst[30:]}


VALDORA = [place(3003, "Valdora", 5.0, 6.0)]


def _closed_then_burst(rng, anchors, places, burst_every=0.5, burst_n=60):
    """An incident (60 reports in an hour), closed four days later; a second burst a week on
    that names the same thing."""
    det = create_detector()
    first = enrich(story(rng, anchors, ["shook", "collapsed"], 60, 0, 1, "f", places=places,
                         hazard="earthquake"))
    det.observe(first)
    det.tick(T0 + timedelta(days=4))
    (old,) = {det.final_event(c) for c in det.last_clusters if c}
    assert det.get_event(old).status == EventStatus.CLOSED
    again = enrich(story(rng, anchors, ["struck", "toppled"], burst_n, 11 * 24 * 60,
                         burst_every, "g", places=places, hazard="earthquake"))
    changes, final = run(det, [again[:25], again[25:]])
    return det, old, changes, final, first, again


def test_a_burst_re_opening_an_event_known_by_its_place_is_a_new_incident(rng):
    # "Valdora" had an earthquake; a week after its event closed, Valdora shakes again: the
    # burst re-opens the old event (it names its place) and is split off as a new one
    det, old, changes, final, first, again = _closed_then_burst(
        rng, ["valdora", "earthquake", "valdora", "quake"], VALDORA)
    new = {final[r.id] for r in again[-20:]}
    assert len(new) == 1 and old not in new
    assert any(c.kind == ChangeKind.NEW and c.event.id in new for c in changes)
    assert det.get_event(old).status == EventStatus.CLOSED


def test_a_burst_re_opening_a_named_story_stays_in_it(rng):
    # a named story ("Kelda"), no place: its late burst is the story coming back
    det, old, changes, final, first, again = _closed_then_burst(
        rng, ["kelda", "earthquake", "kelda", "quake"], [])
    assert {final[r.id] for r in again} == {old}
    assert not any(c.kind == ChangeKind.NEW for c in changes)


def test_a_trickle_re_opening_an_event_known_by_its_place_stays_in_it(rng):
    # a few late reports an hour apart: the old story resuming, not a new incident
    det, old, changes, final, first, again = _closed_then_burst(
        rng, ["valdora", "earthquake", "valdora", "quake"], VALDORA, burst_every=60,
        burst_n=12)
    assert {final[r.id] for r in again} == {old}


def test_a_burst_hours_after_the_event_re_opened_stays_in_it(rng):
    # re-opened by a stray report; the burst comes two hours later: by then the event is
    # live again, and only the ordinary story-shift test (the burst dwarfing its past) applies
    det = create_detector()
    anchors = ["valdora", "earthquake", "valdora", "quake"]
    det.observe(enrich(story(rng, anchors, ["shook", "collapsed"], 60, 0, 1, "f",
                             places=VALDORA, hazard="earthquake")))
    det.tick(T0 + timedelta(days=4))
    (old,) = {det.final_event(c) for c in det.last_clusters if c}
    stray = enrich(story(rng, anchors, ["felt"], 1, 11 * 24 * 60, 1, "s", places=VALDORA,
                         hazard="earthquake"))
    burst = enrich(story(rng, anchors, ["struck", "toppled"], 60, 11 * 24 * 60 + 120, 0.5,
                         "g", places=VALDORA, hazard="earthquake"))
    _, final = run(det, [stray])
    assert final[stray[0].id] == old and det.clusters[old].is_open  # re-opened
    _, final = run(det, [burst[:25], burst[25:]])
    assert {final[r.id] for r in burst} == {old}
