"""When merge passes run (``merge_every`` reports, or ``merge_interval`` of stream time) and
which events they may join (never one born while the other was closed)."""

from __future__ import annotations

from datetime import timedelta

from tocsin.detect import create_detector, restore_detector
from tocsin.model import ChangeKind, EventStatus

from .conftest import T0, enrich, hand_made_event, kelda_fragment_words, story

KELDA = ["kelda", "storm", "kelda"]


def _hand_made_fragment(det, reports):
    """A fragment of the Kelda story made an open event by hand."""
    return hand_made_event(det, reports, kelda_fragment_words(len(reports)))


def _merged(changes):
    return [c for c in changes if c.kind == ChangeKind.MERGED]


def _quiet_stream_with_a_fragment(rng, **cfg):
    det = create_detector(merge_every=10**9, **cfg)  # no pass by report counts
    det.observe(enrich(story(rng, KELDA, ["hit", "battered"], 20, 0, 1, "a")))
    frag = _hand_made_fragment(det, enrich(story(rng, ["kelda", "arnhaven"], ["flooded"], 20,
                                                 30, 1, "b")))
    return det, frag


def test_a_quiet_stream_gets_a_merge_pass_once_a_day_of_stream_time_has_passed(rng):
    det, frag = _quiet_stream_with_a_fragment(rng)
    # a few reports over the next hours: no pass yet (far fewer than merge_every reports)
    for h in (2, 9, 20):
        changes = det.observe(enrich(story(rng, ["harbour", "fog"], ["closed"], 1, h * 60, 1,
                                           f"q{h}")))
        assert not _merged(changes)
    assert frag.id in det.clusters
    # the first report a day after the first pass's clock start brings one
    changes = det.observe(enrich(story(rng, ["harbour", "fog"], ["closed"], 1, 25 * 60, 1,
                                       "q25")))
    (merged,) = _merged(changes)
    assert merged.event.id == frag.id
    assert det.resolve(frag.id) == merged.event.merged_into


def test_merge_interval_zero_leaves_merges_to_report_counts(rng):
    det, frag = _quiet_stream_with_a_fragment(rng, merge_interval=0)
    for h in (2, 9, 20, 25, 40):
        changes = det.observe(enrich(story(rng, ["harbour", "fog"], ["closed"], 1, h * 60, 1,
                                           f"q{h}")))
        assert not _merged(changes)
    assert frag.id in det.clusters


def _closed_kelda(rng):
    det = create_detector(merge_every=10**9, cooling_after=3600, closed_after=4 * 3600)
    det.observe(enrich(story(rng, KELDA, ["hit", "battered"], 20, 0, 1, "a")))
    (kelda,) = det.active_events()
    det.tick(T0 + timedelta(hours=6))
    assert det.get_event(kelda.id).status == EventStatus.CLOSED
    return det, kelda.id


def test_an_event_born_while_another_was_closed_is_not_merged_into_it(rng):
    # the Kelda story ended (closed); a week later "Kelda" makes news again: a new incident
    # (another storm of that name, another earthquake in that country), not a fragment
    det, old = _closed_kelda(rng)
    late = _hand_made_fragment(det, enrich(story(rng, ["kelda", "arnhaven"], ["flooded"], 20,
                                                 7 * 60, 1, "b")))
    assert not _merged(det._merge_pass(det.clock.now))
    assert {old, late.id} <= set(det.clusters)
    # still when a stray report has re-opened the old event since: it was closed at the
    # other's birth
    det.observe(enrich(story(rng, KELDA, ["battered"], 1, 8 * 60, 1, "stray")))
    assert det.clusters[old].is_open
    assert not _merged(det._merge_pass(det.clock.now))


def test_a_fragment_born_while_the_event_was_open_still_merges_after_it_closed(rng):
    det = create_detector(merge_every=10**9, cooling_after=3600, closed_after=4 * 3600)
    det.observe(enrich(story(rng, KELDA, ["hit", "battered"], 20, 0, 1, "a")))
    frag = _hand_made_fragment(det, enrich(story(rng, ["kelda", "arnhaven"], ["flooded"], 20,
                                                 30, 1, "b")))
    det.tick(T0 + timedelta(hours=6))  # the main event closes; the fragment is kept open
    frag.status = EventStatus.ACTIVE.value
    assert len(_merged(det._merge_pass(det.clock.now))) == 1


def test_a_restored_detector_remembers_when_events_were_closed(rng):
    det, old = _closed_kelda(rng)
    again = restore_detector(det.snapshot())
    assert again.clusters[old].dormant == det.clusters[old].dormant
    late = _hand_made_fragment(again, enrich(story(rng, ["kelda", "arnhaven"], ["flooded"],
                                                   20, 7 * 60, 1, "b")))
    assert not _merged(again._merge_pass(again.clock.now))
    assert late.id in again.clusters


def test_a_restored_detector_keeps_the_merge_clock(rng):
    det, frag = _quiet_stream_with_a_fragment(rng)
    det.observe(enrich(story(rng, ["harbour", "fog"], ["closed"], 1, 20 * 60, 1, "q20")))
    again = restore_detector(det.snapshot())
    # had the restored detector started its merge clock afresh, this report (25 h after
    # the first, 5 h after the restore) would bring no pass
    changes = again.observe(enrich(story(rng, ["harbour", "fog"], ["closed"], 1, 25 * 60, 1,
                                         "q25")))
    assert [c.event.id for c in _merged(changes)] == [frag.id]


def test_a_fragment_born_after_the_event_re_opened_merges(rng):
    # the story came back (a report re-opened the closed event); fragments born from then on
    # are fragments of it again
    det, old = _closed_kelda(rng)
    det.observe(enrich(story(rng, KELDA, ["battered"], 1, 7 * 60, 1, "back")))
    assert det.clusters[old].is_open
    frag = _hand_made_fragment(det, enrich(story(rng, ["kelda", "arnhaven"], ["flooded"], 20,
                                                 8 * 60, 1, "b")))
    (merged,) = _merged(det._merge_pass(det.clock.now))
    assert merged.event.id == frag.id and merged.event.merged_into == old
