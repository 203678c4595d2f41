"""SymPy internals, in one place: fast sparse matrices and sums of products (layer: core).

symconv builds SymPy objects in bulk (a LeNet layer's ``T`` has 117,600
entries).  SymPy's public constructors re-validate and re-sort every entry,
which costs an order of magnitude; its internals (``DomainMatrix`` over
``EXRAW`` holding an ``SDM`` dict of dicts, ``SparseMatrix._fromrep``,
``Add._from_args``/``Mul._from_args``) build the very same objects directly.

This module is the only one that touches those internals (``tests/test_layering.py``
checks that no other module reads a SymPy private name).  Whether they behave
as expected is **detected once at import** (:data:`FAST`); if a SymPy release
changes them, every function here falls back to the public API automatically
and gives identical results, only slower (``tests/test_symbolic.py`` builds both
ways and compares).

The representation of a sparse matrix (:func:`sparse`) is opaque to callers:
read it with :func:`rows_of`, turn it into a ``SparseMatrix`` with :func:`to_matrix`.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache, cmp_to_key
from typing import Any

import sympy
from sympy import Add, Basic, Mul, S, Symbol

from ._gc import without_gc
from ._progress import track

__all__ = ["FAST", "FAST_MAX", "rows_of", "sparse", "sums_of_pairs", "sums_of_products",
           "to_matrix", "unevaluated_max"]


class DictRep:
    """The public-API fallback representation: ``{row: {col: entry}}`` and a shape.

    It offers the two things callers use of SymPy's ``DomainMatrix``: ``.rep``
    (the dict of dicts) and ``.copy()``.
    """

    def __init__(self, rows: dict[int, dict[int, Any]], shape: tuple[int, int]) -> None:
        self.rep = rows
        self.shape = shape

    def copy(self) -> DictRep:
        return DictRep({r: dict(row) for r, row in self.rep.items()}, self.shape)


def _detect() -> bool:
    """True when SymPy's internals build the same objects as its public API."""
    try:
        from sympy.polys.domains import EXRAW
        from sympy.polys.matrices import DomainMatrix
        from sympy.polys.matrices.sdm import SDM

        a, b = sympy.symbols("a b")
        dm = DomainMatrix.from_rep(SDM({0: {1: a * b}}, (2, 2), EXRAW))
        public = sympy.SparseMatrix(2, 2, {(0, 1): a * b})
        ok = sympy.SparseMatrix._fromrep(dm.copy()) == public and dm.rep == {0: {1: a * b}}
        ok = ok and Add._from_args((a, b), True) == a + b
        ok = ok and Mul._from_args((a, b), True) == a * b
        return bool(ok)
    except Exception:  # any change in the internals means: do not use them
        return False


#: Whether the fast internal constructors are used (detected at import).
FAST: bool = _detect()


# ------------------------------------------------------------ sparse matrices


@without_gc
def sparse(rows: list[int], cols: list[int], values: list[Any], shape: tuple[int, int],
           fast: bool | None = None) -> Any:
    """A sparse matrix representation from COO lists; numeric zeros are dropped.

    ``fast`` (default :data:`FAST`) chooses SymPy's ``DomainMatrix`` or the
    public-API :class:`DictRep`.

    Examples
    --------
    >>> import sympy
    >>> a = sympy.Symbol("a")
    >>> to_matrix(sparse([0, 1], [1, 0], [a, sympy.S.Zero], (2, 2)))
    Matrix([
    [0, a],
    [0, 0]])
    """
    elems: dict[int, dict[int, Any]] = {}
    entries = zip(rows, cols, values)
    for r, c, v in track(entries, len(rows), "sparse matrix", size=len(rows)):
        if v.is_Number and not v:  # a numeric zero (sparse matrices store none)
            continue
        row = elems.get(r)
        if row is None:
            elems[r] = {c: v}
        else:
            row[c] = v
    if FAST if fast is None else fast:
        from sympy.polys.domains import EXRAW
        from sympy.polys.matrices import DomainMatrix
        from sympy.polys.matrices.sdm import SDM

        return DomainMatrix.from_rep(SDM(elems, shape, EXRAW))
    return DictRep(elems, shape)


