"""Sums of products built straight into SymPy's canonical form (core layer).

``Add(*[u * v ...])`` re-sorts and re-flattens every term; for plain symbols
nothing can combine, so the canonical ``Mul``/``Add`` objects can be assembled
directly, in the order SymPy itself would give (``Basic.compare``, which for
plain symbols is the order of their names).  Used by every view of the layer
family that is a sum of products (outputs, gradients).
"""

from __future__ import annotations

from functools import cache

import sympy
from sympy import Add, Basic, Mul, S, Symbol

__all__ = ["sums_of_products"]


@cache
def _symbol_sorts_before_mul() -> bool:
    """Whether SymPy orders a Symbol before a product of two Symbols in an Add."""
    p, q, r = sympy.symbols("p q r")
    return bool(Add(p * q, r).args[0] == r)


def sums_of_products(
    rows: list[list[tuple[Basic, Basic]]], extra: list[Basic] | None = None
) -> list[Basic]:
    """``sum of u*v over rows[r]`` (``+ extra[r]``) for every row, as canonical SymPy objects.

    When every factor is a plain ``Symbol``, the two factors of a product differ
    and no product repeats within a row (so nothing can combine), the canonical
    ``Mul``/``Add`` objects are assembled directly in SymPy's own argument order
    (``Basic.compare``) instead of being re-sorted and re-flattened for every
    term -- the result equals ``Add(*(u * v ...))`` (tested); anything else
    takes that plain path.
    """
    atoms = {f for row in rows for pair in row for f in pair}
    if extra is not None:
        atoms |= set(extra)
    plain = {"commutative": True}
    # Plain Symbols are equal exactly when their names are; Basic.compare orders them
    # by name.  So the checks and the canonical order below work on names (fast).
    fast = all(type(a) is Symbol and a.assumptions0 == plain for a in atoms)
    if fast:
        name_rows = [[(u.name, v.name) for u, v in row] for row in rows]
        fast = all(u != v for row in name_rows for u, v in row) and all(
            len({(u, v) if u < v else (v, u) for u, v in row}) == len(row) for row in name_rows)
        if fast and extra is not None:
            fast = all(e.name not in {f for pair in row for f in pair}
                       for row, e in zip(name_rows, extra))
    if not fast:
        out = []
        for r, row in enumerate(rows):
            total = Add(*[u * v for u, v in row])
            out.append(total + extra[r] if extra is not None else total)
        return out
    by_name = {a.name: a for a in atoms}
    bias_first = _symbol_sorts_before_mul()
    mul, add = Mul._from_args, Add._from_args
    out = []
    for r, row in enumerate(name_rows):
        keyed = sorted((u, v) if u < v else (v, u) for u, v in row)
        args = [mul((by_name[a], by_name[b]), True) for a, b in keyed]
        if extra is not None:
            args.insert(0 if bias_first else len(args), extra[r])
        out.append(S.Zero if not args else args[0] if len(args) == 1 else add(args, True))
    return out
