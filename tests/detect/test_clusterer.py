"""The clusterer on synthetic streams: stories become events, noise does not."""

from __future__ import annotations

from collections import Counter

from tocsin.detect import create_detector
from tocsin.model import ChangeKind

from .conftest import enrich, mk, place, story

QUAKE = ["valdora", "earthquake", "valdora", "quake"]
FLOOD_A = ["merrin", "flood", "merrin", "river"]
FLOOD_B = ["castelo", "flood", "castelo", "dam"]


def run(det, reports, batch=50):
    changes = []
    for i in range(0, len(reports), batch):
        changes += det.observe(reports[i:i + batch])
    return changes


def final_ids(det, reports):
    bf = det.drain_backfill()
    return [det.final_event(bf.get(r.id, r.event_id)) for r in reports]


def test_one_story_becomes_one_event(rng):
    reps = enrich(story(rng, QUAKE, ["collapsed", "shook", "struck"], 60, 0, 2, "q"))
    det = create_detector()
    changes = run(det, reps)
    assert sum(c.kind == ChangeKind.NEW for c in changes) == 1
    ids = Counter(e for e in (det.resolve(r.event_id) for r in reps if r.event_id))
    assert len(ids) == 1
    (eid, n), = ids.items()
    assert n >= 50  # the first few were back-filled, not set at observe time
    assert len([x for x in final_ids(det, reps) if x == eid]) >= 58


def test_two_same_type_disasters_in_different_places_stay_apart(rng):
    a = story(rng, FLOOD_A, ["rising", "burst", "overflow"], 60, 0, 2, "a",
              places=[place(1001, "Merrin", 10.0, 20.0)], hazard="flood")
    b = story(rng, FLOOD_B, ["rising", "burst", "overflow"], 60, 1, 2, "b",
              places=[place(2002, "Castelo", -30.0, -50.0)], hazard="flood")
    reps = enrich(sorted(a + b, key=lambda r: r.published_at))
    det = create_detector()
    run(det, reps)
    final = dict(zip((r.id for r in reps), final_ids(det, reps), strict=True))
    ev_a = Counter(final[r.id] for r in a if final[r.id])
    ev_b = Counter(final[r.id] for r in b if final[r.id])
    top_a, top_b = ev_a.most_common(1)[0][0], ev_b.most_common(1)[0][0]
    assert top_a != top_b
    assert ev_a[top_a] >= 55 and ev_b[top_b] >= 55
    assert top_b not in ev_a and top_a not in ev_b


def test_irrelevant_reports_feed_no_event(rng):
    reps = enrich(story(rng, QUAKE, ["collapsed", "shook"], 40, 0, 1, "q", relevant=False))
    det = create_detector()
    assert run(det, reps) == []
    assert all(r.event_id is None for r in reps)
    assert det.active_events() == []


def test_chatter_with_crisis_words_opens_no_event(rng):
    # off-topic posts that share a crisis word but nothing else must not cohere
    letters = "abcdefghijklmnoprstuvw"
    words = ["".join(rng.choice(letters) for _ in range(rng.randint(4, 8))) for _ in range(3000)]
    reps = enrich([mk(" ".join(rng.sample(words, 5)) + " earthquake", i, rid=f"n{i}")
                   for i in range(200)])
    det = create_detector()
    changes = run(det, reps)
    assert not [c for c in changes if c.kind == ChangeKind.NEW]


def test_duplicates_count_to_volume_not_sources(rng):
    base = story(rng, QUAKE, ["collapsed", "shook"], 10, 0, 1, "q")
    copies = [mk(base[0].text, 20 + i, rid=f"copy{i}", author=f"a_copy{i}") for i in range(20)]
    reps = enrich(base + copies)
    det = create_detector()
    run(det, reps)
    assert all(r.duplicate_of for r in reps[10:])
    (ev,) = det.active_events()
    assert ev.report_count == 30
    assert ev.source_count == len({r.author_key for r in base})


def test_sub_stories_fold_into_their_story(rng):
    # one storm, several towns: the town names are sub-stories of "storm Kelda"
    towns = ["arnhaven", "belmoor", "corvath", "dunmere"]
    reps = []
    for k, town in enumerate(towns):
        reps += story(rng, ["kelda", town, "kelda"], ["flooded", "battered", "hit"], 25,
                      k * 0.5, 2, f"s{k}", hazard="storm")
    reps = enrich(sorted(reps, key=lambda r: r.published_at))
    det = create_detector()
    run(det, reps)
    finals = Counter(e for e in final_ids(det, reps) if e)
    assert len(finals) <= 2
    assert finals.most_common(1)[0][1] >= 0.8 * len(reps)


