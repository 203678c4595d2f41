"""The dense layer's edges over a linear layer's: removed and shared edges (rendering layer).

Inputs sit on the bottom row, outputs on the top row (flat C-order indices).
Every pair ``(o, i)`` is an edge of the dense layer.  An edge the layer
*removes* (a structural zero ``W[o, i] = 0``) is drawn thin, grey and dashed;
an edge it keeps is drawn in the colour of its value, so edges that *share a
weight* (ties ``W[o, i] = w[k]``) have one colour.  Built from
:class:`symconv.DenseConstraints`, so it works for convolutions, locally
connected, tiled and average-pooling layers alike.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..boundary._limits import MAX_DENSE_EDGES
from ._names import Names
from ._plot import PALETTE, colour, label

__all__ = ["MAX_DENSE_EDGES", "plot_dense_overlay"]

# Dense edges (outputs x inputs) above MAX_DENSE_EDGES: refused (reason: boundary._limits).


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover - matplotlib is a test dependency
        raise ImportError(
            "symconv's pictures need matplotlib: pip install \".[plot]\" in a symconv "
            "checkout (or pip install matplotlib)"
        ) from None
    return plt


def plot_dense_overlay(d: Any, ax: Any = None, *, names: Any = "xwb",
                       index_base: int = 0) -> Any:
    """Draw the dense layer's edges over a linear layer's: removed edges and shared weights.

    Parameters
    ----------
    d : Derivation or a linear layer derivation
        Anything :func:`symconv.dense_constraints` accepts, with at most
        ``MAX_DENSE_EDGES`` dense edges.
    ax : matplotlib.axes.Axes, optional
    names : str or mapping, optional
        The letters of the legend's weights, as for :func:`symconv.plot_matrix`.
    index_base : {0, 1}
        Add this to every printed index.

    Returns
    -------
    matplotlib.axes.Axes
        A ``LineCollection`` with gid ``"removed"`` (one segment per structural
        zero), one per distinct value with gid ``"tie:n"`` (one segment per entry
        holding it, in order of first appearance), and node collections
        ``"inputs"`` and ``"outputs"``.

    Raises
    ------
    ValueError
        Too many dense edges; bad ``names`` or ``index_base``.
    TypeError
        ``d`` has no layer matrix.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import symconv as sc, sympy
    >>> ax = sc.plot_dense_overlay(sc.correlate(sympy.symarray("x", 4), sympy.symarray("w", 3)))
    >>> sorted((c.get_gid(), len(c.get_segments())) for c in ax.collections
    ...        if c.get_gid() not in ("inputs", "outputs"))
    [('removed', 2), ('tie:0', 2), ('tie:1', 2), ('tie:2', 2)]
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    from ..core._dense import dense_constraints

    nm = Names.of(names, index_base)
    matrix = getattr(d, "matrix", None)
    shape = getattr(matrix, "shape", None)
    if shape is not None and shape[0] * shape[1] > MAX_DENSE_EDGES:
        raise ValueError(
            f"the dense layer has {shape[0] * shape[1]:,} edges (limit {MAX_DENSE_EDGES:,}): "
            "too many to draw readably; derive a smaller input"
        )
    c = dense_constraints(d)
    n_out, n_in = c.dense.shape
    plt = _pyplot()
    from matplotlib.collections import LineCollection

    xin = np.arange(n_in, dtype=float)
    xout = np.arange(n_out, dtype=float) * (n_in - 1) / max(n_out - 1, 1) if n_out > 1 else \
        np.array([(n_in - 1) / 2])
    y_in, y_out = 0.0, max(2.0, n_in / 4)
    if ax is None:
        _, ax = plt.subplots(figsize=(min(max(n_in * 0.5 + 3, 5), 16), 4))
    removed = [((xin[i], y_in), (xout[o], y_out)) for o, i in c.zeros]
    lc = LineCollection(removed, colors="0.7", linewidths=0.7, linestyles="dashed",
                        label="removed (W = 0)", zorder=1)
    lc.set_gid("removed")
    ax.add_collection(lc)
    groups = sorted(c.tie_groups.items(), key=lambda kv: kv[1][0])
    for n, (value, entries) in enumerate(groups):
        seg = [((xin[i], y_in), (xout[o], y_out)) for o, i in entries]
        tie = LineCollection(seg, colors=colour(n), linewidths=1.8, alpha=0.9,
                             label="$" + label(value, nm) + "$" if len(groups) <= len(PALETTE)
                             else None, zorder=2)
        tie.set_gid(f"tie:{n}")
        ax.add_collection(tie)
    for name, xs, y in (("inputs", xin, y_in), ("outputs", xout, y_out)):
        sc = ax.scatter(xs, np.full_like(xs, y), s=50, c="white", edgecolors="black", zorder=3)
        sc.set_gid(name)
    ax.set_xlim(-1, n_in)
    ax.set_ylim(y_in - 0.5, y_out + 0.5)
    ax.axis("off")
    ax.set_title(f"dense: {n_out * n_in} edges; removed {len(c.zeros)}, kept {len(c.ties)} "
                 f"sharing {c.distinct_values} weights", fontsize=10)
    if len(groups) <= len(PALETTE):
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    return ax
