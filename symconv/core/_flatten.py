"""`Flatten` and the network's array helpers: ``vec(x)`` in C order (core layer).

``Flatten`` is the one layer of a network with no arithmetic: ``y = vec(x)``,
its matrix the identity and its backward pass the upstream gradient read back
in the input's shape.  The helpers turn a network's inputs into object arrays
of SymPy values and read SymPy Arrays back as NumPy object arrays (C order),
for :mod:`symconv.core._sequential` and the modules above it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy
from sympy.tensor.array.arrayop import Flatten as ArrayEntries

from ..boundary._spec import check_int
from ..boundary._values import symbols, to_array
from ._tapped import as_array


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
        self.in_shape = tuple(x.shape)
        self.out_shape = (int(x.size),)

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
    def input_values(self) -> np.ndarray:
        """The input actually used, as a NumPy object array (a copy)."""
        return self._x.copy()

    def arrays(self) -> dict[str, np.ndarray | None]:
        """The views as NumPy object arrays (no SymPy Array indexing): a fast read."""
        return {"input": self._x, "output": self._x.reshape(-1), "weight": None, "bias": None}

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
            g = object_array(to_array("grad_output", grad_output))
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
        return FlattenDerivation(input_array("x", x, input_size))


def object_array(arr: np.ndarray) -> np.ndarray:
    out = np.empty(arr.shape, dtype=object)
    out.reshape(-1)[:] = [sympy.sympify(v) for v in arr.reshape(-1).tolist()]
    return out


def shape_of(name: str, value: object) -> tuple[int, ...]:
    sizes = value if isinstance(value, (tuple, list)) else (value,)
    if not sizes:
        raise ValueError(f"`{name}` must not be empty, got {value!r}")
    return tuple(check_int(name, v, minimum=1) for v in sizes)


def input_array(name: str, x: object, input_size: object) -> np.ndarray:
    """The input as an object array: ``x`` given, else symbols ``x_...`` of ``input_size``."""
    if x is None:
        if input_size is None:
            raise ValueError(f"`input_size` is required when `{name}` is not given")
        return symbols(name, shape_of("input_size", input_size))
    arr = object_array(to_array(name, x))
    if arr.ndim == 0 or 0 in arr.shape:
        raise ValueError(f"`{name}` must be a non-empty array, got shape {arr.shape}")
    if input_size is not None and shape_of("input_size", input_size) != arr.shape:
        raise ValueError(f"`input_size` {input_size!r} disagrees with the shape of `{name}` "
                         f"{arr.shape}")
    return arr


def entries(a: Any) -> list[Any]:
    """The entries of a SymPy Array in C order (``Flatten``: no per-index parsing)."""
    return list(ArrayEntries(a))


def values(a: Any) -> np.ndarray:
    """A SymPy Array as a NumPy object array of its entries, same shape."""
    out = np.empty(tuple(a.shape), dtype=object)
    out.reshape(-1)[:] = entries(a)
    return out
