"""The dense reference ``Linear`` and any linear layer as dense-plus-constraints (core layer).

A dense layer computes ``y = W x + b`` with every ``W[o, i]`` a free parameter.
A convolution (or a locally connected, tiled or average-pooling layer) is the
same dense layer with *constraints* on ``W``, read off its tap table:

- a **tie** ``W[o, i] = w[k]`` for every entry some tap reaches (the same
  ``w[k]`` on many entries is a shared weight; with reflect/replicate/circular
  padding an entry can be a sum ``w[k1] + w[k2]``);
- a **structural zero** ``W[o, i] = 0`` for every entry no tap reaches.

Substituting the constraints into the free ``W`` gives the layer matrix ``T``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import sympy
from sympy import Basic

from ..boundary._values import symbols
from ._tapped import TapLayerDerivation, shaped

__all__ = ["DenseConstraints", "dense_constraints", "linear_derivation"]


@dataclass(frozen=True)
class LinearGeometry:
    """``Linear``'s sizes."""

    in_features: int
    out_features: int
    bias: bool


def linear_derivation(
    geometry: LinearGeometry,
    x: object = None,
    weight: object = None,
    bias: object = None,
) -> TapLayerDerivation:
    """``y = W x + b`` with torch's weight shape ``(out_features, in_features)``.

    Every pair ``(o, i)`` is a tap with its own weight ``W[o, i]`` (flat index
    ``o * in_features + i``): no ties, no structural zeros.
    """
    n_in, n_out = geometry.in_features, geometry.out_features
    xs = symbols("x", (n_in,)) if x is None else shaped("x", x, (n_in,))
    ws = symbols("w", (n_out, n_in)) if weight is None else shaped(
        "weight", weight, (n_out, n_in))
    bs = None
    if geometry.bias:
        bs = symbols("b", (n_out,)) if bias is None else shaped("bias", bias, (n_out,))
    o = np.repeat(np.arange(n_out), n_in)
    i = np.tile(np.arange(n_in), n_out)
    return TapLayerDerivation(
        "linear", geometry, o, i, o * n_in + i, (n_in,), (n_out,), xs, ws,
        (n_out, n_in), bs, None if bs is None else np.arange(n_out),
    )


@dataclass(frozen=True)
class DenseConstraints:
    """A linear layer as the dense layer ``W`` plus equations on its entries.

    Attributes
    ----------
    dense : sympy.Matrix
        The free dense matrix: ``W[o, i]`` is the symbol ``W_o_i``.
    ties : tuple of (int, int, sympy.Expr)
        ``(o, i, value)``: the equation ``W[o, i] = value`` (a weight, or a sum
        of weights under non-zero padding modes, or a fixed number).
    zeros : tuple of (int, int)
        The structural zeros ``W[o, i] = 0``.
    matrix : sympy.SparseMatrix
        The layer's own matrix ``T``.

    Examples
    --------
    >>> import symconv as sc
    >>> c = sc.dense_constraints(sc.correlate([1, 2, 3, 4], [5, 6, 7]))
    >>> c.free_parameters, len(c.ties), len(c.zeros), c.distinct_values
    (8, 6, 2, 3)
    >>> c.dense.subs(c.substitution) == c.matrix
    True
    """

    dense: sympy.Matrix
    ties: tuple[tuple[int, int, Basic], ...]
    zeros: tuple[tuple[int, int], ...]
    matrix: sympy.SparseMatrix

    @property
    def free_parameters(self) -> int:
        """Entries of the free dense ``W`` (its parameter count without bias)."""
        return int(self.dense.rows * self.dense.cols)

    @property
    def distinct_values(self) -> int:
        """Distinct values the tied entries take (the layer's effective weights)."""
        return len({v for _, _, v in self.ties})

    @cached_property
    def tie_groups(self) -> dict[Basic, tuple[tuple[int, int], ...]]:
        """For each value, the entries ``(o, i)`` tied to it (a shared weight's edges)."""
        groups: dict[Basic, list[tuple[int, int]]] = {}
        for o, i, v in self.ties:
            groups.setdefault(v, []).append((o, i))
        return {v: tuple(e) for v, e in groups.items()}

    @property
    def substitution(self) -> dict[Basic, Basic]:
        """``{W_o_i: value}`` for every constraint (ties and zeros)."""
        sub: dict[Basic, Basic] = {self.dense[o, i]: v for o, i, v in self.ties}
        sub.update({self.dense[o, i]: sympy.S.Zero for o, i in self.zeros})
        return sub

    @property
    def equations(self) -> list[sympy.Eq]:
        """Every constraint as ``sympy.Eq(W_o_i, value)``, ties first (row-major)."""
        eqs = [sympy.Eq(self.dense[o, i], v, evaluate=False) for o, i, v in self.ties]
        eqs += [sympy.Eq(self.dense[o, i], 0, evaluate=False) for o, i in self.zeros]
        return eqs

    def to_latex(self, **options: Any) -> str:
        """LaTeX of the constraints: see :func:`symconv.rendering._dense_latex.dense_latex`."""
        from ..rendering._dense_latex import dense_latex

        return dense_latex(self, **options)


def dense_constraints(d: Any) -> DenseConstraints:
    """The dense layer plus constraints behind a linear layer's matrix ``T``.

    Parameters
    ----------
    d : Derivation or a linear layer derivation
        Anything with a SymPy ``matrix`` (convolutions, ``Linear``, locally
        connected, tiled, average pooling).

    Returns
    -------
    DenseConstraints

    Raises
    ------
    TypeError
        If ``d`` has no layer matrix (an activation, or max pooling on a
        symbolic input).

    Notes
    -----
    ``W[o, i] = T[o, i]`` where ``T[o, i]`` holds a weight (a tie), and
    ``W[o, i] = 0`` where it is a structural zero; ``W`` with the equations
    substituted is ``T``.  The pattern is read from the matrix's stored
    entries: with numeric weights an entry whose weights are the number 0 is
    stored as no entry and so counted as a zero; derive with symbolic weights
    (the default) for the layer's structure.

    Examples
    --------
    >>> import symconv as sc
    >>> c = sc.dense_constraints(sc.Conv1d(1, 1, 2, bias=False).derive(input_size=3))
    >>> c.equations[:4]
    [Eq(W_0_0, w_0_0_0), Eq(W_0_1, w_0_0_1), Eq(W_1_1, w_0_0_0), Eq(W_1_2, w_0_0_1)]
    >>> c.equations[4:]
    [Eq(W_0_2, 0), Eq(W_1_0, 0)]
    """
    matrix = getattr(d, "matrix", None)
    if not isinstance(matrix, sympy.MatrixBase):
        raise TypeError(
            f"`d` must be a linear layer's derivation with a matrix, got {type(d).__name__}"
        )
    rows, cols = matrix.shape
    dense = sympy.Matrix(rows, cols, lambda o, i: sympy.Symbol(f"W_{o}_{i}"))
    stored = matrix.todok() if hasattr(matrix, "todok") else {
        (o, i): matrix[o, i] for o in range(rows) for i in range(cols) if matrix[o, i] != 0}
    ties = tuple(sorted(((o, i, v) for (o, i), v in stored.items()), key=lambda t: t[:2]))
    reached = {(o, i) for o, i, _ in ties}
    zeros = tuple((o, i) for o in range(rows) for i in range(cols) if (o, i) not in reached)
    return DenseConstraints(dense, ties, zeros, sympy.SparseMatrix(matrix))
