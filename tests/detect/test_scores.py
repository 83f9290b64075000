"""Severity, tier and summary parts, each checked in isolation."""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from tocsin.detect.cluster import Cluster
from tocsin.detect.scores import (
    highest_tier,
    places_and_bbox,
    severity_and_tier,
    severity_parts,
    tier_of,
)
from tocsin.model import Tier


def cluster(n=50, casualties=0, sources=1, hazard="flood") -> Cluster:
    c = Cluster(id="e1", created=0.0, last=0.0)
    c.report_count = c.unique_count = n
    c.info = Counter({"casualties": casualties, "other_relevant": n - casualties})
    c.hazards = Counter({hazard: n}) if hazard else Counter()
    c.sources = {f"a_{i}" for i in range(sources)}
    return c


def test_casualties_raise_severity():
    low, _ = severity_and_tier(cluster(casualties=0, sources=10), growth=5)
    high, _ = severity_and_tier(cluster(casualties=20, sources=10), growth=5)
    assert high > low


def test_parts_are_bounded():
    parts = severity_parts(cluster(casualties=50, sources=10_000), growth=1e9)
    assert all(0.0 <= v <= 1.0 for v in parts.values())


_RANK = {Tier.ROUTINE: 0, Tier.URGENT: 1, Tier.FLASH: 2}


@given(st.floats(0.0, 2.0), st.integers(0, 10), st.booleans())
def test_highest_tier_bounds_every_severity(sev, n_sources, corroborated):
    # the detector skips the severity of an event already at this tier (``_escalation``)
    top = highest_tier(n_sources, corroborated)
    assert _RANK[tier_of(sev, n_sources, corroborated)] <= _RANK[top]
    assert tier_of(1.0, n_sources, corroborated) == top


def test_flash_needs_independent_sources():
    sev1, tier1 = severity_and_tier(cluster(casualties=40, sources=1, hazard="earthquake"),
                                    growth=500)
    sev2, tier2 = severity_and_tier(cluster(casualties=40, sources=60, hazard="earthquake"),
                                    growth=500)
    assert tier2 == Tier.FLASH
    assert tier1 != Tier.FLASH


def test_quiet_small_event_is_routine():
    _, tier = severity_and_tier(cluster(n=5, casualties=0, sources=2, hazard=None), growth=0)
    assert tier == Tier.ROUTINE


def test_bbox_ignores_a_stray_mention():
    c = cluster()
    c.places = {"1": [40, "Main", 10.0, 20.0, "XX", None, "PPL"],
                "2": [15, "Near", 11.0, 21.0, "XX", None, "PPL"],
                "3": [1, "Far away", -40.0, 150.0, "YY", None, "PPL"]}
    places, bbox = places_and_bbox(c)
    assert [p["geonameid"] for p in places] == [1, 2, 3]
    assert bbox == (20.0, 10.0, 21.0, 11.0)


def test_an_agency_feed_corroborates():
    plain = cluster(casualties=40, sources=1, hazard="earthquake")
    agency = cluster(casualties=40, sources=1, hazard="earthquake")
    agency.org_sources = {"GDACS"}
    sev_plain, tier_plain = severity_and_tier(plain, growth=500)
    sev_agency, tier_agency = severity_and_tier(agency, growth=500)
    assert sev_agency > sev_plain
    assert tier_plain != Tier.FLASH and tier_agency == Tier.FLASH
    assert severity_parts(agency, growth=500)["sources"] <= 1.0


def test_summary_counts_read_as_english():
    from tocsin.detect.scores import build_event

    one, many = cluster(n=1, sources=1), cluster(n=3538, sources=2)
    for c in (one, many):
        c.status = "active"
    one, many = (build_event(c, 0.0, lambda w: 1.0, 8) for c in (one, many))
    assert one.summary.endswith("1 report from 1 source")
    assert many.summary.endswith("3538 reports from 2 sources")
