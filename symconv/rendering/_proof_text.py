"""Proofs as plain text: ``str(proof)`` and justifications (layer: rendering).

The plain-text twin of the LaTeX notation in :class:`symconv.rendering._render.Notation`:
each typed quantity of :mod:`symconv.checks._proof_terms` is printed by its type
(``Grad(w[0])`` -> ``dL/dw[0]``, ``OutputSize()`` -> ``n_out``), every other
SymPy value as SymPy's ``str`` shows it.  0-based, default names: plain text is
the API's own notation.

Examples
--------
>>> import sympy
>>> from symconv.checks._proof_terms import Grad, OutputSize, RoleMatrix, entry
>>> print(text(Grad(entry("w", (0, 2)))), text(Grad(RoleMatrix("x", 4))), text(OutputSize(1)))
dL/dw[0, 2] dL/dx n_out[1]
"""

from __future__ import annotations

from typing import Any

from sympy.printing.str import StrPrinter

from ..checks import _proof_terms as terms
from ._notation import OperatorCalls


class TextNotation(OperatorCalls, StrPrinter):
    """SymPy's ``str`` printer with the proofs' typed quantities in plain-text notation."""

    def _call(self, name: str, args: Any) -> str:
        return name + "(" + ", ".join(self._print(a) for a in args) + ")"

    def _print_Grad(self, expr: Any) -> str:
        return "dL/d" + self._print(expr.args[0])

    def _print_Dim(self, expr: Any) -> str:
        matrix, weights = (self._print(a) for a in expr.args)
        return f"dim{{{matrix}({weights})}}"

    def _print_Rank(self, expr: Any) -> str:
        return self._call("rank", expr.args)

    def _print_OutputSize(self, expr: Any) -> str:
        return "n_out" + "".join(f"[{int(a)}]" for a in expr.args)

    def _print_Operation(self, expr: terms.Operation) -> str:
        args = [self._print(a) for a in expr.operands]
        args += [f"{k}={v!r}" for k, v in expr.params.items()]
        window = ", ".join(f"{lo}:{hi}" for lo, hi in expr.window)
        return f"{expr.name}({', '.join(args)})" + (f"[{window}]" if window else "")

    def _print_Equality(self, expr: Any) -> str:
        return f"{self._print(expr.lhs)} = {self._print(expr.rhs)}"


_PRINTER = TextNotation()


def text(value: Any) -> str:
    """One SymPy value (or number) in plain-text notation."""
    return str(_PRINTER.doprint(value))


def plain(why: Any) -> str:
    """A justification as plain text: its words, and its math through :func:`text`.

    Examples
    --------
    >>> import sympy
    >>> from symconv.checks._proof_terms import Role
    >>> T = sympy.IndexedBase(Role("T"))
    >>> print(plain(("entry ", T[sympy.Symbol("o"), 0], " of ", Role("T"))))
    entry T[o, 0] of T
    """
    if isinstance(why, str):
        return why
    return "".join(p if isinstance(p, str) else text(p) for p in why)


def proof_text(proof: Any) -> str:
    """``str(proof)``: the statement, then each step with its justification and check."""
    lines = [f"{proof.title}: {text(proof.lhs)} {proof.relation} {text(proof.rhs)}"]
    for n, (s, c) in enumerate(zip(proof.steps, proof.checks), 1):
        lines.append(f"  {n}. {text(s.lhs)} {s.relation} {text(s.rhs)}  "
                     f"[{plain(s.justification)}; {c}]")
    return "\n".join(lines)


__all__ = ["TextNotation", "plain", "proof_text", "text"]
