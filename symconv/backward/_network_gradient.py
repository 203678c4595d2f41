"""The backward pass of a network: the chain rule through every layer (backward layer).

Starting from ``g_L = dL/dy`` (symbols ``g_...`` unless given), each layer,
last to first, turns the gradient of its output into the gradient of its
input: ``g_{l-1} = layers[l].gradient(grad_output=g_l).input`` (a transposed
convolution, ``f'(z) * g`` for an activation, routing to the arg-max for max
pooling...).  The same layer object used at several positions shares its
parameters, so its parameter gradient is the *sum* of the gradients at every
position (:attr:`NetworkGradient.parameters`), as autograd accumulates them.

A network derived on floats (``NetworkDerivation.numeric_inputs``) with a
numeric ``grad_output`` runs the same chain rule on float64 arrays, over each
layer's own tables (:mod:`symconv.backward._numeric_backward`); its layer
gradients (:class:`NumericLayerGradient`) become SymPy numbers only when read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy

from ..boundary._values import symbols, to_array
from ..core._numeric_layers import sympy_floats
from ..core._sequential import values
from ..core._tapped import as_array
from ._numeric_backward import numeric_backward

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
    if g.dtype.kind in "fiu" and nd.numeric_inputs is not None:
        numeric = _numeric_gradient(nd, g)
        if numeric is not None:
            return numeric
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


def _floats_array(flat: np.ndarray, shape: tuple[int, ...]) -> sympy.Array:
    return as_array(sympy_floats(flat, shape))


class NumericLayerGradient:
    """One layer's backward pass computed on float64 arrays (a network derived on floats).

    ``output``, ``input``, ``weight`` and ``bias`` are the protocol's views
    (SymPy Floats, made when read); any other attribute is the layer's own
    gradient object (``derivation.gradient(grad_output=...)``), built on first use.
    """

    def __init__(self, derivation: Any, g: np.ndarray, grads: tuple[Any, Any, Any],
                 shapes: tuple[Any, Any, Any]) -> None:
        self.derivation = derivation
        self._g = g
        self._grads = grads
        self._shapes = shapes
        self._own: Any = None

    def __repr__(self) -> str:
        return f"<NumericLayerGradient of {self.derivation!r}>"

    @property
    def output(self) -> sympy.Array:
        """The upstream gradient ``dL/dy``."""
        return _floats_array(self._g.reshape(-1), self._g.shape)

    @property
    def input(self) -> sympy.Array:
        """``dL/dx``, shaped like the layer's input."""
        return _floats_array(self._grads[0], self._shapes[0])

    @property
    def weight(self) -> sympy.Array | None:
        """``dL/dw`` (tied weights sum their entries' gradients), or None."""
        dw = self._grads[1]
        return None if dw is None else _floats_array(dw, self._shapes[1])

    @property
    def bias(self) -> sympy.Array | None:
        """``dL/db``, or None without a bias."""
        db = self._grads[2]
        return None if db is None else _floats_array(db, self._shapes[2])

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in ("derivation", "_g", "_grads", "_shapes", "_own"):
            raise AttributeError(name)
        if self._own is None:
            self._own = self.derivation.gradient(grad_output=self._g)
        return getattr(self._own, name)


def _numeric_gradient(nd: NetworkDerivation, g: np.ndarray) -> NetworkGradient | None:
    """The chain rule on float64 (a network derived on floats); None if a layer has no table."""
    inputs = nd.numeric_inputs
    assert inputs is not None
    at = {pos: p for p in nd.parameters for pos in p.positions}
    grads: list[Any] = []
    d = np.asarray(g, dtype=np.float64).reshape(-1)
    for pos in range(len(nd.layers) - 1, -1, -1):
        ld, p = nd.layers[pos], at.get(pos)
        w = None if p is None or p.weight is None else p.weight
        if w is not None and w.dtype.kind not in "fiu":
            return None
        got = numeric_backward(ld, inputs[pos][:, None],
                               None if w is None else w.astype(np.float64).reshape(-1, 1),
                               d[:, None])
        if got is None:
            return None
        dx, dw, db = (None if a is None else a[:, 0] for a in got)
        shapes = (_input_shape(ld, inputs[pos]), None if w is None else w.shape,
                  None if p is None or p.bias is None else p.bias.shape)
        upstream = d.reshape(_upstream_shape(nd, pos, g))
        grads.append(NumericLayerGradient(ld, upstream, (dx, dw, db), shapes))
        assert dx is not None
        d = dx
    return NetworkGradient(nd, tuple(reversed(grads)), g)


def _input_shape(ld: Any, flat: np.ndarray) -> tuple[int, ...]:
    spec = getattr(ld, "spec", None)
    shape = spec.input_shape if spec is not None else getattr(ld, "in_shape", None)
    if shape is None:
        shape = tuple(ld.input.shape)
    assert int(np.prod(shape)) == flat.size
    return tuple(shape)


def _upstream_shape(nd: NetworkDerivation, pos: int, g: np.ndarray) -> tuple[int, ...]:
    if pos == len(nd.layers) - 1:
        return tuple(g.shape)
    return _input_shape(nd.layers[pos + 1], nd.numeric_inputs[pos + 1])  # type: ignore[index]
