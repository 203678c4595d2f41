"""The layer family: Linear, activations, pooling, locally connected, tiled (shell layer).

Explicit classes with PyTorch's signatures and argument rules; each validates
at construction and its ``derive`` returns a derivation with the views of
:class:`symconv.core._layer_protocol.LayerDerivation`.  The work is in
``core/_dense.py``, ``_activations.py``, ``_pooling.py`` and ``_local.py``.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..boundary._spec import as_tuple, check_int, input_size_from, layer_params
from ..boundary._values import to_array
from ..core._activations import (
    RELU,
    SIGMOID,
    TANH,
    ActivationDerivation,
    ActivationFunction,
    activation_derivation,
    activation_function,
)
from ..core._dense import LinearGeometry, linear_derivation
from ..core._local import LocalGeometry, local_derivation
from ..core._pooling import (
    MaxPoolDerivation,
    PoolGeometry,
    avgpool_derivation,
    maxpool_derivation,
)
from ..core._tapped import TapLayerDerivation

__all__ = [
    "Activation", "AvgPool1d", "AvgPool2d", "Linear", "LocallyConnected1d",
    "LocallyConnected2d", "MaxPool1d", "MaxPool2d", "ReLU", "Sigmoid", "Tanh",
    "TiledConv1d", "TiledConv2d",
]


def _check_bool(name: str, value: object) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"`{name}` must be True or False, got {value!r}")
    return bool(value)


def _shape(name: str, value: object) -> tuple[int, ...]:
    """An input shape: an int or a tuple of positive ints."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return (check_int(name, value, minimum=1),)
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise TypeError(f"`{name}` must be a tuple of integers, got {value!r}")
    if len(value) == 0:
        raise ValueError(f"`{name}` must have at least one entry, got {value!r}")
    return tuple(check_int(name, v, minimum=1) for v in value)


def _input_and_shape(input_size: object, x: object) -> tuple[np.ndarray | None, tuple[int, ...]]:
    """``x`` as an array (if given) and the input shape, checked against each other."""
    if x is None:
        if input_size is None:
            raise ValueError("`input_size` is required when `x` is not given")
        return None, _shape("input_size", input_size)
    xa = to_array("x", x)
    if xa.ndim == 0 or 0 in xa.shape:
        raise ValueError(f"`x` must be a non-empty array, got shape {xa.shape}")
    if input_size is not None and _shape("input_size", input_size) != xa.shape:
        raise ValueError(f"`input_size` {input_size!r} disagrees with the shape of `x` {xa.shape}")
    return xa, tuple(int(v) for v in xa.shape)


def _no_parameters(layer: object, weight: object, bias: object) -> None:
    for name, value in (("weight", weight), ("bias", bias)):
        if value is not None:
            raise ValueError(f"`{name}` was given but {type(layer).__name__} has no parameters")


# ---------------------------------------------------------------- Linear


class Linear:
    """The dense layer ``y = W x + b`` with ``torch.nn.Linear``'s signature: every weight free.

    Parameters
    ----------
    in_features, out_features : int
        Positive sizes.
    bias : bool
        Whether ``b`` is added.

    Notes
    -----
    The weight has torch's shape ``(out_features, in_features)``;
    ``T[o, i] = W[o, i]``: no structural zeros, no tied weights.  It is the
    reference a convolution is compared with (:func:`symconv.dense_constraints`).

    Examples
    --------
    >>> import symconv as sc
    >>> d = sc.Linear(2, 1).derive(x=[3, 4])
    >>> d.output
    [b_0 + 3*w_0_0 + 4*w_0_1]
    >>> d.gradient(grad_output=[1]).weight
    [[3, 4]]
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True) -> None:
        self.geometry = LinearGeometry(
            check_int("in_features", in_features, minimum=1),
            check_int("out_features", out_features, minimum=1),
            _check_bool("bias", bias),
        )

    in_features = property(lambda self: self.geometry.in_features)
    out_features = property(lambda self: self.geometry.out_features)

    @property
    def weight_shape(self) -> tuple[int, int]:
        """torch's weight shape ``(out_features, in_features)``."""
        return (self.geometry.out_features, self.geometry.in_features)

    def __repr__(self) -> str:
        g = self.geometry
        return f"Linear(in_features={g.in_features}, out_features={g.out_features}, bias={g.bias})"

    def derive(self, input_size: object = None, *, x: object = None, weight: object = None,
               bias: object = None) -> TapLayerDerivation:
        """Derive on one input of shape ``(in_features,)`` (symbols for what is not given).

        Raises
        ------
        ValueError, TypeError
            Wrong shapes, a bias for ``bias=False``, text.
        """
        g = self.geometry
        if input_size is not None and _shape("input_size", input_size) != (g.in_features,):
            raise ValueError(
                f"`input_size` must be ({g.in_features},) (in_features, no batch dimension), "
                f"got {input_size!r}"
            )
        if bias is not None and not g.bias:
            raise ValueError("`bias` was given but the layer was built with bias=False")
        return linear_derivation(g, x, weight, bias)


