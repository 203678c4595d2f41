"""`Sequential`: a stack of layers derived layer by layer, exactly (core layer).

A network is the composition ``y = f_L(... f_2(f_1(x)))``.  ``Sequential.derive``
gives every parameter its own symbols (``w1_...``, ``b1_...`` for layer 1:
the layer's 1-based position), derives layer 1 on the input and each next
layer on the previous layer's *output* (the actual expressions or numbers), so
``nd.output`` is the whole network as explicit expressions and ``nd.layers``
holds one derivation per layer.  The same layer object used twice shares its
parameters (as the same module twice in ``torch.nn.Sequential``).

It knows the layers only through :mod:`symconv.core._layer_protocol`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy
from sympy.tensor.array.arrayop import Flatten as ArrayEntries

from ..boundary._spec import check_int
from ..boundary._values import symbols, to_array
from ._derivation import Derivation
from ._tapped import as_array

if TYPE_CHECKING:
    from ._network_structure import Composition, ReceptiveField


class FlattenGradient:
    """The backward pass of :class:`Flatten`: the upstream gradient reshaped to the input."""

    weight = None
    bias = None

    def __init__(self, g: np.ndarray, input_shape: tuple[int, ...]) -> None:
        self._g = g
        self._shape = input_shape

    @property
    def output(self) -> sympy.Array:
        """The upstream gradient ``dL/dy`` (1-D)."""
        return as_array(self._g)

    @property
    def input(self) -> sympy.Array:
        """``dL/dx``: ``dL/dy`` read back in the input's shape (C order)."""
        return as_array(self._g.reshape(self._shape))


class FlattenDerivation:
    """:class:`Flatten` on one input: ``vec(x)`` in C order; its matrix is the identity.

    Examples
    --------
    >>> import symconv as sc, sympy
    >>> d = sc.Flatten().derive(x=sympy.symarray("x", (2, 2)))
    >>> d.output
    [x_0_0, x_0_1, x_1_0, x_1_1]
    >>> d.gradient(grad_output=[1, 2, 3, 4]).input
    [[1, 2], [3, 4]]
    """

    is_linear = True
    weight = None
    bias = None

    def __init__(self, x: np.ndarray) -> None:
        self._x = x

    def __repr__(self) -> str:
        return f"<FlattenDerivation: input {self._x.shape} -> output ({self._x.size},)>"

    @property
    def input(self) -> sympy.Array:
        """The input actually used."""
        return as_array(self._x)

    @property
    def output(self) -> sympy.Array:
        """The input in C order, as one axis."""
        return as_array(self._x.reshape(-1))

    @property
    def matrix(self) -> sympy.SparseMatrix:
        """The identity: flattening moves no value."""
        return sympy.SparseMatrix(sympy.eye(self._x.size))

    def gradient(self, grad_output: Any = None) -> FlattenGradient:
        """The upstream gradient reshaped to the input (symbols ``g_...`` unless given)."""
        n = self._x.size
        if grad_output is None:
            g = symbols("g", (n,))
        else:
            g = _object(to_array("grad_output", grad_output))
            if g.shape != (n,):
                raise ValueError(f"`grad_output` must have shape ({n},), got shape {g.shape}")
        return FlattenGradient(g, self._x.shape)

    def verify(self) -> bool:
        """``output == matrix @ vec(input)``, exactly (``vec`` read index by index)."""
        flat = self._x.reshape(-1).tolist()
        product = self.matrix * sympy.Matrix(flat)
        return all(sympy.expand(a - b) == 0 for a, b in zip(self.output, product))

    def check(self, trials: int = 3, seed: int = 0) -> bool:
        """The output against ``numpy.ravel`` (C order) of the input."""
        return bool(list(self.output) == np.ravel(self._x, order="C").tolist())

    def to_latex(self, **options: Any) -> str:
        """``y = vec(x)`` (math mode)."""
        return r"y = \operatorname{vec}(x)"


class Flatten:
    """Flatten the input, channels first, in C order (``torch.nn.Flatten`` on a batch).

    With no batch dimension the whole input ``(C, *spatial)`` becomes one axis
    of ``C * prod(spatial)`` features, in the order ``torch.flatten`` and
    ``numpy.ravel`` use: what ``nn.Flatten()`` (``start_dim=1``) does to each
    sample of a batch.

    Examples
    --------
    >>> import symconv as sc
    >>> sc.Flatten().derive(input_size=(2, 3)).output.shape
    (6,)
    """

    def __repr__(self) -> str:
        return "Flatten()"

    def derive(self, input_size: object = None, *, x: object = None, weight: object = None,
               bias: object = None) -> FlattenDerivation:
        """Flatten ``x`` (symbols ``x_...`` of shape ``input_size`` when omitted)."""
        if weight is not None or bias is not None:
            raise ValueError("`weight`/`bias`: Flatten has no parameters, got a value")
        return FlattenDerivation(_input("x", x, input_size))


