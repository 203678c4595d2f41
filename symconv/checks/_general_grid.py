"""General sizes: evaluating SymPy formulas on a grid of sizes, vectorised (checks layer).

A general statement is *checked on N instances* by evaluating both sides for
every size combination of a :class:`Grid` at once: sizes are NumPy arrays of
shape ``(G,)``, each free index (``o``, ``i``, ...) gets its own axis, and
every ``Sum`` loops over its (few) dummy values with a mask.  Reads of an
``IndexedBase`` outside its shape are 0 (the zero-padding convention), and so
are reads at a non-integer index (they sit in a branch a condition discards).

Nothing here knows convolutions except :func:`enumerate_taps`, the brute-force
reference: it enumerates ``i = s*o + d*j - lo`` with NumPy loops, independently
of any formula.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy
from sympy import Indexed, IndexedBase, Piecewise, Sum

#: Values each kind of size takes on the grid (small: the check is about the law).
RANGES = {"positive": range(1, 10), "nonnegative": range(0, 4)}
#: Upper bound of any one size on the grid, per kind of symbol.
CAPS = {"n": 9, "k": 4, "s": 3, "d": 3, "p": 3, "a": 2, "C": 2, "Q": 2}


@dataclass(frozen=True)
class Grid:
    """Size combinations: ``values[sym]`` is an int array of shape ``(G,)``.

    Examples
    --------
    >>> import sympy
    >>> n = sympy.Symbol("n", integer=True, positive=True)
    >>> Grid({n: np.arange(1, 5)}).size
    4
    """

    values: Mapping[sympy.Symbol, np.ndarray]

    @property
    def size(self) -> int:
        """Number of size combinations ``G``."""
        return len(next(iter(self.values.values()))) if self.values else 1

    def size_of(self, expr: Any) -> np.ndarray:
        """``expr`` (a size formula) evaluated at every grid point, as ints ``(G,)``."""
        env = {s: v.astype(float) for s, v in self.values.items()}
        out = Evaluator(env, {}, self.size, ()).eval(sympy.sympify(expr))
        return np.broadcast_to(np.asarray(out), (self.size,)).astype(np.int64)

    def point(self, g: int) -> dict[sympy.Symbol, int]:
        """The sizes of grid point ``g``."""
        return {s: int(v[g]) for s, v in self.values.items()}


def make_grid(symbols: Sequence[sympy.Symbol], valid: Any, *, target: int = 520,
              seed: int = 0) -> Grid:
    """A deterministic grid over ``symbols``: every valid combination, or ``target`` of them.

    ``valid(values) -> bool array`` filters combinations (e.g. the kernel fits the
    padded input).  A symbol's range comes from its assumptions (positive from 1,
    nonnegative from 0) and from the first letter of its name (``CAPS``).
    """
    syms = sorted(symbols, key=lambda v: v.name)
    ranges = []
    for sym in syms:
        cap = CAPS.get(sym.name[:1], CAPS.get(sym.name[:1].lower(), 2 if sym.name[:1].isupper()
                                                 else 6))
        start = 1 if sym.is_positive else 0
        ranges.append(np.arange(start, cap + 1))
    if not syms:
        return Grid({})
    mesh = np.stack([m.ravel() for m in np.meshgrid(*ranges, indexing="ij")], axis=0)
    vals = {s: mesh[a] for a, s in enumerate(syms)}
    keep = np.asarray(valid(vals), dtype=bool) & np.ones(mesh.shape[1], dtype=bool)
    idx = np.flatnonzero(keep)
    if idx.size > target:
        idx = np.sort(np.random.default_rng(seed).choice(idx, size=target, replace=False))
    return Grid({s: mesh[a][idx] for a, s in enumerate(syms)})


class Evaluator:
    """Evaluate SymPy expressions over a grid with one axis per free index.

    Parameters
    ----------
    env : mapping of Symbol to array
        Sizes (shape ``(G,)``) and indices, broadcastable to the full shape.
    arrays : mapping of name to (values, dims)
        ``values`` of shape ``(G, *max_shape)``; ``dims`` the true shape per grid
        point, each ``(G,)``.
    G : int
    index_axes : tuple of Symbol
        The free indices, in axis order (axis 0 is the grid).
    """

    def __init__(self, env: Mapping[Any, Any], arrays: Mapping[str, Any], G: int,
                 index_axes: tuple[sympy.Symbol, ...]) -> None:
        self.ndim = 1 + len(index_axes)
        self.env = {s: self._grid(v) if np.ndim(v) == 1 and s not in index_axes else v
                    for s, v in env.items()}
        self.arrays = dict(arrays)
        self.G = G
        self.gidx = np.arange(G).reshape((G,) + (1,) * len(index_axes))
        self._active: set[Any] = set()  # summation variables in scope
        self._depth = 0  # leading axes of the summation variables in scope
        self._free: dict[Any, frozenset[Any]] = {}
        self._memo: dict[Any, Any] = {}  # values of nodes free of every active variable

    def _grid(self, v: np.ndarray) -> np.ndarray:
        return np.asarray(v, dtype=float).reshape((-1,) + (1,) * (self.ndim - 1))

    def eval(self, e: Any) -> Any:
        """The value of ``e``: a float array broadcastable to the full shape, or a bool."""
        if isinstance(e, (int, float)):
            return float(e)
        free = self._free.get(e)
        if free is None:
            free = self._free[e] = _free_symbols(e)
        if free & self._active:
            return self._eval(e)
        if e not in self._memo:
            self._memo[e] = self._eval(e)
        return self._memo[e]

    def _eval(self, e: Any) -> Any:
        if e.is_Number:
            return float(e)
        if e is sympy.true or e is sympy.false:
            return bool(e)
        if isinstance(e, sympy.Symbol):
            return self.env[e]
        if isinstance(e, sympy.Add):
            return sum((self.eval(t) for t in e.args), start=0.0)
        if isinstance(e, sympy.Mul):
            out: Any = 1.0
            for t in e.args:
                out = out * self.eval(t)
            return out
        if isinstance(e, sympy.Pow):
            base = np.asarray(self.eval(e.base), dtype=float)
            with np.errstate(divide="ignore", invalid="ignore"):
                return base ** float(e.exp)
        if isinstance(e, sympy.floor):
            return np.floor(self.eval(e.args[0]))
        if isinstance(e, sympy.ceiling):
            return np.ceil(self.eval(e.args[0]))
        if isinstance(e, sympy.Mod):
            return np.mod(self.eval(e.args[0]), self.eval(e.args[1]))
        if isinstance(e, (sympy.Max, sympy.Min)):
            f = np.maximum if isinstance(e, sympy.Max) else np.minimum
            vals = [self.eval(t) for t in e.args]
            out = vals[0]
            for v in vals[1:]:
                out = f(out, v)
            return out
        if isinstance(e, sympy.KroneckerDelta):
            return (np.asarray(self.eval(e.args[0])) == self.eval(e.args[1])).astype(float)
        if isinstance(e, Piecewise):
            out = 0.0
            for val, cond in reversed(e.args):
                c = self.eval(cond)
                out = np.where(c, self.eval(val), out) if not isinstance(c, bool) else (
                    self.eval(val) if c else out)
            return out
        if isinstance(e, sympy.Eq):
            return np.asarray(self.eval(e.lhs)) == self.eval(e.rhs)
        if isinstance(e, sympy.Ne):
            return np.asarray(self.eval(e.lhs)) != self.eval(e.rhs)
        if isinstance(e, (sympy.Le, sympy.Lt, sympy.Ge, sympy.Gt)):
            a, b = np.asarray(self.eval(e.lhs)), self.eval(e.rhs)
            return {sympy.Le: a <= b, sympy.Lt: a < b, sympy.Ge: a >= b,
                    sympy.Gt: a > b}[type(e)]
        if isinstance(e, sympy.And):
            out = True
            for t in e.args:
                out = np.logical_and(out, self.eval(t))
            return out
        if isinstance(e, sympy.Or):
            out = False
            for t in e.args:
                out = np.logical_or(out, self.eval(t))
            return out
        if isinstance(e, sympy.Not):
            return np.logical_not(self.eval(e.args[0]))
        if isinstance(e, Indexed):
            return self._read(e)
        if isinstance(e, Sum):
            return self._sum(e.function, list(e.limits))
        if isinstance(e, sympy.Derivative):  # of a sum of products: its delta form
            return self.eval(sympy.diff(e.expr, *e.variables))
        raise TypeError(f"the grid evaluator does not handle {type(e).__name__}: {e}")

    def _read(self, e: Indexed) -> Any:
        values, dims = self.arrays[str(e.base.label)]
        idx = [np.asarray(self.eval(v), dtype=float) for v in e.indices]
        shape = np.broadcast_shapes(self.gidx.shape, *(v.shape for v in idx))
        ok = np.ones(shape, dtype=bool)
        clipped = []
        for v, dim in zip(idx, dims):
            ok = ok & (v == np.floor(v)) & (v >= 0) & (v < self._grid(dim))
        for v in idx:
            clipped.append(np.where(ok, v, 0).astype(np.int64))
        got = values[tuple([self.gidx, *clipped])]
        return np.where(ok, got, 0.0)

    def _sum(self, f: Any, limits: list[Any]) -> Any:
        """A sum as one vectorised reduction: its variable gets a new leading axis."""
        if not limits:
            return self.eval(f)
        var, lo, hi = limits[-1]
        a, b = np.asarray(self.eval(lo)), np.asarray(self.eval(hi))
        if a.size == 0 or b.size == 0:
            return 0.0
        first, last = int(np.min(a)), int(np.max(b))
        if last < first:
            return 0.0
        nd = self.ndim + self._depth
        vals = np.arange(first, last + 1, dtype=float).reshape((last - first + 1,) + (1,) * nd)
        saved = self.env.get(var)
        self.env[var] = vals
        self._active.add(var)
        self._depth += 1
        try:
            term = self._sum(f, limits[:-1])
        finally:
            self._depth -= 1
            self._active.discard(var)
            if saved is None:
                self.env.pop(var, None)
            else:
                self.env[var] = saved
        term = np.where((vals >= a) & (vals <= b), term, 0.0)
        return term.sum(axis=0)


_FREE: dict[Any, frozenset[Any]] = {}


def _free_symbols(e: Any) -> frozenset[Any]:
    """``e.free_symbols``, memoised per node (SymPy rebuilds every ``Sum`` to find them).

    Same rule as SymPy for sums: the summand's symbols, then per limit (innermost
    first) drop its variable and add its bounds' symbols.
    """
    got = _FREE.get(e)
    if got is not None:
        return got
    if isinstance(e, Sum):
        out = set(_free_symbols(e.function))
        for lim in e.limits:
            out.discard(lim[0])
            for bound in lim[1:]:
                out |= _free_symbols(bound)
        got = frozenset(out)
    elif isinstance(e, (sympy.Symbol, Indexed, sympy.Derivative)) or not e.args:
        got = frozenset(e.free_symbols)
    else:
        got = frozenset().union(*(_free_symbols(t) for t in e.args))
    if len(_FREE) > 100_000:
        _FREE.clear()
    _FREE[e] = got
    return got


def random_arrays(grid: Grid, bases: Sequence[IndexedBase], seed: int = 0
                  ) -> dict[str, tuple[np.ndarray, list[np.ndarray]]]:
    """Seeded random integers in ``[-4, 4]`` for each base, its shape per grid point."""
    rng = np.random.default_rng(seed)
    out = {}
    for base in bases:
        dims = [grid.size_of(v) for v in base.shape]
        top = tuple(max(1, int(dm.max(initial=1))) for dm in dims)
        vals = rng.integers(-4, 5, size=(grid.size, *top)).astype(float)
        out[str(base.label)] = (vals, dims)
    return out


def index_env(grid: Grid, ranges: Mapping[sympy.Symbol, Any]) -> tuple[
        dict[Any, Any], tuple[sympy.Symbol, ...], np.ndarray]:
    """Axes for free indices ``ranges = {o: size_expr}``: env entries and a validity mask."""
    axes = tuple(ranges)
    env: dict[Any, Any] = {s: v.astype(float) for s, v in grid.values.items()}
    nd = 1 + len(axes)
    mask = np.ones((grid.size,) + (1,) * len(axes), dtype=bool)
    for a, sym in enumerate(axes, start=1):
        sizes = grid.size_of(ranges[sym])
        top = max(1, int(sizes.max(initial=1)))
        shape = [1] * nd
        shape[a] = top
        ax = np.arange(top, dtype=float).reshape(shape)
        env[sym] = ax
        mask = mask & (ax < sizes.reshape((-1,) + (1,) * len(axes)))
    return env, axes, mask


def compare(grid: Grid, lhs: Any, rhs: Any, ranges: Mapping[sympy.Symbol, Any],
            bases: Sequence[IndexedBase], seed: int = 0) -> int:
    """On how many grid points ``lhs == rhs`` at every valid index (random operands)."""
    env, axes, mask = index_env(grid, ranges)
    arrays = random_arrays(grid, bases, seed)
    ev = Evaluator(env, arrays, grid.size, axes)
    a = np.broadcast_to(np.asarray(ev.eval(sympy.sympify(lhs)), dtype=float), mask.shape)
    ev = Evaluator(env, arrays, grid.size, axes)
    b = np.broadcast_to(np.asarray(ev.eval(sympy.sympify(rhs)), dtype=float), mask.shape)
    same = (np.abs(a - b) < 1e-9) | ~mask
    return int(np.count_nonzero(same.reshape(grid.size, -1).all(axis=1)))


def enumerate_taps(n: int, k: int, s: int, d: int, lo: int, m: int
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Brute force: every ``(o, i, j)`` with ``i = s*o + d*j - lo`` inside ``0..n-1``."""
    rows = [(o, s * o + d * j - lo, j) for o, j in itertools.product(range(m), range(k))
            if 0 <= s * o + d * j - lo < n]
    arr = np.array(rows, dtype=np.int64).reshape(-1, 3)
    return arr[:, 0], arr[:, 1], arr[:, 2]
