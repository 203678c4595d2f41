"""All-numeric inputs: outputs computed by NumPy, exact where the input is exact.

References: scipy.signal / numpy (object arrays of Python ints and Fractions for
exact arithmetic), torch.nn.functional for layers.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import scipy.signal
import sympy

import symconv as sc

RNG = np.random.default_rng(3)


def _flat(arr):
    return [arr[idx] for idx in np.ndindex(*arr.shape)]


@pytest.mark.parametrize("op", ["convolve", "correlate"])
@pytest.mark.parametrize("mode", ["full", "valid", "same"])
def test_integers_exact_like_scipy(op, mode):
    x, w = RNG.integers(-50, 50, size=(9, 7)), RNG.integers(-50, 50, size=(3, 4))
    d = getattr(sc, op)(x, w, mode=mode)
    want = getattr(scipy.signal, op)(x, w, mode=mode, method="direct")
    got = _flat(d.output)
    assert all(type(v) is sympy.Integer for v in got)
    assert [int(v) for v in got] == want.reshape(-1).tolist()


def test_integers_beyond_int64_stay_exact():
    x = np.array([2**62, -(2**61), 3], dtype=object)
    w = np.array([2**40, 5], dtype=object)
    d = sc.convolve(x, w)
    want = np.convolve(x, w)  # object dtype: Python integers
    assert [int(v) for v in _flat(d.output)] == want.tolist()


def test_fractions_exact():
    x = [Fraction(1, 3), Fraction(-2, 7), Fraction(5, 2), 4]
    w = [Fraction(3, 5), Fraction(1, 6)]
    d = sc.correlate(x, w, mode="full")
    want = np.correlate(np.array(x, dtype=object), np.array(w, dtype=object), mode="full")
    got = _flat(d.output)
    assert all(isinstance(v, sympy.Rational) for v in got)
    assert [Fraction(int(v.p), int(v.q)) for v in got] == list(want)


def test_floats_like_scipy():
    x, w = RNG.normal(size=(40, 30)), RNG.normal(size=(5, 5))
    d = sc.correlate(x, w, mode="same")
    want = scipy.signal.correlate(x, w, mode="same", method="direct")
    got = np.array([float(v) for v in _flat(d.output)]).reshape(want.shape)
    assert np.allclose(got, want, rtol=1e-12, atol=1e-12)


def test_gaussian_integers_exact_and_complex_floats():
    xr, xi = RNG.integers(-9, 10, size=(2, 12))
    wr, wi = RNG.integers(-9, 10, size=(2, 4))
    x = [sympy.Integer(a) + sympy.Integer(b) * sympy.I for a, b in zip(xr, xi)]
    w = [sympy.Integer(a) + sympy.Integer(b) * sympy.I for a, b in zip(wr, wi)]
    d = sc.convolve(x, w)
    want = np.convolve(xr + 1j * xi, wr + 1j * wi)  # small integers: exact in float64
    got = _flat(d.output)
    assert [complex(v) for v in got] == want.tolist()
    dc = sc.convolve(xr + 1j * xi, wr + 1j * wi)
    assert np.allclose([complex(v) for v in _flat(dc.output)], want)


def test_layer_with_bias_matches_torch(torch):
    F = torch.nn.functional
    x = RNG.integers(-5, 6, size=(4, 6, 6))
    w = RNG.integers(-5, 6, size=(6, 2, 3, 3))
    b = [Fraction(1, 2), 3, -2, Fraction(7, 3), 0, 1]
    d = sc.Conv2d(4, 6, 3, stride=2, padding=1, groups=2).derive(x=x, weight=w, bias=b)
    want = F.conv2d(torch.tensor(x[None], dtype=torch.float64),
                    torch.tensor(w, dtype=torch.float64),
                    torch.tensor([float(v) for v in b], dtype=torch.float64), 2, 1, 1, 2)[0].numpy()
    got = np.array([float(v) for v in _flat(d.output)]).reshape(want.shape)
    assert np.allclose(got, want, rtol=0, atol=1e-12)
    assert all(isinstance(v, sympy.Rational) for v in _flat(d.output))


def test_transposed_layer_with_empty_outputs_matches_torch(torch):
    F = torch.nn.functional
    x = RNG.integers(-5, 6, size=(1, 4))
    w = RNG.integers(-5, 6, size=(1, 1, 2))
    d = sc.ConvTranspose1d(1, 1, 2, stride=3, bias=False).derive(x=x, weight=w)
    want = F.conv_transpose1d(torch.tensor(x[None], dtype=torch.float64),
                              torch.tensor(w, dtype=torch.float64), None, 3)[0].numpy()
    got = np.array([int(v) for v in _flat(d.output)]).reshape(want.shape)
    assert np.array_equal(got, want) and (want == 0).any()


def test_terms_still_show_the_products():
    x, w = [1, 2, 3, 4], [5, 6, 7]
    d = sc.correlate(x, w)
    assert d.terms(1) == [(5, 2), (6, 3), (7, 4)]
    assert [int(v) for v in _flat(d.output)] == np.correlate(x, w).tolist()
    assert d.verify() and d.check()


def test_a_large_numeric_output_beyond_the_symbolic_product_limit():
    # 9 x 250,000 = 2.25M products (over the 2M symbolic limit), 250,000 outputs
    x, w = RNG.integers(-9, 10, size=(500, 500)), RNG.integers(-9, 10, size=(3, 3))
    d = sc.correlate(x, w, mode="same")
    want = scipy.signal.correlate(x, w, mode="same", method="direct")
    got = np.array([int(v) for v in d.flat_output]).reshape(want.shape)
    assert np.array_equal(got, want)


@pytest.mark.parametrize("re", [sympy.Integer(3), sympy.Integer(0), sympy.Rational(1, 2),
                                sympy.Float(2.5), sympy.Float(-1.0)])
@pytest.mark.parametrize("im", [sympy.Integer(2), sympy.Integer(1), sympy.Integer(-1),
                                sympy.Rational(-3, 7), sympy.Float(1.0), sympy.Float(-2.5)])
def test_complex_results_are_what_sympy_arithmetic_gives(re, im):
    from symconv.core._symbolic import complex_number

    assert sympy.srepr(complex_number(re, im)) == sympy.srepr(re + im * sympy.I)


def test_non_finite_and_zero_floats_are_what_sympy_gives():
    # inf * 0 is nan (SymPy: oo * 0 = nan), no warning; 0.0 stays a Float
    d = sc.correlate([float("inf"), 1.0], [0.0])
    assert [sympy.srepr(v) for v in d.flat_output] == [sympy.srepr(sympy.nan),
                                                       sympy.srepr(sympy.Float(0.0))]
