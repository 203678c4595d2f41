"""Numeric evaluation of shared SymPy expression trees, without code generation (checks layer).

A network's expressions share their sub-trees: layer ``l``'s output objects
sit inside every expression of layer ``l+1``.  :class:`TreeEvaluator` walks
each tree once per distinct node (results memoised per node), on NumPy arrays
holding every trial at once, so the cost is the number of distinct nodes, not
the size of the blown-up trees.  Nothing is printed or compiled: no name a
user chose ever reaches ``lambdify`` or ``eval``.

Supported: numbers and constants, ``Add``, ``Mul``, ``Pow``, ``Max``, ``Min``,
``Abs``, ``sign``, ``Heaviside``, ``Piecewise`` with relational/boolean
conditions, ``exp``, ``log``, ``sqrt``, ``tanh``, ``sinh``, ``cosh``, ``sin``,
``cos``, ``tan``, ``atan``, ``erf``.  Variables (symbols, applied undefined
functions) take the values given; anything else is a ``TypeError`` naming it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import sympy
from sympy.core.function import AppliedUndef
from sympy.logic.boolalg import BooleanFalse, BooleanTrue

_UNARY: dict[Any, Any] = {
    sympy.exp: np.exp, sympy.log: np.log, sympy.tanh: np.tanh, sympy.sinh: np.sinh,
    sympy.cosh: np.cosh, sympy.sin: np.sin, sympy.cos: np.cos, sympy.tan: np.tan,
    sympy.atan: np.arctan, sympy.Abs: np.abs, sympy.sign: np.sign,
    sympy.erf: np.vectorize(math.erf, otypes=[float]),
}
_RELATIONS: dict[Any, Any] = {
    sympy.StrictGreaterThan: np.greater, sympy.GreaterThan: np.greater_equal,
    sympy.StrictLessThan: np.less, sympy.LessThan: np.less_equal,
    sympy.Equality: np.equal, sympy.Unequality: np.not_equal,
}


def variables(exprs: Sequence[Any]) -> list[Any]:
    """The variables of ``exprs`` (free symbols and applied undefined functions), by name."""
    found: set[Any] = set()
    for e in exprs:
        if isinstance(e, sympy.Basic):
            found |= e.free_symbols
            found |= e.atoms(AppliedUndef)
    names = {v: str(v) for v in found}
    if len(set(names.values())) == len(names):  # srepr (slow) only to order equal names
        return sorted(found, key=names.__getitem__)
    return sorted(found, key=lambda v: (names[v], sympy.srepr(v)))


class TreeEvaluator:
    """Evaluate expressions at values of their variables, one array per node, memoised.

    Examples
    --------
    >>> import numpy as np, sympy
    >>> a, b = sympy.symbols("a b")
    >>> ev = TreeEvaluator([a, b], np.array([[1.0, -2.0], [3.0, 4.0]]))
    >>> ev.values([sympy.Max(0, a - b), sympy.Piecewise((a, a > 0), (b, True))]).tolist()
    [[0.0, 0.0], [1.0, 4.0]]
    """

    def __init__(self, free: Sequence[Any], values: np.ndarray) -> None:
        self.trials = int(values.shape[1])
        self._memo: dict[Any, np.ndarray] = {v: values[j] for j, v in enumerate(free)}

    def values(self, exprs: Sequence[Any]) -> np.ndarray:
        """``(len(exprs), trials)`` float (or complex) values."""
        if not exprs:
            return np.zeros((0, self.trials))
        with np.errstate(all="ignore"):
            rows = [np.broadcast_to(self._eval(sympy.sympify(e)), (self.trials,))
                    for e in exprs]
        return np.stack(rows)

    def _eval(self, e: Any) -> Any:
        hit = self._memo.get(e)
        if hit is not None:
            return hit
        out = self._compute(e)
        self._memo[e] = out
        return out

    def _compute(self, e: Any) -> Any:
        if e.is_Number or e.is_NumberSymbol or e is sympy.S.ImaginaryUnit:
            return np.full(self.trials, complex(e) if e.is_imaginary else float(e))
        if isinstance(e, (BooleanTrue, BooleanFalse)):
            return np.full(self.trials, bool(e))
        cls = type(e)
        args = e.args
        if cls is sympy.Add:
            return sum((self._eval(a) for a in args[1:]), self._eval(args[0]))
        if cls is sympy.Mul:
            out = self._eval(args[0])
            for a in args[1:]:
                out = out * self._eval(a)
            return out
        if cls is sympy.Pow:
            return np.power(self._eval(args[0]), self._eval(args[1]))
        fn: Any
        if cls is sympy.Max or cls is sympy.Min:
            fn = np.maximum if cls is sympy.Max else np.minimum
            return fn.reduce(np.stack([self._eval(a) for a in args]), axis=0)
        if cls is sympy.Heaviside:
            z = self._eval(args[0])
            at0 = self._eval(args[1]) if len(args) > 1 else 0.5
            return np.where(z > 0, 1.0, np.where(z < 0, 0.0, at0))
        if cls is sympy.Piecewise:
            conds = [np.broadcast_to(self._eval(c), (self.trials,)).astype(bool)
                     for _, c in args]
            vals = [np.broadcast_to(self._eval(v), (self.trials,)) for v, _ in args]
            return np.select(conds, vals, default=np.nan)
        if cls in _RELATIONS:
            return _RELATIONS[cls](self._eval(args[0]), self._eval(args[1]))
        if cls is sympy.And or cls is sympy.Or:
            fn = np.logical_and if cls is sympy.And else np.logical_or
            return fn.reduce(np.stack([self._eval(a) for a in args]), axis=0)
        if cls is sympy.Not:
            return np.logical_not(self._eval(args[0]))
        fn = _UNARY.get(e.func)
        if fn is not None and len(args) == 1:
            return fn(self._eval(args[0]))
        raise TypeError(
            f"cannot evaluate {cls.__name__} numerically: it is not a variable given a "
            "value, nor arithmetic, Max/Min, Piecewise or an elementary function"
        )
