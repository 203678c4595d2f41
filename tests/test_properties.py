"""Laws checked with hypothesis: output size, tie counts, the adjoint identity."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import symconv as sc
from symconv.checks import _reference

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def layers(draw, max_dim=2):
    nd = draw(st.integers(1, max_dim))
    g = draw(st.integers(1, 2))
    cin, cout = g * draw(st.integers(1, 2)), g * draw(st.integers(1, 2))
    k = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    s = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    dil = tuple(draw(st.integers(1, 2)) for _ in range(nd))
    mode = draw(st.sampled_from(["zeros", "reflect", "replicate", "circular"]))
    size = tuple(draw(st.integers(3, 6)) for _ in range(nd))
    pad = tuple(draw(st.integers(0, 2)) for _ in range(nd))
    cls = getattr(sc, f"Conv{nd}d")
    layer = cls(cin, cout, k, stride=s, padding=pad, dilation=dil, groups=g, padding_mode=mode)
    return layer, size


def _dense_T(layer, size, w):
    """T column by column from the independent NumPy reference (unit inputs)."""
    p = layer.params
    shape = (p.in_channels, *size)
    cols = []
    for j in range(int(np.prod(shape))):
        e = np.zeros(int(np.prod(shape)))
        e[j] = 1
        y = _reference.conv_nd(e.reshape(shape), w, None, stride=p.stride,
                               padding=[(q, q) for q in p.padding], dilation=p.dilation,
                               groups=p.groups, padding_mode=p.padding_mode)
        cols.append(y.ravel())
    return np.stack(cols, axis=1)


@SETTINGS
@given(layers())
def test_output_size_formula(case):
    layer, size = case
    p = layer.params
    try:
        d = layer.derive(input_size=size)
    except ValueError:
        return  # kernel larger than the padded input, or padding too large for the mode
    expect = tuple((n + 2 * q - dl * (k - 1) - 1) // s + 1
                   for n, q, dl, k, s in zip(size, p.padding, p.dilation, p.kernel_size, p.stride))
    assert d.spec.out_size == expect
    ref = _reference.conv_nd(np.zeros((p.in_channels, *size)), np.zeros(layer.weight_shape),
                             stride=p.stride, padding=[(q, q) for q in p.padding],
                             dilation=p.dilation, groups=p.groups, padding_mode=p.padding_mode)
    assert d.spec.output_shape == ref.shape


@SETTINGS
@given(layers())
def test_tie_counts_and_structural_zeros(case):
    """Weight k occupies as many entries of T as T(e_k) has non-zeros (NumPy reference)."""
    layer, size = case
    try:
        d = layer.derive(input_size=size)
    except ValueError:
        return
    st_ = d.stats()
    n_w = int(np.prod(layer.weight_shape))
    support = np.zeros(st_.matrix_shape, dtype=bool)
    for k in range(n_w):
        e = np.zeros(n_w)
        e[k] = 1
        Tk = _dense_T(layer, size, e.reshape(layer.weight_shape))
        assert st_.tie_counts.ravel()[k] == np.count_nonzero(Tk)
        support |= Tk != 0
    assert st_.nonzeros == np.count_nonzero(support)
    assert st_.structural_zeros == support.size - np.count_nonzero(support)
    assert st_.products == int(st_.tie_counts.sum())


@SETTINGS
@given(layers(), st.integers(0, 2**32 - 1))
def test_adjoint_identity(case, seed):
    """<T x, g> = <x, T^T g> with T from symconv and both sides from the NumPy reference."""
    layer, size = case
    try:
        d = layer.derive(input_size=size)
    except ValueError:
        return
    rng = np.random.default_rng(seed)
    w = rng.integers(-3, 4, layer.weight_shape)
    d = layer.derive(input_size=size, weight=w)
    T = np.array(d.matrix.tolist(), dtype=np.float64)
    x = rng.integers(-3, 4, T.shape[1]).astype(float)
    g = rng.integers(-3, 4, T.shape[0]).astype(float)
    np.testing.assert_array_equal(T, _dense_T(layer, size, w))
    assert (T @ x) @ g == x @ (T.T @ g)
