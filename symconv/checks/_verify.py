"""Exact proof of the two matrix identities of a derivation, by structure.

Layer: checks.

``vec(y) = T vec(x) + b`` and ``vec(y) = P vec(w) + b`` are bilinear in the
weights and inputs, so they hold exactly when both sides have the same
coefficient on every monomial ``w_k x_i`` and every bias.  Both sides are read
back from the SymPy objects the user sees (``output``, ``matrix``, ``patches``),
not from the tap table, and compared monomial by monomial in linear time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import sympy
from sympy import Add, Mul, S, Symbol

from ..core._gc import without_gc

if TYPE_CHECKING:
    from ..core._derivation import Derivation


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
    """The result of :meth:`Derivation.verify`: truthy when every identity holds.

    Examples
    --------
    >>> import symconv as sc, sympy
    >>> v = sc.convolve(sympy.symarray("x", 3), sympy.symarray("w", 2)).verify()
    >>> bool(v), [r.name for r in v.results]
    (True, ['matrix', 'patches'])
    >>> print(v.results[0])
    vec(y) = T vec(x): holds (4 outputs, 6 monomial coefficients compared)
    """

    results: tuple[IdentityResult, ...]

    def __bool__(self) -> bool:
        return all(r.holds for r in self.results)

    def __str__(self) -> str:
        return "\n".join(str(r) for r in self.results)

    def __repr__(self) -> str:
        return f"<Verification {'proved' if self else 'FAILED'}: {len(self.results)} identities>"


@without_gc
def verify(d: Derivation) -> Verification:
    """Prove both matrix identities of ``d`` (see module docstring)."""
    y = d.flat_output
    bias = d.bias_per_output()
    xs = d.flat_input
    ws = d.flat_weight
    b = "" if bias is None else " + b"
    results = []
    for name, statement, rep, v in (
        ("matrix", f"vec(y) = T vec(x){b}", d.matrix_entries(), xs),
        ("patches", f"vec(y) = P vec(w){b}", d.patch_entries(), ws),
    ):
        rows: Mapping[int, Mapping[int, Any]] = rep
        empty: dict[int, Any] = {}
        rhs = [list(zip(row.values(), map(v.__getitem__, row)))
               for row in (rows.get(o, empty) for o in range(len(y)))]
        if bias is not None:
            for o, pairs in enumerate(rhs):
                pairs.append((bias[o], S.One))
        results.append(replace(compare_sums(statement, y, rhs), name=name))
    return Verification(tuple(results))


# ------------------------------------------------------ exact comparison


@without_gc
def compare_sums(
    statement: str, lhs: list[Any], rhs: list[list[tuple[Any, Any]]]
) -> IdentityResult:
    """Prove ``lhs[j] == sum(p * q for p, q in rhs[j])`` for every ``j``.

    Both sides are split into monomials (products of distinct plain Symbols
    times a number) and their coefficients compared: exactly for integers and
    rationals, to a relative ``1e-12`` for floating-point coefficients (which
    SymPy may have summed in another order).  An entry with anything else (a
    power such as ``x_0**2``, a function) is compared by ``sympy.expand``.
    """
    monomials = 0
    method = "coefficients"
    if len(lhs) != len(rhs):
        return IdentityResult(statement, statement, False, 0, 0, method,
                              f"{len(lhs)} entries on the left, {len(rhs)} on the right")
    for j, (left, pairs) in enumerate(zip(lhs, rhs)):
        fast = _plain_sides(left, pairs)
        if fast is not None:  # every term a bare product of Symbols: compare multisets
            ok = _same_multiset(fast[0], fast[1])
            monomials += len(fast[0])
            if ok:
                continue
        a = _coefficients(_split(t) for t in Add.make_args(left))
        b = _coefficients(_pair_terms(pairs))
        if a is not None and b is not None:
            ok = _same_coefficients(a, b)
            monomials += len(a)
        else:
            method = "expand"
            ok = bool(sympy.expand(left - Add(*[p * q for p, q in pairs])) == 0)
        if not ok:
            right = " + ".join(f"({p})*({q})" for p, q in pairs) or "0"
            return IdentityResult(
                statement, statement, False, j + 1, monomials, method,
                f"entry {j}: {left} but the right-hand side is {right}",
            )
    return IdentityResult(statement, statement, True, len(lhs), monomials, method)


def _key(a: Any, b: Any) -> tuple[int, int]:
    """An order-free key of the product of two objects, by identity."""
    ia, ib = id(a), id(b)
    return (ia, ib) if ia < ib else (ib, ia)


def _plain_terms(expr: Any) -> list[tuple[int, int]] | None:
    """Monomial keys of a sum of bare Symbols and products of two Symbols, else None."""
    out: list[tuple[int, int]] = []
    append = out.append
    for t in expr.args if type(expr) is Add else (expr,):
        cls = type(t)
        if cls is Mul:
            a = t.args
            if len(a) != 2:
                return None
            p, q = a
            if type(p) is not Symbol or type(q) is not Symbol:
                return None
            ip, iq = id(p), id(q)  # _key, inlined: this loop runs once per product
            append((ip, iq) if ip < iq else (iq, ip))
        elif cls is Symbol:
            append((0, id(t)))
        else:
            return None
    return out


def _plain_sides(
    left: Any, pairs: list[tuple[Any, Any]]
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]] | None:
    """Both sides as monomial keys when every term is a coefficient-1 product of Symbols.

    Keys compare Symbols by identity (SymPy caches them, so equal Symbols are
    one object): equal multisets of keys prove the sides equal, and a rare
    mismatch between equal-but-distinct objects only sends the entry on to the
    exact coefficient comparison.
    """
    if getattr(left, "is_commutative", True) is not True:
        return None  # a*b != b*a: the order-free keys below would equate them
    lhs = _plain_terms(left)
    if lhs is None:
        return None
    rhs: list[tuple[int, int]] = []
    append = rhs.append
    one = S.One
    for p, q in pairs:
        if type(p) is Symbol and type(q) is Symbol and p is not q:
            ip, iq = id(p), id(q)
            append((ip, iq) if ip < iq else (iq, ip))
        elif q is one:
            terms = _plain_terms(p)
            if terms is None:
                return None
            rhs.extend(terms)
        else:
            return None
    return lhs, rhs


def _same_multiset(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> bool:
    """Equal as multisets: by sets when ``a`` has no repeats (then equal sets and equal
    lengths force ``b`` to be a permutation of ``a``), else by sorting."""
    if len(a) != len(b):
        return False
    sa = set(a)
    if len(sa) == len(a):
        return sa == set(b)
    return sorted(a) == sorted(b)


def _split(term: Any) -> tuple[Any, tuple[Any, ...]]:
    """``(number, factors)`` of one term: ``2.5*x*y`` -> ``(2.5, (x, y))``."""
    coeff, rest = term.as_coeff_Mul()
    return coeff, () if rest is sympy.S.One else Mul.make_args(rest)


def _pair_terms(pairs: Iterable[tuple[Any, Any]]) -> Iterable[tuple[Any, tuple[Any, ...]]]:
    """``(coefficient, factors)`` of every term of ``sum(p * q)``, without building products."""
    for p, q in pairs:
        for s in Add.make_args(p):
            cs, fs = _split(s)
            for t in Add.make_args(q):
                ct, ft = _split(t)
                yield cs * ct, fs + ft


def _coefficients(terms: Iterable[tuple[Any, tuple[Any, ...]]]) -> dict[Any, Any] | None:
    """Coefficient of each monomial (a set of distinct Symbols), or None if not polynomial."""
    out: Counter = Counter()
    for coeff, factors in terms:
        if not coeff.is_Number:
            return None
        if not all(type(f) is Symbol and f.is_commutative for f in factors) \
                or len(set(factors)) != len(factors):
            return None  # a set of factors is a monomial only if they commute
        out[frozenset(factors)] += coeff
    return {k: v for k, v in out.items() if v != 0}


def _same_coefficients(a: dict[Any, Any], b: dict[Any, Any]) -> bool:
    if a == b:
        return True
    for key in a.keys() | b.keys():
        u, v = a.get(key, sympy.S.Zero), b.get(key, sympy.S.Zero)
        if u == v:
            continue
        if not (u.is_Float or v.is_Float):
            return False
        if abs(float(u - v)) > 1e-12 * max(1.0, abs(float(u)), abs(float(v))):
            return False
    return True


