"""The explorer of a general-size derivation: its formulas as native MathML (layer: rendering).

For symbolic sizes every view is a formula: the output size, one output
``y[q, o]`` as a Sum over taps, one entry ``T[(q, o), (c, i)]`` as a Piecewise,
and (with the backward pass) ``dL/dx``, ``dL/dw`` and ``dL/db``, all read from
the GeneralDerivation's public indexers at fresh index symbols.  An instance
(``sizes=``) is shown below as the interactive explorer of ``g.subs(sizes)``.
"""

from __future__ import annotations

from typing import Any

import sympy

from ..core._general import GeneralDerivation
from ._mathml import escape, math, mathml, role_letter


def fresh(base: str, taken: set[Any], count: int = 1) -> list[sympy.Symbol]:
    """``count`` non-negative integer index symbols named after ``base``, not in ``taken``."""
    names = {str(v) for v in taken}
    stem = base
    while True:
        cands = [stem] if count == 1 else [f"{stem}{a + 1}" for a in range(count)]
        if not names & set(cands):
            return [sympy.Symbol(c, integer=True, nonnegative=True) for c in cands]
        stem += "'"


def _indices(g: GeneralDerivation) -> dict[str, tuple[Any, ...]]:
    """Fresh index symbols for outputs, inputs and weights, avoiding the size symbols."""
    s = g.spec
    taken = set(s.symbols())
    os_ = fresh("o", taken, s.ndim)
    is_ = fresh("i", taken, s.ndim)
    js = fresh("j", taken, s.ndim)
    q, c = fresh("q", taken)[0], fresh("c", taken)[0]
    if not s.has_channels:
        return {"y": tuple(os_), "x": tuple(is_), "w": tuple(js), "q": (q,)}
    if s.kind == "transpose":  # the transposed layer's input channel is the forward output's
        return {"y": (c, *os_), "x": (q, *is_), "w": (q, c, *js), "q": (c,)}
    return {"y": (q, *os_), "x": (c, *is_), "w": (q, c, *js), "q": (q,)}


def _row(lhs: str, rhs: Any, note: str = "") -> str:
    """A displayed ``lhs = rhs`` (``rhs`` a SymPy expression or ready MathML)."""
    right = rhs if isinstance(rhs, str) else mathml(rhs)
    tail = f'<p class="sc-note">{note}</p>' if note else ""
    return (f'<div class="sc-formula">{math(lhs + "<mo>=</mo>" + right, display=True)}'
            f"{tail}</div>")


def _lhs(letter: str, index: tuple[Any, ...]) -> str:
    idx = "<mo>,</mo>".join(mathml(v) for v in index)
    head, role = letter[:-1], letter[-1]  # "y", "\u2202L/\u2202w": the role is the last letter
    letter = head + role_letter(role)  # renamed by the names in use (to_html(names=...))
    return f"<mrow><mi>{escape(letter)}</mi><mo>[</mo>{idx}<mo>]</mo></mrow>"


def _flat_matrix(g: GeneralDerivation) -> bool:
    s = g.spec
    return s.ndim == 1 and (not s.has_channels or (s.in_channels == 1 and s.out_channels == 1))


def general_sections(g: GeneralDerivation, gradient: bool) -> list[tuple[str, str]]:
    """``(title, body)`` of each section of the formulas page."""
    ix = _indices(g)
    y, x, w = ix["y"], ix["x"], ix["w"]
    sizes = ", ".join(str(v) for v in g.sizes)
    shape = f"<mrow><mo>(</mo>{_seq(g.output_shape)}<mo>)</mo></mrow>"
    head = (f'<p class="sc-note">Free sizes: {escape(sizes) or "none"}.  Reads of the input '
            "outside its range are the zero padding (they read 0).</p>"
            + _row("<mrow><mi>shape</mi><mo>(</mo><mi>y</mi><mo>)</mo></mrow>", shape))
    out = [("Sizes", head),
           ("One output, a sum over taps", _row(_lhs("y", y), g.output[y]))]
    if _flat_matrix(g):
        row, col = (y[-1], x[-1])
        entry = g.matrix[row, col]
        lhs = _lhs("T", (row, col))
    else:
        entry = g.matrix[y, x]
        lhs = (f"<mrow><mi>T</mi><mo>[</mo><mo>(</mo>{_seq(y)}<mo>)</mo><mo>,</mo><mo>(</mo>"
               f"{_seq(x)}<mo>)</mo><mo>]</mo></mrow>")
    out.append(("One entry of the layer matrix T", _row(
        lhs, entry, "The weight that output reads from that input, or a structural zero.")))
    if gradient:
        gg = g.gradient()
        rows = [_row(_lhs("\u2202L/\u2202x", x), gg.input[x]),
                _row(_lhs("\u2202L/\u2202w", w), gg.weight[w])]
        if gg.bias is not None:
            rows.append(_row(_lhs("\u2202L/\u2202b", ix["q"]), gg.bias[ix["q"]]))
        out.append((f"Backward pass ({role_letter('g')} = \u2202L/\u2202{role_letter('y')})",
                    "".join(rows)))
    return out


def _seq(index: tuple[Any, ...]) -> str:
    return "<mo>,</mo>".join(mathml(v) for v in index)


def general_root(g: GeneralDerivation, gradient: bool, compact: bool) -> str:
    """The root element of the formulas page."""
    body = "".join(f"<section><h3>{escape(t)}</h3>{b}</section>"
                   for t, b in general_sections(g, gradient))
    cls = "symconv-explorer sc-compact" if compact else "symconv-explorer"
    return (f'<div class="{cls}" data-mode="general" lang="en"><h2>symconv explorer: general '
            f'sizes</h2><p class="sc-title">{escape(repr(g))}</p>{body}</div>')
