"""Lifecycle on stream time, merges with stable ids, snapshot/restore."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from tocsin.detect import create_detector, restore_detector
from tocsin.detect.base import Detector
from tocsin.model import ChangeKind, EventStatus

from .conftest import T0, enrich, hand_made_event, kelda_fragment_words, place, story

QUAKE = ["valdora", "earthquake", "valdora", "quake"]


def statuses(changes):
    return [(c.kind, c.event.status) for c in changes]


def test_emerging_active_cooling_closed_then_reopened(rng):
    det = create_detector(active_reports=20, cooling_after=3600, closed_after=4 * 3600)
    reps = enrich(story(rng, QUAKE, ["collapsed", "shook"], 40, 0, 1, "q"))
    changes = det.observe(reps[:10])
    assert (ChangeKind.NEW, EventStatus.EMERGING) in statuses(changes)
    changes = det.observe(reps[10:40])
    det.tick(T0 + timedelta(minutes=90))  # lifecycle runs at most hourly on stream time
    (ev,) = det.active_events()
    assert ev.status == EventStatus.ACTIVE
    changes = det.tick(T0 + timedelta(hours=3))
    assert (ChangeKind.STATUS, EventStatus.COOLING) in statuses(changes)
    changes = det.tick(T0 + timedelta(hours=6))
    assert (ChangeKind.STATUS, EventStatus.CLOSED) in statuses(changes)
    assert det.active_events() == []
    assert det.get_event(ev.id).status == EventStatus.CLOSED
    # a late report of the same story re-opens it rather than opening a new event
    late = enrich(story(rng, QUAKE, ["aftershock"], 1, 7 * 60, 1, "late"))
    changes = det.observe(late)
    assert late[0].event_id == ev.id
    assert (ChangeKind.STATUS, EventStatus.ACTIVE) in statuses(changes)


def test_closed_events_leave_memory_after_retention(rng):
    det = create_detector(closed_after=3600, retain_closed=2 * 3600)
    reps = enrich(story(rng, QUAKE, ["collapsed"], 30, 0, 1, "q"))
    det.observe(reps)
    eid = det.active_events()[0].id
    det.tick(T0 + timedelta(hours=2))
    det.tick(T0 + timedelta(hours=5))
    assert eid not in det.clusters
    ev = det.get_event(eid)  # still answerable from the bounded archive
    assert ev is not None and ev.status == EventStatus.CLOSED


def test_fragments_merge_into_the_older_event_with_a_pointer(rng):
    det = create_detector(merge_every=10**9)  # merges only when we ask
    a = enrich(story(rng, ["kelda", "storm", "kelda"], ["hit", "battered"], 20, 0, 1, "a"))
    det.observe(a)
    # a second event about the same story, forced apart by opening it before the first grew
    b = enrich(story(rng, ["kelda", "arnhaven", "kelda"], ["flooded"], 20, 30, 1, "b"))
    first = det.active_events()[0].id
    other = hand_made_event(det, b, kelda_fragment_words(len(b)))
    changes = det._merge_pass(det.clock.now)
    merged = [c for c in changes if c.kind == ChangeKind.MERGED]
    assert len(merged) == 1
    assert merged[0].event.id == other.id
    assert merged[0].event.status == EventStatus.MERGED
    assert merged[0].event.merged_into == first
    assert det.resolve(other.id) == first
    assert det.get_event(other.id).id == first
    assert det.final_event(other.id) == first


def test_two_storms_in_different_places_do_not_merge(rng):
    # same hazard, same filler vocabulary and one shared hazard word; different names and
    # places (as the geoparser gives them), interleaved from the very first report
    det = create_detector(merge_every=50)
    a = story(rng, ["kelda", "storm", "kelda", "kelda"], ["hit", "battered", "lashed"], 60, 0,
              1, "a", places=[place(1001, "Arnhaven", 10.0, 20.0, "AA")])
    b = story(rng, ["mirren", "storm", "mirren", "mirren"], ["swept", "flattened", "struck"],
              60, 0.5, 1, "b", places=[place(2002, "Belmoor", -30.0, -50.0, "BB")])
    reps = enrich(sorted(a + b, key=lambda r: r.published_at))
    for i in range(0, len(reps), 20):
        det.observe(reps[i:i + 20])
    assert len(det.active_events()) == 2


def test_a_late_new_storm_does_not_join_an_established_one(rng):
    # "Mirren" arrives while "Kelda" is an established event: sharing storm words is not
    # enough, its reports lack Kelda's name, so it grows an event of its own
    det = create_detector()
    a = story(rng, ["kelda", "storm", "kelda", "kelda"], ["hit", "battered", "lashed"], 80, 0,
              1, "a")
    b = story(rng, ["mirren", "storm", "mirren", "mirren"], ["swept", "flattened", "struck"],
              60, 60, 1, "b")
    reps = enrich(sorted(a + b, key=lambda r: r.published_at))
    for i in range(0, len(reps), 20):
        det.observe(reps[i:i + 20])
    bf = det.drain_backfill()
    final = {r.id: det.final_event(bf.get(r.id, r.event_id)) for r in reps}
    ev_a = Counter(final[r.id] for r in a).most_common(1)[0][0]
    ev_b = Counter(final[r.id] for r in b).most_common(1)[0][0]
    assert ev_a and ev_b and ev_a != ev_b


def test_snapshot_restore_carries_on_with_the_same_events(rng):
    reps = enrich(story(rng, QUAKE, ["collapsed", "shook"], 60, 0, 1, "q",
                        places=[place(3003, "Valdora", 5.0, 6.0)]))
    det = create_detector()
    det.observe(reps[:30])
    blob = det.snapshot()
    assert isinstance(blob, bytes)
    again = restore_detector(blob)
    assert isinstance(again, Detector)
    assert [e.id for e in again.active_events()] == [e.id for e in det.active_events()]
    det.observe(reps[30:])
    again.observe([r for r in enrich(story(rng, QUAKE, ["collapsed", "shook"], 30, 30, 1,
                                            "q2", places=[place(3003, "Valdora", 5.0, 6.0)]))])
    assert {e.id for e in again.active_events()} == {e.id for e in det.active_events()}
    assert again.active_events()[0].report_count == det.active_events()[0].report_count


def test_changes_carry_the_state_at_each_change_within_one_batch(rng):
    """NEW, then ESCALATED at the report that raised the tier (mid-batch, its stream time and
    state), then one UPDATED with the event's last state at the end of the batch."""
    slow = story(rng, ["valdora", "quake"], ["hits", "shakes"], 8, 0, 8, "s", hazard="earthquake")
    burst = story(rng, ["valdora", "quake"], ["hits", "shakes"], 100, 120, 0.05, "b",
                  hazard="earthquake")
    for i, r in enumerate(burst):
        r.author_key = f"burst{i}"  # a hundred independent sources within five minutes
    late = story(rng, ["valdora", "quake"], ["hits", "shakes"], 20, 300, 20, "l",
                 hazard="earthquake")
    batch = enrich(slow + burst + late)
    changes = create_detector().observe(batch)
    kinds = [c.kind for c in changes]
    assert kinds[0] is ChangeKind.NEW
    esc = [c for c in changes if c.kind is ChangeKind.ESCALATED]
    assert esc, kinds
    first = esc[0]
    assert T0 + timedelta(minutes=120) <= first.at <= T0 + timedelta(minutes=126)
    assert first.event.tier.value != changes[0].event.tier.value
    # the escalation carries the count as of that report, not the batch's end
    last = changes[-1]
    assert last.kind is ChangeKind.UPDATED and last.event.id == first.event.id
    assert first.event.report_count < last.event.report_count == len(batch)


