"""Symbolic expressions evaluated through ``sympy.lambdify``: safely, in bounded pieces.

Layer 4 (checks).  Every expression is read as a sum of terms, and each term
as a *shape* -- its tree with every variable and every number replaced by a
placeholder -- plus the leaves that fill it.  Each distinct shape is handed to
``sympy.lambdify`` once, with generated arguments ``_a0, _a1, ...``; its
function then runs on NumPy arrays gathered for all of its terms at once, and
the terms are summed per expression with ``np.add.reduceat``.

So lambdify never sees user text: a Symbol named ``lambda`` or ``x[0]``, a
``Dummy``, two symbols with one name and different assumptions, an
``Indexed``, a matrix element, an applied Function (even one whose *name* is
Python code) are each an opaque *variable* with its own random values.  And it
never sees one giant expression: a sum of 10^6 products is the three-node shape
``_a0*_a1`` evaluated on arrays, not 10^6 terms of generated Python (whose
compiler raises ``RecursionError`` beyond a few thousand).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import sympy
from sympy import Add, Basic, Float, Integer, Mul, Pow, Rational, S

from ..boundary._spec import check_trials_seed
from ..core._gc import without_gc

#: SymPy's own constants stay inside a shape: lambdify prints them from their
#: class (``numpy.pi``, ``1j``), never from anything a user named.
_CONSTANTS = frozenset({S.Pi, S.Exp1, S.ImaginaryUnit, S.EulerGamma, S.Catalan,
                        S.GoldenRatio, S.TribonacciConstant, S.Infinity,
                        S.NegativeInfinity, S.ComplexInfinity, S.NaN})
_NUMBERS = (Integer, Rational, Float)
_OPS: dict[str, Any] = {"Add": Add, "Mul": Mul, "Pow": Pow}

Shape = tuple[Any, ...]
_LEAF: Shape = ("leaf",)
_PRODUCT: Shape = ("Mul", _LEAF, _LEAF)


class _Reader:
    """Splits expressions into terms, each term into a shape and its leaves.

    A leaf is a row of one value table: ``r >= 0`` is variable ``r`` (in order
    of discovery), ``r < 0`` is number ``-1 - r`` (the same in every trial).
    """

    def __init__(self) -> None:
        self.variables: dict[Any, int] = {}
        # Every leaf (variable or number) by id(): SymPy hashes in Python, ids in C
        # (a 10x faster lookup).  Valid while the expressions are alive: see `done`.
        self.by_id: dict[int, int] = {}
        self._alive: list[Any] = []
        self.numbers: dict[Any, int] = {}
        # shape -> (positions of its terms, leaves of each term)
        self.by_shape: dict[Shape, tuple[list[int], list[Sequence[int]]]] = {}
        self.n_terms = 0

    def read(self, exprs: Sequence[Any]) -> np.ndarray:
        """Record the terms of ``exprs``; returns where each expression's terms start."""
        starts = np.empty(len(exprs), dtype=np.int64)
        by_id = self.by_id
        by_shape = self.by_shape
        prod_pos, prod_rows = by_shape.setdefault(_PRODUCT, ([], []))
        n = self.n_terms
        leaf_pos, leaf_rows = by_shape.setdefault(_LEAF, ([], []))
        for j, e in enumerate(exprs):
            starts[j] = n
            if not isinstance(e, Basic):
                e = sympy.sympify(e, strict=True)
                self._alive.append(e)
            for term in (e.args if type(e) is Add else (e,)):
                # The common cases: a product of two known leaves, or a known leaf.
                if type(term) is Mul:
                    args = term.args
                    if len(args) == 2:
                        ra, rb = by_id.get(id(args[0])), by_id.get(id(args[1]))
                        if ra is not None and rb is not None:
                            prod_pos.append(n)
                            prod_rows.append((ra, rb))
                            n += 1
                            continue
                else:
                    r = by_id.get(id(term))
                    if r is not None:
                        leaf_pos.append(n)
                        leaf_rows.append((r,))
                        n += 1
                        continue
                leaves: list[int] = []
                pos, rows = by_shape.setdefault(self._shape(term, leaves), ([], []))
                pos.append(n)
                rows.append(leaves)
                n += 1
        self.n_terms = n
        return starts

    def _shape(self, e: Any, leaves: list[int]) -> Shape:
        cls = type(e)
        if cls is Add or cls is Mul:
            return (cls.__name__, *[self._shape(a, leaves) for a in e.args])
        if cls is Pow:
            base, exp = e.args
            kept = ("exp", exp) if isinstance(exp, _NUMBERS) else self._shape(exp, leaves)
            return ("Pow", self._shape(base, leaves), kept)
        if e in _CONSTANTS:
            return ("const", e)
        if isinstance(e, _NUMBERS):
            row = -1 - self.numbers.setdefault(e, len(self.numbers))
            self.by_id[id(e)] = row
            leaves.append(row)
            return _LEAF
        if not isinstance(e, sympy.Expr):
            raise TypeError(
                f"cannot evaluate a {type(e).__name__} numerically (expected SymPy expressions)"
            )
        # Anything else -- Symbol, Dummy, Indexed, a matrix element, an applied
        # Function, sin(x) -- is one opaque variable, known by identity only.
        row = self.variables.setdefault(e, len(self.variables))
        self.by_id[id(e)] = row
        leaves.append(row)
        return _LEAF

    def done(self) -> None:
        """Forget the ids (the expressions may be freed from now on)."""
        self.by_id.clear()
        self._alive.clear()


