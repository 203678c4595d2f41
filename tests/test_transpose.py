"""ConvTranspose1d/2d/3d: PyTorch's signature, outputs, sizes and errors; T is Conv's T transposed."""

from __future__ import annotations

import numpy as np
import pytest
import sympy
from conftest import require_torch
from hypothesis import example, given, settings
from hypothesis import strategies as st

import symconv as sc

# (ndim, in, out, kernel, stride, padding, output_padding, groups, bias, dilation, size)
CASES = [
    (1, 1, 1, 3, 1, 0, 0, 1, False, 1, (4,)),
    (1, 2, 4, 3, 2, 1, 1, 2, True, 1, (4,)),
    (1, 2, 3, 2, 3, 0, 2, 1, True, 2, (3,)),
    (1, 3, 3, 4, 2, 2, 0, 3, True, 1, (5,)),
    (1, 1, 2, 3, 1, 1, 1, 1, True, 2, (3,)),  # output_padding >= stride, < dilation
    (1, 2, 2, 1, 3, 0, 2, 1, False, 1, (3,)),  # k = 1: output_padding positions stay zero
    (2, 2, 2, (2, 3), (2, 1), (1, 0), (1, 0), 2, True, (1, 2), (3, 3)),
    (2, 1, 3, 3, 2, 1, 0, 1, False, 1, (2, 3)),
    (2, 2, 4, (3, 1), (1, 3), (1, 0), (0, 2), 2, True, (2, 1), (2, 2)),
    (3, 2, 2, 2, (1, 2, 1), (0, 1, 0), (0, 1, 0), 1, True, 1, (2, 2, 2)),
    (3, 1, 2, (1, 2, 2), 2, 0, 1, 1, False, (1, 1, 2), (2, 1, 2)),
]


def _ours(case):
    nd, cin, cout, k, s, p, op, g, bias, dil, _size = case
    return getattr(sc, f"ConvTranspose{nd}d")(cin, cout, k, stride=s, padding=p,
                                              output_padding=op, groups=g, bias=bias,
                                              dilation=dil)


def _matching_conv(case):
    """The Conv layer whose matrix the ConvTranspose's is the transpose of (same weight)."""
    nd, cin, cout, k, s, p, _op, g, _bias, dil, _size = case
    return getattr(sc, f"Conv{nd}d")(cout, cin, k, stride=s, padding=p, dilation=dil,
                                     groups=g, bias=False)


def _torch(torch, case):
    nd, cin, cout, k, s, p, op, g, bias, dil, _size = case
    return getattr(torch.nn, f"ConvTranspose{nd}d")(
        cin, cout, k, stride=s, padding=p, output_padding=op, groups=g, bias=bias,
        dilation=dil, dtype=torch.float64,
    )


def _ints(rng, shape):
    return rng.integers(-5, 6, size=shape)


def _floats(arr):
    return np.array([float(v) for v in sympy.flatten(arr)]).reshape(arr.shape)


def _rng(case):
    return np.random.default_rng(sum(map(ord, str(case))))


# ------------------------------------------------------------ against torch


@pytest.mark.torch
@pytest.mark.parametrize("case", CASES, ids=str)
def test_output_matches_torch(torch, case):
    rng = _rng(case)
    module = _torch(torch, case)
    layer = _ours(case)
    assert layer.weight_shape == tuple(module.weight.shape)
    x = _ints(rng, (case[1], *case[-1]))
    w = _ints(rng, layer.weight_shape)
    b = _ints(rng, (case[2],)) if case[8] else None
    with torch.no_grad():
        module.weight.copy_(torch.tensor(w, dtype=torch.float64))
        if b is not None:
            module.bias.copy_(torch.tensor(b, dtype=torch.float64))
        expected = module(torch.tensor(x, dtype=torch.float64)[None])[0].numpy()
    d = layer.derive(x=x, weight=w, bias=b)
    assert d.spec.output_shape == expected.shape
    np.testing.assert_array_equal(_floats(d.output), expected)