def rows_of(rep: Any) -> Mapping[int, Mapping[int, Any]]:
    """The ``{row: {column: entry}}`` of a representation (no copy: do not modify)."""
    rows: Mapping[int, Mapping[int, Any]] = rep.rep
    return rows


def to_matrix(rep: Any) -> sympy.SparseMatrix:
    """A fresh mutable ``SparseMatrix`` holding the representation's entries."""
    if isinstance(rep, DictRep):
        n, m = rep.shape
        return sympy.SparseMatrix(n, m, {(r, c): v for r, row in rep.rep.items()
                                         for c, v in row.items()})
    return sympy.SparseMatrix._fromrep(rep.copy())


# ---------------------------------------------------------- sums of products


def _distinct_symbols(values: list[Any]) -> bool:
    return all(type(v) is Symbol for v in values) and len(set(values)) == len(values)


@cache
def _symbol_sorts_before_mul() -> bool:
    """Does SymPy put a lone Symbol before a product of Symbols in an Add's args?"""
    a, b, c = sympy.symbols("a b c")
    return (a * b + c).args[0] == c


@without_gc
def sums_of_products(
    xs: list[Any],
    ws: list[Any],
    bs: list[Any] | None,
    i: list[int],
    k: list[int],
    starts: list[int],
    fast: bool | None = None,
) -> list[Basic]:
    """``y[o] = sum_t ws[k[t]] * xs[i[t]] (+ bs[o])`` for the taps of each output.

    When every weight, input and bias is its own plain ``Symbol`` no two
    products of one output can combine, so (with :data:`FAST`) the canonical
    SymPy objects are assembled directly in SymPy's own argument order
    (``Basic.compare``) instead of being re-sorted and re-flattened by
    ``Add``/``Mul`` for every output; the result is identical to
    ``Add(*(w * x ...))`` (tested).

    Examples
    --------
    >>> import sympy
    >>> x, w = list(sympy.symbols("x0:3")), list(sympy.symbols("w0:2"))
    >>> sums_of_products(x, w, None, [0, 1, 1, 2], [0, 1, 0, 1], [0, 2, 4])
    [w0*x0 + w1*x1, w0*x1 + w1*x2]
    """
    n_out = len(starts) - 1
    every = xs + ws + (bs or [])
    use_fast = FAST if fast is None else fast
    if not (use_fast and _distinct_symbols(xs + ws)
            and (bs is None or all(type(b) is Symbol for b in bs))
            and (bs is None or not set(bs) & set(xs + ws))):
        out = []
        for o in track(range(n_out), n_out, "outputs", size=len(i)):
            lo, hi = starts[o], starts[o + 1]
            s = Add(*[ws[k[t]] * xs[i[t]] for t in range(lo, hi)])
            s = s + bs[o] if bs is not None else s
            if not s.is_Number and not s.free_symbols:  # e.g. complex: I*(1 + 2*I) -> -2 + I
                s = sympy.expand(s)
            out.append(s)
        return out

    uniq = sorted(set(every), key=cmp_to_key(Basic.compare))
    rank = {s: r for r, s in enumerate(uniq)}
    rx = [rank[v] for v in xs]
    rw = [rank[v] for v in ws]
    bias_first = _symbol_sorts_before_mul()
    mul = Mul._from_args
    add = Add._from_args
    result: list[Basic] = []
    for o in track(range(n_out), n_out, "outputs", size=len(i)):
        lo, hi = starts[o], starts[o + 1]
        keyed = []
        for t in range(lo, hi):
            a, b = rw[k[t]], rx[i[t]]
            keyed.append((a, b) if a < b else (b, a))
        keyed.sort()
        args = [mul((uniq[a], uniq[b]), True) for a, b in keyed]
        if bs is not None:
            if bias_first:
                args.insert(0, bs[o])
            else:
                args.append(bs[o])
        if not args:
            result.append(S.Zero)
        elif len(args) == 1:
            result.append(args[0])
        else:
            result.append(add(args, True))
    return result


