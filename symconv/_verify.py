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
from sympy import Add, Mul, S, Symbol

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
        rows = f"{self.outputs:,} output{'' if self.outputs == 1 else 's'}"
        line = f"{self.statement}: {mark} ({rows}, {how})"
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
        fast = _plain_keys(y_o, row, v, b_o if bias is not None else None) if symbolic else None
        if fast is not None:
            ok = Counter(fast[0]) == Counter(fast[1])
            monomials += len(fast[0])
        elif symbolic:
            lhs = _coefficients(_terms(y_o))
            pairs = [
                (coeff, (*factors, v[c]))
                for c, entry in row.items()
                for coeff, factors in _terms(entry)
            ]
            if bias is not None:
                pairs.extend(_terms(b_o))
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
            if bias is not None:
                rhs_text += f" + {b_o}"
            return IdentityResult(
                name, statement, False, o + 1, monomials,
                "coefficients" if symbolic else "expand",
                f"row {o}: y = {y_o} but the right-hand side is {rhs_text}",
            )
    return IdentityResult(
        name, statement, True, len(y), monomials, "coefficients" if symbolic else "expand"
    )


def _expands_to_zero(y_o: Any, row: dict[int, Any], v: list[Any], b_o: Any) -> bool:
    return bool(sympy.expand(y_o - sum((e * v[c] for c, e in row.items()), b_o)) == 0)


def _plain_keys(
    y_o: Any, row: dict[int, Any], v: list[Any], b_o: Any
) -> tuple[list[frozenset], list[frozenset]] | None:
    """Monomials of both sides when every term is a bare product of Symbols.

    The common case (symbolic weights and inputs, zero padding): each monomial
    has coefficient 1, so the two sides agree exactly when their multisets of
    monomials do.  Anything else returns None for the general comparison.
    """
    lhs = []
    for t in y_o.args if type(y_o) is Add else (y_o,):
        cls = type(t)
        if cls is Mul:
            a = t.args
            if len(a) != 2 or type(a[0]) is not Symbol or type(a[1]) is not Symbol:
                return None
            lhs.append(frozenset(a))
        elif cls is Symbol:
            lhs.append(frozenset((t,)))
        elif t is not S.Zero:
            return None
    rhs = []
    for c, e in row.items():
        x = v[c]
        if type(e) is not Symbol or type(x) is not Symbol or e is x:
            return None
        rhs.append(frozenset((e, x)))
    if b_o is not None:
        if type(b_o) is not Symbol:
            return None
        rhs.append(frozenset((b_o,)))
    return lhs, rhs


def _coefficients(terms: list[tuple[Any, tuple[Any, ...]]]) -> Counter | None:
    """Coefficient of each monomial in a sum of ``(coefficient, factors)`` terms.

    A monomial is the set of its factors, all distinct plain Symbols; anything
    else (a power such as ``x_0**2``) returns None and the row is compared by
    expansion instead.  Integer coefficients are summed as Python ints.
    """
    out: Counter = Counter()
    for coeff, factors in terms:
        if coeff is S.Zero:
            continue
        for f in factors:
            if type(f) is not Symbol:
                return None
        key = frozenset(factors)
        if len(key) != len(factors):
            return None
        out[key] += 1 if coeff is S.One else (int(coeff) if coeff.is_Integer else coeff)
    return out


def _terms(expr: Any) -> list[tuple[Any, tuple[Any, ...]]]:
    """``(coefficient, factors)`` of each term of a sum, fast for products of Symbols."""
    out = []
    for t in Add.make_args(expr):
        cls = type(t)
        if cls is Symbol:
            out.append((S.One, (t,)))
        elif cls is Mul and not t.args[0].is_Number:
            out.append((S.One, t.args))
        else:
            out.append(t.as_coeff_mul())
    return out
