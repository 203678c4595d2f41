"""Structure views against NumPy/SciPy/PyTorch: Kronecker form, circulant and DFT, stretching."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.linalg
import sympy

import symconv as sc
from symconv.checks._structure_checks import (
    StructureCheck,
    check_equivalent,
    check_kronecker,
    prove_diagonalization,
    reduce_cyclotomic,
)
from symconv.core._structure import Diagonalization

RNG = np.random.default_rng(7)


def ints(*shape: int) -> np.ndarray:
    return RNG.integers(-5, 6, size=shape)


def brute_selection(n_out: int, n_in: int, s: int, d: int, p: int, j: int) -> np.ndarray:
    """``S_j[o, i] = [i = s*o + d*j - p]``, written out with loops."""
    out = np.zeros((n_out, n_in), dtype=int)
    for o in range(n_out):
        for i in range(n_in):
            out[o, i] = int(i == s * o + d * j - p)
    return out


# ------------------------------------------------------------------ Kronecker


@pytest.mark.parametrize("n, k", [(4, 3), (6, 2), (5, 5)])
def test_1d_valid_terms_are_scipy_toeplitz_diagonals(n: int, k: int) -> None:
    w = ints(k)
    d = sc.correlate(ints(n), w, mode="valid")
    kf = sc.kronecker_form(d)
    # T itself is scipy's Toeplitz matrix with first row w, 0, ...
    row = np.concatenate([w, np.zeros(n - k, dtype=int)])
    col = np.concatenate([w[:1], np.zeros(n - k, dtype=int)])
    assert np.array_equal(kf.to_numpy(), scipy.linalg.toeplitz(col, row))
    for j, term in enumerate(kf.terms):  # term j: the j-th superdiagonal of ones
        assert np.array_equal(term.pattern(), np.eye(n - k + 1, n, j, dtype=int))


@pytest.mark.parametrize("s, dil, p", [(1, 1, 0), (2, 1, 1), (1, 2, 2), (3, 2, 1)])
def test_1d_strided_dilated_selection_matrices(s: int, dil: int, p: int) -> None:
    n, k = 9, 3
    w = ints(1, 1, k)
    d = sc.Conv1d(1, 1, k, stride=s, padding=p, dilation=dil, bias=False).derive(
        x=ints(1, n), weight=w)
    m = (n + 2 * p - dil * (k - 1) - 1) // s + 1
    kf = sc.kronecker_form(d)
    for j, term in enumerate(kf.terms):
        e, sel = term.factors
        assert e.tolist() == [[1]]
        assert np.array_equal(sel, brute_selection(m, n, s, dil, p, j))
    dense = sum(w[0, 0, j] * brute_selection(m, n, s, dil, p, j) for j in range(k))
    assert np.array_equal(kf.to_numpy(), dense)
    assert np.array_equal(d.to_numpy(), dense)


@pytest.mark.parametrize("stride, padding, dilation", [(1, 0, 1), ((2, 1), 1, (1, 2))])
def test_2d_is_sum_of_kron_of_selections(stride: object, padding: int, dilation: object) -> None:
    n1, n2, k1, k2 = 5, 6, 2, 3
    w = ints(1, 1, k1, k2)
    x = ints(1, n1, n2)
    d = sc.Conv2d(1, 1, (k1, k2), stride=stride, padding=padding, dilation=dilation,
                  bias=False).derive(x=x, weight=w)
    s1, s2 = (stride, stride) if isinstance(stride, int) else stride
    d1, d2 = (dilation, dilation) if isinstance(dilation, int) else dilation
    m1 = (n1 + 2 * padding - d1 * (k1 - 1) - 1) // s1 + 1
    m2 = (n2 + 2 * padding - d2 * (k2 - 1) - 1) // s2 + 1
    dense = sum(
        w[0, 0, a, b] * np.kron(brute_selection(m1, n1, s1, d1, padding, a),
                                brute_selection(m2, n2, s2, d2, padding, b))
        for a in range(k1) for b in range(k2))
    assert np.array_equal(sc.kronecker_form(d).to_numpy(), dense)
    # and it is the layer: T vec(x) is torch-free NumPy correlation of the padded input
    xp = np.pad(x[0], padding)
    ref = np.array([[sum(w[0, 0, a, b] * xp[s1 * o1 + d1 * a, s2 * o2 + d2 * b]
                         for a in range(k1) for b in range(k2))
                     for o2 in range(m2)] for o1 in range(m1)])
    assert np.array_equal(dense @ x.reshape(-1), ref.reshape(-1))


def test_2d_stride1_blocks_are_toeplitz_and_repeat_along_block_diagonals() -> None:
    """Doubly block Toeplitz, read off numpy blocks of T."""
    n1, n2, k = 4, 5, 3
    w = ints(k, k)
    t = sc.correlate(ints(n1, n2), w, mode="valid").to_numpy()
    m1, m2 = n1 - k + 1, n2 - k + 1
    block = {(a, b): t[a * m2:(a + 1) * m2, b * n2:(b + 1) * n2]
             for a in range(m1) for b in range(n1)}
    for (a, b), blk in block.items():
        j = b - a
        want = scipy.linalg.toeplitz(np.r_[w[j, 0], np.zeros(m2 - 1)],
                                     np.r_[w[j], np.zeros(n2 - k)]) if 0 <= j < k else 0 * blk
        assert np.array_equal(blk, want)


def test_multichannel_groups_block_structure() -> None:
    d = sc.Conv1d(4, 2, 2, groups=2, bias=False).derive(x=ints(4, 5), weight=ints(2, 2, 2))
    kf = sc.kronecker_form(d)
    assert kf.axis_sizes == ((2, 4), (4, 5))
    w = np.array(d.weight.tolist(), dtype=float)
    dense = np.zeros((8, 20))
    for q in range(2):
        for c in range(2):
            e = np.zeros((2, 4))
            e[q, q * 2 + c] = 1
            for j in range(2):
                dense += w[q, c, j] * np.kron(e, brute_selection(4, 5, 1, 1, 0, j))
    assert np.array_equal(kf.to_numpy(), dense)


def test_transposed_terms_are_transposed() -> None:
    d = sc.ConvTranspose2d(2, 1, 2, stride=2, bias=False).derive(
        x=ints(2, 2, 2), weight=ints(2, 1, 2, 2))
    assert np.array_equal(sc.kronecker_form(d).to_numpy(), d.to_numpy())


def test_kronecker_symbolic_and_check_can_fail() -> None:
    d = sc.Conv2d(1, 2, 2).derive(input_size=(3, 3))
    assert check_kronecker(d)
    kf = sc.kronecker_form(d)
    broken = type(kf)(kf.terms[:-1], kf.shape, kf.axis_sizes)  # drop one weight
    r = check_kronecker(d, broken)
    assert not r and "T[" in str(r)


def test_kronecker_refuses_huge() -> None:
    with pytest.raises(ValueError, match="`d` is too large"):
        sc.kronecker_form(sc.Conv2d(3, 8, 3).derive(input_size=(32, 32)))
    with pytest.raises(ValueError, match="`to_numpy` needs numeric weights"):
        sc.kronecker_form(sc.correlate(sympy.symarray("x", 3), sympy.symarray("w", 2))).to_numpy()


# ------------------------------------------------------------ circulant / DFT


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6, 7, 8])
def test_circulant_matches_scipy_and_fft_diagonalises(n: int) -> None:
    k = min(n, 3)
    w = ints(k)
    d = sc.convolve(ints(n), w, mode="circular")
    t = d.to_numpy()
    c = np.r_[w, np.zeros(n - k)]
    assert np.array_equal(t, scipy.linalg.circulant(c))
    dg = sc.diagonalize(d)
    f = np.array(dg.dft.evalf(), dtype=complex)
    assert np.allclose(f, np.fft.fft(np.eye(n)))
    eig = np.array([complex(v) for v in dg.eigenvalues])
    assert np.allclose(eig, np.fft.fft(c))
    assert np.allclose(f @ t @ np.linalg.inv(f), np.diag(eig))
    assert prove_diagonalization(d, dg)


def test_circular_layer_2d_block_circulant_fft2() -> None:
    n1, n2 = 3, 4
    w = ints(1, 1, 3, 3)
    d = sc.Conv2d(1, 1, 3, padding=1, padding_mode="circular", bias=False).derive(
        x=ints(1, n1, n2), weight=w)
    dg = sc.diagonalize(d)
    t = d.to_numpy()
    c = t[:, 0].reshape(n1, n2)
    f = np.kron(np.fft.fft(np.eye(n1)), np.fft.fft(np.eye(n2)))
    assert np.allclose(np.array(dg.dft.evalf(), dtype=complex), f)
    eig = np.array([complex(v) for v in dg.eigenvalues])
    assert np.allclose(eig, np.fft.fft2(c).reshape(-1))
    assert np.allclose(f @ t @ np.linalg.inv(f), np.diag(eig))
    # block circulant with circulant blocks: block (a, b) depends on (a - b) mod n1
    blocks = [[t[a * n2:(a + 1) * n2, b * n2:(b + 1) * n2] for b in range(n1)] for a in range(n1)]
    for a in range(n1):
        for b in range(n1):
            blk = blocks[a][b]
            assert np.array_equal(blk, blocks[(a - b) % n1][0])
            assert np.array_equal(blk, scipy.linalg.circulant(blk[:, 0]))
    assert prove_diagonalization(d, dg)


def test_symbolic_eigenvalues_are_dft_of_kernel() -> None:
    w = sympy.symarray("w", 3)
    d = sc.correlate(sympy.symarray("x", 4), w, mode="circular")
    dg = sc.diagonalize(d)
    vals = {s: v for s, v in zip(w, [2, -3, 5])}
    num = np.array([complex(e.subs(vals)) for e in dg.eigenvalues])
    c = np.array([complex(e.subs(vals)) for e in dg.first_column])
    assert np.allclose(num, np.fft.fft(c))
    assert prove_diagonalization(d, dg)


def test_diagonalization_proof_can_fail() -> None:
    d = sc.convolve(sympy.symarray("x", 5), sympy.symarray("w", 2), mode="circular")
    dg = sc.diagonalize(d)
    wrong = Diagonalization(dg.sizes, dg.first_column, dg.eigenvalues[1:] + dg.eigenvalues[:1])
    assert not prove_diagonalization(d, wrong)
    # a Toeplitz (zero-padded) matrix is not diagonalised by the DFT
    d0 = sc.Conv1d(1, 1, 3, padding=1, bias=False).derive(input_size=5)
    assert not prove_diagonalization(d0, Diagonalization((5,), (0,) * 5, (0,) * 5))


def test_cyclotomic_reduction() -> None:
    # 1 + z + z^2 vanishes at a primitive 3rd root; 1 + z does not
    assert not reduce_cyclotomic(np.array([1, 1, 1]), 3).any()
    assert reduce_cyclotomic(np.array([1, 1, 0]), 3).any()
    # z^4 = 1 but z^2 = -1 at a primitive 4th root: 1 + z^2 = 0
    assert not reduce_cyclotomic(np.array([1, 0, 1, 0]), 4).any()


@pytest.mark.parametrize("make, match", [
    (lambda: sc.convolve([1, 2, 3, 4], [1, 2]), "circular padding is needed"),
    (lambda: sc.Conv1d(1, 1, 3, stride=2, padding=1, padding_mode="circular").derive(
        input_size=6), "stride 1"),
    (lambda: sc.Conv1d(1, 1, 3, padding_mode="circular").derive(input_size=6),
     "the size of the input"),
    (lambda: sc.Conv1d(2, 1, 3, padding=1, padding_mode="circular").derive(input_size=6),
     "one input and one output channel"),
])
def test_diagonalize_refuses_non_circulant(make, match: str) -> None:
    with pytest.raises(ValueError, match="`d` has no circulant layer matrix: .*" + match):
        sc.diagonalize(make())


# ------------------------------------------------------------- stretching


TRANSPOSED = [
    dict(in_channels=1, out_channels=1, kernel_size=3, stride=1, padding=0),
    dict(in_channels=1, out_channels=2, kernel_size=3, stride=2, padding=1),
    dict(in_channels=2, out_channels=2, kernel_size=2, stride=3, padding=0, output_padding=2),
    dict(in_channels=2, out_channels=4, kernel_size=3, stride=2, padding=1, output_padding=1,
         groups=2, dilation=2),
    dict(in_channels=1, out_channels=1, kernel_size=2, stride=2, padding=2),  # p > k - 1: crop
]


@pytest.mark.parametrize("kw", TRANSPOSED)
def test_stretched_input_equals_torch_conv_transpose1d(torch, kw: dict) -> None:
    import torch.nn.functional as F

    layer = sc.ConvTranspose1d(**kw)
    n = 4
    cin, cout, g = kw["in_channels"], kw["out_channels"], kw.get("groups", 1)
    x, w, b = ints(cin, n), ints(cin, cout // g, kw["kernel_size"]), ints(cout)
    d = layer.derive(x=x, weight=w, bias=b)
    e = sc.stretched_input(d)
    ref = F.conv_transpose1d(torch.tensor(x[None], dtype=torch.float64),
                             torch.tensor(w, dtype=torch.float64),
                             torch.tensor(b, dtype=torch.float64), kw["stride"],
                             kw["padding"], kw.get("output_padding", 0), g,
                             kw.get("dilation", 1))[0].numpy()
    assert np.array_equal(np.array(e.output.tolist(), dtype=float), ref)
    # the direct view is a stride-1 torch conv1d of the stretched input
    direct = F.conv1d(torch.tensor(np.array(e.operand.tolist(), dtype=float)[None]),
                      torch.tensor(np.array(e.derivation.weight.tolist(), dtype=float)),
                      torch.tensor(b, dtype=torch.float64), 1, 0, kw.get("dilation", 1), g)
    assert np.array_equal(direct[0].numpy(), ref)
    # zeros between inputs: s - 1 of them
    row = np.array(e.operand.tolist(), dtype=float)[0]
    nz = np.nonzero(np.array(e.operand.tolist(), dtype=object)[0] != 0)[0]
    assert np.all(np.diff(nz) % kw["stride"] == 0) and row.size == e.derivation.spec.in_size[0]


def test_stretched_input_equals_torch_conv_transpose2d(torch) -> None:
    import torch.nn.functional as F

    x, w = ints(2, 3, 2), ints(2, 1, 2, 3)
    d = sc.ConvTranspose2d(2, 1, (2, 3), stride=(2, 3), padding=(1, 0), output_padding=(1, 2),
                           bias=False).derive(x=x, weight=w)
    e = sc.stretched_input(d)
    ref = F.conv_transpose2d(torch.tensor(x[None], dtype=torch.float64),
                             torch.tensor(w, dtype=torch.float64), None, (2, 3), (1, 0),
                             (1, 2))[0].numpy()
    assert np.array_equal(np.array(e.output.tolist(), dtype=float), ref)


def test_stretched_input_symbolic_exact_and_can_fail() -> None:
    d = sc.ConvTranspose2d(1, 2, 2, stride=2, padding=1).derive(input_size=(2, 3))
    e = sc.stretched_input(d)
    assert check_equivalent(d, e)
    wrong = type(e)(e.kind, e.derivation, (slice(None), slice(1, None), slice(None)), e.operand)
    assert not check_equivalent(d, wrong)


def test_subsampled_and_stretched_kernel_vs_torch(torch) -> None:
    import torch.nn.functional as F

    x, w = ints(2, 9, 8), ints(3, 2, 2, 3)
    d = sc.Conv2d(2, 3, (2, 3), stride=(2, 3), padding=1, dilation=(3, 2), bias=False).derive(
        x=x, weight=w)
    ref = F.conv2d(torch.tensor(x[None], dtype=torch.float64), torch.tensor(w, dtype=torch.float64),
                   None, (2, 3), 1, (3, 2))[0].numpy()
    sub = sc.subsampled(d)
    full = F.conv2d(torch.tensor(x[None], dtype=torch.float64), torch.tensor(w, dtype=torch.float64),
                    None, 1, 1, (3, 2))[0].numpy()
    assert np.array_equal(np.array(sub.derivation.output.tolist(), dtype=float), full)
    assert np.array_equal(full[sub.window], ref)
    st = sc.stretched_kernel(d)
    wk = np.array(st.operand.tolist(), dtype=float)
    assert wk.shape == (3, 2, 4, 5) and np.array_equal(wk[:, :, ::3, ::2], w)
    assert not wk[:, :, 1::3].any() and not wk[:, :, :, 1::2].any()
    assert np.array_equal(np.array(st.output.tolist(), dtype=float), ref)
    assert check_equivalent(d, sub) and check_equivalent(d, st)


def test_stretch_errors() -> None:
    with pytest.raises(ValueError, match="`d` must be a transposed convolution"):
        sc.stretched_input(sc.Conv1d(1, 1, 2).derive(input_size=4))
    with pytest.raises(ValueError, match="`d` must be a forward convolution"):
        sc.subsampled(sc.ConvTranspose1d(1, 1, 2).derive(input_size=4))
    with pytest.raises(TypeError, match="`d` must be a symconv Derivation"):
        sc.stretched_kernel("conv")  # type: ignore[arg-type]


def test_structure_check_str() -> None:
    r = StructureCheck("a = b", "exact", 3, "y[0]: 1 != 2")
    assert not r and "FAILS" in str(r)


# ------------------------------------------------------------- rendering


def test_structure_latex_block_partition_and_labels() -> None:
    d = sc.correlate(sympy.symarray("x", (3, 4)), sympy.symarray("w", (2, 2)))
    out = sc.structure_latex(d)
    # 2 x 3 blocks of 3 x 4: the column spec has two block separators
    assert r"\begin{array}{cccc|cccc|cccc}" in out
    assert out.count(r"\hline") == 1
    assert "W_{0} & W_{1} & 0" in out and "0 & W_{0} & W_{1}" in out
    assert out == sc.structure_latex(d)  # deterministic


def test_structure_latex_escapes_names() -> None:
    evil = sympy.Symbol(r"\input{/etc/passwd}")
    d = sc.convolve(sympy.symarray("x", 3), [evil, 1], mode="circular")
    out = sc.structure_latex(d)
    assert r"\input{" not in out and r"\textbackslash{}input" in out


@pytest.mark.latex
def test_structure_latex_compiles(tmp_path, pdflatex: str) -> None:
    import subprocess

    d = sc.Conv2d(1, 1, 2, bias=False).derive(input_size=(3, 3))
    c = sc.convolve(sympy.symarray("x", 4), sympy.symarray("w", 2), mode="circular")
    m = sc.Conv2d(2, 2, 2, bias=False).derive(input_size=(2, 3, 3))  # channel-pair labels
    body = "\n".join(r"\[" + sc.structure_latex(v) + r"\]" for v in (d, c, m))
    tikz = sc.arithmetic_tikz(sc.ConvTranspose2d(1, 1, 3, stride=2).derive(input_size=(2, 2)))
    tex = (r"\documentclass{article}\usepackage{amsmath}\usepackage{tikz}"
           r"\usepackage[landscape,margin=1cm]{geometry}\begin{document}" + body + tikz
           + r"\end{document}")
    (tmp_path / "s.tex").write_text(tex, encoding="utf-8")
    run = subprocess.run([pdflatex, "-interaction=nonstopmode", "-halt-on-error", "s.tex"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-2000:]


def test_arithmetic_grid_of_transposed_conv_is_torchs_zero_insertion() -> None:
    """The drawn stretched input: inputs every s cells, d(k-1) - p padding, a on the right."""
    from symconv.rendering._structure_plot import INPUT, PAD, ZERO, arithmetic_grid

    i_, k, s, p, a = 3, 3, 2, 1, 1
    g = arithmetic_grid(sc.ConvTranspose2d(1, 1, k, stride=s, padding=p, output_padding=a)
                        .derive(input_size=(i_, i_)))
    lo = k - 1 - p
    side = (i_ - 1) * s + 1 + 2 * lo + a
    assert g.cells.shape == (side, side)
    rows = [r for r in range(side) if (g.cells[r] == INPUT).any()]
    assert rows == [lo + s * t for t in range(i_)]
    assert (g.cells == INPUT).sum() == i_ * i_
    assert (g.cells == ZERO).sum() == ((i_ - 1) * s + 1) ** 2 - i_ * i_
    assert g.cells[0, 0] == PAD and g.cells[-1, -1] == PAD
    # torch's output size
    out = (i_ - 1) * s - 2 * p + (k - 1) + a + 1
    assert g.out_size == (out, out)
    assert sorted(g.reads) == [(r, c) for r in range(k) for c in range(k)]


def test_arithmetic_grid_of_padded_dilated_conv() -> None:
    from symconv.rendering._structure_plot import INPUT, PAD, arithmetic_grid

    g = arithmetic_grid(sc.Conv2d(1, 1, 3, stride=2, padding=1, dilation=2).derive(
        input_size=(5, 5)))
    assert g.cells.shape == (7, 7) and (g.cells == INPUT).sum() == 25
    assert (g.cells == PAD).sum() == 49 - 25
    assert g.out_size == ((5 + 2 - 2 * 2 - 1) // 2 + 1,) * 2
    assert (2, 4) in g.reads and (1, 1) not in g.reads
    with pytest.raises(ValueError, match="`d` must be a one-channel 2-D convolution"):
        arithmetic_grid(sc.Conv1d(1, 1, 2).derive(input_size=4))


def test_plot_arithmetic_draws_every_cell() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    d = sc.Conv2d(1, 1, 2, padding=1).derive(input_size=(3, 3))
    ax = sc.plot_arithmetic(d)
    # 5x5 padded grid + 4 shaded taps + 4x4 output grid
    assert len(ax.patches) == 25 + 4 + 16
    plt.close("all")


def test_structure_latex_draws_channel_blocks_with_double_rules() -> None:
    d = sc.Conv2d(2, 2, 2, bias=False).derive(input_size=(3, 3))
    out = sc.structure_latex(d)
    # columns: 2 input channels x 3 rows of 3; rows: 2 output channels x 2 rows of 2
    assert r"\begin{array}{ccc|ccc|ccc||ccc|ccc|ccc}" in out
    t_part = out[:out.index("W^{")]  # T itself, before the matrix of block labels
    assert t_part.count(r"\hline\hline") == 1 and t_part.count(r"\hline") == 4  # 2 single, 1 double
    assert d.matrix.shape == (8, 18)


def test_dilated_circular_layer_is_circulant_and_fft_diagonalises() -> None:
    n, k, dil = 7, 3, 2
    w = ints(1, 1, k)
    d = sc.Conv1d(1, 1, k, padding=dil * (k - 1) // 2, dilation=dil, padding_mode="circular",
                  bias=False).derive(x=ints(1, n), weight=w)
    t = d.to_numpy()
    c = t[:, 0]
    assert np.array_equal(t, scipy.linalg.circulant(c))
    # first column by hand: weight j sits at (i - o) = d*j - p, so at row (p - d*j) mod n
    want = np.zeros(n)
    for j in range(k):
        want[(dil * (k - 1) // 2 - dil * j) % n] += w[0, 0, j]
    assert np.array_equal(c, want)
    dg = sc.diagonalize(d)
    assert np.allclose([complex(v) for v in dg.eigenvalues], np.fft.fft(c))
    assert prove_diagonalization(d, dg)


# ------------------------------------------------------------- labelled blocks


def _toeplitz_row(w_row: np.ndarray, m: int, n: int) -> np.ndarray:
    """The valid-correlation Toeplitz block of one kernel row (scipy.linalg.toeplitz)."""
    first_row = np.r_[w_row, np.zeros(n - len(w_row))]
    first_col = np.r_[w_row[0], np.zeros(m - 1)]
    return scipy.linalg.toeplitz(first_col, first_row)


def _num(m) -> np.ndarray:
    return np.array(m.tolist(), dtype=float)


@pytest.mark.parametrize("c_in,c_out,size,ks", [(2, 3, (4, 5), (2, 3)), (3, 2, (3, 3), (2, 2))])
def test_multichannel_2d_blocks_are_doubly_block_toeplitz_per_channel_pair(
        c_in: int, c_out: int, size: tuple[int, int], ks: tuple[int, int]) -> None:
    from symconv.core._blocks import block_partition

    x, w = ints(c_in, *size), ints(c_out, c_in, *ks)
    d = sc.Conv2d(c_in, c_out, ks, bias=False).derive(x=x, weight=w)
    bp = block_partition(d)
    (n1, n2), (k1, _k2) = size, ks
    m1, m2 = n1 - k1 + 1, n2 - ks[1] + 1
    assert bp.block_shape == (m2, n2) and bp.channels and bp.channel_shape == (c_out, c_in)
    t = d.to_numpy()
    for q, c, a, b in np.ndindex(c_out, c_in, m1, n1):
        j = b - a
        rows = slice((q * m1 + a) * m2, (q * m1 + a + 1) * m2)
        cols = slice((c * n1 + b) * n2, (c * n1 + b + 1) * n2)
        keys = bp.grid[q * m1 + a][c * n1 + b]
        if 0 <= j < k1:
            want = _toeplitz_row(w[q, c, j], m2, n2)
            assert keys == ((q, c, j),)
            assert np.array_equal(_num(bp.blocks[(q, c, j)]), want)
            assert np.array_equal(t[rows, cols], want)
        else:
            assert keys == () and not t[rows, cols].any()
    assert bp.matrix() == d.matrix


def test_3d_blocks_are_sums_of_kronecker_products_of_shifts() -> None:
    from symconv.core._blocks import block_partition

    x, w = ints(1, 3, 4, 4), ints(1, 1, 2, 2, 3)
    d = sc.Conv3d(1, 1, (2, 2, 3), bias=False).derive(x=x, weight=w)
    bp = block_partition(d)
    assert not bp.channels and bp.block_shape == (3 * 2, 4 * 4)
    for j1 in range(2):  # independent: numpy.eye shifts, numpy.kron
        want = sum(w[0, 0, j1, j2, j3] * np.kron(np.eye(3, 4, k=j2), np.eye(2, 4, k=j3))
                   for j2 in range(2) for j3 in range(3))
        assert np.array_equal(_num(bp.blocks[(j1,)]), want)
    assert [[len(k) for k in row] for row in bp.grid] == [[1, 1, 0], [0, 1, 1]]
    assert bp.grid[1][2] == ((1,),)


def test_1d_multichannel_blocks_are_toeplitz_per_pair_and_one_channel_1d_refuses() -> None:
    from symconv.core._blocks import block_partition

    x, w = ints(2, 6), ints(3, 2, 3)
    d = sc.Conv1d(2, 3, 3, bias=False).derive(x=x, weight=w)
    bp = block_partition(d)
    assert bp.grid == tuple(tuple(((q, c),) for c in range(2)) for q in range(3))
    for q, c in np.ndindex(3, 2):
        assert np.array_equal(_num(bp.blocks[(q, c)]), _toeplitz_row(w[q, c], 4, 6))
    with pytest.raises(ValueError, match="one-channel 1-D"):
        block_partition(sc.correlate([1, 2, 3], [1, 2]))


@pytest.mark.parametrize("bad", [None, 5, "conv", np.eye(3)])
def test_block_partition_and_plot_blocks_refuse_a_non_derivation(bad) -> None:
    from symconv.core._blocks import block_partition

    for f in (block_partition, sc.plot_blocks):
        with pytest.raises(TypeError, match=r"`d` must be a symconv Derivation.*got "
                           + type(bad).__name__):
            f(bad)


def test_replicate_padding_block_carries_both_taps() -> None:
    from symconv.core._blocks import block_partition

    d = sc.Conv2d(1, 1, 3, padding=1, padding_mode="replicate", bias=False).derive(
        input_size=(1, 3, 3))
    bp = block_partition(d)
    assert bp.grid[0][0] == ((0,), (1,))  # kernel rows 0 (clamped from -1) and 1 read row 0
    assert bp.matrix() == d.matrix
    # independent: y[a, b] = sum_j w[j1, j2] x[clamp(a+j1-1), clamp(b+j2-1)], by loops; each
    # block (output row a, input row r) sums the column patterns of the rows j1 landing on r
    w = ints(3, 3)
    clamp = lambda v: min(max(v, 0), 2)  # noqa: E731
    want = np.zeros((9, 9), dtype=int)
    for a, b, j1, j2 in itertools.product(range(3), repeat=4):
        want[3 * a + b, 3 * clamp(a + j1 - 1) + clamp(b + j2 - 1)] += w[j1, j2]
    values = {sym: int(v) for sym, v in zip(np.asarray(d.weight.tolist()).reshape(-1),
                                             w.reshape(-1))}
    got = np.array(bp.matrix().xreplace(values).tolist(), dtype=int)
    np.testing.assert_array_equal(got, want)
    for r, c in itertools.product(range(3), repeat=2):  # the labels say which rows land there
        assert bp.grid[r][c] == tuple((j1,) for j1 in range(3) if clamp(r + j1 - 1) == c)


def test_structure_latex_labels_channel_pairs() -> None:
    d = sc.Conv2d(2, 2, 2, bias=False).derive(input_size=(2, 3, 3))
    out = sc.structure_latex(d)
    assert (r"W^{(0,0)}_{0} & W^{(0,0)}_{1} & 0 & W^{(0,1)}_{0} & W^{(0,1)}_{1} & 0 \\"
            in out)
    assert r"0 & W^{(1,0)}_{0} & W^{(1,0)}_{1} & 0 & W^{(1,1)}_{0} & W^{(1,1)}_{1}" in out
    assert r"\begin{array}{ccc|ccc}" in out
    assert out.count(r"W^{(1,1)}_{1} = \begin{bmatrix}") == 1
    one = sc.structure_latex(sc.Conv1d(2, 1, 2, bias=False).derive(input_size=(2, 3)))
    assert r"W^{(0,0)} & W^{(0,1)}" in one
    assert out == sc.structure_latex(d)


def test_plot_blocks_labels_sit_on_the_blocks_they_name() -> None:
    import re

    from symconv.rendering._structure_plot import plot_blocks

    x, w = ints(2, 3, 4), ints(3, 2, 2, 2)
    d = sc.Conv2d(2, 3, 2, bias=False).derive(x=x, weight=w)
    t = d.to_numpy()
    m1, m2, n1, n2 = 2, 3, 3, 4
    ax = plot_blocks(d)
    assert len(ax.texts) == 3 * 2 * 2 * 2  # per pair: kernel rows 0, 1 on 2 block rows each
    for text in ax.texts:
        q, c, j = map(int, re.fullmatch(r"\$W\^\{\((\d),(\d)\)\}_\{(\d)\}\$",
                                        text.get_text()).groups())
        xc, yc = text.get_position()
        br, bc = int(yc // m2), int(xc // n2)  # block row/column under the label
        assert (br // m1, bc // n1) == (q, c) and bc % n1 - br % m1 == j
        blk = t[br * m2:(br + 1) * m2, bc * n2:(bc + 1) * n2]
        assert np.array_equal(blk, _toeplitz_row(w[q, c, j], m2, n2))
    thick = [p for p in ax.patches if p.get_linewidth() > 1]
    assert len(thick) == 3 * 2  # one outline per channel pair
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.mark.parametrize("bad", [None, 5, "conv", np.eye(3), [1, 2, 3]])
def test_kronecker_form_and_diagonalize_refuse_a_non_derivation(bad) -> None:
    """Was an AttributeError ('... has no attribute spec'): a TypeError naming `d` and the type."""
    for f in (sc.kronecker_form, sc.diagonalize):
        with pytest.raises(TypeError, match=r"`d` must be a symconv Derivation.*got "
                           + type(bad).__name__):
            f(bad)


def test_kronecker_form_refuses_a_pooling_layer_by_type() -> None:
    """A pooling layer's derivation is not a convolution's Derivation (it has no spec)."""
    pool = sc.AvgPool1d(2).derive(x=np.arange(4.0).reshape(1, 4))
    for f in (sc.kronecker_form, sc.diagonalize):
        with pytest.raises(TypeError, match=r"`d` must be a symconv Derivation.*got "
                           r"TapLayerDerivation"):
            f(pool)
