"""The backward pass: exact gradients against torch autograd, scipy, the seed and the adjoint law."""

from __future__ import annotations

import dataclasses
import json
import warnings
from pathlib import Path

import numpy as np
import pytest
import scipy.signal
import sympy
from conftest import require_torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy.parsing.sympy_parser import parse_expr

import symconv as sc
from symconv.checks._reference import conv_nd, conv_transpose_nd

SEED = json.loads((Path(__file__).parent / "data" / "seed.json").read_text())


def _floats(arr) -> np.ndarray:
    """A SymPy Array of numbers as a float64 NumPy array of the same shape."""
    return np.array([float(v) for v in sympy.flatten(arr)], dtype=np.float64).reshape(arr.shape)


def _ints(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    return rng.integers(-5, 6, size=shape)


def _parse(text: str) -> sympy.Expr:
    # The seed file is part of the repository (trusted); names are bound explicitly.
    names = {f"{p}_{j}": sympy.Symbol(f"{p}_{j}") for p in "xwg" for j in range(6)}
    return parse_expr(text, local_dict=names, global_dict={"Integer": sympy.Integer,
                                                           "Symbol": sympy.Symbol})


# ------------------------------------------------------------------ the seed


def test_seed_gradients_exactly():
    sym = SEED["symbolic"]
    d = sc.correlate(sympy.symarray("x", 4), sympy.symarray("w", 3), mode="valid")
    g = d.gradient()
    assert g.output.tolist() == [sympy.Symbol("g_0"), sympy.Symbol("g_1")]
    assert g.weight.tolist() == [_parse(s) for s in sym["weight_gradient"]]
    assert g.input.tolist() == [_parse(s) for s in sym["input_gradient"]]
    assert g.bias is None
    # The wording: dL/dw_k = g_0 x_k + g_1 x_{k+1}.
    x0, x1, x2, x3, g0, g1 = sympy.symbols("x_0 x_1 x_2 x_3 g_0 g_1")
    xs = [x0, x1, x2, x3]
    assert g.weight.tolist() == [g0 * xs[k] + g1 * xs[k + 1] for k in range(3)]


def test_seed_gradients_numeric_hand_values():
    # y = [38, 56] for x = [1, 2, 3, 4], w = [5, 6, 7]; with g = [1, 1]:
    # dL/dw_k = x_k + x_{k+1} = [3, 5, 7]; dL/dx = [w0, w1 + w0, w2 + w1, w2] = [5, 11, 13, 7].
    g = sc.correlate(SEED["x"], SEED["w"], mode="valid").gradient(grad_output=[1, 1])
    assert g.weight.tolist() == [3, 5, 7]
    assert g.input.tolist() == [5, 11, 13, 7]
    g = sc.correlate(SEED["x"], SEED["w"], mode="valid").gradient(grad_output=[2, -1])
    assert g.weight.tolist() == [2 * 1 - 2, 2 * 2 - 3, 2 * 3 - 4]
    assert g.input.tolist() == [10, 12 - 5, 14 - 6, -7]


def test_seed_tied_sums_and_structural_zeros():
    d = sc.correlate(sympy.symarray("x", 4), sympy.symarray("w", 3), mode="valid")
    g = d.gradient()
    # T = [[w0, w1, w2, 0], [0, w0, w1, w2]]: zeros at (0, 3) and (1, 0).
    assert g.structural_zeros.tolist() == [[False, False, False, True],
                                           [True, False, False, False]]
    G = g.dense
    g0, g1 = sympy.symbols("g_0 g_1")
    xs = sympy.symbols("x_0:4")
    assert G == sympy.Matrix([[g0 * x for x in xs], [g1 * x for x in xs]])
    groups = g.tie_groups()
    assert [grp.index for grp in groups] == [(0,), (1,), (2,)]
    assert [grp.weight for grp in groups] == list(sympy.symbols("w_0:3"))
    assert [list(zip(grp.rows.tolist(), grp.cols.tolist())) for grp in groups] == [
        [(0, 0), (1, 1)], [(0, 1), (1, 2)], [(0, 2), (1, 3)]
    ]
    for grp in groups:
        assert sum(G[r, c] for r, c in zip(grp.rows, grp.cols)) == g.weight[grp.index]
    # The structural zeros belong to no tie group: their gradient is discarded.
    covered = {(r, c) for grp in groups for r, c in zip(grp.rows.tolist(), grp.cols.tolist())}
    assert covered.isdisjoint({(0, 3), (1, 0)})
    assert len(covered) == 6


# ------------------------------------------------------ layers vs torch autograd

# (ndim, in, out, kernel, stride, padding, dilation, groups, bias, padding_mode, size)
CONV_CASES = [
    (1, 1, 1, 3, 1, 0, 1, 1, False, "zeros", (6,)),
    (1, 2, 4, 3, 2, 1, 1, 2, True, "zeros", (8,)),
    (1, 3, 3, 2, 1, "same", 2, 3, True, "reflect", (6,)),
    (1, 1, 2, 4, 1, "same", 1, 1, True, "zeros", (6,)),
    (1, 2, 2, 3, 3, 2, 2, 1, False, "circular", (5,)),
    (1, 1, 1, 3, 1, 2, 1, 1, True, "replicate", (4,)),
    (1, 2, 2, 2, 3, "valid", 1, 2, True, "zeros", (7,)),
    (2, 1, 2, 3, 1, 1, 1, 1, True, "zeros", (4, 5)),
    (2, 2, 4, (2, 3), (2, 1), (1, 0), (1, 2), 2, True, "reflect", (5, 6)),
    (2, 2, 2, (3, 2), 1, "same", (2, 1), 2, True, "circular", (4, 4)),
    (2, 1, 1, 2, 2, 1, 1, 1, False, "replicate", (3, 4)),
    (3, 1, 2, 2, 1, 1, 1, 1, True, "zeros", (3, 3, 3)),
    (3, 2, 2, (1, 2, 3), (1, 2, 1), (0, 1, 1), 1, 2, False, "reflect", (2, 4, 4)),
]

# (ndim, in, out, kernel, stride, padding, output_padding, groups, bias, dilation, size)
TRANSPOSE_CASES = [
    (1, 1, 1, 3, 1, 0, 0, 1, False, 1, (4,)),
    (1, 2, 4, 3, 2, 1, 1, 2, True, 1, (4,)),
    (1, 2, 3, 2, 3, 0, 2, 1, True, 2, (3,)),
    (1, 1, 2, 3, 1, 1, 1, 1, True, 2, (3,)),  # output_padding >= stride (allowed by dilation)
    (2, 2, 2, (2, 3), (2, 1), (1, 0), (1, 0), 2, True, (1, 2), (3, 3)),
    (2, 1, 3, 3, 2, 1, 0, 1, False, 1, (2, 3)),
    (3, 2, 2, 2, (1, 2, 1), (0, 1, 0), (0, 1, 0), 1, True, 1, (2, 2, 2)),
]


def _torch_conv(torch, case):
    nd, cin, cout, k, s, p, dil, g, bias, pm, _size = case
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's note on 'same' with even kernels
        return getattr(torch.nn, f"Conv{nd}d")(
            cin, cout, k, stride=s, padding=p, dilation=dil, groups=g, bias=bias,
            padding_mode=pm, dtype=torch.float64,
        )


def _torch_transpose(torch, case):
    nd, cin, cout, k, s, p, op, g, bias, dil, _size = case
    return getattr(torch.nn, f"ConvTranspose{nd}d")(
        cin, cout, k, stride=s, padding=p, output_padding=op, groups=g, bias=bias,
        dilation=dil, dtype=torch.float64,
    )


def _ours_conv(case):
    nd, cin, cout, k, s, p, dil, g, bias, pm, _size = case
    return getattr(sc, f"Conv{nd}d")(cin, cout, k, stride=s, padding=p, dilation=dil,
                                     groups=g, bias=bias, padding_mode=pm)


def _ours_transpose(case):
    nd, cin, cout, k, s, p, op, g, bias, dil, _size = case
    return getattr(sc, f"ConvTranspose{nd}d")(cin, cout, k, stride=s, padding=p,
                                              output_padding=op, groups=g, bias=bias,
                                              dilation=dil)


def _autograd(torch, module, x, g):
    """torch's (x.grad, weight.grad, bias.grad) for the loss sum(y * g)."""
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y = module(xt[None])[0]
    (y * torch.tensor(g, dtype=torch.float64)).sum().backward()
    gb = None if module.bias is None else module.bias.grad.numpy()
    return xt.grad.numpy(), module.weight.grad.numpy(), gb


def _compare_with_torch(torch, layer, module, case, rng):
    x = _ints(rng, (case[1], *case[-1]))
    w = _ints(rng, tuple(module.weight.shape))
    b = None if module.bias is None else _ints(rng, tuple(module.bias.shape))
    with torch.no_grad():
        module.weight.copy_(torch.tensor(w, dtype=torch.float64))
        if b is not None:
            module.bias.copy_(torch.tensor(b, dtype=torch.float64))
    d = layer.derive(x=x, weight=w, bias=b)
    gout = _ints(rng, d.spec.output_shape)
    gr = d.gradient(grad_output=gout)
    tx, tw, tb = _autograd(torch, module, x.astype(np.float64), gout.astype(np.float64))
    np.testing.assert_array_equal(_floats(gr.output), gout)
    np.testing.assert_array_equal(_floats(gr.input), tx)
    np.testing.assert_array_equal(_floats(gr.weight), tw)
    if tb is None:
        assert gr.bias is None
    else:
        np.testing.assert_array_equal(_floats(gr.bias), tb)


@pytest.mark.torch
@pytest.mark.parametrize("case", CONV_CASES, ids=str)
def test_conv_gradients_match_torch_autograd(torch, case):
    rng = np.random.default_rng(sum(map(ord, str(case))))
    _compare_with_torch(torch, _ours_conv(case), _torch_conv(torch, case), case, rng)


@pytest.mark.torch
@pytest.mark.parametrize("case", TRANSPOSE_CASES, ids=str)
def test_transpose_gradients_match_torch_autograd(torch, case):
    rng = np.random.default_rng(sum(map(ord, str(case))))
    _compare_with_torch(torch, _ours_transpose(case), _torch_transpose(torch, case), case, rng)


@pytest.mark.parametrize("case", CONV_CASES[:7] + CONV_CASES[8:11], ids=str)
def test_symbolic_conv_gradient_verifies_and_checks(case):
    g = _ours_conv(case).derive(input_size=case[-1]).gradient()
    proof = g.verify()
    assert proof, str(proof)
    assert len(proof.results) == (6 if case[8] else 5)
    report = g.check(trials=2, seed=1)
    assert report, str(report)


@pytest.mark.parametrize("case", TRANSPOSE_CASES[:6], ids=str)
def test_symbolic_transpose_gradient_verifies_and_checks(case):
    g = _ours_transpose(case).derive(input_size=case[-1]).gradient()
    proof = g.verify()
    assert proof, str(proof)
    assert "Conv" in proof.results[1].statement
    report = g.check(trials=2, seed=2)
    assert report, str(report)


def test_conv_input_gradient_is_the_matching_conv_transpose():
    d = sc.Conv1d(2, 4, 3, stride=2, padding=1, groups=2).derive(input_size=8)
    proof = d.gradient().verify()
    assert proof.results[1].statement.startswith(
        "dL/dx = ConvTranspose1d(4, 2, kernel_size=(3,), stride=(2,), padding=(1,), "
        "output_padding=(1,), groups=2, bias=False)(g)"
    )
    assert proof.results[1].holds


def test_check_mentions_torch_and_numpy(torch):
    report = sc.Conv1d(1, 2, 2).derive(input_size=4).gradient().check()
    refs = {c.reference for c in report.comparisons}
    assert refs == {"NumPy reference, Jacobian^T g", "torch.autograd"}
    assert {c.view for c in report.comparisons} == {"dL/dx", "dL/dw", "dL/db"}


# ------------------------------------------------------ signals vs scipy.signal

SIGNAL_CASES = [
    (op, mode, n, k)
    for op in ("convolve", "correlate")
    for mode in ("full", "valid", "same")
    for n, k in [((5,), (3,)), ((5,), (2,)), ((3,), (5,)), ((4, 3), (2, 2)), ((3, 4), (3, 2))]
]


def _scipy_vjp(op, mode, x, w, g):
    """J^T g of scipy.signal.<op> from its Jacobian columns on unit vectors."""
    fn = getattr(scipy.signal, op)

    def vjp(f, shape):
        out = np.zeros(int(np.prod(shape)))
        for j in range(out.size):
            e = np.zeros(out.size)
            e[j] = 1.0
            out[j] = np.sum(f(e.reshape(shape)) * g)
        return out.reshape(shape)

    return (vjp(lambda e: fn(e, w, mode=mode, method="direct"), x.shape),
            vjp(lambda e: fn(x, e, mode=mode, method="direct"), w.shape))


@pytest.mark.parametrize(("op", "mode", "n", "k"), SIGNAL_CASES)
def test_signal_gradients_match_scipy(op, mode, n, k):
    rng = np.random.default_rng(len(n) * 100 + n[0] * 10 + k[0])
    x, w = _ints(rng, n), _ints(rng, k)
    d = getattr(sc, op)(x, w, mode=mode)
    gout = _ints(rng, d.spec.output_shape)
    gr = d.gradient(grad_output=gout)
    gx, gw = _scipy_vjp(op, mode, x.astype(float), w.astype(float), gout.astype(float))
    np.testing.assert_array_equal(_floats(gr.input), gx)
    np.testing.assert_array_equal(_floats(gr.weight), gw)


@pytest.mark.parametrize(("op", "mode", "n", "k"), SIGNAL_CASES[::2])
def test_symbolic_signal_gradient_verifies(op, mode, n, k):
    d = getattr(sc, op)(sympy.symarray("x", n), sympy.symarray("w", k), mode=mode)
    g = d.gradient()
    proof = g.verify()
    assert proof, str(proof)
    other = "correlate" if op == "convolve" else "convolve"
    assert proof.results[1].statement.startswith(f"dL/dx = {other}(g, w, mode=")
    assert g.check(trials=1), str(g.check(trials=1))


def test_signal_input_gradient_is_full_convolution_with_the_flipped_kernel():
    # dL/dx of a valid correlation = full convolution of g with w (numpy.convolve).
    x, w, gout = [1, 2, 3, 4, 5], [5, 6, 7], [1, -2, 3]
    gr = sc.correlate(x, w, mode="valid").gradient(grad_output=gout)
    assert gr.input.tolist() == np.convolve(gout, w, mode="full").tolist()
    # ... and dL/dw = valid correlation of x with g (numpy.correlate).
    assert gr.weight.tolist() == np.correlate(x, gout, mode="valid").tolist()
    proof = sc.correlate(sympy.symarray("x", 5), sympy.symarray("w", 3)).gradient().verify()
    assert proof.results[1].statement == "dL/dx = convolve(g, w, mode='full')"


def test_same_mode_with_even_kernel_needs_a_window_of_the_full_result():
    proof = sc.correlate(sympy.symarray("x", 5), sympy.symarray("w", 2), mode="same")
    result = proof.gradient().verify().results[1]
    assert result.holds
    assert result.statement == "dL/dx = convolve(g, w, mode='full')[1:6]"


# --------------------------------------------------------------- the adjoint law


@st.composite
def _layer_args(draw, bias=False):
    """Random valid layer arguments: (class name, args, kwargs, spatial input size)."""
    nd = draw(st.sampled_from([1, 2]))
    groups = draw(st.sampled_from([1, 2]))
    cin = groups * draw(st.integers(1, 2))
    cout = groups * draw(st.integers(1, 2))
    k = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    s = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    dil = tuple(draw(st.integers(1, 2)) for _ in range(nd))
    p = tuple(draw(st.integers(0, 2)) for _ in range(nd))
    kw = {"stride": s, "padding": p, "dilation": dil, "groups": groups,
          "bias": draw(st.booleans()) if bias else False}
    if draw(st.booleans()):
        kw["output_padding"] = tuple(
            draw(st.integers(0, max(si, di) - 1)) for si, di in zip(s, dil)
        )
        size = tuple(draw(st.integers(max(1, pi), 4)) for pi in p)
        return f"ConvTranspose{nd}d", (cin, cout, k), kw, size
    kw["padding_mode"] = draw(st.sampled_from(["zeros", "reflect", "replicate", "circular"]))
    size = tuple(
        draw(st.integers(max(pi + 1, di * (ki - 1) + 1 - 2 * pi, 1), 6))
        for pi, di, ki in zip(p, dil, k)
    )
    return f"Conv{nd}d", (cin, cout, k), kw, size


@st.composite
def _layers(draw):
    name, args, kw, size = draw(_layer_args())
    return getattr(sc, name)(*args, **kw), size


@settings(max_examples=40, deadline=None)
@given(_layer_args(bias=True), st.integers(0, 2**32 - 1))
def test_random_layers_match_torch_autograd(layer_args, seed):
    torch = require_torch()
    name, args, kw, size = layer_args
    layer = getattr(sc, name)(*args, **kw)
    try:
        layer.derive(input_size=size)
    except ValueError:  # transposed output size not positive
        return
    module = getattr(torch.nn, name)(*args, **kw, dtype=torch.float64)
    case = (None, args[0], *(None,) * 8, size)
    _compare_with_torch(torch, layer, module, case, np.random.default_rng(seed))


@settings(max_examples=40, deadline=None)
@given(_layers(), st.integers(0, 2**32 - 1))
def test_adjoint_identity(layer_size, seed):
    """<T x, g> = <x, T^T g> = <w, dL/dw> for integer data, exactly."""
    layer, size = layer_size
    try:
        shape = layer.derive(input_size=size).spec
    except ValueError:  # transposed output size not positive
        return
    rng = np.random.default_rng(seed)
    x = _ints(rng, shape.input_shape)
    w = _ints(rng, shape.weight_shape)
    gout = _ints(rng, shape.output_shape)
    d = layer.derive(x=x, weight=w)
    gr = d.gradient(grad_output=gout)
    tx_g = sum(int(a) * int(b) for a, b in zip(sympy.flatten(d.output), gout.reshape(-1)))
    x_tg = sum(int(a) * int(b) for a, b in zip(x.reshape(-1), sympy.flatten(gr.input)))
    w_gw = sum(int(a) * int(b) for a, b in zip(w.reshape(-1), sympy.flatten(gr.weight)))
    assert tx_g == x_tg == w_gw


# --------------------------------------------------------- the tied-weight story


TIE_CASES = [CONV_CASES[i] for i in (0, 1, 2, 4, 5, 8, 9)]


@pytest.mark.parametrize("case", TIE_CASES, ids=str)
def test_tie_groups_are_the_reference_jacobian_of_each_weight(case):
    """Group k = nonzero entries of dy/dx when w = e_k (the NumPy oracle); zeros = none."""
    groups, pm, size = case[7], case[9], case[10]
    d = _ours_conv(case).derive(input_size=size)
    g = d.gradient()
    spec = d.spec

    def jacobian(w):
        n_in = int(np.prod(spec.input_shape))
        cols = []
        for j in range(n_in):
            e = np.zeros(n_in)
            e[j] = 1.0
            cols.append(conv_nd(e.reshape(spec.input_shape), w, stride=spec.stride,
                                padding=spec.padding, dilation=spec.dilation, groups=groups,
                                padding_mode=pm).reshape(-1))
        return np.stack(cols, axis=1)

    n_w = int(np.prod(spec.weight_shape))
    groups_found = g.tie_groups()
    assert len(groups_found) == n_w
    for j, grp in enumerate(groups_found):
        e = np.zeros(n_w)
        e[j] = 1.0
        rows, cols = np.nonzero(jacobian(e.reshape(spec.weight_shape)))
        assert grp.index == np.unravel_index(j, spec.weight_shape)
        assert grp.weight == d.weight[grp.index]
        assert sorted(zip(rows.tolist(), cols.tolist())) == sorted(
            zip(grp.rows.tolist(), grp.cols.tolist())
        )
    ones = jacobian(np.ones(spec.weight_shape))
    np.testing.assert_array_equal(g.structural_zeros, ones == 0)
    proof = g.verify()
    assert proof, str(proof)


def test_folded_padding_puts_one_position_in_several_groups():
    # Replicate padding: T[0, 0] = w_0 + w_1 for Conv1d(1, 1, 3, padding=1).
    d = sc.Conv1d(1, 1, 3, padding=1, padding_mode="replicate", bias=False).derive(input_size=3)
    g = d.gradient()
    holders = [grp.index for grp in g.tie_groups()
               if any(r == 0 and c == 0 for r, c in zip(grp.rows, grp.cols))]
    assert holders == [(0, 0, 0), (0, 0, 1)]
    assert d.matrix[0, 0] == sympy.Symbol("w_0_0_0") + sympy.Symbol("w_0_0_1")
    G = g.dense
    for grp in g.tie_groups():
        assert sympy.expand(sum(G[r, c] for r, c in zip(grp.rows, grp.cols))
                            - g.weight[grp.index]) == 0


def test_dense_is_the_outer_product_and_is_guarded():
    rng = np.random.default_rng(3)
    x = _ints(rng, (1, 4, 3))
    d = sc.Conv2d(1, 2, 2, bias=False).derive(x=x)
    gout = _ints(rng, d.spec.output_shape)
    G = d.gradient(grad_output=gout).dense
    np.testing.assert_array_equal(np.array(G.tolist(), dtype=np.int64),
                                  np.outer(gout.reshape(-1), x.reshape(-1)))
    big = sc.Conv2d(1, 1, 3).derive(input_size=(32, 32)).gradient()
    with pytest.raises(ValueError, match=r"dense gradient G = g x\^T would have 921,600 "
                                         r"entries \(900 x 1,024; limit 250,000\): use "
                                         r"tie_groups\(\) and structural_zeros"):
        _ = big.dense
    assert big.structural_zeros.shape == (900, 1024)
    assert int((~big.structural_zeros).sum()) == 900 * 9


def test_tie_group_is_frozen_and_read_only():
    grp = sc.correlate([1, 2, 3], [1, 1]).gradient().tie_groups()[0]
    assert isinstance(grp, sc.TieGroup)
    assert grp.count == 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        grp.rows = np.zeros(2)  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        grp.rows[0] = 5


# ------------------------------------------------------------ bias, grad_output


def test_bias_gradient_is_the_channel_sum_of_g():
    rng = np.random.default_rng(4)
    d = sc.Conv2d(1, 3, 2).derive(input_size=(3, 4))
    gout = _ints(rng, d.spec.output_shape)
    gr = d.gradient(grad_output=gout)
    assert gr.bias.tolist() == gout.sum(axis=(1, 2)).tolist()
    sym = d.gradient().bias
    assert sym[1] == sum(sympy.symbols("g_1_0:2_0:3"))


def test_grad_output_may_hold_expressions():
    a = sympy.Symbol("a")
    d = sc.correlate([1, 2, 3], [1, 1])
    gr = d.gradient(grad_output=[a, 2 * a])
    assert gr.input.tolist() == [a, 3 * a, 2 * a]
    assert gr.weight.tolist() == [5 * a, 8 * a]
    assert gr.verify()


def test_grad_output_is_validated():
    d = sc.Conv1d(1, 1, 3).derive(input_size=5)
    with pytest.raises(ValueError, match=r"`grad_output` must have the shape of the output, "
                                         r"\(1, 3\), got shape \(3,\)"):
        d.gradient(grad_output=[1, 2, 3])
    with pytest.raises(ValueError, match=r"`grad_output` must have the shape of the output, "
                                         r"\(1, 3\), got shape \(1, 4\)"):
        d.gradient(grad_output=[[1, 2, 3, 4]])
    with pytest.raises(TypeError, match=r"`grad_output` must be numbers or SymPy expressions, "
                                        r"got text '1, 2, 3'"):
        d.gradient(grad_output="1, 2, 3")
    with pytest.raises(TypeError, match=r"`grad_output` must be numbers or SymPy expressions, "
                                        r"got text such as .*'g'"):
        d.gradient(grad_output=[["g", "h", "i"]])
    with pytest.raises(ValueError, match=r"`grad_output` must be a rectangular array"):
        d.gradient(grad_output=[[1, 2], [3]])


def test_check_arguments_are_validated():
    g = sc.correlate([1, 2], [1]).gradient()
    with pytest.raises(ValueError, match=r"`trials` must be positive, got 0"):
        g.check(trials=0)
    with pytest.raises(TypeError, match=r"`seed` must be an integer, got 'x'"):
        g.check(seed="x")


# ------------------------------------------------------ the proofs can fail


def test_verify_and_check_catch_a_wrong_input_gradient():
    g = sc.Conv1d(1, 1, 3).derive(input_size=4).gradient()
    wrong = list(g._input_flat)
    wrong[1] = wrong[1] + sympy.Symbol("g_0_0") * sympy.Symbol("w_0_0_2")
    g.__dict__["_input_flat"] = wrong
    proof = g.verify()
    assert not proof
    assert [r.holds for r in proof.results] == [False, False, True, True, True, True]
    assert "FAILS" in str(proof.results[0])
    assert not g.check(trials=1)


def test_verify_and_check_catch_a_wrong_weight_gradient():
    g = sc.correlate(sympy.symarray("x", 4), sympy.symarray("w", 3)).gradient()
    wrong = list(g._weight_flat)
    wrong[2] = 2 * wrong[2]
    g.__dict__["_weight_flat"] = wrong
    proof = g.verify()
    # the tie-group sum and the chain rule (independent of the grouping) both catch it
    assert [r.holds for r in proof.results] == [True, True, False, False, True]
    assert "entry 2" in str(proof)
    report = g.check(trials=1)
    assert [c.agree for c in report.comparisons if c.view == "dL/dw"] == [False] * len(
        [c for c in report.comparisons if c.view == "dL/dw"]
    )


def test_verify_catches_wrong_tie_groups(monkeypatch):
    g = sc.correlate(sympy.symarray("x", 4), sympy.symarray("w", 3)).gradient()
    good = g.tie_groups()
    swapped = [good[1], good[0], good[2]]
    monkeypatch.setattr(type(g), "tie_groups", lambda self: swapped)
    proof = g.verify()
    assert not proof.results[2].holds and not proof.results[4].holds
    assert proof.results[3].holds  # the chain rule does not use the tie groups


def test_verify_catches_wrong_bias_gradient():
    g = sc.Conv1d(1, 2, 2).derive(input_size=3).gradient()
    g.__dict__["_bias_flat"] = [sympy.Symbol("g_0_0"), sympy.Symbol("g_1_0")]
    proof = g.verify()
    assert not proof.results[5].holds


def test_transpose_reference_gradients_use_the_oracle():
    # The numeric reference of a ConvTranspose gradient is the oracle's VJP.
    d = sc.ConvTranspose1d(1, 1, 2, stride=2).derive(x=[[1, 2]], weight=[[[3, 4]]])
    gr = d.gradient(grad_output=[[1, 0, 0, 1]])
    y = conv_transpose_nd(np.array([[1.0, 2.0]]), np.array([[[3.0, 4.0]]]), stride=(2,),
                          padding=(0,), output_padding=(0,), dilation=(1,))
    assert y.tolist() == [[3.0, 4.0, 6.0, 8.0]]
    # y = [3 x0, 4 x0, 3 x1, 4 x1]: dL/dx = [3 g0 + 4 g1, 3 g2 + 4 g3] = [3, 4]
    assert gr.input.tolist() == [[3, 4]]
    # dL/dw = [x0 g0 + x1 g2, x0 g1 + x1 g3] = [1, 2]
    assert gr.weight.tolist() == [[[1, 2]]]
    assert gr.bias.tolist() == [2]


def test_repr():
    g = sc.correlate([1, 2, 3], [1, 1]).gradient()
    assert repr(g).startswith("<Gradient of <Derivation correlate(mode='valid')")
    assert repr(g).endswith("dL/dy (2,) -> dL/dx (3,), dL/dw (2,)>")


def test_float_data_verify_and_check():
    # Floating-point coefficients may be summed in another order: compared to 1e-12.
    d = sc.correlate([0.1, 0.2, 0.7, 0.3], sympy.symarray("w", 2))
    gr = d.gradient(grad_output=[0.3, 0.1, 0.2])
    assert gr.verify(), str(gr.verify())
    assert gr.check(), str(gr.check())
    np.testing.assert_allclose([float(v) for v in gr.weight],
                               np.correlate([0.1, 0.2, 0.7, 0.3], [0.3, 0.1, 0.2], "valid"),
                               rtol=1e-12)


def test_repeated_symbols_are_compared_by_expansion():
    # x and w share a symbol: products such as a**2 are not monomials of distinct symbols.
    a, b = sympy.symbols("a b")
    gr = sc.correlate([a, b], [a]).gradient()
    assert gr.weight.tolist() == [sympy.Symbol("g_0") * a + sympy.Symbol("g_1") * b]
    proof = gr.verify()
    assert proof, str(proof)
    assert all(r.holds for r in proof.results)


def test_structural_zero_mask_is_guarded(monkeypatch):
    import symconv.backward._gradients as grads

    monkeypatch.setattr(grads, "MASK_LIMIT", 100)
    g = sc.correlate([1] * 12, [1, 1]).gradient()
    with pytest.raises(ValueError, match=r"structural-zero mask would have 132 entries "
                                         r"\(11 x 12; limit 100\): use tie_groups\(\)"):
        _ = g.structural_zeros
