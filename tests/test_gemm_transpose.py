"""The GEMM of a transposed convolution: X = im2col of the stretched, padded input.

References: torch's ``conv_transpose1d/2d`` for ``X W + b``, and the stretched
input written here with NumPy (``s - 1`` zeros between entries, ``d(k-1) - p``
padding, ``output_padding`` on the right) with the kernel flipped and its
channel roles swapped (Dumoulin & Visin's transposed-convolution relationships).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy

import symconv as sc
from symconv.core._gemm import gemm_counts

# (ndim, C_in, C_out, kernel, stride, padding, output_padding, groups, dilation, size)
CASES = [
    (1, 2, 3, 3, 2, 1, 0, 1, 1, (4,)),
    (1, 4, 2, 2, 3, 0, 1, 2, 2, (5,)),
    (1, 1, 1, 3, 1, 0, 0, 1, 1, (4,)),
    (1, 3, 3, 4, 2, 2, 1, 3, 1, (3,)),
    (2, 2, 2, (2, 3), (2, 1), (0, 1), (1, 0), 1, 1, (3, 4)),
    (2, 2, 4, 3, 2, 1, 0, 2, (1, 2), (3, 3)),
]


def _pair(v, nd):
    return tuple(v) if isinstance(v, tuple) else (v,) * nd


def _stretched_im2col(x, w, k, s, p, op, groups, dil):
    """X and W built by stretching and padding the input, flipping the kernel (NumPy)."""
    c_in, size = x.shape[0], x.shape[1:]
    c_out = w.shape[1] * groups
    z_size = [(n - 1) * ss + 1 for n, ss in zip(size, s)]
    z = np.zeros((c_in, *z_size))
    z[(slice(None), *(slice(None, None, ss) for ss in s))] = x
    pads = [(dd * (kk - 1) - pp, dd * (kk - 1) - pp + oo)
            for kk, pp, oo, dd in zip(k, p, op, dil)]
    # negative padding (p > d(k-1)) crops
    for ax, (lo, hi) in enumerate(pads, start=1):
        z = np.pad(z, [(0, 0)] * ax + [(max(lo, 0), max(hi, 0))] + [(0, 0)] * (z.ndim - ax - 1))
        sl = [slice(None)] * z.ndim
        sl[ax] = slice(max(-lo, 0), z.shape[ax] - max(-hi, 0))
        z = z[tuple(sl)]
    out = [zn - dd * (kk - 1) for zn, kk, dd in zip(z.shape[1:], k, dil)]
    rows = []
    for o in itertools.product(*(range(m) for m in out)):
        rows.append([z[(c, *(a + dd * b for a, b, dd in zip(o, j, dil)))]
                     for c in range(c_in) for j in itertools.product(*(range(kk) for kk in k))])
    flipped = w[(slice(None), slice(None), *(slice(None, None, -1) for _ in k))]
    K = int(np.prod(k))
    W = np.zeros((c_in * K, c_out))
    cin_g, cout_g = c_in // groups, c_out // groups
    for q in range(c_out):
        g = q // cout_g
        for c in range(g * cin_g, (g + 1) * cin_g):
            W[c * K:(c + 1) * K, q] = flipped[c, q % cout_g].reshape(-1)
    return np.array(rows, dtype=float), W, out


def _num(m: sympy.Matrix) -> np.ndarray:
    return np.array(m.tolist(), dtype=object).astype(np.float64)


@pytest.mark.parametrize("case", CASES)
def test_transposed_gemm_matches_torch_and_the_stretched_input(torch, case):
    nd, c_in, c_out, k, s, p, op, g, dil, size = case
    rng = np.random.default_rng(sum(size) + c_in)
    k, s, p, op, dil = (_pair(v, nd) for v in (k, s, p, op, dil))
    x = rng.integers(-5, 6, (c_in, *size))
    w = rng.integers(-5, 6, (c_in, c_out // g, *k))
    b = rng.integers(-5, 6, c_out)
    layer = getattr(sc, f"ConvTranspose{nd}d")(c_in, c_out, k, stride=s, padding=p,
                                                output_padding=op, groups=g, dilation=dil)
    d = layer.derive(x=x, weight=w, bias=b)
    X, W = d.gemm()
    fn = getattr(torch.nn.functional, f"conv_transpose{nd}d")
    t = lambda a: torch.tensor(a, dtype=torch.float64)  # noqa: E731
    ref = fn(t(x[None]), t(w), t(b), s, p, op, g, dil)[0].numpy()
    got = _num(X * W) + b
    np.testing.assert_array_equal(got.T.reshape(ref.shape), ref)
    Xr, Wr, out = _stretched_im2col(x, w, k, s, p, op, g, dil)
    assert list(ref.shape[1:]) == out
    np.testing.assert_array_equal(_num(X), Xr)
    np.testing.assert_array_equal(_num(W), Wr)
    assert gemm_counts(d.spec)[0] == X.rows * X.cols


def test_symbolic_transposed_gemm_is_the_output():
    d = sc.ConvTranspose1d(1, 1, 2, stride=2).derive(input_size=(1, 2))
    X, W = d.gemm()
    x0, x1 = sympy.symbols("x_0_0 x_0_1")
    assert X.shape == (4, 2) and X[:, 1].T.tolist() == [[x0, 0, x1, 0]]  # the stretch's zeros
    w0, w1 = sympy.symbols("w_0_0_0 w_0_0_1")
    assert W.T.tolist() == [[w1, w0]]  # the flipped kernel
    assert [sympy.expand(e) for e in X * W] == [x0 * w0, x0 * w1, x1 * w0, x1 * w1]


def test_transposed_gemm_over_the_limit_is_refused_before_building(monkeypatch):
    """X's entries counted by hand (torch's output-length law): the refusal names them."""
    import symconv.core._gemm as G

    d = sc.ConvTranspose1d(2, 3, 3, stride=2, padding=1).derive(input_size=(2, 4))
    out_len = (4 - 1) * 2 - 2 * 1 + 1 * (3 - 1) + 0 + 1  # torch: (L-1)s - 2p + d(k-1) + op + 1
    entries = out_len * 2 * 3  # one row per output position, C_in * K columns
    monkeypatch.setattr(G, "GEMM_LIMIT", entries - 1)
    monkeypatch.setattr(G, "_transpose_gemm", lambda d: pytest.fail("built past the limit"))
    with pytest.raises(ValueError,
                       match=rf"would hold {entries:,} entries \(limit {entries - 1:,}\)"):
        d.gemm()
    monkeypatch.undo()  # the real limit: built, and of the size counted by hand
    X, _ = d.gemm()
    assert X.rows * X.cols == entries
