"""General sizes: the backward pass as formulas in symbolic sizes (backward layer).

GBC eqs. 9.11-9.13 generalised to dilation, padding, channels and groups.  For a
forward convolution with upstream gradient ``g`` (indexed like the output):

- ``dL/db[q] = sum_o g[q, o]``;
- ``dL/dw[q, c, j] = sum_o g[q, o] x~[c, s*o + d*j - p]`` (GBC 9.11);
- ``dL/dx[c, i] = sum_q sum_j w[q, c, j] g~[q, (i + p - d*j)/s] [s | i + p - d*j]``
  (GBC 9.12-9.13): the transposed convolution of ``g``.

For a transposed layer the roles swap: its input gradient is the *forward*
convolution of ``g``.  ``~`` reads zero outside the index range.
"""

from __future__ import annotations

from typing import Any

import sympy
from sympy import Expr, IndexedBase, Integer, Sum

from ..core._general import GeneralDerivation
from ..core._general_law import (
    Indexer,
    adjoint_sum,
    at,
    forward_sum,
    fresh,
    group_of,
    tuple_index,
)


class GeneralGradient:
    """The backward pass of a :class:`~symconv.core._general.GeneralDerivation`.

    Attributes
    ----------
    derivation : GeneralDerivation
    output : sympy.IndexedBase
        The upstream gradient ``g = dL/dy``, indexed like the output.
    input, weight, bias
        Indexers: ``input[c, *i]``, ``weight[q, c, *j]``, ``bias[q]`` give the
        general formulas (``bias`` is None without bias).

    Examples
    --------
    >>> import sympy, symconv as sc
    >>> n, k = sympy.symbols("n k", integer=True, positive=True)
    >>> gg = sc.correlate(sympy.IndexedBase("x", shape=(n,)),
    ...                   sympy.IndexedBase("w", shape=(k,))).gradient()
    >>> gg.weight[0]
    Sum(g[o]*x[o], (o, 0, -k + n))
    >>> gg.input[0]
    Sum(g[-j]*w[j], (j, 0, k - 1))
    """

    def __init__(self, derivation: GeneralDerivation, name: str = "g") -> None:
        self.derivation = derivation
        self.output = IndexedBase(name, shape=derivation.output_shape)
        self.input = Indexer("input gradient", self._input, "dL/dx at an index.")
        self.weight = Indexer("weight gradient", self._weight, "dL/dw at an index.")
        self.bias = (Indexer("bias gradient", self._bias, "dL/db at an index.")
                     if derivation.bias is not None else None)

    def __repr__(self) -> str:
        return f"<GeneralGradient of {self.derivation!r}>"

    def _input(self, idx: Any) -> Expr:
        d = self.derivation
        spec = d.spec
        full = tuple_index("idx", idx, len(d.input_shape))
        if spec.kind == "transpose":
            q, *pos = full
            return forward_sum(spec, self.output, d.weight, q, pos)
        if not spec.has_channels:
            return adjoint_sum(spec, self.output, d.weight, Integer(0), full)
        c, *pos = full
        return adjoint_sum(spec, self.output, d.weight, c, pos)

    def _weight(self, idx: Any) -> Expr:
        d = self.derivation
        spec = d.spec
        full = tuple_index("idx", idx, len(spec.weight_shape))
        if spec.has_channels:
            q, c, *js = full
        else:
            q, c, js = Integer(0), Integer(0), list(full)
        taken = set().union(*(sympy.sympify(v).free_symbols for v in full)) | spec.symbols()
        os_ = fresh("o", taken, spec.ndim)
        taps = [a.tap(j) for a, j in zip(spec.axes, js)]
        reads = [a.read(o, j) for a, o, j in zip(spec.axes, os_, taps)]
        limits = [(o, 0, m - 1) for o, m in zip(os_, spec.forward_out_size)]
        if spec.kind == "transpose":
            # forward x is the transposed layer's output gradient g; forward g its input x
            src, dst = d.input, self.output
        else:
            src, dst = self.output, d.input
        if not spec.has_channels:
            return Sum(src[tuple(os_)] * dst[tuple(reads)], *limits)
        c0, _ = group_of(spec, q)
        return Sum(at(src, q, *os_) * at(dst, c0 + c, *reads), *limits)

    def _bias(self, idx: Any) -> Expr:
        d = self.derivation
        (q,) = tuple_index("idx", idx, 1)
        taken = set(q.free_symbols) | d.spec.symbols()
        os_ = fresh("o", taken, d.spec.ndim)
        limits = [(o, 0, m - 1) for o, m in zip(os_, d.output_size)]
        return Sum(at(self.output, q, *os_), *limits)

    # conveniences (upward, lazy)
    def to_latex(self, **options: Any) -> str:
        """Math-mode LaTeX of the general gradient formulas."""
        from ..rendering._general_latex import gradient_latex

        return gradient_latex(self, **options)

    def to_html(self, **options: Any) -> str:
        """A self-contained HTML page of the formulas: see :func:`symconv.to_html`."""
        from ..rendering._html import to_html

        return to_html(self, **options)

    def _repr_html_(self) -> str:
        from ..rendering._html import repr_html

        return repr_html(self)
