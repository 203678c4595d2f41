"""Block-partitioned LaTeX of T: the Kronecker form, labelled blocks and the DFT diagonalisation.

Layer: rendering.  :func:`structure_latex` writes, for one derivation, the
statement ``T = sum_k w_k (E (x) S_j1 (x) ... )``, the matrix ``T`` with its
block partition drawn (``|`` between column blocks, ``\\hline`` between row
blocks), the matrix of block labels (``W_j`` for the Toeplitz block of kernel
row ``j``, ``W^{(q,c)}_j`` per channel pair, ``W^{(q,c)}`` in 1-D with channels;
``0`` for an empty block; ``core/_blocks.py``) with each block written out, and, when
``T`` is circulant, ``F T F^{-1} = diag(lambda)``.  Only this module (and the
other rendering modules) know LaTeX; the structure comes from
``core/_structure.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..boundary._values import SYMARRAY_NAME
from ..core._structure import circulant_reason, diagonalize, kronecker_form
from ._tex import environment, group, join, latex, sub, symbol_name

if TYPE_CHECKING:
    from ..core._derivation import Derivation

#: Matrices wider or taller than this are not written out entry by entry.
MAX_SIDE = 40


def name_of(s: Any) -> str:
    """``w_0_1`` -> ``w_{0,1}`` (symarray names); other names through :func:`symbol_name`."""
    name = str(getattr(s, "name", s))
    m = SYMARRAY_NAME.match(name)
    if m:
        return sub(symbol_name(m.group(1)), ",".join(m.group(2).split("_")[1:]))
    return symbol_name(name)


def tex(value: Any) -> str:
    """Math-mode LaTeX of a SymPy value with symconv's names."""
    return latex(value, name_of)


