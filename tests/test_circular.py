"""mode="circular" for convolve/correlate against numpy.fft (1-D and 2-D, numbers and symbols)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg
import sympy

import symconv as sc

RNG = np.random.default_rng(11)


def fft_convolve(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The convolution theorem, straight from numpy.fft: ifftn(fftn(x) * fftn(w, x.shape))."""
    return np.fft.ifftn(np.fft.fftn(x) * np.fft.fftn(w, s=x.shape, axes=tuple(range(x.ndim)))).real


def fft_correlate(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Periodic cross-correlation without conjugation: ifftn(fftn(x) * conj(fftn(w, x.shape)))
    for real w."""
    return np.fft.ifftn(np.fft.fftn(x) * np.conj(np.fft.fftn(w, s=x.shape, axes=tuple(range(x.ndim))))).real


def brute(x: np.ndarray, w: np.ndarray, op: str) -> np.ndarray:
    """Loops over every output and tap: x indexed modulo its shape."""
    out = np.zeros(x.shape)
    for m in np.ndindex(*x.shape):
        for k in np.ndindex(*w.shape):
            sign = -1 if op == "convolve" else 1
            idx = tuple((a + sign * b) % n for a, b, n in zip(m, k, x.shape))
            out[m] += w[k] * x[idx]
    return out


def as_float(a: sympy.Array) -> np.ndarray:
    return np.array(a.tolist(), dtype=float)


CASES_1D = [(1, 1), (5, 1), (5, 3), (6, 6), (8, 4), (7, 2)]
CASES_2D = [((3, 4), (2, 3)), ((4, 4), (4, 4)), ((2, 5), (1, 3)), ((5, 3), (3, 1))]


@pytest.mark.parametrize("n, k", CASES_1D)
@pytest.mark.parametrize("op, ref", [("convolve", fft_convolve), ("correlate", fft_correlate)])
def test_1d_numbers_vs_numpy_fft(n: int, k: int, op: str, ref) -> None:
    x, w = RNG.integers(-9, 10, n), RNG.integers(-9, 10, k)
    d = getattr(sc, op)(x, w, mode="circular")
    assert d.output.shape == (n,)
    assert np.allclose(as_float(d.output), ref(x, w), atol=1e-9)
    assert np.array_equal(as_float(d.output), brute(x, w, op))


@pytest.mark.parametrize("xs, ks", CASES_2D)
@pytest.mark.parametrize("op, ref", [("convolve", fft_convolve), ("correlate", fft_correlate)])
def test_2d_numbers_vs_numpy_fft2(xs, ks, op: str, ref) -> None:
    x, w = RNG.integers(-9, 10, xs), RNG.integers(-9, 10, ks)
    d = getattr(sc, op)(x, w, mode="circular")
    assert d.output.shape == xs
    assert np.allclose(as_float(d.output), ref(x, w), atol=1e-9)
    assert np.array_equal(as_float(d.output), brute(x, w, op))


@pytest.mark.parametrize("op, ref", [("convolve", fft_convolve), ("correlate", fft_correlate)])
@pytest.mark.parametrize("xs, ks", [((6,), (3,)), ((3, 4), (2, 2))])
def test_symbolic_entries_lambdified_vs_numpy_fft(op: str, ref, xs, ks) -> None:
    xsym, wsym = sympy.symarray("x", xs), sympy.symarray("w", ks)
    d = getattr(sc, op)(xsym, wsym, mode="circular")
    free = list(xsym.reshape(-1)) + list(wsym.reshape(-1))
    f = sympy.lambdify(free, list(sympy.flatten(d.output)), modules="numpy")
    for _ in range(3):
        x, w = RNG.normal(size=xs), RNG.normal(size=ks)
        got = np.array(f(*x.reshape(-1), *w.reshape(-1))).reshape(xs)
        assert np.allclose(got, ref(x, w))


def test_matrix_is_scipy_circulant() -> None:
    x, w = RNG.integers(-9, 10, 6), RNG.integers(-9, 10, 3)
    t = sc.convolve(x, w, mode="circular").to_numpy()
    assert np.array_equal(t, scipy.linalg.circulant(np.r_[w, np.zeros(3)]))
    # correlation: the transpose of the convolution's circulant (no flip of roles)
    tc = sc.correlate(x, w, mode="circular").to_numpy()
    assert np.array_equal(tc, scipy.linalg.circulant(np.r_[w, np.zeros(3)]).T)


def test_valid_is_a_window_of_circular_correlation() -> None:
    x, w = RNG.integers(-9, 10, 7), RNG.integers(-9, 10, 3)
    circ = as_float(sc.correlate(x, w, mode="circular").output)
    assert np.array_equal(circ[:5], np.correlate(x, w, mode="valid"))


def test_checks_and_gradient_use_fft_references() -> None:
    d = sc.convolve(sympy.symarray("x", 5), sympy.symarray("w", 3), mode="circular")
    rep = d.check()
    assert rep and "numpy.fft" in str(rep)
    assert d.verify() and d.gradient().verify()
    # the adjoint of periodic convolution is periodic correlation: check by numpy.fft
    g = RNG.integers(-9, 10, 5)
    w = RNG.integers(-9, 10, 3)
    gx = sc.convolve(np.zeros(5, dtype=int), w, mode="circular").gradient(grad_output=g).input
    assert np.allclose(as_float(gx), fft_correlate(g, w))


def test_circular_layer_padding_agrees_with_signal_mode() -> None:
    x, w = RNG.integers(-9, 10, 7), RNG.integers(-9, 10, 3)
    layer = sc.Conv1d(1, 1, 3, padding=1, padding_mode="circular", bias=False).derive(
        x=x[None], weight=w[None, None])
    # torch's circular padding p with a centred kernel: a circular shift of the correlation
    assert np.array_equal(as_float(layer.output)[0],
                          np.roll(fft_correlate(x, w), 1).round())


@pytest.mark.parametrize("x, w, match", [
    ([1, 2], [1, 2, 3], r"mode='circular' needs `w` no larger than `x` in every dimension"),
    ([[1, 2, 3]], [[1], [2]], r"got x shape \(1, 3\) and w shape \(2, 1\)"),
])
def test_circular_kernel_larger_than_x_is_refused(x, w, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        sc.convolve(x, w, mode="circular")


def test_unknown_mode_lists_circular() -> None:
    with pytest.raises(ValueError, match=r"`mode` must be one of 'full', 'valid', 'same', "
                                         r"'circular'; got 'periodic'"):
        sc.correlate([1, 2, 3], [1, 2], mode="periodic")  # type: ignore[arg-type]
