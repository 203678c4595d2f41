"""Pictures: what they show (cells per weight, blanks, edges) against independent references."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import numpy as np
import pytest
import scipy.linalg
import sympy
from conftest import require_tikz

import symconv as sc

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _cells(ax):
    """``{gid: [face colours]}`` of the drawn cells (legend patches are not in ax.patches)."""
    out: dict[str, list[str]] = {}
    for p in ax.patches:
        out.setdefault(p.get_gid(), []).append(to_hex(p.get_facecolor(), keep_alpha=False))
    return out


def _scipy_matrix(op, w, n, mode):
    """T of a 1-D signal convolution from scipy.linalg.convolution_matrix."""
    kernel = np.asarray(w) if op == "convolve" else np.asarray(w)[::-1]
    return scipy.linalg.convolution_matrix(kernel, n, mode=mode)


def _torch_matrix(torch, layer_kwargs, size, weight):
    """Dense T of a 2-D torch conv: its response to every unit input."""
    c_in = layer_kwargs["in_channels"]
    n_in = c_in * size[0] * size[1]
    eye = torch.eye(n_in, dtype=torch.float64).reshape(n_in, c_in, *size)
    kw = {k: v for k, v in layer_kwargs.items() if k in ("stride", "padding", "dilation",
                                                         "groups")}
    out = torch.nn.functional.conv2d(eye, torch.tensor(weight), **kw)
    return out.reshape(n_in, -1).T.numpy()


SIGNAL_CASES = [("correlate", 4, 3, "valid"), ("convolve", 5, 3, "full"),
                ("convolve", 6, 4, "same"), ("correlate", 5, 2, "full")]


@pytest.mark.parametrize(("op", "n", "k", "mode"), SIGNAL_CASES)
def test_matrix_colours_per_weight_match_scipy_convolution_matrix(op, n, k, mode):
    w = 2.0 ** np.arange(k)  # distinct values: each entry of T names its weight
    ref = _scipy_matrix(op, w, n, mode)
    d = getattr(sc, op)(sympy.symarray("x", n), sympy.symarray("w", k), mode=mode)
    cells = _cells(sc.plot_matrix(d))
    for j in range(k):
        colours = cells.get(f"w:{j}", [])
        assert len(colours) == np.count_nonzero(ref == w[j])  # tie count of w_j
        assert set(colours) == {sc.rendering._plot.colour(j).lower()}  # one colour per weight
    assert len({c for cs in cells.values() for c in cs}) == k  # different weights differ
    n_drawn = sum(len(cs) for cs in cells.values())
    blank = ref.size - n_drawn
    assert blank == np.count_nonzero(ref == 0)  # blank cells are the structural zeros


CONV2D_CASES = [
    dict(in_channels=1, out_channels=1, kernel_size=2, size=(3, 3)),
    dict(in_channels=2, out_channels=2, kernel_size=2, size=(3, 4), stride=1, padding=1),
    dict(in_channels=2, out_channels=2, kernel_size=3, size=(5, 5), stride=2, groups=2),
]


def _conv2d(case):
    kwargs = {k: v for k, v in case.items() if k != "size"}
    layer = sc.Conv2d(**kwargs, bias=False)
    d = layer.derive(input_size=case["size"])
    weight = (2.0 ** np.arange(np.prod(layer.weight_shape))).reshape(layer.weight_shape)
    return kwargs, d, weight


@pytest.mark.parametrize("case", CONV2D_CASES)
def test_conv2d_matrix_and_gradient_cells_match_torch(torch, case):
    kwargs, d, weight = _conv2d(case)
    ref = _torch_matrix(torch, kwargs, case["size"], weight)
    flat = weight.reshape(-1)
    for which in ("matrix", "gradient"):
        cells = _cells(sc.plot_matrix(d, which))
        for j, value in enumerate(flat):
            assert len(cells.get(f"w:{j}", [])) == np.count_nonzero(ref == value)
        assert ref.size - sum(map(len, cells.values())) == np.count_nonzero(ref == 0)
        plt.close("all")


def test_gradient_grouping_matches_autograd(torch):
    """Cell (o, i) has weight k's colour iff dL/dw_k = 1 for g = e_o and x = e_i."""
    kwargs, d, weight = _conv2d(CONV2D_CASES[0])
    ax = sc.plot_matrix(d, "gradient")
    drawn = {(int(p.get_y()), int(p.get_x())): p.get_gid() for p in ax.patches}
    n_out, n_in = d.taps.n_out, d.taps.n_in
    w = torch.tensor(weight, requires_grad=True)
    for o in range(n_out):
        for i in range(n_in):
            x = torch.zeros(n_in, dtype=torch.float64)
            x[i] = 1
            y = torch.nn.functional.conv2d(x.reshape(1, 1, 3, 3), w).reshape(-1)
            (gw,) = torch.autograd.grad(y[o], w)
            ks = np.flatnonzero(gw.numpy().reshape(-1))
            assert drawn.get((o, i)) == (f"w:{ks[0]}" if ks.size else None)


