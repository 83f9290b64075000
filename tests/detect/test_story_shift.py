"""Story shift: a burst that dwarfs an event's whole past becomes a new event."""

from __future__ import annotations

from tocsin.detect import create_detector, restore_detector
from tocsin.model import ChangeKind, EventStatus

from .conftest import enrich, story

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
