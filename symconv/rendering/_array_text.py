"""Fast ``str`` of the symbolic arrays: sums of products in index order (rendering layer).

``str(d.output)``, ``str(g.input)`` and ``str(g.weight)`` arrive here through
the arrays' declared ``__str__`` delegation (:class:`symconv.core._derivation.SumArray`).
SymPy's own printer sorts the terms of every sum (``_as_ordered_terms``) and
dispatches on every node: on LeNet's 4,704 outputs that cost 47 times as long
as building them.  This printer writes each plain Symbol by its name and each
product of plain Symbols by its factors' names (a product's factors are stored
in SymPy's own order, so each term reads exactly as SymPy prints it); any other
term, and any entry that is not a sum, goes through SymPy's ``str``.

The terms of a sum are ordered by their symbols' *indices as numbers*
(``w_2`` before ``w_10``; one cached key per Symbol name, no SymPy printer):
a product ``w_j*x_i`` by its weight's index first, which is kernel order; a
numeric weight's product ``5.0*x_i`` by its input's index, which is kernel
order for a correlation (every layer) and reversed kernel order for a true
convolution; a term with no symbol (a constant) last, as SymPy puts it.  The
text differs from ``sympy.sstr`` only in the order of the terms of a sum, and
``sympy.sympify`` of it gives back the same expression.

:func:`array_latex` is the same idea for Jupyter's ``_repr_latex_`` (the
arrays' declared ``_repr_latex_`` delegation): the array in the layout
``sympy.latex`` gives an ``NDimArray`` (``\\left[\\begin{matrix}...`` or
``{array}`` past 10 columns, nested brackets for other ranks, copied from
SymPy's ``_print_NDimArray``), each sum's terms in the same index order as the
text, and each term exactly as ``sympy.latex`` writes it (``w_{0 1} x_{2 3}``:
SymPy's symbol LaTeX, cached once per name, *not* symconv's
:class:`symconv.rendering._names.Names` style ``w_{0,1}``, so the notebook
display looks as before apart from the order of the terms).  Products of
Symbols with an optional Integer or Float coefficient are written from cached
pieces; any other term goes through ``sympy.latex``.  Nothing is elided: a
large array gives a large string (LeNet C1's output: about 3 MB).
"""

from __future__ import annotations

import re
from typing import Any

from sympy import Add, Float, Integer, Mul, Symbol
from sympy import latex as sympy_latex
from sympy.printing.precedence import PRECEDENCE, precedence

from . import _tex

_ADD = PRECEDENCE["Add"]
_CHUNKS = re.compile(r"(\d+)")
_NAME_KEYS: dict[str, tuple[tuple[int, Any], ...]] = {}


def _name_key(name: str) -> tuple[tuple[int, Any], ...]:
    """``'w_0_10'`` -> ``((1, 'w_'), (0, 0), (1, '_'), (0, 10))``: digits compare as numbers."""
    key = _NAME_KEYS.get(name)
    if key is None:
        key = tuple((0, int(c)) if c.isdigit() else (1, c) for c in _CHUNKS.split(name) if c)
        _NAME_KEYS[name] = key
    return key


def _term_key(t: Any) -> tuple[Any, ...]:
    """Sort key of one term: its symbols' name keys in SymPy's factor order; constants last."""
    tt = type(t)
    if tt is Symbol:
        return (0, _name_key(t.name))
    if tt is Mul:
        args = t.args
        if len(args) == 2 and type(args[0]) is Symbol and type(args[1]) is Symbol:
            nk = _NAME_KEYS  # the common case, one weight times one input, inlined
            a, b = args[0].name, args[1].name
            return (0, nk[a] if a in nk else _name_key(a), nk[b] if b in nk else _name_key(b))
        keys = tuple(_name_key(a.name) for a in args if type(a) is Symbol)
        if len(keys) + sum(1 for a in args if a.is_Number) == len(args):
            return (0, *keys) if keys else (2,)
    if t.is_Number:
        return (2,)
    return (1, _name_key(str(t)))  # anything else: after the products, by its text


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
    """One entry's text: a sum's terms in index order, each as SymPy writes it.

    Examples
    --------
    >>> import sympy
    >>> w0, w1, x0, x1 = sympy.symbols("w_0 w_1 x_0 x_1")
    >>> entry_text(w0 * x0 + w1 * x1)
    'w_0*x_0 + w_1*x_1'
    >>> entry_text(w0 - 2 * x1), entry_text(sympy.Integer(7))
    ('w_0 - 2*x_1', '7')
    >>> w2, w10, x2, x10 = sympy.symbols("w_2 w_10 x_2 x_10")
    >>> entry_text(w10 * x10 + w2 * x2 + 1)      # sympy.sstr: '1 + w_10*x_10 + w_2*x_2'
    'w_2*x_2 + w_10*x_10 + 1'
    >>> entry_text(7.0 * x10 + 5.0 * x2)        # a numeric weight: by the input's index
    '5.0*x_2 + 7.0*x_10'
    """
    te = type(e)
    if te is not Add:
        return _term_text(e) if te is Mul or te is Symbol else str(e)
    parts: list[str] = []
    for t in sorted(e.args, key=_term_key):
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


