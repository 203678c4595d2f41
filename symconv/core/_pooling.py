"""Pooling as torch does it: average as a fixed-weight convolution, max as ``Max`` (core layer).

Both read the windows of a depthwise convolution (``groups = C``) with the
pooling's kernel, stride, padding and dilation: output ``(c, o)`` reads the
inputs ``(c, s*o + d*j - p)`` inside the input (padded positions are skipped,
as torch pads max pooling with ``-inf`` and counts them as zeros in average
pooling).  Output size per axis (Dumoulin & Visin, relationship 7, with
padding and dilation): ``floor((n + 2p - d(k - 1) - 1) / s) + 1``.

- **Average pooling** is linear: ``T[o, i] = 1/K`` on the window
  (``count_include_pad=True``: ``K`` is the kernel's size, padding included)
  or ``1/(window entries inside the input)`` (``count_include_pad=False``).
  It is a :class:`TapLayerDerivation` with fixed coefficients.
- **Max pooling** is ``y[o] = Max(x[i] over the window)``.  With a numeric
  input its matrix is the selection of each window's arg-max; the gradient is
  routed to the arg-max, the *first* maximum in window order on ties, as
  torch does.  With a symbolic input the routing is a ``Piecewise``:
  ``x[i]`` receives ``g[o]`` unless an entry before it in the window is at
  least as large or an entry after it is larger.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import sympy
from sympy import Add, Basic, Piecewise

from ..boundary._spec import ConvSpec, layer_params, layer_spec
from ..boundary._values import symbols
from ._activations import require_real
from ._free_gradient import ParameterFreeGradient
from ._layer_delegations import LayerDelegations
from ._symbolic import unevaluated_max
from ._tapped import TapLayerDerivation, as_array, shaped, upstream
from ._taps import forward_taps

__all__ = ["MaxPoolDerivation", "PoolGeometry", "avgpool_derivation", "maxpool_derivation",
           "pool_spec"]


@dataclass(frozen=True)
class PoolGeometry:
    """A pooling layer's validated arguments (the channel count comes with the input)."""

    kind: str  # "max" or "avg"
    ndim: int
    kernel_size: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[int, ...]
    dilation: tuple[int, ...]
    count_include_pad: bool = True
    ceil_mode: bool = False


