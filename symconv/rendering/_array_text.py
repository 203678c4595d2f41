"""Fast ``str`` of the symbolic arrays: sums of products in their stored order (rendering layer).

``str(d.output)``, ``str(g.input)`` and ``str(g.weight)`` arrive here through
the arrays' declared ``__str__`` delegation (:class:`symconv.core._derivation.SumArray`).
SymPy's own printer sorts the terms of every sum (``_as_ordered_terms``) and
dispatches on every node: on LeNet's 4,704 outputs that cost 47 times as long
as building them.  This printer writes each sum's terms in the order they are
stored -- the order symconv's builder made them, no sorting -- each plain
Symbol by its name and each product of plain Symbols by its factors' names (a
product's factors are stored in SymPy's own order, so each term reads exactly
as SymPy prints it); any other term, and any entry that is not a sum, goes
through SymPy's ``str``.  The text differs from ``sympy.sstr`` only in the
order of the terms of a sum, and ``sympy.sympify`` of it gives back the same
expression.
"""

from __future__ import annotations

from typing import Any

from sympy import Add, Mul, Symbol
from sympy.printing.precedence import PRECEDENCE, precedence

_ADD = PRECEDENCE["Add"]


def _term_text(t: Any) -> str:
    tt = type(t)
    if tt is Mul:
        args = t.args
        if len(args) == 2:  # the common case: one weight times one input
            a, b = args
            if type(a) is Symbol and type(b) is Symbol:
                return a.name + "*" + b.name
        names = []
        for a in args:
            if type(a) is not Symbol:
                return str(t)
            names.append(a.name)
        return "*".join(names)
    if tt is Symbol:
        return t.name
    text = str(t)
    return f"({text})" if precedence(t) < _ADD else text


def entry_text(e: Any) -> str:
    """One entry's text: a sum's terms in stored order, as SymPy writes each term.

    Examples
    --------
    >>> import sympy
    >>> w0, w1, x0, x1 = sympy.symbols("w_0 w_1 x_0 x_1")
    >>> entry_text(w0 * x0 + w1 * x1)
    'w_0*x_0 + w_1*x_1'
    >>> entry_text(w0 - 2 * x1), entry_text(sympy.Integer(7))
    ('w_0 - 2*x_1', '7')
    """
    te = type(e)
    if te is not Add:
        return _term_text(e) if te is Mul or te is Symbol else str(e)
    parts: list[str] = []
    for t in e.args:
        text = _term_text(t)
        if text[0] == "-":
            parts.append("- " + text[1:] if parts else text)
        else:
            if parts:
                parts.append("+ " + text)
            else:
                parts.append(text)
    return " ".join(parts)


def array_text(arr: Any) -> str:
    """The text of a SymPy array, laid out as SymPy does (``[[a, b], [c, d]]``).

    Examples
    --------
    >>> import sympy
    >>> x0, x1, w0 = sympy.symbols("x_0 x_1 w_0")
    >>> array_text(sympy.Array([[w0 * x0 + w0 * x1, 3], [x0, -x1]]))
    '[[w_0*x_0 + w_0*x_1, 3], [x_0, -x_1]]'
    """
    shape = tuple(int(n) for n in arr.shape)
    if not shape:
        return entry_text(arr[()])
    if 0 in shape:
        return f"ImmutableDenseNDimArray([], {shape})"
    flat, _ = arr.args  # a dense array's arguments: its entries in C order, its shape
    texts = [entry_text(e) for e in flat]
    for n in reversed(shape):  # innermost axis first
        texts = ["[" + ", ".join(texts[j:j + n]) + "]" for j in range(0, len(texts), n)]
    return texts[0]
