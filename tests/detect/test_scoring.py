"""The detector's scoring loop: the C extension and its Python twin agree bit for bit."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from support.compiled import require_built, under_pure_python
from tocsin.detect import scoring
from tocsin.detect.cluster import Cluster

try:
    from tocsin.detect import _accumulate

    accumulate_c = _accumulate.accumulate
except ImportError:  # no compiler when it was installed
    _accumulate = accumulate_c = None


def compiled():
    """The extension, or a skip (a failure in CI, whose machine has a C compiler)."""
    require_built("tocsin.detect._accumulate", accumulate_c is not None)
    return accumulate_c


def kernel(name):
    """One of the extension's other loops (``add_weight``, ``at_least``, ``word_features``)."""
    compiled()
    return getattr(_accumulate, name)


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
    code = ("from tocsin.detect import scoring as s; print(s.IMPLEMENTATION, all(getattr(s, f)"
            " is getattr(s, f + '_py') for f in ('accumulate', 'add_weight', 'at_least', 'index_terms',"
            " 'unindex_terms', 'word_features', 'best_match', 'names_story', 'far',"
            " 'profile_sum')))")
    assert under_pure_python(code) == "python True"


# --- the other per-report loops: C and Python twins agree exactly --------------------------

tables = st.dictionaries(st.sampled_from(WORDS), weights, max_size=12)


@settings(max_examples=300, deadline=None)
@given(tables, st.dictionaries(st.sampled_from(WORDS + ["unseen"]), st.just(1.0), max_size=10),
       st.floats(min_value=-1e6, max_value=1e6, allow_nan=False))
def test_add_weight_twins_agree(table, keys, g):
    mine, theirs = dict(table), dict(table)
    fresh = kernel("add_weight")(mine, keys, g)
    assert fresh == scoring.add_weight_py(theirs, keys, g) == [w for w in keys if w not in table]
    assert list(mine.items()) == list(theirs.items())  # same values, same insertion order


@settings(max_examples=300, deadline=None)
@given(tables, st.lists(st.sampled_from(WORDS + ["unseen"]), max_size=10, unique=True))
def test_profile_sum_twins_agree(table, keys):
    want = scoring.profile_sum_py(keys, table)
    assert math.isclose(want, math.fsum(table[w] for w in keys if w in table), abs_tol=1e-9)
    for shape in (tuple(keys), dict.fromkeys(keys, 1.0)):
        got = kernel("profile_sum")(shape, table)
        assert got == scoring.profile_sum_py(shape, table) == want  # same sums, same order


def test_add_weight_adds_to_an_int_as_python_does():
    """An int weight (an old snapshot) follows Python's int + float rules, in both."""
    mine, theirs = {"a": 3, "b": 2**60}, {"a": 3, "b": 2**60}
    kernel("add_weight")(mine, {"a": 1.0, "b": 1.0}, 0.5)
    scoring.add_weight_py(theirs, {"a": 1.0, "b": 1.0}, 0.5)
    assert mine == theirs == {"a": 3.5, "b": 2**60 + 0.5}


@settings(max_examples=300, deadline=None)
@given(tables, st.floats(min_value=-1.0, max_value=60.0, allow_nan=False))
def test_at_least_twins_agree(terms, cut):
    assert kernel("at_least")(terms, cut) == scoring.at_least_py(terms, cut)


def test_at_least_with_an_int_cut_and_int_weights():
    terms = {"a": 1, "b": 2.5, "c": 3}
    for cut in (2, 2.5, 0):
        assert kernel("at_least")(terms, cut) == scoring.at_least_py(terms, cut)


TOKENS = ["Flood", "floods", "the", "a-b", "post-irma", "12", "2017", "x", "Houston's", "río"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=30), st.integers(0, 6),
       st.dictionaries(st.sampled_from(TOKENS), st.just(("cached",)), max_size=3))
def test_word_features_twins_agree(tokens, limit, seed_cache):
    from tocsin.detect.features import _token_features

    calls_c, calls_py = [], []

    def counted(calls):
        def compute(t):
            calls.append(t)
            return _token_features(t)
        return compute

    cache_c, cache_py = dict(seed_cache), dict(seed_cache)
    out_c = kernel("word_features")(tokens, cache_c, limit, counted(calls_c), 1.0)
    out_py = scoring.word_features_py(tokens, cache_py, limit, counted(calls_py), 1.0)
    assert list(out_c.items()) == list(out_py.items())
    assert list(cache_c.items()) == list(cache_py.items())  # same cache, same bound
    assert calls_c == calls_py


