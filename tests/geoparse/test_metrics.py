"""Metric properties: haversine is a metric on the sphere; Acc and P/R/F1 are bounded."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tocsin.enrich.geoparse.geo import EARTH_RADIUS_KM, haversine_km
from tocsin.eval.geoparse import half_of, score
from tocsin.model import Place

lat = st.floats(-90, 90)
lon = st.floats(-180, 180)


@given(lat, lon, lat, lon)
def test_haversine_symmetric_bounded(a, b, c, d):
    x = haversine_km(a, b, c, d)
    assert x == pytest.approx(haversine_km(c, d, a, b), abs=1e-6)
    assert 0.0 <= x <= math.pi * EARTH_RADIUS_KM + 1e-6


@given(lat, lon)
def test_haversine_zero_on_identity(a, b):
    assert haversine_km(a, b, a, b) == pytest.approx(0.0, abs=1e-6)


@given(lat, lon, lat, lon, lat, lon)
def test_haversine_triangle_inequality(a, b, c, d, e, f):
    assert haversine_km(a, b, e, f) <= haversine_km(a, b, c, d) + haversine_km(c, d, e, f) + 1e-6


def test_haversine_known_distance():
    # one degree of latitude is ~111.2 km
    assert haversine_km(0, 0, 1, 0) == pytest.approx(111.2, abs=0.1)


def gold_doc(i, tops):
    return {"id": f"d{i}", "text": "x" * 100,
            "toponyms": [{"start": s, "end": e, "lat": la, "lon": lo} for s, e, la, lo in tops]}


span = st.tuples(st.integers(0, 50), st.integers(1, 20)).map(lambda t: (t[0], t[0] + t[1]))
topo = st.tuples(span, st.floats(-80, 80), st.floats(-170, 170)).map(
    lambda t: (t[0][0], t[0][1], t[1], t[2]))


@given(st.lists(st.lists(topo, max_size=6), max_size=6), st.integers(0, 2 ** 16))
@settings(max_examples=100, deadline=None)
def test_scores_are_bounded(docs_tops, seed):
    import random

    rng = random.Random(seed)
    docs = [gold_doc(i, t) for i, t in enumerate(docs_tops)]

    def predict(doc):
        out = []
        for t in doc["toponyms"]:
            if rng.random() < 0.6:
                out.append(Place(t["start"], t["end"], "x", lat=t["lat"] + rng.uniform(-3, 3),
                                 lon=t["lon"]))
        if rng.random() < 0.3:
            out.append(Place(90, 95, "y", lat=0.0, lon=0.0))
        return out

    r = score(docs, predict)
    for k in ("precision", "recall", "f1"):
        assert 0.0 <= r["recognition"][k] <= 1.0
    for part in ("resolution", "end_to_end"):
        acc = r[part]["acc161"]
        assert acc is None or 0.0 <= acc <= 1.0
    if r["resolution"]["acc161"] is not None and r["end_to_end"]["acc161"] is not None:
        assert r["end_to_end"]["acc161"] <= r["resolution"]["acc161"] + 1e-9


def test_perfect_and_empty_predictions():
    docs = [gold_doc(0, [(0, 4, 10.0, 20.0), (10, 15, -5.0, 30.0)])]
    perfect = score(docs, lambda d: [Place(t["start"], t["end"], "x", lat=t["lat"],
                                           lon=t["lon"]) for t in d["toponyms"]])
    assert perfect["recognition"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert perfect["resolution"]["acc161"] == 1.0 and perfect["resolution"]["mean_km"] == 0.0
    empty = score(docs, lambda d: [])
    assert empty["recognition"]["recall"] == 0.0
    assert empty["resolution"]["acc161"] is None
    assert empty["end_to_end"]["acc161"] == 0.0


def test_wrong_place_counts_against_resolution():
    docs = [gold_doc(0, [(0, 4, 0.0, 0.0)])]
    r = score(docs, lambda d: [Place(0, 4, "x", lat=0.0, lon=2.0)])  # ~222 km away
    assert r["resolution"]["acc161"] == 0.0 and r["resolution"]["mean_km"] > 161


def test_half_split_is_fixed_and_balanced():
    halves = [half_of(f"doc-{i}") for i in range(2000)]
    assert half_of("doc-1") == half_of("doc-1")
    assert 0.45 < halves.count("tune") / len(halves) < 0.55
