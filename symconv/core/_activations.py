"""Elementwise nonlinearities ``a = f(z)``: forward, and backward ``f'(z) ⊙ g`` (core layer).

=========  ==========================  ==============================================
name       ``f(z)``                    ``f'(z)`` used backward
=========  ==========================  ==============================================
ReLU       ``Max(0, z)``               ``1`` for ``z > 0``, else ``0`` (torch: ReLU'(0) = 0)
Sigmoid    ``1 / (1 + exp(-z))``       ``σ(z) (1 - σ(z))``
Tanh       ``tanh(z)``                 ``1 - tanh(z)^2``
any ``f``  ``f(z)``                    ``sympy.diff(f(t), t)`` at ``t = z``
=========  ==========================  ==============================================

ReLU is not differentiable at 0; like torch (``threshold_backward`` passes the
gradient only where ``z > 0``) symconv uses the subgradient 0 there.  SymPy's own
``diff(Max(0, z))`` is ``Heaviside(z)``, which is 1/2 at 0: never used here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import sympy
from sympy import Basic, Piecewise

from ..boundary._values import symbols
from ._free_gradient import ParameterFreeGradient
from ._layer_delegations import LayerDelegations
from ._symbolic import unevaluated_max
from ._tapped import as_array, shaped, upstream

__all__ = [
    "RELU",
    "SIGMOID",
    "TANH",
    "ActivationDerivation",
    "ActivationFunction",
    "activation_derivation",
    "activation_function",
]


@dataclass(frozen=True)
class ActivationFunction:
    """An elementwise function with the derivative used by the backward pass.

    Attributes
    ----------
    name : str
        ``"ReLU"``, ``"Sigmoid"``, ``"Tanh"`` or the SymPy function's name.
    forward, derivative : callable
        SymPy expression in, SymPy expression out.
    torch_name : str or None
        The ``torch.nn.functional`` function computing the same thing, if any.
    """

    name: str
    forward: Callable[[Basic], Basic]
    derivative: Callable[[Basic], Basic]
    torch_name: str | None = None


def _relu(z: Basic) -> Basic:
    if z.is_Number:
        if z is sympy.S.NaN:
            return sympy.Max(0, z)
        # What Max(0, z) gives for a real number (z itself, or 0), without its queries.
        return z if z > 0 else sympy.S.Zero
    # Unevaluated: the same object Max(0, z) gives for a symbol, without SymPy's
    # assumption queries on z (slow on the long sums a previous layer produces).
    # Built directly (no sort keys); (0, z) is SymPy's own order (tests/test_symbolic.py).
    return unevaluated_max([sympy.S.Zero, z])


def _relu_prime(z: Basic) -> Basic:
    if z.is_Number:
        return sympy.S.One if z > 0 else sympy.S.Zero
    return Piecewise((1, sympy.StrictGreaterThan(z, 0, evaluate=False)), (0, True),
                     evaluate=False)


def _sigmoid(z: Basic) -> Basic:
    return 1 / (1 + sympy.exp(-z))


def _sigmoid_prime(z: Basic) -> Basic:
    s = _sigmoid(z)
    return s * (1 - s)


def _tanh_prime(z: Basic) -> Basic:
    return 1 - sympy.tanh(z) ** 2


RELU = ActivationFunction("ReLU", _relu, _relu_prime, "relu")
SIGMOID = ActivationFunction("Sigmoid", _sigmoid, _sigmoid_prime, "sigmoid")
TANH = ActivationFunction("Tanh", sympy.tanh, _tanh_prime, "tanh")


def activation_function(f: object) -> ActivationFunction:
    """Any one-argument SymPy function (``sympy.sin``, a ``sympy.Lambda``) as an activation.

    Raises
    ------
    TypeError
        If ``f`` is text, not callable, or does not return a SymPy expression of
        one symbol.
    """
    if isinstance(f, (str, bytes)) or not callable(f):
        raise TypeError(
            f"`function` must be a one-argument SymPy function such as sympy.sin or a "
            f"sympy.Lambda, got {f!r} (text is never evaluated)"
        )
    t = sympy.Dummy("t", real=True)
    try:
        value = f(t)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"`function` must accept one SymPy argument, calling it failed: {exc}"
        ) from None
    if not isinstance(value, sympy.Expr) or value.free_symbols - {t}:
        raise TypeError(
            f"`function` must map one SymPy symbol to a SymPy expression of it, got {value!r}"
        )
    derivative = sympy.diff(value, t)
    name = getattr(f, "__name__", None) or type(f).__name__

    def forward(z: Basic) -> Basic:
        return value.xreplace({t: z})

    if derivative.has(sympy.Derivative):
        # f is an undefined function (sympy.Function("f")): f'(z) stays SymPy's
        # Subs(Derivative(f(t), t), t, z); xreplace would differentiate wrt the sum z.
        def prime(z: Basic) -> Basic:
            return sympy.Subs(derivative, t, z)
    else:
        def prime(z: Basic) -> Basic:
            return derivative.xreplace({t: z})

    return ActivationFunction(str(name), forward, prime, None)


class ActivationGradient(ParameterFreeGradient):
    """``dL/dz = f'(z) ⊙ g``: no weight, no bias (``output`` is ``g = dL/da``)."""

    derivation: ActivationDerivation

    @cached_property
    def _input(self) -> np.ndarray:
        f = self.derivation.function
        zs = self.derivation.input_values.reshape(-1)
        gs = self._g.reshape(-1)
        out = np.empty(zs.size, dtype=object)
        out[:] = [f.derivative(z) * g for z, g in zip(zs.tolist(), gs.tolist())]
        return out.reshape(self._g.shape)

    @property
    def input(self) -> sympy.Array:
        """``dL/dz[j] = f'(z[j]) g[j]``."""
        return as_array(self._input)