def test_patches_cells_per_input_match_torch_unfold(torch):
    kwargs, d, _ = _conv2d(CONV2D_CASES[1])
    x = torch.arange(1, 1 + 2 * 3 * 4, dtype=torch.float64).reshape(1, 2, 3, 4)
    cols = torch.nn.functional.unfold(x, kernel_size=2, padding=1)  # (C*k*k, L)
    counts = Counter(cols.reshape(-1).to(torch.int64).tolist())
    cells = _cells(sc.plot_matrix(d, "patches"))
    # P has one block of rows per output channel (2 here), each reading the same patches
    for i in range(24):
        assert len(cells.get(f"x:{i}", [])) == 2 * counts[i + 1]
    # each row reads C*k*k slots; the padded ones are blank
    assert sum(map(len, cells.values())) == 2 * (cols.numel() - counts[0])


def test_folded_entries_are_drawn_as_sums():
    d = sc.Conv1d(1, 1, 3, padding=1, padding_mode="replicate", bias=False).derive(input_size=4)
    cells = _cells(sc.plot_matrix(d))
    # replicate padding folds the padded tap onto x_0 (row 0) and x_3 (row 3)
    assert len(cells["sum"]) == 2
    assert set(cells["sum"]) == {sc.rendering._plot.SUM_COLOUR.lower()}


@pytest.mark.parametrize(("op", "n", "k", "mode"), SIGNAL_CASES)
def test_connectivity_edges_1d(op, n, k, mode):
    w = 2.0 ** np.arange(k)
    ref = _scipy_matrix(op, w, n, mode)
    d = getattr(sc, op)(sympy.symarray("x", n), sympy.symarray("w", k), mode=mode)
    ax = sc.plot_connectivity(d)
    edges = {c.get_gid(): c for c in ax.collections}
    assert len(edges["inputs"].get_offsets()) == n
    assert len(edges["outputs"].get_offsets()) == ref.shape[0]
    total = 0
    for j in range(k):
        segs = edges[f"w:{j}"].get_segments()
        assert len(segs) == np.count_nonzero(ref == w[j])
        assert to_hex(edges[f"w:{j}"].get_color()[0], keep_alpha=False) == sc.rendering._plot.colour(j).lower()
        total += len(segs)
    assert total == np.count_nonzero(ref)  # one edge per product


def test_connectivity_edges_join_the_right_nodes():
    d = sc.correlate(sympy.symarray("x", 4), sympy.symarray("w", 3))
    ax = sc.plot_connectivity(d)
    coll = {c.get_gid(): c for c in ax.collections}
    xin, yout = coll["inputs"].get_offsets(), coll["outputs"].get_offsets()
    pairs = set()
    for j in range(3):
        for a, b in coll[f"w:{j}"].get_segments():
            i = int(np.argmin(np.linalg.norm(xin - a, axis=1)))
            o = int(np.argmin(np.linalg.norm(yout - b, axis=1)))
            pairs.add((o, i, j))
    # valid correlation: y_o = sum_j w_j x_{o+j}
    assert pairs == {(o, o + j, j) for o in range(2) for j in range(3)}


@pytest.mark.parametrize("case", CONV2D_CASES)
def test_connectivity_edges_2d_match_torch(torch, case):
    kwargs, d, weight = _conv2d(case)
    ref = _torch_matrix(torch, kwargs, case["size"], weight)
    ax = sc.plot_connectivity(d)
    coll = {c.get_gid(): c for c in ax.collections}
    for j, value in enumerate(weight.reshape(-1)):
        assert len(coll[f"w:{j}"].get_segments()) == np.count_nonzero(ref == value)
    assert len(coll["inputs"].get_offsets()) == ref.shape[1]
    assert len(coll["outputs"].get_offsets()) == ref.shape[0]


def test_connectivity_transposed_layer():
    d = sc.ConvTranspose1d(1, 1, 3, stride=2, bias=False).derive(input_size=3)
    ax = sc.plot_connectivity(d)
    coll = {c.get_gid(): c for c in ax.collections}
    assert len(coll["inputs"].get_offsets()) == 3
    assert len(coll["outputs"].get_offsets()) == 7  # (3 - 1) * 2 + 3
    assert sum(len(coll[f"w:{j}"].get_segments()) for j in range(3)) == 9
    assert len(np.unique(coll["outputs"].get_offsets(), axis=0)) == 7  # no node drawn twice


