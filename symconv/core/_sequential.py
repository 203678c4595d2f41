"""`Sequential`: a stack of layers derived layer by layer, exactly (core layer).

A network is the composition ``y = f_L(... f_2(f_1(x)))``.  ``Sequential.derive``
gives every parameter its own symbols (``w1_...``, ``b1_...`` for layer 1:
the layer's 1-based position), derives layer 1 on the input and each next
layer on the previous layer's *output* (the actual expressions or numbers), so
``nd.output`` is the whole network as explicit expressions and ``nd.layers``
holds one derivation per layer.  The same layer object used twice shares its
parameters (as the same module twice in ``torch.nn.Sequential``).

It knows the layers only through :mod:`symconv.core._layer_protocol`.

A float input with numeric parameters is carried between the layers as a
float64 array (:mod:`symconv.core._numeric_layers`, each layer's own tap table,
window table or function on NumPy): layer ``l + 1`` is derived on layer ``l``'s
output computed that way, and no SymPy arithmetic happens until a view is
read.  Each layer still computes its own exact ``output`` on request from its
input (for a float input the two agree to rounding, not necessarily bit for
bit).  Integer, rational and symbolic networks stay exact throughout.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy

from ..boundary._values import symbols, to_array
from ._derivation import Derivation
from ._flatten import Flatten, FlattenDerivation, entries, input_array, values
from ._numeric_layers import (
    float_input,
    layer_parameter,
    numeric_step,
    output_shape,
    sympy_floats,
)
from ._tapped import as_array

# Flatten and the array helpers live in _flatten; importers of this module still find them.
__all__ = ["Flatten", "FlattenDerivation", "NetworkDerivation", "Parameters", "Sequential",
           "entries", "is_linear", "values"]

if TYPE_CHECKING:
    from ._network_structure import Composition, ReceptiveField


def is_linear(ld: Any) -> bool:
    """Whether a layer derivation is affine in its input for every input."""
    flag = getattr(ld, "is_linear", None)
    return isinstance(ld, Derivation) if flag is None else bool(flag)


@dataclass(frozen=True)
class Parameters:
    """The parameters one layer object contributes (shared by all its positions)."""

    layer: Any
    positions: tuple[int, ...]
    weight: np.ndarray | None
    bias: np.ndarray | None


class Sequential:
    """Layers applied one after the other, as ``torch.nn.Sequential`` (no batch dimension).

    Parameters
    ----------
    *layers : layer objects
        Anything with ``derive(input_size=None, *, x=None, weight=None, bias=None)``
        (see :mod:`symconv.core._layer_protocol`): ``Conv*d``, ``ConvTranspose*d``,
        ``Linear``, activations, pooling, ``Flatten``...  Giving the same object
        twice ties its parameters.

    Raises
    ------
    TypeError
        If there is no layer, or an argument has no ``derive`` method.

    Examples
    --------
    >>> import symconv as sc
    >>> net = sc.Sequential(sc.Conv1d(1, 1, 2, bias=False), sc.Conv1d(1, 1, 2, bias=False))
    >>> nd = net.derive(input_size=(1, 3))
    >>> nd.output
    [[w2_0_0_0*(w1_0_0_0*x_0_0 + w1_0_0_1*x_0_1) + w2_0_0_1*(w1_0_0_0*x_0_1 + w1_0_0_1*x_0_2)]]
    >>> nd.matrix
    Matrix([[w1_0_0_0*w2_0_0_0, w1_0_0_0*w2_0_0_1 + w1_0_0_1*w2_0_0_0, w1_0_0_1*w2_0_0_1]])
    """

    def __init__(self, *layers: Any) -> None:
        if not layers:
            raise TypeError("`layers`: Sequential needs at least one layer, got none")
        for n, layer in enumerate(layers, 1):
            if not callable(getattr(layer, "derive", None)) or isinstance(layer, type):
                raise TypeError(
                    f"`layers`: layer {n} must be a layer object with a derive() method "
                    f"(e.g. symconv.Conv1d(...), symconv.ReLU()), got {layer!r}"
                )
        self.layers = tuple(layers)

    def __repr__(self) -> str:
        return f"Sequential({', '.join(repr(layer) for layer in self.layers)})"

    def __len__(self) -> int:
        return len(self.layers)

    def to_latex(self, input_size: object = None, **options: Any) -> str:
        """LaTeX of the network derived on symbols of ``input_size`` (see ``NetworkDerivation``)."""
        return str(self.derive(input_size).to_latex(**options))

    def latex_document(self, input_size: object = None, **options: Any) -> str:
        """A complete ``.tex`` document of the network derived on symbols of ``input_size``."""
        return str(self.derive(input_size).latex_document(**options))

    def derive(
        self,
        input_size: object = None,
        *,
        x: object = None,
        weights: Any = None,
        biases: Any = None,
    ) -> NetworkDerivation:
        """Derive the network on one input: symbols for whatever is not given.

        Parameters
        ----------
        input_size : int or tuple of int, optional
            The input shape without batch dimension, ``(C, *spatial)`` (or
            ``(features,)`` for a dense first layer).  Needed without ``x``.
        x : array_like, optional
            The input (numbers or SymPy expressions); symbols ``x_...`` when omitted.
        weights, biases : sequence, optional
            One entry per layer (``None`` keeps that layer's symbols ``w<l>_...``,
            ``b<l>_...``; parameter-free layers take ``None``).

        Returns
        -------
        NetworkDerivation

        Raises
        ------
        ValueError, TypeError
            A missing or bad input size, lists of the wrong length, and any
            layer's own error, prefixed with the layer's position and name.
        """
        xa = input_array("x", x, input_size)
        n = len(self.layers)
        ws = _per_layer("weights", weights, n)
        bs = _per_layer("biases", biases, n)
        shared: dict[int, Parameters] = {}
        derived: list[Any] = []
        current: np.ndarray = xa
        flt = float_input(x, xa)  # the input as float64 while the network stays numeric
        forward: list[np.ndarray] = []
        for pos, layer in enumerate(self.layers):
            try:
                ld = self._derive_one(pos, layer, current, ws[pos], bs[pos], shared)
            except (ValueError, TypeError) as exc:
                raise type(exc)(f"layer {pos + 1} ({layer!r}): {exc}") from None
            derived.append(ld)
            if flt is not None:
                forward.append(flt)
                p = shared[id(layer)]
                flt = numeric_step(ld, flt, p.weight, p.bias)
            if flt is None:
                current = values(ld.output)
            else:
                current = sympy_floats(flt, output_shape(ld))
        numeric = None if flt is None else tuple(forward)
        return NetworkDerivation(self, xa, tuple(derived), tuple(shared.values()), numeric)

    def _derive_one(self, pos: int, layer: Any, x: np.ndarray, w: Any, b: Any,
                    shared: dict[int, Parameters]) -> Any:
        first = shared.get(id(layer))
        if first is not None:  # a repeated layer object: the same parameters again
            if w is not None or b is not None:
                raise ValueError("repeats an earlier layer; give its parameters there only")
            shared[id(layer)] = Parameters(layer, (*first.positions, pos), first.weight,
                                           first.bias)
            return layer.derive(x=x, weight=first.weight, bias=first.bias)
        if w is not None and b is not None:  # everything given: no probe needed
            ld = layer.derive(x=x, weight=layer_parameter(w), bias=layer_parameter(b))
            shared[id(layer)] = Parameters(layer, (pos,), _given(w), _given(b))
            return ld
        probe = layer.derive(x=x)  # lazy: only the parameter shapes are read
        pw, pb = probe.weight, probe.bias
        if (pw is None and w is not None) or (pb is None and b is not None):
            raise ValueError(f"`weights`/`biases`: entry {pos + 1} given but the layer has "
                             "no such parameter")
        wa = None if pw is None else (symbols(f"w{pos + 1}", pw.shape) if w is None else w)
        ba = None if pb is None else (symbols(f"b{pos + 1}", pb.shape) if b is None else b)
        ld = layer.derive(x=x, weight=layer_parameter(wa), bias=layer_parameter(ba))
        shared[id(layer)] = Parameters(layer, (pos,), None if wa is None else _given(wa),
                                       None if ba is None else _given(ba))
        return ld


def _per_layer(name: str, value: Any, n: int) -> list[Any]:
    if value is None:
        return [None] * n
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise TypeError(f"`{name}` must be a list with one entry per layer, got "
                        f"{type(value).__name__}")
    if len(value) != n:
        raise ValueError(f"`{name}` must have one entry per layer ({n}), got {len(value)}")
    return list(value)


def _given(a: Any) -> np.ndarray:
    """A parameter as given or made here, as an array (numbers stay numeric)."""
    return a if isinstance(a, np.ndarray) else to_array("parameter", a)


class NetworkDerivation:
    """A :class:`Sequential` derived on one input: every layer, the output, the matrix.

    Made by :meth:`Sequential.derive` or :func:`symconv.from_torch`; not
    constructed directly.

    Attributes
    ----------
    network : Sequential
    layers : tuple
        One derivation per layer, layer ``l`` derived on layer ``l-1``'s output.
    parameters : tuple of Parameters
        Each distinct layer object's weight and bias (symbols ``w<l>_...`` unless
        given) and the positions that use them.

    Examples
    --------
    >>> import symconv as sc
    >>> net = sc.Sequential(sc.Conv1d(1, 1, 3, bias=False), sc.ReLU(), sc.MaxPool1d(2))
    >>> nd = net.derive(x=[[1, 2, 3, 4]], weights=[[[[5, 6, 7]]], None, None])
    >>> [layer.output for layer in nd.layers], nd.output
    ([[[38, 56]], [[38, 56]], [[56]]], [[56]])
    >>> nd.gradient(grad_output=[[1]]).input
    [[0, 5, 6, 7]]
    """

    def __init__(self, network: Sequential, x: np.ndarray, layers: tuple[Any, ...],
                 parameters: tuple[Parameters, ...],
                 numeric: tuple[np.ndarray, ...] | None = None) -> None:
        self.network = network
        self._x = x
        self.layers = layers
        self.parameters = parameters
        self._numeric = numeric

    @property
    def numeric_inputs(self) -> tuple[np.ndarray, ...] | None:
        """Each layer's input as flat float64 when the network was derived on floats, else None.

        Set when the input is floats and every parameter a number: the values the
        layers were derived on (each the float64 output of the layer before).
        """
        return self._numeric

    def __repr__(self) -> str:
        names = " -> ".join(type(layer).__name__ for layer in self.network.layers)
        return (f"<NetworkDerivation {names}: input {self._x.shape} -> output "
                f"{tuple(self.output.shape)}>")

    @property
    def input(self) -> sympy.Array:
        """The input actually used (symbols ``x_...`` unless given)."""
        return as_array(self._x)

    @property
    def input_values(self) -> np.ndarray:
        """The input actually used, as a NumPy object array (a copy)."""
        return self._x.copy()

    @property
    def output(self) -> sympy.Array:
        """The network's output: the last layer's output, as explicit expressions."""
        return self.layers[-1].output

    @property
    def is_linear(self) -> bool:
        """Whether every layer is affine in its input (the network then has a matrix)."""
        return all(is_linear(ld) for ld in self.layers)

    def _require_linear(self, view: str) -> None:
        for pos, ld in enumerate(self.layers):
            if not is_linear(ld):
                raise ValueError(
                    f"`{view}` exists only for a linear stack: layer {pos + 1} "
                    f"({self.network.layers[pos]!r}) is not linear in its input. Use "
                    "`gradient()` for the backward pass, or the layers' own matrices"
                )

    @cached_property
    def _composite(self) -> tuple[sympy.SparseMatrix, sympy.Matrix]:
        self._require_linear("matrix")
        T: sympy.SparseMatrix | None = None
        c: sympy.Matrix | None = None
        for ld in self.layers:
            m = sympy.SparseMatrix(ld.matrix)
            x = sympy.Matrix(entries(ld.input))
            y = sympy.Matrix(entries(ld.output))
            offset = (y - m * x).applyfunc(sympy.expand)  # the layer's bias, per output
            T = m if T is None else m * T
            c = offset if c is None else (m * c + offset)
        assert T is not None and c is not None
        return T.applyfunc(sympy.expand), c.applyfunc(sympy.expand)

    @property
    def matrix(self) -> sympy.SparseMatrix:
        """The composite matrix of a linear stack: ``vec(y) = T vec(x) + offset``.

        ``T = T_L ... T_2 T_1`` (entries expanded).

        Raises
        ------
        ValueError
            If a layer is not linear (ReLU, max pooling...), naming it.
        """
        return sympy.SparseMatrix(self._composite[0])

    @property
    def offset(self) -> sympy.Matrix:
        """The composite bias of a linear stack: ``c = T_L(... (T_2 b_1 + b_2) ...) + b_L``."""
        return sympy.Matrix(self._composite[1])

    def receptive_field(self) -> ReceptiveField:
        """Which inputs every output depends on (from the composed tap structure).

        See :class:`symconv.core._network_structure.ReceptiveField`.
        """
        from ._network_structure import receptive_field

        return receptive_field(self)

    def composition(self) -> Composition:
        """A stack of plain convolutions as one convolution (kernels composed).

        See :func:`symconv.core._network_structure.compose`.
        """
        from ._network_structure import compose

        return compose(self)

    # ------------------------------------------------- views of other modules

    def gradient(self, grad_output: Any = None) -> Any:
        """The backward pass through every layer (chain rule): a ``NetworkGradient``.

        Parameters
        ----------
        grad_output : array_like, optional
            ``dL/dy`` for the network's output; symbols ``g_...`` when omitted.
        """
        from ..backward._network_gradient import network_gradient

        return network_gradient(self, grad_output)

    def check(self, trials: int = 3, seed: int = 0) -> Any:
        """Forward and backward pass against torch autograd (NumPy without torch)."""
        from ..checks._network_checks import check_network

        return check_network(self, trials=trials, seed=seed)

    def verify(self) -> Any:
        """Every layer's exact identities, and the composite matrix of a linear stack."""
        from ..checks._network_checks import verify_network

        return verify_network(self)

    def to_latex(self, **options: Any) -> str:
        """Layer by layer, then the backward pass (math-mode LaTeX)."""
        from ..rendering._network_latex import network_latex

        return network_latex(self, **options)

    def latex_document(self, **options: Any) -> str:
        """A complete ``.tex`` document of the network."""
        from ..rendering._network_latex import network_document

        return network_document(self, **options)

    def to_html(self, **options: Any) -> str:
        """A self-contained HTML page, one section per layer: see :func:`symconv.to_html`."""
        from ..rendering._html import to_html

        return to_html(self, **options)

    def _repr_html_(self) -> str:
        from ..rendering._html import repr_html

        return repr_html(self)
