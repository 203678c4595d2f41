"""The labelled block partition of T: one block per channel pair and first-axis kernel row (core).

Layer: core.  From the Kronecker form ``T = sum_k w_k (E (x) S_1 (x) ... (x) S_N)``
(``core/_structure.py``), :func:`block_partition` groups the terms by the
channel pair ``(q, c)`` (the position of the 1 in ``E``) and, for ``N >= 2``,
the kernel index ``j`` along the first spatial axis.  Each group is one
labelled block ``W^{(q,c)}_j = sum over the other kernel indices of
w (S_2 (x) ... (x) S_N)``, of size ``(m_2 ... m_N) x (n_2 ... n_N)``, and it sits
at block row ``q*m_1 + a``, block column ``c*n_1 + b`` wherever ``S_1[j][a, b] = 1``.
In 2-D each ``W`` is Toeplitz (stride 1) and the labels repeat along block
diagonals: doubly block Toeplitz, per channel pair.  In 1-D with channels the
block of a channel pair is ``W^{(q,c)} = sum_j w[q, c, j] S_j`` (Toeplitz).
A block two taps land on (reflect/replicate padding) carries both labels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import sympy

from ._structure import kronecker_form

if TYPE_CHECKING:
    from ._derivation import Derivation

#: A block's label: (q, c, j) with channels, (j,) without, (q, c) for 1-D with channels.
Key = tuple[int, ...]


@dataclass(frozen=True)
class BlockPartition:
    """``T`` as a grid of labelled blocks.

    Attributes
    ----------
    grid : tuple of tuple of tuple of Key
        Per block row and block column, the labels of the blocks summed there
        (empty: a zero block).
    blocks : dict
        Label -> its block, a SymPy matrix of shape ``block_shape``.
    block_shape : (int, int)
        Rows and columns of one block.
    channels : bool
        Whether labels carry a channel pair ``(q, c)``.
    channel_shape : (int, int)
        Output and input channels of ``T``'s channel blocks (``(1, 1)`` without).

    Examples
    --------
    >>> import symconv as sc, sympy
    >>> d = sc.correlate(sympy.symarray("x", (3, 3)), sympy.symarray("w", (2, 2)))
    >>> bp = block_partition(d)
    >>> bp.grid[0], bp.block_shape
    ((((0,),), ((1,),), ()), (2, 3))
    >>> bp.blocks[(1,)]
    Matrix([
    [w_1_0, w_1_1,     0],
    [    0, w_1_0, w_1_1]])
    """

    grid: tuple[tuple[tuple[Key, ...], ...], ...]
    blocks: dict[Key, sympy.Matrix]
    block_shape: tuple[int, int]
    channels: bool
    channel_shape: tuple[int, int] = (1, 1)

    def matrix(self) -> sympy.Matrix:
        """``T`` reassembled from the labelled blocks (equal to ``d.matrix``)."""
        h, w = self.block_shape
        out = sympy.zeros(len(self.grid) * h, len(self.grid[0]) * w)
        for r, row in enumerate(self.grid):
            for c, keys in enumerate(row):
                for key in keys:
                    out[r * h:(r + 1) * h, c * w:(c + 1) * w] += self.blocks[key]
        return out


def block_partition(d: Derivation) -> BlockPartition:
    """The labelled block partition of ``d.matrix`` (see the module notes).

    Raises
    ------
    TypeError
        When ``d`` is not a symconv Derivation.
    ValueError
        For a one-channel 1-D derivation (its blocks would be single entries).

    Examples
    --------
    Two input channels, one output channel: one Toeplitz block per channel pair.

    >>> import symconv as sc
    >>> bp = block_partition(sc.Conv1d(2, 1, 2, bias=False).derive(input_size=(2, 3)))
    >>> bp.grid, bp.block_shape, bp.channel_shape
    (((((0, 0),), ((0, 1),)),), (2, 3), (1, 2))
    >>> bp.blocks[(0, 1)]
    Matrix([
    [w_0_1_0, w_0_1_1,       0],
    [      0, w_0_1_0, w_0_1_1]])
    """
    from ._derivation import Derivation

    if not isinstance(d, Derivation):
        raise TypeError(f"`d` must be a symconv Derivation (from .derive() or sc.correlate), "
                        f"got {type(d).__name__}")
    kf = kronecker_form(d)
    has_e = d.spec.has_channels
    ndim = d.spec.ndim
    e_shape = kf.terms[0].factors[0].shape if has_e else (1, 1)
    channels = has_e and e_shape != (1, 1)
    if ndim == 1 and not channels:
        raise ValueError("`d` must have two or more spatial axes, or channels, for block "
                         f"labels (got a one-channel {ndim}-D convolution)")
    off = 1 if has_e else 0
    first = 1 if ndim >= 2 else 0  # spatial factors grouped by their first axis
    if first:
        m1, n1 = kf.axis_sizes[off]
        rest = kf.axis_sizes[off + 1:]
    else:
        m1, n1 = 1, 1
        rest = kf.axis_sizes[off:]
    bh = int(np.prod([r for r, _ in rest]))
    bw = int(np.prod([c for _, c in rest]))
    cells: dict[tuple[int, int], list[Key]] = {}
    blocks: dict[Key, sympy.Matrix] = {}
    for term in kf.terms:
        e = term.factors[0] if has_e else np.ones((1, 1), dtype=np.int64)
        spatial = term.factors[off:]
        inner = np.ones((1, 1), dtype=np.int64)
        for f in spatial[first:]:
            inner = np.kron(inner, f)
        s1 = spatial[0] if first else np.ones((1, 1), dtype=np.int64)
        row: Key = (int(term.index[-ndim]),) if first else ()
        for q, c in zip(*np.nonzero(e)):
            pair: Key = (int(q), int(c)) if channels else ()
            key: Key = pair + row
            if key not in blocks:  # S_1[j] is the same for every term of this label
                blocks[key] = sympy.zeros(bh, bw)
                for a, b in zip(*np.nonzero(s1)):
                    cell = cells.setdefault((int(q) * m1 + int(a), int(c) * n1 + int(b)), [])
                    cell.extend([key] * int(s1[a, b]))  # twice where two taps land
            blocks[key] += term.weight * sympy.Matrix(inner)
    n_rows, n_cols = e_shape[0] * m1, e_shape[1] * n1
    grid = tuple(tuple(tuple(sorted(cells.get((r, c), []))) for c in range(n_cols))
                 for r in range(n_rows))
    return BlockPartition(grid, blocks, (bh, bw), channels,
                          (int(e_shape[0]), int(e_shape[1])))
