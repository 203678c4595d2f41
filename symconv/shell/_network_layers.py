"""The layer family: Linear, activations, pooling, locally connected, tiled (shell layer).

Explicit classes with PyTorch's signatures and argument rules; each validates
at construction and its ``derive`` returns a derivation with the views of
:class:`symconv.core._layer_protocol.LayerDerivation`.  The work is in
``core/_dense.py``, ``_activations.py``, ``_pooling.py`` and ``_local.py``.
"""

from __future__ import annotations

from typing import Any

from ..boundary._spec import check_int
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
from ..core._tapped import TapLayerDerivation
from ._layer_args import check_bool, input_and_shape, no_parameters, shape_arg
from ._local_layers import LocallyConnected1d as LocallyConnected1d
from ._local_layers import LocallyConnected2d as LocallyConnected2d
from ._local_layers import TiledConv1d as TiledConv1d
from ._local_layers import TiledConv2d as TiledConv2d
from ._pooling_layers import AvgPool1d as AvgPool1d
from ._pooling_layers import AvgPool2d as AvgPool2d
from ._pooling_layers import MaxPool1d as MaxPool1d
from ._pooling_layers import MaxPool2d as MaxPool2d

__all__ = [
    "Activation", "AvgPool1d", "AvgPool2d", "Linear", "LocallyConnected1d",
    "LocallyConnected2d", "MaxPool1d", "MaxPool2d", "ReLU", "Sigmoid", "Tanh",
    "TiledConv1d", "TiledConv2d",
]


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
            check_bool("bias", bias),
        )

    in_features = property(lambda self: self.geometry.in_features)
    out_features = property(lambda self: self.geometry.out_features)

    @property
    def weightshape_arg(self) -> tuple[int, int]:
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
        if input_size is not None and shape_arg("input_size", input_size) != (g.in_features,):
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
        no_parameters(self, weight, bias)
        xa, shape = input_and_shape(input_size, x)
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
