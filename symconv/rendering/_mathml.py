"""Native MathML for SymPy values, every user-supplied name escaped (layer: rendering).

SymPy's own MathML printer writes symbol names into the markup unescaped (a
symbol named ``<script>`` becomes a tag), so the explorer prints the few
shapes a derivation holds itself: symbols (``x_0_1`` as ``x`` with subscript
``0,1``), integers, rationals, floats, ``I``, sums, products and powers.  Any
other object is shown as its escaped ``str`` in an ``<mtext>``.  Output is a
pure function of the expression and of the names in use (:func:`use_names`,
set by ``to_html(names=..., index_base=...)`` through :class:`._names.Names`), so
pages are byte-identical across runs.
"""

from __future__ import annotations

import contextlib
import contextvars
import html
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

import sympy

from ..boundary._values import SYMARRAY_NAME
from ._names import DEFAULT, RENAMED, Names

#: The names in use while a page is rendered (``to_html(names=, index_base=)``);
#: the default names print every symbol exactly as before.
_NAMES: contextvars.ContextVar[Names] = contextvars.ContextVar("symconv_html_names",
                                                               default=DEFAULT)


@contextlib.contextmanager
def use_names(names: Names) -> Iterator[Names]:
    """Print every symbol and label under ``names`` inside the ``with`` block."""
    token = _NAMES.set(names)
    try:
        yield names
    finally:
        _NAMES.reset(token)


def current_names() -> Names:
    """The :class:`._names.Names` in use (the default outside :func:`use_names`)."""
    return _NAMES.get()


def role_letter(prefix: str) -> str:
    """A role's letter renamed (``w`` -> ``W`` under ``aWz``); Greek names as Unicode."""
    if prefix not in RENAMED or _NAMES.get().plain:
        return prefix
    name = _NAMES.get().letter(prefix, "text")
    try:
        return unicodedata.lookup(f"GREEK SMALL LETTER {name.upper()}")
    except KeyError:
        return name


def _shift(digits: str) -> str:
    """``_0_2`` as ``0,2``, each index plus ``index_base``."""
    base = _NAMES.get().index_base
    return ",".join(str(int(v) + base) for v in digits.lstrip("_").split("_"))