class ActivationDerivation(LayerDelegations):
    """An elementwise activation derived on one input ``z`` (any shape).

    Satisfies :class:`symconv.core._layer_protocol.LayerDerivation`: no weight,
    no bias, no matrix (not linear); :attr:`jacobian` is ``diag(f'(z))``.
    """

    kind = "activation"
    is_linear = False
    weight = None
    bias = None
    matrix = None

    def __init__(self, function: ActivationFunction, z: np.ndarray) -> None:
        self.function = function
        self.input_values = z
        self.in_shape = self.out_shape = tuple(z.shape)

    def __repr__(self) -> str:
        return f"<ActivationDerivation {self.function.name}: shape {self.in_shape}>"

    @property
    def input(self) -> sympy.Array:
        """The pre-activation ``z`` actually used."""
        return as_array(self.input_values)

    @cached_property
    def _output_values(self) -> np.ndarray:
        zs = self.input_values.reshape(-1).tolist()
        out = np.empty(len(zs), dtype=object)
        out[:] = [self.function.forward(z) for z in zs]
        return out.reshape(self.out_shape)

    @property
    def output(self) -> sympy.Array:
        """``f(z)`` elementwise."""
        return as_array(self._output_values)

    def arrays(self) -> dict[str, np.ndarray | None]:
        """The views as NumPy object arrays (no SymPy Array indexing): a fast read."""
        return {"input": self.input_values, "output": self._output_values, "weight": None,
                "bias": None}

    @property
    def jacobian(self) -> sympy.SparseMatrix:
        """``diag(f'(z))`` in C order (ReLU: 0 where ``z <= 0``)."""
        zs = self.input_values.reshape(-1).tolist()
        return sympy.SparseMatrix(len(zs), len(zs),
                                  {(j, j): self.function.derivative(z) for j, z in enumerate(zs)})

    def gradient(self, grad_output: Any = None) -> ActivationGradient:
        """The backward pass; symbols ``g_...`` unless ``grad_output`` is given."""
        return ActivationGradient(self, upstream(grad_output, self.out_shape))


def activation_derivation(
    function: ActivationFunction, in_shape: tuple[int, ...], x: object = None
) -> ActivationDerivation:
    """``f`` applied to an input of shape ``in_shape`` (symbols ``x_...`` unless given)."""
    z = symbols("x", in_shape) if x is None else shaped("x", x, in_shape)
    if function is RELU:
        require_real(z, "ReLU compares it with 0")
    return ActivationDerivation(function, z)


def require_real(values: np.ndarray, why: str) -> None:
    """Refuse non-real numbers in ``x`` (a comparison needs an order)."""
    for v in values.reshape(-1):
        if v.is_number and v.is_extended_real is False:
            raise TypeError(f"`x` must hold real numbers ({why}), got {v}")
