"""The im2col GEMM: a convolution as ``X W + b``, the product every framework runs (core layer).

``X`` has one row per output *position* and one column per
``(input channel, kernel position)``: ``X[o, (c, j)] = x[c, s*o + d*j - p]``
(0 where the window reads padding).  ``W`` has one column per *filter*
(output channel): ``W[(c, j), q] = w[q, c - g(q)*C_in/G, j]`` when input
channel ``c`` belongs to the group ``g(q)`` of output channel ``q``, else 0 --
with ``groups > 1`` ``W`` is block diagonal, one block per group.  Then
``(X W)[o, q] + b[q] = y[q, o]``: the output is ``(X W + 1 b^T)^T``.

``X`` copies each input up to ``K`` times (the im2col memory); the GEMM does
``positions * C_out * C_in/G * K`` multiply-adds, padded zeros included.
Both counts are arithmetic (see :meth:`Derivation.stats`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import sympy

from ..boundary._limits import GEMM_LIMIT
from ..boundary._spec import ConvSpec

if TYPE_CHECKING:
    from ._derivation import Derivation

__all__ = ["GEMM_LIMIT", "gemm", "gemm_counts"]

# Entries of X above GEMM_LIMIT: the symbolic GEMM is refused (reason: boundary._limits).


def gemm_counts(s: ConvSpec) -> tuple[int, int]:
    """``(entries of X, multiply-adds of X W)`` of a forward convolution, by arithmetic."""
    positions = int(np.prod(s.out_size))
    k = int(np.prod(s.kernel_size))
    c_in, c_out, groups = s.in_channels, s.out_channels, s.groups
    return positions * c_in * k, positions * c_out * (c_in // groups) * k


def gemm(d: Derivation) -> tuple[sympy.Matrix, sympy.Matrix]:
    """``X`` (positions x C_in*K) and ``W`` (C_in*K x C_out) with ``X W + b`` the outputs.

    Parameters
    ----------
    d : Derivation
        A forward convolution (layer or signal style).

    Returns
    -------
    X, W : sympy.Matrix

    Raises
    ------
    ValueError
        For a transposed convolution (its GEMM is the forward one's, transposed:
        col2im), or when ``X`` would exceed ``GEMM_LIMIT`` entries.

    Examples
    --------
    >>> import symconv as sc, sympy
    >>> d = sc.correlate(sympy.symarray("x", 4), sympy.symarray("w", 3))
    >>> X, W = d.gemm()
    >>> X
    Matrix([
    [x_0, x_1, x_2],
    [x_1, x_2, x_3]])
    >>> W.T
    Matrix([[w_0, w_1, w_2]])
    """
    s = d.spec
    if s.kind == "transpose":
        raise ValueError(
            "gemm() is the im2col form of a forward convolution; a transposed "
            "convolution runs the forward GEMM transposed (col2im): derive the matching "
            "Conv layer and transpose"
        )
    n_x, _ = gemm_counts(s)
    if n_x > GEMM_LIMIT:
        raise ValueError(
            f"the im2col matrix X of this convolution would hold {n_x:,} entries "
            f"(limit {GEMM_LIMIT:,}): read its size from stats() instead"
        )
    t = d.taps
    positions = int(np.prod(s.out_size))
    s_in = int(np.prod(s.in_size))
    k = int(np.prod(s.kernel_size))
    c_in, c_out, groups = s.in_channels, s.out_channels, s.groups
    cin_g, cout_g = c_in // groups, c_out // groups
    xs = list(np.asarray(d.input.tolist(), dtype=object).reshape(-1))
    ws = list(np.asarray(d.weight.tolist(), dtype=object).reshape(-1))
    o, i, kk = (a.astype(np.int64) for a in (t.o, t.i, t.k))
    co, pos = o // positions, o % positions
    first = co % cout_g == 0  # one output channel per group reads every input it needs
    ci, j = i[first] // s_in, kk[first] % k
    X = sympy.zeros(positions, c_in * k)
    for r, c, v in zip(pos[first].tolist(), (ci * k + j).tolist(), i[first].tolist()):
        X[r, c] += xs[v]
    W = sympy.zeros(c_in * k, c_out)
    for q in range(c_out):
        g = q // cout_g
        for c_local in range(cin_g):
            for jj in range(k):
                W[(g * cin_g + c_local) * k + jj, q] = ws[(q * cin_g + c_local) * k + jj]
    return X, W
