"""LaTeX of a linear layer as the dense layer plus constraints on ``W`` (rendering layer).

Three parts, deterministic: the free dense matrix ``W`` (entries ``W_{o,i}``),
the constraints grouped by value -- ``W_{0,0} = W_{1,1} = w_0`` for a shared
weight, then the structural zeros row by row -- and ``W`` with the constraints
substituted, which is the layer matrix ``T``.  Large layers elide rows
(``max_rows``) and columns (``max_cols``) and list at most ``max_terms``
entries per constraint.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from . import _tex as tex
from ._latex_options import parse_options
from ._render import Printer, pick

__all__ = ["dense_latex"]


def _matrix(cells: list[list[str]]) -> str:
    return tex.environment("bmatrix", tex.rows(cells))


def _grid(rows: int, cols: int, cell: Any, o: Any) -> list[list[str]]:
    rr, cc = pick(rows, o.max_rows), pick(cols, o.max_cols)
    out = []
    for r in rr:
        if r is None:
            out.append([r"\vdots" if c is not None else r"\ddots" for c in cc])
            continue
        out.append([r"\cdots" if c is None else cell(r, c) for c in cc])
    return out


def _equalities(label: str, groups: Iterator[tuple[list[str], str]], o: Any) -> list[str]:
    """One aligned line ``a = b = ... &= rhs`` per group, the first labelled; elided.

    At most ``o.max_terms`` names a line and ``o.max_rows`` lines; ``groups`` is
    consumed lazily, so the groups past ``max_rows`` are never formatted.
    """
    lines = []
    for n, (shown, rhs) in enumerate(groups):
        if len(shown) > o.max_terms:
            shown = [*shown[: o.max_terms - 1], r"\cdots", shown[-1]]
        lhs = " = ".join(shown)
        if n == 0:
            lhs = tex.text(label) + " " + lhs
        lines.append(f"{lhs} &= {rhs}")
        if n + 1 >= o.max_rows:
            lines.append(r"&\vdots")
            break
    return lines


def dense_latex(c: Any, **options: Any) -> str:
    r"""Math-mode LaTeX of :class:`symconv.DenseConstraints` (an ``aligned`` block).

    Parameters
    ----------
    c : DenseConstraints
    **options
        ``index_base``, ``max_rows``, ``max_cols``, ``max_terms``, ``zero``,
        ``names`` as for :func:`symconv.to_latex`.

    Returns
    -------
    str

    Examples
    --------
    >>> import symconv as sc, sympy
    >>> c = sc.dense_constraints(sc.correlate(sympy.symarray("x", 3), sympy.symarray("w", 2)))
    >>> print(c.to_latex().splitlines()[6])
    \text{ties: } W_{0,0} = W_{1,1} &= w_{0} \\
    """
    o = parse_options(options)
    pr = Printer(o)
    W = "W"
    rows, cols = c.dense.shape

    def w(r: int, col: int) -> str:
        return tex.sub(W, pr.index([r, col]))

    lines = [W + " &= " + _matrix(_grid(rows, cols, w, o))]
    lines.append(r"&\text{" + f"{rows * cols} free entries; {len(c.ties)} ties onto "
                 f"{c.distinct_values} values, {len(c.zeros)} structural zeros" + "}")
    ties = sorted(c.tie_groups.items(), key=lambda kv: kv[1][0])
    lines += _equalities("ties: ", (([w(r, col) for r, col in entries], pr.value(value))
                                    for value, entries in ties), o)
    by_row: dict[int, list[int]] = {}
    for r, col in c.zeros:
        by_row.setdefault(r, []).append(col)
    lines += _equalities("zeros: ", (([w(r, col) for col in by_row[r]], "0")
                                     for r in sorted(by_row)), o)
    T = c.matrix

    def t(r: int, col: int) -> str:
        v = T[r, col]
        return o.zero if v == 0 else pr.value(v)

    lines.append(W + r"\big|_{\text{constraints}} &= " + pr.letter["T"] + " = "
                 + _matrix(_grid(rows, cols, t, o)))
    return tex.environment("aligned", " \\\\\n".join(lines))
