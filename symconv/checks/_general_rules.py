"""General sizes: the named rewriting rules of the general proofs, each a function (checks).

Layer: checks.  Over 400 lines: one idea, the table :data:`RULES`; each rule's rewriting
function, its certificate and its row must change together, and the table is the one
list a proof step may cite, so it is not split.

Every step of a general proof (:mod:`symconv.checks._general_proofs`) names one
rule of :data:`RULES`.  A rule is a function ``apply(expr, *args) -> expr`` that
rewrites SymPy expressions, plus whether an application of it is *established
by SymPy* (``symbolic=True``: SymPy's own operations on sums, or an algebraic
identity SymPy verifies) or only *checked on instances* (``symbolic=False``:
the lemma is true for every size, but SymPy cannot show it; the step is then
grid-checked, and the rule itself is tested against brute-force enumeration).

Never SymPy's ``.doit()`` on a Kronecker delta with a non-unit coefficient: it
drops the divisibility condition (``w[1/2]``).  :func:`eliminate_delta` keeps it.
Reusable (issue 14): import :data:`RULES`, :class:`Rule` and the functions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sympy
from sympy import And, Eq, KroneckerDelta, Mod, Piecewise, Sum, ceiling, floor


def normal(e: Any) -> Any:
    """``e`` with every sum of terms expanded (a canonical form for comparing)."""
    e = sympy.sympify(e)
    return e.replace(lambda a: isinstance(a, sympy.Add), lambda a: sympy.expand(a))


def same(a: Any, b: Any) -> bool:
    """SymPy establishes ``a == b``: structurally, after expansion, or ``expand(a-b) == 0``."""
    if a == b:
        return True
    na, nb = normal(a), normal(b)
    if na == nb:
        return True
    try:
        return bool(sympy.expand(na - nb) == 0)
    except (TypeError, ValueError):
        return False


# ------------------------------------------------------------------ the rules


def exchange_sums(expr: Any, order: tuple[int, ...] | None = None) -> Any:
    """Exchange of finite sums: reorder the limits of a ``Sum`` (innermost first).

    Valid when no limit's bounds depend on another limit's variable (checked).
    ``order`` lists the old limit positions in their new order; default reversed.

    Examples
    --------
    >>> import sympy
    >>> a, b, n, m = sympy.symbols("a b n m", integer=True)
    >>> f = sympy.Function("f")
    >>> exchange_sums(sympy.Sum(f(a, b), (a, 0, n), (b, 0, m)))
    Sum(f(a, b), (b, 0, m), (a, 0, n))
    """
    if not isinstance(expr, Sum):
        raise ValueError(f"exchange of sums needs a Sum, got {expr}")
    lims = list(expr.limits)
    dummies = {lim[0] for lim in lims}
    for v, lo, hi in lims:
        if (sympy.sympify(lo).free_symbols | sympy.sympify(hi).free_symbols) & dummies:
            raise ValueError(f"the bounds of {v} depend on another summation variable")
    order = tuple(reversed(range(len(lims)))) if order is None else order
    return Sum(expr.function, *[lims[a] for a in order])


def certify_exchange(lhs: Any, rhs: Any) -> bool:
    """SymPy's own ``Sum.reorder_limit`` turns each changed sum of ``lhs`` into ``rhs``'s.

    SymPy refuses (``ReorderError``) limits that depend on each other.

    Examples
    --------
    >>> import sympy
    >>> a, b, n = sympy.symbols("a b n", integer=True)
    >>> x = sympy.IndexedBase("x")
    >>> s = sympy.Sum(x[a, b], (a, 0, n), (b, 0, n))
    >>> certify_exchange(s, exchange_sums(s)), certify_exchange(s, sympy.Sum(x[a, b], (a, 0, n)))
    (True, False)
    """
    from sympy.concrete.expr_with_intlimits import ReorderError

    before = [t for t in lhs.atoms(Sum) if t not in rhs.atoms(Sum)]
    after = [t for t in rhs.atoms(Sum) if t not in lhs.atoms(Sum)]
    if not before or len(before) != len(after):
        return False
    reps = {}
    for old in before:
        match = [new for new in after if new.function == old.function
                 and sorted(map(str, new.limits)) == sorted(map(str, old.limits))]
        if len(match) != 1:
            return False
        target, cur = match[0], old
        try:
            for pos, lim in enumerate(target.limits):
                at = list(cur.limits).index(lim)
                while at > pos:
                    cur = cur.reorder_limit(at - 1, at)
                    at -= 1
        except ReorderError:
            return False
        reps[old] = cur
    return bool(lhs.xreplace(reps) == rhs)


def certify_factor(lhs: Any, rhs: Any) -> bool:
    """SymPy's own ``factor_sum`` pulls the free factor out of the merged sum.

    One side is ``Sum(c * f, L_inner..., L_outer...)``, the other
    ``Sum(c * Sum(f, L_inner...), L_outer...)``; the step is established when
    ``factor_sum`` of the inner part of the first gives the second, for some split
    of its limits (merge sums and linearity are the two directions).
    """
    from sympy.simplify.simplify import factor_sum

    for flat, nested in ((lhs, rhs), (rhs, lhs)):
        if not isinstance(flat, Sum) or not isinstance(nested, Sum):
            continue
        for cut in range(1, len(flat.limits)):
            inner = factor_sum(Sum(flat.function, *flat.limits[:cut]))
            if Sum(inner, *flat.limits[cut:]) == nested:
                return True
    return False


def merge_sums(expr: Any) -> Any:
    """Nested sums as one: ``Sum(c * Sum(f, L1), L2) -> Sum(c * f, L1, L2)`` (linearity).

    Examples
    --------
    >>> import sympy
    >>> a, b, n = sympy.symbols("a b n", integer=True)
    >>> x = sympy.IndexedBase("x")
    >>> merge_sums(sympy.Sum(x[b] * sympy.Sum(x[a], (a, 0, n)), (b, 0, n)))
    Sum(x[a]*x[b], (a, 0, n), (b, 0, n))
    """
    if not isinstance(expr, Sum):
        raise ValueError(f"merging sums needs a Sum, got {expr}")
    f = expr.function
    inner = [t for t in sympy.Mul.make_args(f) if isinstance(t, Sum)]
    if len(inner) != 1:
        raise ValueError(f"merging sums needs one inner Sum factor, got {f}")
    rest = sympy.Mul(*[t for t in sympy.Mul.make_args(f) if t is not inner[0]])
    return Sum(rest * inner[0].function, *inner[0].limits, *expr.limits)


def split_sum(expr: Any, keep: int) -> Any:
    """Linearity: ``Sum(a*f, L_inner..., L_outer...)`` with the first ``keep`` limits inner.

    Factors not involving the inner variables move out of the inner sum:
    ``Sum(a(o) * b(o, j), (j,..), (o,..)) -> Sum(a(o) * Sum(b(o, j), (j,..)), (o,..))``.

    Examples
    --------
    >>> import sympy
    >>> a, b, n = sympy.symbols("a b n", integer=True)
    >>> x = sympy.IndexedBase("x")
    >>> split_sum(sympy.Sum(x[a] * x[b], (a, 0, n), (b, 0, n)), 1)
    Sum(x[b]*Sum(x[a], (a, 0, n)), (b, 0, n))
    """
    if not isinstance(expr, Sum):
        raise ValueError(f"splitting a sum needs a Sum, got {expr}")
    inner, outer = list(expr.limits[:keep]), list(expr.limits[keep:])
    ivars = {lim[0] for lim in inner}
    factors = sympy.Mul.make_args(expr.function)
    dep = sympy.Mul(*[t for t in factors if t.free_symbols & ivars])
    out = sympy.Mul(*[t for t in factors if not t.free_symbols & ivars])
    body = out * Sum(dep, *inner)
    return Sum(body, *outer) if outer else body


def zero_padding_as_delta(expr: Any, read: Any, position: int, var: Any, size: Any) -> Any:
    """The zero-padding convention as a sum: ``x~[.., e, ..] = sum_i x[.., i, ..] [i = e]``.

    ``i`` runs over ``0..size-1``: a read outside the array is 0.  Replaces the
    indexed ``read`` inside ``expr``; SymPy's unit-coefficient delta summation
    establishes it (it returns the read with its range condition).

    Examples
    --------
    >>> import sympy
    >>> i, o, n = sympy.symbols("i o n", integer=True)
    >>> x = sympy.IndexedBase("x")
    >>> zero_padding_as_delta(x[o + 1], x[o + 1], 0, i, n)
    Sum(KroneckerDelta(i, o + 1)*x[i], (i, 0, n - 1))
    """
    idx = list(read.indices)
    e = idx[position]
    idx[position] = var
    new = Sum(read.base[tuple(idx)] * KroneckerDelta(var, e), (var, 0, size - 1))
    return expr.xreplace({read: new})


def certify_sift(lhs: Any, rhs: Any) -> bool:
    """SymPy sums every delta sum new in ``rhs`` back, and gets ``lhs`` again.

    Each ``Sum(f(v) [v = e], (v, 0, N-1))`` of ``rhs`` not in ``lhs`` is replaced by
    SymPy's unit-coefficient delta summation (its in-range branch); the result must
    equal ``lhs`` (:func:`same`), or, for a symbol ``e`` with a numeric range, equal
    it case by case.

    Examples
    --------
    >>> import sympy
    >>> q, r = sympy.symbols("q r", integer=True)
    >>> Q = sympy.Symbol("Q", integer=True, positive=True)
    >>> w = sympy.IndexedBase("w")
    >>> certify_sift(w[q], introduce_delta(w[q], r, q, Q))
    True
    >>> certify_sift(w[q + 1], introduce_delta(w[q], r, q, Q))
    False
    """
    old = lhs.atoms(Sum) if isinstance(lhs, sympy.Basic) else set()
    reps, cases = {}, []
    for s in rhs.atoms(Sum):
        if s in old or len(s.limits) != 1:
            continue
        var, lo, hi = s.limits[0]
        deltas = [t for t in sympy.Mul.make_args(s.function)
                  if isinstance(t, KroneckerDelta) and var in t.free_symbols]
        if len(deltas) != 1:
            continue
        value = next(a for a in deltas[0].args if a != var)
        back = sympy_sum(s)
        reps[s] = back.args[0][0] if isinstance(back, Piecewise) else back
        if isinstance(value, sympy.Symbol) and lo.is_Integer and hi.is_Integer:
            cases.append((value, int(lo), int(hi)))
    if not reps:
        return False
    summed = rhs.xreplace(reps)
    if same(summed, lhs):
        return True
    return bool(cases) and all(same(summed.subs(v, n), lhs.subs(v, n))
                               for v, a, b in cases for n in range(a, b + 1))


def eliminate_delta(expr: Any, var: Any) -> Any:
    """Kronecker-delta elimination under divisibility, for the limit of ``var``.

    ``sum_{var=lo}^{hi} f(var) [A = a*var + c] = f((A-c)/a) [a | A-c] [a*lo <= A-c <= a*hi]``
    with ``a`` a positive integer (expression) free of ``var``.  The divisibility
    condition is what SymPy's own ``doit`` drops; it is omitted only when ``a == 1``.

    Examples
    --------
    >>> import sympy
    >>> o, j, i = sympy.symbols("o j i", integer=True)
    >>> s, d, k = sympy.symbols("s d k", integer=True, positive=True)
    >>> w = sympy.IndexedBase("w")
    >>> eliminate_delta(sympy.Sum(w[j] * sympy.KroneckerDelta(i, s*o + d*j), (j, 0, k - 1)), j)
    Piecewise((w[(i - o*s)/d], (i - o*s >= 0) & Eq(Mod(i - o*s, d), 0) & (d*(k - 1) >= i - o*s)),
              (0, True))
    """
    if not isinstance(expr, Sum):
        raise ValueError(f"delta elimination needs a Sum, got {expr}")
    lims = list(expr.limits)
    pos = [a for a, lim in enumerate(lims) if lim[0] == var]
    if not pos:
        raise ValueError(f"{var} is not a summation variable of {expr}")
    _, lo, hi = lims.pop(pos[0])
    deltas = [t for t in sympy.Mul.make_args(expr.function)
              if isinstance(t, KroneckerDelta) and var in t.free_symbols]
    if len(deltas) != 1:
        raise ValueError(f"delta elimination needs one KroneckerDelta in {var}, got {deltas}")
    delta = deltas[0]
    rest = sympy.Mul(*[t for t in sympy.Mul.make_args(expr.function) if t is not delta])
    left, right = delta.args
    if var in left.free_symbols:
        left, right = right, left
    if var in left.free_symbols:
        raise ValueError(f"{var} on both sides of {delta}")
    right = sympy.expand(right)
    a = right.coeff(var)
    c = sympy.expand(right - a * var)
    if a == 0 or var in a.free_symbols or a.is_positive is not True or not a.is_integer:
        raise ValueError(f"the coefficient of {var} in {delta} must be a positive integer, "
                         f"got {a}")
    r = sympy.expand(left - c)
    conds: list[Any] = [] if a == 1 else [Eq(Mod(r, a), 0)]
    conds += [r >= sympy.expand(a * lo), r <= a * hi]
    body = Piecewise((rest.xreplace({var: r / a}), And(*conds)), (0, True))
    return Sum(body, *lims) if lims else body


def introduce_delta(expr: Any, var: Any, value: Any, size: Any) -> Any:
    """``f(value) = sum_{var=0}^{size-1} [var = value] f(var)`` for ``0 <= value < size``.

    Examples
    --------
    >>> import sympy
    >>> q, r, Q = sympy.symbols("q r Q", integer=True)
    >>> introduce_delta(sympy.IndexedBase("w")[q], r, q, Q)
    Sum(KroneckerDelta(q, r)*w[r], (r, 0, Q - 1))
    """
    return Sum(KroneckerDelta(var, value) * expr.xreplace({value: var}), (var, 0, size - 1))


def sympy_sum(expr: Any) -> Any:
    """SymPy's own ``doit`` on sums whose deltas all have unit coefficients.

    Refuses a delta with a non-unit coefficient in a summation variable (the
    case SymPy gets wrong).

    Examples
    --------
    >>> import sympy
    >>> q, r, Q = sympy.symbols("q r Q", integer=True)
    >>> sympy_sum(sympy.Sum(sympy.KroneckerDelta(q, r), (r, 0, Q - 1)))
    Piecewise((1, (q >= 0) & (q <= Q - 1)), (0, True))
    """
    for s in expr.atoms(Sum):
        dummies = {lim[0] for lim in s.limits}
        for delta in s.function.atoms(KroneckerDelta):
            for v in dummies & delta.free_symbols:
                for side in delta.args:
                    coeff = sympy.expand(side).coeff(v)
                    if coeff not in (0, 1, -1):
                        raise ValueError(f"SymPy's delta summation is unsound here: {delta} "
                                         f"has coefficient {coeff} in {v}")
    return expr.doit()


def differentiate(expr: Any, wrt: Any) -> Any:
    """``d expr / d wrt`` by SymPy (``Derivative.doit``), deltas left unsummed.

    Examples
    --------
    >>> import sympy
    >>> j, t, k = sympy.symbols("j t k", integer=True)
    >>> w = sympy.IndexedBase("w")
    >>> differentiate(sympy.Sum(w[j]**2, (j, 0, k)), w[t])
    Sum(2*KroneckerDelta(j, t)*w[j], (j, 0, k))
    """
    return sympy.diff(expr, wrt)


def change_index(expr: Any, var: Any, trafo: Any, new: Any) -> Any:
    """Index shift/reversal ``var -> trafo(var)`` (linear, unit slope) by SymPy.

    Examples
    --------
    >>> import sympy
    >>> j, t, k = sympy.symbols("j t k", integer=True)
    >>> w = sympy.IndexedBase("w")
    >>> change_index(sympy.Sum(w[k - 1 - j], (j, 0, k - 1)), j, k - 1 - j, t)
    Sum(w[t], (t, 0, k - 1))
    """
    return expr.change_index(var, trafo, new)


def shift_both(expr: Any, shifts: dict[Any, Any]) -> Any:
    """Substitute shifted indices (``o -> o + 1``, ``i -> i + s``) and expand.

    Examples
    --------
    >>> import sympy
    >>> o, i, s = sympy.symbols("o i s", integer=True)
    >>> shift_both(i - s*o, {o: o + 1, i: i + s})
    i - o*s
    """
    return normal(expr.xreplace(shifts))


def floor_count(bound: Any, step: Any) -> Any:
    """``#{o >= 0 : step*o <= bound} = floor(bound/step) + 1`` for ``bound >= 0``.

    Examples
    --------
    >>> floor_count(7, 3)
    3
    """
    return floor(sympy.sympify(bound) / step) + 1


def interval_count(low: Any, high: Any, step: Any, m: Any) -> Any:
    """``#{0 <= o <= m-1 : low <= step*o <= high}``, as ``max(0, ...)`` of floors.

    Examples
    --------
    >>> interval_count(-2, 7, 2, 10)
    4
    """
    top = sympy.Min(m - 1, floor(sympy.sympify(high) / step), evaluate=False)
    bottom = sympy.Max(0, ceiling(sympy.sympify(low) / step), evaluate=False)
    out = sympy.Max(0, top - bottom + 1, evaluate=False)
    return out.doit() if not out.free_symbols else out


def algebra(expr: Any) -> Any:
    """Algebra SymPy verifies (expansion); the step's sides must agree by :func:`same`."""
    return normal(expr)


