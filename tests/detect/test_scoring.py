"""The detector's scoring loop: the C extension and its Python twin agree bit for bit."""

from __future__ import annotations

import math
import os
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from support.services import REQUIRE_SERVICES
from tocsin.detect import scoring
from tocsin.detect.cluster import Cluster

try:
    from tocsin.detect._accumulate import accumulate as accumulate_c
except ImportError:  # no compiler when it was installed
    accumulate_c = None


def compiled():
    """The extension, or a skip (a failure in CI, whose machine has a C compiler)."""
    if accumulate_c is None:
        msg = "tocsin.detect._accumulate is not built (no C compiler at install time)"
        if REQUIRE_SERVICES:
            pytest.fail(msg + " and TOCSIN_REQUIRE_SERVICES=1")
        pytest.skip(msg)
    return accumulate_c


WORDS = [f"w{i}" for i in range(12)]
weights = st.floats(min_value=0.0, max_value=50.0, allow_nan=False)


@st.composite
def scenes(draw):
    """Clusters with random profiles, posting indexes over them, a report and a background."""
    clusters = []
    for i in range(draw(st.integers(0, 8))):
        c = Cluster(id=f"c{i}", created=0.0, last=0.0)
        c.terms = draw(st.dictionaries(st.sampled_from(WORDS), weights, max_size=8))
        clusters.append(c)
    posts = []
    for _ in range(draw(st.integers(1, 2))):
        ix: dict[str, dict[str, Cluster]] = {}
        for c in clusters:
            for w in draw(st.lists(st.sampled_from(WORDS), max_size=6, unique=True)):
                ix.setdefault(w, {})[c.id] = c
        posts.append(ix)
    feats = draw(st.dictionaries(st.sampled_from(WORDS + ["unseen"]),
                                 st.floats(min_value=0.1, max_value=3.0), max_size=10))
    df = draw(st.dictionaries(st.sampled_from(WORDS), st.floats(min_value=0.0, max_value=1e4),
                              max_size=12))
    n = draw(st.floats(min_value=1.0, max_value=1e5))
    g = draw(st.floats(min_value=1e-3, max_value=1e3))
    cap = draw(st.floats(min_value=1.0, max_value=10.0))
    return feats, df, n + g, g, cap, tuple(posts)


@settings(max_examples=300, deadline=None)
@given(scenes())
def test_c_and_python_agree_exactly(scene):
    acc_c = compiled()
    a_py, d_py = scoring.accumulate_py(*scene)
    a_c, d_c = acc_c(*scene)
    assert d_c == d_py  # bit for bit, not approximately
    assert list(a_c.items()) == list(a_py.items())  # same sums, same first-seen order


def test_sums_follow_the_formula():
    c = Cluster(id="a", created=0.0, last=0.0, terms={"flood": 2.0, "city": 1.0})
    posts = ({"flood": {"a": c}, "city": {"a": c}},)
    feats = {"flood": 1.0, "city": 0.5, "new": 1.0}
    df = {"flood": 9.0, "city": 99.0}
    num, g, cap = 101.0, 1.0, 6.0

    def idf(w):
        return min(math.log(num / (df.get(w, 0.0) + g)) + 1.0, cap)

    for impl in (scoring.accumulate_py, compiled()):
        acc, denom = impl(feats, df, num, g, cap, posts)
        assert acc == {c: pytest.approx(idf("flood") * 2.0 + 0.5 * idf("city") * 1.0)}
        assert denom == pytest.approx(idf("flood") + 0.5 * idf("city") + min(
            math.log(num / g) + 1.0, cap))


def test_many_clusters_grow_the_table():
    """More clusters than the first table holds (64): order and sums still agree."""
    clusters = [Cluster(id=f"c{i}", created=0.0, last=0.0, terms={"x": i + 1.0, "y": 0.5})
                for i in range(300)]
    posts = ({"x": {c.id: c for c in clusters}, "y": {c.id: c for c in reversed(clusters)}},)
    args = ({"y": 1.0, "x": 2.0}, {"x": 3.0}, 1000.0, 1.0, 6.0, posts)
    a_py, d_py = scoring.accumulate_py(*args)
    a_c, d_c = compiled()(*args)
    assert d_c == d_py and list(a_c.items()) == list(a_py.items())
    assert next(iter(a_c)) is clusters[-1]  # first seen under "y", walked in reverse


@pytest.mark.parametrize("bad", [
    lambda c: ({"x": "heavy"}, {}, 2.0, 1.0, 6.0, ({"x": {"a": c}},)),  # a weight not a number
    lambda c: ({"x": 1.0}, {}, 2.0, 1.0, 6.0, ({"x": ["a"]},)),  # a posting list not a dict
    lambda c: ({"x": 1.0}, {}, 2.0, 1.0, 6.0, ({"x": {"a": object()}},)),  # no profile
    lambda c: ({"x": 1.0}, {}, 2.0, 1.0, 6.0, [{"x": {"a": c}}]),  # indexes not a tuple
])
def test_bad_arguments_raise_instead_of_crashing(bad):
    c = Cluster(id="a", created=0.0, last=0.0, terms={"x": 1.0})
    with pytest.raises((TypeError, AttributeError)):
        compiled()(*bad(c))


def test_pure_python_can_be_forced():
    code = "from tocsin.detect import scoring; print(scoring.IMPLEMENTATION)"
    env = {**os.environ, "TOCSIN_PURE_PYTHON": "1"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True).stdout.strip()
    assert out == "python"
