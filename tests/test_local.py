"""Locally connected and tiled layers against brute-force loops and torch autograd."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import symconv as sc


def _num(a) -> np.ndarray:
    return np.array(np.asarray(a.tolist(), dtype=object), dtype=float)


def _loop(x, w, b, k, s, p, tiles):
    """GBC eq. 9.9 / 9.10 written out: y[co, o] = sum w[co, slot(o), ci, j] x[ci, s*o + j - p]."""
    nd = x.ndim - 1
    xp = np.pad(x, [(0, 0)] + [(q, q) for q in p])
    out = tuple((n + 2 * q - kk) // ss + 1 for n, q, kk, ss in zip(x.shape[1:], p, k, s))
    c_out = w.shape[0]
    y = np.zeros((c_out, *out))
    for co in range(c_out):
        for o in itertools.product(*(range(m) for m in out)):
            slot = o if tiles is None else tuple(a % t for a, t in zip(o, tiles))
            window = xp[(slice(None),) + tuple(slice(ss * a, ss * a + kk)
                                                for a, ss, kk in zip(o, s, k))]
            y[(co, *o)] = np.sum(w[(co, *slot)] * window)
            if b is not None:
                y[(co, *o)] += b[(co, *slot)]
    assert nd == len(k)
    return y


def _torch_loop(torch, x, w, b, k, s, p, tiles):
    """The same loop in torch (differentiable), for autograd."""
    F = torch.nn.functional
    pads = [q for pp in reversed(p) for q in (pp, pp)]
    xp = F.pad(x, pads)
    out = tuple((n + 2 * q - kk) // ss + 1 for n, q, kk, ss in zip(x.shape[1:], p, k, s))
    rows = []
    for co in range(w.shape[0]):
        vals = []
        for o in itertools.product(*(range(m) for m in out)):
            slot = o if tiles is None else tuple(a % t for a, t in zip(o, tiles))
            window = xp[(slice(None),) + tuple(slice(ss * a, ss * a + kk)
                                                for a, ss, kk in zip(o, s, k))]
            v = (w[(co, *slot)] * window).sum()
            vals.append(v if b is None else v + b[(co, *slot)])
        rows.append(torch.stack(vals).reshape(out))
    return torch.stack(rows)


# (ndim, c_in, c_out, kernel, stride, padding, tiles (None: locally connected), bias, size)
CASES = [
    (1, 1, 1, 3, 1, 0, None, False, (6,)),
    (1, 2, 3, 2, 2, 1, None, True, (5,)),
    (1, 2, 2, 3, 1, 1, 2, True, (6,)),
    (1, 1, 2, 2, 1, 0, 3, False, (7,)),
    (2, 1, 2, 2, 1, 1, None, True, (3, 3)),
    (2, 2, 1, (2, 3), (1, 2), (0, 1), None, False, (4, 5)),
    (2, 1, 2, 2, 1, 0, (2, 1), True, (4, 4)),
    (2, 2, 2, 3, 2, 1, 2, True, (5, 6)),
]


def _layer(case):
    nd, cin, cout, k, s, p, tiles, bias, _ = case
    if tiles is None:
        return getattr(sc, f"LocallyConnected{nd}d")(cin, cout, k, stride=s, padding=p, bias=bias)
    return getattr(sc, f"TiledConv{nd}d")(cin, cout, k, tiles, stride=s, padding=p, bias=bias)


def _tuple(v, nd):
    return (v,) * nd if isinstance(v, int) else tuple(v)


@pytest.mark.parametrize("case", CASES)
def test_forward_against_loop_and_backward_against_autograd(torch, case):
    nd, cin, cout, k, s, p, tiles, bias, size = case
    ks, ss, ps = (_tuple(v, nd) for v in (k, s, p))
    tl = None if tiles is None else _tuple(tiles, nd)
    sym = _layer(case).derive(input_size=size)
    rng = np.random.default_rng(sum(size) + cin * 3 + cout)
    x = rng.integers(-9, 10, (cin, *size))
    w = rng.integers(-9, 10, sym.weight.shape)
    b = rng.integers(-9, 10, sym.bias.shape) if bias else None
    d = _layer(case).derive(x=x, weight=w, bias=b)
    expected = _loop(x, w, b, ks, ss, ps, tl)
    np.testing.assert_array_equal(_num(d.output), expected)
    # T vec(x) + b with the numeric T
    T = np.array(d.matrix, dtype=float)
    offset = _loop(np.zeros_like(x), w, b, ks, ss, ps, tl).reshape(-1)
    np.testing.assert_array_equal(T @ x.reshape(-1) + offset, expected.reshape(-1))
    # backward: torch autograd through the same loop
    t = {n: torch.tensor(v, dtype=torch.float64, requires_grad=True)
         for n, v in (("x", x), ("w", w), ("b", b)) if v is not None}
    y = _torch_loop(torch, t["x"], t["w"], t.get("b"), ks, ss, ps, tl)
    g = rng.integers(-9, 10, tuple(y.shape))
    y.backward(torch.tensor(g, dtype=torch.float64))
    gr = d.gradient(grad_output=g)
    np.testing.assert_array_equal(_num(gr.input), t["x"].grad.numpy())
    np.testing.assert_array_equal(_num(gr.weight), t["w"].grad.numpy())
    if bias:
        np.testing.assert_array_equal(_num(gr.bias), t["b"].grad.numpy())
    # Jacobian in x is T
    jac = torch.autograd.functional.jacobian(
        lambda v: _torch_loop(torch, v, t["w"].detach(), None, ks, ss, ps, tl), t["x"].detach())
    np.testing.assert_array_equal(T, jac.reshape(T.shape).numpy())
    assert sym.check() and sym.verify()


def test_tiled_with_one_tile_is_torch_conv(torch):
    rng = np.random.default_rng(0)
    x = rng.integers(-9, 10, (2, 5, 6))
    w = rng.integers(-9, 10, (3, 1, 1, 2, 3, 2))
    b = rng.integers(-9, 10, (3, 1, 1))
    d = sc.TiledConv2d(2, 3, (3, 2), tiles=1, stride=(2, 1), padding=1).derive(
        x=x, weight=w, bias=b)
    ref = torch.nn.functional.conv2d(torch.tensor(x[None], dtype=torch.float64),
                                     torch.tensor(w[:, 0, 0], dtype=torch.float64),
                                     torch.tensor(b[:, 0, 0], dtype=torch.float64),
                                     stride=(2, 1), padding=1)[0]
    np.testing.assert_array_equal(_num(d.output), ref.numpy())


def test_counts_by_arithmetic():
    # n = 7, k = 3 valid: 5 positions; LC: 5*3 weights, no ties; tiled t=2: 2*3 weights.
    lc = sc.LocallyConnected1d(1, 1, 3).derive(input_size=(1, 7)).stats()
    assert (lc.parameters, lc.tied_weights, lc.products, lc.structural_zeros) == (
        5 * 3 + 5, 0, 15, 5 * 7 - 15)
    assert lc.tie_counts.max() == 1
    tc = sc.TiledConv1d(1, 1, 3, tiles=2).derive(input_size=(1, 7)).stats()
    # tile 0 serves positions 0, 2, 4; tile 1 serves 1, 3
    assert tc.parameters == 2 * 3 + 2
    assert tc.tie_counts.reshape(2, 3).tolist() == [[3, 3, 3], [2, 2, 2]]
    assert tc.structural_zeros == lc.structural_zeros


@pytest.mark.parametrize("call, exc, match", [
    (lambda: sc.LocallyConnected1d(0, 1, 3), ValueError, "`in_channels` must be positive"),
    (lambda: sc.LocallyConnected2d(1, 1, (2, 2, 2)), ValueError, "`kernel_size` must have 2"),
    (lambda: sc.LocallyConnected1d(1, 1, 3, padding="same"), TypeError, "`padding`"),
    (lambda: sc.TiledConv1d(1, 1, 3, tiles=0), ValueError, "`tiles` must be positive"),
    (lambda: sc.TiledConv2d(1, 1, 3, tiles=(1, 2, 3)), ValueError, "`tiles` must have 2"),
    (lambda: sc.TiledConv1d(1, 1, 3, 2, stride=0), ValueError, "`stride` must be positive"),
    (lambda: sc.TiledConv1d(1, 1, 3, 2, bias="y"), TypeError, "`bias` must be True or False"),
    (lambda: sc.LocallyConnected1d(1, 1, 5).derive(input_size=3), ValueError, "`kernel_size`"),
    (lambda: sc.LocallyConnected1d(2, 1, 2).derive(x=[[1, 2, 3]]), ValueError, "`x` must have"),
    (lambda: sc.LocallyConnected1d(1, 1, 2).derive(input_size=3, weight=[1, 2]), ValueError,
     "`weight` must have shape \\(1, 2, 1, 2\\)"),
    (lambda: sc.TiledConv1d(1, 1, 2, 2, bias=False).derive(input_size=3, bias=[1]), ValueError,
     "`bias` was given"),
])
def test_bad_arguments(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


@pytest.mark.parametrize("cin, cout, k, tiles, size, stride, padding", [
    (1, 1, 3, 2, 6, 1, 0),
    (2, 1, 2, 3, 7, 2, 1),
    (1, 2, (2, 3), (2, 1), (4, 5), (1, 2), 1),
])
def test_hierarchy_dense_local_tiled_conv(torch, cin, cout, k, tiles, size, stride, padding):
    h = sc.layer_hierarchy(cin, cout, k, tiles=tiles, input_size=size, stride=stride,
                           padding=padding)
    assert h and len(h.results) == 6
    # the shared zero pattern is the convolution's: torch's Jacobian sparsity
    nd = 1 if isinstance(size, int) else len(size)
    sz = (size,) if isinstance(size, int) else size
    conv = getattr(torch.nn, f"Conv{nd}d")(cin, cout, k, stride=stride, padding=padding,
                                           bias=False, dtype=torch.float64)
    torch.nn.init.uniform_(conv.weight, 1.0, 2.0)  # no weight is 0
    jac = torch.autograd.functional.jacobian(lambda v: conv(v[None])[0],
                                             torch.zeros(cin, *sz, dtype=torch.float64))
    reached = int((jac != 0).sum())
    assert f"({reached} of {jac.numel()} entries reached" in str(h.results[0])
    # parameter counts by the formulas, written out here
    out = [int(v) for v in jac.shape[1:nd + 1]]
    kk = int(np.prod(_tuple(k, nd)))
    tt = int(np.prod(_tuple(tiles, nd)))
    expected = (f"dense {jac.numel()} >= locally connected {cout * int(np.prod(out)) * cin * kk}"
                f" >= tiled {cout * tt * cin * kk} >= convolution {cout * cin * kk}")
    assert expected in str(h.results[-1])


def test_hierarchy_refuses_more_tiles_than_outputs():
    with pytest.raises(ValueError, match="`tiles` \\(=5\\) must not exceed the output size"):
        sc.layer_hierarchy(1, 1, 2, tiles=5, input_size=5)