#: A network's parameters: ``w1_0_2`` is ``w`` of layer 1 at index ``(0, 2)``.
_LAYERED = re.compile(r"^([A-Za-z]+)(\d+)((?:_\d+)+)$")
#: A letter and a number: ``o1`` is ``o`` with subscript ``1``.
_NUMBERED = re.compile(r"^([A-Za-z])(\d+)$")
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
    >>> symbol("w1_0")
    '<msubsup><mi>w</mi><mn>0</mn><mrow><mo>(</mo><mn>1</mn><mo>)</mo></mrow></msubsup>'
    >>> symbol("<i>")
    '<mi>&lt;i&gt;</mi>'
    """
    plain = _NAMES.get().plain
    m = SYMARRAY_NAME.match(name)
    if m:
        sub = m.group(2)[1:].replace("_", ",") if plain else _shift(m.group(2))
        letter = m.group(1) if plain else role_letter(m.group(1))
        return f"<msub><mi>{escape(letter)}</mi><mn>{sub}</mn></msub>"
    m = _LAYERED.match(name)
    if m:  # w1_0_2: a network's layer-1 weight, w^(1) with subscript 0,2
        sub = m.group(3)[1:].replace("_", ",") if plain else _shift(m.group(3))
        letter = m.group(1) if plain else role_letter(m.group(1))
        return (f"<msubsup><mi>{escape(letter)}</mi><mn>{sub}</mn>"
                f"<mrow><mo>(</mo><mn>{m.group(2)}</mn><mo>)</mo></mrow></msubsup>")
    m = _NUMBERED.match(name)
    if m:  # o1, j2: index symbols of the general formulas
        return f"<msub><mi>{escape(m.group(1))}</mi><mn>{m.group(2)}</mn></msub>"
    return f"<mi>{escape(name if plain else role_letter(name))}</mi>"


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
        if e.exp == -1:
            return f"<mfrac><mn>1</mn>{mathml(e.base)}</mfrac>"
        return f"<msup>{_atom(e.base)}{mathml(e.exp)}</msup>"
    return _general(e)


#: Relations and connectives of the general-size formulas.
_RELATIONS = {"Equality": "=", "Unequality": "&#x2260;", "GreaterThan": "&#x2265;",
              "StrictGreaterThan": "&gt;", "LessThan": "&#x2264;", "StrictLessThan": "&lt;"}
_CONNECTIVES = {"And": "&#x2227;", "Or": "&#x2228;"}


def _general(e: Any) -> str:
    """Indexed bases, sums over taps, Piecewise, floor, Mod and logic (general sizes)."""
    name = type(e).__name__
    if isinstance(e, sympy.Indexed):
        idx = "<mo>,</mo>".join(mathml(v) for v in e.indices)
        return f"<mrow>{_name(e.base.label)}<mo>[</mo>{idx}<mo>]</mo></mrow>"
    if isinstance(e, sympy.IndexedBase):
        return _name(e.label)
    if isinstance(e, sympy.Sum):
        head = ""
        for var, lo, hi in reversed(e.limits):  # SymPy's first limit is the innermost sum
            head += (f"<munderover><mo>&#x2211;</mo><mrow>{mathml(var)}<mo>=</mo>{mathml(lo)}"
                     f"</mrow>{mathml(hi)}</munderover>")
        return f"<mrow>{head}{_atom(e.function)}</mrow>"
    if isinstance(e, sympy.Piecewise):
        rows = []
        for v, c in e.args:
            cond = "<mtext>otherwise</mtext>" if c is sympy.true else (
                '<mtext>if</mtext><mspace width="0.3em"></mspace>' + mathml(c))
            rows.append(f"<mtr><mtd>{mathml(v)}</mtd><mtd>{cond}</mtd></mtr>")
        return f'<mrow><mo>{{</mo><mtable columnalign="left">{"".join(rows)}</mtable></mrow>'
    if name in ("floor", "ceiling"):
        lo, hi = ("&#x230A;", "&#x230B;") if name == "floor" else ("&#x2308;", "&#x2309;")
        return f"<mrow><mo>{lo}</mo>{mathml(e.args[0])}<mo>{hi}</mo></mrow>"
    if name == "Mod":
        return f"<mrow>{_atom(e.args[0])}<mo>mod</mo>{_atom(e.args[1])}</mrow>"
    if name in _RELATIONS:
        return f"<mrow>{mathml(e.lhs)}<mo>{_RELATIONS[name]}</mo>{mathml(e.rhs)}</mrow>"
    if name in _CONNECTIVES:
        parts = [f"<mrow><mo>(</mo>{mathml(a)}<mo>)</mo></mrow>" if type(a).__name__ in
                 _CONNECTIVES else mathml(a) for a in e.args]
        return "<mrow>" + f"<mo>{_CONNECTIVES[name]}</mo>".join(parts) + "</mrow>"
    if e is sympy.true or e is sympy.false:
        return f"<mtext>{str(e).lower()}</mtext>"
    if e.args and (isinstance(e, sympy.Function) or name in ("Max", "Min")):
        args = "<mo>,</mo>".join(mathml(a) for a in e.args)
        fn = name.lower() if name in ("Max", "Min") else name
        return f"<mrow>{_name(fn)}<mo>(</mo>{args}<mo>)</mo></mrow>"
    return f"<mtext>{escape(e)}</mtext>"


def _name(label: Any) -> str:
    return symbol(label.name) if isinstance(label, sympy.Symbol) else f"<mi>{escape(label)}</mi>"


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
    num, den = sympy.fraction(e)
    if den != 1:
        return f"<mfrac>{mathml(num)}{mathml(den)}</mfrac>"
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
    if e.is_Add or (e.is_Number and e.is_negative) or (e.is_Rational and not e.is_Integer) or (
            isinstance(e, sympy.Piecewise)):
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


# ------------------------------------------------ light HTML for matrix cells

#: Symbols, integers, products and sums of them are written as HTML in the grids
#: (italic letter, <sub> index): thousands of MathML cells take seconds to lay out.


def _light(e: Any) -> str | None:
    """HTML of a symbol or an integer, or None for anything else."""
    if e.is_Symbol:
        plain = _NAMES.get().plain
        for pattern, layered in ((_LAYERED, True), (SYMARRAY_NAME, False), (_NUMBERED, False)):
            m = pattern.match(e.name)
            if m:
                digits = m.group(3) if layered else m.group(2)
                sup = f"<sup>({m.group(2)})</sup>" if layered else ""
                if plain or pattern is _NUMBERED:
                    return (f"<i>{escape(m.group(1))}</i>"
                            f"<sub>{digits.lstrip('_').replace('_', ',')}</sub>{sup}")
                return f"<i>{escape(role_letter(m.group(1)))}</i><sub>{_shift(digits)}</sub>{sup}"
        return f"<i>{escape(e.name if plain else role_letter(e.name))}</i>"
    if e.is_Integer:
        return f"&#x2212;{-int(e)}" if e < 0 else str(int(e))
    return None


def cell(values: list[Any], times: Any = None) -> str:
    """A grid cell: ``values`` joined by ``+`` (each times ``times`` when given).

    Light HTML when every factor is a symbol or an integer, MathML otherwise.

    Examples
    --------
    >>> import sympy
    >>> cell([sympy.Symbol("w_0"), sympy.Symbol("w_2")])
    '<i>w</i><sub>0</sub> + <i>w</i><sub>2</sub>'
    >>> cell([sympy.Symbol("x_1")], times=sympy.Symbol("g_0"))
    '<i>g</i><sub>0</sub><i>x</i><sub>1</sub>'
    """
    vals = [sympy.sympify(v) for v in values]
    factor = None if times is None else sympy.sympify(times)
    parts = []
    for v in vals:
        a, b = (factor, v) if factor is not None else (None, v)
        lb = _light(b)
        la = "" if a is None else _light(a)
        if lb is None or la is None:
            inner = written_sum(vals) if factor is None else (
                "<mrow>" + "<mo>+</mo>".join(product(factor, x) for x in vals) + "</mrow>")
            return math(inner)
        sep = " &#xB7; " if a is not None and (a.is_Number or b.is_Number) else ""
        parts.append(f"{la}{sep}{lb}")
    return " + ".join(parts)