@pytest.mark.torch
@pytest.mark.parametrize("case", CASES, ids=str)
def test_matrix_is_the_torch_jacobian(torch, case):
    rng = _rng(case)
    module = _torch(torch, case)
    w = _ints(rng, tuple(module.weight.shape))
    with torch.no_grad():
        module.weight.copy_(torch.tensor(w, dtype=torch.float64))
        if module.bias is not None:
            module.bias.zero_()
    size = (case[1], *case[-1])
    jac = torch.autograd.functional.jacobian(
        lambda v: module(v[None])[0], torch.zeros(size, dtype=torch.float64)
    ).numpy()
    jac = jac.reshape(int(np.prod(jac.shape[: len(size)])), -1)
    T = _ours(case).derive(input_size=case[-1], weight=w).matrix
    np.testing.assert_array_equal(np.array(T.tolist(), dtype=np.float64), jac)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 3),
    st.tuples(*[st.integers(1, 4)] * 5),
    st.integers(0, 3),
)
@example(nd=2, ints=(1, 4, 1, 1, 1), pad=2)  # output size 0: torch returns an empty tensor
@example(nd=1, ints=(1, 4, 1, 1, 1), pad=2)  # ... and raises in 1-D
def test_output_size_formula_matches_torch(nd, ints, pad):
    torch = require_torch()
    n, k, s, dil, op_raw = ints
    op = op_raw % max(s, dil)
    module = getattr(torch.nn, f"ConvTranspose{nd}d")(1, 1, k, stride=s, padding=pad,
                                                      output_padding=op, dilation=dil)
    layer = getattr(sc, f"ConvTranspose{nd}d")(1, 1, k, stride=s, padding=pad,
                                               output_padding=op, dilation=dil)
    expected = (n - 1) * s - 2 * pad + dil * (k - 1) + op + 1
    if expected < 1:
        with pytest.raises(ValueError, match="output size of the transposed convolution "
                                             "must be positive"):
            layer.derive(input_size=(n,) * nd)
        # torch refuses too: an error in 1-D, an empty output in 2-D and 3-D
        try:
            with torch.no_grad():
                y = module(torch.zeros((1, 1, *(n,) * nd)))
        except RuntimeError:
            return
        assert 0 in tuple(y.shape[2:])
        return
    d = layer.derive(input_size=(n,) * nd)
    with torch.no_grad():
        y = module(torch.zeros((1, 1, *(n,) * nd)))
    assert d.spec.output_shape == tuple(y.shape[1:]) == (1, *(expected,) * nd)


# ------------------------------------------------- T is the Conv's T transposed


@pytest.mark.parametrize("case", [c for c in CASES if all(
    o < s for o, s in zip(*(np.broadcast_to(v, (c[0],)) for v in (c[6], c[4])))
)], ids=str)
def test_matrix_is_the_transpose_of_the_matching_conv(case):
    d = _ours(case).derive(input_size=case[-1])
    conv = _matching_conv(case).derive(input_size=d.spec.output_shape[1:])
    # Same weight symbols: Conv(out, in) has weight (in, out/groups, *k), as ConvTranspose(in, out).
    assert conv.spec.weight_shape == d.spec.weight_shape
    assert conv.spec.output_shape == d.spec.input_shape
    assert d.matrix == conv.matrix.T
    assert d.weight == conv.weight


def test_matrix_with_output_padding_beyond_stride_is_the_conv_rows_it_reaches():
    # output_padding 1 >= stride 1 (allowed by dilation 2): the matching Conv has one more
    # output than the ConvTranspose has inputs; T is the transpose of its first rows.
    case = CASES[4]
    d = _ours(case).derive(input_size=case[-1])
    conv = _matching_conv(case).derive(input_size=d.spec.output_shape[1:])
    assert conv.spec.output_shape == (1, 4)
    assert d.spec.input_shape == (1, 3)
    Tc = conv.matrix
    assert d.matrix == Tc.extract([0, 1, 2], list(range(Tc.cols))).T


def test_seed_sized_transpose_matrix_by_hand():
    # ConvTranspose1d(1, 1, 3) on 2 inputs: y = [w0 x0, w1 x0 + w0 x1, w2 x0 + w1 x1, w2 x1].
    d = sc.ConvTranspose1d(1, 1, 3, bias=False).derive(input_size=2)
    w0, w1, w2 = sympy.symbols("w_0_0_0 w_0_0_1 w_0_0_2")
    x0, x1 = sympy.symbols("x_0_0 x_0_1")
    assert d.output.tolist() == [[w0 * x0, w1 * x0 + w0 * x1, w2 * x0 + w1 * x1, w2 * x1]]
    assert d.matrix == sympy.Matrix([[w0, 0], [w1, w0], [w2, w1], [0, w2]])


# ------------------------------------------------------------- every view


@pytest.mark.parametrize("case", CASES[:4] + CASES[6:9], ids=str)
def test_every_view_verifies_and_checks(case):
    d = _ours(case).derive(input_size=case[-1])
    proof = d.verify()
    assert proof, str(proof)
    report = d.check(trials=2, seed=5)
    assert report, str(report)
    n_out, n_in = int(np.prod(d.spec.output_shape)), int(np.prod(d.spec.input_shape))
    assert d.matrix.shape == (n_out, n_in)
    assert d.patches.shape == (n_out, int(np.prod(d.spec.weight_shape)))
    g = d.gradient()
    assert g.verify()
    assert g.check(trials=1)
    st_ = d.stats()
    assert st_.products == len(d.taps)
    assert st_.matrix_shape == (n_out, n_in)


