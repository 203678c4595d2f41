"""An affine layer as a table of taps: the views the linear layers of the family share (core layer).

A tap ``(o, i, k)`` says "output ``o`` receives coefficient ``k`` times input
``i``", exactly as for a convolution (``core/_taps.py``); what differs between
the layers of the family is only *which* coefficient a tap reads:

======================  ==================================================
layer                   coefficient of tap ``(o, i)``
======================  ==================================================
``Linear``              its own weight ``W[o, i]`` (every pair is a tap)
locally connected       ``w[co, pos(o), ci, j]``: the convolution's taps,
                        weight untied per output position
tiled (``t`` tiles)     ``w[co, pos(o) mod t, ci, j]``
average pooling         a fixed number (``1/K``), not a parameter
======================  ==================================================

So the output ``y[o] = sum w[k] x[i] + b[beta(o)]``, the matrix
``T[o, i] = sum w[k]``, the patch matrix ``P[o, k] = x[i]`` and the backward
pass (``dL/dx[i] = sum w[k] g[o]``, ``dL/dw[k] = sum x[i] g[o]``,
``dL/db[j] = sum over beta(o) = j of g[o]``) are groupings of one table, written
once here.  No SymPy is touched until a symbolic view is asked for.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import numpy as np
import sympy
from sympy import Add, Basic

from ..boundary._values import symbols, sympify_array, to_array
from ._layer_delegations import LayerDelegations
from ._layer_stats import LayerStats
from ._symbolic import sums_of_pairs

__all__ = ["LayerStats", "TapLayerDerivation", "TapLayerGradient", "as_array", "shaped", "upstream"]


def shaped(name: str, value: object, shape: tuple[int, ...]) -> np.ndarray:
    """``value`` as an object array of SymPy values of exactly ``shape`` (else ValueError)."""
    arr = to_array(name, value)
    if arr.shape != tuple(shape):
        raise ValueError(f"`{name}` must have shape {tuple(shape)}, got shape {arr.shape}")
    return sympify_array(arr)


def upstream(grad_output: object, shape: tuple[int, ...]) -> np.ndarray:
    """The upstream gradient ``dL/dy``: symbols ``g_...`` when ``grad_output`` is None."""
    if grad_output is None:
        return symbols("g", shape)
    return shaped("grad_output", grad_output, shape)


def as_array(values: np.ndarray) -> sympy.Array:
    """An object array as an immutable SymPy Array of the same shape."""
    return sympy.ImmutableDenseNDimArray(values.reshape(-1).tolist(), values.shape)


class TapLayerGradient:
    """The backward pass of an affine layer: ``dL/dx``, ``dL/dw``, ``dL/db`` from ``g``.

    Attributes
    ----------
    output : sympy.Array
        The upstream gradient ``g = dL/dy``.
    input, weight, bias : sympy.Array or None
        ``dL/dx[i] = sum w[k] g[o]`` (``T^T g``), ``dL/dw[k] = sum x[i] g[o]``
        (a tied weight sums over every entry it occupies), ``dL/db[j] = sum g[o]``
        over the outputs that bias ``j`` feeds.
    """

    def __init__(self, d: TapLayerDerivation, g: np.ndarray) -> None:
        self.derivation = d
        self._g = g

    def arrays(self) -> dict[str, np.ndarray | None]:
        """The views as NumPy object arrays (no SymPy Array indexing): a fast read."""
        dx, dw, db = self._parts
        return {"output": self._g, "input": dx, "weight": dw, "bias": db}

    @property
    def output(self) -> sympy.Array:
        """The upstream gradient ``dL/dy``."""
        return as_array(self._g)

    @cached_property
    def _parts(self) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
        d = self.derivation
        gs = self._g.reshape(-1).tolist()
        xs = d.input_values.reshape(-1).tolist()
        ws = d.coefficients
        o, i, k = d.o.tolist(), d.i.tolist(), d.k.tolist()
        gx: list[list[tuple[Basic, Basic]]] = [[] for _ in range(d.n_in)]
        for oo, ii, kk in zip(o, i, k):
            gx[ii].append((ws[kk], gs[oo]))
        dx = np.empty(d.n_in, dtype=object)
        dx[:] = sums_of_pairs(gx)
        dw: np.ndarray | None = None
        if d.weight_shape is not None:
            gw: list[list[tuple[Basic, Basic]]] = [[] for _ in range(len(ws))]
            for oo, ii, kk in zip(o, i, k):
                gw[kk].append((xs[ii], gs[oo]))
            flat_w = np.empty(len(ws), dtype=object)
            flat_w[:] = sums_of_pairs(gw)
            dw = flat_w.reshape(d.weight_shape)
        db: np.ndarray | None = None
        if d.bias_values is not None and d.bias_index is not None:
            gb: list[list[Basic]] = [[] for _ in range(d.bias_values.size)]
            for oo, j in enumerate(d.bias_index.tolist()):
                gb[j].append(gs[oo])
            flat_b = np.empty(len(gb), dtype=object)
            flat_b[:] = [Add(*t) for t in gb]
            db = flat_b.reshape(d.bias_values.shape)
        return dx.reshape(d.in_shape), dw, db

    @property
    def input(self) -> sympy.Array:
        """``dL/dx = T^T g``, shaped like the input."""
        return as_array(self._parts[0])

    @property
    def weight(self) -> sympy.Array | None:
        """``dL/dw`` (tied weights sum their entries' gradients), or None."""
        dw = self._parts[1]
        return None if dw is None else as_array(dw)

    @property
    def bias(self) -> sympy.Array | None:
        """``dL/db``, or None without a bias."""
        db = self._parts[2]
        return None if db is None else as_array(db)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self.derivation!r}>"


