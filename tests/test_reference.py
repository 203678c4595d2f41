"""Check the plain-NumPy reference convolutions against SciPy and PyTorch.

All data are small integers stored as float64, so every float computation below is exact and
results are compared with ``assert_array_equal`` rather than a tolerance.
"""

from __future__ import annotations

import itertools
import warnings
from fractions import Fraction
from types import ModuleType
from typing import Any

import numpy as np
import pytest
import scipy.signal
from conftest import require_torch
from numpy.testing import assert_array_equal

from symconv.checks._reference import conv_nd, conv_transpose_nd, signal_nd


def _torch() -> ModuleType:
    """Return ``torch``; skip locally if missing, fail with ``SYMCONV_REQUIRE_ORACLES=1``."""
    return require_torch()


def _ints(rng: np.random.Generator, shape: tuple[int, ...], lo: int = -4, hi: int = 5):
    return rng.integers(lo, hi, size=shape).astype(np.float64)


def _to_fraction(a: np.ndarray, denominator: int = 1) -> np.ndarray:
    out = np.empty(a.shape, dtype=object)
    for idx, v in np.ndenumerate(a):
        out[idx] = Fraction(int(v), denominator)
    return out


# ---------------------------------------------------------------------------------------------
# signal_nd vs scipy.signal
# ---------------------------------------------------------------------------------------------

SIGNAL_SHAPES = [
    # (x shape, w shape): odd and even kernels, kernel smaller / equal / larger than input
    ((7,), (3,)),
    ((8,), (4,)),
    ((5,), (5,)),
    ((3,), (6,)),
    ((6, 5), (3, 2)),
    ((5, 7), (4, 3)),
    ((2, 3), (4, 5)),
    ((4, 5, 3), (3, 2, 3)),
    ((5, 4, 6), (2, 4, 1)),
    ((2, 2, 3), (3, 4, 4)),
]


@pytest.mark.parametrize("op", ["convolve", "correlate"])
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize(("xshape", "wshape"), SIGNAL_SHAPES, ids=str)
def test_signal_nd_matches_scipy(xshape, wshape, mode, op):
    seed = [SIGNAL_SHAPES.index((xshape, wshape)), len(mode), len(op)]
    rng = np.random.default_rng(seed)
    x = _ints(rng, xshape)
    w = _ints(rng, wshape)
    expected = getattr(scipy.signal, op)(x, w, mode=mode, method="direct")
    got = signal_nd(x, w, op, mode)
    assert got.shape == expected.shape
    assert_array_equal(got, expected)


def test_signal_nd_shapes_follow_documented_rule():
    x = np.ones((6, 2))
    w = np.ones((3, 4))
    assert signal_nd(x, w, "correlate", "full").shape == (8, 5)
    assert signal_nd(x, w, "correlate", "same").shape == (6, 2)
    # mixed sizes: SciPy raises, the reference applies the per-dim rule
    assert signal_nd(x, w, "correlate", "valid").shape == (4, 3)
    with pytest.raises(ValueError):
        scipy.signal.correlate(x, w, mode="valid", method="direct")


def test_signal_nd_does_not_conjugate():
    x = np.array([1.0, 2.0j])
    w = np.array([1.0j, 3.0])
    got = signal_nd(x, w, "correlate", "full")
    # z[m] = sum_k x[m - 1 + k] w[k]
    assert_array_equal(got, [3.0, 1.0j + 6.0j, -2.0])
    assert_array_equal(got, scipy.signal.correlate(x, np.conj(w), method="direct"))


@pytest.mark.parametrize("op", ["convolve", "correlate"])
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_signal_nd_fraction_exact(op, mode):
    rng = np.random.default_rng(11)
    x = rng.integers(-9, 10, size=(4, 5))
    w = rng.integers(-9, 10, size=(3, 2))
    got = signal_nd(_to_fraction(x, 3), _to_fraction(w, 7), op, mode)
    scaled = signal_nd(x, w, op, mode)  # integer arithmetic
    assert got.dtype == object
    assert all(isinstance(v, Fraction) for v in got.flat)
    assert_array_equal(got * 21, scaled)
    assert np.array_equal(got * 21, _to_fraction(scaled))


# ---------------------------------------------------------------------------------------------
# conv_nd vs torch.nn.functional.convNd
# ---------------------------------------------------------------------------------------------