def test_terms_of_one_output():
    d = sc.ConvTranspose1d(1, 1, 2, stride=2, bias=False).derive(input_size=2)
    # y[2] = w_0 x_1: the stride leaves one product per output.
    assert d.terms(0, 2) == [(sympy.Symbol("w_0_0_0"), sympy.Symbol("x_0_1"))]


# ------------------------------------------------------------------ errors


def test_output_padding_rule_is_pytorchs(torch):
    for op, s, dil in [(1, 1, 1), (2, 2, 1), (2, 1, 2), (3, 2, 3), (1, 2, 1), (1, 1, 2)]:
        module = torch.nn.ConvTranspose1d(1, 1, 3, stride=s, output_padding=op, dilation=dil)
        try:
            module(torch.zeros((1, 1, 4)))
            torch_ok = True
        except (RuntimeError, ValueError):
            torch_ok = False
        if torch_ok:
            sc.ConvTranspose1d(1, 1, 3, stride=s, output_padding=op, dilation=dil)
        else:
            with pytest.raises(ValueError, match=(
                r"`output_padding` must be smaller than either `stride` or `dilation` "
                rf"\(as in PyTorch\), got output_padding={op}, stride={s}, dilation={dil} "
                r"in dimension 0"
            )):
                sc.ConvTranspose1d(1, 1, 3, stride=s, output_padding=op, dilation=dil)


def test_output_padding_error_names_the_dimension():
    with pytest.raises(ValueError, match=r"got output_padding=2, stride=2, dilation=1 "
                                         r"in dimension 1"):
        sc.ConvTranspose2d(1, 1, 3, stride=2, output_padding=(1, 2))
    with pytest.raises(ValueError, match=r"`output_padding` must be >= 0, got -1"):
        sc.ConvTranspose1d(1, 1, 3, output_padding=-1)
    with pytest.raises(ValueError, match=r"`output_padding` must have 3 entries"):
        sc.ConvTranspose3d(1, 1, 3, stride=2, output_padding=(1, 1))


def test_padding_modes_other_than_zeros_are_refused(torch):
    for mode in ("reflect", "replicate", "circular"):
        with pytest.raises(ValueError, match="zeros"):
            torch.nn.ConvTranspose2d(1, 1, 3, padding_mode=mode)
        with pytest.raises(ValueError, match=(
            r"`padding_mode` of a transposed convolution must be 'zeros' \(as in PyTorch\), "
            rf"got '{mode}'"
        )):
            sc.ConvTranspose2d(1, 1, 3, padding_mode=mode)
    with pytest.raises(ValueError, match=r"`padding_mode` must be one of"):
        sc.ConvTranspose1d(1, 1, 3, padding_mode="mirror")


def test_string_padding_is_refused():
    with pytest.raises(ValueError, match=r"`padding` of a transposed convolution must be an "
                                         r"integer or a tuple, got 'same'"):
        sc.ConvTranspose1d(1, 1, 3, padding="same")


def test_wrong_weight_and_bias_shapes():
    layer = sc.ConvTranspose1d(2, 4, 3, groups=2)
    assert layer.weight_shape == (2, 2, 3)
    with pytest.raises(ValueError, match=r"`weight` must have shape \(2, 2, 3\), got shape "
                                         r"\(4, 1, 3\)"):
        layer.derive(input_size=5, weight=np.ones((4, 1, 3)))  # Conv1d(2, 4)'s layout
    with pytest.raises(ValueError, match=r"`bias` must have shape \(4,\), got shape \(2,\)"):
        layer.derive(input_size=5, bias=[1, 2])
    with pytest.raises(ValueError, match=r"`bias` was given but the layer was built with "
                                         r"bias=False"):
        sc.ConvTranspose1d(1, 1, 3, bias=False).derive(input_size=3, bias=[1])


def test_channels_and_sizes_are_validated():
    with pytest.raises(ValueError, match=r"`out_channels` \(=3\) must be divisible by "
                                         r"`groups` \(=2\)"):
        sc.ConvTranspose1d(2, 3, 3, groups=2)
    with pytest.raises(ValueError, match=r"`input_size` has 3 channels but the layer's "
                                         r"`in_channels` is 2"):
        sc.ConvTranspose1d(2, 2, 3).derive(input_size=(3, 5))
    with pytest.raises(ValueError, match=r"`x` must have shape \(in_channels=2, \*spatial\)"):
        sc.ConvTranspose1d(2, 2, 3).derive(x=np.ones((1, 5)))
    with pytest.raises(ValueError, match=r"the output size of the transposed convolution must "
                                         r"be positive, got -2 in spatial dimension 0"):
        sc.ConvTranspose1d(1, 1, 1, padding=2).derive(input_size=2)
    with pytest.raises(ValueError, match=r"`stride` must be positive, got 0"):
        sc.ConvTranspose1d(1, 1, 3, stride=0)