@dataclass(frozen=True)
class Rule:
    """A named rewriting rule.

    Attributes
    ----------
    name : str
    statement : str
        The lemma in words.
    symbolic : bool
        An application is established by SymPy (then the step is *proved*);
        otherwise the step is *checked on instances* only.
    apply : callable
    cite : str
        Where the lemma or the law comes from.
    certify : callable, optional
        ``(lhs, rhs) -> bool``: SymPy establishes this application (else the step
        is only checked).
    """

    name: str
    statement: str
    symbolic: bool
    apply: Callable[..., Any]
    cite: str = ""
    certify: Callable[[Any, Any], bool] | None = None


RULES: dict[str, Rule] = {r.name: r for r in (
    Rule("definition", "the definition of the operation (the index law)", True,
         lambda e, *a: e),
    Rule("exchange of finite sums", "finite sums with independent bounds commute (SymPy's "
         "reorder_limit)", True, exchange_sums, certify=certify_exchange),
    Rule("merge sums", "a factor times a sum is the sum of the factor times its terms "
         "(SymPy's factor_sum)", True, merge_sums, certify=certify_factor),
    Rule("linearity", "factors free of the summation variables move out of the sum "
         "(SymPy's factor_sum)", True, split_sum, certify=certify_factor),
    Rule("zero padding as a delta sum",
         "a read outside 0..n-1 is 0, so x~[e] = sum_i x[i] [i = e] (each application "
         "summed back by SymPy)", True,
         zero_padding_as_delta, certify=certify_sift),
    Rule("introduce a Kronecker delta", "f(q) = sum_r [r = q] f(r) for q in range (each "
         "application summed back by SymPy)", True,
         introduce_delta, certify=certify_sift),
    Rule("unit delta summation", "SymPy's delta summation with unit coefficients", True,
         sympy_sum),
    Rule("Kronecker-delta elimination under divisibility",
         "sum_j f(j) [A = a j + c] = f((A-c)/a) [a | A-c] [bounds]", False, eliminate_delta),
    Rule("differentiation", "the derivative of a sum of products (SymPy)", True,
         differentiate, "GBC eqs. 9.11-9.13 (chain rule)"),
    Rule("index shift", "sum_j f(j) = sum_t f(trafo(t)), a unit-slope change of index", True,
         change_index),
    Rule("shift of both indices", "substitute shifted indices and expand (SymPy)", True,
         shift_both),
    Rule("counting multiples", "#{o >= 0 : s o <= A} = floor(A/s) + 1 for A >= 0", False,
         floor_count, "D&V relationship 15"),
    Rule("counting an interval", "#{0 <= o < m : L <= s o <= U} = max(0, min(m-1, "
         "floor(U/s)) - max(0, ceil(L/s)) + 1)", False, interval_count),
    Rule("injectivity of taps", "in one row, distinct taps j read distinct inputs i "
         "(d > 0), so nonzeros count taps", False, lambda e, *a: e),
    Rule("indices in range", "a condition that holds for every index in its range", False,
         lambda e, *a: e),
    Rule("drop range conditions", "a read outside the array is 0 (zero padding), so its "
         "range condition can be dropped", False, lambda e, *a: e),
    Rule("algebra", "expansion and cancellation (SymPy)", True, algebra),
)}
