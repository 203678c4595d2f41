"""Signal style (convolve/correlate) against NumPy and SciPy, numeric and symbolic."""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest
import scipy.linalg
import scipy.signal
import sympy

import symconv as sc

OPS = ["convolve", "correlate"]
MODES = ["full", "valid", "same"]

SHAPES_1D = [(4, 3), (7, 2), (5, 4), (6, 6), (1, 1), (3, 5), (2, 7)]
SHAPES_ND = [
    ((4, 5), (2, 3)),
    ((3, 3), (3, 3)),
    ((5, 4), (4, 2)),
    ((2, 3), (4, 5)),
    ((3, 4, 2), (2, 2, 2)),
    ((2, 2, 2), (3, 2, 3)),
]


def _data(xs, ws, seed):
    rng = np.random.default_rng(seed)
    return rng.integers(-5, 6, xs), rng.integers(-5, 6, ws)


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("n", "k"), SHAPES_1D)
def test_1d_matches_numpy_and_scipy(op, mode, n, k):
    x, w = _data((n,), (k,), n * 10 + k)
    ref = getattr(scipy.signal, op)(x, w, mode=mode, method="direct")
    got = np.array(getattr(sc, op)(x, w, mode=mode).output.tolist(), dtype=np.int64)
    np.testing.assert_array_equal(got, ref)
    if n >= k:  # numpy swaps its arguments when the kernel is longer
        np.testing.assert_array_equal(got, getattr(np, op)(x, w, mode=mode))


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("xs", "ws"), SHAPES_ND)
def test_nd_matches_scipy(op, mode, xs, ws):
    x, w = _data(xs, ws, len(xs) * 7 + sum(ws))
    fits = all(a >= b for a, b in zip(xs, ws)) or all(a <= b for a, b in zip(xs, ws))
    if mode == "valid" and not fits:
        with pytest.raises(ValueError, match="at least as large"):
            getattr(sc, op)(x, w, mode=mode)
        with pytest.raises(ValueError):
            getattr(scipy.signal, op)(x, w, mode=mode)
        return
    ref = getattr(scipy.signal, op)(x, w, mode=mode, method="direct")
    d = getattr(sc, op)(x, w, mode=mode)
    assert d.output.shape == ref.shape
    np.testing.assert_array_equal(np.array(d.output.tolist(), dtype=np.int64), ref)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("n", "k"), [(6, 3), (5, 2), (4, 4), (7, 5)])
def test_convolve_matrix_is_scipy_convolution_matrix(mode, n, k):
    w = np.arange(1, k + 1)
    ref = scipy.linalg.convolution_matrix(w, n, mode=mode)
    T = sc.convolve(np.zeros(n, dtype=int), w, mode=mode).matrix
    np.testing.assert_array_equal(np.array(T.tolist(), dtype=np.int64), ref)


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("mode", MODES)
def test_2d_matrix_times_input(op, mode):
    x, w = _data((4, 5), (3, 2), 3)
    d = getattr(sc, op)(x, w, mode=mode)
    T = np.array(d.matrix.tolist(), dtype=np.int64)
    ref = getattr(scipy.signal, op)(x, w, mode=mode, method="direct")
    np.testing.assert_array_equal(T @ x.ravel(), ref.ravel())
    P = np.array(d.patches.tolist(), dtype=np.int64)
    np.testing.assert_array_equal(P @ w.ravel(), ref.ravel())


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("mode", MODES)
def test_symbolic_equals_numeric_after_substitution(op, mode):
    xs, ws = sympy.symarray("x", (3, 4)), sympy.symarray("w", (2, 2))
    d = getattr(sc, op)(xs, ws, mode=mode)
    xv, wv = _data((3, 4), (2, 2), 11)
    subs = {**dict(zip(xs.ravel(), xv.ravel().tolist())), **dict(zip(ws.ravel(), wv.ravel().tolist()))}
    got = np.array([e.xreplace(subs) for e in d.output], dtype=np.int64).reshape(d.output.shape)
    ref = getattr(scipy.signal, op)(xv, wv, mode=mode, method="direct")
    np.testing.assert_array_equal(got, ref)


def test_exact_fractions_and_mixed_symbols():
    a = sympy.Symbol("a")
    d = sc.convolve([Fraction(1, 2), 2, a], [3, Fraction(1, 3)])
    half, third = sympy.Rational(1, 2), sympy.Rational(1, 3)
    assert list(d.output) == [3 * half, half * third + 6, sympy.Rational(2, 3) + 3 * a, a * third]


def test_inputs_as_sympy_arrays_and_matrices():
    x = sympy.Array([1, 2, 3, 4])
    w = sympy.Matrix([[5, 6, 7]])
    assert list(sc.correlate(x, sympy.Array(w.tolist()[0])).output) == [38, 56]
    d2 = sc.correlate(sympy.Matrix([[1, 2], [3, 4]]), sympy.Matrix([[1, 0], [0, 1]]))
    assert d2.output.tolist() == [[5]]


def test_input_and_weight_views_are_what_was_used():
    d = sc.correlate([1, 2, 3, 4], [5, 6, 7])
    assert d.input == sympy.Array([1, 2, 3, 4])
    assert d.weight == sympy.Array([5, 6, 7])
    assert d.bias is None


def test_floats_are_kept_as_floats():
    d = sc.convolve(np.array([0.5, 1.5]), np.array([2.0, 4.0]))
    np.testing.assert_allclose(np.array(d.output.tolist(), dtype=float),
                               np.convolve([0.5, 1.5], [2.0, 4.0]))


def test_all_modes_verify_and_check_symbolically():
    for op, mode in itertools.product(OPS, MODES):
        d = getattr(sc, op)(sympy.symarray("x", (3, 3)), sympy.symarray("w", (2, 3)), mode=mode)
        assert d.verify(), (op, mode)
        assert d.check(trials=2, seed=1), (op, mode)


def test_rank_two_sympy_arrays_are_read_entrywise():
    x = sympy.Array([[1, 2], [3, 4]])
    assert sc.convolve(x, sympy.Array([[1]])).output.tolist() == [[1, 2], [3, 4]]
    ref = scipy.signal.correlate(np.array([[1, 2], [3, 4]]), np.array([[1, 0], [0, 2]]), mode="full")
    got = sc.correlate(x, sympy.ImmutableDenseNDimArray([[1, 0], [0, 2]]), mode="full").output
    np.testing.assert_array_equal(np.array(got.tolist(), dtype=np.int64), ref)


@pytest.mark.parametrize("mode", MODES)
def test_complex_numbers_give_numbers_without_conjugation(mode):
    """symconv's correlate never conjugates; NumPy's does, so it is given conj(w)."""
    x, w = np.array([1 + 2j, 3, -1j, 2]), np.array([1j, 2])
    refs = {"convolve": np.convolve(x, w, mode=mode),
            "correlate": np.correlate(x, np.conj(w), mode=mode)}
    for op in OPS:
        d = getattr(sc, op)(x, w, mode=mode)
        got = np.array([complex(v) for v in d.output])
        np.testing.assert_allclose(got, refs[op])
        assert all(v == sympy.expand(v) for v in d.output)  # numbers, not I*(1 + 2*I)
        assert d.check() and d.verify()
        assert d.gradient().check() and d.gradient().verify()
