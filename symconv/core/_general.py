"""General sizes: the index law per axis with SymPy sizes, and the general derivation (core).

One law, two realisations: the tap table enumerates ``i = s*o + d*j - p`` for
numbers; here the same law stays a formula when any size is a SymPy symbol.
:class:`AxisLaw` is the law along one axis, :class:`GeneralSpec` the whole
geometry (channels, groups, axes), :class:`GeneralDerivation` the views
(``output[idx]``, ``matrix[o, i]``, ``output_size``) and ``subs`` back to an
instance :class:`~symconv.core._derivation.Derivation`.

Conventions: every read ``x[c, e]`` with ``e`` outside ``0..n-1`` is the zero
padding (it reads 0); the divisibility of a transposed read is an explicit
``Piecewise`` condition ``Mod(num, s) = 0``.  Only padding mode ``"zeros"`` and
``"circular"`` are general; ``"reflect"`` and ``"replicate"`` are refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sympy
from sympy import Expr, IndexedBase, Integer

from ._general_law import GENERAL_PADDING_MODES as GENERAL_PADDING_MODES
from ._general_law import AxisLaw as AxisLaw
from ._general_law import GeneralSpec as GeneralSpec
from ._general_law import Indexer as Indexer
from ._general_law import adjoint_sum as adjoint_sum
from ._general_law import as_index as as_index
from ._general_law import at as at
from ._general_law import forward_sum as forward_sum
from ._general_law import fresh as fresh
from ._general_law import group_of as group_of
from ._general_law import matrix_entry as matrix_entry
from ._general_law import tuple_index as tuple_index


class GeneralDerivation:
    """A convolution derived for general (symbolic) sizes: every view a formula.

    Returned instead of a :class:`~symconv.core._derivation.Derivation` when any
    size is a SymPy symbol or expression.

    Attributes
    ----------
    spec : GeneralSpec
    input, weight : sympy.IndexedBase
        Indexed like torch: ``x[c, *pos]``, ``w[o, c, *k]`` (signals ``x[pos]``, ``w[k]``).
    bias : sympy.IndexedBase or None
    output_size : tuple of sympy.Expr
        Spatial output size (floor formulas).

    Notes
    -----
    ``output[idx]`` reads ``x`` at ``s*o + d*j - p``; a read outside ``0..n-1`` is
    the zero padding and reads 0.  ``matrix[o, i]`` is ``w[(i - s*o + p)/d]`` when
    ``d`` divides ``i - s*o + p`` and ``0 <= i - s*o + p <= d*(k-1)``, else 0.

    Examples
    --------
    >>> import sympy, symconv as sc
    >>> n, k = sympy.symbols("n k", integer=True, positive=True)
    >>> g = sc.correlate(sympy.IndexedBase("x", shape=(n,)),
    ...                  sympy.IndexedBase("w", shape=(k,)), mode="valid")
    >>> g.output_size
    (-k + n + 1,)
    >>> g.output[0]
    Sum(w[j]*x[j], (j, 0, k - 1))
    >>> g.matrix[1, 2]
    Piecewise((w[1], k >= 2), (0, True))
    >>> g.subs({n: 4, k: 3}).output
    [w_0*x_0 + w_1*x_1 + w_2*x_2, w_0*x_1 + w_1*x_2 + w_2*x_3]
    """

    def __init__(self, spec: GeneralSpec, names: Mapping[str, str] | None = None) -> None:
        self.spec = spec
        nm = {"x": "x", "w": "w", "b": "b", **(names or {})}
        self._names = nm
        s = spec
        in_shape = (*((s.input_channels,) if s.has_channels else ()), *s.input_size)
        self.input = IndexedBase(nm["x"], shape=in_shape)
        self.weight = IndexedBase(nm["w"], shape=s.weight_shape)
        self.bias = IndexedBase(nm["b"], shape=(s.output_channels,)) if s.bias else None
        self.output = Indexer("output", self._output, "One output element, a Sum over taps.")
        self.matrix = Indexer("matrix", self._matrix, "One entry T[o, i] of the layer matrix.")

    def __repr__(self) -> str:
        s = self.spec
        what = f"{s.op}(mode={s.mode!r})" if s.kind == "signal" else s.kind
        return f"<GeneralDerivation {what}: input {self.input_shape} -> output " \
               f"{self.output_shape}, weight {s.weight_shape}>"

    # -------------------------------------------------------------- shapes

    @property
    def output_size(self) -> tuple[Expr, ...]:
        """Spatial output size as SymPy expressions (floor formulas)."""
        return self.spec.output_size

    @property
    def input_shape(self) -> tuple[Expr, ...]:
        """Shape of the input, channels first for layers."""
        return tuple(self.input.shape)

    @property
    def output_shape(self) -> tuple[Expr, ...]:
        """Shape of the output, channels first for layers."""
        s = self.spec
        return (*((s.output_channels,) if s.has_channels else ()), *s.output_size)

    @property
    def sizes(self) -> tuple[sympy.Symbol, ...]:
        """The free size symbols, sorted by name."""
        return tuple(sorted(self.spec.symbols(), key=lambda v: v.name))

    @property
    def names(self) -> dict[str, str]:
        """The names of the input, weight and bias bases."""
        return dict(self._names)

    # --------------------------------------------------------------- views

    def _index(self, idx: Any, name: str, shape_len: int) -> tuple[Expr, ...]:
        return tuple_index(name, idx, shape_len)

    def _output(self, idx: Any) -> Expr:
        s = self.spec
        full = self._index(idx, "idx", len(self.output_shape))
        b = self.bias
        if s.kind == "transpose":
            c, *pos = full
            val = adjoint_sum(s, self.input, self.weight, c, pos)
            return val + b[c] if b is not None else val
        if s.has_channels:
            q, *pos = full
            val = forward_sum(s, self.input, self.weight, q, pos)
            return val + b[q] if b is not None else val
        return forward_sum(s, self.input, self.weight, Integer(0), full)

    def _split(self, idx: Any) -> tuple[tuple[Expr, ...], tuple[Expr, ...]]:
        if not (isinstance(idx, tuple) and len(idx) == 2):
            raise ValueError(f"`matrix` is indexed by (row, column), got {idx!r}")
        row, col = idx
        out_len, in_len = len(self.output_shape), len(self.input_shape)
        flat = self.spec.ndim == 1 and (not self.spec.has_channels or (
            self.spec.in_channels == 1 and self.spec.out_channels == 1))
        if flat and not isinstance(row, tuple) and self.spec.has_channels:
            row, col = (0, row), (0, col)
        return tuple_index("row", row, out_len), tuple_index("column", col, in_len)

    def _matrix(self, idx: Any) -> Expr:
        row, col = self._split(idx)
        if self.spec.kind == "transpose":
            return matrix_entry(self.spec, self.weight, col, row)
        return matrix_entry(self.spec, self.weight, row, col)

    # ------------------------------------------------------------ instances

    def subs(self, sizes: Mapping[Any, Any]) -> Any:
        """Substitute sizes: the instance ``Derivation`` once every size is a number.

        Parameters
        ----------
        sizes : mapping of sympy.Symbol to int or SymPy expression

        Returns
        -------
        Derivation or GeneralDerivation
            A :class:`GeneralDerivation` while some size stays symbolic.

        Raises
        ------
        ValueError, TypeError
            A substituted size that is not a valid size (named as in the layer).
        """
        if not isinstance(sizes, Mapping):
            raise TypeError(f"`sizes` must be a mapping of size symbols to values, got {sizes!r}")
        for key in sizes:
            if not isinstance(key, sympy.Symbol):
                raise TypeError(f"`sizes` keys must be SymPy symbols, got {key!r}")
        assert self.spec.rebuild is not None
        return self.spec.rebuild(dict(sizes))

    def with_names(self, **names: str) -> GeneralDerivation:
        """The same derivation with other base names (``x=``, ``w=``, ``b=``)."""
        for key, val in names.items():
            if key not in ("x", "w", "b") or not isinstance(val, str) or not val.isidentifier():
                raise ValueError(f"`{key}` must be x, w or b with an identifier name, got {val!r}")
        return GeneralDerivation(self.spec, {**self._names, **names})

    # ------------------------------------------------- conveniences (upward)

    def gradient(self) -> Any:
        """The backward pass for general sizes (see ``GeneralGradient``)."""
        from ..backward._general_gradients import GeneralGradient

        return GeneralGradient(self)

    def verify(self) -> Any:
        """Proofs of the general identities; per step: proved by SymPy or grid-checked."""
        from ..checks._general_theorems import verify_general

        return verify_general(self)

    def to_latex(self, **options: Any) -> str:
        """Math-mode LaTeX of the general formulas."""
        from ..rendering._general_latex import to_latex

        return to_latex(self, **options)

    def latex_document(self, **options: Any) -> str:
        """A complete .tex document: the general formulas, theorems and proofs."""
        from ..rendering._general_latex import latex_document

        return latex_document(self, **options)

    def to_html(self, **options: Any) -> str:
        """A self-contained HTML page of the formulas: see :func:`symconv.to_html`."""
        from ..rendering._html import to_html

        return to_html(self, **options)

    def _repr_html_(self) -> str:
        from ..rendering._html import repr_html

        return repr_html(self)
