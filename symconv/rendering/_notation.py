r"""The LaTeX notation of proofs: each typed quantity printed by its type (layer: rendering).

:class:`Notation` is the SymPy-safe LaTeX printer of :mod:`symconv.rendering._tex`
with one ``_print_<Type>`` method per quantity of :mod:`symconv.checks._proof_terms`.
It is the only place that knows how a gradient, a flipped kernel, an output size
or a role's letter looks in LaTeX (the plain-text twin is
:mod:`symconv.rendering._proof_text`); it reads no symbol names.  A
:class:`symconv.rendering._render.Printer` owns one and lends it its options:
``names`` (a role's letter) and ``index_base`` (added to integer indices).

Examples
--------
>>> import sympy
>>> from symconv.checks._proof_terms import Grad, OutputSize, RoleMatrix, entry
>>> from symconv.rendering._latex_options import parse_options
>>> from symconv.rendering._render import Printer
>>> p = Printer(parse_options({"names": "aWz", "index_base": 1}))
>>> print(p.value(Grad(entry("w", (0, 2)))))
\frac{\partial L}{\partial W_{1,3}}
>>> print(p.value(RoleMatrix("T", 2, 4) * RoleMatrix("x", 4)), p.value(OutputSize(1)))
T a n_{\mathrm{out},1}
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sympy import Integer

from ..checks import _proof_terms as terms
from . import _tex as tex


class OperatorCalls:
    """The operators a proof writes as a named call, ``flip(w)``, ``conv(x, w)``...

    Shared by the LaTeX printer (:class:`Notation`) and the plain-text one
    (``_proof_text.TextNotation``): each supplies ``_call(name, args)``, how a
    call is written in its notation; the names of the operators live here.
    """

    def _call(self, name: str, args: Sequence[Any]) -> str:
        raise NotImplementedError

    def _print_Flip(self, expr: Any) -> str:
        return self._call("flip", expr.args)

    def _print_Convolve(self, expr: Any) -> str:
        return self._call("conv", expr.args)

    def _print_Correlate(self, expr: Any) -> str:
        return self._call("corr", expr.args)

    def _print_TransposedConv(self, expr: Any) -> str:
        return self._call("convT", expr.args)

    def _print_Vec(self, expr: Any) -> str:
        return self._call("vec", expr.args)


class Notation(OperatorCalls, tex.SafePrinter):
    """The LaTeX of values and of the typed quantities of proofs, by type.

    Symbols go through the printer's names (``x_0_1`` -> ``x_{0,1}``); a role
    (:class:`~symconv.checks._proof_terms.Role`, ``RoleMatrix``) prints as its
    letter under ``names``; an entry of a role with integer indices (``y[0, 2]``)
    as ``y_{0,2}`` with ``index_base`` added; a formula letter as itself; the
    quantities (``Grad``, ``Flip``, ``Dim``...) in their notation below.
    """

    def __init__(self, p: Any) -> None:
        super().__init__(p.symbol)
        self.p = p

    def _call(self, name: str, args: Sequence[Any]) -> str:
        body = ",".join(self._print(a) for a in args)
        return tex.function_name(name) + tex.group(r"\left(" + body + r" \right)")

    def _print_Role(self, expr: Any) -> str:
        return self.p.letter[expr.role]

    def _print_RoleMatrix(self, expr: Any) -> str:
        return self.p.letter[expr.role]

    def _print_Letter(self, expr: Any) -> str:
        return tex.symbol_name(str(expr.name))

    def _print_Indexed(self, expr: Any) -> str:
        if not isinstance(expr.base.label, (terms.Role, terms.Letter)):
            return str(super()._print_Indexed(expr))  # a user's value: SymPy's notation
        base = self._print(expr.base)
        idx = expr.indices
        if all(isinstance(v, Integer) for v in idx):
            return tex.sub(base, self.p.index([int(v) for v in idx]))
        return tex.sub(base, ",".join(self._print(v) for v in idx))

    def _print_Grad(self, expr: Any) -> str:
        return self.p.grad(self._print(expr.args[0]))

    def _print_Dim(self, expr: Any) -> str:
        matrix, weights = (self._print(a) for a in expr.args)
        return r"\dim \{ " + matrix + "(" + weights + r") \}"

    def _print_Rank(self, expr: Any) -> str:
        return r"\operatorname{rank} " + self._print(expr.args[0])

    def _print_OutputSize(self, expr: Any) -> str:
        if not expr.args:
            return r"n_{\mathrm{out}}"
        return tex.sub("n", r"\mathrm{out}," + str(int(expr.args[0])))

    def _print_Operation(self, expr: terms.Operation) -> str:
        args = [self._print(a) for a in expr.operands]
        for key, v in expr.params.items():
            shown = tex.text(f"'{v}'") if isinstance(v, str) else str(v)
            args.append(tex.text(key) + "=" + shown)
        out = tex.text(expr.name) + tex.group(r"\left(" + ", ".join(args) + r" \right)")
        if not expr.window:
            return out
        return tex.group(out) + "_" + tex.group(self.window(expr))

    def window(self, expr: terms.Operation) -> str:
        r"""The block an operation's window selects: ``\{1, \ldots, 4\}`` per axis."""
        base = self.p.o.index_base
        return r" \times ".join(rf"\{{{lo + base}, \ldots, {hi - 1 + base}\}}"
                                for lo, hi in expr.window)

    def prose(self, expr: terms.Operation) -> str:
        """Text-mode LaTeX of an operation, in a justification: it can break between
        its arguments (a call with every parameter is wider than a line)."""
        args = ["$" + self._print(a) + "$" for a in expr.operands]
        args += [tex.escape(f"{k}={v!r}") for k, v in expr.params.items()]
        out = tex.escape(expr.name) + "(" + ", ".join(args) + ")"
        return out + ("$_{" + self.window(expr) + "}$" if expr.window else "")