class TapLayerDerivation(LayerDelegations):
    """An affine layer derived exactly from its taps: output, matrix, patches, gradient.

    Made by the layers' ``derive`` methods, not directly.  Satisfies
    :class:`symconv.core._layer_protocol.LayerDerivation`.

    Parameters
    ----------
    kind : str
        Which layer (``"linear"``, ``"local"``, ``"tiled"``, ``"avgpool"``).
    geometry : object
        The layer's resolved geometry (read by checks and rendering).
    o, i, k : numpy.ndarray
        The taps, sorted by output.
    in_shape, out_shape : tuple of int
    x : numpy.ndarray
        Object array of the input values, shape ``in_shape``.
    coefficients : numpy.ndarray
        Object array: the weight (shape ``weight_shape``) for a layer with
        parameters, or one fixed coefficient per ``k`` otherwise.
    weight_shape : tuple of int or None
        None when the coefficients are fixed numbers, not parameters.
    bias : numpy.ndarray or None
        Object array of the bias values.
    bias_index : numpy.ndarray or None
        Flat bias index of every flat output.
    """

    is_linear = True

    def __init__(
        self,
        kind: str,
        geometry: Any,
        o: np.ndarray,
        i: np.ndarray,
        k: np.ndarray,
        in_shape: tuple[int, ...],
        out_shape: tuple[int, ...],
        x: np.ndarray,
        coefficients: np.ndarray,
        weight_shape: tuple[int, ...] | None,
        bias: np.ndarray | None,
        bias_index: np.ndarray | None,
    ) -> None:
        self.kind = kind
        self.geometry = geometry
        self.o, self.i, self.k = (np.asarray(a, dtype=np.int64) for a in (o, i, k))
        self.in_shape, self.out_shape = tuple(in_shape), tuple(out_shape)
        self.input_values = x
        self.coefficient_values = coefficients
        self.weight_shape = weight_shape
        self.bias_values = bias
        self.bias_index = bias_index

    def __repr__(self) -> str:
        return (f"<{type(self).__name__} {self.kind}: input {self.in_shape} -> output "
                f"{self.out_shape}, {self.o.size:,} products>")

    # ------------------------------------------------------------ sizes

    @property
    def n_in(self) -> int:
        """Number of inputs (columns of T)."""
        return int(np.prod(self.in_shape))

    @property
    def n_out(self) -> int:
        """Number of outputs (rows of T)."""
        return int(np.prod(self.out_shape))

    @cached_property
    def coefficients(self) -> list[Basic]:
        """The flat coefficient list the taps' ``k`` index."""
        return list(self.coefficient_values.reshape(-1).tolist())

    # ------------------------------------------------------------ values

    @property
    def input(self) -> sympy.Array:
        """The input actually used (symbols ``x_...`` unless given)."""
        return as_array(self.input_values)

    @property
    def weight(self) -> sympy.Array | None:
        """The weight actually used, or None for fixed coefficients (pooling)."""
        if self.weight_shape is None:
            return None
        return as_array(self.coefficient_values.reshape(self.weight_shape))

    @property
    def bias(self) -> sympy.Array | None:
        """The bias actually used, or None."""
        return None if self.bias_values is None else as_array(self.bias_values)

    @cached_property
    def _output_values(self) -> np.ndarray:
        xs = self.input_values.reshape(-1).tolist()
        ws = self.coefficients
        terms: list[list[tuple[Basic, Basic]]] = [[] for _ in range(self.n_out)]
        for oo, ii, kk in zip(self.o.tolist(), self.i.tolist(), self.k.tolist()):
            terms[oo].append((ws[kk], xs[ii]))
        extra = None
        if self.bias_values is not None and self.bias_index is not None:
            bs = self.bias_values.reshape(-1).tolist()
            extra = [bs[j] for j in self.bias_index.tolist()]
        out = np.empty(self.n_out, dtype=object)
        out[:] = sums_of_pairs(terms, extra)
        return out.reshape(self.out_shape)

    @property
    def output(self) -> sympy.Array:
        """Every output as an explicit sum of products (plus its bias)."""
        return as_array(self._output_values)

    def arrays(self) -> dict[str, np.ndarray | None]:
        """The views as NumPy object arrays (no SymPy Array indexing): a fast read."""
        w = None if self.weight_shape is None else self.coefficient_values.reshape(
            self.weight_shape)
        return {"input": self.input_values, "output": self._output_values, "weight": w,
                "bias": self.bias_values}

    def terms(self, *index: int) -> list[tuple[Basic, Basic]]:
        """The ``(coefficient, input)`` products of output ``index`` (bias excluded)."""
        flat = int(np.ravel_multi_index(tuple(int(v) for v in index), self.out_shape))
        xs, ws = self.input_values.reshape(-1), self.coefficients
        sel = np.nonzero(self.o == flat)[0]
        return [(ws[int(self.k[t])], xs[int(self.i[t])]) for t in sel]

    # ------------------------------------------------------------ matrices

    @cached_property
    def _matrix_entries(self) -> dict[tuple[int, int], Basic]:
        ws = self.coefficients
        entries: dict[tuple[int, int], list[Basic]] = {}
        for oo, ii, kk in zip(self.o.tolist(), self.i.tolist(), self.k.tolist()):
            entries.setdefault((oo, ii), []).append(ws[kk])
        return {key: Add(*v) for key, v in entries.items()}

    def matrix_entries(self) -> dict[tuple[int, int], Basic]:
        """The stored entries of T, ``{(o, i): value}`` (a copy; no SparseMatrix built)."""
        return dict(self._matrix_entries)

    @cached_property
    def _matrix(self) -> sympy.SparseMatrix:
        return sympy.SparseMatrix(self.n_out, self.n_in, self._matrix_entries)

    @property
    def matrix(self) -> sympy.SparseMatrix:
        """The layer matrix T (sparse): ``vec(output) = T vec(input) + bias``.

        Each access returns a fresh copy (built once, then cached).
        """
        return self._matrix.copy()

    @property
    def patches(self) -> sympy.SparseMatrix | None:
        """``P`` with ``vec(output) = P vec(weight) + bias``; None without parameters."""
        if self.weight_shape is None:
            return None
        xs = self.input_values.reshape(-1).tolist()
        entries: dict[tuple[int, int], list[Basic]] = {}
        for oo, ii, kk in zip(self.o.tolist(), self.i.tolist(), self.k.tolist()):
            entries.setdefault((oo, kk), []).append(xs[ii])
        n_w = int(np.prod(self.weight_shape))
        return sympy.SparseMatrix(self.n_out, n_w, {key: Add(*v) for key, v in entries.items()})

    def to_numpy(self) -> np.ndarray:
        """Numeric T as a dense float64 NumPy array (coefficients must be numbers)."""
        ws = self.coefficients
        out = np.zeros((self.n_out, self.n_in))
        for oo, ii, kk in zip(self.o.tolist(), self.i.tolist(), self.k.tolist()):
            out[oo, ii] += float(ws[kk])
        return out

    # ------------------------------------------------------------ structure

    def stats(self) -> LayerStats:
        """Structural facts from the tap table alone (no SymPy).

        Examples
        --------
        >>> import symconv as sc
        >>> st = sc.LocallyConnected1d(1, 1, 3).derive(input_size=(1, 5)).stats()
        >>> st.products, st.structural_zeros, st.parameters, st.tied_weights
        (9, 6, 12, 0)
        """
        pairs = np.unique(self.o * self.n_in + self.i).size
        ties = None
        n_param = 0
        if self.weight_shape is not None:
            n_w = int(np.prod(self.weight_shape))
            ties = np.bincount(self.k, minlength=n_w).reshape(self.weight_shape)
            n_param += n_w
        if self.bias_values is not None:
            n_param += int(self.bias_values.size)
        has_bias = self.bias_values is not None
        return LayerStats(
            products=int(self.o.size),
            matrix_shape=(self.n_out, self.n_in),
            nonzeros=int(pairs),
            structural_zeros=self.n_out * self.n_in - int(pairs),
            tie_counts=ties,
            parameters=n_param,
            dense_parameters=self.n_out * self.n_in + (self.n_out if has_bias else 0),
        )

    # ------------------------------------------------------------ backward

    def gradient(self, grad_output: Any = None) -> TapLayerGradient:
        """The backward pass; symbols ``g_...`` for ``dL/dy`` unless ``grad_output`` is given.

        Raises
        ------
        ValueError, TypeError
            ``grad_output`` of the wrong shape, or text.
        """
        return TapLayerGradient(self, upstream(grad_output, self.out_shape))