def test_event_summary_fields(rng):
    reps = story(rng, QUAKE, ["collapsed", "shook"], 30, 0, 1, "q",
                 places=[place(3003, "Valdora", 5.0, 6.0)], hazard="earthquake",
                 info_type="casualties")
    for r in reps[:10]:
        r.needs = ["medical"]
    det = create_detector()
    run(det, enrich(reps))
    (ev,) = det.active_events()
    assert ev.hazard == "earthquake"
    assert ev.places[0]["geonameid"] == 3003 and ev.bbox == (6.0, 5.0, 6.0, 5.0)
    assert "valdora" in ev.top_terms
    assert ev.needs_counts == {"medical": 10}
    assert ev.info_counts["casualties"] == 30
    assert ev.languages == {"en": 30}
    assert ev.title and ev.report_count == 30 and ev.source_count == 7
    assert ev.growth_rate > 0


def test_unknown_option_is_rejected():
    import pytest

    with pytest.raises(ValueError, match="join_treshold"):
        create_detector(join_treshold=0.1)


def _chatter(rng, n, start, town, gid):
    """Geo-tagged small talk from one town: judged (weakly) relevant, no hazard named."""
    talk = ["coffee", "brunch", "concert", "gym", "traffic", "sunset", "shopping", "match"]
    out = []
    for i in range(n):
        r = mk(f"at {town} " + " ".join(rng.sample(talk, 3)) + f" c{i}", start + i * 3,
               rid=f"chat-{i}", author=f"a_chat{i % 9}", places=[place(gid, "Arnhaven",
                                                                       10.0, 20.0)],
               relevant=True, hazard="none")
        r.relevance = 0.6
        out.append(r)
    return out


def test_chatter_without_a_hazard_opens_no_event(rng):
    # the classifier let it through (relevant, 0.6) but found no hazard in it: it may not
    # open a story; with the rule off, the same stream opens an "Arnhaven" event
    reps = enrich(_chatter(rng, 60, 0, "arnhaven", 1001))
    assert not [c for c in run(create_detector(), reps) if c.kind == ChangeKind.NEW]
    reps = enrich(_chatter(rng, 60, 0, "arnhaven", 1001))
    off = run(create_detector(no_hazard_relevance=0.0), reps)
    assert [c for c in off if c.kind == ChangeKind.NEW]


def test_the_disaster_not_the_chatter_opens_the_event(rng):
    # chatter from a town, then a flood there: the event opened is the flood's, and the
    # chatter before it stays out of it
    chat = _chatter(rng, 40, 0, "arnhaven", 1001)
    flood = story(rng, ["arnhaven", "flood", "arnhaven", "river"], ["rising", "burst"], 40,
                  200, 1, "f", places=[place(1001, "Arnhaven", 10.0, 20.0)], hazard="flood",
                  relevant=True)
    reps = enrich(chat + flood)
    det = create_detector()
    run(det, reps)
    final = dict(zip((r.id for r in reps), final_ids(det, reps), strict=True))
    ev = Counter(final[r.id] for r in flood if final[r.id])
    (top, n), = ev.most_common(1)
    assert n >= 36
    assert sum(final[r.id] == top for r in chat) <= 4


def test_no_hazard_reports_still_join_an_event_that_names_them(rng):
    # once the flood is an event, posts about it in which no hazard was found still count
    flood = story(rng, ["arnhaven", "flood", "arnhaven", "river"], ["rising", "burst"], 40,
                  0, 1, "f", places=[place(1001, "Arnhaven", 10.0, 20.0)], hazard="flood",
                  relevant=True)
    later = story(rng, ["arnhaven", "river", "arnhaven"], ["rising", "burst"], 20, 45, 1,
                  "n", places=[place(1001, "Arnhaven", 10.0, 20.0)], hazard="none",
                  relevant=True)
    for r in later:
        r.relevance = 0.7
    reps = enrich(flood + later)
    det = create_detector()
    run(det, reps)
    final = dict(zip((r.id for r in reps), final_ids(det, reps), strict=True))
    top = Counter(final[r.id] for r in flood).most_common(1)[0][0]
    assert top is not None
    assert sum(final[r.id] == top for r in later) >= 16
