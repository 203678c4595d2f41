"""Pictures of a convolution: the matrix grids and the connectivity diagram.

Layer: rendering. Over 400 lines: two geometries (grid, graph) and two renderers
(matplotlib, TikZ) that must stay in step.

Two small geometry builders read the tap table, ``_cells`` (a grid: which
colour, which label in which cell) and ``_graph`` (nodes and one edge per
product); two renderers draw them, with matplotlib (imported lazily, an
optional extra) or as TikZ code.  Colours are fixed per weight index, so the
same weight has the same colour in every picture.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import sympy

from ..boundary._limits import LABEL_CELLS, MAX_CELLS, MAX_EDGES
from ..boundary._spec import check_choice
from ..core._derivation import Derivation
from . import _palette, _tex
from ._names import DEFAULT, Names

if TYPE_CHECKING:
    from matplotlib.axes import Axes

Which = Literal["matrix", "patches", "gradient"]
WHICH: tuple[str, ...] = ("matrix", "patches", "gradient")

#: The one palette (symconv.rendering._palette): weight ``k`` gets ``PALETTE[k]``, weights
#: past it one dark grey (their labels tell them apart); a sum of weights is light grey.
PALETTE: tuple[str, ...] = _palette.PALETTE
SUM_COLOUR = _palette.SUM

# Drawing refuses more than MAX_CELLS cells (matrix pictures) or MAX_EDGES products
# (connectivity); grids over LABEL_CELLS cells have no text labels (boundary._limits).



def colour(k: int) -> str:
    """The fixed colour (``#RRGGBB``) of weight ``k`` (see :mod:`symconv.rendering._palette`).

    Examples
    --------
    >>> colour(0), colour(1), colour(20)
    ('#0072B2', '#D55E00', '#595959')
    """
    return _palette.colour(k)


def label(v: Any, names: Names = DEFAULT) -> str:
    """Math-mode LaTeX of one value: ``x_0_1`` becomes ``x_{0,1}`` (under ``names``).

    The names and the index base are :class:`symconv.rendering._names.Names`, the
    printer LaTeX, the text report, the CLI and the hand checker use too.

    Examples
    --------
    >>> import sympy
    >>> label(sympy.Symbol("w_0_1_2")), label(sympy.Rational(-1, 2))
    ('w_{0,1,2}', '- \\\\frac{1}{2}')
    >>> label(sympy.Symbol("w_0_1_2"), Names.of("aWz", 1))
    'W_{1,2,3}'
    """
    return names.value(v)


def _product(a: Any, b: Any, names: Names) -> str:
    """``g_{0}\\,x_{1}``, or ``g_{0} \\cdot 2`` when a factor is a number."""
    if isinstance(a, sympy.Number) or isinstance(b, sympy.Number):
        return rf"{label(a, names)} \cdot {label(b, names)}"
    return rf"{label(a, names)}\,{label(b, names)}"


# ------------------------------------------------------------------ geometry


@dataclass(frozen=True)
class Cells:
    """A grid picture: cell ``(rows[j], cols[j])`` has colour group ``group[j]``.

    ``group`` is a weight (or, for ``patches``, an input) index, or -1 for an
    entry that sums several weights.  Cells not listed are structural zeros.
    """

    shape: tuple[int, int]
    rows: np.ndarray
    cols: np.ndarray
    group: np.ndarray
    labels: list[str]
    row_labels: list[str]
    col_labels: list[str]
    legend: list[tuple[int, str]]
    title: str


def _cells(d: Derivation, which: str, names: Names = DEFAULT) -> Cells:
    check_choice("which", which, WHICH)
    t = d.taps
    if which == "patches":
        n_cells = len(t)
        shape = (t.n_out, t.n_weight)
    else:
        rows, cols, entry_of_tap = t.entries
        n_cells = int(rows.size)
        shape = (t.n_out, t.n_in)
    if n_cells > MAX_CELLS:
        raise ValueError(
            f"the {which} picture would draw {n_cells:,} cells (limit {MAX_CELLS:,}); "
            "choose a smaller input or layer"
        )
    xs, ws = d.flat_input, d.flat_weight
    y_names = [_output_label(o, t.out_shape, names) for o in range(t.n_out)]
    lab = names.value
    x, w, y = (names.letter(r) for r in ("x", "w", "y"))
    if which == "patches":
        order = np.lexsort((t.k, t.o))
        rows, cols, group = t.o[order], t.k[order], t.i[order].astype(np.int64)
        labels = [lab(xs[i]) for i in group.tolist()]
        inputs = sorted(set(group.tolist()))
        p = names.letter("P")
        return Cells(
            shape, rows.astype(np.int64), cols.astype(np.int64), group, labels, y_names,
            [lab(v) for v in ws], [(i, lab(xs[i])) for i in inputs],
            rf"patch matrix ${p}$: $\mathrm{{vec}}({y}) = {p}\,\mathrm{{vec}}({w})$; "
            "one colour per input",
        )
    # One weight per entry, or -1 where several taps fold onto one entry.
    n = int(rows.size)
    group = np.full(n, -1, dtype=np.int64)
    count = np.bincount(entry_of_tap, minlength=n)
    group[entry_of_tap] = t.k
    group[count > 1] = -1
    if which == "gradient":
        g_flat = d.gradient().flat_output
        labels = [_product(g_flat[o], xs[i], names)
                  for o, i in zip(rows.tolist(), cols.tolist())]
        g = names.letter("g")
        title = (rf"$G = {g}\,{x}^\top$: entries of one colour sum into that weight's "
                 "gradient")
    else:
        labels = []
        for k in group.tolist():
            labels.append(lab(ws[k]) if k >= 0 else "")
        if np.any(group < 0):  # an entry that sums weights shows the sum
            parts: list[list[int]] = [[] for _ in range(n)]
            for e, k in zip(entry_of_tap.tolist(), t.k.tolist()):
                parts[e].append(k)
            labels = [text if k >= 0 else " + ".join(lab(ws[j]) for j in parts[e])
                      for e, (text, k) in enumerate(zip(labels, group.tolist()))]
        tm = names.letter("T")
        title = (rf"layer matrix ${tm}$: $\mathrm{{vec}}({y}) = {tm}\,\mathrm{{vec}}({x})$; "
                 "one colour per weight")
    used = sorted(set(t.k.tolist()))
    return Cells(
        shape, rows.astype(np.int64), cols.astype(np.int64), group, labels, y_names,
        [lab(v) for v in xs], [(k, lab(ws[k])) for k in used], title,
    )


@dataclass(frozen=True)
class Graph:
    """Connectivity: node positions and one edge per product, grouped by weight."""

    inputs: np.ndarray  # (n_in, 2)
    outputs: np.ndarray  # (n_out, 2)
    edges: dict[int, np.ndarray]  # weight index -> (n, 2, 2) segments
    input_labels: list[str]
    output_labels: list[str]
    weight_labels: dict[int, str]


def _graph(d: Derivation, names: Names = DEFAULT) -> Graph:
    t = d.taps
    s = d.spec
    nd = s.ndim
    if nd > 2:
        raise ValueError(
            f"`d` must be a 1-D or 2-D convolution for a connectivity diagram, got {nd}-D"
        )
    if len(t) > MAX_EDGES:
        raise ValueError(
            f"the connectivity diagram would draw {len(t):,} edges (limit {MAX_EDGES:,}); "
            "choose a smaller input or layer"
        )
    in_shape = t.in_shape if s.has_channels else (1, *t.in_shape)
    out_shape = t.out_shape if s.has_channels else (1, *t.out_shape)
    c_in = np.array(np.unravel_index(np.arange(t.n_in), in_shape), dtype=float).T
    c_out = _output_coords(t.o, t.i, c_in, out_shape, in_shape)
    height = 2.0 if nd == 1 else 0.9 * in_shape[1] + 3.5
    p_in = _project(c_in, in_shape, 0.0)
    p_out = _project(c_out, in_shape, height)
    edges = {}
    for k in sorted(set(t.k.tolist())):
        sel = t.k == k
        seg = np.stack([p_in[t.i[sel]], p_out[t.o[sel]]], axis=1)
        edges[int(k)] = seg
    xs, ws = d.flat_input, d.flat_weight
    return Graph(
        p_in, p_out, edges, [names.value(v) for v in xs],
        [_output_label(o, t.out_shape, names) for o in range(t.n_out)],
        {k: names.value(ws[k]) for k in edges},
    )


def _output_label(flat: int, shape: tuple[int, ...], names: Names) -> str:
    """``y_{0,1}`` of output ``flat`` (C order) under ``names``."""
    return names.indexed("y", np.unravel_index(flat, shape))


def _output_coords(
    o: np.ndarray,
    i: np.ndarray,
    c_in: np.ndarray,
    out_shape: tuple[int, ...],
    in_shape: tuple[int, ...],
) -> np.ndarray:
    """``(channel, *position)`` of each output, positions in input coordinates.

    An output sits over the centre of the inputs it reads; when two outputs of
    a channel would coincide (or one reads nothing), the outputs are spread
    evenly over the input's extent instead.
    """
    n_out = int(np.prod(out_shape))
    grid = np.array(np.unravel_index(np.arange(n_out), out_shape), dtype=float).T
    counts = np.bincount(o, minlength=n_out)
    coords = grid.copy()
    if np.all(counts > 0):
        for axis in range(1, grid.shape[1]):
            coords[:, axis] = np.bincount(o, weights=c_in[i, axis], minlength=n_out) / counts
        if len(np.unique(np.round(coords, 9), axis=0)) == n_out:
            if grid.shape[1] == 2:
                return coords
            # 2-D: a unit-spaced output grid, centred over the centre of its inputs
            centre = coords[:, 1:].mean(axis=0)
            coords[:, 1:] = grid[:, 1:] - grid[:, 1:].mean(axis=0) + centre
            return coords
    for axis in range(1, grid.shape[1]):
        n, m = in_shape[axis], out_shape[axis]
        coords[:, axis] = (n - 1) / 2 if m == 1 else grid[:, axis] * (n - 1) / (m - 1)
    return coords


def _project(coords: np.ndarray, in_shape: tuple[int, ...], level: float) -> np.ndarray:
    """Drawing positions: 1-D on a row, 2-D on a grid seen from an angle; channels side by side."""
    pos = np.zeros((coords.shape[0], 2))
    if coords.shape[1] == 2:
        pos[:, 0] = coords[:, 0] * (in_shape[1] + 1) + coords[:, 1]
        pos[:, 1] = level
        return pos
    h, w = in_shape[1], in_shape[2]
    gap = 1.6  # node spacing within a plane
    depth = 0.9 * (h - 1 - coords[:, 1])
    pos[:, 0] = coords[:, 0] * (gap * w + 0.9 * h + 1.5) + gap * coords[:, 2] + depth
    pos[:, 1] = level + depth
    return pos


# ------------------------------------------------------------ matplotlib


def pyplot() -> Any:
    """``matplotlib.pyplot``, or an ImportError that says how to install it."""
    return _pyplot()


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover - exercised only without matplotlib
        raise ImportError(
            "symconv's pictures need matplotlib: pip install \".[plot]\" in a symconv "
            "checkout (or pip install matplotlib)"
        ) from None
    return plt


def _math(text: str) -> str:
    return f"${text}$" if text else ""


def plot_matrix(d: Derivation, which: Which = "matrix", ax: Axes | None = None, *,
                names: Any = "xwb", index_base: int = 0) -> Axes:
    """Draw T, P or the gradient grouping as a grid: one colour per weight, zeros blank.

    Parameters
    ----------
    d : Derivation
    which : {"matrix", "patches", "gradient"}
        ``"matrix"``: the layer matrix T, each entry coloured by its weight, so
        tied entries share a colour and structural zeros stay blank (an entry
        holding a sum of weights, from reflect/replicate/circular padding, is
        light grey).  ``"patches"``: the im2col matrix P, each entry
        coloured by its input (an input read by many outputs repeats).
        ``"gradient"``: the entries ``g_o x_i`` of ``G = g x^T``, coloured by the
        weight whose gradient they sum into.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    names : str or mapping, optional
        The letters of the labels, as for :func:`symconv.to_latex`: ``"xwb"``
        (default), ``"aWz"`` (input ``a``, weight ``W``, output ``z``) or a mapping
        of roles to names such as ``{"x": "u"}``.
    index_base : {0, 1}
        Add this to every printed index (``index_base=1``: ``w_{1}`` is the first
        weight).  The gids stay 0-based.

    Returns
    -------
    matplotlib.axes.Axes
        Each drawn cell is a ``Rectangle`` whose gid is ``"w:k"`` (weight
        ``k``; ``"x:i"`` for input ``i`` in ``patches``) or ``"sum"``.

    Raises
    ------
    ValueError
        Unknown ``which``, or more than ``MAX_CELLS`` cells to draw; unknown
        ``names`` or an ``index_base`` other than 0 or 1.
    ImportError
        Without matplotlib (``pip install ".[plot]"`` in a checkout).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import symconv as sc
    >>> ax = sc.plot_matrix(sc.correlate([1, 2, 3, 4], [5, 6, 7]))
    >>> sorted(p.get_gid() for p in ax.patches)
    ['w:0', 'w:0', 'w:1', 'w:1', 'w:2', 'w:2']
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    cells = _cells(d, which, Names.of(names, index_base))
    plt = _pyplot()
    from matplotlib.patches import Patch, Rectangle

    n_rows, n_cols = cells.shape
    if ax is None:
        size = 0.42 if n_rows * n_cols <= LABEL_CELLS else 0.12
        _, ax = plt.subplots(
            figsize=(min(max(2.5 + n_cols * size, 4), 16), min(max(1.5 + n_rows * size, 2.5), 16))
        )
    prefix = "x" if which == "patches" else "w"
    for r, c, g in zip(cells.rows.tolist(), cells.cols.tolist(), cells.group.tolist()):
        face = colour(g) if g >= 0 else SUM_COLOUR
        rect = Rectangle((c, r), 1, 1, facecolor=face, edgecolor="white", linewidth=0.6)
        rect.set_gid(f"{prefix}:{g}" if g >= 0 else "sum")
        ax.add_patch(rect)
    small = n_rows * n_cols <= LABEL_CELLS
    if small:
        for r, c, g, text in zip(cells.rows.tolist(), cells.cols.tolist(),
                                 cells.group.tolist(), cells.labels):
            vis = _visible(text)
            font = 9 if vis <= 6 else 7 if vis <= 10 else 5
            ax.text(c + 0.5, r + 0.5, _math(text), ha="center", va="center",
                    color="white" if g >= 0 else "black", fontsize=font)
        ax.set_xticks(np.arange(n_cols) + 0.5, [_math(v) for v in cells.col_labels],
                      fontsize=8)
        ax.set_yticks(np.arange(n_rows) + 0.5, [_math(v) for v in cells.row_labels],
                      fontsize=8)
    else:
        ax.set_xticks([])
        ax.set_yticks([])
    ax.set_xticks(np.arange(n_cols + 1), minor=True)
    ax.set_yticks(np.arange(n_rows + 1), minor=True)
    ax.grid(which="minor", color="#DDDDDD", linewidth=0.5)
    ax.tick_params(which="both", length=0)
    ax.set_xlim(0, n_cols)
    ax.set_ylim(n_rows, 0)
    ax.set_aspect("equal")
    ax.xaxis.tick_top()
    ax.set_title(cells.title, fontsize=10, pad=18 if small else 6)
    if len(cells.legend) <= len(PALETTE):
        handles = [Patch(facecolor=colour(k), label=_math(text)) for k, text in cells.legend]
        if np.any(cells.group < 0):
            handles.append(Patch(facecolor=SUM_COLOUR, label="sum of weights"))
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8,
                  frameon=False)
    return ax