def test_plot_on_given_axes():
    fig, ax = plt.subplots()
    d = sc.convolve([1, 2, 3], [1, 1])
    assert sc.plot_matrix(d, ax=ax) is ax
    assert sc.plot_connectivity(d, ax=ax) is ax


def test_palette_colours_are_distinct():
    colours = [sc.rendering._plot.colour(k) for k in range(200)]
    n = len(sc.rendering._plot.PALETTE)
    assert len(set(colours[:n])) == n  # distinct within the palette (distances: test_palette)
    assert set(colours[n:]) == {"#595959"}  # then one grey: labels tell weights apart
    assert all(len(c) == 7 and c.startswith("#") for c in colours)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda d: sc.plot_matrix(d, "dense"), ValueError,
         r"`which` must be one of 'matrix', 'patches', 'gradient'; got 'dense'"),
        (lambda d: sc.to_tikz(d, "picture"), ValueError,
         r"`which` must be one of 'matrix', 'patches', 'gradient', 'connectivity'; got 'picture'"),
        (lambda d: sc.to_tikz(d, standalone="yes"), TypeError,
         r"`standalone` must be True or False, got 'yes'"),
    ],
)
def test_bad_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call(sc.convolve([1, 2, 3], [1, 1]))


def test_refuses_3d_and_huge_pictures():
    d3 = sc.Conv3d(1, 1, 2).derive(input_size=(2, 2, 2))
    with pytest.raises(ValueError, match=r"`d` must be a 1-D or 2-D convolution .* got 3-D"):
        sc.plot_connectivity(d3)
    big = sc.Conv2d(8, 8, 3).derive(input_size=(40, 40))
    with pytest.raises(ValueError, match=r"the matrix picture would draw [\d,]+ cells"):
        sc.plot_matrix(big)
    with pytest.raises(ValueError, match=r"the connectivity diagram would draw [\d,]+ edges"):
        sc.plot_connectivity(big)


# ------------------------------------------------------------------- TikZ


def test_tikz_cells_and_edges_counts_and_determinism():
    d = sc.correlate(sympy.symarray("x", 4), sympy.symarray("w", 3))
    code = sc.to_tikz(d)
    assert code == sc.to_tikz(d)  # deterministic
    for j in range(3):
        assert code.count(rf"\fill[scw{j}]") == 2
        assert rf"\definecolor{{scw{j}}}{{HTML}}{{{sc.rendering._plot.colour(j)[1:]}}}" in code
    assert r"\fill[scw0] (0,-1) rectangle (1,0);" in code
    graph = sc.to_tikz(d, "connectivity")
    assert graph.count(r"\draw[scw") == 6
    assert graph.count("circle (2pt)") == 4 + 2


def test_tikz_compiles(pdflatex, tmp_path):
    require_tikz()
    d = sc.Conv2d(1, 1, 2, bias=False).derive(input_size=(3, 3))
    for which in ("matrix", "patches", "gradient", "connectivity"):
        tex = tmp_path / f"{which}.tex"
        tex.write_text(sc.to_tikz(d, which, standalone=True))
        run = subprocess.run(
            [pdflatex, "-interaction=nonstopmode", "-halt-on-error", tex.name],
            cwd=tmp_path, capture_output=True, text=True, timeout=120,
        )
        assert run.returncode == 0, run.stdout[-2000:]
        assert (tmp_path / f"{which}.pdf").stat().st_size > 1000


def test_tikz_legends_and_sum_cells():
    d = sc.Conv1d(1, 1, 3, padding=1, padding_mode="replicate", bias=False).derive(input_size=4)
    code = sc.to_tikz(d)
    assert code.count(r"\path[fill=scw") == 3  # one legend entry per weight
    assert code.count(r"\fill[scsum]") == 2  # the two folded corner entries
    assert "w_{0,0,0} + w_{0,0,1}" in code
    graph = sc.to_tikz(d, "connectivity")
    assert graph.count(r"\path[draw=scw") == 3
    assert graph.count(r"\draw[scw") == 12  # 4 outputs x 3 taps, padded taps folded in


def test_missing_matplotlib_message(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)  # import now fails
    d = sc.convolve([1, 2], [1])
    with pytest.raises(ImportError, match=r'pip install "\.\[plot\]"'):
        sc.plot_matrix(d)
    from symconv.shell._cli import main

    assert main(["plot", "--x", "2", "--w", "1", "-o", "never.png"]) == 1
    err = capsys.readouterr().err
    assert 'pip install ".[plot]"' in err and "symconv[plot]" not in err
