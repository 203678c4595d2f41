"""The plain-Python index formulas, evaluated against the tap table and NumPy/SciPy.

The same functions are printed in the LaTeX documents (through latexify-py), so
these tests are what makes the printed formulas true.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest
import scipy.linalg
from hypothesis import given, settings
from hypothesis import strategies as st

import symconv as sc
from symconv.boundary import _formulas as F
from symconv.checks import _reference

# (n, k, stride, dilation, padding) for 1-D single-channel layers with zero padding.
GEOMETRIES = [
    (4, 3, 1, 1, 0),
    (7, 3, 2, 1, 1),
    (9, 3, 2, 2, 2),
    (6, 2, 3, 1, 0),
    (5, 5, 1, 1, 2),
    (8, 3, 1, 3, 1),
]


def _padded(values: np.ndarray) -> defaultdict:
    """``values`` read as 0 outside ``0..n-1`` (zero padding), as the formulas expect."""
    return defaultdict(int, enumerate(values.tolist()))


@pytest.mark.parametrize(("n", "k", "s", "d", "p"), GEOMETRIES)
def test_output_size_matches_reference_shape(n: int, k: int, s: int, d: int, p: int) -> None:
    out = _reference.conv_nd(np.zeros((1, n)), np.zeros((1, 1, k)), stride=(s,),
                             padding=((p, p),), dilation=(d,))
    assert F.conv_output_size(n, k, s, d, p, p) == out.shape[-1]


@settings(max_examples=200, deadline=None)
@given(n=st.integers(1, 40), k=st.integers(1, 6), s=st.integers(1, 4), d=st.integers(1, 3),
       p=st.integers(0, 4), q=st.integers(0, 4))
def test_output_size_counts_window_starts(n: int, k: int, s: int, d: int, p: int, q: int) -> None:
    span = d * (k - 1) + 1
    if span > n + p + q:
        return
    # brute force: windows start at o * s and must end inside the padded input
    count = sum(1 for o in range(n + p + q) if o * s + span <= n + p + q)
    assert F.conv_output_size(n, k, s, d, p, q) == count


@pytest.mark.parametrize(("n", "k", "s", "d", "p", "a"),
                         [(3, 3, 2, 1, 1, 1), (4, 2, 1, 1, 0, 0), (2, 3, 3, 2, 1, 2)])
def test_transposed_output_size_matches_torch(torch, n, k, s, d, p, a) -> None:
    x = torch.zeros(1, 1, n)
    w = torch.zeros(1, 1, k)
    out = torch.nn.functional.conv_transpose1d(x, w, stride=s, padding=p, output_padding=a,
                                               dilation=d)
    assert F.transposed_output_size(n, k, s, d, p, a) == out.shape[-1]


@pytest.mark.parametrize(("n", "k", "s", "d", "p"), GEOMETRIES)
def test_input_index_is_the_tap_table(n: int, k: int, s: int, d: int, p: int) -> None:
    t = sc.Conv1d(1, 1, k, stride=s, padding=p, dilation=d, bias=False).derive(
        input_size=n).taps
    m = F.conv_output_size(n, k, s, d, p, p)
    expected = sorted(
        (o, F.input_index(o, j, s, d, p), j)
        for o in range(m)
        for j in range(k)
        if 0 <= F.input_index(o, j, s, d, p) < n
    )
    assert sorted(zip(t.o.tolist(), t.i.tolist(), t.k.tolist())) == expected


@pytest.mark.parametrize(("n", "k", "s", "d", "p"), GEOMETRIES)
def test_output_element_matches_reference(n: int, k: int, s: int, d: int, p: int) -> None:
    rng = np.random.default_rng(0)
    x, w = rng.integers(-9, 10, n), rng.integers(-9, 10, k)
    ref = _reference.conv_nd(x[None], w[None, None], stride=(s,), padding=((p, p),),
                             dilation=(d,))[0]
    m = F.conv_output_size(n, k, s, d, p, p)
    got = [F.output_element(_padded(x), w.tolist(), o, k, s, d, p) for o in range(m)]
    assert got == ref.tolist()


def test_output_element_seed() -> None:
    x, w = _padded(np.array([1, 2, 3, 4])), [5, 6, 7]
    assert [F.output_element(x, w, o, 3, 1, 1, 0) for o in range(2)] == [38, 56]


@pytest.mark.parametrize(("n", "k"), [(4, 3), (6, 2), (3, 5)])
def test_convolution_element_matches_numpy(n: int, k: int) -> None:
    rng = np.random.default_rng(1)
    x, w = rng.integers(-9, 10, n), rng.integers(-9, 10, k)
    got = [F.convolution_element(_padded(x), w.tolist(), m, k) for m in range(n + k - 1)]
    assert got == np.convolve(x, w, mode="full").tolist()


@pytest.mark.parametrize(("n", "k"), [(4, 3), (7, 2), (5, 5)])
def test_matrix_entry_matches_scipy_convolution_matrix(n: int, k: int) -> None:
    rng = np.random.default_rng(2)
    w = rng.integers(-9, 10, k)
    # correlate(x, w, 'valid') == convolve(x, w[::-1], 'valid') == A @ x
    A = scipy.linalg.convolution_matrix(w[::-1], n, mode="valid")
    got = np.array([[F.matrix_entry(w.tolist(), o, i, k, 1, 1, 0) for i in range(n)]
                    for o in range(A.shape[0])])
    np.testing.assert_array_equal(got, A)


@pytest.mark.parametrize(("n", "k", "s", "d", "p"), GEOMETRIES)
def test_matrix_entry_matches_layer_matrix(n: int, k: int, s: int, d: int, p: int) -> None:
    rng = np.random.default_rng(3)
    w = rng.integers(-9, 10, k)
    # column i of T is the layer applied to the unit input e_i (NumPy reference)
    m = F.conv_output_size(n, k, s, d, p, p)
    ref = np.stack([
        _reference.conv_nd(np.eye(n, dtype=np.int64)[i][None], w[None, None], stride=(s,),
                           padding=((p, p),), dilation=(d,))[0]
        for i in range(n)
    ], axis=1)
    got = np.array([[F.matrix_entry(w.tolist(), o, i, k, s, d, p) for i in range(n)]
                    for o in range(m)])
    np.testing.assert_array_equal(got, ref)


@pytest.mark.parametrize(("n", "k", "s", "d", "p"), GEOMETRIES)
def test_gradients_match_numpy_vjp(n: int, k: int, s: int, d: int, p: int) -> None:
    rng = np.random.default_rng(4)
    x, w = rng.integers(-9, 10, n), rng.integers(-9, 10, k)
    m = F.conv_output_size(n, k, s, d, p, p)
    g = rng.integers(-9, 10, m)

    def conv(xv: np.ndarray, wv: np.ndarray) -> np.ndarray:
        return _reference.conv_nd(xv[None], wv[None, None], stride=(s,), padding=((p, p),),
                                  dilation=(d,))[0]

    # L = g . y is linear in w and in x: the gradient entries are L at unit vectors
    grad_w = [int(g @ conv(x, np.eye(k, dtype=np.int64)[j])) for j in range(k)]
    grad_x = [int(g @ conv(np.eye(n, dtype=np.int64)[i], w)) for i in range(n)]
    assert [F.weight_gradient(_padded(x), g.tolist(), j, m, s, d, p) for j in range(k)] == grad_w
    assert [F.input_gradient(w.tolist(), g.tolist(), i, k, m, s, d, p)
            for i in range(n)] == grad_x


def test_gradients_match_torch_autograd(torch) -> None:
    n, k, s, d, p = 9, 3, 2, 2, 2
    rng = np.random.default_rng(5)
    x = torch.tensor(rng.integers(-9, 10, n), dtype=torch.float64, requires_grad=True)
    w = torch.tensor(rng.integers(-9, 10, k), dtype=torch.float64, requires_grad=True)
    y = torch.nn.functional.conv1d(x[None, None], w[None, None], stride=s, padding=p,
                                   dilation=d)[0, 0]
    g = torch.tensor(rng.integers(-9, 10, y.shape[0]), dtype=torch.float64)
    y.backward(g)
    m = y.shape[0]
    xs, ws, gs = (v.detach().numpy().astype(int) for v in (x, w, g))
    assert [F.weight_gradient(_padded(xs), gs.tolist(), j, m, s, d, p)
            for j in range(k)] == w.grad.numpy().astype(int).tolist()
    assert [F.input_gradient(ws.tolist(), gs.tolist(), i, k, m, s, d, p)
            for i in range(n)] == x.grad.numpy().astype(int).tolist()


def test_latexify_renders_the_formulas() -> None:
    assert F.formula_latex(F.input_index) == r"\mathrm{input\_index}(o, j, s, d, p) = o s + j d - p"
    assert F.formula_latex(F.conv_output_size) == (
        r"\mathrm{conv\_output\_size}(n, k, s, d, p, q) = \left\lfloor\frac{n + p + q - d "
        r"\cdot \mathopen{}\left( k - 1 \mathclose{}\right) - 1}{s}\right\rfloor + 1"
    )
    sums = F.formula_latex(F.output_element)
    assert r"\sum_{j = 0}^{K - 1}" in sums and "x_{o s + j d - p}" in sums


@pytest.mark.parametrize(("name", "fn"), F.FORMULAS)
def test_every_document_formula_renders_as_mathematics(name: str, fn) -> None:
    out = F.formula_latex(fn)
    assert out.startswith(r"\mathrm{" + fn.__name__.replace("_", r"\_") + "}(")
    assert r"\mathrm{range}" not in out and r"\mathrm{sum}" not in out  # sums, not calls
    assert out.count("{") == out.count("}")


def test_documents_embed_the_rendered_formulas() -> None:
    doc = sc.correlate([1, 2, 3, 4], [5, 6, 7]).latex_document()
    for _, fn in F.FORMULAS:
        assert F.formula_latex(fn) in doc


@pytest.mark.parametrize("n", range(1, 12))
@pytest.mark.parametrize("k,s,d,p", [(1, 1, 1, 0), (3, 2, 1, 0), (3, 2, 1, 1), (2, 3, 2, 1),
                                     (3, 3, 1, 2), (4, 2, 3, 0)])
def test_adjoint_output_padding_gives_back_every_input(n, k, s, d, p):
    """Law: the transposed convolution with this output padding has exactly n outputs;
    checked against the arithmetic of both sizes and against torch's rule a < max(s, d)."""
    from symconv.boundary._formulas import adjoint_output_padding

    if n + 2 * p < d * (k - 1) + 1:
        return  # no forward output
    m = (n + 2 * p - d * (k - 1) - 1) // s + 1  # forward outputs, written here
    a = adjoint_output_padding(n, k, s, d, p)
    assert (m - 1) * s - 2 * p + d * (k - 1) + a + 1 == n  # transposed size, written here
    assert 0 <= a < s