_SYMBOL_LATEX: dict[str, str] = {}
_NUMBER_LATEX: dict[Any, str] = {}
_FAST_COEFF = (Integer, Float)


#: A name SymPy's LaTeX printer writes safely (letters, digits, underscores, a prime).
_PLAIN_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*'?")


def _symbol_latex(s: Any) -> str:
    """A Symbol's LaTeX as ``sympy.latex`` writes it; any other name escaped (``_tex``)."""
    name = s.name
    tex = _SYMBOL_LATEX.get(name)
    if tex is None:
        plain = _PLAIN_NAME.fullmatch(name) and type(s) is Symbol
        tex = _SYMBOL_LATEX[name] = sympy_latex(s) if plain else _tex.symbol_name(name)
    return tex


#: SymPy's LaTeX printer for every other term, with each name through _symbol_latex.
_PRINTER = _tex.SafePrinter(_symbol_latex)


def latex(e: Any) -> str:
    """``sympy.latex(e)``, except that a user's unusual name is escaped, never raw."""
    return str(_PRINTER.doprint(e))


def _term_latex(t: Any) -> tuple[bool, str]:
    """``(negative, LaTeX of the term without its sign)``, as ``sympy.latex`` writes it."""
    tt = type(t)
    if tt is Symbol:
        return False, _symbol_latex(t)
    if tt is Mul:
        args = t.args
        if len(args) == 2 and type(args[0]) is Symbol and type(args[1]) is Symbol:
            return False, _symbol_latex(args[0]) + " " + _symbol_latex(args[1])
        c = args[0]
        rest = args[1:] if isinstance(c, _FAST_COEFF) else args
        if all(type(a) is Symbol for a in rest):
            parts = [_symbol_latex(a) for a in rest]
            neg = False
            if rest is not args:
                if c.is_negative:
                    neg, c = True, -c
                if c is not Integer(1):
                    ctex = _NUMBER_LATEX.get(c)
                    if ctex is None:
                        ctex = _NUMBER_LATEX[c] = latex(c)
                    parts.insert(0, ctex)
            return neg, " ".join(parts)
    if t.could_extract_minus_sign():
        return True, latex(-t)
    return False, latex(t)


def entry_latex(e: Any) -> str:
    r"""One entry's LaTeX: a sum's terms in index order, each as ``sympy.latex`` writes it.

    Examples
    --------
    >>> import sympy
    >>> w0, w1, x0, x1 = sympy.symbols("w_0 w_1 x_0_1 x_1_0")
    >>> entry_latex(w1 * x1 + w0 * x0)
    'w_{0} x_{0 1} + w_{1} x_{1 0}'
    >>> entry_latex(-2 * x1 + w0 - 1), entry_latex(sympy.Rational(1, 2) * x0)
    ('w_{0} - 2 x_{1 0} - 1', '\\frac{x_{0 1}}{2}')
    """
    if type(e) is not Add:
        if type(e) is Symbol or type(e) is Mul:
            neg, tex = _term_latex(e)
            return "- " + tex if neg else tex
        return latex(e)
    parts: list[str] = []
    for t in sorted(e.args, key=_term_key):
        neg, tex = _term_latex(t)
        if not parts:
            parts.append("- " + tex if neg else tex)
        else:
            parts.append((" - " if neg else " + ") + tex)
    return "".join(parts)


def array_latex(arr: Any) -> str:
    r"""The LaTeX of a SymPy array in ``sympy.latex``'s layout, sums in index order.

    The layout (``matrix``, or ``array`` with ``{c...}`` when the last axis has
    more than 10 entries; ``\left[...\right]`` delimiters; nested blocks for
    ranks above 2) is SymPy's ``_print_NDimArray`` in its default ``plain`` mode.

    Examples
    --------
    >>> import sympy
    >>> x0, x1, w0 = sympy.symbols("x_0 x_1 w_0")
    >>> array_latex(sympy.Array([[w0 * x1 + w0 * x0, 3], [x0, -x1]]))
    '\\left[\\begin{matrix}w_{0} x_{0} + w_{0} x_{1} & 3\\\\x_{0} & - x_{1}\\end{matrix}\\right]'
    """
    shape = tuple(int(n) for n in arr.shape)
    if not shape:
        return entry_latex(arr[()])
    if 0 in shape:
        return latex(arr)  # SymPy's own (an empty array has nothing to speed up)
    if shape[-1] <= 10:
        block = r"\left[\begin{matrix}%s\end{matrix}\right]"
    else:  # SymPy's column spec counts the *first* axis; copied as is
        block = r"\left[\begin{array}{" + "c" * shape[0] + r"}%s\end{array}\right]"
    flat, _ = arr.args
    texts = [entry_latex(e) for e in flat]
    even = True
    for n in reversed(shape):  # innermost axis first, as SymPy's loop joins them
        groups = [texts[j:j + n] for j in range(0, len(texts), n)]
        if even:
            texts = [" & ".join(g) for g in groups]
        else:
            texts = [block % "\\\\".join(g) for g in groups]
            if n == 1:
                texts = [r"\left[" + t + r"\right]" for t in texts]
        even = not even
    out = texts[0]
    return block % out if len(shape) % 2 == 1 else out
