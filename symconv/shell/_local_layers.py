"""Locally connected and tiled layers with torch-style signatures (shell layer).

``LocallyConnected1d/2d`` and ``TiledConv1d/2d`` validate like ``Conv1d/2d``
(zero padding, no dilation or groups); the work is in ``core/_local.py``.
"""

from __future__ import annotations

from typing import Any

from ..boundary._spec import as_tuple, input_size_from, layer_params
from ..boundary._values import to_array
from ..core._local import LocalGeometry, local_derivation
from ..core._tapped import TapLayerDerivation

__all__ = ["LocallyConnected1d", "LocallyConnected2d", "TiledConv1d", "TiledConv2d"]


class _Local:
    _ndim = 0
    geometry: LocalGeometry

    def _setup(self, in_channels: Any, out_channels: Any, kernel_size: Any, stride: Any,
               padding: Any, bias: Any, tiles: Any) -> None:
        if isinstance(padding, str):
            raise TypeError(f"`padding` must be an integer or a tuple of integers, got {padding!r}")
        params = layer_params(self._ndim, False, in_channels, out_channels, kernel_size,
                              stride, padding, 1, 1, bias, "zeros")
        t = None if tiles is None else as_tuple("tiles", tiles, self._ndim, minimum=1)
        self.geometry = LocalGeometry(params, t)

    in_channels = property(lambda self: self.geometry.params.in_channels)
    out_channels = property(lambda self: self.geometry.params.out_channels)
    kernel_size = property(lambda self: self.geometry.params.kernel_size)
    stride = property(lambda self: self.geometry.params.stride)
    padding = property(lambda self: self.geometry.params.padding)

    def __repr__(self) -> str:
        p, t = self.geometry.params, self.geometry.tiles
        tiles = "" if t is None else f", tiles={t}"
        return (f"{type(self).__name__}({p.in_channels}, {p.out_channels}, "
                f"kernel_size={p.kernel_size}{tiles}, stride={p.stride}, padding={p.padding}, "
                f"bias={p.bias})")

    def derive(self, input_size: object = None, *, x: object = None, weight: object = None,
               bias: object = None) -> TapLayerDerivation:
        """Derive on one input ``(in_channels, *spatial)`` (symbols for what is not given).

        The weight shape depends on the output size (locally connected) or the
        tiles: ``(C_out, *out_size or *tiles, C_in, *kernel_size)``.

        Raises
        ------
        ValueError, TypeError
            Wrong shapes, a kernel larger than the padded input, a bias for
            ``bias=False``, text.
        """
        p = self.geometry.params
        xa = None if x is None else to_array("x", x)
        if xa is not None:
            if xa.ndim != p.ndim + 1 or xa.shape[0] != p.in_channels or 0 in xa.shape:
                raise ValueError(
                    f"`x` must have shape (in_channels={p.in_channels}, *spatial) with "
                    f"{p.ndim} spatial dimension{'s' if p.ndim > 1 else ''}, got {xa.shape}"
                )
            size = tuple(int(v) for v in xa.shape[1:])
            if input_size is not None and input_size_from(p, input_size) != size:
                raise ValueError(
                    f"`input_size` {input_size!r} disagrees with the shape of `x` {xa.shape}"
                )
        elif input_size is None:
            raise ValueError("`input_size` is required when `x` is not given")
        else:
            size = input_size_from(p, input_size)
        if bias is not None and not p.bias:
            raise ValueError("`bias` was given but the layer was built with bias=False")
        return local_derivation(self.geometry, size, xa, weight, bias)


class _LocallyConnected(_Local):
    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any,
                 stride: Any = 1, padding: Any = 0, bias: bool = True) -> None:
        self._setup(in_channels, out_channels, kernel_size, stride, padding, bias, None)


class _Tiled(_Local):
    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, tiles: Any,
                 stride: Any = 1, padding: Any = 0, bias: bool = True) -> None:
        self._setup(in_channels, out_channels, kernel_size, stride, padding, bias, tiles)

    @property
    def tiles(self) -> tuple[int, ...]:
        """Kernels cycled per axis."""
        t = self.geometry.tiles
        assert t is not None
        return t


class LocallyConnected1d(_LocallyConnected):
    """1-D locally connected layer: the convolution's zeros, a separate kernel per output position.

    Goodfellow et al. eq. 9.9; weight ``(C_out, out_size, C_in, k)``, bias
    ``(C_out, out_size)`` (one per output unit).

    Examples
    --------
    >>> import symconv as sc
    >>> d = sc.LocallyConnected1d(1, 1, 2, bias=False).derive(input_size=3)
    >>> d.output
    [[w_0_0_0_0*x_0_0 + w_0_0_0_1*x_0_1, w_0_1_0_0*x_0_1 + w_0_1_0_1*x_0_2]]
    """

    _ndim = 1


class LocallyConnected2d(_LocallyConnected):
    """2-D locally connected layer (GBC eq. 9.9): weight ``(C_out, H', W', C_in, kh, kw)``.

    Examples
    --------
    >>> import symconv as sc
    >>> d = sc.LocallyConnected2d(1, 2, 2).derive(input_size=(3, 3))
    >>> d.weight.shape, d.bias.shape, d.output.shape
    ((2, 2, 2, 1, 2, 2), (2, 2, 2), (2, 2, 2))
    """

    _ndim = 2


class TiledConv1d(_Tiled):
    """1-D tiled convolution (GBC eq. 9.10): ``tiles`` kernels cycled along the output.

    Weight ``(C_out, tiles, C_in, k)``, bias ``(C_out, tiles)``; ``tiles=1`` is
    ``Conv1d``.

    Examples
    --------
    >>> import symconv as sc
    >>> d = sc.TiledConv1d(1, 1, 1, tiles=2, bias=False).derive(input_size=3)
    >>> d.output
    [[w_0_0_0_0*x_0_0, w_0_1_0_0*x_0_1, w_0_0_0_0*x_0_2]]
    """

    _ndim = 1


class TiledConv2d(_Tiled):
    """2-D tiled convolution (GBC eq. 9.10): weight ``(C_out, t_h, t_w, C_in, kh, kw)``.

    Examples
    --------
    >>> import symconv as sc
    >>> d = sc.TiledConv2d(1, 1, 2, tiles=2).derive(input_size=(4, 4))
    >>> d.weight.shape, d.stats().tied_weights
    ((1, 2, 2, 1, 2, 2), 12)
    """

    _ndim = 2
