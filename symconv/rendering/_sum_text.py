"""Fast text for sums of products, in kernel order, with no sorting (rendering layer).

SymPy's printer sorts the terms of every sum (``_as_ordered_terms``) and
dispatches on every node: printing LeNet's 4,704 outputs took 47 times as long
as building them.  A derivation already knows each sum's products in kernel
order (``d.terms``); this prints them as they are, each plain Symbol by its
name (cached), anything else through ``str``.  With ``names`` other than the
default (:class:`symconv.rendering._names.Names`: ``names="aWz"``, ``index_base=1``)
every symbol is printed by that one printer's text flavour (``W_1*a_2``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sympy import Add, Mul, Symbol

from ._names import Names


def atom_text(v: Any, cache: dict[Any, str] | None = None, names: Names | None = None) -> str:
    """``v``'s text: a plain Symbol's name, anything else ``str(v)``.

    Examples
    --------
    >>> import sympy
    >>> atom_text(sympy.Symbol("w_0")), atom_text(sympy.Integer(3))
    ('w_0', '3')
    >>> atom_text(sympy.Symbol("w_0"), names=Names.of("aWz", 1))
    'W_1'
    """
    if type(v) is Symbol and names is None:
        return str(v.name)
    if names is not None and not names.plain:
        return names.value(v, "text")
    if type(v) is Symbol:
        return str(v.name)
    if cache is not None:
        text = cache.get(v)
        if text is None:
            text = cache[v] = str(v)
        return text
    return str(v)


def sum_text(pairs: Iterable[tuple[Any, Any]], bias: Any = None,
             names: Names | None = None) -> str:
    """``w*x + ...`` for ``(w, x)`` pairs in the order given (``+ b`` when a bias is given).

    Examples
    --------
    >>> import sympy
    >>> w0, w1, x0, x1, b = sympy.symbols("w_0 w_1 x_0 x_1 b")
    >>> sum_text([(w1, x0), (w0, x1)], b)
    'w_1*x_0 + w_0*x_1 + b'
    >>> sum_text([(w1, x0)], b, Names.of("aWz", 1))
    'W_2*a_1 + b'
    """
    if names is None or names.plain:  # the hot path: names as they are
        parts = [f"{atom_text(w)}*{atom_text(x)}" for w, x in pairs]
        if bias is not None:
            parts.append(atom_text(bias))
    else:
        text = names.value
        parts = [f"{text(w, 'text')}*{text(x, 'text')}" for w, x in pairs]
        if bias is not None:
            parts.append(text(bias, "text"))
    return " + ".join(parts) or "0"


def expr_text(e: Any, names: Names | None = None) -> str:
    """A sum of products of Symbols in its stored order (no sorting); else ``str(e)``.

    Examples
    --------
    >>> import sympy
    >>> g0, g1, x0, x1 = sympy.symbols("g_0 g_1 x_0 x_1")
    >>> expr_text(g0 * x0 + g1 * x1)
    'g_0*x_0 + g_1*x_1'
    >>> expr_text(g0 * x0 + g1 * x1, Names.of("aWz", 1))
    'delta_1*a_1 + delta_2*a_2'
    """
    if names is not None and names.plain:
        names = None
    text = (lambda a: a.name) if names is None else (lambda a: names.symbol(a, "text"))
    terms = e.args if type(e) is Add else (e,)
    parts = []
    for t in terms:
        if type(t) is Symbol:
            parts.append(text(t))
        elif type(t) is Mul and all(type(a) is Symbol for a in t.args):
            parts.append("*".join(text(a) for a in t.args))
        else:
            return str(e) if names is None else names.value(e, "text")
    return " + ".join(parts)
