"""The tap table against PyTorch and SciPy: every product, every order and dtype rule.

Outputs accumulated from the taps (``np.add.at``) must equal
``torch.nn.functional`` on random layer configurations -- groups, stride,
dilation, asymmetric padding, every padding mode, transposed layers -- and
``scipy.signal`` for signal-style specs.  The sparsity pattern of T
(``entries``) must equal the non-zero pattern of torch's Jacobian.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import scipy.signal

import symconv as sc
from symconv.boundary._spec import conv_out_size
from symconv.checks import _reference
from symconv.core._taps import TapTable, build_taps, count_taps, forward_taps, index_dtype

TORCH_PAD = {"zeros": "constant", "reflect": "reflect", "replicate": "replicate",
             "circular": "circular"}


def accumulate(taps: TapTable, x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``y[o] = sum over taps of w[k] x[i]``, by unbuffered scatter-add."""
    y = np.zeros(taps.n_out)
    np.add.at(y, taps.o.astype(np.int64), w.reshape(-1)[taps.k] * x.reshape(-1)[taps.i])
    return y.reshape(taps.out_shape)


def random_forward(rng: np.random.Generator) -> tuple[sc.ConvSpec, dict]:
    """A random forward-conv spec, possibly with asymmetric padding, and its torch call."""
    while True:
        nd = int(rng.integers(1, 4))
        groups = int(rng.integers(1, 4))
        cin, cout = groups * int(rng.integers(1, 3)), groups * int(rng.integers(1, 3))
        size = tuple(int(v) for v in rng.integers(3, 9 if nd < 3 else 6, nd))
        k = tuple(int(v) for v in rng.integers(1, 4, nd))
        stride = tuple(int(v) for v in rng.integers(1, 4, nd))
        dil = tuple(int(v) for v in rng.integers(1, 3, nd))
        mode = str(rng.choice(list(TORCH_PAD)))
        pads = tuple((int(a), int(b)) for a, b in rng.integers(0, 3, (nd, 2)))
        if mode == "reflect" and any(max(p) >= n for p, n in zip(pads, size)):
            continue
        out = tuple(
            conv_out_size(n, kk, s, d, lo, hi)
            for n, kk, s, d, (lo, hi) in zip(size, k, stride, dil, pads)
        )
        if min(out) < 1:
            continue
        base = sc.Conv1d(1, 1, 1).derive(input_size=3).spec
        spec = dataclasses.replace(
            base, in_channels=cin, out_channels=cout, groups=groups, in_size=size,
            out_size=out, kernel_size=k, stride=stride, dilation=dil, padding=pads,
            padding_mode=mode,  # type: ignore[arg-type]
        )
        return spec, {"stride": stride, "dilation": dil, "groups": groups}


def torch_forward(torch, spec: sc.ConvSpec, x: np.ndarray, w: np.ndarray, kw: dict):
    F = torch.nn.functional
    pad = [p for lo_hi in reversed(spec.padding) for p in lo_hi]  # last axis first
    xt = torch.from_numpy(x)[None]
    xt = F.pad(xt, pad, mode=TORCH_PAD[spec.padding_mode]) if any(pad) else xt
    conv = getattr(F, f"conv{spec.ndim}d")
    return conv(xt, torch.from_numpy(w), **kw)[0].numpy()


@pytest.mark.torch
def test_forward_taps_equal_torch_on_random_layers(torch):
    rng = np.random.default_rng(20261124)
    modes = set()
    for _ in range(60):
        spec, kw = random_forward(rng)
        modes.add(spec.padding_mode)
        x = rng.standard_normal(spec.forward_in_shape)
        w = rng.standard_normal(spec.weight_shape)
        taps = forward_taps(spec)
        np.testing.assert_allclose(
            accumulate(taps, x, w), torch_forward(torch, spec, x, w, kw), atol=1e-12, rtol=1e-12
        )
    assert modes == set(TORCH_PAD)


