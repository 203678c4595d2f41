"""Locally connected and tiled layers: the conv tap law with the weight untied (core layer).

Goodfellow et al. §9.5.  Both layers keep the convolution's taps
``(o, i, j)`` -- output position ``o`` reads input ``i = s*o + j - p`` -- and
therefore its structural zeros; only the weight a tap reads changes:

- **locally connected** (eq. 9.9): ``w[co, o, ci, j]``, one kernel per output
  position, so no two entries of ``T`` share a weight;
- **tiled** with ``t`` tiles per axis (eq. 9.10): ``w[co, o mod t, ci, j]``,
  ``t`` kernels cycled along each axis; ``t = 1`` is the convolution and
  ``t >= output size`` the locally connected layer.

Weight shapes follow eq. 9.9's index order: ``(C_out, *out_size, C_in, *k)``
(locally connected) and ``(C_out, *tiles, C_in, *k)`` (tiled).  Biases follow
§9.5's closing remark: one per output unit ``(C_out, *out_size)`` for the
locally connected layer, tiled like the kernels ``(C_out, *tiles)`` for the
tiled one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..boundary._spec import ConvSpec, LayerParams, layer_spec
from ..boundary._values import symbols
from ._tapped import TapLayerDerivation, shaped
from ._taps import forward_taps

__all__ = ["LocalGeometry", "local_derivation", "local_spec"]


@dataclass(frozen=True)
class LocalGeometry:
    """A locally connected (``tiles is None``) or tiled layer's validated arguments."""

    params: LayerParams
    tiles: tuple[int, ...] | None = None

    @property
    def kind(self) -> str:
        """``"local"`` or ``"tiled"``."""
        return "local" if self.tiles is None else "tiled"


def local_spec(geometry: LocalGeometry, size: tuple[int, ...]) -> ConvSpec:
    """The convolution whose taps (and zeros) the layer keeps, on spatial input ``size``."""
    return layer_spec(geometry.params, size)


def _positions(spec: ConvSpec, geometry: LocalGeometry) -> tuple[tuple[int, ...], np.ndarray]:
    """The untied weight axes and, for each flat output position, its kernel slot."""
    s_out = int(np.prod(spec.out_size))
    if geometry.tiles is None:
        return spec.out_size, np.arange(s_out)
    grid = np.unravel_index(np.arange(s_out), spec.out_size)
    slots = tuple(g % t for g, t in zip(grid, geometry.tiles))
    return geometry.tiles, np.ravel_multi_index(slots, geometry.tiles)


def local_derivation(
    geometry: LocalGeometry,
    size: tuple[int, ...],
    x: np.ndarray | None = None,
    weight: object = None,
    bias: object = None,
) -> TapLayerDerivation:
    """Derive a locally connected or tiled layer on one input of spatial ``size``.

    The convolution's tap table (``core/_taps.forward_taps``) gives every
    ``(o, i, k)``; with ``k = (co * C_in + ci) * K + j`` and
    ``o = co * S + pos``, the untied weight index is
    ``((co * U + slot(pos)) * C_in + ci) * K + j`` where ``U`` is the number of
    kernels per output channel (``S`` positions, or the tiles) and ``slot`` is
    the position itself or the position modulo the tiles, per axis.
    """
    p = geometry.params
    spec = local_spec(geometry, size)
    t = forward_taps(spec)
    o, i, k = (a.astype(np.int64) for a in (t.o, t.i, t.k))
    s_out = int(np.prod(spec.out_size))
    per_filter = p.in_channels * int(np.prod(p.kernel_size))
    axes, slot_of_pos = _positions(spec, geometry)
    n_slots = int(np.prod(axes))
    co, pos = o // s_out, o % s_out
    k_new = (co * n_slots + slot_of_pos[pos]) * per_filter + k % per_filter
    in_shape = (p.in_channels, *size)
    out_shape = (p.out_channels, *spec.out_size)
    w_shape = (p.out_channels, *axes, p.in_channels, *p.kernel_size)
    b_shape = (p.out_channels, *axes)
    xs = symbols("x", in_shape) if x is None else shaped("x", x, in_shape)
    ws = symbols("w", w_shape) if weight is None else shaped("weight", weight, w_shape)
    bs = None
    bias_index = None
    if p.bias:
        bs = symbols("b", b_shape) if bias is None else shaped("bias", bias, b_shape)
        flat_out = np.arange(p.out_channels * s_out)
        bias_index = (flat_out // s_out) * n_slots + slot_of_pos[flat_out % s_out]
    return TapLayerDerivation(
        geometry.kind, LocalSpec(geometry, spec), o, i, k_new, in_shape, out_shape, xs,
        ws, w_shape, bs, bias_index,
    )


@dataclass(frozen=True)
class LocalSpec:
    """A derived locally connected/tiled layer's geometry: arguments plus the conv spec."""

    geometry: LocalGeometry
    spec: ConvSpec

    @property
    def tiles(self) -> tuple[int, ...] | None:
        """Tiles per axis (None: locally connected)."""
        return self.geometry.tiles