def _forced_pair(det, rng, hazard_a: str, hazard_b: str):
    """Two events about one town that online decisions kept apart; hazards as given."""
    town = [place(1001, "Arnhaven", 10.0, 20.0, "AA")]
    a = enrich(story(rng, ["kelda", "arnhaven", "kelda"], ["hit", "battered"], 20, 0, 1, "a",
                     places=town, hazard=hazard_a))
    det.observe(a)
    b = enrich(story(rng, ["arnhaven", "levee", "arnhaven"], ["breached"], 20, 30, 1, "b",
                     places=town, hazard=hazard_b))
    hand_made_event(det, b, [{"levee": 1.0, "g:1001": 3.0, f"w{i}": 1.0}
                             for i in range(len(b))])
    return det._merge_pass(det.clock.now)


def test_storm_and_flood_reports_of_one_scene_merge(rng):
    # per-report hazard labels split one storm between "storm" and "flood": same family
    det = create_detector(merge_every=10**9)
    merged = [c for c in _forced_pair(det, rng, "storm", "flood") if c.kind == ChangeKind.MERGED]
    assert len(merged) == 1


def test_an_earthquake_and_a_storm_in_one_town_stay_apart(rng):
    det = create_detector(merge_every=10**9)
    assert not [c for c in _forced_pair(det, rng, "storm", "earthquake")
                if c.kind == ChangeKind.MERGED]


