"""``_assign``'s walk over the matched clusters (``best_match``, with ``names_story`` and
``far``): the C extension and its Python twins agree bit for bit."""

from __future__ import annotations

import math
from collections import Counter

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from support.compiled import require_built
from tocsin.detect import scoring
from tocsin.detect.cluster import CANDIDATE, Cluster
from tocsin.detect.config import DetectorConfig
from tocsin.detect.online import _HAZARD_SHARE
from tocsin.enrich.geoparse.geo import haversine_km
from tocsin.model import EventStatus

try:
    from tocsin.detect import _accumulate
except ImportError:  # no compiler when it was installed
    _accumulate = None


def kernel(name):
    """``best_match``, ``names_story`` or ``far`` compiled (or a skip; a failure in CI)."""
    require_built("tocsin.detect._accumulate", _accumulate is not None)
    return getattr(_accumulate, name)


WORDS = ["harvey", "houston", "flood", "rain", "g:1", "g:2", "g:3", "g:9"]
GIDS = ["1", "2", "3", "4"]
STATUSES = ["candidate", "emerging", "active", "cooling", "closed"]
HAZARDS = ["flood", "storm", "earthquake"]
lats = st.one_of(st.none(), st.floats(min_value=-90.0, max_value=90.0))
lons = st.one_of(st.none(), st.floats(min_value=-180.0, max_value=180.0))
countries = st.sampled_from([None, "", "US", "CA"])
admins = st.sampled_from([None, "", "TX", "FL"])
features = st.sampled_from([None, "PPL", "ADM2", "PCLI", "CONT"])


@st.composite
def spots(draw):
    return (draw(lats), draw(lons), draw(countries), draw(admins), draw(features))


@st.composite
def clusters(draw, i):
    c = Cluster(id=f"c{i}", created=0.0, last=draw(st.floats(0.0, 3e6)),
                status=draw(st.sampled_from(STATUSES)))
    c.terms = draw(st.dictionaries(st.sampled_from(WORDS), st.floats(0.0, 50.0), max_size=6))
    c.n = draw(st.floats(1e-3, 100.0))
    c.last_g = draw(st.floats(0.0, 3.0))
    c.unique_count = draw(st.integers(0, 40))
    c.identity = dict.fromkeys(draw(st.lists(st.sampled_from(WORDS), max_size=3)), 0.5)
    c.identity_primary = draw(st.one_of(st.none(), st.sampled_from(WORDS)))
    c.hazards = Counter(draw(st.lists(st.sampled_from(HAZARDS), max_size=6)))
    c._recount_hazards()
    for gid in draw(st.lists(st.sampled_from(GIDS), max_size=3, unique=True)):
        c.places[gid] = [draw(st.integers(1, 20)), "x", *draw(spots())]
    c.main_place = draw(st.one_of(st.none(), st.sampled_from(GIDS)))
    return c


def reports_places(draw):
    if draw(st.booleans()):
        return None
    return [(draw(st.sampled_from(GIDS + ["7"])), draw(spots()))
            for _ in range(draw(st.integers(1, 3)))]


@st.composite
def scenes(draw):
    """Matched clusters with their sums, a report (features, hazard, places) and settings."""
    cs = [draw(clusters(i)) for i in range(draw(st.integers(0, 8)))]
    acc = {c: draw(st.floats(0.0, 40.0)) for c in cs}
    feats = draw(st.dictionaries(st.sampled_from(WORDS), st.just(1.0), max_size=5))
    params = (draw(st.floats(0.0, 2.0)), draw(st.floats(0.0, 2e6)),
              draw(st.floats(1.0, 1e6)), draw(st.floats(0.0, 0.2)),
              draw(st.one_of(st.none(), st.floats(0.0, 0.99))), draw(st.floats(0.0, 1.0)),
              draw(st.floats(0.0, 1.0)), draw(st.floats(0.0, 1.0)), draw(st.floats(0.0, 0.1)),
              draw(st.floats(0.0, 3000.0)))
    return (acc, draw(st.floats(1e-3, 30.0)), feats, draw(st.floats(0.0, 3e6)),
            draw(st.one_of(st.none(), st.sampled_from(HAZARDS))), reports_places(draw), params)


@settings(max_examples=500, deadline=None)
@given(scenes())
def test_best_match_twins_agree_exactly(scene):
    best_py, sim_py, weak_py, wsim_py = scoring.best_match_py(*scene)
    best_c, sim_c, weak_c, wsim_c = kernel("best_match")(*scene)
    assert best_c is best_py and weak_c is weak_py
    assert sim_c == sim_py and wsim_c == wsim_py  # bit for bit, not approximately


