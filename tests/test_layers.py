"""Layer style (Conv1d/2d/3d) against PyTorch: outputs, the Jacobian, im2col."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import sympy

import symconv as sc

# (ndim, in, out, kernel, stride, padding, dilation, groups, bias, padding_mode, size)
CASES = [
    (1, 1, 1, 3, 1, 0, 1, 1, False, "zeros", (7,)),
    (1, 2, 4, 3, 2, 1, 1, 2, True, "zeros", (8,)),
    (1, 3, 3, 2, 1, "same", 2, 3, True, "reflect", (6,)),
    (1, 1, 2, 4, 1, "same", 1, 1, True, "zeros", (6,)),
    (1, 2, 2, 3, 3, 2, 2, 1, False, "circular", (5,)),
    (1, 1, 1, 3, 1, 2, 1, 1, True, "replicate", (4,)),
    (2, 1, 2, 3, 1, 1, 1, 1, True, "zeros", (4, 5)),
    (2, 2, 4, (2, 3), (2, 1), (1, 0), (1, 2), 2, True, "reflect", (5, 6)),
    (2, 3, 2, 3, 2, "valid", 1, 1, False, "zeros", (7, 6)),
    (2, 2, 2, (3, 2), 1, "same", (2, 1), 2, True, "circular", (4, 4)),
    (2, 1, 1, 2, 1, 1, 1, 1, False, "replicate", (3, 3)),
    (3, 1, 2, 2, 1, 1, 1, 1, True, "zeros", (3, 3, 3)),
    (3, 2, 2, (1, 2, 3), (1, 2, 1), (0, 1, 1), 1, 2, False, "reflect", (2, 4, 4)),
]


def _torch_layer(torch, case):
    nd, cin, cout, k, s, p, dil, g, bias, pm, _ = case
    cls = getattr(torch.nn, f"Conv{nd}d")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's note on 'same' with even kernels
        return cls(cin, cout, k, stride=s, padding=p, dilation=dil, groups=g, bias=bias,
                   padding_mode=pm, dtype=torch.float64)


def _ours(case):
    nd, cin, cout, k, s, p, dil, g, bias, pm, _ = case
    cls = getattr(sc, f"Conv{nd}d")
    return cls(cin, cout, k, stride=s, padding=p, dilation=dil, groups=g, bias=bias,
               padding_mode=pm)


def _ints(rng, shape):
    return rng.integers(-4, 5, shape).astype(np.float64)


@pytest.mark.torch
@pytest.mark.parametrize("case", CASES, ids=str)
def test_numeric_output_matches_torch(torch, case):
    rng = np.random.default_rng(abs(hash(str(case))) % 2**32)
    tl = _torch_layer(torch, case)
    x = _ints(rng, (case[1], *case[-1]))
    with torch.no_grad():
        tl.weight.copy_(torch.from_numpy(_ints(rng, tuple(tl.weight.shape))))
        if tl.bias is not None:
            tl.bias.copy_(torch.from_numpy(_ints(rng, tuple(tl.bias.shape))))
        ref = tl(torch.from_numpy(x)[None])[0].numpy()
    b = None if tl.bias is None else tl.bias.detach().numpy().astype(int)
    d = _ours(case).derive(x=x.astype(int), weight=tl.weight.detach().numpy().astype(int), bias=b)
    assert d.output.shape == ref.shape
    np.testing.assert_array_equal(np.array(d.output.tolist(), dtype=np.float64), ref)


@pytest.mark.torch
@pytest.mark.parametrize("case", CASES, ids=str)
def test_matrix_is_the_torch_jacobian(torch, case):
    rng = np.random.default_rng(7)
    tl = _torch_layer(torch, case)
    w = _ints(rng, tuple(tl.weight.shape))
    with torch.no_grad():
        tl.weight.copy_(torch.from_numpy(w))
    size = (case[1], *case[-1])
    jac = torch.autograd.functional.jacobian(lambda v: tl(v.reshape(1, *size)).reshape(-1),
                                             torch.zeros(int(np.prod(size)), dtype=torch.float64))
    d = _ours(case).derive(input_size=case[-1], weight=w.astype(int))
    T = np.array(d.matrix.tolist(), dtype=np.float64)
    np.testing.assert_array_equal(T, jac.numpy())


@pytest.mark.torch
@pytest.mark.parametrize("case", [c for c in CASES if c[0] == 2 and c[7] == 1 and c[9] == "zeros"],
                         ids=str)
def test_patches_are_torch_unfold(torch, case):
    """P (im2col) is torch.nn.functional.unfold of the input, transposed."""
    nd, cin, cout, k, s, p, dil, g, bias, pm, size = case
    d = _ours(case).derive(input_size=size)
    x = np.arange(1, cin * size[0] * size[1] + 1, dtype=np.float64).reshape(cin, *size)
    pad = d.spec.padding
    xt = torch.nn.functional.pad(torch.from_numpy(x)[None],
                                 [q for lohi in reversed(pad) for q in lohi])
    cols = torch.nn.functional.unfold(xt, d.spec.kernel_size, dilation=dil, stride=s)[0].numpy()
    subs = dict(zip(np.array(d.input.tolist(), dtype=object).ravel(), x.ravel()))
    P = np.array(d.patches.xreplace(subs).tolist(), dtype=np.float64)
    # One output channel's rows: (positions, cin*kh*kw); torch: (cin*kh*kw, positions).
    n_pos = int(np.prod(d.spec.out_size))
    k_per_out = cin * int(np.prod(d.spec.kernel_size))
    np.testing.assert_array_equal(P[:n_pos, :k_per_out], cols.T)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_symbolic_verify_and_check(case):
    d = _ours(case).derive(input_size=case[-1])
    assert d.verify()
    assert d.check(trials=2)


def test_derive_mixed_values_keeps_given_numbers():
    w = sympy.Symbol("w")
    d = sc.Conv1d(1, 1, 2, bias=False).derive(x=[[1, 2, 3]], weight=[[[w, 2]]])
    assert d.output.tolist() == [[w + 4, 2 * w + 6]]


def test_symbol_names_follow_symarray():
    d = sc.Conv2d(2, 3, 2, groups=1).derive(input_size=(3, 3))
    assert str(d.input[1, 2, 0]) == "x_1_2_0"
    assert str(d.weight[2, 1, 0, 1]) == "w_2_1_0_1"
    assert [str(b) for b in d.bias] == ["b_0", "b_1", "b_2"]
    assert d.weight.shape == (3, 2, 2, 2) and d.output.shape == (3, 2, 2)


def test_input_size_may_include_channels_and_x_alone_suffices():
    a = sc.Conv2d(2, 1, 3).derive(input_size=(2, 5, 5))
    b = sc.Conv2d(2, 1, 3).derive(input_size=(5, 5))
    assert a.spec == b.spec
    c = sc.Conv1d(1, 1, 2).derive(x=[[1, 2, 3]])
    assert c.spec.in_size == (3,)


def test_layer_repr_and_attributes():
    layer = sc.Conv2d(4, 8, 3, stride=2, padding=1, groups=2, bias=False)
    assert layer.kernel_size == (3, 3) and layer.stride == (2, 2) and layer.padding == (1, 1)
    assert layer.weight_shape == (8, 2, 3, 3)
    assert repr(layer) == ("Conv2d(4, 8, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), "
                           "groups=2, bias=False)")
