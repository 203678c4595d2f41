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

**Transposed convolutions** use the *stretched-input* form (Dumoulin & Visin,
relationships 8-13): a transposed convolution is the stride-1 correlation of
the input stretched by ``s`` (``s - 1`` zeros between entries) and padded by
``d(k - 1) - p`` (plus ``output_padding`` on the right), with the kernel
flipped on every axis and its channel roles swapped.  ``X`` is the im2col of
that stretched, padded input ``z`` -- ``X[o, (c, j')] = z[c, o + d*j']`` -- so
most of its entries are the stretch's zeros; ``W[(c, j'), q] = w[c, q - g(q)*C_out/G,
K-1-j']`` (torch's ``(C_in, C_out/G, *k)`` weight, flipped).  Again
``(X W)[o, q] + b[q] = y[q, o]``.  The other im2col form of a transposed
convolution, col2im (``(x^T W^T)`` scattered and summed into the output), has no
single product equal to the outputs, so it is not the one returned.  ``X`` is
built from the tap table, not by materialising ``z``: each entry is the one
input the tap law sends to output ``o`` through kernel position ``K-1-j'``.
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
    """``(entries of X, multiply-adds of X W)`` by arithmetic (transposed: stretched form)."""
    k = int(np.prod(s.kernel_size))
    if s.kind == "transpose":  # the spec is the forward view: in_* are the outputs here
        positions, c_in, c_out = int(np.prod(s.in_size)), s.out_channels, s.in_channels
    else:
        positions, c_in, c_out = int(np.prod(s.out_size)), s.in_channels, s.out_channels
    groups = s.groups
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

    For a transposed convolution ``X`` is the im2col of the stretched, padded
    input and ``W`` holds the flipped kernels (see the module docstring).

    Raises
    ------
    ValueError
        When ``X`` would exceed ``GEMM_LIMIT`` entries.

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
    n_x, _ = gemm_counts(s)
    if n_x > GEMM_LIMIT:
        raise ValueError(
            f"the im2col matrix X of this convolution would hold {n_x:,} entries "
            f"(limit {GEMM_LIMIT:,}): read its size from stats() instead"
        )
    if s.kind == "transpose":
        return _transpose_gemm(d)
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


def _transpose_gemm(d: Derivation) -> tuple[sympy.Matrix, sympy.Matrix]:
    """The stretched-input GEMM of a transposed convolution (module docstring).

    The transposed layer's taps are ``(o, i, k)`` with ``o = q*P + p`` (output
    channel ``q``, position ``p`` of ``P``), ``i = c*M + m`` (input channel ``c``,
    position ``m`` of ``M``) and ``k = (c*C_out/G + q_local)*K + j``.
    """
    s = d.spec
    positions, m_in = int(np.prod(s.in_size)), int(np.prod(s.out_size))
    k = int(np.prod(s.kernel_size))
    c_in, c_out, groups = s.out_channels, s.in_channels, s.groups  # of the transposed layer
    cin_g, cout_g = c_in // groups, c_out // groups
    xs = list(np.asarray(d.input.tolist(), dtype=object).reshape(-1))
    ws = list(np.asarray(d.weight.tolist(), dtype=object).reshape(-1))
    t = d.taps
    o, i, kk = (a.astype(np.int64) for a in (t.o, t.i, t.k))
    q, p = o // positions, o % positions
    first = q % cout_g == 0  # one output channel per group reads every input it needs
    c, j = i[first] // m_in, kk[first] % k
    X = sympy.zeros(positions, c_in * k)
    for r, col, v in zip(p[first].tolist(), (c * k + (k - 1 - j)).tolist(), i[first].tolist()):
        X[r, col] += xs[v]
    W = sympy.zeros(c_in * k, c_out)
    for qq in range(c_out):
        g, q_local = divmod(qq, cout_g)
        for cc in range(g * cin_g, (g + 1) * cin_g):
            for jj in range(k):
                W[cc * k + (k - 1 - jj), qq] = ws[(cc * cout_g + q_local) * k + jj]
    return X, W
