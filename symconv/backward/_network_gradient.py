"""The backward pass of a network: the chain rule through every layer (backward layer).

Starting from ``g_L = dL/dy`` (symbols ``g_...`` unless given), each layer,
last to first, turns the gradient of its output into the gradient of its
input: ``g_{l-1} = layers[l].gradient(grad_output=g_l).input`` (a transposed
convolution, ``f'(z) * g`` for an activation, routing to the arg-max for max
pooling...).  The same layer object used at several positions shares its
parameters, so its parameter gradient is the *sum* of the gradients at every
position (:attr:`NetworkGradient.parameters`), as autograd accumulates them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy

from ..boundary._values import symbols, to_array
from ..core._sequential import values
from ..core._tapped import as_array

if TYPE_CHECKING:
    from ..core._sequential import NetworkDerivation


@dataclass(frozen=True)
class ParameterGradient:
    """The gradient of one layer object's parameters, summed over its positions.

    Attributes
    ----------
    layer : layer object
    positions : tuple of int
        0-based positions of the layer in the stack (several when tied).
    weight, bias : sympy.Array or None
        ``dL/dw`` and ``dL/db``: the sum over ``positions`` of each position's gradient.
    """

    layer: Any
    positions: tuple[int, ...]
    weight: sympy.Array | None
    bias: sympy.Array | None


class NetworkGradient:
    """The backward pass of a :class:`~symconv.core._sequential.NetworkDerivation`.

    Attributes
    ----------
    derivation : NetworkDerivation
    layers : tuple
        One layer gradient per layer (``.output`` its upstream gradient,
        ``.input``, ``.weight``, ``.bias``), first layer first.
    parameters : tuple of ParameterGradient
        Per distinct layer object, its parameter gradients summed over the
        positions where it is used (tied weights).

    Examples
    --------
    >>> import symconv as sc
    >>> net = sc.Sequential(sc.Conv1d(1, 1, 2, bias=False), sc.Flatten())
    >>> gn = net.derive(x=[[1, 2, 3]], weights=[[[[5, 6]]], None]).gradient()
    >>> gn.output
    [g_0, g_1]
    >>> gn.input
    [[5*g_0, 6*g_0 + 5*g_1, 6*g_1]]
    >>> gn.layers[0].weight
    [[[g_0 + 2*g_1, 2*g_0 + 3*g_1]]]
    """

    def __init__(self, derivation: NetworkDerivation, layers: tuple[Any, ...],
                 g: np.ndarray) -> None:
        self.derivation = derivation
        self.layers = layers
        self._g = g

    def __repr__(self) -> str:
        return (f"<NetworkGradient of {self.derivation!r}: dL/dy {tuple(self.output.shape)} "
                f"-> dL/dx {tuple(self.input.shape)}>")

    @property
    def output(self) -> sympy.Array:
        """The upstream gradient ``dL/dy`` of the network's output."""
        return as_array(self._g)

    @property
    def input(self) -> sympy.Array:
        """``dL/dx``: the gradient of the network's input."""
        return self.layers[0].input

    @property
    def parameters(self) -> tuple[ParameterGradient, ...]:
        """Each distinct layer object's parameter gradients, summed over its positions."""
        out = []
        for p in self.derivation.parameters:
            grads = [self.layers[pos] for pos in p.positions]
            out.append(ParameterGradient(p.layer, p.positions,
                                         _summed([g.weight for g in grads]),
                                         _summed([g.bias for g in grads])))
        return tuple(out)


def _summed(arrays: list[Any]) -> sympy.Array | None:
    if arrays[0] is None:
        return None
    if len(arrays) == 1:
        return arrays[0]
    total = _values(arrays[0])
    for a in arrays[1:]:
        total = total + _values(a)
    return as_array(total)


def _values(a: Any) -> np.ndarray:
    return values(a)


def network_gradient(nd: NetworkDerivation, grad_output: Any = None) -> NetworkGradient:
    """The chain rule through ``nd``, last layer first (see :class:`NetworkGradient`)."""
    shape = tuple(nd.output.shape)
    if grad_output is None:
        g: Any = symbols("g", shape)
    else:
        g = to_array("grad_output", grad_output)
        if g.shape != shape:
            raise ValueError(f"`grad_output` must have the shape of the network's output "
                             f"{shape}, got shape {g.shape}")
    grads: list[Any] = []
    g_out = g
    for pos in range(len(nd.layers) - 1, -1, -1):
        ld = nd.layers[pos]
        try:
            gl = ld.gradient(grad_output=g)
        except (ValueError, TypeError) as exc:
            raise type(exc)(f"layer {pos + 1} ({nd.network.layers[pos]!r}): {exc}") from None
        grads.append(gl)
        g = _values(gl.input)
    return NetworkGradient(nd, tuple(reversed(grads)), g_out)