# (c_in, c_out, groups, spatial, kernel, stride, padding pairs, dilation, bias, padding_mode)
# fmt: off
CONV_CASES = [
    (2, 3, 1, (7,), (3,), (1,), ((0, 0),), (1,), True, "zeros"),
    (4, 6, 2, (9,), (2,), (2,), ((1, 0),), (1,), False, "zeros"),
    (3, 3, 3, (8,), (3,), (1,), ((2, 2),), (2,), True, "zeros"),
    (2, 2, 1, (6,), (4,), (3,), ((0, 3),), (1,), True, "zeros"),
    (2, 3, 1, (6,), (3,), (1,), ((2, 1),), (1,), True, "reflect"),
    (2, 4, 2, (6,), (2,), (2,), ((3, 0),), (1,), False, "replicate"),
    (1, 2, 1, (5,), (3,), (1,), ((2, 3),), (2,), True, "circular"),
    (1, 1, 1, (3,), (2,), (1,), ((3, 3),), (1,), False, "circular"),
    (1, 1, 1, (4,), (3,), (1,), ((3, 3),), (1,), False, "reflect"),
    (4, 2, 2, (6, 7), (3, 2), (2, 1), ((1, 2), (0, 1)), (1, 2), True, "zeros"),
    (2, 3, 1, (5, 6), (2, 4), (1, 1), ((0, 1), (2, 1)), (1, 1), False, "zeros"),
    (2, 2, 1, (5, 6), (3, 3), (1, 2), ((1, 1), (2, 0)), (1, 1), True, "reflect"),
    (3, 3, 3, (4, 5), (2, 3), (2, 2), ((2, 1), (0, 3)), (2, 1), False, "replicate"),
    (2, 4, 2, (4, 4), (3, 2), (1, 1), ((1, 2), (3, 0)), (1, 2), True, "circular"),
    (2, 4, 2, (5, 6, 4), (2, 3, 2), (1, 2, 1), ((1, 0), (1, 1), (0, 2)), (2, 1, 1), True, "zeros"),
    (2, 2, 1, (4, 5, 4), (3, 2, 2), (1, 1, 2), ((1, 1), (0, 1), (2, 1)), (1, 2, 1), False,
     "reflect"),
    (1, 2, 1, (3, 4, 4), (2, 2, 3), (2, 1, 1), ((2, 0), (1, 2), (1, 1)), (1, 1, 1), True,
     "replicate"),
    (2, 2, 2, (3, 4, 3), (2, 3, 2), (1, 1, 1), ((1, 2), (2, 1), (3, 0)), (1, 1, 2), True,
     "circular"),
]
# fmt: on


def _conv_id(case: tuple[Any, ...]) -> str:
    _c_in, _c_out, groups, spatial, k, s, p, d, bias, mode = case
    return f"{len(spatial)}d-{mode}-k{k}-s{s}-p{p}-d{d}-g{groups}-{'b' if bias else 'nob'}"