def plot_connectivity(d: Derivation, ax: Axes | None = None, *, names: Any = "xwb",
                      index_base: int = 0) -> Axes:
    """Draw inputs, outputs and one edge per product, coloured by its weight.

    Inputs sit at the bottom, outputs at the top; a 1-D convolution draws them as
    two rows (channels side by side), a 2-D one as two grids seen from an angle.
    Sparse connectivity (each output reads a few inputs) and weight sharing (one
    colour on many edges) show at a glance.

    Parameters
    ----------
    d : Derivation
        A 1-D or 2-D convolution (signal or layer) with at most ``MAX_EDGES``
        products.
    ax : matplotlib.axes.Axes, optional
    names : str or mapping, optional
        The letters of the labels, as for :func:`symconv.to_latex`: ``"xwb"``
        (default), ``"aWz"`` (input ``a``, weight ``W``, output ``z``) or a mapping
        of roles to names such as ``{"x": "u"}``.
    index_base : {0, 1}
        Add this to every printed index (``index_base=1``: ``w_{1}`` is the first
        weight).  The gids stay 0-based.

    Returns
    -------
    matplotlib.axes.Axes
        One ``LineCollection`` per weight (gid ``"w:k"``, one segment per
        product), and two node collections (gids ``"inputs"``, ``"outputs"``).

    Raises
    ------
    ValueError
        For 3-D convolutions or too many products; bad ``names`` or ``index_base``.
    ImportError
        Without matplotlib.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import symconv as sc
    >>> ax = sc.plot_connectivity(sc.correlate([1, 2, 3, 4], [5, 6, 7]))
    >>> sorted((c.get_gid(), len(c.get_segments())) for c in ax.collections
    ...        if c.get_gid().startswith("w:"))
    [('w:0', 2), ('w:1', 2), ('w:2', 2)]
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    gr = _graph(d, Names.of(names, index_base))
    plt = _pyplot()
    from matplotlib.collections import LineCollection

    pts = np.concatenate([gr.inputs, gr.outputs])
    width = float(np.ptp(pts[:, 0])) + 2
    height = float(np.ptp(pts[:, 1])) + 2
    if ax is None:
        scale = 0.55
        _, ax = plt.subplots(figsize=(min(max(width * scale + 2, 4), 16),
                                      min(max(height * scale, 2.5), 12)))
    for k, seg in gr.edges.items():
        lc = LineCollection(list(seg), colors=colour(k), linewidths=1.6, alpha=0.85,
                            label=_math(gr.weight_labels[k]), zorder=1)
        lc.set_gid(f"w:{k}")
        ax.add_collection(lc)
    for name, pos, labels, va, dy in (("inputs", gr.inputs, gr.input_labels, "top", -0.25),
                                      ("outputs", gr.outputs, gr.output_labels, "bottom", 0.25)):
        sc = ax.scatter(pos[:, 0], pos[:, 1], s=60, c="white", edgecolors="black", zorder=2)
        sc.set_gid(name)
        if len(pos) <= 80:
            for (px, py), text in zip(pos.tolist(), labels):
                ax.text(px, py + dy, _math(text), ha="center", va=va, fontsize=8)
    ax.set_xlim(pts[:, 0].min() - 1, pts[:, 0].max() + 1)
    ax.set_ylim(pts[:, 1].min() - 1, pts[:, 1].max() + 1)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("one edge per product, coloured by its weight", fontsize=10)
    if len(gr.edges) <= len(PALETTE):
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    return ax


# ------------------------------------------------------------------- TikZ


def _num(v: float) -> str:
    text = f"{v:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _colour_defs(indices: list[int]) -> list[str]:
    defs = [_tex.command("definecolor", f"scw{k}", "HTML", colour(k)[1:]) for k in indices]
    defs.append(_tex.command("definecolor", "scsum", "HTML", SUM_COLOUR[1:]))
    return defs


def to_tikz(
    d: Derivation,
    which: Literal["matrix", "patches", "gradient", "connectivity"] = "matrix",
    *,
    standalone: bool = False,
    names: Any = "xwb",
    index_base: int = 0,
) -> str:
    r"""The matrix grid or the connectivity diagram as TikZ code, for papers.

    The pictures of :func:`plot_matrix` and :func:`plot_connectivity` with the
    same colours (defined with ``\definecolor`` as ``scw0``, ``scw1``...).  Needs
    ``\usepackage{tikz}`` (TeX Live's ``texlive-pictures``).

    Parameters
    ----------
    d : Derivation
    which : {"matrix", "patches", "gradient", "connectivity"}
    standalone : bool
        Return a complete document that compiles with ``pdflatex`` instead of
        the bare ``tikzpicture`` environment.
    names : str or mapping, optional
        The letters of the labels, as for :func:`symconv.to_latex`: ``"xwb"``
        (default), ``"aWz"`` (input ``a``, weight ``W``, output ``z``) or a mapping
        of roles to names such as ``{"x": "u"}``.
    index_base : {0, 1}
        Add this to every printed index (``index_base=1``: ``w_{1}`` is the first
        weight).  The gids stay 0-based.

    Returns
    -------
    str
        Deterministic TikZ code (byte-identical for the same derivation).

    Raises
    ------
    ValueError
        Unknown ``which``, too large a picture, or a 3-D connectivity diagram; bad
        ``names`` or ``index_base``.

    Examples
    --------
    >>> import symconv as sc
    >>> code = sc.to_tikz(sc.correlate([1, 2, 3, 4], [5, 6, 7]))
    >>> print(code.splitlines()[0])
    \begin{tikzpicture}[x=6mm, y=6mm]
    >>> code.count(r"\fill[scw")
    6
    """
    check_choice("which", which, (*WHICH, "connectivity"))
    if not isinstance(standalone, bool):
        raise TypeError(f"`standalone` must be True or False, got {standalone!r}")
    nm = Names.of(names, index_base)
    if which == "connectivity":
        body, unit = _tikz_graph(d, nm), 6
    else:
        cells = _cells(d, which, nm)
        unit = _cell_mm(cells)
        body = _tikz_cells(cells, unit)
    picture = _tex.environment("tikzpicture", "\n".join(body)).replace(
        r"\begin{tikzpicture}", rf"\begin{{tikzpicture}}[x={unit}mm, y={unit}mm]", 1
    )
    if not standalone:
        return picture
    return "\n".join([
        _tex.command("documentclass", "article"),
        _tex.command("usepackage", "amsmath"),  # \text in escaped labels
        _tex.command("usepackage", "tikz"),
        _tex.command("pagestyle", "empty"),
        _tex.environment("document", picture),
        "",
    ])


def _visible(text: str) -> int:
    """Roughly how many characters a math label prints."""
    return len(re.sub(r"\\[A-Za-z]+|[{}_^ ]", "", text))


#: Width of one printed label character at ``\tiny``, in mm (generous).
_CHAR_MM = 1.4


def _cell_mm(cells: Cells) -> int:
    """Cell size: wide enough for the typical label, 6 to 14 mm."""
    lengths = sorted(_visible(t) for t in cells.labels if t) or [1]
    typical = lengths[len(lengths) // 2]
    return int(min(14, max(6, np.ceil(_CHAR_MM * typical + 2))))


def _fit(text: str, unit: int) -> str:
    r"""``$text$``, shrunk with ``\scalebox`` when it is wider than a cell."""
    math = f"${text}$"
    need = _CHAR_MM * _visible(text) + 1
    if need <= unit:
        return math
    return _tex.command("scalebox", _num(max(unit / need, 0.3)), math)


def _tikz_cells(cells: Cells, unit: int) -> list[str]:
    n_rows, n_cols = cells.shape
    lines = _colour_defs(sorted({int(g) for g in cells.group.tolist() if g >= 0}))
    small = n_rows * n_cols <= LABEL_CELLS
    for r, c, g, text in zip(cells.rows.tolist(), cells.cols.tolist(), cells.group.tolist(),
                             cells.labels):
        fill = f"scw{g}" if g >= 0 else "scsum"
        lines.append(rf"\fill[{fill}] ({c},{-r - 1}) rectangle ({c + 1},{-r});")
        if small and text:
            ink = "white" if g >= 0 else "black"
            lines.append(rf"\node[text={ink}, font=\tiny] at ({_num(c + 0.5)},"
                         rf"{_num(-r - 0.5)}) {{{_fit(text, unit)}}};")
    lines.append(rf"\draw[gray!40, very thin, step=1] (0,{-n_rows}) grid ({n_cols},0);")
    if small:
        for c, text in enumerate(cells.col_labels):
            lines.append(rf"\node[above, font=\tiny] at ({_num(c + 0.5)},0) {{${text}$}};")
        for r, text in enumerate(cells.row_labels):
            lines.append(rf"\node[left, font=\tiny] at (0,{_num(-r - 0.5)}) {{${text}$}};")
    if len(cells.legend) <= len(PALETTE):
        for j, (k, text) in enumerate(cells.legend):
            y = -0.8 * j - 0.6
            lines.append(rf"\path[fill=scw{k}] ({n_cols + 0.6},{_num(y)}) rectangle "
                         rf"+(0.5,0.4) node[right, font=\tiny, yshift=-2mm] {{${text}$}};")
    return lines


def _tikz_graph(d: Derivation, names: Names) -> list[str]:
    gr = _graph(d, names)
    lines = _colour_defs(sorted(gr.edges))
    for k, seg in gr.edges.items():
        for (x0, y0), (x1, y1) in seg.tolist():
            lines.append(rf"\draw[scw{k}, thick] ({_num(x0)},{_num(y0)}) -- "
                         rf"({_num(x1)},{_num(y1)});")
    for pos, labels, side in ((gr.inputs, gr.input_labels, "below"),
                              (gr.outputs, gr.output_labels, "above")):
        for (x, y), text in zip(pos.tolist(), labels):
            lines.append(rf"\filldraw[fill=white, draw=black] ({_num(x)},{_num(y)}) "
                         rf"circle (2pt) node[{side}, font=\tiny] {{${text}$}};")
    if len(gr.edges) <= len(PALETTE):
        right = float(max(gr.inputs[:, 0].max(), gr.outputs[:, 0].max())) + 1
        top = float(max(gr.inputs[:, 1].max(), gr.outputs[:, 1].max()))
        for j, k in enumerate(gr.edges):
            y = top - 0.6 * j
            lines.append(rf"\path[draw=scw{k}, thick] ({_num(right)},{_num(y)}) -- "
                         rf"+(0.6,0) node[right, font=\tiny] {{${gr.weight_labels[k]}$}};")
    return lines