def _partition(d: Derivation) -> tuple[list[int], list[int], int, int]:
    """Row and column block sizes (the last spatial axis), and the channel block sizes.

    Blocks follow the innermost Kronecker factor; a layer's channel blocks (every
    spatial axis) are drawn with double rules when there are finer blocks inside.
    """
    kf = kronecker_form(d)
    sizes = kf.axis_sizes
    if len(sizes) == 1:
        return [kf.shape[0]], [kf.shape[1]], kf.shape[0], kf.shape[1]
    inner_r, inner_c = sizes[-1]
    off = 1 if d.spec.has_channels else 0
    chan_r = int(np.prod([r for r, _ in sizes[off:]]))
    chan_c = int(np.prod([c for _, c in sizes[off:]]))
    return ([inner_r] * (kf.shape[0] // inner_r), [inner_c] * (kf.shape[1] // inner_c),
            chan_r, chan_c)


def block_matrix(d: Derivation) -> str:
    r"""``T`` as an ``array`` with its block partition drawn.

    Examples
    --------
    >>> import symconv as sc, sympy
    >>> d = sc.correlate(sympy.symarray("x", (3, 3)), sympy.symarray("w", (2, 2)))
    >>> print(block_matrix(d).splitlines()[1])
    \begin{array}{ccc|ccc|ccc}
    """
    t = d.matrix
    if max(t.shape) > MAX_SIDE:
        raise ValueError(f"`d` has a {t.shape[0]} x {t.shape[1]} matrix, too large to write "
                         f"out (limit {MAX_SIDE} per side); use a smaller instance")
    rows, cols, chan_r, chan_c = _partition(d)
    spec, c0 = "", 0
    for b, w in enumerate(cols):
        c0 += w
        spec += "c" * w
        if b < len(cols) - 1:
            spec += "||" if c0 % chan_c == 0 and chan_c != cols[0] else "|"
    lines = []
    r0 = 0
    for b, h in enumerate(rows):
        for r in range(r0, r0 + h):
            lines.append(join(" & ", [tex(t[r, c]) if t[r, c] != 0 else "0"
                                      for c in range(t.shape[1])]) + r" \\")
        r0 += h
        if b < len(rows) - 1:
            double = r0 % chan_r == 0 and chan_r != rows[0]
            lines.append(r"\hline\hline" if double else r"\hline")
    body = environment("array", "\n".join(lines), spec)
    return r"\left[" + "\n" + body + "\n" + r"\right]"


def _label(key: tuple[int, ...], channels: bool) -> str:
    """``W_{j}``, ``W^{(q,c)}_{j}`` or ``W^{(q,c)}`` for one block label."""
    if not channels:
        return sub("W", ",".join(map(str, key)))
    pair = "^{(" + f"{key[0]},{key[1]}" + ")}"
    return "W" + pair + ("_{" + ",".join(map(str, key[2:])) + "}" if key[2:] else "")


def block_labels(d: Derivation) -> str:
    r"""The matrix of block labels with each labelled block written out.

    One channel, 2-D or more: block ``(a, b)`` is ``W_j = sum w[j, ...] (S (x) ...)``
    when kernel row ``j`` (first spatial axis) links output row ``a`` to input
    row ``b``; it depends on ``b - a`` only (doubly block Toeplitz with stride 1).
    With channels, the blocks of channel pair ``(q, c)`` are ``W^{(q,c)}_j`` (one
    doubly block Toeplitz matrix per pair, separated by rules), and in 1-D the
    pair's whole block ``W^{(q,c)} = sum_j w[q, c, j] S_j``.  See
    :func:`symconv.core._blocks.block_partition`.

    Raises
    ------
    ValueError
        For a one-channel 1-D convolution (no blocks to label).

    Examples
    --------
    >>> import symconv as sc, sympy
    >>> d = sc.correlate(sympy.symarray("x", (3, 3)), sympy.symarray("w", (2, 2)))
    >>> print(block_labels(d).splitlines()[0])
    T = \begin{bmatrix}
    >>> d = sc.Conv1d(2, 1, 2, bias=False).derive(input_size=(2, 3))
    >>> print(block_labels(d).splitlines()[:3])
    ['T = \\left[', '\\begin{array}{c|c}', 'W^{(0,0)} & W^{(0,1)}']
    """
    from ..core._blocks import block_partition

    bp = block_partition(d)
    cells = [[join(" + ", [_label(k, bp.channels) for k in keys]) if keys else "0"
              for keys in row] for row in bp.grid]
    body = join(r" \\" + "\n", [join(" & ", r) for r in cells])
    if not bp.channels:
        outer = "T = " + environment("bmatrix", body)
    else:
        n_out, n_in = bp.channel_shape
        per_r, per_c = len(cells) // n_out, len(cells[0]) // n_in
        spec = "|".join(["c" * per_c] * n_in)
        lines = []
        for r, row in enumerate(cells):
            lines.append(join(" & ", row) + (r" \\" if r < len(cells) - 1 else ""))
            if (r + 1) % per_r == 0 and r < len(cells) - 1:
                lines.append(r"\hline")
        outer = ("T = \\left[\n" + environment("array", "\n".join(lines), spec)
                 + "\n\\right]")
    defs = []
    for key in sorted(bp.blocks):
        entries = bp.blocks[key]
        rows = [join(" & ", [tex(entries[r, c]) for c in range(entries.shape[1])])
                for r in range(entries.shape[0])]
        defs.append(_label(key, bp.channels) + " = "
                    + environment("bmatrix", join(r" \\" + "\n", rows)))
    return outer + ",\\quad\n" + join(",\\quad\n", defs)


def structure_latex(d: Derivation) -> str:
    r"""Math-mode LaTeX of T's structure: Kronecker form, block partition, DFT when circulant.

    Parameters
    ----------
    d : Derivation
        Any derivation small enough to write out (``MAX_SIDE`` rows and columns).

    Returns
    -------
    str
        A ``gathered`` block for a display environment.

    Raises
    ------
    ValueError
        When ``T`` is too large to write out.

    Examples
    --------
    >>> import symconv as sc, sympy
    >>> d = sc.convolve(sympy.symarray("x", 3), sympy.symarray("w", 2), mode="circular")
    >>> out = sc.structure_latex(d)
    >>> r"F T F^{-1}" in out and r"\operatorname{diag}" in out
    True
    """
    kf = kronecker_form(d)
    channel = [sub("E", "q,c")] if d.spec.has_channels else []
    factor = join(r" \otimes ", channel + [sub("S", f"j_{a + 1}") for a in range(d.spec.ndim)])
    parts = [r"T = \sum_{k} w_k\, " + group(factor)]
    parts.append("T = " + block_matrix(d))
    one_channel = not d.spec.has_channels or kf.terms[0].factors[0].size == 1
    if d.spec.ndim >= 2 or not one_channel:
        parts.append(block_labels(d))
    if circulant_reason(d.spec) is None:
        dg = diagonalize(d)
        eig = join(", ", [tex(v) for v in dg.eigenvalues])
        parts.append(r"F T F^{-1} = \operatorname{diag}" + group(r"\left(" + eig + r"\right)"))
    return environment("gathered", join(r" \\" + "\n", parts))
