"""`Derivation`: one convolution, every view a lazy grouping of its tap table.

Layer: core. Over 400 lines: the Derivation's documented public views and its read
interface for the package, each with numpydoc examples; construction lives in
:mod:`._taps` and :mod:`._symbolic`.

Pipeline: ``spec -> taps -> views (output, matrix, patches, gradient) ->
proofs -> latex``.  Structural facts (`stats`) read the table directly; SymPy
objects are built only when a symbolic view is asked for, then cached.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import sympy
from sympy import Add, Basic

from ..boundary._limits import SYMBOLIC_LIMIT, TABLE_LIMIT_BYTES
from ..boundary._spec import ConvSpec, check_trials_seed
from ..boundary._values import require_finite, symbols, sympify_array
from ._numeric_outputs import numeric_outputs
from ._symbolic import rows_of, sparse, sums_of_products, to_matrix
from ._taps import TapTable, build_taps, count_taps, table_peak_bytes

if TYPE_CHECKING:
    from ..backward._gradients import Gradient
    from ..checks._numeric import CheckReport
    from ..checks._verify import Verification


# Symbolic views of layers over SYMBOLIC_LIMIT products raise instead of running for
# minutes; the tap table is refused above TABLE_LIMIT_BYTES (reasons: boundary._limits).


@dataclass(frozen=True)
class Stats:
    """Structure of a convolution read straight from its tap table (no SymPy).

    Attributes
    ----------
    products : int
        Number of weight-times-input products (taps).
    matrix_shape : tuple of int
        Shape of the layer matrix T (outputs x inputs).
    nonzeros : int
        Entries of T that hold at least one weight.
    structural_zeros : int
        Entries of T that no weight ever reaches.
    folded_entries : int
        Entries of T that hold a *sum* of several weights (reflect, replicate
        or circular padding fold padded positions back onto real inputs).
    tie_counts : numpy.ndarray
        For each weight (weight shape), how many entries of T it occupies.
    parameters : int
        Weights plus biases of the convolution.
    dense_parameters : int
        Weights plus biases of the dense layer with the same input and output.
    table_bytes : int
        Memory of the tap table's index arrays.
    index_dtypes : tuple of str
        The dtypes of the output, input and weight index arrays.
    im2col_entries : int
        Entries of the im2col matrix ``X`` of :meth:`Derivation.gemm`
        (positions x C_in*K): the input copied up to K times.
    multiply_adds : int
        Multiply-adds of the GEMM ``X W`` (padded zeros included; ``products``
        counts only the real ones).

    Examples
    --------
    >>> import symconv as sc
    >>> st = sc.Conv2d(1, 1, 3, padding=1, padding_mode="reflect").derive(
    ...     input_size=(4, 4)).stats()
    >>> st.products, st.nonzeros, st.folded_entries, st.parameters, st.dense_parameters
    (144, 100, 36, 10, 272)
    """

    products: int
    matrix_shape: tuple[int, int]
    nonzeros: int
    structural_zeros: int
    folded_entries: int
    tie_counts: np.ndarray
    parameters: int
    dense_parameters: int
    table_bytes: int
    index_dtypes: tuple[str, str, str]
    im2col_entries: int = 0
    multiply_adds: int = 0

    def _repr_html_(self) -> str:
        from ..rendering._report import stats_html

        return stats_html(self)

    def _repr_latex_(self) -> str:
        from ..rendering._report import stats_latex

        return stats_latex(self)

    @property
    def density(self) -> float:
        """Fraction of the entries of T that are not structural zeros."""
        rows, cols = self.matrix_shape
        return self.nonzeros / (rows * cols)

    def __str__(self) -> str:
        rows, cols = self.matrix_shape
        ties = self.tie_counts
        rows_ = [
            ("products", f"{self.products:,}"),
            ("matrix T", f"{rows:,} x {cols:,}"),
            ("non-zeros of T", f"{self.nonzeros:,} ({100 * self.density:.3g}% of entries)"),
            ("structural zeros", f"{self.structural_zeros:,}"),
            ("summed entries", f"{self.folded_entries:,}"),
            ("tied weights", _tie_text(int(ties.min()), int(ties.max()))),
            ("parameters", f"{self.parameters:,} (dense layer: {self.dense_parameters:,})"),
            ("tap table", f"{self.table_bytes:,} bytes ({', '.join(self.index_dtypes)})"),
        ]
        if self.im2col_entries:
            rows_.append(("im2col X", f"{self.im2col_entries:,} entries "
                          f"({4 * self.im2col_entries:,} bytes in float32)"))
            rows_.append(("GEMM multiply-adds", f"{self.multiply_adds:,}"))
        return "\n".join(f"{name:<19}{value}" for name, value in rows_)


def _tie_text(lo: int, hi: int) -> str:
    span = str(lo) if lo == hi else f"{lo} to {hi}"
    return f"each weight fills {span} entr{'y' if hi == 1 else 'ies'} of T"


class Derivation:
    """A convolution derived exactly: outputs, layer matrix, im2col matrix, proofs.

    Made by :func:`symconv.convolve`, :func:`symconv.correlate` or a layer's
    ``derive``; not constructed directly.

    Attributes
    ----------
    spec : ConvSpec
        The resolved geometry.
    taps : TapTable
        The tap table every view groups.

    Notes
    -----
    Flattening is C order over ``(channels, *spatial)``:
    ``vec(y) = T vec(x) + vec(b)`` and ``vec(y) = P vec(w) + vec(b)``, where
    ``T[o, i] = sum of w[k]`` and ``P[o, k] = sum of x[i]`` over the taps
    ``(o, i, k)``.

    Examples
    --------
    >>> import symconv as sc
    >>> d = sc.correlate([1, 2, 3, 4], [5, 6, 7], mode="valid")
    >>> d.output
    [38, 56]
    >>> d.matrix
    Matrix([
    [5, 6, 7, 0],
    [0, 5, 6, 7]])
    """

    def __init__(
        self,
        spec: ConvSpec,
        x: np.ndarray | None = None,
        weight: np.ndarray | None = None,
        bias: np.ndarray | None = None,
    ) -> None:
        self.spec = spec
        self._raw = {"x": x, "w": weight, "b": bias}
        self._gradient: Gradient | None = None

    def __repr__(self) -> str:
        s = self.spec
        what = f"{s.op}(mode={s.mode!r})" if s.kind == "signal" else s.kind
        return (
            f"<Derivation {what}: input {s.input_shape} -> output {s.output_shape}, "
            f"weight {s.weight_shape}, {count_taps(s):,} products>"
        )

    def __str__(self) -> str:
        """The readable report: outputs as sums of products, T, the structure.

        At most ``PRINT_OUTPUTS`` outputs are shown (``d.output`` has them all);
        a layer over ``SYMBOLIC_LIMIT`` products is shown by its structure.
        See :func:`symconv.rendering._report.report`.
        """
        from ..rendering._report import report

        return report(self)

    # ------------------------------------------------------------ the table

    @cached_property
    def taps(self) -> TapTable:
        """The tap table ``(o, i, k)`` of this convolution.

        Raises
        ------
        ValueError
            If building it and reading its structure would need more than
            ``TABLE_LIMIT_BYTES`` at the peak (estimated by arithmetic first, so an
            oversized layer is refused at once, before anything is allocated).
        """
        s = self.spec
        peak = table_peak_bytes(s)
        if peak > TABLE_LIMIT_BYTES:
            raise ValueError(
                f"the tap table of this convolution would hold {count_taps(s):,} products "
                f"and need about {peak / 2**30:.1f} GiB at its peak (limit "
                f"{TABLE_LIMIT_BYTES / 2**30:.0f} GiB): too large to build here; derive a "
                "smaller piece of the layer (fewer channels or a smaller input), whose "
                "structure is the same"
            )
        return build_taps(s)

    def stats(self) -> Stats:
        """Structural facts (sizes, sparsity, tie counts, parameters) with no SymPy.

        Examples
        --------
        >>> import symconv as sc
        >>> st = sc.correlate([1, 2, 3, 4], [5, 6, 7], mode="valid").stats()
        >>> st.products, st.nonzeros, st.structural_zeros, st.tie_counts.tolist()
        (6, 6, 2, [2, 2, 2])
        """
        t = self.taps
        n_entries = int(t.entries[0].size)
        n_bias = self.spec.bias_size
        return Stats(
            products=len(t),
            matrix_shape=(t.n_out, t.n_in),
            nonzeros=n_entries,
            structural_zeros=t.n_out * t.n_in - n_entries,
            folded_entries=self._folded_count(),
            tie_counts=self._tie_counts(),
            parameters=t.n_weight + n_bias,
            dense_parameters=t.n_out * t.n_in + (t.n_out if n_bias else 0),
            table_bytes=t.nbytes,
            index_dtypes=(str(t.o.dtype), str(t.i.dtype), str(t.k.dtype)),
            **self._gemm_counts(),
        )

    def _gemm_counts(self) -> dict[str, int]:
        from ._gemm import gemm_counts

        entries, macs = gemm_counts(self.spec)
        return {"im2col_entries": entries, "multiply_adds": macs}

    def _folded_count(self) -> int:
        t = self.taps
        if not t.has_folded_entries:
            return 0
        counts = _bincount(t.entries[2], int(t.entries[0].size))
        return int(np.count_nonzero(counts > 1))

    def _tie_counts(self) -> np.ndarray:
        t = self.taps
        return _bincount(t.k, t.n_weight).reshape(t.weight_shape)

    def _guard_symbolic(self, view: str) -> None:
        n = count_taps(self.spec)  # counted, not built: the table itself may not fit
        if n > SYMBOLIC_LIMIT:
            raise ValueError(
                f"the symbolic `{view}` of this convolution would hold {n:,} products "
                f"(limit {SYMBOLIC_LIMIT:,}): too large to build or print usefully. Use the "
                "numeric views instead: stats(), to_scipy(), to_numpy()"
            )

    # ------------------------------------------------------- values (SymPy)

    @cached_property
    def _x(self) -> np.ndarray:
        raw = self._raw["x"]
        return symbols("x", self.spec.input_shape) if raw is None else sympify_array(raw)

    @cached_property
    def _w(self) -> np.ndarray:
        raw = self._raw["w"]
        return symbols("w", self.spec.weight_shape) if raw is None else sympify_array(raw)

    @cached_property
    def _b(self) -> np.ndarray | None:
        if not self.spec.bias:
            return None
        raw = self._raw["b"]
        return symbols("b", (self.spec.bias_size,)) if raw is None else sympify_array(raw)

    @property
    def input(self) -> sympy.Array:
        """The input actually used, as a SymPy Array (symbols ``x_...`` unless given)."""
        return _array(self._x)

    @property
    def weight(self) -> sympy.Array:
        """The weight actually used (PyTorch's shape for layers; ``w_...`` unless given)."""
        return _array(self._w)

    @property
    def bias(self) -> sympy.Array | None:
        """The bias actually used (one per output channel), or None without bias."""
        return None if self._b is None else _array(self._b)

    def _bias_of_outputs(self) -> list[Basic] | None:
        """The bias added to each flat output, or None."""
        if self._b is None:
            return None
        per_channel = int(np.prod(self.spec.output_shape[1:]))
        return [b for b in self._b.tolist() for _ in range(per_channel)]

    # ------------------------------------------ read interface for the package
    # The other layers (backward, checks, rendering, shell) read a derivation only
    # through these (never through its private caches); tests/test_layering.py checks.

    @property
    def input_values(self) -> np.ndarray:
        """The input actually used as a read-only NumPy object array, ``spec.input_shape``."""
        return _readonly(self._x)

    @property
    def weight_values(self) -> np.ndarray:
        """The weight actually used as a read-only NumPy object array, ``spec.weight_shape``."""
        return _readonly(self._w)

    @property
    def bias_values(self) -> np.ndarray | None:
        """The bias actually used (read-only object array, one per channel), or None."""
        return None if self._b is None else _readonly(self._b)

    @property
    def flat_input(self) -> list[Basic]:
        """The input's entries in C order (``vec(x)``; a new list)."""
        return self._x.reshape(-1).tolist()

    @property
    def flat_weight(self) -> list[Basic]:
        """The weight's entries in C order (``vec(w)``; a new list)."""
        return self._w.reshape(-1).tolist()

    @property
    def flat_bias(self) -> list[Basic] | None:
        """The bias entries (one per output channel; a new list), or None."""
        return None if self._b is None else self._b.tolist()

    def bias_per_output(self) -> list[Basic] | None:
        """The bias added to each flat output (``vec(b)`` of ``vec(y) = T vec(x) + vec(b)``).

        Examples
        --------
        >>> import symconv as sc
        >>> sc.Conv1d(1, 2, 2).derive(input_size=3).bias_per_output()
        [b_0, b_0, b_1, b_1]
        """
        return self._bias_of_outputs()

    @property
    def flat_output(self) -> list[Basic]:
        """Every output as a sum of products, C order (``vec(y)``; cached: do not modify).

        Examples
        --------
        >>> import symconv as sc
        >>> sc.correlate([1, 2, 3], [1, 1]).flat_output
        [3, 5]
        """
        return self._output_flat

    def matrix_entries(self) -> Mapping[int, Mapping[int, Basic]]:
        """The non-zero entries of T as ``{row: {column: entry}}`` (cached: do not modify).

        Examples
        --------
        >>> import symconv as sc
        >>> dict(sc.correlate([1, 2, 3], [5, 6]).matrix_entries()[1])
        {1: 5, 2: 6}
        """
        return rows_of(self._matrix_rep)

    def patch_entries(self) -> Mapping[int, Mapping[int, Basic]]:
        """The non-zero entries of P as ``{row: {column: entry}}`` (cached: do not modify).

        Examples
        --------
        >>> import symconv as sc
        >>> dict(sc.correlate([1, 2, 3], [5, 6]).patch_entries()[1])
        {0: 2, 1: 3}
        """
        return rows_of(self._patches_rep)

    def given(self, role: Literal["x", "w", "b"]) -> Any:
        """The value passed for the input, weight or bias as given, or None (symbols)."""
        return self._raw[role]

    def guard_symbolic(self, view: str) -> None:
        """Raise ``ValueError`` if a symbolic ``view`` of this layer is too large to build."""
        self._guard_symbolic(view)

    # ---------------------------------------------------------------- views

    @cached_property
    def _output_flat(self) -> list[Basic]:
        numeric = self._numeric_outputs()
        if numeric is not None:
            return numeric
        self._guard_symbolic("output")
        t = self.taps
        xs, ws = self._x.reshape(-1).tolist(), self._w.reshape(-1).tolist()
        bs = self._bias_of_outputs()
        return sums_of_products(xs, ws, bs, t.i.tolist(), t.k.tolist(), t.starts.tolist())

    def _numeric_outputs(self) -> list[Basic] | None:
        """All-numeric input, weight and bias: the outputs by NumPy (``_numeric_outputs``)."""
        s, raw = self.spec, self._raw
        if raw["x"] is None or raw["w"] is None or (s.bias and raw["b"] is None):
            return None
        if int(np.prod(s.output_shape)) > SYMBOLIC_LIMIT:
            return None  # refused by the symbolic guard, with its message
        per_channel = int(np.prod(s.output_shape[1:])) if s.kind != "signal" else 1
        return numeric_outputs(raw["x"], raw["w"], raw["b"] if s.bias else None, per_channel,
                               self.taps)

    @property
    def output(self) -> sympy.Array:
        """Every output as an explicit sum of products, shape ``spec.output_shape``."""
        return sum_array(np.array(self._output_flat, dtype=object).reshape(self.spec.output_shape))

    def terms(self, *index: int) -> list[tuple[Basic, Basic]]:
        """The ``(weight, input)`` products that make output ``index`` (bias excluded).

        Parameters
        ----------
        *index : int
            One index per output axis (channel first for layers); negative
            indices count from the end, as in NumPy.

        Returns
        -------
        list of (weight, input) pairs, in kernel order.

        Raises
        ------
        ValueError
            If the number of indices or their range does not fit the output.

        Examples
        --------
        >>> import symconv as sc, sympy
        >>> d = sc.correlate(sympy.symarray("x", 4), sympy.symarray("w", 3), mode="valid")
        >>> d.terms(1)
        [(w_0, x_1), (w_1, x_2), (w_2, x_3)]
        """
        o = _flat_index("index", index, self.spec.output_shape)
        t = self.taps
        lo, hi = int(t.starts[o]), int(t.starts[o + 1])
        xs, ws = self._x.reshape(-1), self._w.reshape(-1)
        return [(ws[k], xs[i]) for i, k in zip(t.i[lo:hi].tolist(), t.k[lo:hi].tolist())]

    @property
    def matrix(self) -> sympy.SparseMatrix:
        """The layer matrix T (sparse): ``vec(output) = T vec(input) + bias``.

        ``T[o, i]`` is the weight (or, with non-zero padding modes, the sum of
        weights) that output ``o`` applies to input ``i``; other entries are
        structural zeros.  The same weight on many entries is a tied weight.
        Each access returns a fresh copy (built once, then cached).
        """
        return to_matrix(self._matrix_rep)

    @cached_property
    def _matrix_rep(self) -> Any:
        self._guard_symbolic("matrix")
        t = self.taps
        ws = self._w.reshape(-1).tolist()
        rows, cols, entry_of_tap = t.entries
        if t.has_folded_entries:
            values = _group_sum([ws[k] for k in t.k.tolist()], entry_of_tap, rows.size)
        else:
            values = [None] * rows.size
            for e, k in zip(entry_of_tap.tolist(), t.k.tolist()):
                values[e] = ws[k]
        return sparse(rows.tolist(), cols.tolist(), values, (t.n_out, t.n_in))

    @property
    def patches(self) -> sympy.SparseMatrix:
        """The im2col (patch) matrix P (sparse): ``vec(output) = P vec(weight) + bias``.

        Row ``o`` holds the inputs output ``o`` reads, in the column of the
        weight that multiplies each; padded positions are zeros.  Each access
        returns a fresh copy (built once, then cached).
        """
        return to_matrix(self._patches_rep)

    @cached_property
    def _patches_rep(self) -> Any:
        self._guard_symbolic("patches")
        t = self.taps
        xs = self._x.reshape(-1).tolist()
        order = np.lexsort((t.k, t.o))
        rows, cols = t.o[order].tolist(), t.k[order].tolist()
        values = [xs[i] for i in t.i[order].tolist()]
        return sparse(rows, cols, values, (t.n_out, t.n_weight))

    # ------------------------------------------------------- proofs, checks

    def verify(self) -> Verification:
        """Prove ``vec(y) = T vec(x) + b`` and ``vec(y) = P vec(w) + b`` exactly.

        Both sides are read back from the SymPy objects (``output``, ``matrix``,
        ``patches``) and compared monomial by monomial: each identity is
        bilinear, so equal coefficients on every ``w_k x_i`` (and every bias)
        is a proof.  Non-symbolic entries are compared with ``sympy.expand``.

        Returns
        -------
        Verification
            Truthy when every identity holds; ``str()`` explains.

        Examples
        --------
        >>> import symconv as sc
        >>> bool(sc.Conv1d(1, 2, 3).derive(input_size=5).verify())
        True
        """
        from ..checks._verify import verify

        return verify(self)

    def check(self, trials: int = 3, seed: int = 0) -> CheckReport:
        """Check the symbolic results numerically against independent references.

        The output, ``T`` and ``P`` are turned into functions with
        ``sympy.lambdify`` and evaluated at seeded random integers; the results
        must equal NumPy/SciPy's (and PyTorch's, when it imports) exactly.

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
        >>> bool(sc.convolve([1, 2, 3, 4], [5, 6, 7]).check())
        True
        """
        from ..checks._numeric import check

        trials, seed = check_trials_seed(trials, seed)
        self._require_finite("a numeric check needs finite values")
        return check(self, trials=trials, seed=seed)

    def _require_finite(self, why: str) -> None:
        """ValueError when the given input, weight or bias holds nan, oo or zoo."""
        layer = self.spec.kind != "signal"
        for name, raw in (("x", self._raw["x"]), ("weight" if layer else "w", self._raw["w"]),
                          ("bias", self._raw["b"])):
            arr = None if raw is None else np.asarray(raw)
            if arr is None or arr.dtype.kind in "iub":
                continue
            if arr.dtype.kind in "fc" and bool(np.all(np.isfinite(arr))):
                continue
            require_finite(name, sympify_array(arr.astype(object)), why)

    # ------------------------------------------------- views of other modules

    def gradient(self, grad_output: Any = None) -> Gradient:
        """The backward pass: a :class:`symconv.Gradient` (``dL/dx``, ``dL/dw``, ``dL/db``).

        Parameters
        ----------
        grad_output : array_like, optional
            The upstream gradient ``dL/dy`` (shape ``spec.output_shape``);
            symbols ``g_...`` when omitted.

        Returns
        -------
        Gradient

        Raises
        ------
        ValueError, TypeError
            ``grad_output`` of the wrong shape, or text.

        Examples
        --------
        >>> import symconv as sc
        >>> sc.correlate([1, 2, 3, 4], [5, 6, 7]).gradient().weight
        [g_0 + 2*g_1, 2*g_0 + 3*g_1, 3*g_0 + 4*g_1]
        """
        from ..backward._gradients import gradient

        if grad_output is not None:
            return gradient(self, grad_output)
        if self._gradient is None:  # the symbolic backward pass, built once
            self._gradient = gradient(self, None)
        return self._gradient

    def to_latex(self, **options: Any) -> str:
        """Math-mode LaTeX of the derivation: see :func:`symconv.to_latex`."""
        from ..rendering._latex import to_latex

        return to_latex(self, **options)

    def latex_document(self, **options: Any) -> str:
        """A complete ``.tex`` document: see :func:`symconv.latex_document`."""
        from ..rendering._document import latex_document

        self._require_finite("the document's proofs need finite values")

        return latex_document(self, **options)

    def _repr_latex_(self) -> str:
        from ..rendering._latex import repr_latex

        return repr_latex(self)

    def to_html(self, **options: Any) -> str:
        """A self-contained interactive HTML page: see :func:`symconv.to_html`."""
        from ..rendering._html import to_html

        return to_html(self, **options)

    def _repr_html_(self) -> str:
        from ..rendering._html import repr_html

        return repr_html(self)

    def gemm(self) -> tuple[sympy.Matrix, sympy.Matrix]:
        """The im2col GEMM: ``X`` (positions x C_in*K), ``W`` (C_in*K x C_out), ``X W + b = y``.

        See :func:`symconv.core._gemm.gemm`.
        """
        from ._gemm import gemm

        return gemm(self)

    def to_scipy(self, which: Literal["matrix", "patches"] = "matrix") -> Any:
        """Numeric T (or P) as a ``scipy.sparse`` CSR array: see :mod:`symconv.core._export`."""
        from ._export import to_scipy

        return to_scipy(self, which)

    def to_numpy(self, which: Literal["matrix", "patches"] = "matrix") -> np.ndarray:
        """Numeric T (or P) as a dense NumPy array: see :mod:`symconv.core._export`."""
        from ._export import to_numpy

        return to_numpy(self, which)


# -------------------------------------------------------------- helpers


def _bincount(index: np.ndarray, n: int, chunk: int = 1 << 22) -> np.ndarray:
    """``np.bincount`` of a narrow-dtype index array without widening all of it at once.

    ``bincount`` converts its input to ``intp``: for a 36-million-tap table of
    uint16 that is a 290 MB copy.  Counting in chunks keeps the copy at 32 MB.
    """
    counts = np.zeros(n, dtype=np.int64)
    for start in range(0, index.size, chunk):
        counts += np.bincount(index[start:start + chunk], minlength=n)
    return counts


def _array(values: np.ndarray) -> sympy.Array:
    return sympy.ImmutableDenseNDimArray(values.reshape(-1).tolist(), values.shape)


class SumArray(sympy.ImmutableDenseNDimArray):
    """A SymPy Array of sums of products whose ``str`` skips SymPy's sorting printer.

    ``d.output``, ``g.input``, ``g.weight`` and ``g.bias`` are of this type.  It
    *is* an ``ImmutableDenseNDimArray``: indexing, ``tolist``, arithmetic,
    ``subs``, equality and hashing are SymPy's (``hash`` equals the plain
    array's, so equal arrays hash alike).  Only ``str`` and ``repr`` differ:
    they delegate to :func:`symconv.rendering._array_text.array_text`, which writes
    each sum's terms in index order (``w_2`` before ``w_10``, no SymPy printer): the text
    differs from ``sympy.sstr`` only in the order of the terms, and
    ``sympy.sympify`` gives back the same expression.  ``sympy.sstr(arr)`` still
    gives SymPy's sorted text.  Jupyter's ``_repr_latex_`` is fast the same way
    (:func:`symconv.rendering._array_text.array_latex`: SymPy's layout and term
    LaTeX, terms in index order); ``sympy.latex(arr)`` is SymPy's, unchanged.

    Examples
    --------
    >>> import sympy, symconv as sc
    >>> y = sc.correlate(sympy.symarray("x", 3), sympy.symarray("w", 2)).output
    >>> y
    [w_0*x_0 + w_1*x_1, w_0*x_1 + w_1*x_2]
    >>> isinstance(y, sympy.ImmutableDenseNDimArray), y == sympy.Array(list(y))
    (True, True)
    """

    def __str__(self) -> str:
        from ..rendering._array_text import array_text

        return array_text(self)

    __repr__ = __str__

    def _repr_latex_(self) -> str:
        """Jupyter's LaTeX: :func:`symconv.rendering._array_text.array_latex`, in ``$...$``.

        The same string as SymPy's ``_repr_latex_`` up to the order of the terms
        of each sum (index order here); ``sympy.latex(arr)`` itself is unchanged.
        """
        from ..rendering._array_text import array_latex

        return "$\\displaystyle " + array_latex(self) + "$"

    def __hash__(self) -> int:
        h = self.__dict__.get("_plain_hash")
        if h is None:
            h = self.__dict__["_plain_hash"] = hash(sympy.ImmutableDenseNDimArray(*self.args))
        return h


def sum_array(values: np.ndarray) -> SumArray:
    """A NumPy object array of sums as a :class:`SumArray` (fast ``str``) of the same shape.

    Examples
    --------
    >>> import numpy as np, sympy
    >>> a = sum_array(np.array([1, 2], dtype=object))
    >>> isinstance(a, sympy.Array), a.shape
    (True, (2,))
    """
    return SumArray(values.reshape(-1).tolist(), values.shape)


def to_sympy_array(values: np.ndarray) -> sympy.Array:
    """A NumPy object array as an immutable SymPy Array of the same shape.

    Examples
    --------
    >>> import numpy as np
    >>> to_sympy_array(np.array([[1, 2], [3, 4]], dtype=object)).shape
    (2, 2)
    """
    return _array(values)


def _readonly(values: np.ndarray) -> np.ndarray:
    view = values.view()
    view.setflags(write=False)
    return view



def _flat_index(name: str, index: Sequence[int], shape: tuple[int, ...]) -> int:
    if len(index) != len(shape):
        raise ValueError(
            f"`{name}` must have {len(shape)} entr{'y' if len(shape) == 1 else 'ies'} "
            f"for an output of shape {shape}, got {tuple(index)}"
        )
    return flat_index(name, index, shape, shape_label="output shape")


def flat_index(name: str, index: Sequence[int], shape: tuple[int, ...], *,
               shape_label: str = "shape") -> int:
    """The C-order flat index of ``index`` (as many integers as ``shape`` has axes).

    Negative entries count from the end.  Raises TypeError for a non-integer
    entry, ValueError (naming ``name`` and ``shape_label``) for one out of range.

    Examples
    --------
    >>> flat_index("index", (1, -1), (2, 3))
    5
    """
    resolved = []
    for axis, (v, n) in enumerate(zip(index, shape)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise TypeError(f"`{name}` entries must be integers, got {v!r}")
        if not -n <= v < n:
            raise ValueError(
                f"`{name}` {tuple(index)} is out of range for axis {axis} of size {n} "
                f"({shape_label} {shape})"
            )
        resolved.append(int(v) % n)
    return int(np.ravel_multi_index(resolved, shape))


def _group_sum(values: list[Any], group: np.ndarray, n: int) -> list[Any]:
    buckets: list[list[Any]] = [[] for _ in range(n)]
    for g, v in zip(group.tolist(), values):
        buckets[g].append(v)
    return [Add(*b) for b in buckets]
