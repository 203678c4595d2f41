"""The backward pass: every gradient a grouping of the same tap table.

Layer: backward. Over 400 lines: the Gradient view with its numpydoc examples; its
proofs and checks live in :mod:`symconv.checks._gradient_verify`.

For the taps ``(o, i, k)`` of ``y = T x + b`` and an upstream gradient ``g``:

* ``dL/dx[i] = sum of w[k] g[o]`` over the taps of input ``i`` (the taps with
  ``o`` and ``i`` swapped: ``T^T g``, a transposed convolution);
* ``dL/dw[k] = sum of g[o] x[i]`` over the taps of weight ``k``: a tied weight
  collects the entries ``G[o, i] = g[o] x[i]`` of the dense layer's gradient
  ``G = g x^T`` at every position of T it occupies; structural zeros of T
  receive nothing (their gradient is discarded, they stay zero);
* ``dL/db[c] = sum of g`` over output channel ``c``.

The proofs (:meth:`Gradient.verify`) read the SymPy objects back and compare
monomial coefficients; :meth:`Gradient.check` compares lambdified numbers with
PyTorch's autograd and an independent NumPy Jacobian.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy
from sympy import Add, Basic

from ..boundary._limits import GRADIENT_DENSE_LIMIT as DENSE_LIMIT
from ..boundary._limits import MASK_LIMIT
from ..boundary._spec import check_trials_seed
from ..boundary._values import symbols, sympify_array, to_array
from ..core._derivation import Derivation, sum_array
from ..core._derivation import to_sympy_array as _array
from ..core._symbolic import sparse, sums_of_products, to_matrix

if TYPE_CHECKING:
    from ..checks._numeric import CheckReport
    from ..checks._verify import Verification

# Gradient.dense refuses more than DENSE_LIMIT entries, structural_zeros more than
# MASK_LIMIT (reasons: boundary._limits).


@dataclass(frozen=True, eq=False)
class TieGroup:
    """The entries of the dense gradient ``G`` that one (tied) weight collects.

    Attributes
    ----------
    index : tuple of int
        The weight's index (PyTorch's weight shape for layers).
    weight : sympy.Expr
        The weight itself (``w_...`` unless given).
    rows, cols : numpy.ndarray
        Positions ``(o, i)`` of T that hold this weight; ``dL/dw[index]`` is the
        sum of ``G[rows, cols]``.  With reflect, replicate or circular padding
        one entry of T can hold several weights, so a position can then belong
        to several groups.

    Examples
    --------
    >>> import symconv as sc, sympy
    >>> d = sc.correlate(sympy.symarray("x", 4), sympy.symarray("w", 3))
    >>> grp = d.gradient().tie_groups()[1]
    >>> grp.index, grp.weight, grp.rows.tolist(), grp.cols.tolist()
    ((1,), w_1, [0, 1], [1, 2])
    """

    index: tuple[int, ...]
    weight: Basic
    rows: np.ndarray
    cols: np.ndarray

    @property
    def count(self) -> int:
        """How many entries of T this weight occupies (its tie count)."""
        return int(self.rows.size)


class Gradient:
    """The backward pass of a :class:`~symconv.Derivation`, exactly.

    Made by :meth:`Derivation.gradient`; not constructed directly.

    Attributes
    ----------
    derivation : Derivation
        The forward pass.
    output : sympy.Array
        The upstream gradient ``g = dL/dy`` (symbols ``g_...`` unless given),
        shape ``derivation.spec.output_shape``.
    input, weight : sympy.Array
        ``dL/dx`` and ``dL/dw``: exact sums of products, shaped like the
        derivation's input and weight.
    bias : sympy.Array or None
        ``dL/db`` (the sum of ``g`` over each output channel), None without bias.

    Notes
    -----
    ``dL/dx = T^T g`` (a transposed convolution of ``g``), ``dL/dw[k]`` sums the
    dense gradient ``G = g x^T`` over the entries of T holding ``w[k]``
    (:meth:`tie_groups`), and the structural zeros of T
    (:attr:`structural_zeros`) receive nothing.

    Examples
    --------
    >>> import symconv as sc, sympy
    >>> d = sc.correlate(sympy.symarray("x", 4), sympy.symarray("w", 3), mode="valid")
    >>> g = d.gradient()
    >>> g.output
    [g_0, g_1]
    >>> g.weight
    [g_0*x_0 + g_1*x_1, g_0*x_1 + g_1*x_2, g_0*x_2 + g_1*x_3]
    >>> g.input
    [g_0*w_0, g_0*w_1 + g_1*w_0, g_0*w_2 + g_1*w_1, g_1*w_2]
    >>> sc.correlate([1, 2, 3, 4], [5, 6, 7]).gradient(grad_output=[1, -1]).weight
    [-1, -1, -1]
    """

    def __init__(self, derivation: Derivation, g: np.ndarray) -> None:
        self.derivation = derivation
        self._g = g

    def __repr__(self) -> str:
        s = self.derivation.spec
        return (
            f"<Gradient of {self.derivation!r}: dL/dy {s.output_shape} -> "
            f"dL/dx {s.input_shape}, dL/dw {s.weight_shape}>"
        )

    def _repr_latex_(self) -> str:
        from ..rendering._latex import repr_latex

        return repr_latex(self)

    def to_html(self, **options: Any) -> str:
        """A self-contained interactive HTML page with the gradient grouping: see
        :func:`symconv.to_html`."""
        from ..rendering._html import to_html

        return to_html(self, **options)

    def _repr_html_(self) -> str:
        from ..rendering._html import repr_html

        return repr_html(self)

    # ------------------------------------------------------------- values

    @property
    def output(self) -> sympy.Array:
        """The upstream gradient ``g`` (shape of the forward output)."""
        return _array(self._g)

    @cached_property
    def _g_flat(self) -> list[Basic]:
        return self._g.reshape(-1).tolist()

    @cached_property
    def _input_flat(self) -> list[Basic]:
        """``dL/dx[i] = sum of w[k] g[o]`` over the taps of input ``i``."""
        d = self.derivation
        t = d.taps
        return self._grouped(t.i, t.n_in, d.weight_values, t.k, self._g, t.o)

    @cached_property
    def _weight_flat(self) -> list[Basic]:
        """``dL/dw[k] = sum of g[o] x[i]`` over the taps of weight ``k`` (its tie group)."""
        d = self.derivation
        t = d.taps
        return self._grouped(t.k, t.n_weight, self._g, t.o, d.input_values, t.i)

    def _grouped(self, key: np.ndarray, n: int, a: np.ndarray, a_idx: np.ndarray,
                 b: np.ndarray, b_idx: np.ndarray) -> list[Basic]:
        """For each value of ``key``: the sum of ``a[a_idx] * b[b_idx]`` over its taps."""
        self.derivation.guard_symbolic("gradient")
        order = np.argsort(key, kind="stable")
        starts = np.searchsorted(key[order], np.arange(n + 1), side="left")
        return sums_of_products(b.reshape(-1).tolist(), a.reshape(-1).tolist(), None,
                                 b_idx[order].tolist(), a_idx[order].tolist(), starts.tolist())

    @cached_property
    def _bias_flat(self) -> list[Basic] | None:
        if self.derivation.flat_bias is None:
            return None
        return [Add(*row) for row in self._g.reshape(self._g.shape[0], -1).tolist()]

    @property
    def input(self) -> sympy.Array:
        """``dL/dx = T^T g``: for each input, the sum of ``w[k] g[o]`` over its taps."""
        shape = self.derivation.spec.input_shape
        return sum_array(np.array(self._input_flat, dtype=object).reshape(shape))

    @property
    def weight(self) -> sympy.Array:
        """``dL/dw``: for each weight, the sum of ``g[o] x[i]`` over its taps."""
        shape = self.derivation.spec.weight_shape
        return sum_array(np.array(self._weight_flat, dtype=object).reshape(shape))

    @property
    def bias(self) -> sympy.Array | None:
        """``dL/db``: the sum of ``g`` over each output channel; None without bias."""
        b = self._bias_flat
        return None if b is None else sum_array(np.array(b, dtype=object))

    # ------------------------------------------ read interface for the package
    # Flat (C order) views for the other layers, which never read the private caches.
    # Cached lists: do not modify.

    @property
    def output_values(self) -> np.ndarray:
        """The upstream gradient ``g`` as a read-only NumPy object array (output shape)."""
        view = self._g.view()
        view.setflags(write=False)
        return view

    @property
    def flat_output(self) -> list[Basic]:
        """The upstream gradient ``g`` in C order."""
        return self._g_flat

    @property
    def flat_input(self) -> list[Basic]:
        """``dL/dx`` in C order.

        Examples
        --------
        >>> import symconv as sc
        >>> sc.correlate([1, 2, 3], [5, 6]).gradient().flat_input
        [5*g_0, 6*g_0 + 5*g_1, 6*g_1]
        """
        return self._input_flat

    @property
    def flat_weight(self) -> list[Basic]:
        """``dL/dw`` in C order."""
        return self._weight_flat

    @property
    def flat_bias(self) -> list[Basic] | None:
        """``dL/db`` (one per output channel), or None without bias."""
        return self._bias_flat

    # --------------------------------------------------- the tied-weight story

    @property
    def dense(self) -> sympy.SparseMatrix:
        """The dense layer's weight gradient ``G = g x^T``: ``G[o, i] = g[o] x[i]`` everywhere.

        A fully connected layer would learn every entry of T; the convolution
        keeps only the sums over :meth:`tie_groups` and discards the entries at
        :attr:`structural_zeros`.  Each access returns a fresh copy.

        Raises
        ------
        ValueError
            When ``G`` would have more than 250,000 entries.

        Examples
        --------
        >>> import symconv as sc, sympy
        >>> d = sc.correlate(sympy.symarray("x", 3), sympy.symarray("w", 2))
        >>> d.gradient().dense
        Matrix([
        [g_0*x_0, g_0*x_1, g_0*x_2],
        [g_1*x_0, g_1*x_1, g_1*x_2]])
        """
        return to_matrix(self._dense_rep)

    @cached_property
    def _dense_rep(self) -> Any:
        t = self.derivation.taps
        n = t.n_out * t.n_in
        if n > DENSE_LIMIT:
            raise ValueError(
                f"the dense gradient G = g x^T would have {n:,} entries ({t.n_out:,} x "
                f"{t.n_in:,}; limit {DENSE_LIMIT:,}): use tie_groups() and "
                "structural_zeros, which describe the same story without the dense matrix"
            )
        xs = self.derivation.flat_input
        rows = np.repeat(np.arange(t.n_out), t.n_in).tolist()
        cols = np.tile(np.arange(t.n_in), t.n_out).tolist()
        values = [g * x for g in self._g_flat for x in xs]
        return sparse(rows, cols, values, (t.n_out, t.n_in))

    @cached_property
    def structural_zeros(self) -> np.ndarray:
        """Boolean mask ``(n_out, n_in)``: True where T has no weight (gradient discarded).

        Raises
        ------
        ValueError
            When the mask would have more than 500,000,000 entries.

        Examples
        --------
        >>> import symconv as sc
        >>> sc.correlate([1, 2, 3, 4], [5, 6, 7]).gradient().structural_zeros.astype(int)
        array([[0, 0, 0, 1],
               [1, 0, 0, 0]])
        """
        t = self.derivation.taps
        n = t.n_out * t.n_in
        if n > MASK_LIMIT:
            raise ValueError(
                f"the structural-zero mask would have {n:,} entries ({t.n_out:,} x "
                f"{t.n_in:,}; limit {MASK_LIMIT:,}): use tie_groups() (the positions that "
                "are not structural zeros) or stats()"
            )
        mask = np.ones((t.n_out, t.n_in), dtype=bool)
        mask[t.o, t.i] = False
        mask.setflags(write=False)
        return mask

    def tie_groups(self) -> list[TieGroup]:
        """For each weight (flat C order), the entries of ``G`` summed into its gradient.

        Returns
        -------
        list of TieGroup
            ``sum(G[r, c] for r, c in zip(grp.rows, grp.cols)) == g.weight[grp.index]``.

        Examples
        --------
        >>> import symconv as sc, sympy
        >>> d = sc.correlate(sympy.symarray("x", 4), sympy.symarray("w", 3))
        >>> [(grp.weight, grp.count) for grp in d.gradient().tie_groups()]
        [(w_0, 2), (w_1, 2), (w_2, 2)]
        """
        t = self.derivation.taps
        order = np.argsort(t.k, kind="stable")
        starts = np.searchsorted(t.k[order], np.arange(t.n_weight + 1), side="left")
        rows, cols = t.o[order].astype(np.int64), t.i[order].astype(np.int64)
        ws = self.derivation.flat_weight
        shape = self.derivation.spec.weight_shape
        groups = []
        for k, index in enumerate(np.ndindex(*shape)):
            r, c = rows[starts[k] : starts[k + 1]], cols[starts[k] : starts[k + 1]]
            r.setflags(write=False)
            c.setflags(write=False)
            groups.append(TieGroup(tuple(index), ws[k], r, c))
        return groups

    # ------------------------------------------------------ proofs, checks

    def verify(self) -> Verification:
        """Prove the backward pass exactly, by structure.

        Read back from the SymPy objects and compared monomial by monomial:

        1. ``dL/dx = T^T g`` (with T from :attr:`Derivation.matrix`);
        2. ``dL/dx`` is the transposed convolution of ``g``: the matching
           ``ConvTranspose`` layer (same weight) for a ``Conv`` layer, the
           matching ``Conv`` layer for a ``ConvTranspose``, and for signals the
           other operation (``convolve`` <-> ``correlate``) in the right mode;
        3. ``dL/dw[k]`` is the sum of ``G = g x^T`` over the tie group of ``w[k]``,
           and, independently of that grouping, ``sum_o g[o] dy[o]/dw[k]`` read off
           the forward sums of a fresh symbolic derivation (the chain rule);
        4. the tie groups are exactly the positions of each weight in T, and
           the structural zeros exactly its empty entries (they get nothing);
        5. ``dL/db`` is the channel sum of ``g`` (layers with a bias).

        Returns
        -------
        Verification
            Truthy when every identity holds; ``str()`` explains.

        Examples
        --------
        >>> import symconv as sc
        >>> print(sc.Conv1d(1, 1, 3, bias=False).derive(input_size=4).gradient().verify())
        dL/dx = T^T g: holds (4 outputs, 6 monomial coefficients compared)
        dL/dx = ConvTranspose1d(1, 1, kernel_size=(3,), stride=(1,), bias=False)(g),
        same weight: holds (4 outputs, 6 monomial coefficients compared)
        dL/dw[k] = sum of G = g x^T over the tie group of w[k]: holds
        (3 outputs, 6 monomial coefficients compared)
        dL/dw[k] = sum over outputs of g[o] dy[o]/dw[k] (the forward sums, differentiated):
        holds (3 outputs, 6 monomial coefficients compared)
        tie groups = positions of each weight in T; structural zeros = empty entries of T:
        holds (8 entries of T, 6 weight positions compared)
        """
        from ..checks._gradient_verify import verify_gradient

        return verify_gradient(self)

    def check(self, trials: int = 3, seed: int = 0) -> CheckReport:
        """Check the gradients numerically against PyTorch autograd and NumPy.

        ``dL/dx``, ``dL/dw`` and ``dL/db`` are lambdified and evaluated at
        seeded random integers; they must equal the vector-Jacobian products
        of an independent NumPy reference (its Jacobian columns computed on unit
        vectors) and, when PyTorch imports, ``torch.autograd``'s
        ``(y * g).sum().backward()``.

        Parameters
        ----------
        trials : int
            Number of random assignments of the free symbols.
        seed : int
            Seed of the NumPy random generator.

        Returns
        -------
        CheckReport
            Truthy when every comparison agrees; ``str()`` lists them.

        Examples
        --------
        >>> import symconv as sc
        >>> bool(sc.Conv2d(2, 2, 2, groups=2).derive(input_size=(3, 3)).gradient().check())
        True
        """
        trials, seed = check_trials_seed(trials, seed)
        from ..checks._gradient_verify import check_gradient

        return check_gradient(self, trials=trials, seed=seed)


def gradient(d: Derivation, grad_output: object = None) -> Gradient:
    """The backward pass of ``d`` for the upstream gradient ``grad_output``.

    Parameters
    ----------
    d : Derivation
        The forward pass.
    grad_output : array_like, optional
        ``dL/dy``, shape ``d.spec.output_shape``: numbers, SymPy expressions or
        a mix.  Symbols ``g_...`` (named like ``sympy.symarray``) when omitted.

    Returns
    -------
    Gradient

    Raises
    ------
    ValueError
        When ``grad_output`` does not have the output's shape.
    TypeError
        For text or other non-numeric entries.

    Examples
    --------
    >>> import symconv as sc
    >>> d = sc.correlate([1, 2, 3, 4], [5, 6, 7])
    >>> d.gradient(grad_output=[1, 0]).input
    [5, 6, 7, 0]
    """
    shape = d.spec.output_shape
    if grad_output is None:
        return Gradient(d, symbols("g", shape))
    arr = to_array("grad_output", grad_output)
    if arr.shape != shape:
        raise ValueError(
            f"`grad_output` must have the shape of the output, {shape}, got shape {arr.shape}"
        )
    return Gradient(d, sympify_array(arr))
