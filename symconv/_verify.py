"""Exact proof of the two matrix identities of a derivation, by structure.

``vec(y) = T vec(x) + b`` and ``vec(y) = P vec(w) + b`` are bilinear in the
weights and inputs, so they hold exactly when both sides have the same
coefficient on every monomial ``w_k x_i`` and every bias.  Both sides are read
back from the SymPy objects the user sees (``output``, ``matrix``, ``patches``),
not from the tap table, and compared monomial by monomial in linear time.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sympy
from sympy import Add, Symbol

if TYPE_CHECKING:
    from ._derivation import Derivation


@dataclass(frozen=True)
class IdentityResult:
    """The outcome of proving one identity.

    Attributes
    ----------
    name : str
        ``"matrix"`` or ``"patches"``.
    statement : str
        The identity, e.g. ``"vec(y) = T vec(x) + b"``.
    holds : bool
    outputs : int
        Number of outputs (rows) compared.
    monomials : int
        Number of monomial coefficients compared (0 when compared by ``expand``).
    method : str
        ``"coefficients"`` (monomial by monomial) or ``"expand"``.
    counterexample : str or None
        The first output where the sides differ, if any.
    """

    name: str
    statement: str
    holds: bool
    outputs: int
    monomials: int
    method: str
    counterexample: str | None = None

    def __str__(self) -> str:
        mark = "holds" if self.holds else "FAILS"
        how = (
            f"{self.monomials:,} monomial coefficients compared"
            if self.method == "coefficients"
            else "each row expanded to 0"
        )
        line = f"{self.statement}: {mark} ({self.outputs:,} outputs, {how})"
        return line if self.counterexample is None else f"{line}; {self.counterexample}"


@dataclass(frozen=True)
class Verification:
    """The result of :meth:`Derivation.verify`: truthy when every identity holds."""

    results: tuple[IdentityResult, ...]

    def __bool__(self) -> bool:
        return all(r.holds for r in self.results)

    def __str__(self) -> str:
        return "\n".join(str(r) for r in self.results)

    def __repr__(self) -> str:
        return f"<Verification {'proved' if self else 'FAILED'}: {len(self.results)} identities>"


def verify(d: Derivation) -> Verification:
    """Prove both matrix identities of ``d`` (see module docstring)."""
    y = d._output_flat
    bias = d._bias_of_outputs()
    xs = d._x.reshape(-1).tolist()
    ws = d._w.reshape(-1).tolist()
    symbolic = _plain_symbols(xs + ws + (bias or []))
    b = "" if bias is None else " + b"
    return Verification(
        (
            _identity("matrix", f"vec(y) = T vec(x){b}", y, d._matrix_rep, xs, bias, symbolic),
            _identity("patches", f"vec(y) = P vec(w){b}", y, d._patches_rep, ws, bias, symbolic),
        )
    )


def _plain_symbols(values: list[Any]) -> bool:
    return all(type(v) is Symbol for v in values)


def _identity(
    name: str,
    statement: str,
    y: list[Any],
    matrix: Any,
    v: list[Any],
    bias: list[Any] | None,
    symbolic: bool,
) -> IdentityResult:
    # The SparseMatrix's own representation (an SDM: {row: {col: entry}}).
    rows: dict[int, dict[int, Any]] = matrix.rep
    monomials = 0
    for o, y_o in enumerate(y):
        row = rows.get(o, {})
        b_o = sympy.S.Zero if bias is None else bias[o]
        if symbolic:
            lhs = _coefficients([t.as_coeff_mul() for t in Add.make_args(y_o)])
            pairs = [
                (coeff, (*factors, v[c]))
                for c, entry in row.items()
                for coeff, factors in (t.as_coeff_mul() for t in Add.make_args(entry))
            ]
            if bias is not None:
                pairs.append(b_o.as_coeff_mul())
            rhs = _coefficients(pairs)
            if lhs is not None and rhs is not None:
                ok = lhs == rhs
                monomials += len(lhs)
            else:  # a repeated symbol (x_0*x_0): compare this row by expansion
                ok = _expands_to_zero(y_o, row, v, b_o)
        else:
            ok = _expands_to_zero(y_o, row, v, b_o)
        if not ok:
            rhs_text = " + ".join(f"({e})*({v[c]})" for c, e in row.items()) or "0"
            return IdentityResult(
                name, statement, False, o + 1, monomials,
                "coefficients" if symbolic else "expand",
                f"row {o}: y = {y_o} but the right-hand side is {rhs_text}{' + ' + str(b_o) if bias else ''}",
            )
    return IdentityResult(
        name, statement, True, len(y), monomials, "coefficients" if symbolic else "expand"
    )


def _expands_to_zero(y_o: Any, row: dict[int, Any], v: list[Any], b_o: Any) -> bool:
    return bool(sympy.expand(y_o - sum((e * v[c] for c, e in row.items()), b_o)) == 0)


def _coefficients(terms: list[tuple[Any, tuple[Any, ...]]]) -> Counter | None:
    """Coefficient of each monomial in a sum of ``(coefficient, factors)`` terms.

    A monomial is the set of its factors, all distinct plain Symbols; anything
    else (a power such as ``x_0**2``) returns None and the row is compared by
    expansion instead.
    """
    out: Counter = Counter()
    for coeff, factors in terms:
        if coeff == 0:
            continue
        if not all(type(f) is Symbol for f in factors) or len(set(factors)) != len(factors):
            return None
        out[frozenset(factors)] += coeff
    return out
