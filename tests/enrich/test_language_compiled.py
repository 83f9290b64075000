"""Language's C automaton walk (``_langwalk.c``): the same feature counts as the numpy walk."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from support.compiled import require_built, under_pure_python
from tocsin.enrich import language

try:
    from tocsin.enrich import _langwalk
except ImportError:  # no compiler when it was installed
    _langwalk = None

TEXTS = [
    "Earthquake of magnitude 7.8 hits Ecuador, buildings collapsed in Pedernales",
    "Séisme de magnitude 7,8 en Équateur : des immeubles effondrés à Pedernales",
    "Terremoto de magnitud 7,8 en Ecuador, edificios colapsados en Pedernales",
    "زلزال بقوة 7.8 درجات يضرب الإكوادور",
    "厄瓜多尔发生7.8级地震",
    "भूकंप से नेपाल में भारी तबाही",
    "",
    "a",
    "OK",
]


def compiled():
    """The extension, or a skip (a failure in CI, whose machine has a C compiler)."""
    require_built("tocsin.enrich._langwalk",
                  _langwalk is not None and language._langwalk is not None)
    return _langwalk


@pytest.fixture(scope="module")
def ident():
    return language._BatchIdentifier()


def numpy_visits(ident, encoded):
    return [Counter(feats) for feats in ident._walk(encoded)]


def c_visits(ident, encoded):
    return _langwalk.walk(encoded, ident.nextmove, ident.rowbase, ident.output,
                          ident.n_features)


def same(got, want):
    """Equal dicts with the keys in the same order (the order scoring sums in)."""
    return [list(d.items()) for d in got] == [list(d.items()) for d in want]


def test_c_walk_equals_numpy_on_texts(ident):
    compiled()
    encoded = [ident.ident._encode(t) for t in TEXTS * 5]  # more than one group of texts
    got = c_visits(ident, encoded)
    assert all(type(d) is dict for d in got)
    assert same(got, numpy_visits(ident, encoded))
    assert same(ident._visits(encoded), numpy_visits(ident, encoded))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.binary(max_size=300),
                          st.text(max_size=120).map(lambda t: t.encode("utf-8", "surrogatepass"))),
                max_size=70))
def test_c_walk_equals_numpy_on_any_bytes(ident, encoded):
    compiled()
    assert same(c_visits(ident, encoded), numpy_visits(ident, encoded))


def test_labels_are_those_of_py3langid_either_way(ident, monkeypatch):
    compiled()
    import py3langid

    texts = [t for t in TEXTS if len(t) > 3] * 3
    want = [py3langid.classify(t)[0] for t in texts]
    assert ident.classify_bodies(texts) == want
    monkeypatch.setattr(language, "_langwalk", None)
    assert ident.classify_bodies(texts) == want


def test_bad_arguments_raise_instead_of_reading_out_of_bounds(ident):
    kernel = compiled()
    nm, rb, out, nf = ident.nextmove, ident.rowbase, ident.output, ident.n_features
    with pytest.raises(TypeError):
        kernel.walk(["text"], nm, rb, out, nf)
    with pytest.raises(TypeError):
        kernel.walk([b"text"], nm, rb.astype(np.int32), out, nf)
    with pytest.raises(IndexError):
        kernel.walk([b"some text with features"], nm, rb, out, 1)
    with pytest.raises(IndexError):
        kernel.walk([b"some text"], nm[:300], rb, out, nf)
    with pytest.raises(IndexError):
        kernel.walk([b"some text"], nm, rb, out[:2], nf)
    with pytest.raises(ValueError):
        kernel.walk([b"x"], nm, rb, out, -1)


def test_pure_python_switch_uses_the_numpy_walk():
    code = "from tocsin.enrich import language; print(language._langwalk is None)"
    assert under_pure_python(code) == "True"
