"""MaxPool1d/2d and AvgPool1d/2d against torch: forward, autograd, Jacobian, output size."""

from __future__ import annotations

import numpy as np
import pytest
import sympy

import symconv as sc

# (ndim, kernel, stride, padding, dilation, input (C, *spatial))
MAX_CASES = [
    (1, 2, None, 0, 1, (2, 7)),
    (1, 3, 1, 1, 1, (1, 6)),
    (1, 3, 2, 1, 2, (2, 9)),
    (2, 2, None, 0, 1, (2, 4, 5)),
    (2, (2, 3), (1, 2), (1, 1), 1, (1, 5, 6)),
    (2, 3, 2, 1, (2, 1), (1, 7, 6)),
]
# (ndim, kernel, stride, padding, count_include_pad, input)
AVG_CASES = [
    (1, 2, None, 0, True, (2, 7)),
    (1, 3, 2, 1, True, (1, 6)),
    (1, 3, 2, 1, False, (2, 8)),
    (2, 2, None, 0, True, (1, 4, 4)),
    (2, (3, 2), (2, 1), (1, 1), False, (2, 5, 4)),
    (2, 3, 2, 1, True, (1, 5, 5)),
]


def _num(a) -> np.ndarray:
    return np.array(np.asarray(a.tolist(), dtype=object), dtype=float)


def _out_len(n, k, s, p, d):
    """Dumoulin & Visin relationship 7, with padding and dilation (torch's formula)."""
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


def _pair(v, nd):
    return (v,) * nd if isinstance(v, int) else tuple(v)


@pytest.mark.parametrize("case", MAX_CASES)
def test_maxpool_numeric_forward_backward_against_torch(torch, case):
    nd, k, s, p, dil, shape = case
    F = torch.nn.functional
    rng = np.random.default_rng(len(shape) * 7 + sum(shape))
    x = rng.integers(-3, 4, shape)  # few values: many ties, torch picks the first maximum
    layer = getattr(sc, f"MaxPool{nd}d")(k, stride=s, padding=p, dilation=dil)
    d = layer.derive(x=x)
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    pool = getattr(F, f"max_pool{nd}d")
    y = pool(xt[None], k, s, p, dil)[0]
    np.testing.assert_array_equal(_num(d.output), y.detach().numpy())
    g = rng.integers(-5, 6, tuple(y.shape))
    y.backward(torch.tensor(g, dtype=torch.float64))
    np.testing.assert_array_equal(_num(d.gradient(grad_output=g).input), xt.grad.numpy())
    # the selection matrix is torch's Jacobian at this input
    jac = torch.autograd.functional.jacobian(lambda v: pool(v[None], k, s, p, dil)[0],
                                             xt.detach())
    np.testing.assert_array_equal(np.array(d.matrix, dtype=float),
                                  jac.reshape(y.numel(), -1).numpy())
    # output size: D&V relationship 7
    ks, ss, ps, ds = (_pair(v, nd) for v in (k, k if s is None else s, p, dil))
    assert d.output.shape[1:] == tuple(_out_len(n, *a) for n, *a in zip(shape[1:], ks, ss, ps, ds))


@pytest.mark.parametrize("case", MAX_CASES[:4])
def test_maxpool_symbolic_against_torch(torch, case):
    nd, k, s, p, dil, shape = case
    F = torch.nn.functional
    d = getattr(sc, f"MaxPool{nd}d")(k, stride=s, padding=p, dilation=dil).derive(
        input_size=shape)
    gr = d.gradient()
    xs, gs = list(d.input.reshape(len(d.input))), list(gr.output.reshape(len(gr.output)))
    f = sympy.lambdify([*xs, *gs], [list(d.output.reshape(len(d.output))),
                                    list(gr.input.reshape(len(gr.input)))])
    rng = np.random.default_rng(1)
    for _ in range(3):
        x = rng.integers(-2, 3, shape).astype(float)
        g = rng.integers(-5, 6, d.output.shape).astype(float)
        y_sym, gx_sym = f(*x.reshape(-1), *g.reshape(-1))
        xt = torch.tensor(x, requires_grad=True)
        y = getattr(F, f"max_pool{nd}d")(xt[None], k, s, p, dil)[0]
        y.backward(torch.tensor(g))
        np.testing.assert_array_equal(np.array(y_sym, float), y.detach().numpy().reshape(-1))
        np.testing.assert_array_equal(np.array(gx_sym, float), xt.grad.numpy().reshape(-1))
    assert d.matrix is None
    assert d.check() and d.verify()


