"""A tiny LaTeX value layer: commands, environments, joins and escaping.

Modelled on latexify-py's ``codegen/latex.py``: every piece of LaTeX symconv
writes is made by one of these functions, so no caller balances braces or
escapes text by hand.  Everything returns plain ``str``; nothing here knows
about convolutions (layer: rendering).

**Every user-supplied name reaches LaTeX through this module**: a symbol,
function or matrix-symbol name through :func:`symbol_name` /
:func:`function_name`, a whole SymPy value through :func:`latex` (SymPy's
printer with every name routed through those two), free text through
:func:`escape`.  SymPy's own ``sympy.latex`` writes names raw (a symbol named
``\\input{/etc/passwd}`` would be read by pdflatex): nothing else in the
package calls it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sympy.core.function import AppliedUndef
from sympy.printing.latex import LatexPrinter, accepted_latex_functions

#: Text-mode replacements for LaTeX's special characters (backslash first).
_TEXT_ESCAPES = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    # OT1 (LaTeX's default font encoding) has no < or > in its text fonts: the
    # slots print as inverted marks (``0 <= t`` reads ``0 ¡= t``).
    "<": r"\textless{}",
    ">": r"\textgreater{}",
}

#: Greek letters a user may name a symbol after (``"delta"`` -> ``\delta``).
GREEK = frozenset(
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho "
    "sigma tau upsilon phi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon "
    "Phi Psi Omega".split()
)


_SCRIPT = re.compile(r"(?<!\\)[_^']")


def escape(text: str) -> str:
    r"""Escape LaTeX's special characters for text mode.

    Examples
    --------
    >>> print(escape("50% of x_1 & {y}"))
    50\% of x\_1 \& \{y\}
    >>> print(escape("a<b>c"))
    a\textless{}b\textgreater{}c
    """
    return "".join(_TEXT_ESCAPES.get(c, c) for c in text)


def group(body: str) -> str:
    """``{body}``: one argument or one atom.

    Examples
    --------
    >>> group("a+b")
    '{a+b}'
    """
    return "{" + body + "}"


def command(name: str, *args: str, options: Sequence[str] = ()) -> str:
    r"""``\name[options]{arg1}{arg2}...``.

    Examples
    --------
    >>> print(command("textcolor", "red", "w_{0}"))
    \textcolor{red}{w_{0}}
    >>> print(command("definecolor", "c0", "RGB", "1,2,3"))
    \definecolor{c0}{RGB}{1,2,3}
    >>> print(command("usepackage", "geometry", options=["margin=1in"]))
    \usepackage[margin=1in]{geometry}
    """
    opts = "".join("[" + o + "]" for o in options)
    return "\\" + name + opts + "".join(group(a) for a in args)


def environment(name: str, body: str, *args: str) -> str:
    r"""``\begin{name}{args}`` ... ``\end{name}`` on their own lines.

    Examples
    --------
    >>> print(environment("bmatrix", "a & b"))
    \begin{bmatrix}
    a & b
    \end{bmatrix}
    """
    begin = command("begin", name) + "".join(group(a) for a in args)
    return begin + "\n" + body + "\n" + command("end", name)


def join(separator: str, items: Iterable[str]) -> str:
    """Join pieces of LaTeX (a named ``str.join``, for symmetry with latexify).

    Examples
    --------
    >>> join(" + ", ["a", "b"])
    'a + b'
    """
    return separator.join(items)


def text(body: str) -> str:
    r"""Plain text inside math mode (amsmath's ``\text``), escaped.

    Examples
    --------
    >>> print(text("tied & shared"))
    \text{tied \& shared}
    """
    return command("text", escape(body))


def prose(body: str) -> str:
    r"""Text-mode prose in which ``$...$`` segments are math (kept) and the rest is escaped.

    Examples
    --------
    >>> print(prose("sums those entries of $G = g x^\\top$ (50% of them)"))
    sums those entries of $G = g x^\top$ (50\% of them)
    """
    parts = body.split("$")
    if len(parts) % 2 == 0:
        raise ValueError(f"unbalanced `$` in {body!r}")
    return "".join(escape(t) if n % 2 == 0 else "$" + t + "$" for n, t in enumerate(parts))


def sub(base: str, index: str) -> str:
    r"""``base_{index}``, bracing a base that already carries a sub- or superscript.

    Examples
    --------
    >>> sub("x", "0,1")
    'x_{0,1}'
    >>> sub("a^{+}", "2")
    '{a^{+}}_{2}'
    >>> print(sub(r"\text{x\_1}", "0"))
    \text{x\_1}_{0}
    """
    if _SCRIPT.search(base):
        base = group(base)
    return base + "_" + group(index)


def paren(body: str) -> str:
    r"""``\left( body \right)``.

    Examples
    --------
    >>> print(paren("a + b"))
    \left( a + b \right)
    """
    return r"\left( " + body + r" \right)"


def rows(cells: Iterable[Iterable[str]]) -> str:
    r"""Rows of an array environment: cells joined by ``&``, rows by ``\\``.

    Examples
    --------
    >>> print(rows([["a", "b"], ["c", "d"]]))
    a & b \\
    c & d
    """
    return " \\\\\n".join(" & ".join(row) for row in cells)


def symbol_name(name: str) -> str:
    r"""LaTeX for a user's symbol or function name, escaped when it is not a plain name.

    A single letter or digit is itself, a Greek letter's name its command, a
    trailing ``'`` a prime; other alphanumeric names are upright
    (``\mathrm``) and anything else is escaped text.

    Examples
    --------
    >>> symbol_name("W"), symbol_name("delta"), symbol_name("a'")
    ('W', '\\delta', "a'")
    >>> print(symbol_name("act"), symbol_name("x&y"))
    \mathrm{act} \text{x\&y}
    """
    if name.endswith("'") and len(name) > 1:
        return symbol_name(name[:-1]) + "'"
    if len(name) == 1 and name.isalnum() and name.isascii():
        return name
    if name in GREEK:
        return "\\" + name
    if name.isascii() and name.isalnum():
        return command("mathrm", name)
    return text(name)


def function_name(name: str) -> str:
    r"""LaTeX for the name of a function such as a nonlinearity (``f``, ``sigma``, ``ReLU``).

    Examples
    --------
    >>> print(function_name("f"), function_name("sigma"), function_name("ReLU"))
    f \sigma \operatorname{ReLU}
    """
    if name.isascii() and name.isalnum() and len(name) > 1 and name not in GREEK:
        return command("operatorname", name)
    return symbol_name(name)


# ------------------------------------------------------------ SymPy values

#: A name printer: given a symbol (``Symbol``, ``Dummy``, ``MatrixSymbol``...), its LaTeX.
NamePrinter = Callable[[Any], str]


def _plain_name(s: Any) -> str:
    return symbol_name(str(getattr(s, "name", s)))


class SafePrinter(LatexPrinter):
    """SymPy's LaTeX printer, with every name it would write raw routed through symconv's.

    Symbols, dummies and matrix symbols go to the name printer; undefined
    functions (``Function("f")``) to :func:`function_name`; ``Str`` atoms and
    class names to escaped text.  SymPy's own functions (``sin``, ``exp``...)
    keep their commands.  Subclasses add notation for their own types
    (``_print_<Type>`` methods, SymPy's dispatch by type), as the proof renderer does.
    """

    def __init__(self, name: NamePrinter) -> None:
        super().__init__({})
        self._name_of = name

    def _print_Symbol(self, expr: Any, style: str = "plain") -> str:
        return self._name_of(expr)

    _print_RandomSymbol = _print_Symbol

    def _print_MatrixSymbol(self, expr: Any) -> str:
        return self._name_of(expr)

    def _print_Str(self, s: Any) -> str:
        return text(str(s.name))

    def _hprint_Function(self, func: str) -> str:
        if func in accepted_latex_functions:
            return "\\" + func
        return function_name(func)

    def _print_Function(self, expr: Any, exp: str | None = None) -> str:
        if not isinstance(expr, AppliedUndef):
            return str(super()._print_Function(expr, exp))
        name = function_name(expr.func.__name__)
        if exp is not None:
            name = group(name) + "^" + group(exp)
        args = ",".join(self._print(a) for a in expr.args)
        return name + group(r"\left(" + args + r" \right)")

    def _deal_with_super_sub(self, string: str, style: str = "plain") -> str:
        # Backstop for any other path that would print a name (class names...).
        return symbol_name(string)


def latex(value: Any, name: NamePrinter | None = None) -> str:
    r"""Math-mode LaTeX of a SymPy value (or number), every name escaped.

    ``name`` prints one symbol (default: :func:`symbol_name` of its name).

    Examples
    --------
    >>> import sympy
    >>> t = sympy.Symbol("t")
    >>> print(latex(sympy.Function(r"\input{/etc/passwd}")(t) + sympy.Symbol("a_b")))
    \text{a\_b} + \text{\textbackslash{}input\{/etc/passwd\}}{\left(t \right)}
    >>> print(latex(sympy.sin(t) ** 2 / 2))
    \frac{\sin^{2}{\left(t \right)}}{2}
    """
    return str(SafePrinter(name or _plain_name).doprint(value))
