"""SymPy internals, in one place: fast sparse matrices, sums of products, numbers (layer: core).

Over 400 lines: this is the one module allowed SymPy's internals
(``tests/test_layering.py``), so every builder that needs them -- sparse
matrices, sums of products, numbers in bulk, unevaluated ``Max`` -- lives here
beside its public-API fallback and the detection that chooses between them.

symconv builds SymPy objects in bulk (a LeNet layer's ``T`` has 117,600
entries).  SymPy's public constructors re-validate and re-sort every entry,
which costs an order of magnitude; its internals (``DomainMatrix`` over
``EXRAW`` holding an ``SDM`` dict of dicts, ``SparseMatrix._fromrep``,
``Add._from_args``/``Mul._from_args``) build the very same objects directly.

This module is the only one that touches those internals (``tests/test_layering.py``
checks that no other module reads a SymPy private name).  Whether they behave
as expected is **detected once, on first use** (:data:`FAST`, read through a
module ``__getattr__`` so that ``import symconv`` does no SymPy arithmetic); if a SymPy release
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

import numpy as np
import sympy
from sympy import Add, Basic, Mul, S, Symbol

from ._gc import without_gc
from ._progress import track

__all__ = ["FAST", "FAST_MAX", "complex_float_numbers", "complex_number", "complex_numbers",
           "float_number", "float_numbers", "integer_numbers", "rational_numbers", "rows_of",
           "sparse", "sums_of_pairs", "sums_of_products", "to_matrix", "unevaluated_max"]


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
        return bool(ok) and _numbers_agree()
    except Exception:  # any change in the internals means: do not use them
        return False


def _numbers_agree() -> bool:
    """Numbers made directly (``float_numbers`` etc.) are SymPy's own, by ``srepr``, ``==``,
    ``hash`` and arithmetic."""
    floats = [0.1, -2.5, 3.0, 1e300, -5e-324, 2.0**-1074 * 3]
    made = (float_numbers(np.array(floats), fast=True) + integer_numbers([7, -1, 2**70], True)
            + rational_numbers([3, -4], 6, True)
            + complex_numbers([sympy.Integer(2)], [sympy.Rational(-1, 3)], True))
    public = ([sympy.Float(v) for v in floats] + [sympy.Integer(7), S.NegativeOne,
              sympy.Integer(2**70), sympy.Rational(1, 2), sympy.Rational(-2, 3),
              2 + sympy.Rational(-1, 3) * sympy.I])
    return all(sympy.srepr(m) == sympy.srepr(p) and m == p and hash(m) == hash(p)
               and m * 3 + 1 == p * 3 + 1 for m, p in zip(made, public))


#: Whether the fast internal constructors are used (detected on first use; tests set it).
FAST: bool
#: Whether :func:`unevaluated_max` builds ``Max`` directly (detected on first use).
FAST_MAX: bool


def __getattr__(name: str) -> Any:
    """``FAST`` and ``FAST_MAX``, detected the first time they are read."""
    if name == "FAST":
        return _fast()
    if name == "FAST_MAX":
        return _fast_max()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _fast() -> bool:
    """:data:`FAST` (a test may have set it), detecting it on the first call."""
    value = globals().get("FAST")
    if value is None:
        value = globals()["FAST"] = _detect()
    return bool(value)


def _fast_max() -> bool:
    value = globals().get("FAST_MAX")
    if value is None:
        value = globals()["FAST_MAX"] = _detect_max()
    return bool(value)


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
    if _fast() if fast is None else fast:
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


def _symbol_name(s: Symbol) -> str:
    return s.name


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
    use_fast = _fast() if fast is None else fast
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

    distinct = set(every)
    plain = {"commutative": True}
    if all(s.assumptions0 == plain for s in distinct):
        # Same class, same assumptions: Basic.compare orders them by name (as in
        # sums_of_pairs), and a plain sort by name is ~15x faster than cmp_to_key.
        uniq = sorted(distinct, key=_symbol_name)
    else:
        uniq = sorted(distinct, key=cmp_to_key(Basic.compare))
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
    fast = (_fast() if fast is None else fast) and all(
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
    """``sympy.Float(value)`` (53-bit) for a Python float (see :func:`float_numbers`).

    Examples
    --------
    >>> [float_number(v) for v in (0.1, 0.0, float("inf"))]
    [0.100000000000000, 0.0, oo]
    """
    return float_numbers(np.array([value], dtype=np.float64))[0]


def float_numbers(values: np.ndarray, fast: bool | None = None) -> list[Any]:
    """``[sympy.Float(v) for v in values]`` (53-bit) for float64 values, in bulk.

    With :data:`FAST` the normalised mpmath tuple ``(sign, odd mantissa,
    exponent, bit count)`` of every finite non-zero value is computed by NumPy
    (``frexp``; exact, a float64 mantissa has 53 bits) and each ``Float`` is
    made directly around it -- about 10x faster than ``Float(v)``, which
    normalises one value at a time; zeros, infinities and NaN go through
    ``Float``.  The result equals ``Float(v)`` entry by entry, ``srepr`` and
    ``hash`` included (``tests/test_symbolic.py``).

    Examples
    --------
    >>> float_numbers(np.array([0.5, -3.0, 0.1]))
    [0.500000000000000, -3.00000000000000, 0.100000000000000]
    """
    v = np.asarray(values, dtype=np.float64).reshape(-1)
    if not (_fast() if fast is None else fast):
        return [sympy.Float(x) for x in v.tolist()]
    regular, sign, man, exp, bits = _mpf_parts(v)
    new, cls = object.__new__, sympy.Float  # Basic.__new__(Float), inlined
    assumptions = cls.default_assumptions
    out = []
    for s_, m_, e_, b_ in zip(sign, man, exp, bits):
        obj = new(cls)
        obj._assumptions = assumptions
        obj._mhash = None
        obj._args = ()
        obj._mpf_ = (s_, m_, e_, b_)
        obj._prec = 53
        out.append(obj)
    for j in np.flatnonzero(~regular).tolist():
        out[j] = sympy.Float(float(v[j]))
    return out


def _mpf_parts(v: np.ndarray) -> tuple[np.ndarray, list[int], list[Any], list[int], list[int]]:
    """``(regular, sign, mantissa, exponent, bit count)`` of float64 values, by NumPy.

    ``regular`` marks the finite non-zero values; the other four lists hold
    mpmath's normalised tuple of each (odd mantissa; meaningless where not regular).
    """
    from mpmath.libmp.backend import MPZ

    regular = np.isfinite(v) & (v != 0)
    m, e = np.frexp(np.where(regular, np.abs(v), 1.0))  # |v| = m 2^e, 1/2 <= m < 1
    man = (m * 2.0**53).astype(np.int64)  # the 53-bit integer mantissa
    zeros = np.frexp((man & -man).astype(np.float64))[1] - 1  # trailing zero bits
    man >>= zeros
    exp = e.astype(np.int64) - 53 + zeros
    bits = np.frexp(man.astype(np.float64))[1]  # bit length (man < 2^53: exact)
    mans: list[Any] = man.tolist()
    if MPZ is not int:  # mpmath on gmpy: its mantissas are gmpy integers
        mans = [MPZ(x) for x in mans]
    return (regular, np.signbit(v).astype(np.int64).tolist(), mans, exp.tolist(),
            bits.tolist())


def complex_float_numbers(re: np.ndarray, im: np.ndarray, fast: bool | None = None
                          ) -> list[Any]:
    """``complex_numbers(float_numbers(re), float_numbers(im))`` in one pass (float64 parts).

    Each result is ``Float(r) + Float(j)*I`` as SymPy's arithmetic gives it
    (tested): ``Add(Float, Mul(Float, I))`` made directly where both parts are
    finite and non-zero, the general path elsewhere.

    Examples
    --------
    >>> complex_float_numbers(np.array([1.5, 0.0, 2.0]), np.array([-0.25, 3.0, 0.0]))
    [1.5 - 0.25*I, 3.0*I, 2.00000000000000]
    """
    re = np.asarray(re, dtype=np.float64).reshape(-1)
    im = np.asarray(im, dtype=np.float64).reshape(-1)
    if not (_fast() if fast is None else fast):
        return complex_numbers(float_numbers(re, False), float_numbers(im, False), False)
    reg_r, s_r, m_r, e_r, b_r = _mpf_parts(re)
    reg_i, s_i, m_i, e_i, b_i = _mpf_parts(im)
    new, flt, i_unit = object.__new__, sympy.Float, S.ImaginaryUnit
    fa, ma, aa = flt.default_assumptions, Mul.default_assumptions, Add.default_assumptions
    out = []
    for a0, a1, a2, a3, c0, c1, c2, c3 in zip(s_r, m_r, e_r, b_r, s_i, m_i, e_i, b_i):
        r = new(flt)
        r._assumptions = fa
        r._mhash = None
        r._args = ()
        r._mpf_ = (a0, a1, a2, a3)
        r._prec = 53
        j = new(flt)
        j._assumptions = fa
        j._mhash = None
        j._args = ()
        j._mpf_ = (c0, c1, c2, c3)
        j._prec = 53
        part = new(Mul)
        part._assumptions = ma
        part._mhash = None
        part._args = (j, i_unit)
        part.is_commutative = True
        total = new(Add)
        total._assumptions = aa
        total._mhash = None
        total._args = (r, part)
        total.is_commutative = True
        out.append(total)
    for k in np.flatnonzero(~(reg_r & reg_i)).tolist():
        out[k] = complex_numbers([flt(float(re[k]))], [flt(float(im[k]))])[0]
    return out


def integer_numbers(values: list[int], fast: bool | None = None) -> list[Any]:
    """``[sympy.Integer(v) for v in values]`` for Python integers, in bulk.

    ``Integer(v)`` goes through SymPy's cache (about 2 us each); with
    :data:`FAST` each distinct value is made directly, once per call (0, 1
    and -1 are SymPy's singletons, as ``Integer`` gives them).  Equal to
    ``Integer(v)``, ``srepr`` and ``hash`` included (tested).

    Examples
    --------
    >>> integer_numbers([3, 0, -1, 2**70])
    [3, 0, -1, 1180591620717411303424]
    """
    if not (_fast() if fast is None else fast):
        return [sympy.Integer(v) for v in values]
    new, cls = Basic.__new__, sympy.Integer
    made: dict[int, Any] = {0: S.Zero, 1: S.One, -1: S.NegativeOne}  # equal values share one
    out = []
    for v in values:
        obj = made.get(v)
        if obj is None:
            obj = made[v] = new(cls)
            obj.p = v
        out.append(obj)
    return out


def rational_numbers(numerators: list[int], denominator: int, fast: bool | None = None
                     ) -> list[Any]:
    """``[sympy.Rational(n, denominator) for n in numerators]`` (``denominator > 0``), in bulk.

    With :data:`FAST` each is made directly over the reduced fraction (1/2 is
    SymPy's singleton ``S.Half``, as ``Rational`` gives it).

    Examples
    --------
    >>> rational_numbers([3, 4, -6], 6)
    [1/2, 2/3, -1]
    """
    if denominator == 1:
        return integer_numbers(numerators, fast)
    if not (_fast() if fast is None else fast):
        return [sympy.Rational(v, denominator) for v in numerators]
    from math import gcd

    new, cls = Basic.__new__, sympy.Rational
    made: dict[int, Any] = {}  # equal values share one object
    out: list[Any] = []
    for v in numerators:
        obj = made.get(v)
        if obj is None:
            g = gcd(v, denominator)
            q = denominator // g
            if q == 1:
                obj = integer_numbers([v // g], fast)[0]
            elif q == 2 and v // g == 1:
                obj = S.Half  # a singleton, hashed by its own class name
            else:
                obj = new(cls)
                obj.p = v // g
                obj.q = q
            made[v] = obj
        out.append(obj)
    return out


def complex_number(re: Any, im: Any, fast: bool | None = None) -> Any:
    """``re + im*I`` for SymPy numbers ``re``, ``im``, as SymPy's arithmetic gives it,
    built without re-evaluating (``tests/test_speed_numeric.py`` compares ``srepr``).

    Examples
    --------
    >>> complex_number(sympy.Integer(3), sympy.Integer(-2))
    3 - 2*I
    """
    return complex_numbers([re], [im], fast)[0]


def complex_numbers(re: list[Any], im: list[Any], fast: bool | None = None) -> list[Any]:
    """``[r + j*I ...]`` for SymPy numbers, pairwise, in bulk (see :func:`complex_number`).

    ``I`` alone when ``j`` is the integer 1, ``r`` alone when ``j`` is zero,
    ``j*I`` alone when ``r`` is zero; otherwise ``Add(r, Mul(j, I))`` -- SymPy's
    canonical form, assembled as ``Add._from_args``/``Mul._from_args`` would.
    """
    i_unit, one, zero, flt = S.ImaginaryUnit, S.One, S.Zero, sympy.Float
    use_fast = _fast() if fast is None else fast
    new = object.__new__  # Basic.__new__ and AssocOp._from_args, inlined
    mul_assumptions, add_assumptions = Mul.default_assumptions, Add.default_assumptions
    out = []
    for r, j in zip(re, im):
        # exact zeros are SymPy's singleton S.Zero; only a Float can be another zero
        if j is zero or (type(j) is flt and not j):
            out.append(r)
            continue
        if j is one:
            part: Any = i_unit
        elif use_fast:
            part = new(Mul)
            part._assumptions = mul_assumptions
            part._mhash = None
            part._args = (j, i_unit)
            part.is_commutative = True
        else:
            part = Mul(j, i_unit, evaluate=False)
        if r is zero or (type(r) is flt and not r):
            out.append(part)
        elif use_fast:
            total = new(Add)
            total._assumptions = add_assumptions
            total._mhash = None
            total._args = (r, part)
            total.is_commutative = True
            out.append(total)
        else:
            out.append(Add(r, part, evaluate=False))
    return out


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
    use_fast = _fast_max() if fast is None else fast
    if not use_fast or len(args) < 2 or len(set(args)) != len(args):
        return sympy.Max(*args, evaluate=False)
    obj = Basic.__new__(sympy.Max, *args)
    obj._argset = frozenset(args)
    return obj
