"""General sizes: the index law along one axis and its sums, in SymPy sizes (core layer).

:class:`AxisLaw` is ``i = s*o + d*j - lo`` along one axis; :class:`GeneralSpec`
the geometry (channels, groups, axes); :func:`forward_sum`, :func:`adjoint_sum`
and :func:`matrix_entry` the three formulas every general view is built from
(the output, ``T^T g`` and ``T[o, i]``).  A read outside ``0..n-1`` is the zero
padding; divisibility conditions are explicit ``Mod(., .) = 0``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sympy
from sympy import And, Eq, Expr, IndexedBase, Integer, Mod, Piecewise, Sum, floor

#: Padding modes that have a general law (reflect/replicate fold indices data-dependently).
GENERAL_PADDING_MODES = ("zeros", "circular")


def _int(name: str) -> sympy.Symbol:
    return sympy.Symbol(name, integer=True)


@dataclass(frozen=True)
class AxisLaw:
    """The index law along one axis of a forward convolution, sizes as SymPy integers.

    Output ``o`` receives weight tap ``j`` times input ``s*o + d*j - lo``
    (``j -> k-1-j`` for a true convolution).

    Attributes
    ----------
    n, k, s, d, lo, hi : sympy.Expr
        Input length, kernel length, stride, dilation, padding before and after.
    flip : bool
        True convolution (kernel reversed).
    circular : bool
        Circular padding: reads wrap modulo ``n`` instead of reading zero.

    Examples
    --------
    >>> import sympy
    >>> n, k = sympy.symbols("n k", integer=True, positive=True)
    >>> ax = AxisLaw(n, k, sympy.Integer(1), sympy.Integer(1), sympy.Integer(0),
    ...              sympy.Integer(0))
    >>> ax.out
    -k + n + 1
    >>> o, j = sympy.symbols("o j", integer=True)
    >>> ax.read(o, j)
    j + o
    """

    n: Expr
    k: Expr
    s: Expr
    d: Expr
    lo: Expr
    hi: Expr
    flip: bool = False
    circular: bool = False

    @property
    def out(self) -> Expr:
        """Output length ``floor((n + lo + hi - d*(k-1) - 1)/s) + 1`` (torch, D&V rel. 15)."""
        return floor((self.n + self.lo + self.hi - self.d * (self.k - 1) - 1) / self.s) + 1

    def tap(self, j: Expr) -> Expr:
        """The weight index of kernel position ``j`` (reversed for true convolution)."""
        return self.k - 1 - j if self.flip else j

    def read(self, o: Expr, j: Expr) -> Expr:
        """The input index read by output ``o`` through kernel position ``j``."""
        e = self.s * o + self.d * j - self.lo
        return Mod(e, self.n) if self.circular else e

    def entry(self, o: Expr, i: Expr) -> tuple[Expr, Any]:
        """``(weight index, condition)`` of the matrix entry ``T[o, i]`` along this axis.

        ``r = i - s*o + lo``; the entry is the weight at position ``r/d`` when
        ``d | r`` and ``0 <= r <= d*(k-1)``, else a structural zero (the Kronecker
        delta eliminated with its divisibility condition).
        """
        r = i - self.s * o + self.lo
        conds: list[Any] = []
        if self.d != 1:
            conds.append(Eq(Mod(r, self.d), 0))
        conds += [r >= 0, r <= self.d * (self.k - 1)]
        return self.tap(r / self.d), And(*conds)

    def source(self, i: Expr, j: Expr) -> tuple[Expr, Any]:
        """``(output index, condition)``: which output reads input ``i`` through tap ``j``.

        ``(i + lo - d*j)/s`` when ``s`` divides ``i + lo - d*j`` (condition), the
        adjoint read of the transposed convolution.
        """
        num = i + self.lo - self.d * j
        cond = True if self.s == 1 else Eq(Mod(num, self.s), 0)
        return num / self.s, cond


@dataclass(frozen=True)
class GeneralSpec:
    """The geometry of a convolution with symbolic sizes (a forward convolution's view).

    As :class:`~symconv.boundary._spec.ConvSpec`: for ``kind == "transpose"`` the
    forward convolution maps the transposed layer's output back onto its input.

    Attributes
    ----------
    kind : {"signal", "conv", "transpose"}
    in_channels, out_channels : sympy.Expr
        Forward view.
    groups : int
    axes : tuple of AxisLaw
    bias : bool
    output_padding : tuple of sympy.Expr
    op, mode : str or None
    small_size : tuple of sympy.Expr
        Transposed layers: the user's input size (the forward output size).
    rebuild : callable
        ``sizes -> Derivation or GeneralDerivation``, used by ``subs``.
    """

    kind: str
    in_channels: Expr
    out_channels: Expr
    groups: int
    axes: tuple[AxisLaw, ...]
    bias: bool = False
    output_padding: tuple[Expr, ...] = ()
    op: str | None = None
    mode: str | None = None
    small_size: tuple[Expr, ...] = ()
    rebuild: Callable[[Mapping[Any, Any]], Any] | None = field(
        default=None, compare=False, repr=False)

    @property
    def ndim(self) -> int:
        """Number of spatial dimensions."""
        return len(self.axes)

    @property
    def has_channels(self) -> bool:
        """Layers carry a channel axis; signals do not."""
        return self.kind != "signal"

    @property
    def forward_in_size(self) -> tuple[Expr, ...]:
        """Spatial size of the forward convolution's input."""
        return tuple(a.n for a in self.axes)

    @property
    def forward_out_size(self) -> tuple[Expr, ...]:
        """Spatial size of the forward convolution's output."""
        if self.kind == "transpose":
            return self.small_size
        return tuple(a.out for a in self.axes)

    @property
    def input_size(self) -> tuple[Expr, ...]:
        """Spatial size of the input of the operation the user asked for."""
        return self.small_size if self.kind == "transpose" else self.forward_in_size

    @property
    def output_size(self) -> tuple[Expr, ...]:
        """Spatial size of the output of the operation the user asked for."""
        return self.forward_in_size if self.kind == "transpose" else self.forward_out_size

    @property
    def input_channels(self) -> Expr:
        """Channels of the user's input (1 for signals)."""
        return self.out_channels if self.kind == "transpose" else self.in_channels

    @property
    def output_channels(self) -> Expr:
        """Channels of the user's output (1 for signals)."""
        return self.in_channels if self.kind == "transpose" else self.out_channels

    @property
    def weight_shape(self) -> tuple[Expr, ...]:
        """The weight shape as PyTorch stores it."""
        ks = tuple(a.k for a in self.axes)
        if self.kind == "signal":
            return ks
        return (self.out_channels, self.in_channels / self.groups, *ks)

    def symbols(self) -> set[sympy.Symbol]:
        """The free size symbols."""
        out: set[sympy.Symbol] = set()
        for v in (self.in_channels, self.out_channels, *self.output_padding, *self.small_size):
            out |= sympy.sympify(v).free_symbols
        for a in self.axes:
            for v in (a.n, a.k, a.s, a.d, a.lo, a.hi):
                out |= v.free_symbols
        return out


class Indexer:
    """``obj[idx]`` through a function of the index tuple (``output``, ``matrix``, ...)."""

    def __init__(self, name: str, fn: Callable[[Any], Expr], doc: str) -> None:
        self._name, self._fn, self.__doc__ = name, fn, doc

    def __getitem__(self, idx: Any) -> Expr:
        return self._fn(idx)

    def __repr__(self) -> str:
        return f"<general {self._name}: index it, e.g. [0] or [o]>"


def at(base: IndexedBase, *index: Any) -> Expr:
    """``base[index]`` for an index tuple built from parts."""
    return base[tuple(index)]


def as_index(name: str, value: Any) -> Expr:
    """An index as a SymPy integer (int or integer symbol/expression), naming ``name``."""
    if isinstance(value, bool):
        raise TypeError(f"`{name}` must be an integer or an integer SymPy expression, "
                        f"got {value!r}")
    if isinstance(value, int):
        return Integer(value)
    if isinstance(value, sympy.Expr) and value.is_integer:
        return value
    raise TypeError(f"`{name}` must be an integer or an integer SymPy expression "
                    f"(declare symbols with integer=True), got {value!r}")


def tuple_index(name: str, idx: Any, length: int) -> tuple[Expr, ...]:
    items = idx if isinstance(idx, tuple) else (idx,)
    if len(items) != length:
        raise ValueError(f"`{name}` needs {length} ind{'ex' if length == 1 else 'ices'}, "
                         f"got {idx!r}")
    return tuple(as_index(name, v) for v in items)


def fresh(base: str, taken: set[sympy.Symbol], count: int = 1) -> list[sympy.Symbol]:
    """``count`` integer symbols named after ``base`` and not in ``taken``."""
    names = {s.name for s in taken}
    stem = base
    while True:
        cands = [stem] if count == 1 else [f"{stem}{a + 1}" for a in range(count)]
        if not names & set(cands):
            return [_int(c) for c in cands]
        stem += "'"


def group_of(spec: GeneralSpec, q: Expr) -> tuple[Expr, Expr]:
    """``(first input channel, channels per group)`` of forward output channel ``q``."""
    if spec.groups == 1:
        return Integer(0), spec.in_channels
    per_in = spec.in_channels / spec.groups
    per_out = spec.out_channels / spec.groups
    return floor(q / per_out) * per_in, per_in


def forward_sum(spec: GeneralSpec, x: IndexedBase, w: IndexedBase, q: Expr,
                pos: Sequence[Expr]) -> Expr:
    """``sum_c sum_j w[q, c, j] x~[c0 + c, s*o + d*j - lo]``: forward output ``(q, pos)``.

    ``x~`` reads zero outside ``0..n-1`` (zero padding; circular wraps modulo n).
    """
    taken = set().union(*(sympy.sympify(v).free_symbols for v in (q, *pos)))
    taken |= spec.symbols()
    js = fresh("j", taken, spec.ndim)
    reads = [a.read(o, j) for a, o, j in zip(spec.axes, pos, js)]
    taps = [a.tap(j) for a, j in zip(spec.axes, js)]
    limits = [(j, 0, a.k - 1) for j, a in zip(js, spec.axes)]
    if not spec.has_channels:
        return Sum(w[tuple(taps)] * x[tuple(reads)], *limits)
    c0, per = group_of(spec, q)
    if per == 1:
        return Sum(at(w, q, 0, *taps) * at(x, c0, *reads), *limits)
    (c,) = fresh("c", taken | set(js))
    body = at(w, q, c, *taps) * at(x, c0 + c, *reads)
    return Sum(body, (c, 0, per - 1), *limits)


def adjoint_sum(spec: GeneralSpec, g: IndexedBase, w: IndexedBase, c: Expr,
                pos: Sequence[Expr]) -> Expr:
    """``sum_q sum_j w[q, c, j] g~[q, (i + lo - d*j)/s] [s | i + lo - d*j]``: ``T^T g``.

    The transposed convolution of ``g`` at forward input ``(c, pos)``; ``g~``
    reads zero outside the forward output range.
    """
    if any(a.circular for a in spec.axes):
        raise ValueError("the general adjoint of padding_mode='circular' is not built; "
                         "substitute sizes (subs) for the instance")
    taken = set().union(*(sympy.sympify(v).free_symbols for v in (c, *pos)))
    taken |= spec.symbols()
    js = fresh("j", taken, spec.ndim)
    srcs, conds = [], []
    for a, i, j in zip(spec.axes, pos, js):
        o, cond = a.source(i, j)
        srcs.append(o)
        if cond is not True:
            conds.append(cond)
    taps = [a.tap(j) for a, j in zip(spec.axes, js)]
    limits = [(j, 0, a.k - 1) for j, a in zip(js, spec.axes)]
    if not spec.has_channels:
        body = w[tuple(taps)] * g[tuple(srcs)]
    else:
        (q,) = fresh("q", taken | set(js))
        if spec.groups == 1:
            qq, cw, per = q, c, spec.out_channels
        else:
            per_in = spec.in_channels / spec.groups
            per = spec.out_channels / spec.groups
            grp = floor(c / per_in)
            qq, cw = grp * per + q, c - grp * per_in
        if per == 1:
            qq = qq.subs(q, 0)
        body = at(w, qq, cw, *taps) * at(g, qq, *srcs)
        if per != 1:
            limits = [(q, 0, per - 1), *limits]
    if conds:
        body = Piecewise((body, And(*conds)), (0, True))
    return Sum(body, *limits)


def matrix_entry(spec: GeneralSpec, w: IndexedBase, row: Sequence[Expr],
                 col: Sequence[Expr]) -> Expr:
    """Forward ``T[(q, *o), (c, *i)]`` (signals: ``T[o, i]``) as a ``Piecewise``."""
    if any(a.circular for a in spec.axes):
        raise ValueError("the general matrix of padding_mode='circular' is not built; "
                         "substitute sizes (subs) for the instance")
    if spec.has_channels:
        q, *opos = row
        c, *ipos = col
    else:
        opos, ipos = list(row), list(col)
    taps, conds = [], []
    for a, o, i in zip(spec.axes, opos, ipos):
        t, cond = a.entry(o, i)
        taps.append(t)
        conds.append(cond)
    if not spec.has_channels:
        return Piecewise((w[tuple(taps)], And(*conds)), (0, True))
    c0, per = group_of(spec, q)
    if spec.groups != 1:
        conds += [c >= c0, c <= c0 + per - 1]
    return Piecewise((at(w, q, c - c0, *taps), And(*conds)), (0, True))
