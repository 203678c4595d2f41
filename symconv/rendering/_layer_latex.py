"""LaTeX of one layer of the family: Linear, activation, pooling, local, tiled (rendering layer).

Outputs one per line (elided past ``max_rows`` with ``\\vdots``), then the
layer matrix ``T`` when it is small, then the backward rule.  Symbols go
through the shared :class:`~symconv.rendering._render.Printer` (escaped names,
index base), so the same call gives the same bytes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _tex as tex
from ._latex_options import parse_options
from ._render import Printer, pick

__all__ = ["layer_latex"]

_BACKWARD = {
    "activation": r"\frac{\partial L}{\partial x_{j}} = f'(x_{j})\, g_{j}",
    "maxpool": (r"\frac{\partial L}{\partial x_{i}} = \sum_{o:\ i = \operatorname{argmax}"
                r"\ \text{window}(o)} g_{o}"),
}
_TITLE = {
    "linear": r"\text{Linear: } y = W x + b",
    "local": r"\text{locally connected: the convolution's taps, one kernel per output}",
    "tiled": r"\text{tiled convolution: the convolution's taps, kernels cycled mod } t",
    "avgpool": r"\text{average pooling: a fixed-weight depthwise convolution}",
    "maxpool": r"\text{max pooling: } y_{o} = \max_{i \in \text{window}(o)} x_{i}",
}


def layer_latex(d: Any, **options: Any) -> str:
    """Math-mode LaTeX of a layer derivation (an ``aligned`` block).

    Parameters
    ----------
    d : layer derivation
        From ``Linear``, an activation, a pooling, locally connected or tiled layer.
    **options
        ``index_base``, ``max_rows``, ``max_cols``, ``max_terms``, ``names`` as
        for :func:`symconv.to_latex`.

    Returns
    -------
    str
    """
    o = parse_options(options)
    pr = Printer(o)
    lines: list[str] = []
    if d.kind == "activation":
        f = tex.function_name(d.function.name)
        lines.append("&" + tex.text("activation: ") + f"a_{{j}} = {f}(x_{{j}})")
    else:
        lines.append("&" + _TITLE[d.kind])
    out = np.asarray(d.output.tolist(), dtype=object).reshape(-1)
    shape = tuple(d.output.shape)
    for r in pick(out.size, o.max_rows):
        if r is None:
            lines.append(r"\vdots")
            continue
        idx = np.unravel_index(r, shape)
        lhs = pr.indexed("a" if d.kind == "activation" else "y", [int(v) for v in idx])
        lines.append(f"{lhs} &= {pr.expression(out[r])}")
    T = d.matrix if d.is_linear else None
    if T is not None and T.rows <= o.max_rows and T.cols <= o.max_cols:
        cells = [[pr.value(T[i, j]) if T[i, j] != 0 else o.zero for j in range(T.cols)]
                 for i in range(T.rows)]
        lines.append(pr.letter["T"] + " &= " + tex.environment("bmatrix", tex.rows(cells)))
    if d.is_linear:
        lines.append(r"\frac{\partial L}{\partial x} &= " + pr.letter["T"] + r"^{\top} g")
    else:
        lines.append(_BACKWARD[d.kind].replace(" = ", " &= ", 1))
    return tex.environment("aligned", " \\\\\n".join(lines))
