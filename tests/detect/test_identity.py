"""An event's name (identity) follows it while young, then freezes — unless the event has
left it behind (``OnlineDetector._identity_is_stale``): humaid's Maria event was named after
a dozen earlier posts about a photo album in Santa Fe and, with that name, could never take
in its own fragments."""

from __future__ import annotations

from tocsin.detect import create_detector

from .conftest import enrich, story

KELDA = ["kelda", "hurricane", "kelda", "landfall"]


QUAKE = ["valdora", "earthquake", "valdora", "quake"]


def grown_event(rng, n=150, **cfg):
    """An event of ``n`` reports about Kelda (every report names it), and another one (the
    merge pass looks at names only when there are two events to compare)."""
    det = create_detector(merge_every=10_000, **cfg)  # no merge pass until the test runs one
    reps = enrich(story(rng, KELDA, ["flooded", "battered", "hit"], n, 0, 1, "k",
                        hazard="storm", relevant=True)
                  + story(rng, QUAKE, ["collapsed", "shook", "struck"], 30, 0.5, 1, "q",
                          hazard="earthquake", relevant=True))
    reps.sort(key=lambda r: r.published_at)
    for i in range(0, len(reps), 50):
        det.observe(reps[i:i + 50])
    events = [c for c in det.clusters.values() if c.is_event and "kelda" in c.terms]
    assert len(events) == 1 and sum(c.is_event for c in det.clusters.values()) == 2
    return det, events[0], reps[-1].published_at.timestamp()


def test_a_name_the_event_left_behind_is_learned_again(rng):
    det, ev, now = grown_event(rng)
    assert ev.identity_primary == "kelda"
    ev.identity, ev.identity_primary = {"zarvo": 0.9}, "zarvo"  # a misleading start's name
    det._merge_pass(now)
    assert ev.identity_primary == "kelda" and "zarvo" not in ev.identity


def test_a_name_still_carried_by_a_tenth_of_the_reports_is_kept(rng):
    det, ev, now = grown_event(rng)
    word = next(w for w, v in ev.terms.items() if 0.12 * ev.n < v < 0.3 * ev.n)
    ev.identity, ev.identity_primary = {word: 0.5}, word  # a second name, still in use
    det._merge_pass(now)
    assert ev.identity_primary == word


def test_a_young_event_simply_follows_its_anchors(rng):
    det, ev, now = grown_event(rng, n=60)
    ev.identity, ev.identity_primary = {"zarvo": 0.9}, "zarvo"
    det._merge_pass(now)
    assert ev.identity_primary == "kelda"