def _conv_data(case: tuple[Any, ...], seed: int):
    c_in, c_out, groups, spatial, k, _s, _p, _d, bias, _mode = case
    rng = np.random.default_rng(seed)
    x = _ints(rng, (c_in, *spatial))
    w = _ints(rng, (c_out, c_in // groups, *k))
    b = _ints(rng, (c_out,)) if bias else None
    return x, w, b


def _torch_conv(x, w, b, *, stride, padding, dilation, groups, padding_mode):
    torch = _torch()
    F = torch.nn.functional
    nd = x.ndim - 1
    xt = torch.from_numpy(x)[None]
    wt = torch.from_numpy(w)
    bt = None if b is None else torch.from_numpy(b)
    # F.pad takes (lo, hi) pairs starting from the last dim
    flat = tuple(v for pair in reversed(padding) for v in pair)
    mode = {"zeros": "constant"}.get(padding_mode, padding_mode)
    xt = F.pad(xt, flat, mode=mode)
    conv = getattr(F, f"conv{nd}d")
    return conv(xt, wt, bt, stride=stride, padding=0, dilation=dilation, groups=groups)[0]


@pytest.mark.torch
@pytest.mark.parametrize("case", CONV_CASES, ids=_conv_id)
def test_conv_nd_matches_torch(case):
    _c_in, _c_out, groups, _spatial, _k, stride, padding, dilation, _bias, mode = case
    x, w, b = _conv_data(case, seed=CONV_CASES.index(case))
    kwargs = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    expected = _torch_conv(x, w, b, padding_mode=mode, **kwargs).numpy()
    got = conv_nd(x, w, b, padding_mode=mode, **kwargs)
    assert got.dtype == np.float64
    assert got.shape == expected.shape
    assert_array_equal(got, expected)


@pytest.mark.torch
@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
@pytest.mark.parametrize(
    ("spatial", "k", "dilation"),
    [
        ((7,), (4,), (1,)),
        ((6,), (3,), (2,)),
        ((5, 6), (2, 3), (1, 2)),
        ((4, 5, 4), (2, 2, 3), (1, 1, 1)),
    ],
    ids=str,
)
def test_torch_same_padding_is_left_total_half(spatial, k, dilation, mode):
    """torch ``padding='same'`` == asymmetric ``(total // 2, total - total // 2)``."""
    torch = _torch()
    nd = len(spatial)
    rng = np.random.default_rng(5)
    x = _ints(rng, (2, *spatial))
    w = _ints(rng, (3, 2, *k))
    b = _ints(rng, (3,))
    layer = getattr(torch.nn, f"Conv{nd}d")(
        2, 3, k, padding="same", dilation=dilation, padding_mode=mode, dtype=torch.float64
    )
    with torch.no_grad(), warnings.catch_warnings():
        # torch warns that 'same' with an even kernel (zeros mode) needs an extra padded copy
        warnings.filterwarnings("ignore", "Using padding='same'", UserWarning)
        layer.weight.copy_(torch.from_numpy(w))
        layer.bias.copy_(torch.from_numpy(b))
        expected = layer(torch.from_numpy(x)[None])[0].numpy()
    totals = [d * (kk - 1) for d, kk in zip(dilation, k, strict=True)]
    padding = tuple((t // 2, t - t // 2) for t in totals)
    got = conv_nd(x, w, b, stride=(1,) * nd, padding=padding, dilation=dilation, padding_mode=mode)
    assert got.shape == (3, *spatial)
    assert_array_equal(got, expected)


@pytest.mark.torch
def test_conv_nd_symmetric_padding_via_torch_padding_argument():
    torch = _torch()
    rng = np.random.default_rng(3)
    x = _ints(rng, (4, 6, 5))
    w = _ints(rng, (2, 2, 3, 2))
    b = _ints(rng, (2,))
    expected = torch.nn.functional.conv2d(
        torch.from_numpy(x)[None],
        torch.from_numpy(w),
        torch.from_numpy(b),
        stride=(2, 1),
        padding=(2, 1),
        dilation=(1, 3),
        groups=2,
    )[0].numpy()
    got = conv_nd(x, w, b, stride=(2, 1), padding=((2, 2), (1, 1)), dilation=(1, 3), groups=2)
    assert_array_equal(got, expected)


@pytest.mark.parametrize("case", CONV_CASES[::3], ids=_conv_id)
def test_conv_nd_fraction_exact(case):
    _c_in, _c_out, groups, _spatial, _k, stride, padding, dilation, _bias, mode = case
    x, w, b = _conv_data(case, seed=100 + CONV_CASES.index(case))
    kwargs = dict(
        stride=stride, padding=padding, dilation=dilation, groups=groups, padding_mode=mode
    )
    # dyadic rationals: the float result is exact and must agree value for value
    xf, wf = _to_fraction(x * 3, 4), _to_fraction(w, 2)
    bf = None if b is None else _to_fraction(b, 8)
    got = conv_nd(xf, wf, bf, **kwargs)
    assert got.dtype == object
    assert all(isinstance(v, Fraction) for v in got.flat)
    bfl = None if b is None else b / 8
    assert_array_equal(got.astype(np.float64), conv_nd(x * 3 / 4, w / 2, bfl, **kwargs))
    # non-dyadic rationals: exact scaling of the integer result (no bias)
    got3 = conv_nd(_to_fraction(x, 3), _to_fraction(w, 7), None, **kwargs)
    ref = conv_nd(x.astype(np.int64), w.astype(np.int64), None, **kwargs)
    assert ref.dtype == np.int64
    assert np.array_equal(got3, _to_fraction(ref, 21))


# ---------------------------------------------------------------------------------------------
# conv_transpose_nd vs torch.nn.functional.conv_transposeNd
# ---------------------------------------------------------------------------------------------

# (c_in, c_out, groups, spatial, kernel, stride, padding, output_padding, dilation, bias)
TRANSPOSE_CASES = [
    (2, 3, 1, (5,), (3,), (1,), (0,), (0,), (1,), True),
    (2, 2, 1, (4,), (3,), (2,), (1,), (1,), (1,), False),
    (3, 2, 1, (4,), (2,), (3,), (0,), (2,), (1,), True),  # op reaches past the buffer
    (2, 2, 1, (3,), (1,), (3,), (0,), (2,), (1,), False),  # k=1: output_padding zeros
    (4, 6, 2, (5,), (3,), (2,), (2,), (0,), (2,), True),
    (2, 2, 2, (4,), (4,), (1,), (1,), (2,), (3,), True),  # op < dilation, stride 1
    (1, 1, 1, (3,), (3,), (1,), (3,), (0,), (2,), False),  # large crop
    (2, 3, 1, (3, 4), (2, 3), (2, 1), (0, 1), (1, 0), (1, 2), True),
    (4, 4, 2, (3, 3), (3, 2), (3, 2), (2, 0), (2, 1), (1, 1), False),
    (2, 2, 2, (4, 3), (1, 2), (2, 2), (0, 1), (1, 0), (2, 3), True),
    (2, 2, 1, (2, 3, 2), (2, 2, 3), (2, 1, 2), (0, 1, 1), (1, 0, 1), (1, 2, 1), True),
    (4, 2, 2, (3, 2, 2), (3, 2, 2), (1, 2, 3), (1, 0, 2), (0, 1, 2), (2, 1, 1), False),
]


def _transpose_id(case: tuple[Any, ...]) -> str:
    _c_in, _c_out, groups, spatial, k, s, p, op, d, bias = case
    return f"{len(spatial)}d-k{k}-s{s}-p{p}-op{op}-d{d}-g{groups}-{'b' if bias else 'nob'}"


def _transpose_data(case: tuple[Any, ...], seed: int):
    c_in, c_out, groups, spatial, k, *_rest, bias = case
    rng = np.random.default_rng(seed)
    x = _ints(rng, (c_in, *spatial))
    w = _ints(rng, (c_in, c_out // groups, *k))
    b = _ints(rng, (c_out,)) if bias else None
    return x, w, b


@pytest.mark.torch
@pytest.mark.parametrize("case", TRANSPOSE_CASES, ids=_transpose_id)
def test_conv_transpose_nd_matches_torch(case):
    torch = _torch()
    _c_in, _c_out, groups, spatial, _k, stride, padding, output_padding, dilation, _b = case
    x, w, b = _transpose_data(case, seed=50 + TRANSPOSE_CASES.index(case))
    kwargs = dict(
        stride=stride,
        padding=padding,
        output_padding=output_padding,
        dilation=dilation,
        groups=groups,
    )
    fn = getattr(torch.nn.functional, f"conv_transpose{len(spatial)}d")
    expected = fn(
        torch.from_numpy(x)[None],
        torch.from_numpy(w),
        None if b is None else torch.from_numpy(b),
        **kwargs,
    )[0].numpy()
    got = conv_transpose_nd(x, w, b, **kwargs)
    assert got.shape == expected.shape
    assert_array_equal(got, expected)


@pytest.mark.parametrize("case", TRANSPOSE_CASES[::2], ids=_transpose_id)
def test_conv_transpose_nd_fraction_exact(case):
    _c_in, _c_out, groups, _sp, _k, stride, padding, output_padding, dilation, _bias = case
    x, w, b = _transpose_data(case, seed=200 + TRANSPOSE_CASES.index(case))
    kwargs = dict(
        stride=stride,
        padding=padding,
        output_padding=output_padding,
        dilation=dilation,
        groups=groups,
    )
    bf = None if b is None else _to_fraction(b, 16)
    got = conv_transpose_nd(_to_fraction(x, 2), _to_fraction(w, 4), bf, **kwargs)
    assert got.dtype == object
    bfl = None if b is None else b / 16
    assert_array_equal(got.astype(np.float64), conv_transpose_nd(x / 2, w / 4, bfl, **kwargs))
    got3 = conv_transpose_nd(_to_fraction(x, 3), _to_fraction(w, 5), None, **kwargs)
    ref = conv_transpose_nd(x.astype(np.int64), w.astype(np.int64), None, **kwargs)
    assert np.array_equal(got3 * 15, ref)


ADJOINT_CASES = [
    # (c_in, c_out, groups, spatial, kernel, stride, symmetric padding, dilation)
    (2, 3, 1, (9,), (3,), (2,), (1,), (1,)),
    (4, 2, 2, (8,), (2,), (3,), (0,), (2,)),
    (2, 4, 2, (7, 6), (3, 2), (2, 3), (1, 1), (1, 2)),
    (3, 3, 3, (5, 4, 6), (2, 3, 2), (1, 2, 2), (1, 0, 1), (2, 1, 1)),
]


@pytest.mark.parametrize("case", ADJOINT_CASES, ids=str)
def test_conv_transpose_is_adjoint_of_conv(case):
    """<conv(x), y> == <x, conv_transpose(y)> with the same weights (zero padding)."""
    c_in, c_out, groups, spatial, k, stride, pad, dilation = case
    rng = np.random.default_rng(7)
    x = rng.integers(-5, 6, size=(c_in, *spatial))
    w = rng.integers(-5, 6, size=(c_out, c_in // groups, *k))
    y_fwd = conv_nd(
        x, w, stride=stride, padding=tuple((p, p) for p in pad), dilation=dilation, groups=groups
    )
    out_padding = tuple(
        n - ((m - 1) * s - 2 * p + d * (kk - 1) + 1)
        for n, m, s, p, d, kk in zip(
            spatial, y_fwd.shape[1:], stride, pad, dilation, k, strict=True
        )
    )
    y = rng.integers(-5, 6, size=y_fwd.shape)
    x_back = conv_transpose_nd(
        y,
        w,
        stride=stride,
        padding=pad,
        output_padding=out_padding,
        dilation=dilation,
        groups=groups,
    )
    assert x_back.shape == x.shape
    assert int(np.sum(y_fwd * y)) == int(np.sum(x * x_back))


# ---------------------------------------------------------------------------------------------
# argument validation
# ---------------------------------------------------------------------------------------------


def test_conv_nd_rejects_bad_arguments():
    x = np.ones((2, 4))
    w = np.ones((2, 2, 3))
    ok = dict(stride=(1,), padding=((0, 0),), dilation=(1,))
    with pytest.raises(ValueError, match="reflect"):
        conv_nd(x, w, **{**ok, "padding": ((4, 0),)}, padding_mode="reflect")
    with pytest.raises(ValueError, match="circular"):
        conv_nd(x, w, **{**ok, "padding": ((0, 5),)}, padding_mode="circular")
    with pytest.raises(ValueError, match="padding_mode"):
        conv_nd(x, w, **ok, padding_mode="mirror")
    with pytest.raises(ValueError, match="groups"):
        conv_nd(x, w, **ok, groups=2)
    with pytest.raises(ValueError, match="empty"):
        conv_nd(x, w, **{**ok, "dilation": (3,)})
    with pytest.raises(ValueError, match="stride"):
        conv_nd(x, w, **{**ok, "stride": (1, 1)})
    with pytest.raises(ValueError, match="b must"):
        conv_nd(x, w, np.ones(3), **ok)


def test_conv_transpose_nd_rejects_bad_arguments():
    x = np.ones((2, 4))
    w = np.ones((2, 1, 3))
    ok = dict(stride=(2,), padding=(0,), output_padding=(0,), dilation=(1,))
    with pytest.raises(ValueError, match="output_padding"):
        conv_transpose_nd(x, w, **{**ok, "output_padding": (2,)})
    with pytest.raises(ValueError, match="empty"):
        conv_transpose_nd(x, w, **{**ok, "padding": (5,)})
    with pytest.raises(ValueError, match="groups"):
        conv_transpose_nd(x, w, **ok, groups=3)


def test_signal_nd_rejects_bad_arguments():
    with pytest.raises(ValueError, match="op"):
        signal_nd(np.ones(3), np.ones(2), "convolution", "full")
    with pytest.raises(ValueError, match="mode"):
        signal_nd(np.ones(3), np.ones(2), "convolve", "periodic")
    with pytest.raises(ValueError, match="same number of dims"):
        signal_nd(np.ones(3), np.ones((2, 2)), "convolve", "full")


def test_all_shapes_formula():
    """Output lengths follow the documented formulas for a sweep of small settings."""
    for n, k, s, d, lo, hi in itertools.product(
        range(1, 6), range(1, 4), (1, 2, 3), (1, 2), (0, 2), (0, 1)
    ):
        expected = (n + lo + hi - d * (k - 1) - 1) // s + 1
        if expected <= 0:
            continue
        out = conv_nd(
            np.ones((1, n)), np.ones((1, 1, k)), stride=(s,), padding=((lo, hi),), dilation=(d,)
        )
        assert out.shape == (1, expected)
