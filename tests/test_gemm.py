"""The im2col GEMM X W + b against an im2col written here with NumPy, and torch's convolution."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy

import symconv as sc


def _im2col(x, k, s, p, dil):
    """Rows: output positions (C order); columns: (input channel, kernel position)."""
    c_in = x.shape[0]
    xp = np.pad(x, [(0, 0)] + [(q, q) for q in p])
    out = [(n + 2 * q - dd * (kk - 1) - 1) // ss + 1
           for n, kk, ss, q, dd in zip(x.shape[1:], k, s, p, dil)]
    rows = []
    for o in itertools.product(*(range(m) for m in out)):
        row = []
        for c in range(c_in):
            for j in itertools.product(*(range(kk) for kk in k)):
                idx = tuple(ss * a + dd * b for a, b, ss, dd in zip(o, j, s, dil))
                row.append(xp[(c, *idx)])
        rows.append(row)
    return np.array(rows, dtype=float), out


def _filters(w, c_in, groups):
    """W: (C_in*K, C_out), block diagonal over groups."""
    c_out, cin_g = w.shape[0], w.shape[1]
    k = int(np.prod(w.shape[2:]))
    W = np.zeros((c_in * k, c_out))
    for q in range(c_out):
        g = q // (c_out // groups)
        W[g * cin_g * k:(g + 1) * cin_g * k, q] = w[q].reshape(-1)
    return W


# (ndim, c_in, c_out, kernel, stride, padding, dilation, groups, bias, size)
CASES = [
    (1, 1, 1, 3, 1, 0, 1, 1, False, (6,)),
    (1, 2, 4, 3, 2, 1, 1, 2, True, (7,)),
    (1, 3, 2, 2, 1, 2, 2, 1, True, (5,)),
    (2, 1, 2, 3, 1, 1, 1, 1, True, (4, 5)),
    (2, 4, 2, (2, 3), (2, 1), (1, 0), (1, 2), 2, False, (5, 6)),
]


def _t(v, nd):
    return (v,) * nd if isinstance(v, int) else tuple(v)


@pytest.mark.parametrize("case", CASES)
def test_gemm_against_numpy_im2col_and_torch(torch, case):
    nd, cin, cout, k, s, p, dil, groups, bias, size = case
    rng = np.random.default_rng(sum(size) + cin + cout)
    x = rng.integers(-9, 10, (cin, *size))
    w = rng.integers(-9, 10, (cout, cin // groups, *_t(k, nd)))
    b = rng.integers(-9, 10, cout) if bias else None
    layer = getattr(sc, f"Conv{nd}d")(cin, cout, k, stride=s, padding=p, dilation=dil,
                                      groups=groups, bias=bias)
    d = layer.derive(x=x, weight=w, bias=b)
    X, W = d.gemm()
    X_ref, out = _im2col(x, _t(k, nd), _t(s, nd), _t(p, nd), _t(dil, nd))
    np.testing.assert_array_equal(np.array(X, dtype=float), X_ref)
    np.testing.assert_array_equal(np.array(W, dtype=float), _filters(w, cin, groups))
    Y = X_ref @ _filters(w, cin, groups) + (0 if b is None else b)
    conv = getattr(torch.nn.functional, f"conv{nd}d")
    ref = conv(torch.tensor(x[None], dtype=torch.float64), torch.tensor(w, dtype=torch.float64),
               None if b is None else torch.tensor(b, dtype=torch.float64),
               stride=s, padding=p, dilation=dil, groups=groups)[0]
    np.testing.assert_array_equal(Y.T.reshape(ref.shape), ref.numpy())
    st = d.stats()
    positions, kk = int(np.prod(out)), int(np.prod(_t(k, nd)))
    assert st.im2col_entries == X_ref.size == positions * cin * kk
    assert st.multiply_adds == positions * cout * (cin // groups) * kk


def test_symbolic_gemm_reproduces_the_outputs():
    d = sc.Conv1d(2, 2, 2, padding=1, groups=2).derive(input_size=3)
    X, W = d.gemm()
    b = sympy.Matrix(1, 2, list(d.bias))
    Y = X * W + sympy.ones(X.rows, 1) * b
    y = d.output
    assert all(sympy.expand(Y[o, q] - y[q, o]) == 0 for q in range(2) for o in range(X.rows))
    # groups: W is block diagonal
    assert W[2, 0] == 0 and W[0, 1] == 0 and W[3, 1] != 0


def test_signal_style_gemm_flips_for_true_convolution():
    d = sc.convolve(sympy.symarray("x", 4), sympy.symarray("w", 2), mode="valid")
    X, W = d.gemm()
    assert list(X * W) == list(d.output)
