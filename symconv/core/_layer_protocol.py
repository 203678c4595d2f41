"""The layer protocol: what every layer of a network and its derivation provide (core layer).

A network (``Sequential``) composes layers knowing only this interface.  A
convolution's :class:`~symconv.Derivation` satisfies it as it stands; the layer
family of issue 12 (``Linear``, activations, pooling, locally connected and
tiled layers) implements it in ``core/_dense.py``, ``_activations.py``,
``_pooling.py`` and ``_local.py``.

Shapes never carry a batch dimension: ``(C, *spatial)`` for convolution-like
layers, ``(features,)`` for ``Linear``; flattening is C order, so
``vec(y) = T vec(x) + vec(b)`` wherever a layer is linear.

Notes
-----
The contract, attribute by attribute:

``Layer.derive(input_size=None, *, x=None, weight=None, bias=None)``
    ``input_size`` is the input shape without the batch dimension (an int is
    allowed for one spatial axis or for ``Linear``'s features; layers with
    channels also accept the spatial size alone where the channel count is a
    constructor argument).  ``x``, ``weight``, ``bias`` are array-likes of
    numbers or SymPy expressions; omitted ones become symbols (``x_...``,
    ``w_...``, ``b_...``).  Layers without parameters refuse ``weight``/``bias``.
``LayerDerivation.input / output / weight / bias``
    ``sympy.Array`` (``weight``/``bias`` are ``None`` for parameter-free layers).
``LayerDerivation.matrix``
    ``sympy.SparseMatrix`` ``T`` with ``vec(output) = T vec(input) + vec(bias)``
    when the layer is linear in its input (``is_linear``); for max pooling with
    a numeric input, the selection matrix of that input; ``None`` otherwise.
``LayerDerivation.is_linear``
    Whether the output is affine in the input for *every* input (convolutions,
    ``Linear``, average pooling, locally connected, tiled: ``True``).
``LayerDerivation.gradient(grad_output=None)``
    A :class:`LayerGradient`: ``output`` is the upstream gradient ``dL/dy``
    (symbols ``g_...`` unless given), ``input`` is ``dL/dx``, ``weight``/``bias``
    are ``dL/dw``/``dL/db`` (``None`` without parameters).
``check(trials=3, seed=0)`` / ``verify()``
    Truthy reports: numeric comparison through ``sympy.lambdify`` against
    independent references, and exact symbolic identities.
``to_latex()``
    Math-mode LaTeX (``str``), deterministic.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import sympy

__all__ = ["Layer", "LayerDerivation", "LayerGradient"]


@runtime_checkable
class LayerGradient(Protocol):
    """The backward pass of one layer on one input."""

    @property
    def output(self) -> sympy.Array:
        """The upstream gradient ``dL/dy`` (shape of the layer's output)."""
        ...

    @property
    def input(self) -> sympy.Array:
        """``dL/dx`` (shape of the layer's input)."""
        ...

    @property
    def weight(self) -> sympy.Array | None:
        """``dL/dw`` (shape of the weight), ``None`` without a weight."""
        ...

    @property
    def bias(self) -> sympy.Array | None:
        """``dL/db`` (shape of the bias), ``None`` without a bias."""
        ...


@runtime_checkable
class LayerDerivation(Protocol):
    """One layer derived on one input: values, matrix, backward pass, checks."""

    @property
    def input(self) -> sympy.Array:
        """The input actually used."""
        ...

    @property
    def output(self) -> sympy.Array:
        """Every output, exactly (shape of the layer's output)."""
        ...

    @property
    def weight(self) -> sympy.Array | None:
        """The weight actually used, or ``None``."""
        ...

    @property
    def bias(self) -> sympy.Array | None:
        """The bias actually used, or ``None``."""
        ...

    @property
    def matrix(self) -> sympy.SparseMatrix | None:
        """``T`` with ``vec(y) = T vec(x) + vec(b)`` where it exists, else ``None``."""
        ...

    def gradient(self, grad_output: Any = None) -> LayerGradient:
        """The backward pass (symbolic upstream gradient unless ``grad_output`` is given)."""
        ...

    def check(self, trials: int = 3, seed: int = 0) -> Any:
        """Numeric check against independent references (truthy report)."""
        ...

    def verify(self) -> Any:
        """Exact symbolic identities (truthy report)."""
        ...

    def to_latex(self) -> str:
        """Math-mode LaTeX of the derivation."""
        ...


@runtime_checkable
class Layer(Protocol):
    """A layer: derived on one input (no batch dimension)."""

    def derive(
        self,
        input_size: Any = None,
        *,
        x: Any = None,
        weight: Any = None,
        bias: Any = None,
    ) -> LayerDerivation:
        """Derive the layer on one input (symbols for whatever is not given)."""
        ...
