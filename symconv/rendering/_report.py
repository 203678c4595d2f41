"""The readable text report of a derivation: sums of products, T, gradients, structure.

Rendering layer.  ``print(d)`` and ``symconv derive`` show this report.  Outputs
are read one at a time from the tap table (``d.terms``), so a report of a large
layer prints its first outputs without building the others; a layer over
``SYMBOLIC_LIMIT`` products is summarised by its structure alone.  Products
stay visible whenever a factor is a number: ``y_2 = 3*a + 4*(1/3) = 3*a + 4/3``
(SymPy alone would collapse the numbers into one).
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy
from sympy import Add, Basic

from ..boundary._limits import PRINT_ENTRIES, PRINT_OUTPUTS, SYMBOLIC_LIMIT
from ..core._progress import track
from ..core._taps import count_taps
from ._names import DEFAULT, Names
from ._sum_text import expr_text, sum_text

if TYPE_CHECKING:
    from ..core._derivation import Derivation, Stats


def report(
    d: Derivation,
    *,
    limit: int | None = PRINT_OUTPUTS,
    gradient: bool = False,
    stats_only: bool = False,
    more: str = "print(d.output) shows every output",
    names: Any = "xwb",
    index_base: int = 0,
) -> str:
    """The text report of ``d``: its repr, outputs, T, gradients (on request), structure.

    Parameters
    ----------
    d : Derivation
    limit : int or None
        Print at most this many outputs (and entries of each gradient); None: all.
    gradient : bool
        Also print the backward pass (``dL/dx``, ``dL/dw``, ``dL/db``).
    stats_only : bool
        Only the structure (no SymPy at all): for layers too large to print.
    more : str
        What the line after a cut list suggests (the CLI names ``--limit``).
    names : str or mapping
        The letters, as for :func:`symconv.to_latex` (``"aWz"``: input ``a``, weight
        ``W``, output ``z``), printed by :class:`symconv.rendering._names.Names`.
    index_base : {0, 1}
        Add this to every printed index.

    Examples
    --------
    >>> import symconv as sc, sympy
    >>> a = sympy.Symbol("a")
    >>> text = report(sc.correlate([1, 2, a, 4], [3, 4]))
    >>> print(text[:text.index("  im2col")])
    <Derivation correlate(mode='valid'): input (4,) -> output (3,), weight (2,), 6 products>
    outputs:
      y_0 = 1*3 + 2*4 = 11
      y_1 = 2*3 + a*4 = 4*a + 6
      y_2 = a*3 + 4*4 = 3*a + 16
    T (vec(y) = T vec(x)):
      [3  4  0  0]
      [0  3  4  0]
      [0  0  3  4]
    structure:
      products           6
      matrix T           3 x 4
      non-zeros of T     6 (50% of entries)
      structural zeros   6
      summed entries     0
      tied weights       each weight fills 3 entries of T
      parameters         2 (dense layer: 12)
      tap table          18 bytes (uint8, uint8, uint8)
    """
    nm = Names.of(names, index_base)
    lines = [repr(d)]
    products = count_taps(d.spec)
    if stats_only or products > SYMBOLIC_LIMIT:
        if not stats_only:
            lines.append(f"outputs: {products:,} products, over the {SYMBOLIC_LIMIT:,} a "
                         "symbolic view allows; the structure alone:")
    else:
        lines += _outputs(d, limit, more, nm)
        lines += _matrix(d, nm)
        if gradient:
            lines += _gradient(d, limit, more, nm)
    lines.append("structure:")
    lines += [f"  {line}" for line in str(d.stats()).splitlines()]
    return "\n".join(lines)


def _name(role: str, flat: int, shape: tuple[int, ...], names: Names, prefix: str = "") -> str:
    """``y_0_1`` (or ``dw_0`` with ``prefix="d"``) of element ``flat`` under ``names``."""
    return prefix + names.indexed(role, np.unravel_index(flat, shape), "text")


def factor(v: Any, names: Names = DEFAULT) -> str:
    """One factor of a product, parenthesised when it is not a plain atom: ``(-1)``, ``(1/3)``.

    Examples
    --------
    >>> import sympy
    >>> factor(sympy.Integer(5)), factor(sympy.Rational(-1, 3)), factor(sympy.Symbol("a"))
    ('5', '(-1/3)', 'a')
    """
    v = sympy.sympify(v)
    text = names.value(v, "text")
    plain = v.is_Symbol or (v.is_Integer and v >= 0) or (v.is_Atom and not v.is_number)
    return text if plain else f"({text})"


def _shown(pairs: list[tuple[Basic, Basic]], bias: Basic | None,
           names: Names = DEFAULT) -> tuple[str | None, Any]:
    """``(products as text or None, value)``: the text when some factor is a number."""
    if all(not w.is_number and not x.is_number for w, x in pairs) and (
            bias is None or not bias.is_number):
        # No number to collapse: the products as they are, in kernel order (_sum_text).
        return None, sum_text(pairs, bias, names)
    value = Add(*[w * x for w, x in pairs]) + (0 if bias is None else bias)
    if value.is_number:
        value = sympy.expand(value)
    parts = [f"{factor(x, names)}*{factor(w, names)}" for w, x in pairs]
    if bias is not None:
        parts.append(factor(bias, names))
    return " + ".join(parts) or "0", value


def _cut(n: int, limit: int | None) -> int:
    return n if limit is None or limit <= 0 else min(n, limit)


def _more(n: int, shown: int, what: str, more: str) -> list[str]:
    return [] if shown == n else [f"  ... {n - shown:,} more {what} ({more})"]


def _outputs(d: Derivation, limit: int | None, more: str, names: Names) -> list[str]:
    shape = d.spec.output_shape
    n = int(np.prod(shape))
    shown = _cut(n, limit)
    bias = d.bias
    per_channel = int(np.prod(shape[1:])) if bias is not None else 1
    lines = ["outputs:"]
    for j in track(range(shown), shown, "output text", size=len(d.taps) * shown // max(n, 1)):
        index = tuple(int(a) for a in np.unravel_index(j, shape))
        b = None if bias is None else sympy.sympify(bias[j // per_channel])
        text, value = _shown(d.terms(*index), b, names)
        result = value if isinstance(value, str) else names.value(value, "text")
        body = result if text is None else f"{text} = {result}"
        lines.append(f"  {_name('y', j, shape, names)} = {body}")
    return lines + _more(n, shown, "outputs", more)


def _matrix(d: Derivation, names: Names) -> list[str]:
    t = d.taps
    if t.n_out * t.n_in > PRINT_ENTRIES:
        return [f"T is {t.n_out:,} x {t.n_in:,}: too large to print (the structure below "
                "counts its entries)."]
    m = d.matrix
    cells = [[names.value(m[r, c], "text") for c in range(t.n_in)] for r in range(t.n_out)]
    width = max(len(s) for row in cells for s in row)
    tm, y, x = (names.letter(r, "text") for r in ("T", "y", "x"))
    return [f"{tm} (vec({y}) = {tm} vec({x})):"] + [
        "  [" + "  ".join(s.rjust(width) for s in row) + "]" for row in cells]


def _gradient(d: Derivation, limit: int | None, more: str, names: Names) -> list[str]:
    g = d.gradient()
    s = d.spec
    lines: list[str] = []
    loss = names.letter("L", "text")
    parts: list[tuple[str, str, list[Any], tuple[int, ...]]] = [
        ("input", "x", g.flat_input, s.input_shape),
        ("weight", "w", g.flat_weight, s.weight_shape)]
    if g.flat_bias is not None:
        parts.append(("bias", "b", g.flat_bias, (s.bias_size,)))
    for what, role, flat, shape in parts:
        shown = _cut(len(flat), limit)
        lines.append(f"{what} gradient (d{loss}/d{names.letter(role, 'text')}):")
        lines += [f"  {_name(role, j, shape, names, 'd')} = {expr_text(flat[j], names)}"
                  for j in range(shown)]
        lines += _more(len(flat), shown, "entries", more)
    return lines


# ------------------------------------------------------------------ Stats


def _stats_rows(st: Stats) -> list[tuple[str, str]]:
    return [(line[:19].strip(), line[19:].strip()) for line in str(st).splitlines()]


def stats_html(st: Stats) -> str:
    """``Stats`` as an HTML table (Jupyter's ``_repr_html_``), every value escaped.

    Examples
    --------
    >>> import symconv as sc
    >>> print(stats_html(sc.correlate([1, 2, 3, 4], [5, 6, 7]).stats())[:60])
    <table class="symconv-stats"><tr><th>products</th><td>6</td>
    """
    rows = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
                   for k, v in _stats_rows(st))
    return f'<table class="symconv-stats">{rows}</table>'


def stats_latex(st: Stats) -> str:
    r"""``Stats`` as a LaTeX ``tabular`` in ``$$...$$`` (Jupyter's ``_repr_latex_``).

    Examples
    --------
    >>> import symconv as sc
    >>> print(stats_latex(sc.correlate([1, 2, 3, 4], [5, 6, 7]).stats()).splitlines()[1])
    \text{products} & \text{6} \\
    """
    from ._tex import text

    rows = "\n".join(f"{text(k)} & {text(v)} \\\\" for k, v in _stats_rows(st))
    return "$$\\begin{array}{ll}\n" + rows + "\n\\end{array}$$"