@pytest.mark.torch
def test_transposed_taps_equal_torch_conv_transpose(torch):
    rng = np.random.default_rng(7)
    F = torch.nn.functional
    done = 0
    while done < 40:
        nd = int(rng.integers(1, 4))
        groups = int(rng.integers(1, 3))
        cin, cout = groups * int(rng.integers(1, 3)), groups * int(rng.integers(1, 3))
        size = tuple(int(v) for v in rng.integers(2, 6, nd))
        k = tuple(int(v) for v in rng.integers(1, 4, nd))
        stride = tuple(int(v) for v in rng.integers(1, 4, nd))
        dil = tuple(int(v) for v in rng.integers(1, 3, nd))
        pad = tuple(int(v) for v in rng.integers(0, 3, nd))
        out_pad = tuple(int(rng.integers(0, max(s, d))) for s, d in zip(stride, dil))
        layer = getattr(sc, f"ConvTranspose{nd}d")(
            cin, cout, k, stride=stride, padding=pad, output_padding=out_pad, groups=groups,
            dilation=dil, bias=False,
        )
        try:
            spec = layer.derive(input_size=size).spec
        except ValueError:  # output size not positive
            continue
        x = rng.standard_normal((cin, *size))
        w = rng.standard_normal(layer.weight_shape)
        ref = getattr(F, f"conv_transpose{nd}d")(
            torch.from_numpy(x)[None], torch.from_numpy(w), stride=stride, padding=pad,
            output_padding=out_pad, groups=groups, dilation=dil,
        )[0].numpy()
        taps = build_taps(spec)
        np.testing.assert_allclose(accumulate(taps, x, w), ref, atol=1e-12, rtol=1e-12)
        # The directly assembled table is the forward table with roles swapped.
        swapped = forward_taps(spec).swapped()
        for name in "oik":
            np.testing.assert_array_equal(getattr(taps, name), getattr(swapped, name))
        done += 1


@pytest.mark.parametrize("op", ["convolve", "correlate"])
@pytest.mark.parametrize("mode", ["full", "valid", "same"])
@pytest.mark.parametrize(
    ("x_shape", "w_shape"), [((9,), (4,)), ((3,), (5,)), ((6, 5), (3, 2)), ((4, 3, 5), (2, 3, 2))]
)
def test_signal_taps_equal_scipy(op, mode, x_shape, w_shape):
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    try:
        expected = getattr(scipy.signal, op)(x, w, mode=mode, method="direct")
    except ValueError:
        pytest.skip("scipy refuses this valid-mode pair too")
    spec = getattr(sc, op)(x, w, mode=mode).spec
    np.testing.assert_allclose(accumulate(build_taps(spec), x, w), expected, atol=1e-12)


@pytest.mark.torch
@pytest.mark.parametrize("padding_mode", ["zeros", "reflect", "replicate", "circular"])
def test_entries_are_the_nonzero_pattern_of_the_jacobian(torch, padding_mode):
    rng = np.random.default_rng(11)
    conv = torch.nn.Conv2d(2, 3, (3, 2), stride=(2, 1), padding=(1, 1), dilation=(1, 2),
                           padding_mode=padding_mode, bias=False).double()
    x = torch.from_numpy(rng.standard_normal((2, 5, 6)))
    jac = torch.autograd.functional.jacobian(conv, x).reshape(-1, x.numel()).numpy()
    d = sc.Conv2d(2, 3, (3, 2), stride=(2, 1), padding=(1, 1), dilation=(1, 2),
                  padding_mode=padding_mode).derive(input_size=(5, 6))
    rows, cols, entry_of_tap = d.taps.entries
    want_rows, want_cols = np.nonzero(jac)  # row-major, like entries
    np.testing.assert_array_equal(rows, want_rows)
    np.testing.assert_array_equal(cols, want_cols)
    # every tap lands on the entry holding its (o, i)
    np.testing.assert_array_equal(rows[entry_of_tap], d.taps.o)
    np.testing.assert_array_equal(cols[entry_of_tap], d.taps.i)
    # reflect and replicate fold a padded tap onto an input the same output already reads
    assert d.taps.has_folded_entries == (padding_mode in ("reflect", "replicate"))
    assert d.taps.has_folded_entries == (want_rows.size < len(d.taps))


