"""The classifier's int8 weight product: the C extension and the numpy path agree bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from support.compiled import require_built, under_pure_python
from tocsin.enrich.classify import linear
from tocsin.enrich.classify.linear import PAD_MIN_ROWS, Head, LinearHeads, quantise

try:
    from tocsin.enrich.classify._products import add_products
except ImportError:  # no compiler when it was installed
    add_products = None


def compiled():
    """The extension, or a skip (a failure in CI, whose machine has a C compiler)."""
    require_built("tocsin.enrich.classify._products",
                  add_products is not None and linear._products is not None)
    return add_products


def loaded_pair(w: np.ndarray, bias: np.ndarray) -> tuple[LinearHeads, LinearHeads]:
    """The same heads loaded twice from a model file's bytes: the first keeps the int8
    matrix (C product), the second has had its float weights made (numpy product)."""
    n = w.shape[1]
    data = LinearHeads([Head("h", tuple(f"c{i}" for i in range(n)), 0, "sigmoid")], w,
                       bias).to_bytes()
    a, b = LinearHeads.from_bytes(data), LinearHeads.from_bytes(data)
    _ = b.weights  # from here on b scores with numpy
    return a, b


@st.composite
def problems(draw):
    """Random int8-quantised weights (padded rows or not) and a few CSR blocks over them."""
    n_out = draw(st.integers(1, 32))
    n_feat = draw(st.sampled_from([5, 37, PAD_MIN_ROWS + 3]))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    w = (rng.standard_normal((n_feat, n_out)) * draw(st.sampled_from([1e-3, 1.0, 40.0])))
    w = w.astype(np.float32)
    if draw(st.booleans()):
        w[:, rng.integers(0, n_out)] = 0.0  # an all-zero column (scale 1.0)
    n_rows = draw(st.integers(1, 6))
    blocks = []
    for _ in range(draw(st.integers(1, 4))):
        m = sp.random(n_rows, n_feat, density=draw(st.sampled_from([0.0, 0.01, 0.2])),
                      format="csr", dtype=np.float32, random_state=rng)
        m.data = (m.data * 4 - 2).astype(np.float32)
        if draw(st.booleans()):  # indices as scipy makes them, or 64-bit
            m.indices = m.indices.astype(np.int64)
            m.indptr = m.indptr.astype(np.int64)
        blocks.append(m)
    bias = rng.standard_normal(n_out).astype(np.float32)
    return w, bias, blocks


@settings(max_examples=150, deadline=None)
@given(problems())
def test_c_product_equals_numpy_bit_for_bit(problem) -> None:
    compiled()
    w, bias, blocks = problem
    a, b = loaded_pair(w, bias)
    assert a._q is not None and b._q is None
    got, want = a.logits(blocks), b.logits(blocks)
    assert got.dtype == want.dtype == np.float32 and got.shape == want.shape
    assert np.array_equal(got.view(np.uint32), want.view(np.uint32))


def test_numpy_product_is_the_dequantised_float_product() -> None:
    """The reference the C code is held to: blocks times ``q * scale``, summed block by
    block, plus the bias."""
    rng = np.random.default_rng(3)
    w = rng.standard_normal((PAD_MIN_ROWS + 10, 26)).astype(np.float32)
    bias = rng.standard_normal(26).astype(np.float32)
    blocks = [sp.random(4, w.shape[0], density=0.01, format="csr", dtype=np.float32,
                        random_state=rng) for _ in range(3)]
    q, scale = quantise(w)
    deq = q.astype(np.float32) * scale[None, :]
    want = np.zeros((4, 26), np.float32)
    for m in blocks:
        want += m @ deq
    want += bias
    for heads in loaded_pair(w, bias):
        assert np.array_equal(heads.logits(blocks), want)


def test_loaded_heads_keep_only_the_int8_matrix_and_save_it_unchanged() -> None:
    compiled()
    rng = np.random.default_rng(1)
    w = rng.standard_normal((PAD_MIN_ROWS + 1, 26)).astype(np.float32)
    a, _ = loaded_pair(w, np.zeros(26, np.float32))
    assert a._weights is None and a._q is not None
    assert a._q.dtype == np.int8 and a._q.shape == (PAD_MIN_ROWS + 1, 32)
    assert a._q.ctypes.data % 64 == 0  # rows start on half cache lines
    assert a.n_features == PAD_MIN_ROWS + 1 and a._weights is None
    again = LinearHeads.from_bytes(a.to_bytes())
    q, scale = quantise(w)
    assert np.array_equal(again._q[:, :26], q) and np.array_equal(again._scale[:26], scale)


def test_writing_into_weights_is_what_scoring_sees() -> None:
    """Training writes into ``heads.weights``; once the float matrix exists, it scores."""
    compiled()
    rng = np.random.default_rng(2)
    w = rng.standard_normal((50, 3)).astype(np.float32)
    a, _ = loaded_pair(w, np.zeros(3, np.float32))
    m = sp.csr_matrix(np.eye(2, 50, dtype=np.float32))
    a.weights[0, :] = 7.0
    assert np.array_equal(a.logits([m])[0], np.full(3, 7.0, np.float32))


@pytest.mark.parametrize("bad", ["indptr", "index", "shape", "dtype"])
def test_bad_arguments_raise_instead_of_reading_out_of_bounds(bad) -> None:
    kernel = compiled()
    q = np.ones((10, 32), np.int8)
    scale = np.ones(32, np.float32)
    out = np.zeros((2, 4), np.float32)
    data = np.ones(3, np.float32)
    indices = np.array([0, 1, 2], np.int32)
    indptr = np.array([0, 2, 3], np.int32)
    if bad == "indptr":
        indptr = np.array([0, 2, 9], np.int32)
    elif bad == "index":
        indices = np.array([0, 1, 10], np.int32)
    elif bad == "shape":
        out = np.zeros((2, 5), np.float32)
    else:
        data = np.ones(3, np.float64)
    with pytest.raises((ValueError, IndexError, TypeError)):
        kernel(out, q, scale, 4, [(data, indices, indptr)])


def test_pure_python_switch_uses_the_numpy_product() -> None:
    code = ("from tocsin.enrich.classify import linear; "
            "print(linear._products is None)")
    assert under_pure_python(code) == "True"
