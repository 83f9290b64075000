"""Fixtures for detection tests: synthetic reports, never corpus text.

Stories are generated from small word pools so that no two reports are copies and the
clusterer has to rely on what a real story shares (names, places, hazard), not on identity.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from tocsin.enrich.dedup import DedupStage
from tocsin.enrich.text import TextStage
from tocsin.model import EventStatus, Place, Report

T0 = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)

FILLER = ("people streets night morning reports residents schools roads bridge "
          "homes neighbourhood families officials teams hospital market centre "
          "witnesses video pictures area district".split())


def place(gid: int, name: str, lat: float, lon: float, cc: str = "XX") -> Place:
    return Place(start=0, end=len(name), phrase=name, geonameid=gid, name=name, lat=lat,
                 lon=lon, country=cc)


def mk(text: str, minutes: float, *, rid: str | None = None, places: list[Place] | None = None,
       hazard: str | None = None, author: str | None = None, relevant: bool | None = None,
       lang: str = "en", info_type: str | None = None) -> Report:
    r = Report(id=rid or f"r{random.random():.12f}", source="test", text=text,
               published_at=T0 + timedelta(minutes=minutes), lang=lang,
               author_key=author)
    r.places = list(places or [])
    r.hazard = hazard
    r.relevant = relevant
    r.info_type = info_type
    return r


def enrich(reports: list[Report]) -> list[Report]:
    """Text and dedup stages only (deterministic, no shipped models needed)."""
    for st in (TextStage(), DedupStage()):
        reports = st.enrich(reports)
    return reports


def story(rng: random.Random, anchors: list[str], verbs: list[str], n: int, start: float,
          every: float, prefix: str, **kw) -> list[Report]:
    """``n`` varied reports of one story: two anchors, one verb, three fillers each."""
    out = []
    for i in range(n):
        words = rng.sample(anchors, k=min(2, len(anchors))) + [rng.choice(verbs)]
        words += rng.sample(FILLER, 3)
        rng.shuffle(words)
        out.append(mk(" ".join(words) + f" {prefix}{i}", start + i * every,
                      rid=f"{prefix}-{i}", author=f"a_{prefix}{i % 7}", **kw))
    return out


def hand_made_event(det, reports: list[Report], words: list[dict[str, float]]):
    """``reports`` made one open event by hand (report i with features ``words[i]``), kept
    apart from whatever the detector would have joined them to — the fragment that online
    decisions sometimes leave, for the merge pass to find."""
    other = det._new_candidate(reports[0], reports[0].published_at.timestamp())
    for r, w in zip(reports, words, strict=True):
        other.add(r, w, r.published_at.timestamp(), 1.0)
    other.status = EventStatus.ACTIVE.value
    det.candidates.pop(other.id)
    det.promoted[other.id] = None
    det._index(other, list(other.terms))
    return other


def kelda_fragment_words(n: int) -> list[dict[str, float]]:
    """Features of a fragment of the Kelda story: every report names Kelda, every third
    Arnhaven too."""
    return [{"kelda": 1.0, "arnhaven": 1.0} if i % 3 == 0 else {"kelda": 1.0, f"w{i}": 1.0}
            for i in range(n)]


@pytest.fixture
def rng() -> random.Random:
    return random.Random(7)