@pytest.mark.parametrize("case", AVG_CASES)
def test_avgpool_matrix_forward_backward_against_torch(torch, case):
    nd, k, s, p, cip, shape = case
    F = torch.nn.functional
    layer = getattr(sc, f"AvgPool{nd}d")(k, stride=s, padding=p, count_include_pad=cip)
    d = layer.derive(input_size=shape)
    pool = getattr(F, f"avg_pool{nd}d")
    x0 = torch.zeros(shape, dtype=torch.float64)
    jac = torch.autograd.functional.jacobian(
        lambda v: pool(v[None], k, s, p, count_include_pad=cip)[0], x0)
    n_out = int(np.prod(d.output.shape))
    np.testing.assert_allclose(np.array(d.matrix, dtype=float), jac.reshape(n_out, -1).numpy(),
                               rtol=1e-15)
    rng = np.random.default_rng(3)
    x = rng.integers(-9, 10, shape)
    g = rng.integers(-9, 10, d.output.shape)
    dn = layer.derive(x=x)
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y = pool(xt[None], k, s, p, count_include_pad=cip)[0]
    y.backward(torch.tensor(g, dtype=torch.float64))
    np.testing.assert_allclose(_num(dn.output), y.detach().numpy(), rtol=1e-14)
    np.testing.assert_allclose(_num(dn.gradient(grad_output=g).input), xt.grad.numpy(),
                               rtol=1e-14)
    assert d.weight is None and d.check() and d.verify()


def test_avgpool_is_a_fixed_weight_convolution():
    # count_include_pad=True: T is the depthwise convolution's matrix with every weight 1/K.
    d = sc.AvgPool2d(2, stride=1, padding=1).derive(input_size=(2, 3, 3))
    conv = sc.Conv2d(2, 2, 2, stride=1, padding=1, groups=2, bias=False).derive(
        input_size=(3, 3), weight=np.full((2, 1, 2, 2), sympy.Rational(1, 4), dtype=object))
    assert d.matrix == conv.matrix