# ------------------------------------------------------------ activations


class Activation:
    """Any one-argument SymPy function applied elementwise: ``a = f(z)``.

    Parameters
    ----------
    function : callable
        ``sympy.sin``, ``sympy.atan``, a ``sympy.Lambda``...  Its derivative
        (``sympy.diff``) is used backward.

    Examples
    --------
    >>> import sympy, symconv as sc
    >>> d = sc.Activation(sympy.sin).derive(input_size=2)
    >>> d.output, d.gradient().input
    ([sin(x_0), sin(x_1)], [g_0*cos(x_0), g_1*cos(x_1)])
    """

    def __init__(self, function: Any) -> None:
        self.function: ActivationFunction = activation_function(function)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.function.name})"

    def derive(self, input_size: object = None, *, x: object = None, weight: object = None,
               bias: object = None) -> ActivationDerivation:
        """Derive on one input of any shape: ``input_size`` or ``x``.

        Raises
        ------
        ValueError, TypeError
            Missing or disagreeing sizes, ``weight``/``bias`` given, text.
        """
        _no_parameters(self, weight, bias)
        xa, shape = _input_and_shape(input_size, x)
        return activation_derivation(self.function, shape, xa)


class ReLU(Activation):
    """``ReLU(z) = Max(0, z)``; backward ``g`` where ``z > 0``, else 0 (torch: ReLU'(0) = 0).

    Examples
    --------
    >>> import symconv as sc
    >>> d = sc.ReLU().derive(x=[-2, 0, 3])
    >>> d.output, d.gradient(grad_output=[5, 5, 5]).input
    ([0, 0, 3], [0, 0, 5])
    """

    def __init__(self) -> None:
        self.function = RELU

    def __repr__(self) -> str:
        return "ReLU()"


class Sigmoid(Activation):
    """``σ(z) = 1 / (1 + exp(-z))``; backward ``σ(z)(1 - σ(z)) g``.

    Examples
    --------
    >>> import symconv as sc
    >>> sc.Sigmoid().derive(x=[0]).output
    [1/2]
    """

    def __init__(self) -> None:
        self.function = SIGMOID

    def __repr__(self) -> str:
        return "Sigmoid()"


class Tanh(Activation):
    """``tanh(z)``; backward ``(1 - tanh(z)^2) g``.

    Examples
    --------
    >>> import symconv as sc
    >>> sc.Tanh().derive(input_size=1).gradient().input
    [g_0*(1 - tanh(x_0)**2)]
    """

    def __init__(self) -> None:
        self.function = TANH

    def __repr__(self) -> str:
        return "Tanh()"


# ---------------------------------------------------------------- pooling


class _Pool:
    _ndim = 0
    _kind = "max"
    geometry: PoolGeometry

    def _setup(self, kernel_size: Any, stride: Any, padding: Any, dilation: Any,
               count_include_pad: Any) -> None:
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
                                     _check_bool("count_include_pad", count_include_pad))

    kernel_size = property(lambda self: self.geometry.kernel_size)
    stride = property(lambda self: self.geometry.stride)
    padding = property(lambda self: self.geometry.padding)

    def __repr__(self) -> str:
        g = self.geometry
        extra = f", dilation={g.dilation}" if g.kind == "max" else (
            "" if g.count_include_pad else ", count_include_pad=False")
        return (f"{type(self).__name__}(kernel_size={g.kernel_size}, stride={g.stride}, "
                f"padding={g.padding}{extra})")

    def _resolve(self, input_size: object, x: object, weight: object,
                 bias: object) -> tuple[np.ndarray | None, tuple[int, ...]]:
        _no_parameters(self, weight, bias)
        xa, shape = _input_and_shape(input_size, x)
        if len(shape) != self._ndim + 1:
            raise ValueError(
                f"the input of {type(self).__name__} must have shape (C, *spatial) with "
                f"{self._ndim} spatial dimension{'s' if self._ndim > 1 else ''} (no batch "
                f"dimension), got {shape}"
            )
        return xa, shape


class _MaxPool(_Pool):
    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 dilation: Any = 1) -> None:
        self._setup(kernel_size, stride, padding, dilation, True)

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
                 count_include_pad: bool = True) -> None:
        self._setup(kernel_size, stride, padding, 1, count_include_pad)

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


# --------------------------------------------------- locally connected, tiled


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