def sums_of_pairs(
    rows: list[list[tuple[Basic, Basic]]], extra: list[Basic] | None = None,
    fast: bool | None = None,
) -> list[Basic]:
    """``sum of u*v over rows[r]`` (``+ extra[r]``) for every row (the layer family's sums).

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
    fast = (FAST if fast is None else fast) and all(
        type(a) is Symbol and a.assumptions0 == plain for a in atoms)
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


# ------------------------------------------------------------ numbers in bulk


def float_number(value: float) -> Any:
    """``sympy.Float(value)`` (53-bit) for a Python float, about 3x faster with :data:`FAST`.

    Examples
    --------
    >>> [float_number(v) for v in (0.1, 0.0, float("inf"))]
    [0.100000000000000, 0.0, oo]
    """
    if FAST and value and value - value == 0:  # finite, non-zero (_new makes 0.0 an Integer)
        from mpmath.libmp import from_float

        return sympy.Float._new(from_float(value), 53)
    return sympy.Float(value)


def complex_number(re: Any, im: Any) -> Any:
    """``re + im*I`` for SymPy numbers ``re``, ``im``, as SymPy's arithmetic gives it,
    built without re-evaluating (``tests/test_speed_numeric.py`` compares ``srepr``).

    Examples
    --------
    >>> complex_number(sympy.Integer(3), sympy.Integer(-2))
    3 - 2*I
    """
    if not im:
        return re
    if im == 1 and not isinstance(im, sympy.Float):
        part: Any = S.ImaginaryUnit
    else:
        part = (Mul._from_args((im, S.ImaginaryUnit), True) if FAST
                else Mul(im, S.ImaginaryUnit, evaluate=False))
    if not re:
        return part
    return Add._from_args((re, part), True) if FAST else Add(re, part, evaluate=False)


# ------------------------------------------------------------ unevaluated Max


def _detect_max() -> bool:
    """True when ``Basic.__new__`` plus ``_argset`` builds a working ``Max`` (as LatticeOp does)."""
    try:
        a, b = sympy.symbols("a b")
        public = sympy.Max(a, b, evaluate=False)
        obj = Basic.__new__(sympy.Max, b, a)
        obj._argset = frozenset((b, a))
        return bool(public._argset == obj._argset and obj.func is sympy.Max
                    and obj.args == (b, a) and obj.subs({a: 1, b: 2}) == 2
                    and sympy.Max.make_args(obj) == frozenset((a, b)))
    except Exception:  # any change in the internals means: do not use them
        return False


#: Whether :func:`unevaluated_max` builds ``Max`` directly (detected at import).
FAST_MAX: bool = _detect_max()


def unevaluated_max(args: list[Any], fast: bool | None = None) -> Basic:
    """``Max(*args, evaluate=False)`` for distinct SymPy objects, the arguments kept in order.

    SymPy's constructor sorts the arguments (``ordered``), which computes the
    sort key of every argument -- seconds for a pooling layer whose window
    entries are long sums.  With :data:`FAST_MAX` (or ``fast=True``) the
    ``Max`` is built directly with the arguments in the given order; it has
    the same arguments (as a set), the same ``_argset`` and the same values,
    but ``==`` with the public ``Max(*args)`` holds only when ``args`` is
    already in SymPy's canonical order (``Basic.__eq__`` compares argument
    tuples).  ``fast=False`` gives the public ``Max(*args, evaluate=False)``.

    Examples
    --------
    >>> a, b = sympy.symbols("a b")
    >>> unevaluated_max([b, a]).args
    (b, a)
    >>> unevaluated_max([b, a], fast=False).args
    (a, b)
    """
    use_fast = FAST_MAX if fast is None else fast
    if not use_fast or len(args) < 2 or len(set(args)) != len(args):
        return sympy.Max(*args, evaluate=False)
    obj = Basic.__new__(sympy.Max, *args)
    obj._argset = frozenset(args)
    return obj