def pool_spec(geometry: PoolGeometry, in_shape: tuple[int, ...]) -> ConvSpec:
    """The depthwise convolution whose windows the pooling reads, on input ``(C, *size)``.

    Raises
    ------
    ValueError
        If a window would not fit the padded input (torch: "output size is too small").
    """
    channels, size = in_shape[0], tuple(in_shape[1:])
    params = layer_params(geometry.ndim, False, channels, channels, geometry.kernel_size,
                          geometry.stride, geometry.padding, geometry.dilation, channels,
                          False, "zeros")
    if not geometry.ceil_mode:
        return layer_spec(params, size)
    # torch's ceil_mode: round the output size up, but drop a last window that
    # would start in the right padding; the extra reach is padding on the right.
    out, pads = [], []
    for axis, (n, k, s, p, d) in enumerate(zip(size, geometry.kernel_size, geometry.stride,
                                               geometry.padding, geometry.dilation)):
        m = -(-(n + 2 * p - d * (k - 1) - 1) // s) + 1
        if (m - 1) * s >= n + p:
            m -= 1
        if m < 1:
            raise ValueError(
                f"`kernel_size` (={k}, dilated span {d * (k - 1) + 1}) leaves no output in "
                f"spatial dimension {axis} (input {n}, padding {p}, stride {s}, ceil_mode=True)"
            )
        out.append(m)
        pads.append((p, max(p, (m - 1) * s + d * (k - 1) + 1 - n - p)))
    return ConvSpec(kind="conv", in_channels=channels, out_channels=channels, groups=channels,
                    in_size=size, out_size=tuple(out), kernel_size=geometry.kernel_size,
                    stride=geometry.stride, dilation=geometry.dilation, padding=tuple(pads))


def _windows(spec: ConvSpec) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Taps ``(o, i, j)`` of the depthwise convolution, sorted by output then kernel position."""
    t = forward_taps(spec)
    o = t.o.astype(np.int64)
    counts = np.bincount(o, minlength=int(np.prod(spec.output_shape)))
    if counts.size and counts.min() == 0:
        empty = int(np.argmin(counts))
        raise ValueError(
            f"output {np.unravel_index(empty, spec.output_shape)} of this pooling reads only "
            "padding (torch gives -inf for max, nan or 0 for avg): use less `padding` or "
            "`dilation`, or ceil_mode=False"
        )
    return o, t.i.astype(np.int64), t.k.astype(np.int64)


def _input(in_shape: tuple[int, ...], x: object) -> np.ndarray:
    return symbols("x", in_shape) if x is None else shaped("x", x, in_shape)


def avgpool_derivation(
    geometry: PoolGeometry, in_shape: tuple[int, ...], x: object = None
) -> TapLayerDerivation:
    """Average pooling as a fixed-weight depthwise convolution (one coefficient per tap)."""
    spec = pool_spec(geometry, in_shape)
    o, i, _ = _windows(spec)
    n_out = int(np.prod(spec.output_shape))
    if geometry.count_include_pad:
        # torch: the window clipped to the padded input (n + p on the right); this
        # is the whole kernel unless ceil_mode lets a window run past it.
        sizes = _padded_window_sizes(geometry, spec)
        coeff = [sympy.Rational(1, int(sizes[oo])) for oo in (o % sizes.size).tolist()]
    else:
        counts = np.bincount(o, minlength=n_out).tolist()
        coeff = [sympy.Rational(1, counts[oo]) for oo in o.tolist()]
    values = np.empty(o.size, dtype=object)
    values[:] = coeff
    return TapLayerDerivation(
        "avgpool", PoolSpec(geometry, spec), o, i, np.arange(o.size), in_shape,
        spec.output_shape, _input(in_shape, x), values, None, None, None,
    )


def _padded_window_sizes(geometry: PoolGeometry, spec: ConvSpec) -> np.ndarray:
    """Per flat spatial output position: its window's entries inside the padded input."""
    per_axis = []
    for n, m, k, s, p in zip(spec.in_size, spec.out_size, geometry.kernel_size,
                             geometry.stride, geometry.padding):
        start = np.arange(m) * s - p
        per_axis.append(np.minimum(start + k, n + p) - start)
    sizes = per_axis[0]
    for a in per_axis[1:]:
        sizes = np.multiply.outer(sizes, a)
    return np.asarray(sizes).reshape(-1)


@dataclass(frozen=True)
class PoolSpec:
    """A derived pooling layer's geometry: arguments plus the depthwise conv spec."""

    geometry: PoolGeometry
    spec: ConvSpec


def maxpool_derivation(
    geometry: PoolGeometry, in_shape: tuple[int, ...], x: object = None
) -> MaxPoolDerivation:
    """Max pooling on one input ``(C, *size)``."""
    spec = pool_spec(geometry, in_shape)
    o, i, _ = _windows(spec)
    xs = _input(in_shape, x)
    require_real(xs, "max pooling compares its entries")
    return MaxPoolDerivation(PoolSpec(geometry, spec), o, i, xs)


def _max(values: list[Basic]) -> Basic:
    """``Max`` of a window; unevaluated (no assumption queries) when no entry is a number."""
    if any(v.is_Number for v in values):
        return sympy.Max(*values)
    if len(set(values)) != len(values):
        return sympy.Max(*values)
    if all(v.is_Atom for v in values):
        # Plain symbols sort cheaply: keep SymPy's canonical argument order, so the
        # result is ``==`` to ``sympy.Max(*window)``.
        return sympy.Max(*values, evaluate=False)
    # Sums (a pooled convolution): window order, no sorting of long sums.
    return unevaluated_max(values)


class MaxPoolGradient(ParameterFreeGradient):
    """Max pooling's backward pass: ``g[o]`` routed to the arg-max of window ``o``."""

    derivation: MaxPoolDerivation

    @cached_property
    def _input(self) -> np.ndarray:
        d = self.derivation
        gs = self._g.reshape(-1).tolist()
        terms: list[list[Basic]] = [[] for _ in range(d.n_in)]
        for oo, (_, members) in enumerate(d.windows):
            for pos, ii in enumerate(members):
                terms[ii].append(d.selector(oo, pos) * gs[oo])
        out = np.empty(d.n_in, dtype=object)
        out[:] = [Add(*t) for t in terms]
        return out.reshape(d.in_shape)

    @property
    def input(self) -> sympy.Array:
        """``dL/dx``: each window's upstream gradient on its (first) maximum."""
        return as_array(self._input)


class MaxPoolDerivation(LayerDelegations):
    """Max pooling derived exactly: ``y[o] = Max(window)``; arg-max routing backward.

    Satisfies :class:`symconv.core._layer_protocol.LayerDerivation` (no weight,
    no bias; ``matrix`` is the arg-max selection for a numeric input, else None).
    """

    kind = "maxpool"
    is_linear = False
    weight = None
    bias = None

    def __init__(self, geometry: PoolSpec, o: np.ndarray, i: np.ndarray,
                 x: np.ndarray) -> None:
        self.geometry = geometry
        self.o, self.i = o, i
        self.input_values = x
        self.in_shape = tuple(x.shape)
        self.out_shape = geometry.spec.output_shape

    def __repr__(self) -> str:
        return f"<MaxPoolDerivation: input {self.in_shape} -> output {self.out_shape}>"

    @property
    def n_in(self) -> int:
        """Number of inputs."""
        return int(np.prod(self.in_shape))

    @property
    def n_out(self) -> int:
        """Number of outputs."""
        return int(np.prod(self.out_shape))

    @cached_property
    def windows(self) -> list[tuple[list[Basic], list[int]]]:
        """For each flat output, its window's values and flat input indices (kernel order)."""
        xs = self.input_values.reshape(-1).tolist()
        starts = np.searchsorted(self.o, np.arange(self.n_out + 1)).tolist()
        ii = self.i.tolist()
        out = []
        for oo in range(self.n_out):
            members = ii[starts[oo]:starts[oo + 1]]
            out.append(([xs[m] for m in members], members))
        return out

    @property
    def input(self) -> sympy.Array:
        """The input actually used."""
        return as_array(self.input_values)

    @cached_property
    def _output_values(self) -> np.ndarray:
        out = np.empty(self.n_out, dtype=object)
        out[:] = [_max(values) for values, _ in self.windows]
        return out.reshape(self.out_shape)

    @property
    def output(self) -> sympy.Array:
        """``Max`` over every window."""
        return as_array(self._output_values)

    def arrays(self) -> dict[str, np.ndarray | None]:
        """The views as NumPy object arrays (no SymPy Array indexing): a fast read."""
        return {"input": self.input_values, "output": self._output_values, "weight": None,
                "bias": None}

    @cached_property
    def numeric(self) -> bool:
        """Whether every input is a real number (then arg-maxes are known)."""
        return all(v.is_Number and v.is_real for v in self.input_values.reshape(-1))

    @cached_property
    def argmax(self) -> list[int] | None:
        """Flat input index of each window's first maximum (numeric inputs), else None."""
        if not self.numeric:
            return None
        result = []
        for values, members in self.windows:
            best = 0
            for pos in range(1, len(values)):
                if values[pos] > values[best]:
                    best = pos
            result.append(members[best])
        return result

    def selector(self, oo: int, pos: int) -> Basic:
        """1 when window ``oo``'s entry ``pos`` is its first maximum, else 0 (maybe Piecewise)."""
        values, members = self.windows[oo]
        if self.argmax is not None:
            return sympy.S.One if self.argmax[oo] == members[pos] else sympy.S.Zero
        me = values[pos]
        if len(values) == 1:
            return sympy.S.One
        # 0 as soon as an entry before it is at least as large or one after it is
        # larger (first maximum wins); single relationals, unevaluated: cheap to build.
        le, lt = sympy.LessThan, sympy.StrictLessThan
        branches = [(0, le(me, v, evaluate=False)) for v in values[:pos]]
        branches += [(0, lt(me, v, evaluate=False)) for v in values[pos + 1:]]
        return Piecewise(*branches, (1, True), evaluate=False)

    @property
    def matrix(self) -> sympy.SparseMatrix | None:
        """The arg-max selection ``S`` (``y = S x``) for a numeric input, else None."""
        if self.argmax is None:
            return None
        return sympy.SparseMatrix(self.n_out, self.n_in,
                                  {(oo, ii): 1 for oo, ii in enumerate(self.argmax)})

    def gradient(self, grad_output: Any = None) -> MaxPoolGradient:
        """The backward pass; symbols ``g_...`` unless ``grad_output`` is given."""
        return MaxPoolGradient(self, upstream(grad_output, self.out_shape))
