"""Native MathML for SymPy values, every user-supplied name escaped (layer: rendering).

SymPy's own MathML printer writes symbol names into the markup unescaped (a
symbol named ``<script>`` becomes a tag), so the explorer prints the few
shapes a derivation holds itself: symbols (``x_0_1`` as ``x`` with subscript
``0,1``), integers, rationals, floats, ``I``, sums, products and powers.  Any
other object is shown as its escaped ``str`` in an ``<mtext>``.  Output is a
pure function of the expression, so pages are byte-identical across runs.
"""

from __future__ import annotations

import html
from typing import Any

import sympy

from ..boundary._values import SYMARRAY_NAME

#: U+2062 INVISIBLE TIMES between the factors of a product.
TIMES = "<mo>&#x2062;</mo>"
#: A visible dot between a weight and an input that are numbers.
DOT = "<mo>&#xB7;</mo>"


def escape(text: object) -> str:
    """``text`` safe inside HTML text and double- or single-quoted attributes.

    Examples
    --------
    >>> escape('<b a="1">&\\'')
    '&lt;b a=&quot;1&quot;&gt;&amp;&#x27;'
    """
    return html.escape(str(text), quote=True)


def math(inner: str, display: bool = False) -> str:
    """Wrap MathML content in a ``<math>`` element (inline unless ``display``)."""
    return f'<math display="block">{inner}</math>' if display else f"<math>{inner}</math>"


def symbol(name: str) -> str:
    """A symbol: ``x_0_1`` (``sympy.symarray``'s names) as ``x`` sub ``0,1``.

    Examples
    --------
    >>> symbol("w_0_2")
    '<msub><mi>w</mi><mn>0,2</mn></msub>'
    >>> symbol("<i>")
    '<mi>&lt;i&gt;</mi>'
    """
    m = SYMARRAY_NAME.match(name)
    if m:
        sub = m.group(2)[1:].replace("_", ",")
        return f"<msub><mi>{escape(m.group(1))}</mi><mn>{sub}</mn></msub>"
    return f"<mi>{escape(name)}</mi>"


def mathml(e: Any) -> str:
    """MathML content (no ``<math>`` wrapper) of one SymPy value.

    Examples
    --------
    >>> import sympy
    >>> mathml(sympy.Rational(-1, 2))
    '<mrow><mo>&#x2212;</mo><mfrac><mn>1</mn><mn>2</mn></mfrac></mrow>'
    >>> mathml(sympy.Symbol("a") * sympy.Symbol("w_1") + 3)
    '<mrow><mrow><mi>a</mi><mo>&#x2062;</mo><msub><mi>w</mi><mn>1</mn></msub></mrow><mo>+</mo><mn>3</mn></mrow>'
    """
    e = sympy.sympify(e)
    if e.is_Symbol:
        return symbol(e.name)
    if e.is_Number:
        return _number(e)
    if e is sympy.I:
        return "<mi>i</mi>"
    if e.is_Add:
        return _sum(e.as_ordered_terms())
    if e.is_Mul:
        return _product(e)
    if e.is_Pow:
        return f"<msup>{_atom(e.base)}{mathml(e.exp)}</msup>"
    return f"<mtext>{escape(e)}</mtext>"


def _number(e: Any) -> str:
    if e.is_negative:
        return f"<mrow><mo>&#x2212;</mo>{_number(-e)}</mrow>"
    if e.is_Integer:
        return f"<mn>{int(e)}</mn>"
    if e.is_Rational:
        return f"<mfrac><mn>{int(e.p)}</mn><mn>{int(e.q)}</mn></mfrac>"
    return f"<mn>{escape(e)}</mn>"


def _sum(terms: list[Any]) -> str:
    parts: list[str] = []
    for n, term in enumerate(terms):
        negative = term.could_extract_minus_sign()
        if n and negative:
            parts.append("<mo>&#x2212;</mo>" + mathml(-term))
        else:
            parts.append(("<mo>+</mo>" if n else "") + mathml(term))
    return "<mrow>" + "".join(parts) + "</mrow>"


def _product(e: Any) -> str:
    coeff, rest = e.as_coeff_Mul()
    if coeff.is_negative:
        return f"<mrow><mo>&#x2212;</mo>{mathml(-e)}</mrow>"
    factors = [_atom(f) for f in sympy.Mul.make_args(rest)]
    if coeff != 1:
        factors.insert(0, _number(coeff))
    return "<mrow>" + TIMES.join(factors) + "</mrow>"


def _atom(e: Any) -> str:
    """A factor: sums (and negative numbers) in parentheses."""
    inner = mathml(e)
    if e.is_Add or (e.is_Number and e.is_negative) or (e.is_Rational and not e.is_Integer):
        return f"<mrow><mo>(</mo>{inner}<mo>)</mo></mrow>"
    return inner


def product(a: Any, b: Any) -> str:
    """MathML content of the product ``a * b`` as written (not simplified): ``w_1 x_2``, ``5 · 2``.

    Examples
    --------
    >>> import sympy
    >>> product(5, 2)
    '<mrow><mn>5</mn><mo>&#xB7;</mo><mn>2</mn></mrow>'
    """
    a, b = sympy.sympify(a), sympy.sympify(b)
    sep = DOT if (a.is_Number or b.is_Number) else TIMES
    return f"<mrow>{_atom(a)}{sep}{_atom(b)}</mrow>"


def written_sum(values: list[Any]) -> str:
    """MathML content of ``values`` joined by ``+`` as written (a folded entry: ``w_0 + w_2``)."""
    if len(values) == 1:
        return mathml(values[0])
    return "<mrow>" + "<mo>+</mo>".join(_atom(v) for v in values) + "</mrow>"
