"""The linear-time NumPy VJP used by gradient().check(), against brute force and torch.

Brute force: the Jacobian of the NumPy reference built column by column from
unit vectors (written here), contracted with g.  torch: autograd of
torch.nn.functional.  Exact integer data: results must be equal.
"""

from __future__ import annotations

import numpy as np
import pytest

from symconv.checks import _reference
from symconv.checks._reference_vjp import conv_transpose_vjp, conv_vjp, signal_vjp

RNG = np.random.default_rng(7)


def _brute(f, x, w, g):
    def vjp(fn, a):
        out = np.zeros(a.size)
        for j in range(a.size):
            e = np.zeros(a.size)
            e[j] = 1.0
            out[j] = np.dot(fn(e.reshape(a.shape)).reshape(-1), g.reshape(-1))
        return out.reshape(a.shape)

    return vjp(lambda e: f(e, w), x), vjp(lambda e: f(x, e), w)


def _ints(*shape):
    return RNG.integers(-4, 5, size=shape).astype(float)


CONV = [
    # (c_in, c_out, spatial, k, stride, pads, dilation, groups, mode)
    (1, 1, (7,), (3,), (1,), ((0, 0),), (1,), 1, "zeros"),
    (2, 4, (9,), (3,), (2,), ((1, 2),), (2,), 2, "zeros"),
    (2, 2, (6, 5), (3, 2), (2, 1), ((1, 1), (0, 1)), (1, 2), 1, "reflect"),
    (1, 2, (5, 6), (3, 3), (1, 2), ((2, 2), (1, 1)), (1, 1), 1, "replicate"),
    (3, 3, (6,), (3,), (1,), ((2, 1),), (2,), 3, "circular"),
    (2, 2, (4, 3, 3), (2, 2, 2), (1, 1, 2), ((1, 1), (0, 0), (1, 0)), (1, 1, 1), 2, "zeros"),
]


@pytest.mark.parametrize("case", CONV)
def test_conv_vjp_equals_the_brute_force_jacobian(case):
    c_in, c_out, spatial, k, stride, pads, dil, groups, mode = case
    x, w = _ints(c_in, *spatial), _ints(c_out, c_in // groups, *k)
    kw = dict(stride=stride, padding=pads, dilation=dil, groups=groups, padding_mode=mode)
    y = _reference.conv_nd(x, w, **kw)
    g = _ints(*y.shape)
    dx, dw = conv_vjp(x, w, g, **kw)
    bx, bw = _brute(lambda a, b: _reference.conv_nd(a, b, **kw), x, w, g)
    assert np.array_equal(dx, bx) and np.array_equal(dw, bw)


@pytest.mark.parametrize("case", CONV)
def test_conv_vjp_equals_torch_autograd(torch, case):
    F = torch.nn.functional
    c_in, c_out, spatial, k, stride, pads, dil, groups, mode = case
    x, w = _ints(c_in, *spatial), _ints(c_out, c_in // groups, *k)
    xt = torch.tensor(x, requires_grad=True)
    wt = torch.tensor(w, requires_grad=True)
    flat = [q for pair in reversed(pads) for q in pair]
    xp = F.pad(xt[None], flat, mode={"zeros": "constant"}.get(mode, mode))
    y = getattr(F, f"conv{len(spatial)}d")(xp, wt, None, stride, 0, dil, groups)[0]
    g = _ints(*y.shape)
    (y * torch.tensor(g)).sum().backward()
    dx, dw = conv_vjp(x, w, g, stride=stride, padding=pads, dilation=dil, groups=groups,
                      padding_mode=mode)
    assert np.array_equal(dx, xt.grad.numpy()) and np.array_equal(dw, wt.grad.numpy())


TRANSPOSE = [
    # (c_in, c_out, spatial, k, stride, padding, output_padding, dilation, groups)
    (1, 1, (4,), (3,), (2,), (0,), (1,), (1,), 1),
    (2, 4, (3, 4), (2, 3), (2, 1), (1, 0), (1, 0), (1, 2), 2),
    (2, 2, (3,), (3,), (1,), (2,), (1,), (2,), 1),
]


@pytest.mark.parametrize("case", TRANSPOSE)
def test_conv_transpose_vjp_equals_brute_force_and_torch(torch, case):
    c_in, c_out, spatial, k, stride, pad, opad, dil, groups = case
    x, w = _ints(c_in, *spatial), _ints(c_in, c_out // groups, *k)
    kw = dict(stride=stride, padding=pad, output_padding=opad, dilation=dil, groups=groups)
    y = _reference.conv_transpose_nd(x, w, **kw)
    g = _ints(*y.shape)
    dx, dw = conv_transpose_vjp(x, w, g, stride=stride, padding=pad, dilation=dil,
                                groups=groups)
    bx, bw = _brute(lambda a, b: _reference.conv_transpose_nd(a, b, **kw), x, w, g)
    assert np.array_equal(dx, bx) and np.array_equal(dw, bw)
    F = torch.nn.functional
    xt, wt = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    yt = getattr(F, f"conv_transpose{len(spatial)}d")(xt[None], wt, None, stride, pad, opad,
                                                      groups, dil)[0]
    (yt * torch.tensor(g)).sum().backward()
    assert np.array_equal(dx, xt.grad.numpy()) and np.array_equal(dw, wt.grad.numpy())


@pytest.mark.parametrize("op", ["convolve", "correlate"])
@pytest.mark.parametrize("mode", ["full", "valid", "same", "circular"])
@pytest.mark.parametrize("shapes", [((7,), (3,)), ((3,), (5,)), ((4, 5), (2, 3))])
def test_signal_vjp_equals_the_brute_force_jacobian(op, mode, shapes):
    xs, ws = shapes
    x, w = _ints(*xs), _ints(*ws)
    if mode == "circular" and any(k > n for n, k in zip(xs, ws)):
        pytest.skip("circular needs the kernel no longer than x")
    y = _reference.signal_nd(x, w, op, mode)
    g = _ints(*y.shape)
    dx, dw = signal_vjp(x, w, g, op, mode)
    bx, bw = _brute(lambda a, b: _reference.signal_nd(a, b, op, mode), x, w, g)
    assert np.array_equal(dx, bx) and np.array_equal(dw, bw)
