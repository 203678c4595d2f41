"""Jupyter's fast ``_repr_latex_`` of ``d.output``, ``g.input``, ``g.weight``, ``g.bias``.

The reference is SymPy's own printer: ``sympy.latex`` of the same entries as a
plain ``ImmutableDenseNDimArray``.  The fast string must have SymPy's layout
(the same ``\\begin{matrix}``/``{array}`` blocks, ``&`` and ``\\\\`` separators)
and, entry by entry, the same terms with the same signs as SymPy's; only the
order of the terms within a sum may differ.  No timing here (benchmarks/bench_core.py).
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pytest
import sympy

import symconv as sc
from symconv.core._derivation import sum_array


def _cases() -> list[tuple[str, sc.Derivation]]:
    a, b, c = sympy.symbols("a b c")
    return [
        ("conv1d bias", sc.Conv1d(2, 3, 3, stride=2).derive(input_size=9)),
        ("conv2d dilation", sc.Conv2d(1, 2, 2, dilation=2, padding=1).derive(input_size=(5, 6))),
        ("conv2d wide rows", sc.Conv2d(1, 1, 2, bias=False).derive(input_size=(3, 13))),
        ("transpose", sc.ConvTranspose2d(2, 1, 3, stride=2).derive(input_size=(3, 3))),
        ("wide kernel", sc.Conv1d(1, 1, 12, bias=False).derive(input_size=14)),
        ("numbers and symbols", sc.correlate([1, -2, a, 4], [b, 3], mode="full")),
        ("rationals, negative", sc.convolve([sympy.Rational(1, 3), -a, 2], [-1, c])),
        ("floats", sc.correlate([1.5, -2.0, a], [b, -0.25], mode="full")),
        ("complex", sc.correlate([1 + 2j, 3, 1j], [a, -b])),
        ("user names out of order", sc.correlate([c, b, a], [b, a], mode="full")),
        ("numeric only", sc.correlate([1, 2, 3, 4], [5, 6, 7])),
    ]


CASES = _cases()

# Layout tokens of SymPy's NDimArray LaTeX; entries never contain them.
_LAYOUT = re.compile(r"(\\left\[\\begin\{(?:matrix|array\}\{c+)\}|\\end\{(?:matrix|array)\}\\right\]"
                     r"|\\left\[|\\right\]| & |\\\\)")


def _terms(entry: str) -> Counter:
    """An entry's signed terms, split at top-level `` + `` / `` - `` (braces and \\left( \\right))."""
    terms, depth, start, i = [], 0, 0, 0
    sign = "+"
    if entry.startswith("- "):
        sign, start, i = "-", 2, 2
    while i < len(entry):
        if entry.startswith(r"\left", i) or entry[i] == "{":
            depth += 1
        elif entry.startswith(r"\right", i) or entry[i] == "}":
            depth -= 1
        elif depth == 0 and entry[i] == " " and entry[i:i + 3] in (" + ", " - "):
            terms.append((sign, entry[start:i]))
            sign, i = entry[i + 1], i + 3
            start = i
            continue
        i += 1
    terms.append((sign, entry[start:]))
    return Counter(terms)


def _parts(tex: str) -> tuple[list[str], list[Counter]]:
    assert tex.startswith("$\\displaystyle ") and tex.endswith("$")
    pieces = _LAYOUT.split(tex[len("$\\displaystyle "):-1])
    layout = pieces[1::2]
    entries = [_terms(p) for p in pieces[0::2] if p]
    return layout, entries


def _arrays(d: sc.Derivation) -> list[tuple[str, object]]:
    g = d.gradient()
    out = [("output", d.output), ("input", g.input), ("weight", g.weight)]
    if d.bias is not None:
        out.append(("bias", g.bias))
    return out


@pytest.mark.parametrize("name,d", CASES, ids=[c[0] for c in CASES])
def test_fast_latex_is_sympys_up_to_term_order(name, d):
    for role, arr in _arrays(d):
        assert type(arr).__name__ == "SumArray", role
        fast = arr._repr_latex_()
        plain = sympy.ImmutableDenseNDimArray(list(arr.args[0]), arr.shape)
        ref = "$\\displaystyle " + sympy.latex(plain) + "$"
        assert ref == plain._repr_latex_()  # SymPy's own hook, for the record
        f_layout, f_entries = _parts(fast)
        r_layout, r_entries = _parts(ref)
        assert f_layout == r_layout, (name, role)
        assert len(f_entries) == len(r_entries) == len(arr.args[0])
        assert f_entries == r_entries, (name, role)  # same signed terms, entry by entry


def test_byte_identical_where_orders_coincide():
    # Single-digit indices, all terms positive products: SymPy's sorted order is the
    # index order, so the whole strings are equal.
    d = sc.Conv2d(1, 2, 3, bias=False).derive(input_size=(5, 5))
    plain = sympy.ImmutableDenseNDimArray(list(d.output.args[0]), d.output.shape)
    assert d.output._repr_latex_() == plain._repr_latex_()


def test_index_order_differs_from_sympy_past_index_9():
    d = sc.Conv1d(1, 1, 12, bias=False).derive(input_size=12)
    fast = d.output._repr_latex_()
    assert fast.index("w_{0 0 2}") < fast.index("w_{0 0 10}")  # index order, not text order
    assert sympy.latex(d.output) == sympy.latex(
        sympy.ImmutableDenseNDimArray(list(d.output.args[0]), d.output.shape))  # unchanged


def test_layouts_of_every_rank():
    x = sympy.symarray("x", 4)
    w = sympy.symarray("w", 2)
    for shape in [(3,), (1, 3), (3, 1), (2, 1, 3), (1, 1, 1, 3), (2, 11)]:
        n = 1
        for s in shape:
            n *= s
        vals = [x[i % 4] * w[i % 2] + x[(i + 1) % 4] for i in range(n)]
        arr = sum_array(np.array(vals, dtype=object).reshape(shape))
        plain = sympy.ImmutableDenseNDimArray(vals, shape)
        assert _parts(arr._repr_latex_()) == _parts(plain._repr_latex_()), shape


def test_an_unusual_user_name_is_escaped_not_written_raw():
    """sympy.latex writes a Symbol's name raw (a}\\input{x breaks out); the display escapes it."""
    odd = sympy.Symbol("a}\\input{x")
    d = sc.correlate([odd, sympy.Symbol("x_1"), 2], [sympy.Rational(1, 2), sympy.Symbol("w")],
                     mode="valid")
    out = d.output._repr_latex_()
    assert "\\input" not in out and "\\textbackslash{}input" in out
    body = out.replace("\\{", "").replace("\\}", "")
    assert body.count("{") == body.count("}")  # balanced: nothing escaped the group
    assert "w x_{1}" in out and "\\frac{x_{1}}{2}" in out  # plain names as sympy.latex writes them
