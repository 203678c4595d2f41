"""Convolution-arithmetic pictures: the (stretched, padded) input grid, the kernel, the output.

Layer: rendering.  In the style of Dumoulin & Visin's diagrams, for a 2-D
one-channel derivation: the input grid the direct convolution slides over --
zero padding dashed, inserted zeros (a transposed convolution's stretched
input) white, input cells blue -- the cells the first output reads shaded with
the kernel, and the output grid beside it with its first cell shaded.  The
geometry is read from the derivation (its spec, and for a transposed layer
:func:`symconv.stretched_input`), never re-derived here.  :func:`arithmetic_tikz`
writes TikZ (deterministic text), :func:`plot_arithmetic` draws with matplotlib.
:func:`plot_blocks` draws ``T`` itself with its labelled block partition
(``core/_blocks.py``): block outlines, channel pairs outlined thick, labels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..core._stretch import stretched_input

if TYPE_CHECKING:
    from ..core._derivation import Derivation

PAD, ZERO, INPUT = 0, 1, 2


@dataclass(frozen=True)
class ArithmeticGrid:
    """What a D&V diagram shows, as arrays.

    Attributes
    ----------
    cells : numpy.ndarray
        ``(rows, cols)`` of ``PAD`` (zero padding), ``ZERO`` (inserted zero) or
        ``INPUT`` (an input element).
    reads : list of (int, int)
        Cells the first output reads (the kernel's taps at its first position).
    out_size : tuple of int
        The output grid's size.
    """

    cells: np.ndarray
    reads: list[tuple[int, int]]
    out_size: tuple[int, int]


def arithmetic_grid(d: Derivation) -> ArithmeticGrid:
    """The diagram of a 2-D convolution, pooling-like geometry or transposed convolution.

    Examples
    --------
    >>> import symconv as sc
    >>> g = arithmetic_grid(sc.ConvTranspose2d(1, 1, 3, stride=2).derive(input_size=(2, 2)))
    >>> g.cells[2].tolist(), g.out_size
    ([0, 0, 2, 1, 2, 0, 0], (5, 5))
    """
    s = d.spec
    if s.ndim != 2 or (s.has_channels and (s.in_channels != 1 or s.out_channels != 1)):
        raise ValueError(f"`d` must be a one-channel 2-D convolution for an arithmetic "
                         f"diagram, got {s.ndim}-D with weight shape {s.weight_shape}")
    if s.kind == "transpose":
        e = stretched_input(d)
        direct = e.derivation.spec
        stretched = np.array(e.operand.tolist(), dtype=object)[0]
        cells = np.full(stretched.shape, PAD, dtype=np.int64)
        spans = []
        for ax in range(2):
            lo = s.dilation[ax] * (s.kernel_size[ax] - 1) - s.padding[ax][0]
            spans.append((lo, s.stride[ax], s.out_size[ax]))
        (lo1, s1, n1), (lo2, s2, n2) = spans
        inside1 = np.arange(cells.shape[0]) - lo1
        inside2 = np.arange(cells.shape[1]) - lo2
        in1 = (inside1 >= 0) & (inside1 <= (n1 - 1) * s1)
        in2 = (inside2 >= 0) & (inside2 <= (n2 - 1) * s2)
        cells[np.ix_(in1, in2)] = ZERO
        hit1 = in1 & (inside1 % s1 == 0)
        hit2 = in2 & (inside2 % s2 == 0)
        cells[np.ix_(hit1, hit2)] = INPUT
        dil = direct.dilation
        out = direct.out_size
    else:
        rows = s.in_size[0] + s.padding[0][0] + s.padding[0][1]
        cols = s.in_size[1] + s.padding[1][0] + s.padding[1][1]
        cells = np.full((rows, cols), PAD, dtype=np.int64)
        cells[s.padding[0][0]:s.padding[0][0] + s.in_size[0],
              s.padding[1][0]:s.padding[1][0] + s.in_size[1]] = INPUT
        dil = s.dilation
        out = s.out_size
    k1, k2 = s.kernel_size
    reads = [(dil[0] * a, dil[1] * b) for a in range(k1) for b in range(k2)]
    return ArithmeticGrid(cells, reads, (int(out[0]), int(out[1])))


def _f(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".")


def arithmetic_tikz(d: Derivation, unit: float = 0.4) -> str:
    r"""A D&V-style ``tikzpicture``: input grid (padding dashed), kernel taps, output grid.

    Parameters
    ----------
    d : Derivation
        A one-channel 2-D convolution or transposed convolution.
    unit : float
        Cell size in cm.

    Returns
    -------
    str
        A ``tikzpicture`` environment (needs ``\usepackage{tikz}``); the same
        call gives the same bytes.

    Examples
    --------
    >>> import symconv as sc
    >>> tikz = sc.arithmetic_tikz(sc.Conv2d(1, 1, 3, padding=1).derive(input_size=(3, 3)))
    >>> tikz.splitlines()[0], tikz.count("dashed")
    ('\\begin{tikzpicture}[x=0.4cm, y=0.4cm]', 16)
    """
    g = arithmetic_grid(d)
    rows, cols = g.cells.shape
    style = {PAD: "draw=black!40, dashed, fill=white",
             ZERO: "draw=black!60, fill=white",
             INPUT: "draw=black!70, fill=blue!25"}
    lines = [r"\begin{tikzpicture}" + f"[x={_f(unit)}cm, y={_f(unit)}cm]"]
    for r in range(rows):
        for c in range(cols):
            y = rows - 1 - r
            kind = style[int(g.cells[r, c])]
            lines.append(rf"\draw[{kind}] ({c},{y}) rectangle ({c + 1},{y + 1});")
    for r, c in g.reads:
        y = rows - 1 - r
        lines.append(rf"\fill[black!55, opacity=0.45] ({c},{y}) rectangle ({c + 1},{y + 1});")
    m1, m2 = g.out_size
    x0 = cols + 2
    top = rows
    for r in range(m1):
        for c in range(m2):
            y = top - 1 - r
            fill = "black!55" if (r, c) == (0, 0) else "cyan!20"
            lines.append(rf"\draw[draw=black!70, fill={fill}] ({x0 + c},{y}) rectangle "
                         rf"({x0 + c + 1},{y + 1});")
    lines.append(rf"\draw[->, thick] ({cols + 0.3},{_f(top - 0.5)}) -- "
                 rf"({x0 - 0.3},{_f(top - 0.5)});")
    lines.append(r"\end{tikzpicture}")
    return "\n".join(lines)


def plot_arithmetic(d: Derivation, ax: Any = None) -> Any:
    """Draw the D&V-style diagram of :func:`arithmetic_tikz` with matplotlib.

    Parameters
    ----------
    d : Derivation
        A one-channel 2-D convolution or transposed convolution.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import symconv as sc
    >>> ax = sc.plot_arithmetic(sc.ConvTranspose2d(1, 1, 3, stride=2).derive(input_size=(2, 2)))
    >>> len(ax.patches)
    83
    """
    try:
        import matplotlib.pyplot as plt
        from matplotlib.patches import Rectangle
    except ImportError:  # pragma: no cover - exercised only without matplotlib
        raise ImportError("symconv's pictures need matplotlib: pip install matplotlib") from None
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3))
    g = arithmetic_grid(d)
    rows, cols = g.cells.shape
    face = {PAD: "white", ZERO: "white", INPUT: "#bcd0f5"}
    for r in range(rows):
        for c in range(cols):
            kind = int(g.cells[r, c])
            ax.add_patch(Rectangle((c, rows - 1 - r), 1, 1, facecolor=face[kind],
                                   edgecolor="0.5", linestyle="--" if kind == PAD else "-"))
    for r, c in g.reads:
        ax.add_patch(Rectangle((c, rows - 1 - r), 1, 1, facecolor="0.3", alpha=0.45))
    m1, m2 = g.out_size
    x0 = cols + 2
    for r in range(m1):
        for c in range(m2):
            ax.add_patch(Rectangle((x0 + c, rows - 1 - r), 1, 1, edgecolor="0.3",
                                   facecolor="0.35" if (r, c) == (0, 0) else "#d6f1f5"))
    ax.set_xlim(-0.5, x0 + m2 + 0.5)
    ax.set_ylim(min(0, rows - m1) - 0.5, rows + 0.5)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def _mathtext_label(key: tuple[int, ...], channels: bool) -> str:
    if not channels:
        return "$W_{" + ",".join(map(str, key)) + "}$"
    tail = "_{" + ",".join(map(str, key[2:])) + "}" if key[2:] else ""
    return "$W^{(" + f"{key[0]},{key[1]}" + ")}" + tail + "$"


def plot_blocks(d: Derivation, ax: Any = None) -> Any:
    """Draw ``T``'s nonzero pattern with its labelled block partition (matplotlib).

    Blocks are those of :func:`symconv.core._blocks.block_partition` (and of
    ``structure_latex``): thin outlines around every block, thick ones around
    each channel pair, and each nonzero block labelled ``W_j``, ``W^{(q,c)}_j``
    or ``W^{(q,c)}`` at its centre.  Deterministic: same call, same artists.

    Parameters
    ----------
    d : Derivation
        A derivation with two or more spatial axes or with channels.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import sympy, symconv as sc
    >>> from symconv.rendering._structure_plot import plot_blocks
    >>> ax = plot_blocks(sc.correlate(sympy.symarray("x", (3, 3)), sympy.symarray("w", (2, 2))))
    >>> [t.get_text() for t in ax.texts]
    ['$W_{0}$', '$W_{1}$', '$W_{0}$', '$W_{1}$']
    """
    try:
        import matplotlib.pyplot as plt
        from matplotlib.patches import Rectangle
    except ImportError:  # pragma: no cover - exercised only without matplotlib
        raise ImportError("symconv's pictures need matplotlib: pip install matplotlib") from None
    from ..core._blocks import block_partition

    bp = block_partition(d)
    t = d.matrix
    rows, cols = t.shape
    if ax is None:
        _, ax = plt.subplots(figsize=(min(12.0, 1 + cols * 0.3), min(9.0, 1 + rows * 0.3)))
    nz = np.array([[t[r, c] != 0 for c in range(cols)] for r in range(rows)], dtype=float)
    ax.imshow(nz, cmap="Greys", vmin=0, vmax=2.5, interpolation="nearest",
              extent=(0, cols, rows, 0))
    h, w = bp.block_shape
    per_r = len(bp.grid) // bp.channel_shape[0]
    per_c = len(bp.grid[0]) // bp.channel_shape[1]
    for r, row in enumerate(bp.grid):
        for c, keys in enumerate(row):
            ax.add_patch(Rectangle((c * w, r * h), w, h, fill=False, edgecolor="0.55",
                                   linewidth=0.6))
            if keys:
                label = "+".join(_mathtext_label(k, bp.channels) for k in keys)
                ax.text(c * w + w / 2, r * h + h / 2, label, ha="center", va="center",
                        fontsize=9, color="#1f3f8f",
                        bbox={"facecolor": "white", "alpha": 0.75, "edgecolor": "none",
                              "pad": 1})
    if bp.channels:
        for q in range(bp.channel_shape[0]):
            for c in range(bp.channel_shape[1]):
                ax.add_patch(Rectangle((c * per_c * w, q * per_r * h), per_c * w, per_r * h,
                                       fill=False, edgecolor="black", linewidth=1.8))
    ax.set_xlim(0, cols)
    ax.set_ylim(rows, 0)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(f"T ({rows} x {cols}) in blocks of {h} x {w}")
    return ax