@pytest.mark.parametrize("call, exc, match", [
    (lambda: sc.MaxPool1d(3, padding=2), ValueError, "`padding` must be at most half"),
    (lambda: sc.AvgPool2d(2, stride=0), ValueError, "`stride` must be positive"),
    (lambda: sc.MaxPool2d(0), ValueError, "`kernel_size` must be positive"),
    (lambda: sc.MaxPool2d((2, 2, 2)), ValueError, "`kernel_size` must have 2 entries"),
    (lambda: sc.MaxPool1d(2, dilation=0), ValueError, "`dilation` must be positive"),
    (lambda: sc.AvgPool1d(2, count_include_pad="no"), TypeError, "`count_include_pad`"),
    (lambda: sc.AvgPool1d("2"), TypeError, "`kernel_size`"),
    (lambda: sc.MaxPool1d(2).derive(input_size=(4,)), ValueError, "shape \\(C, \\*spatial\\)"),
    (lambda: sc.MaxPool1d(6).derive(input_size=(1, 5)), ValueError, "`kernel_size`"),
    (lambda: sc.AvgPool1d(2).derive(input_size=(1, 4), weight=[1]), ValueError, "no parameters"),
])
def test_bad_arguments(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_torch_refuses_what_we_refuse(torch):
    F = torch.nn.functional
    with pytest.raises(RuntimeError, match="padding should be at most half"):
        F.max_pool1d(torch.zeros(1, 1, 5), 3, padding=2)
    with pytest.raises(RuntimeError):
        F.max_pool1d(torch.zeros(1, 1, 5), 6)


# (kind, ndim, kernel, stride, padding, extra, input): ceil_mode=True, windows running
# past the input (and torch's rule dropping a window that would start in the padding)
CEIL_CASES = [
    ("max", 1, 2, 2, 0, {}, (1, 5)),
    ("max", 1, 3, 2, 1, {"dilation": 1}, (2, 6)),
    ("max", 2, 3, 2, 1, {}, (1, 6, 5)),
    ("avg", 1, 2, 2, 0, {}, (1, 5)),
    ("avg", 1, 3, 2, 1, {"count_include_pad": True}, (1, 6)),
    ("avg", 1, 3, 2, 1, {"count_include_pad": False}, (2, 6)),
    ("avg", 2, (3, 2), (2, 2), (1, 1), {"count_include_pad": True}, (1, 6, 5)),
    ("avg", 1, 4, 3, 2, {}, (1, 7)),
]


@pytest.mark.parametrize("case", CEIL_CASES)
def test_ceil_mode_against_torch(torch, case):
    kind, nd, k, s, p, extra, shape = case
    F = torch.nn.functional
    cls = getattr(sc, f"{'MaxPool' if kind == 'max' else 'AvgPool'}{nd}d")
    layer = cls(k, s, p, *extra.values(), ceil_mode=True)
    rng = np.random.default_rng(11)
    x = rng.integers(-9, 10, shape)
    d = layer.derive(x=x)
    fn = getattr(F, f"{kind}_pool{nd}d")
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y = fn(xt[None], k, s, p, ceil_mode=True, **extra)[0]
    np.testing.assert_allclose(_num(d.output), y.detach().numpy(), rtol=1e-14)
    g = rng.integers(-9, 10, tuple(y.shape))
    y.backward(torch.tensor(g, dtype=torch.float64))
    np.testing.assert_allclose(_num(d.gradient(grad_output=g).input), xt.grad.numpy(),
                               rtol=1e-14)
    assert layer.derive(input_size=shape).check()


def test_ceil_mode_is_keyword_only_and_checked():
    with pytest.raises(TypeError):
        sc.AvgPool1d(2, 2, 0, True, True)  # torch's positional order differs: refuse it
    with pytest.raises(TypeError, match="`ceil_mode` must be True or False"):
        sc.MaxPool1d(2, ceil_mode="yes")


from conftest import require_torch  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 12), k=st.integers(1, 5), s=st.integers(1, 4), p=st.integers(0, 2),
       d=st.integers(1, 3), ceil=st.booleans(), kind=st.sampled_from(["max", "avg"]))
def test_output_size_law_matches_torch(n, k, s, p, d, ceil, kind):
    """D&V relationship 7 (with padding, dilation, ceil_mode): torch's size, or both refuse."""
    torch = require_torch()

    F = torch.nn.functional
    if kind == "avg":
        d = 1
    x = torch.zeros(1, 1, n)
    try:
        if kind == "max":
            y = F.max_pool1d(x, k, s, p, d, ceil_mode=ceil)
        else:
            y = F.avg_pool1d(x, k, s, p, ceil_mode=ceil, count_include_pad=False)
        # a window of padding only: -inf (max) or nan (avg); symconv refuses it
        ref = y.shape[-1] if bool(torch.isfinite(y).all()) else None
    except RuntimeError:
        ref = None
    if ref == 0:
        ref = None
    try:
        layer = (sc.MaxPool1d(k, s, p, d, ceil_mode=ceil) if kind == "max"
                 else sc.AvgPool1d(k, s, p, count_include_pad=False, ceil_mode=ceil))
        got = layer.derive(input_size=(1, n)).output.shape[-1]
    except ValueError:
        got = None
    assert got == ref
    if got is not None and not ceil:
        assert got == (n + 2 * p - d * (k - 1) - 1) // s + 1


def test_max_of_plain_symbols_is_sympys_own_max():
    """A window of plain symbols gives exactly ``sympy.Max(*window)`` (SymPy's canonical
    argument order, so ``==`` holds), also across multi-digit indices (x_0_9, x_0_10)."""
    d = sc.MaxPool1d(2, stride=1).derive(input_size=(1, 24))
    for j in range(23):
        assert d.output[0, j] == sympy.Max(d.input[0, j], d.input[0, j + 1]), j