def _object(arr: np.ndarray) -> np.ndarray:
    out = np.empty(arr.shape, dtype=object)
    out.reshape(-1)[:] = [sympy.sympify(v) for v in arr.reshape(-1).tolist()]
    return out


def _shape(name: str, value: object) -> tuple[int, ...]:
    sizes = value if isinstance(value, (tuple, list)) else (value,)
    if not sizes:
        raise ValueError(f"`{name}` must not be empty, got {value!r}")
    return tuple(check_int(name, v, minimum=1) for v in sizes)


def _input(name: str, x: object, input_size: object) -> np.ndarray:
    """The input as an object array: ``x`` given, else symbols ``x_...`` of ``input_size``."""
    if x is None:
        if input_size is None:
            raise ValueError(f"`input_size` is required when `{name}` is not given")
        return symbols(name, _shape("input_size", input_size))
    arr = _object(to_array(name, x))
    if arr.ndim == 0 or 0 in arr.shape:
        raise ValueError(f"`{name}` must be a non-empty array, got shape {arr.shape}")
    if input_size is not None and _shape("input_size", input_size) != arr.shape:
        raise ValueError(f"`input_size` {input_size!r} disagrees with the shape of `{name}` "
                         f"{arr.shape}")
    return arr


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
        xa = _input("x", x, input_size)
        n = len(self.layers)
        ws = _per_layer("weights", weights, n)
        bs = _per_layer("biases", biases, n)
        shared: dict[int, Parameters] = {}
        derived: list[Any] = []
        current: np.ndarray = xa
        for pos, layer in enumerate(self.layers):
            try:
                ld = self._derive_one(pos, layer, current, ws[pos], bs[pos], shared)
            except (ValueError, TypeError) as exc:
                raise type(exc)(f"layer {pos + 1} ({layer!r}): {exc}") from None
            derived.append(ld)
            current = values(ld.output)
        return NetworkDerivation(self, xa, tuple(derived), tuple(shared.values()))

    def _derive_one(self, pos: int, layer: Any, x: np.ndarray, w: Any, b: Any,
                    shared: dict[int, Parameters]) -> Any:
        first = shared.get(id(layer))
        if first is not None:  # a repeated layer object: the same parameters again
            if w is not None or b is not None:
                raise ValueError("repeats an earlier layer; give its parameters there only")
            shared[id(layer)] = Parameters(layer, (*first.positions, pos), first.weight,
                                           first.bias)
            return layer.derive(x=x, weight=first.weight, bias=first.bias)
        probe = layer.derive(x=x)  # lazy: only the parameter shapes are read
        pw, pb = probe.weight, probe.bias
        if (pw is None and w is not None) or (pb is None and b is not None):
            raise ValueError(f"`weights`/`biases`: entry {pos + 1} given but the layer has "
                             "no such parameter")
        wa = None if pw is None else (symbols(f"w{pos + 1}", pw.shape) if w is None else w)
        ba = None if pb is None else (symbols(f"b{pos + 1}", pb.shape) if b is None else b)
        ld = layer.derive(x=x, weight=wa, bias=ba)
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


def entries(a: Any) -> list[Any]:
    """The entries of a SymPy Array in C order (``Flatten``: no per-index parsing)."""
    return list(ArrayEntries(a))


def values(a: Any) -> np.ndarray:
    """A SymPy Array as a NumPy object array of its entries, same shape."""
    out = np.empty(tuple(a.shape), dtype=object)
    out.reshape(-1)[:] = entries(a)
    return out


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
                 parameters: tuple[Parameters, ...]) -> None:
        self.network = network
        self._x = x
        self.layers = layers
        self.parameters = parameters

    def __repr__(self) -> str:
        names = " -> ".join(type(layer).__name__ for layer in self.network.layers)
        return (f"<NetworkDerivation {names}: input {self._x.shape} -> output "
                f"{tuple(self.output.shape)}>")

    @property
    def input(self) -> sympy.Array:
        """The input actually used (symbols ``x_...`` unless given)."""
        return as_array(self._x)

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