def _forced_substory(det, rng, n: int, own_word: str, *, hazard: str = "storm"):
    """A "Kelda" event of ``2 n`` reports, then an event of ``n`` reports forced apart from it, all naming
    ``own_word`` and Belmoor (far from Kelda's places), half of them naming Kelda too."""
    a = enrich(story(rng, ["kelda", "storm", "kelda"], ["hit", "battered"], 2 * n, 0, 0.1, "a",
                     hazard="storm", places=[place(1001, "Arnhaven", 10.0, 20.0, "AA")]))
    det.observe(a)
    belmoor = [place(2002, "Belmoor", -30.0, -50.0, "BB")]
    b = enrich(story(rng, [own_word, "relief"], ["arrives"], n, 40, 0.1, "b",
                     places=belmoor, hazard=hazard))
    words = [{own_word: 1.0, "g:2002": 3.0, f"w{i}": 1.0} | ({"kelda": 1.0} if i % 2 == 0 else {})
             for i in range(n)]
    return _forced_event_then_merge_pass(det, b, words)


def _forced_event_then_merge_pass(det, reports, words):
    """``reports`` made one event by hand (report i with features ``words[i]``), kept apart
    from what the detector would join it to; then one merge pass: (event, MERGED changes)."""
    other = hand_made_event(det, reports, words)
    return other, [c for c in det._merge_pass(det.clock.now) if c.kind == ChangeKind.MERGED]


def test_a_sub_story_carrying_the_events_name_merges_into_it(rng):
    # "Belmoor" + "Kelda": the storm seen from another country is part of the Kelda story
    det = create_detector(merge_every=10**9)
    other, merged = _forced_substory(det, rng, 20, "belmoor")
    assert [c.event.id for c in merged] == [other.id]
    assert merged[0].event.merged_into == det.resolve(other.id) != other.id


def test_sub_story_merges_can_be_turned_off(rng):
    det = create_detector(merge_every=10**9, merge_substories=False)
    assert _forced_substory(det, rng, 20, "belmoor")[1] == []


def test_a_mature_event_named_after_a_place_is_still_a_sub_story(rng):
    # 120 reports (past the identity freeze) whose main word is the name of their place
    det = create_detector(merge_every=10**9)
    other, merged = _forced_substory(det, rng, 120, "belmoor")
    assert [c.event.id for c in merged] == [other.id]


def test_a_mature_event_with_a_name_of_its_own_is_not_a_sub_story(rng):
    # "Mirren" reports that also say "Kelda" half of the time are another storm's story
    det = create_detector(merge_every=10**9)
    assert _forced_substory(det, rng, 120, "mirren")[1] == []


def test_a_hashtag_of_the_events_own_name_is_no_name_of_its_own(rng):
    # "#StormKelda" reports (humaid: a "#HurricaneMaria" event of 1,183 reports next to the
    # "Maria" one): the hashtag runs the larger event's name together with a word
    det = create_detector(merge_every=10**9)
    other, merged = _forced_substory(det, rng, 120, "stormkelda")
    assert [c.event.id for c in merged] == [other.id]
    assert det._compound_of("stormkelda", "kelda")
    assert not det._compound_of("mirren", "kelda") and not det._compound_of("kelda", "kelda")


def _forced_carried(det, rng, n: int):
    """A "Kelda" event half of whose reports also name Ardoch, then an event of ``n``
    reports forced apart from it that name Ardoch, never Kelda."""
    a = enrich(story(rng, ["kelda", "kelda", "kelda", "ardoch"], ["hit", "battered"], 300, 0,
                     0.1, "a", hazard="storm",
                     places=[place(1001, "Arnhaven", 10.0, 20.0, "AA")]))
    det.observe(a)
    b = enrich(story(rng, ["ardoch", "relief"], ["arrives"], n, 40, 0.1, "b", hazard="storm"))
    return _forced_event_then_merge_pass(det, b, [{"ardoch": 1.0, f"w{i}": 1.0}
                                                  for i in range(n)])


def test_a_young_event_whose_name_the_larger_one_carries_merges_into_it(rng):
    # "Iraq" next to an "Iran" earthquake event a third of whose reports say "Iraq"
    det = create_detector(merge_every=10**9)
    other, merged = _forced_carried(det, rng, 20)
    assert [c.event.id for c in merged] == [other.id]
    # a mature one has a name of its own by then: "Irma" next to a "Harvey" event whose
    # reports say "Irma" too stays apart
    det = create_detector(merge_every=10**9)
    assert _forced_carried(det, rng, 120)[1] == []


def test_a_sub_story_of_another_kind_of_disaster_stays_apart(rng):
    det = create_detector(merge_every=10**9)
    assert _forced_substory(det, rng, 20, "belmoor", hazard="earthquake")[1] == []


def test_merge_pointers_are_bounded(rng, monkeypatch):
    from tocsin.detect import online

    monkeypatch.setattr(online, "_POINTERS", 3)
    det = create_detector(merge_every=10**9)
    det.pointers.update({f"old{i}": "x" for i in range(3)})
    _forced_substory(det, rng, 20, "belmoor")
    assert len(det.pointers) == 3 and "old0" not in det.pointers
