"""A hazard burst opens an event even when no name or place dominates its reports
(``hazard_burst_reports``; found on humaid: a M7.1 offshore earthquake and its tsunami
warnings, 145 reports in 11 hours, never became an event)."""

from __future__ import annotations

import pytest

from tocsin.detect import create_detector
from tocsin.model import ChangeKind

from .conftest import enrich, mk

#: generic crisis vocabulary only (vocab.GENERIC): never an anchor, never a name
TALK = ["tremor", "aftershock", "magnitude", "shake", "damage", "safe", "pray", "everyone",
        "thought", "tsunami", "warning", "stay", "quake"]


def burst(rng, n, every_min, hazards=("earthquake",), relevant=True, prefix="b"):
    out = []
    for i in range(n):
        out.append(mk(" ".join(rng.sample(TALK, 5)) + f" {prefix}{i}", i * every_min,
                      rid=f"{prefix}-{i}", author=f"a_{prefix}{i % 11}",
                      hazard=hazards[i % len(hazards)], relevant=relevant))
    return enrich(out)


def opened(reports, **cfg) -> list:
    det = create_detector(**cfg)
    changes = []
    for i in range(0, len(reports), 5):
        changes += det.observe(reports[i:i + 5])
    return [c for c in changes if c.kind == ChangeKind.NEW]


def test_nameless_burst_opens_an_event(rng):
    reports = burst(rng, 40, 1)  # forty reports in forty minutes
    new = opened(reports)
    assert len(new) == 1
    assert new[0].event.hazard == "earthquake"
    assert not opened(reports, hazard_burst_reports=0)  # the rule is what opens it


def test_the_same_talk_spread_over_a_day_opens_nothing(rng):
    assert not opened(burst(rng, 40, 30))  # one report every half hour: no burst


@pytest.mark.parametrize("kw", [
    {"hazards": ("earthquake", "storm")},  # the reports do not agree on what happened
    {"hazards": ("earthquake", "earthquake", "earthquake", "flood")},  # a quarter disagree
    {"relevant": False},  # no crisis cue
])
def test_a_burst_that_does_not_agree_on_a_hazard_opens_nothing(rng, kw):
    assert not opened(burst(rng, 40, 1, **kw))


def test_below_the_size_of_a_burst_nothing_opens(rng):
    assert not opened(burst(rng, 20, 1))  # fewer than 24
