"""Shared SymPy trees evaluated through ``sympy.lambdify``, one node shape at a time (checks layer).

A network's expressions share their sub-trees: layer ``l``'s output objects
sit inside every expression of layer ``l+1``.  :class:`LayeredEvaluator`
numbers every node object once (compound nodes by identity, variables and
numbers by equality too), so the work is the number of distinct node objects,
never the size of the blown-up trees, and it evaluates nodes in batches:

- a sum is read as its terms, a product of two nodes or one node each, and
  summed per node with ``np.add.reduceat``; a product with ``np.multiply.reduceat``;
- every other node (``Max``, ``Min``, ``Piecewise``, ``Pow``, relations,
  ``And``/``Or``/``Not``, ``exp``, ``tanh``, ``Heaviside``...) by its *local
  shape*: the node with each argument replaced by a placeholder ``_a0, _a1...``
  (or ``True``), handed to ``sympy.lambdify`` once and run on the gathered
  values of all nodes of that shape, depth by depth.

Only SymPy's own classes reach ``lambdify``, never a name a user chose: every
symbol, and every applied function that is not one of the classes above, is a
*variable* whose values are given.  Nothing is ever compiled whole.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import sympy
from sympy import Add, Mul, Piecewise
from sympy.core.relational import Relational
from sympy.logic.boolalg import BooleanFalse, BooleanFunction, BooleanTrue

__all__ = ["LayeredEvaluator"]

#: The SymPy classes evaluated as nodes (lambdify prints each from its class).
_NODES: frozenset[Any] = frozenset({
    sympy.Max, sympy.Min, sympy.Pow, sympy.Abs, sympy.sign, sympy.Heaviside, sympy.exp,
    sympy.log, sympy.tanh, sympy.sinh, sympy.cosh, sympy.sin, sympy.cos, sympy.tan,
    sympy.atan, sympy.erf, sympy.StrictGreaterThan, sympy.GreaterThan, sympy.StrictLessThan,
    sympy.LessThan, sympy.Equality, sympy.Unequality, sympy.And, sympy.Or, sympy.Not,
    Piecewise,
})

#: SymPy's real number classes, read with ``float`` (``complex()`` is slow for them).
_REALS: frozenset[type] = frozenset({sympy.Float, sympy.Integer, sympy.Rational,
                                     type(sympy.S.Zero), type(sympy.S.One),
                                     type(sympy.S.NegativeOne), type(sympy.S.Half)})

# An argument of a local shape: a value, a condition (passed as booleans) or the constant True.
_VALUE, _BOOL, _TRUE = "v", "b", "T"
Shape = tuple[Any, tuple[str, ...]]


_erf = np.vectorize(math.erf, otypes=[float])


@lru_cache(maxsize=256)
def _compiled(shape: Shape) -> Callable[..., Any]:
    """``sympy.lambdify`` of one local shape, its arguments the placeholders ``_a0, _a1...``."""
    cls, kinds = shape
    args = [sympy.Symbol(f"_a{j}") for j, kind in enumerate(kinds) if kind != _TRUE]
    filled: list[Any] = []
    it = iter(args)
    for kind in kinds:
        filled.append(sympy.true if kind == _TRUE else next(it))
    if cls is Piecewise:
        pairs = [(filled[j], filled[j + 1]) for j in range(0, len(filled), 2)]
        template = Piecewise(*pairs, evaluate=False)
    else:
        template = cls(*filled, evaluate=False)
    return sympy.lambdify(args, template, modules=[{"erf": _erf}, "numpy"], docstring_limit=0)


class LayeredEvaluator:
    """Evaluate expressions at values of their variables, each distinct node once.

    Parameters
    ----------
    free : sequence
        The variables (symbols, or any node to be taken as given).
    values : numpy.ndarray
        ``(len(free), trials)``: one row of values per variable.

    Examples
    --------
    >>> import numpy as np, sympy
    >>> a, b = sympy.symbols("a b")
    >>> ev = LayeredEvaluator([a, b], np.array([[1.0, -2.0], [3.0, 4.0]]))
    >>> ev.values([sympy.Max(0, a - b), sympy.Piecewise((a, a > 0), (b, True))]).tolist()
    [[0.0, 0.0], [1.0, 4.0]]
    """

    def __init__(self, free: Sequence[Any], values: np.ndarray) -> None:
        values = np.asarray(values)
        self.trials = int(values.shape[1])
        n = len(free)
        self._table = np.empty((max(2 * n + 64, 1024), self.trials),
                               dtype=np.result_type(values.dtype, np.float64))
        self._table[:n] = values
        self._n = n
        self._depth: list[int] = [0] * n
        self._by_id: dict[int, int] = {}
        self._by_expr: dict[Any, int] = {}
        self._alive: list[Any] = []
        for r, v in enumerate(free):
            self._remember(v, r)
        self._one = self._constant(sympy.S.One)
        self._pending: dict[tuple[int, Any], list[tuple[int, Any]]] = defaultdict(list)

    # ------------------------------------------------------------ reading

    def _remember(self, e: Any, r: int) -> None:
        """Know ``e`` (a variable or a number) by identity and by equality."""
        self._by_id[id(e)] = r
        self._by_expr.setdefault(e, r)
        self._alive.append(e)

    def _new_row(self, depth: int) -> int:
        r = self._n
        if r == self._table.shape[0]:
            grown = np.empty((2 * r, self.trials), dtype=self._table.dtype)
            grown[:r] = self._table[:r]
            self._table = grown
        self._n = r + 1
        self._depth.append(depth)
        return r

    def _constant(self, e: Any) -> int:
        r = self._by_expr.get(e)
        if r is None:
            c = complex(e)
            if c.imag and self._table.dtype.kind != "c":
                self._table = self._table.astype(np.complex128)
            r = self._new_row(0)
            self._table[r] = c if c.imag else c.real
            self._remember(e, r)
        return r

    def _number(self, e: Any, value: float) -> int:
        """A new row for the real number ``e`` (known by identity: no hashing)."""
        r = self._new_row(0)
        self._table[r] = value
        self._by_id[id(e)] = r
        self._alive.append(e)
        return r

    def _row(self, e: Any) -> int:
        r = self._by_id.get(id(e))
        if r is not None:
            return r
        kind = type(e)
        if kind is float or kind is int or kind in _REALS:
            try:
                return self._number(e, float(e))
            except OverflowError:  # an integer beyond float64
                return self._number(e, float("inf") if e > 0 else float("-inf"))
        if not isinstance(e, sympy.Basic):
            e = sympy.sympify(e, strict=True)
        if not e.args:  # a variable or a number: known by equality too
            r = self._by_expr.get(e)
            if r is not None:
                self._by_id[id(e)] = r
                self._alive.append(e)
                return r
        if isinstance(e, (BooleanTrue, BooleanFalse)):
            return self._constant(sympy.S.One if e else sympy.S.Zero)
        if e.is_Number or e.is_NumberSymbol or e is sympy.S.ImaginaryUnit:
            return self._constant(e)
        cls = type(e)
        depth = self._depth
        if cls is Add:
            pairs = []
            by_id, row, one = self._by_id.get, self._row, self._one
            deepest = 0
            for a in e.args:  # the common term, a product of two known nodes, read inline
                if type(a) is Mul and len(a.args) == 2:
                    u, v = a.args
                    p, q = by_id(id(u)), by_id(id(v))
                    if p is None:
                        p = row(u)
                    if q is None:
                        q = row(v)
                else:
                    p = by_id(id(a))
                    if p is None:
                        p = row(a)
                    q = one
                pairs.append((p, q))
                deepest = max(deepest, depth[p], depth[q])
            r = self._new_row(1 + deepest)
            self._pending[(depth[r], "add")].append((r, pairs))
        elif cls is Mul:
            rows = [self._row(a) for a in e.args]
            r = self._new_row(1 + max(depth[q] for q in rows))
            self._pending[(depth[r], "mul")].append((r, rows))
        elif cls in _NODES:
            kinds: list[str] = []
            rows = []
            parts = [x for pair in e.args for x in pair.args] if cls is Piecewise else e.args
            for j, a in enumerate(parts):
                if isinstance(a, BooleanTrue):
                    kinds.append(_TRUE)
                    continue
                condition = (cls is Piecewise and j % 2 == 1) or isinstance(
                    a, (Relational, BooleanFunction, BooleanFalse))
                kinds.append(_BOOL if condition else _VALUE)
                rows.append(self._row(a))
            r = self._new_row(1 + max((depth[q] for q in rows), default=0))
            self._pending[(depth[r], (cls, tuple(kinds)))].append((r, rows))
        else:
            raise TypeError(
                f"cannot evaluate {cls.__name__} numerically: it is not a variable given a "
                "value, nor arithmetic, Max/Min, Piecewise or an elementary function"
            )
        self._by_id[id(e)] = r  # a compound node: by identity only (hashing costs)
        self._alive.append(e)
        return r

    # ------------------------------------------------------------ evaluating

    def _run(self) -> None:
        t = self._table
        for depth, key in sorted(self._pending, key=lambda dk: (dk[0], str(dk[1]))):
            group = self._pending[(depth, key)]
            out = np.array([r for r, _ in group], dtype=np.int64)
            if key == "add":
                sizes = [len(p) for _, p in group]
                flat = np.array([pq for _, p in group for pq in p], dtype=np.int64)
                starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
                t[out] = np.add.reduceat(t[flat[:, 0]] * t[flat[:, 1]], starts, axis=0)
            elif key == "mul":
                sizes = [len(q) for _, q in group]
                flat = np.array([x for _, q in group for x in q], dtype=np.int64)
                starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
                t[out] = np.multiply.reduceat(t[flat], starts, axis=0)
            else:
                kinds = [k for k in key[1] if k != _TRUE]
                idx = np.array([q for _, q in group], dtype=np.int64).reshape(len(group), -1)
                args = [t[idx[:, j]] != 0 if kind == _BOOL else t[idx[:, j]]
                        for j, kind in enumerate(kinds)]
                got = _compiled(key)(*args)
                t[out] = np.broadcast_to(got, (len(group), self.trials))
        self._pending.clear()

    def values(self, exprs: Sequence[Any]) -> np.ndarray:
        """``(len(exprs), trials)`` values (float, or complex where a constant is)."""
        rows = np.array([self._row(e) for e in exprs], dtype=np.int64)
        with np.errstate(all="ignore"):
            self._run()
        return self._table[rows] if rows.size else np.zeros((0, self.trials))
