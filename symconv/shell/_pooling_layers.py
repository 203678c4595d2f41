"""Pooling layers with torch's signatures: MaxPool1d/2d, AvgPool1d/2d (shell layer).

Validation with torch's rules at construction (``padding`` at most half the
kernel, positive stride, kernel and dilation); the work is in ``core/_pooling.py``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..boundary._spec import as_tuple
from ..core._pooling import (
    MaxPoolDerivation,
    PoolGeometry,
    avgpool_derivation,
    maxpool_derivation,
)
from ..core._tapped import TapLayerDerivation
from ._layer_args import check_bool, input_and_shape, no_parameters

__all__ = ["AvgPool1d", "AvgPool2d", "MaxPool1d", "MaxPool2d"]


class _Pool:
    _ndim = 0
    _kind = "max"
    geometry: PoolGeometry

    def _setup(self, kernel_size: Any, stride: Any, padding: Any, dilation: Any,
               count_include_pad: Any, ceil_mode: Any) -> None:
        n = self._ndim
        ks = as_tuple("kernel_size", kernel_size, n, minimum=1)
        st = ks if stride is None else as_tuple("stride", stride, n, minimum=1)
        pad = as_tuple("padding", padding, n, minimum=0)
        dil = as_tuple("dilation", dilation, n, minimum=1)
        for p, k in zip(pad, ks):
            if p > k // 2:
                raise ValueError(
                    f"`padding` must be at most half of `kernel_size` (as torch), got "
                    f"padding={padding!r} and kernel_size={kernel_size!r}"
                )
        self.geometry = PoolGeometry(self._kind, n, ks, st, pad, dil,
                                     check_bool("count_include_pad", count_include_pad),
                                     check_bool("ceil_mode", ceil_mode))

    kernel_size = property(lambda self: self.geometry.kernel_size)
    stride = property(lambda self: self.geometry.stride)
    padding = property(lambda self: self.geometry.padding)

    def __repr__(self) -> str:
        g = self.geometry
        extra = f", dilation={g.dilation}" if g.kind == "max" else (
            "" if g.count_include_pad else ", count_include_pad=False")
        extra += ", ceil_mode=True" if g.ceil_mode else ""
        return (f"{type(self).__name__}(kernel_size={g.kernel_size}, stride={g.stride}, "
                f"padding={g.padding}{extra})")

    def _resolve(self, input_size: object, x: object, weight: object,
                 bias: object) -> tuple[np.ndarray | None, tuple[int, ...]]:
        no_parameters(self, weight, bias)
        xa, shape = input_and_shape(input_size, x)
        if len(shape) != self._ndim + 1:
            raise ValueError(
                f"the input of {type(self).__name__} must have shape (C, *spatial) with "
                f"{self._ndim} spatial dimension{'s' if self._ndim > 1 else ''} (no batch "
                f"dimension), got {shape}"
            )
        return xa, shape


class _MaxPool(_Pool):
    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 dilation: Any = 1, *, ceil_mode: bool = False) -> None:
        self._setup(kernel_size, stride, padding, dilation, True, ceil_mode)

    dilation = property(lambda self: self.geometry.dilation)

    def derive(self, input_size: object = None, *, x: object = None, weight: object = None,
               bias: object = None) -> MaxPoolDerivation:
        """Derive on one input ``(C, *spatial)``: ``Max`` over every window.

        Raises
        ------
        ValueError, TypeError
            Wrong shapes, a window that does not fit, ``weight``/``bias`` given, text.
        """
        xa, shape = self._resolve(input_size, x, weight, bias)
        return maxpool_derivation(self.geometry, shape, xa)


class _AvgPool(_Pool):
    _kind = "avg"

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 count_include_pad: bool = True, *, ceil_mode: bool = False) -> None:
        self._setup(kernel_size, stride, padding, 1, count_include_pad, ceil_mode)

    count_include_pad = property(lambda self: self.geometry.count_include_pad)

    def derive(self, input_size: object = None, *, x: object = None, weight: object = None,
               bias: object = None) -> TapLayerDerivation:
        """Derive on one input ``(C, *spatial)``: a fixed-weight depthwise convolution.

        Raises
        ------
        ValueError, TypeError
            Wrong shapes, a window that does not fit, ``weight``/``bias`` given, text.
        """
        xa, shape = self._resolve(input_size, x, weight, bias)
        return avgpool_derivation(self.geometry, shape, xa)


class MaxPool1d(_MaxPool):
    """1-D max pooling with ``torch.nn.MaxPool1d``'s arguments (stride defaults to the kernel).

    Examples
    --------
    >>> import symconv as sc
    >>> d = sc.MaxPool1d(2).derive(x=[[1, 3, 3, 2]])
    >>> d.output, d.gradient(grad_output=[[10, 20]]).input
    ([[3, 3]], [[0, 10, 20, 0]])
    """

    _ndim = 1


class MaxPool2d(_MaxPool):
    """2-D max pooling with ``torch.nn.MaxPool2d``'s arguments; ``Max`` over each window.

    Examples
    --------
    >>> import symconv as sc
    >>> sc.MaxPool2d(2).derive(input_size=(1, 2, 2)).output
    [[[Max(x_0_0_0, x_0_0_1, x_0_1_0, x_0_1_1)]]]
    """

    _ndim = 2


class AvgPool1d(_AvgPool):
    """1-D average pooling with ``torch.nn.AvgPool1d``'s arguments: a fixed-weight convolution.

    Examples
    --------
    >>> import symconv as sc
    >>> sc.AvgPool1d(2).derive(input_size=(1, 4)).matrix
    Matrix([
    [1/2, 1/2,   0,   0],
    [  0,   0, 1/2, 1/2]])
    """

    _ndim = 1


class AvgPool2d(_AvgPool):
    """2-D average pooling with ``torch.nn.AvgPool2d``'s arguments.

    Examples
    --------
    >>> import symconv as sc
    >>> sc.AvgPool2d(2).derive(x=[[[1, 2], [3, 6]]]).output
    [[[3]]]
    """

    _ndim = 2