@settings(max_examples=500, deadline=None)
@given(clusters(0), st.dictionaries(st.sampled_from(WORDS + ["g:", "g"]), st.just(1.0),
                                    max_size=6))
def test_names_story_twins_agree(c, feats):
    assert kernel("names_story")(c, feats) is scoring.names_story_py(c, feats)


@settings(max_examples=500, deadline=None)
@given(clusters(0), st.data(), st.floats(0.0, 3000.0))
def test_far_twins_agree(c, data, radius):
    pts = data.draw(st.builds(lambda: None).flatmap(
        lambda _: st.lists(st.tuples(st.sampled_from(GIDS + ["7"]), spots()), max_size=3)))
    assert kernel("far")(pts, c, radius) is scoring.far_py(pts, c, radius)


@settings(max_examples=500, deadline=None)
@given(st.floats(-90.0, 90.0), st.floats(-180.0, 180.0), st.floats(-90.0, 90.0),
       st.floats(-180.0, 180.0))
@example(0.0, 0.0, 70.61512510410309, 4.0)  # glibc pow(y, 2.0) != y * y here (found here)
def test_far_measures_distance_as_python_does(lat1, lon1, lat2, lon2):
    """At exactly the Python distance the place is near, one ulp below it far: the C
    great-circle distance is Python's, bit for bit."""
    c = Cluster(id="a", created=0.0, last=0.0, unique_count=1, main_place="1")
    c.places["1"] = [1, "x", lat2, lon2, "US", "TX", "PPL"]
    pts = [("2", (lat1, lon1, "CA", "ON", "PPL"))]
    d = haversine_km(lat1, lon1, lat2, lon2)
    far = kernel("far")
    assert far(pts, c, d) is scoring.far_py(pts, c, d) is False
    below = math.nextafter(d, -math.inf)
    assert far(pts, c, below) is scoring.far_py(pts, c, below) is True


def test_the_statuses_are_the_detector_s():
    assert scoring.CANDIDATE == CANDIDATE and scoring.CLOSED == EventStatus.CLOSED.value


def test_the_detector_settings():
    cfg = DetectorConfig()
    params = scoring.match_params(cfg, _HAZARD_SHARE)
    assert params == (cfg.prior_docs, cfg.stale_after, cfg.stale_half_life,
                      cfg.candidate_join_threshold, cfg.missing_anchor, _HAZARD_SHARE,
                      cfg.hazard_mismatch, cfg.place_mismatch, cfg.weak_threshold,
                      cfg.place_radius_km)
    assert scoring.match_params(DetectorConfig(missing_anchor=1.0), 0.6)[4] is None


def test_a_closed_event_needs_its_name_and_a_candidate_its_threshold():
    """The rules themselves, in both: a closed event the report does not name is out; a
    candidate below the candidate threshold is out; an event above the weak threshold is the
    weak match."""
    closed = Cluster(id="a", created=0.0, last=0.0, status="closed", n=1.0,
                     identity={"harvey": 1.0})
    cand = Cluster(id="b", created=0.0, last=0.0, n=1.0)
    event = Cluster(id="c", created=0.0, last=0.0, status="active", n=1.0)
    acc = {closed: 5.0, cand: 0.02, event: 0.05}
    params = (0.0, 1e9, 1e6, 0.03, None, 0.6, 0.5, 0.25, 0.01, 300.0)
    for impl in (scoring.best_match_py, kernel("best_match")):
        assert impl(acc, 1.0, {"rain": 1.0}, 0.0, None, None, params) == (event, 0.05, event,
                                                                           0.05)
        assert impl(acc, 1.0, {"harvey": 1.0}, 0.0, None, None, params)[0] is closed


@pytest.mark.parametrize("call", [
    lambda k: k("best_match")({}, 1.0, {}, 0.0, None, None, (0.0,) * 9),  # params too short
    lambda k: k("best_match")([], 1.0, {}, 0.0, None, None, (0.0,) * 10),  # acc not a dict
    lambda k: k("best_match")({object(): 1.0}, 1.0, {}, 0.0, None, None, (0.0,) * 10),
    lambda k: k("names_story")(Cluster(id="a", created=0.0, last=0.0, identity={"x": 1}), []),
    lambda k: k("far")((), Cluster(id="a", created=0.0, last=0.0), 1.0),  # pts not a list
    lambda k: k("far")([("1", (0.0,))], Cluster(id="a", created=0.0, last=0.0, main_place="1",
                                                places={"1": [1, "x", 0.0, 0.0, "", "", ""]}),
                       1.0),  # a spot not a 5-tuple
])
def test_bad_arguments_raise_instead_of_crashing(call):
    with pytest.raises((TypeError, AttributeError)):
        call(kernel)
