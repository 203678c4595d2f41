"""General sizes in 2-D/3-D and transposed 2-D against torch; hypothesis over sizes."""

from __future__ import annotations

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from test_general import evaluate, rints

import symconv as sc

n, k, s, d = sympy.symbols("n k s d", integer=True, positive=True)
p = sympy.Symbol("p", integer=True, nonnegative=True)
h, w_, k1, k2, s1, s2 = sympy.symbols("h w_ k1 k2 s1 s2", integer=True, positive=True)
a1, a2 = sympy.symbols("a1 a2", integer=True, nonnegative=True)

GENERAL_1D = sc.Conv1d(1, 1, kernel_size=k, stride=s, padding=p, dilation=d).derive(
    input_size=(n,))


def brute_conv1d(x, w, b, s_, d_, p_):
    """Textbook pad-and-slide cross-correlation (independent of symconv)."""
    xp = np.concatenate([np.zeros(p_), x, np.zeros(p_)])
    span = d_ * (len(w) - 1) + 1
    m = (len(xp) - span) // s_ + 1
    return np.array([b + sum(w[j] * xp[o * s_ + d_ * j] for j in range(len(w)))
                     for o in range(m)])


@settings(deadline=None, max_examples=12)
@given(nn=st.integers(1, 9), kk=st.integers(1, 4), ss=st.integers(1, 3), dd=st.integers(1, 3),
       pp=st.integers(0, 3), seed=st.integers(0, 100))
def test_general_conv1d_against_pad_and_slide(nn, kk, ss, dd, pp, seed):
    if dd * (kk - 1) + 1 > nn + 2 * pp:
        return
    rng = np.random.default_rng(seed)
    x, w, b = rints(rng, (1, nn)), rints(rng, (1, 1, kk)), rints(rng, (1,))
    sizes = {n: nn, k: kk, s: ss, d: dd, p: pp}
    ref = brute_conv1d(x[0], w[0, 0], b[0], ss, dd, pp)
    m = int(GENERAL_1D.output_size[0].subs(sizes))
    assert m == len(ref)
    got = [evaluate(GENERAL_1D.output[0, o], sizes, {"x": x, "w": w, "b": b}) for o in range(m)]
    assert np.array_equal(got, ref)


def test_conv_transpose2d_matches_torch(torch):
    g = sc.ConvTranspose2d(2, 1, kernel_size=(k1, k2), stride=(s1, s2),
                           output_padding=(a1, a2), padding=(1, 0)).derive(input_size=(h, w_))
    sizes = {h: 2, w_: 3, k1: 3, k2: 2, s1: 2, s2: 3, a1: 1, a2: 2}
    rng = np.random.default_rng(7)
    x, w, b = rints(rng, (2, 2, 3)), rints(rng, (2, 1, 3, 2)), rints(rng, (1,))
    tx = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    tw = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    ty = torch.nn.functional.conv_transpose2d(tx[None], tw, torch.tensor(b, dtype=torch.float64),
                                              stride=(2, 3), padding=(1, 0),
                                              output_padding=(1, 2))[0]
    H, W = (int(v.subs(sizes)) for v in g.output_size)
    assert (H, W) == tuple(ty.shape[1:])
    arrays = {"x": x, "w": w, "b": b}
    y = [[[evaluate(g.output[0, u, v], sizes, arrays) for v in range(W)] for u in range(H)]]
    assert np.array_equal(y, ty.detach().numpy())
    up = rints(rng, (1, H, W))
    ty.backward(torch.tensor(up, dtype=torch.float64))
    gg = g.gradient()
    arrays["g"] = up
    gx = [[[evaluate(gg.input[q, u, v], sizes, arrays) for v in range(3)] for u in range(2)]
          for q in range(2)]
    assert np.array_equal(gx, tx.grad.numpy())
    gw = [evaluate(gg.weight[q, 0, u, v], sizes, arrays)
          for q in range(2) for u in range(3) for v in range(2)]
    assert np.array_equal(gw, tw.grad.numpy().ravel())


def test_conv3d_general_matches_torch(torch):
    kk = sympy.Symbol("kk", integer=True, positive=True)
    g = sc.Conv3d(1, 2, kernel_size=(kk, 2, 1), stride=(1, 2, 1), padding=(0, 1, 0),
                  bias=False).derive(input_size=(n, 3, 2))
    sizes = {n: 3, kk: 2}
    rng = np.random.default_rng(3)
    x, w = rints(rng, (1, 3, 3, 2)), rints(rng, (2, 1, 2, 2, 1))
    ref = torch.nn.functional.conv3d(torch.tensor(x[None], dtype=torch.float64),
                                     torch.tensor(w, dtype=torch.float64), stride=(1, 2, 1),
                                     padding=(0, 1, 0))[0].numpy()
    shape = tuple(int(sympy.sympify(v).subs(sizes)) for v in g.output_size)
    assert shape == ref.shape[1:]
    got = np.array([evaluate(g.output[(q, *idx)], sizes, {"x": x, "w": w})
                    for q in range(2) for idx in np.ndindex(*shape)]).reshape(ref.shape)
    assert np.array_equal(got, ref)


def test_verify_2d_covers_every_axis():
    g = sc.Conv2d(1, 1, kernel_size=(k1, 2), stride=(s1, 1)).derive(input_size=(h, 4))
    v = g.verify()
    assert v
    keys = [r.proof.key for r in v.reports]
    assert "a (axis 1)" in keys and "a (axis 2)" in keys


def test_general_groups_need_numbers():
    g = sc.Conv1d(2, 4, kernel_size=k, groups=2).derive(input_size=(n,))
    assert g.weight.shape == (4, 1, k)
    with pytest.raises(ValueError, match="`groups`"):
        sc.Conv1d(sympy.Symbol("C", integer=True, positive=True), 4, kernel_size=k, groups=2)
