"""An event's representative report (detect/representative.py): typical and telling, chosen
again as the event grows, never a roundup of another event."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tocsin.detect import OnlineDetector
from tocsin.detect.cluster import Cluster
from tocsin.detect.representative import (
    FOREIGN_PENALTY,
    MAX_QUALITY,
    MIN_KEYS,
    POOL_SIZE,
    QUALITY_WEIGHT,
    TITLE_REGROWTH,
    TitleCandidate,
    merged,
    names_other,
    offer,
    report_quality,
    rescore,
    typicality,
)
from tocsin.model import Report

from .conftest import T0, enrich, mk, place, story

GOMA = place(1, "Goma", -1.68, 29.22, "CD")


def test_typicality_is_the_profile_share_of_the_report_features():
    terms, n = {"flood": 8.0, "goma": 4.0, "river": 2.0}, 8.0
    keys = ("flood", "goma", "river", "market", "bridge", "road", "night", "city", "rain")
    assert math.isclose(typicality(keys, terms, n), (1.0 + 0.5 + 0.25) / 3.0)
    assert typicality((), terms, n) == 0.0 and typicality(keys, {}, 0.0) == 0.0


def test_a_short_post_counts_as_having_min_keys_features():
    """Two features that every report carries do not make the most typical report."""
    terms, n = {"flood": 10.0, "goma": 10.0, "river": 6.0, "bank": 6.0}, 10.0
    short = typicality(("flood", "goma"), terms, n)
    assert math.isclose(short, 2.0 / math.sqrt(MIN_KEYS))
    telling = ("flood", "goma", "river", "bank", "burst", "market", "families", "fled")
    assert typicality(telling, terms, n) > short


def _report(text, **kw) -> Report:
    r = enrich([mk(text, 0.0, **kw)])[0]
    r.relevance = kw.get("relevance", 0.9)
    return r


def test_quality_prefers_an_actionable_placed_hazard_report_to_a_question():
    good = _report("River bursts its banks in Goma, 40 families displaced near the market",
                   hazard="flood", info_type="displacement")
    question = _report("What is going on in Goma?", hazard="none", info_type="not_relevant")
    assert report_quality(good, True) > report_quality(question, False) + 1.0


def cand(score, rid, text="t", keys=("w",), quality=0.0):
    return TitleCandidate(score, quality, text, tuple(keys), rid)


@given(st.one_of(st.none(), st.floats(0.0, 1.0)),
       st.sampled_from([None, "none", "other", "flood", "storm"]),
       st.sampled_from([None, "not_relevant", "casualties", "sympathy_and_support"]),
       st.booleans(), st.text(max_size=200))
def test_quality_never_exceeds_its_bound(relevance, hazard, info_type, has_place, text):
    """``Cluster.add`` skips a report whose typicality plus MAX_QUALITY cannot enter the pool:
    the bound must hold for every report."""
    r = Report(id="r", source="s", text=text or "x", published_at=T0)
    r.tokens = text.split()
    r.relevance, r.hazard, r.info_type = relevance, hazard, info_type
    assert report_quality(r, has_place) <= MAX_QUALITY


def test_offer_keeps_the_best_pool_size_entries():
    pool: list = []
    for i in range(POOL_SIZE - 1):
        assert offer(pool, cand(float(i), f"r{i}")) == -math.inf  # room left
    assert offer(pool, cand(float(POOL_SIZE - 1), f"r{POOL_SIZE - 1}")) == 0.0
    assert offer(pool, cand(0.0, "tie with the weakest")) == 0.0
    assert offer(pool, cand(10.0, "rb")) == 1.0
    assert len(pool) == POOL_SIZE and {c.report_id for c in pool} == {
        f"r{i}" for i in range(1, POOL_SIZE)} | {"rb"}


@given(st.lists(st.floats(-5, 5, allow_nan=False), max_size=40))
def test_offer_holds_the_top_scores_offered(scores):
    pool: list = []
    for i, s in enumerate(scores):
        offer(pool, cand(s, f"r{i}"))
    assert len(pool) == min(len(scores), POOL_SIZE)
    assert sorted(c.score for c in pool) == sorted(scores)[len(scores) - len(pool):]


@given(st.lists(st.floats(-5, 5, allow_nan=False), max_size=10),
       st.lists(st.floats(-5, 5, allow_nan=False), max_size=10))
def test_merged_pools_keep_the_best_of_both(a, b):
    got = merged([cand(s, f"a{i}") for i, s in enumerate(a)],
                 [cand(s, f"b{i}") for i, s in enumerate(b)])
    assert sorted(c.score for c in got) == sorted(a + b)[max(0, len(a) + len(b) - POOL_SIZE):]


def test_raw_text_is_cleaned_when_the_pool_is_scored():
    """Offered, a report's raw text waits in the pool (no regexes per report); scored, every
    entry loses its accounts and links, the chosen one and the others, and one that leaves
    no title (links and mentions only) is dropped."""
    only_links = cand(9.0, "r1", text="@someone https://t.co/x")
    raw = cand(1.0, "r2", text="RT @someone: River bursts its banks in Goma https://t.co/y",
               keys=("river",))
    other = cand(0.5, "r3", text="cc @someone: rain in Goma http://x.example/z", keys=("rain",))
    assert not raw.clean and "@someone" in raw.text
    pool = [only_links, raw, other]
    best = rescore(pool, {"w": 5.0, "river": 1.0}, 5.0)
    assert best is raw and raw.text == "River bursts its banks in Goma"
    assert pool == [raw, other] and all(c.clean and "@" not in c.text for c in pool)


def test_rescore_penalises_a_report_naming_another_event():
    terms, n = {"harvey": 10.0, "houston": 6.0, "irma": 8.0, "h:storm": 10.0}, 10.0
    roundup = cand(0.0, "r1", "Donate to Harvey and Irma victims", ("harvey", "irma", "h:storm"),
                   quality=1.0)
    local = cand(0.0, "r2", "Houston shelters open for Harvey", ("harvey", "houston", "h:storm"),
                 quality=1.0)
    pool = [roundup, local]
    assert rescore(pool, terms, n).report_id == "r1"  # the more typical, naming no other
    plain = roundup.score
    assert rescore(pool, terms, n, frozenset({"irma", "harvey"}),
                   {"harvey": 1.0}).report_id == "r2"
    assert math.isclose(roundup.score, plain - FOREIGN_PENALTY)
    # its own anchor is not foreign, whatever the set holds
    assert not names_other(("harvey",), frozenset({"harvey"}), {"harvey": 1.0})
    assert names_other(("harvey", "irma"), frozenset({"irma"}), {"harvey": 1.0})


def test_rescore_weighs_quality_against_typicality():
    terms, n = {"flood": 10.0, "goma": 10.0, "chatter": 10.0, "displaced": 2.0}, 10.0
    chatty = cand(0.0, "r1", keys=("flood", "goma", "chatter"))
    telling = cand(0.0, "r2", keys=("flood", "goma", "displaced"), quality=1.5)
    assert rescore([chatty, telling], terms, n).report_id == "r2"
    assert telling.score - chatty.score == pytest.approx(
        QUALITY_WEIGHT * 1.5 - 0.8 / math.sqrt(MIN_KEYS))


def test_the_title_is_chosen_again_only_at_a_new_stage_of_the_event():
    """A title that changed with every batch would be noise to its readers: it is chosen
    again once the event has TITLE_REGROWTH times the reports it had at the last choice."""
    c = Cluster(id="e1", created=0.0, last=0.0, terms={"flood": 10.0, "goma": 10.0}, n=10.0)
    first = cand(0.0, "first", "Flood in Goma", ("flood", "goma"), quality=1.0)
    c.title_pool = [first]
    c.report_count = 100
    c.pick_title()
    assert (c.title_id, c.title_picked_at) == ("first", 100)
    c.title_pool.append(cand(0.0, "better", "Goma flood: 40 families displaced",
                             ("flood", "goma"), quality=1.5))
    raw = cand(0.0, "raw", "RT @someone: Goma flood https://t.co/x", ("flood",))
    c.title_pool.append(raw)
    c.report_count = int(TITLE_REGROWTH * 100) - 1
    c.pick_title()
    assert c.title_id == "first"  # not yet a new stage
    assert raw.clean and raw.text == "Goma flood"  # but no raw text stays in the pool
    c.report_count = int(TITLE_REGROWTH * 100)
    c.pick_title()
    assert (c.title_id, c.title, c.title_picked_at) == (
        "better", "Goma flood: 40 families displaced", int(TITLE_REGROWTH * 100))


def test_the_title_moves_to_a_telling_report_as_the_event_grows():
    """The first report of a story is a bare question; the title ends on a report that says
    what happened, where (and the title's report id travels with the event)."""
    reports = [mk("flood goma river what is going on?", 0.0, rid="q0", places=[GOMA],
                  hazard="flood", author="a0", info_type="not_relevant")]
    for i in range(1, 40):
        reports.append(mk(f"flood goma river bursts banks families displaced market road "
                          f"bridge update {i}", i * 2.0, rid=f"d{i}", places=[GOMA],
                          hazard="flood", author=f"a{i % 9}", info_type="displacement"))
    batch = enrich(reports)
    for r in batch:
        r.relevant, r.relevance = True, (0.6 if r.id == "q0" else 0.95)
    det = OnlineDetector()
    det.observe(batch)
    events = det.active_events()
    assert len(events) == 1
    ev = events[0]
    assert ev.title_report != "q0" and ev.title_report.startswith("d")
    assert "bursts banks" in ev.title
    assert ev.to_dict()["title_report"] == ev.title_report


def test_reading_events_does_not_choose_titles():
    """Titles are chosen when a change is announced, never by a read: however often the API
    asks for an event, its title is the one the last change carried."""
    reports = [mk(f"flood goma river bursts banks families displaced market {i}", i * 2.0,
                  rid=f"d{i}", places=[GOMA], hazard="flood", author=f"a{i % 9}",
                  info_type="displacement") for i in range(30)]
    batch = enrich(reports)
    for r in batch:
        r.relevant, r.relevance = True, 0.95
    det = OnlineDetector()
    changes = det.observe(batch)
    announced = changes[-1].event
    c = det.clusters[announced.id]
    for cand in c.title_pool:  # another candidate now far ahead, were the pool scored again
        if cand.report_id != announced.title_report:
            cand.quality += 10.0
            break
    again = det.get_event(announced.id)
    assert again.title_report == announced.title_report == det.active_events()[0].title_report


def test_title_pool_and_id_survive_a_snapshot():
    c = Cluster(id="e1", created=0.0, last=0.0)
    r = _report("River bursts its banks in Goma, families displaced near the market",
                hazard="flood", info_type="displacement")
    c.add(r, {"river": 1.0, "goma": 1.0, "g:1": 3.0}, 0.0, 1.0, places=[GOMA])
    c.pick_title()
    back = Cluster.from_state(c.to_state())
    assert back.title_id == r.id and back.title == c.title
    assert [x.to_state() for x in back.title_pool] == [x.to_state() for x in c.title_pool]
    assert back.title_floor == c.title_floor and back.title_picked_at == c.title_picked_at == 1


def test_the_score_a_report_enters_with_is_the_score_rescoring_gives():
    """Cluster.add computes typicality inline; it must be ``typicality`` itself."""
    c = Cluster(id="e1", created=0.0, last=0.0)
    texts = ["river bursts banks goma", "goma market flooded families fled", "rain goma river",
             "river levels rising in goma overnight families moved to schools and churches"]
    for i, text in enumerate(texts):
        r = _report(text, hazard="flood", info_type="displacement")
        feats = dict.fromkeys(r.tokens, 1.0)
        c.add(r, feats, float(i), 1.0, places=[GOMA])
    last = next(x for x in c.title_pool if x.report_id == r.id)
    entered = last.score
    rescore(c.title_pool, c.terms, c.n)
    assert last.score == entered


def test_the_foreign_penalty_follows_the_event_identity():
    """Cluster.add keeps the open events' anchors minus its own between reports; a new
    identity (or a new set of open events) is seen at once."""
    c = Cluster(id="e1", created=0.0, last=0.0)
    c.identity = {"harvey": 1.0}
    foreign = frozenset({"harvey", "irma"})
    feats = {"harvey": 1.0, "irma": 1.0, "houston": 1.0}

    def entered_with(rid):  # the same report twice: the same typicality and quality
        r = _report("hurricane harvey and irma houston shelters", hazard="storm")
        r.id = rid
        c.add(r, dict(feats), 0.0, 1.0, places=[], foreign=foreign)
        return next(x for x in c.title_pool if x.report_id == rid).score

    penalised = entered_with("a")
    c.identity = {"harvey": 1.0, "irma": 1.0}  # (the detector replaces it, never edits it)
    assert entered_with("b") - penalised == pytest.approx(FOREIGN_PENALTY)
    assert names_other(feats, foreign, {"harvey": 1.0})
    assert not names_other(feats, foreign, c.identity)


def test_merging_clusters_keeps_the_better_title():
    a, b = Cluster(id="a", created=0.0, last=0.0), Cluster(id="b", created=0.0, last=0.0)
    weak = _report("what is happening??", hazard="none", info_type="not_relevant")
    strong = _report("Goma flood: river bursts its banks, 40 families displaced",
                     hazard="flood", info_type="displacement")
    a.add(weak, {"happening": 1.0}, 0.0, 1.0)
    b.add(strong, {"goma": 1.0, "flood": 1.0, "river": 1.0, "g:1": 3.0}, 0.0, 1.0,
          places=[GOMA])
    a.absorb(b)
    assert len(a.title_pool) == 2 and a.title_floor == -math.inf
    a.pick_title()  # (the detector does it when the merged event is next announced)
    assert a.title_id == strong.id


def test_a_report_naming_another_open_event_loses_the_title(rng):
    """Two storms at once, far apart: a roundup naming both is typical of each and titles
    neither."""
    det = OnlineDetector()
    keyport = place(10, "Keyport", 18.0, -66.0, "PR")
    lagos = place(20, "Lagosbay", 25.0, -80.0, "US")
    kw = {"hazard": "storm", "info_type": "infrastructure_damage"}

    def sure(batch):
        for r in batch:
            r.relevant, r.relevance = True, 0.95
        return enrich(batch)

    det.observe(sure(story(rng, ["ardent", "keyport", "hurricane"], ["landfall", "roofs"], 40,
                           0.0, 1.5, "a", places=[keyport], **kw)))
    second = story(rng, ["brisa", "lagosbay", "hurricane"], ["surge", "stranded"], 40, 100.0,
                   1.5, "b", places=[lagos], **kw)
    # roundups naming both storms (each by what it is known by: its primary anchor, here
    # its place) with this one's words: its most typical reports, which without the rule
    # would title it
    second += [mk(f"hurricane brisa lagosbay surge stranded and ardent in keyport {i}",
                  150.0 + i, rid=f"roundup-{i}", places=[lagos, keyport], author=f"r{i}",
                  **kw) for i in range(6)]
    det.observe(sure(sorted(second, key=lambda r: r.published_at)))
    events = det.active_events()
    assert len(events) == 2, [e.title for e in events]
    brisa = next(e for e in events if "brisa" in e.top_terms)
    assert not brisa.title_report.startswith("roundup"), brisa.title