def test_word_features_is_what_the_detector_uses():
    from tocsin.detect import features

    words = features.word_features(["Floods", "in", "post-irma", "Houston's", "the"])
    assert list(words) == ["Flood", "post-irma", "post", "irma", "Houston"]
    assert set(words.values()) == {1.0}


@pytest.mark.parametrize("call", [
    lambda k: k("add_weight")({}, ["x"], 1.0),  # keys not a dict
    lambda k: k("add_weight")({}, {"x": 1.0}, "heavy"),  # weight not a number
    lambda k: k("profile_sum")(["x"], {"x": 1.0}),  # keys neither a dict nor a tuple
    lambda k: k("profile_sum")(("x",), [("x", 1.0)]),  # terms not a dict
    lambda k: k("profile_sum")(("x",), {"x": "heavy"}),  # not a number
    lambda k: k("at_least")([("x", 1.0)], 0.5),  # terms not a dict
    lambda k: k("at_least")({"x": "heavy"}, 0.5),  # not comparable
    lambda k: k("word_features")(("x",), {}, 10, lambda t: (t,), 1.0),  # tokens not a list
    lambda k: k("word_features")(["x"], {}, 10, lambda t: [t], 1.0),  # features not a tuple
    lambda k: k("word_features")(["x"], {}, 10, lambda t: 1 / 0, 1.0),  # compute raises
    lambda k: k("accumulate")({}, {}, 2.0, 1.0),  # too few arguments
])
def test_kernels_raise_on_bad_arguments(call):
    with pytest.raises((TypeError, ZeroDivisionError)):
        call(kernel)


@st.composite
def indexes(draw):
    """A posting index over a few clusters, and a cluster to file or take out of it."""
    clusters = [Cluster(id=f"c{i}", created=0.0, last=0.0) for i in range(4)]
    postings: dict[str, dict[str, Cluster]] = {}
    for w in draw(st.lists(st.sampled_from(WORDS), max_size=8, unique=True)):
        members = draw(st.lists(st.sampled_from(clusters), min_size=1, max_size=4))
        postings[w] = {c.id: c for c in members}
    words = draw(st.lists(st.sampled_from(WORDS + ["unseen"]), max_size=10))
    return postings, words, draw(st.sampled_from(clusters)), draw(st.integers(-1, 3))


def copy_index(postings):
    return {w: dict(post) for w, post in postings.items()}


def as_lists(postings):
    return [(w, list(post.items())) for w, post in postings.items()]


@settings(max_examples=300, deadline=None)
@given(indexes())
def test_index_and_unindex_twins_agree(scene):
    postings, words, c, cap = scene
    mine, theirs = copy_index(postings), copy_index(postings)
    assert kernel("index_terms")(mine, words, c.id, c, cap) is None
    scoring.index_terms_py(theirs, words, c.id, c, cap)
    assert as_lists(mine) == as_lists(theirs)  # same lists, same order (eviction order too)
    terms = dict.fromkeys(words, 1.0)
    kernel("unindex_terms")(mine, terms, c.id)
    scoring.unindex_terms_py(theirs, terms, c.id)
    assert as_lists(mine) == as_lists(theirs)


def test_index_keeps_the_newest_when_capped():
    a, b, c = (Cluster(id=i, created=0.0, last=0.0) for i in "abc")
    postings = {"x": {"a": a, "b": b}}
    kernel("index_terms")(postings, ["x", "y"], "c", c, 2)
    assert as_lists(postings) == [("x", [("b", b), ("c", c)]), ("y", [("c", c)])]
    kernel("unindex_terms")(postings, {"y": 1.0, "x": 1.0}, "c")
    assert as_lists(postings) == [("x", [("b", b)])]


@pytest.mark.parametrize("call", [
    lambda k: k("index_terms")({"x": ["a"]}, ["x"], "a", None, -1),  # a list, not a dict
    lambda k: k("index_terms")({}, 5, "a", None, -1),  # words not iterable
    lambda k: k("unindex_terms")({"x": ["a"]}, {"x": 1.0}, "a"),
    lambda k: k("unindex_terms")({}, ["x"], "a"),  # terms not a dict
])
def test_index_kernels_raise_on_bad_arguments(call):
    with pytest.raises(TypeError):
        call(kernel)
