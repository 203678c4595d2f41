"""Numeric T and P (`to_scipy`, `to_numpy`) against independent references.

T must equal the Jacobian torch's autograd computes for the layer, and
``scipy.linalg.convolution_matrix`` in 1-D; ``P @ vec(w) + b`` must equal
torch's output; a transposed layer's T is the transpose of its Conv's.  No
SymPy object may be created on the way.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg
import scipy.signal
import scipy.sparse
import sympy

import symconv as sc
import symconv.boundary._values
import symconv.core._derivation
from symconv.core import _export

LAYERS = [
    ("Conv1d", dict(in_channels=2, out_channels=4, kernel_size=3, stride=2, padding=2,
                    dilation=2, groups=2), (9,)),
    ("Conv1d", dict(in_channels=1, out_channels=2, kernel_size=4, padding="same",
                    padding_mode="reflect"), (7,)),
    ("Conv2d", dict(in_channels=3, out_channels=2, kernel_size=(3, 2), stride=(1, 2),
                    padding=1, padding_mode="replicate"), (5, 6)),
    ("Conv2d", dict(in_channels=2, out_channels=2, kernel_size=3, padding=2,
                    padding_mode="circular", dilation=(1, 2)), (4, 5)),
    ("Conv2d", dict(in_channels=4, out_channels=6, kernel_size=3, padding="valid",
                    groups=2, bias=False), (6, 5)),
    ("Conv3d", dict(in_channels=2, out_channels=2, kernel_size=2, stride=(1, 2, 1),
                    padding=(1, 0, 1)), (3, 4, 3)),
    ("ConvTranspose1d", dict(in_channels=2, out_channels=4, kernel_size=3, stride=3,
                             padding=1, output_padding=2, groups=2), (4,)),
    ("ConvTranspose2d", dict(in_channels=3, out_channels=2, kernel_size=(2, 3), stride=2,
                             padding=(0, 1), output_padding=(1, 0), dilation=(1, 2)), (3, 4)),
    ("ConvTranspose3d", dict(in_channels=1, out_channels=2, kernel_size=2, stride=(2, 1, 1)),
     (2, 3, 2)),
]
IDS = [f"{name}-{i}" for i, (name, _, _) in enumerate(LAYERS)]


def torch_module(torch, name: str, kwargs: dict, rng: np.random.Generator):
    module = getattr(torch.nn, name)(**kwargs).double()
    with torch.no_grad():
        module.weight.copy_(torch.from_numpy(rng.standard_normal(tuple(module.weight.shape))))
        if module.bias is not None:
            module.bias.copy_(torch.from_numpy(rng.standard_normal(module.out_channels)))
    return module


def symconv_layer(name: str, kwargs: dict):
    args = dict(kwargs)
    return getattr(sc, name)(args.pop("in_channels"), args.pop("out_channels"),
                             args.pop("kernel_size"), **args)


@pytest.mark.torch
@pytest.mark.parametrize(("name", "kwargs", "size"), LAYERS, ids=IDS)
def test_matrix_is_the_torch_jacobian(torch, name, kwargs, size):
    rng = np.random.default_rng(1)
    module = torch_module(torch, name, kwargs, rng)
    x = torch.from_numpy(rng.standard_normal((module.in_channels, *size)))
    jac = torch.autograd.functional.jacobian(module, x)
    jac = jac.reshape(-1, x.numel()).numpy()
    w = module.weight.detach().numpy()
    d = symconv_layer(name, kwargs).derive(input_size=size, weight=w)
    T = d.to_scipy()
    assert isinstance(T, scipy.sparse.csr_array)
    assert T.has_canonical_format and T.dtype == np.float64
    assert T.nnz == d.stats().nonzeros
    np.testing.assert_allclose(T.toarray(), jac, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(d.to_numpy(), jac, rtol=1e-12, atol=1e-12)


@pytest.mark.torch
@pytest.mark.parametrize(("name", "kwargs", "size"), LAYERS, ids=IDS)
def test_patches_times_weight_is_the_torch_output(torch, name, kwargs, size):
    rng = np.random.default_rng(2)
    module = torch_module(torch, name, kwargs, rng)
    x = rng.standard_normal((module.in_channels, *size))
    y = module(torch.from_numpy(x)).detach().numpy().reshape(-1)
    w = module.weight.detach().numpy()
    d = symconv_layer(name, kwargs).derive(x=x)
    P = d.to_scipy("patches")
    assert P.shape == (y.size, w.size) and P.has_canonical_format
    b = 0 if module.bias is None else np.repeat(module.bias.detach().numpy(), y.size // module.out_channels)
    np.testing.assert_allclose(P @ w.reshape(-1) + b, y, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(d.to_numpy("patches") @ w.reshape(-1) + b, y, rtol=1e-12,
                               atol=1e-12)


# For an input shorter than the kernel, scipy.signal (and symconv) keep x's size in
# "same" mode while convolution_matrix follows np.convolve (size max(n, m)), so
# the shorter inputs are compared in "full" mode only.
@pytest.mark.parametrize(
    ("mode", "n"),
    [("full", 1), ("full", 3), ("full", 8), ("valid", 4), ("valid", 11), ("same", 4),
     ("same", 11)],
)
def test_convolve_matrix_is_scipy_convolution_matrix(mode, n):
    rng = np.random.default_rng(n)
    w = rng.integers(-9, 10, 4)
    x = rng.integers(-9, 10, n)
    T = sc.convolve(x, w, mode=mode).to_numpy()
    assert T.dtype == np.int64
    np.testing.assert_array_equal(T, scipy.linalg.convolution_matrix(w, n, mode=mode))


@pytest.mark.parametrize("mode", ["full", "valid", "same"])
def test_correlate_matrix_applies_like_numpy_correlate(mode):
    # seed.json: correlate([1, 2, 3, 4], [5, 6, 7]) under each mode
    expected = {"full": [7, 20, 38, 56, 39, 20], "valid": [38, 56], "same": [20, 38, 56, 39]}
    T = sc.correlate([1, 2, 3, 4], [5, 6, 7], mode=mode).to_scipy()
    assert (T @ np.array([1, 2, 3, 4])).tolist() == expected[mode]
    P = sc.correlate([1, 2, 3, 4], [5, 6, 7], mode=mode).to_scipy("patches")
    assert (P @ np.array([5, 6, 7])).tolist() == expected[mode]


def test_seed_matrix():
    # seed.json "matrix": [[w0, w1, w2, 0], [0, w0, w1, w2]] with w = [5, 6, 7]
    T = sc.correlate([1, 2, 3, 4], [5, 6, 7]).to_numpy()
    assert T.tolist() == [[5, 6, 7, 0], [0, 5, 6, 7]]


@pytest.mark.parametrize(
    ("conv", "transposed", "size"),
    [(sc.Conv2d(2, 4, 3, stride=2, padding=1, groups=2, bias=False),
      sc.ConvTranspose2d(4, 2, 3, stride=2, padding=1, groups=2, bias=False), (7, 5)),
     (sc.Conv1d(3, 2, 4, dilation=2, padding=3), sc.ConvTranspose1d(2, 3, 4, dilation=2,
                                                                    padding=3), (10,))],
)
def test_transposed_matrix_is_the_transpose_of_the_conv_matrix(conv, transposed, size):
    rng = np.random.default_rng(4)
    w = rng.standard_normal(conv.weight_shape)  # Conv (out, in/g, k) = ConvTranspose (in, out/g, k)
    dc = conv.derive(input_size=size, weight=w)
    out_size = dc.spec.out_size
    dt = transposed.derive(input_size=out_size, weight=w)
    assert dt.spec.output_shape == dc.spec.input_shape
    np.testing.assert_array_equal(dt.to_numpy(), dc.to_numpy().T)
    assert (dt.to_scipy() != dc.to_scipy().T).nnz == 0


def test_dtypes_follow_the_values():
    x = [1, 2, 3, 4]
    assert sc.correlate(x, [5, 6, 7]).to_scipy().dtype == np.int64
    assert sc.correlate(x, [5.0, 6, 7]).to_scipy().dtype == np.float64
    T = sc.correlate(x, [5, 6j, 7]).to_numpy()
    assert T.dtype == np.complex128 and T[1, 2] == 6j
    # SymPy numbers the user built: integers stay int64, rationals become float64
    T = sc.correlate(x, [sympy.Integer(5), sympy.Integer(6), sympy.Integer(7)]).to_numpy()
    assert T.dtype == np.int64 and T[0].tolist() == [5, 6, 7, 0]
    T = sc.correlate(x, [sympy.Rational(1, 2), 6, 7]).to_numpy()
    assert T.dtype == np.float64 and T[1, 1] == 0.5
    P = sc.correlate([sympy.Integer(1), 2, 3, 4], [5, 6, 7]).to_numpy("patches")
    assert P.tolist() == [[1, 2, 3], [2, 3, 4]]


def test_folded_entries_are_summed_and_kept():
    # replicate padding 1 on [x0, x1, x2] with [w0, w1, w2]: y0 = w0 x0 + w1 x0 + w2 x1
    d = sc.Conv1d(1, 1, 3, padding=1, padding_mode="replicate", bias=False)
    T = d.derive(input_size=3, weight=[[[1, -1, 5]]]).to_scipy()
    assert T.toarray().tolist() == [[0, 5, 0], [1, -1, 5], [0, 1, 4]]
    # the entry w0 + w1 = 0 is a structural non-zero: stored, value 0
    assert T.nnz == 7 and T.has_canonical_format


def test_no_sympy_object_is_created(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a SymPy object was created")

    monkeypatch.setattr(symconv.core._derivation, "sympify_array", refuse)
    monkeypatch.setattr(symconv.core._derivation, "symbols", refuse)
    monkeypatch.setattr(symconv.boundary._values, "sympify_array", refuse)
    monkeypatch.setattr(sympy.Symbol, "__new__", refuse)
    rng = np.random.default_rng(5)
    layer = sc.Conv2d(3, 4, 3, padding=1, padding_mode="reflect")
    x = rng.standard_normal((3, 6, 6))
    d = layer.derive(x=x, weight=rng.standard_normal(layer.weight_shape))
    assert d.to_scipy().shape == (4 * 36, 3 * 36)
    assert d.to_numpy("patches").shape == (4 * 36, 4 * 27)
    d.stats()
    with pytest.raises(AssertionError, match="SymPy object"):
        d.output  # noqa: B018  (the patch is live)


def test_symbolic_weight_is_refused_with_a_pointer_to_matrix():
    d = sc.Conv2d(2, 3, 3).derive(input_size=(4, 4))
    with pytest.raises(ValueError, match=r"`weight` holds symbols \(w_0_0_0_0\.\.\.\) -- give "
                                         r"numeric weights, or use d\.matrix for the symbolic T"):
        d.to_scipy()
    with pytest.raises(ValueError, match=r"`x` holds symbols \(x_0_0_0\.\.\.\).*d\.patches"):
        d.to_numpy("patches")
    w = sympy.symarray("w", 3)
    with pytest.raises(ValueError, match=r"`w` holds symbols \(w_0\.\.\.\)"):
        sc.correlate([1, 2, 3, 4], w).to_numpy()
    mixed = np.array([1, sympy.Symbol("a"), 2], dtype=object)
    with pytest.raises(ValueError, match=r"`w` holds symbols \(a\.\.\.\)"):
        sc.correlate([1, 2, 3, 4], mixed).to_scipy()
    # the numeric side still works: P needs only x
    P = sc.correlate([1, 2, 3, 4], w).to_numpy("patches")
    assert P.tolist() == [[1, 2, 3], [2, 3, 4]]


def test_unknown_which():
    d = sc.correlate([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match=r"`which` must be one of 'matrix', 'patches'; got 'T'"):
        d.to_scipy("T")
    with pytest.raises(TypeError, match=r"`which` must be a string, one of 'matrix', 'patches'; "
                                        r"got 3"):
        d.to_numpy(3)  # not a string at all: TypeError, as NumPy for mode=None


def test_dense_limit_points_to_to_scipy(monkeypatch):
    monkeypatch.setattr(_export, "DENSE_LIMIT", 100)
    d = sc.Conv1d(1, 2, 3).derive(x=np.ones((1, 10)), weight=np.ones((2, 1, 3)))
    # T is (2*8) x 10 = 160 entries
    with pytest.raises(ValueError, match=r"dense T of this convolution would have 16 x 10 = 160 "
                                         r"entries \(limit 100\); use to_scipy\('matrix'\)"):
        d.to_numpy()
    assert d.to_scipy().shape == (16, 10)
    assert d.to_numpy("patches").shape == (16, 6)


def _traced_peak(fn) -> int:
    """Peak bytes NumPy and Python allocated while ``fn()`` ran (tracemalloc)."""
    import tracemalloc

    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_refusals_come_before_any_table_is_built():
    # 64 -> 64 channels, 3x3, on 64x64: 151M products (a table of about 900 MB)
    w = np.ones((64, 64, 3, 3))
    d = sc.Conv2d(64, 64, 3, padding=1).derive(input_size=(64, 64), weight=w)

    def dense():
        with pytest.raises(ValueError, match="use to_scipy"):
            d.to_numpy()

    def symbolic_input():
        with pytest.raises(ValueError, match="`x` holds symbols"):
            d.to_scipy("patches")

    assert _traced_peak(dense) < 2**20 and _traced_peak(symbolic_input) < 2**20


def test_to_scipy_allocates_little_beyond_its_result():
    """No table-sized temporaries: the narrow index columns are gathered and widened in chunks."""
    rng = np.random.default_rng(4)
    w = rng.normal(size=(16, 16, 3, 3))
    d = sc.Conv2d(16, 16, 3, padding=1).derive(input_size=(40, 40), weight=w)
    t = d.taps
    assert _traced_peak(lambda: t.starts) < 2**20  # no widened copy of the o column
    held = {}
    peak = _traced_peak(lambda: held.setdefault("m", d.to_scipy()))
    m = held["m"]
    result = m.data.nbytes + m.indices.nbytes + m.indptr.nbytes
    assert m.nnz == len(t) and peak < result + 40 * 2**20  # chunks of 4M taps: 32 MB
    x = rng.normal(size=(16, 40, 40))
    ref = scipy.signal.correlate  # an independent forward pass, channel by channel
    want = np.array([sum(ref(np.pad(x[c], 1), w[o, c], mode="valid") for c in range(16))
                     for o in range(16)])
    assert np.allclose(m @ x.reshape(-1), want.reshape(-1))


def test_starts_slice_the_taps_of_every_output():
    for d in (sc.ConvTranspose1d(1, 1, 2, stride=3, bias=False).derive(input_size=4),
              sc.Conv2d(2, 3, 3, padding=1).derive(input_size=(5, 4)),
              sc.correlate(np.ones(300), np.ones(3))):
        t = d.taps
        want = [int(np.sum(t.o < o)) for o in range(t.n_out + 1)]
        assert t.starts.tolist() == want