def test_order_within_an_output_is_input_channel_then_kernel_position():
    d = sc.Conv2d(4, 6, 3, padding=1, groups=2).derive(input_size=(4, 5))
    t = d.taps
    assert np.all(np.diff(t.o.astype(np.int64)) >= 0)
    s_in, s_k = 20, 9
    for o in range(t.n_out):
        lo, hi = t.starts[o], t.starts[o + 1]
        ci, pos = t.i[lo:hi] // s_in, t.k[lo:hi] % s_k
        key = ci.astype(np.int64) * s_k + pos
        assert np.all(np.diff(key) > 0)
        # the weight's input channel is the input's channel within its group
        assert np.all((t.k[lo:hi] // s_k) % 2 == ci % 2)


def test_starts_slice_each_output():
    t = sc.correlate(np.ones(6), np.ones(3), mode="full").taps
    # full mode: 8 outputs reading 1, 2, 3, 3, 3, 3, 2, 1 inputs
    assert np.diff(t.starts).tolist() == [1, 2, 3, 3, 3, 3, 2, 1]
    assert t.starts[0] == 0 and t.starts[-1] == len(t) == 18


@pytest.mark.parametrize(
    ("channels", "size", "dtype"),
    [(1, (16, 16), np.uint8), (1, (16, 17), np.uint16), (64, (32, 32), np.uint16),
     (65, (32, 32), np.uint32)],
)
def test_smallest_unsigned_dtype(channels, size, dtype):
    # 16*16 = 256 outputs index 0..255 (uint8); 272 need uint16; 65*1024 > 65536 needs uint32
    t = sc.Conv2d(channels, channels, 1).derive(input_size=size).taps
    assert t.o.dtype == dtype and t.i.dtype == dtype
    assert t.nbytes == len(t) * (2 * np.dtype(dtype).itemsize + t.k.dtype.itemsize)
    assert index_dtype(256) == np.uint8 and index_dtype(257) == np.uint16


def test_seed_taps():
    # seed.json: correlate([1,2,3,4], [5,6,7], valid) = [38, 56], y[1] = w0 x1 + w1 x2 + w2 x3
    t = sc.correlate([1, 2, 3, 4], [5, 6, 7]).taps
    assert t.o.tolist() == [0, 0, 0, 1, 1, 1]
    assert t.i.tolist() == [0, 1, 2, 1, 2, 3]
    assert t.k.tolist() == [0, 1, 2, 0, 1, 2]
    t = sc.convolve([1, 2, 3, 4], [5, 6, 7], mode="valid").taps
    assert t.k.tolist() == [2, 1, 0, 2, 1, 0]  # flipped kernel, same inputs
    np.testing.assert_array_equal(accumulate(t, np.arange(1, 5), np.array([5, 6, 7])), [34, 52])


@pytest.mark.parametrize(
    ("layer", "size"),
    [(sc.Conv2d(3, 4, 3, stride=2, padding=1, dilation=2), (5, 6)),
     (sc.Conv1d(2, 4, 5, padding="same", padding_mode="reflect", groups=2), (9,)),
     (sc.Conv3d(1, 2, (1, 2, 3), padding=(0, 1, 2), padding_mode="circular"), (3, 4, 5)),
     (sc.ConvTranspose2d(4, 2, 3, stride=2, padding=1, output_padding=1), (5, 6))],
)
def test_count_taps_without_the_table(layer, size):
    spec = layer.derive(input_size=size).spec
    p = layer.params
    # With all-ones values, the sum of all outputs is the number of products;
    # computed by the independent textbook reference.
    ones_x, ones_w = np.ones(spec.input_shape), np.ones(layer.weight_shape)
    if p.transposed:
        y = _reference.conv_transpose_nd(
            ones_x, ones_w, stride=p.stride, padding=p.padding,
            output_padding=p.output_padding, dilation=p.dilation, groups=p.groups)
    else:
        y = _reference.conv_nd(
            ones_x, ones_w, stride=p.stride, padding=spec.padding, dilation=p.dilation,
            groups=p.groups, padding_mode=p.padding_mode)
    assert count_taps(spec) == int(y.sum()) == len(build_taps(spec))