@lru_cache(maxsize=512)
def _compiled(shape: Shape) -> tuple[Callable[..., Any], int]:
    """``sympy.lambdify`` of one shape, its arguments the placeholders ``_a0, _a1, ...``."""
    args: list[sympy.Symbol] = []

    def build(s: Shape) -> Any:
        tag = s[0]
        if tag == "leaf":
            args.append(sympy.Symbol(f"_a{len(args)}"))
            return args[-1]
        if tag in ("const", "exp"):
            return s[1]
        return _OPS[tag](*[build(c) for c in s[1:]], evaluate=False)

    template = build(shape)
    return sympy.lambdify(args, template, modules="numpy", docstring_limit=0), len(args)


def _number_value(e: Any) -> float:
    try:
        return float(e)
    except OverflowError:
        return float("inf") if e > 0 else float("-inf")


class Evaluator:
    """Groups of SymPy expressions, read once, evaluated at values of their variables.

    ``free`` lists the variables (every Symbol, Dummy, Indexed, matrix element,
    applied function... that is not arithmetic or a number), sorted by name;
    :meth:`evaluate` takes one row of values per variable and one column per
    trial and returns one ``(len(group), trials)`` array per group.

    Examples
    --------
    >>> import numpy as np, sympy
    >>> lam, f = sympy.Symbol("lambda"), sympy.Function("f")(sympy.Symbol("t"))
    >>> ev = Evaluator([[lam, f], [2 * lam * f + 1]])
    >>> ev.free
    [f(t), lambda]
    >>> [a.tolist() for a in ev.evaluate(np.array([[3.0], [5.0]]))]
    [[[5.0], [3.0]], [[31.0]]]
    """

    @without_gc
    def __init__(self, groups: Sequence[Sequence[Any]]) -> None:
        self._reader = r = _Reader()
        self._starts = [r.read(grp) for grp in groups]
        r.done()
        found = list(r.variables)
        names = [str(v) for v in found]
        if len(set(names)) == len(names):
            self._order = sorted(range(len(found)), key=names.__getitem__)
        else:  # same name, different objects (assumptions, Dummy): srepr tells them apart
            reprs = [sympy.srepr(v) for v in found]
            self._order = sorted(range(len(found)), key=lambda j: (names[j], reprs[j]))
        self.free: list[Any] = [found[j] for j in self._order]

    def evaluate(self, values: np.ndarray) -> list[np.ndarray]:
        """One ``(len(group), trials)`` array per group; ``values`` is ``(len(free), trials)``."""
        r = self._reader
        n_vars, trials = len(self.free), values.shape[1]
        table = np.empty((n_vars + len(r.numbers), trials), dtype=values.dtype)
        table[np.array(self._order, dtype=np.int64)] = values
        table[n_vars:] = np.array([_number_value(e) for e in r.numbers], dtype=np.float64)[:, None]
        parts = []
        with np.errstate(all="ignore"):  # 1/x at x = 0 gives inf, compared as such
            for shape, (pos, rows) in r.by_shape.items():
                if not pos:
                    continue
                fn, n_args = _compiled(shape)
                idx = np.array(rows, dtype=np.int64).reshape(len(pos), n_args)
                idx = np.where(idx < 0, n_vars - 1 - idx, idx)
                got = fn(*[table[idx[:, j]] for j in range(n_args)])
                parts.append((np.array(pos, dtype=np.int64), got))
        dtype = np.result_type(np.float64, table, *[np.asarray(g) for _, g in parts])
        terms = np.zeros((r.n_terms, trials), dtype=dtype)
        for where, got in parts:
            terms[where] = got
        firsts = [int(s[0]) if s.size else None for s in self._starts]
        out = []
        for j, starts in enumerate(self._starts):
            if not starts.size:
                out.append(np.zeros((0, trials), dtype=dtype))
                continue
            lo = int(starts[0])
            hi = next((f for f in firsts[j + 1:] if f is not None), r.n_terms)
            out.append(np.add.reduceat(terms[lo:hi], starts - lo, axis=0))
        return out


def evaluate_at_random(
    groups: Sequence[Sequence[Any]], trials: object, seed: object
) -> tuple[int, list[np.ndarray]]:
    """Evaluate ``groups`` at seeded random integers for their variables.

    Returns the number of variables and one ``(len(group), trials)`` array per
    group.  The integers are drawn in ``[-9, 9]`` (exact in float64 for any sum
    of products here), one row per variable in the order of ``Evaluator.free``.
    """
    n, s = check_trials_seed(trials, seed)
    ev = Evaluator(groups)
    rng = np.random.default_rng(s)
    values = rng.integers(-9, 10, size=(len(ev.free), n)).astype(np.float64)
    return len(ev.free), ev.evaluate(values)
