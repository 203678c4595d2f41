"""The tap table: the one data structure every view of a convolution groups.

Layer: core. Over 400 lines: the one tap law, enumerated per padding mode and counted
without enumeration; one law, kept in one place.

A tap ``(o, i, k)`` says "output ``o`` receives weight ``k`` times input ``i``"
(flat C-order indices over ``(channels, *spatial)``).  The table is built with
vectorised NumPy in O(number of products), sorted by output, in the smallest
unsigned integer dtype that holds each index.  No SymPy here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..boundary._spec import ConvSpec


def index_dtype(size: int) -> np.dtype:
    """The smallest unsigned integer dtype holding ``0 .. size - 1``."""
    return np.min_scalar_type(max(size - 1, 0))


@dataclass(frozen=True, eq=False)
class TapTable:
    """Taps of one convolution, sorted by output index.

    Attributes
    ----------
    o, i, k : numpy.ndarray
        Flat output, input and weight index of every product.
    out_shape, in_shape, weight_shape : tuple of int
        Shapes of the operation's output, input and weight.

    Examples
    --------
    The seed's valid correlation: output ``o`` reads inputs ``o .. o + 2``.

    >>> import symconv as sc
    >>> t = sc.correlate([1, 2, 3, 4], [5, 6, 7]).taps
    >>> t.o.tolist(), t.i.tolist(), t.k.tolist()
    ([0, 0, 0, 1, 1, 1], [0, 1, 2, 1, 2, 3], [0, 1, 2, 0, 1, 2])
    """

    o: np.ndarray
    i: np.ndarray
    k: np.ndarray
    out_shape: tuple[int, ...]
    in_shape: tuple[int, ...]
    weight_shape: tuple[int, ...]

    @cached_property  # read in per-tap loops: computed once
    def n_out(self) -> int:
        """Number of outputs (rows of T)."""
        return int(np.prod(self.out_shape))

    @cached_property  # read in per-tap loops: computed once
    def n_in(self) -> int:
        """Number of inputs (columns of T)."""
        return int(np.prod(self.in_shape))

    @cached_property  # read in per-tap loops: computed once
    def n_weight(self) -> int:
        """Number of weights (columns of P)."""
        return int(np.prod(self.weight_shape))

    def __len__(self) -> int:
        return int(self.o.size)

    @property
    def nbytes(self) -> int:
        """Memory held by the three index arrays."""
        return int(self.o.nbytes + self.i.nbytes + self.k.nbytes)

    @cached_property
    def starts(self) -> np.ndarray:
        """``starts[o] : starts[o + 1]`` is the slice of the taps of output ``o``.

        The outputs searched for have the table's own dtype: mixing dtypes would
        make ``searchsorted`` widen the whole ``o`` column first (a 290 MB
        temporary for 36 million taps).
        """
        first = np.searchsorted(self.o, np.arange(self.n_out, dtype=self.o.dtype), side="left")
        return np.append(first, len(self)).astype(np.int64)

    @cached_property
    def entries(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Distinct ``(o, i)`` positions of T, in row-major order, and each tap's entry.

        Returns ``(rows, cols, entry_of_tap)``: position ``e`` of T is
        ``(rows[e], cols[e])`` and tap ``t`` lands on entry ``entry_of_tap[t]``.
        With zero padding every tap has its own entry; reflect, replicate and
        circular padding can fold several taps onto one entry (a sum of weights).
        Like the table, the arrays use the smallest unsigned dtype that fits;
        when the taps are already in row-major order with one tap per entry (zero
        padding), ``rows`` and ``cols`` are the table's own ``o`` and ``i``.
        """
        o, i, n = self.o, self.i, len(self)
        if _row_major_unique(o, i):
            return o, i, np.arange(n, dtype=index_dtype(n))
        key = o.astype(np.int64) * self.n_in + i
        order = np.argsort(key, kind="stable")
        sorted_key = key[order]
        del key
        new = np.empty(n, dtype=bool)
        new[:1] = True
        np.not_equal(sorted_key[1:], sorted_key[:-1], out=new[1:])
        del sorted_key
        dt = index_dtype(n)
        entry_sorted = np.cumsum(new, dtype=dt)
        entry_sorted -= dt.type(1)
        entry_of_tap = np.empty(n, dtype=index_dtype(int(entry_sorted[-1]) + 1))
        entry_of_tap[order] = entry_sorted
        first = order[new]
        return o[first], i[first], entry_of_tap

    @cached_property
    def has_folded_entries(self) -> bool:
        """Whether some entry of T is a sum of several taps (non-zero padding)."""
        return bool(self.entries[0].size != len(self))

    def swapped(self) -> TapTable:
        """The taps with inputs and outputs exchanged (the transposed operation)."""
        order = np.argsort(self.i, kind="stable")
        return TapTable(
            o=self.i[order],
            i=self.o[order],
            k=self.k[order],
            out_shape=self.in_shape,
            in_shape=self.out_shape,
            weight_shape=self.weight_shape,
        )


def _row_major_unique(o: np.ndarray, i: np.ndarray, chunk: int = 1 << 20) -> bool:
    """Whether the taps are in row-major order of T with one tap per entry.

    Checked in chunks, so the comparison needs no table-sized temporaries.
    """
    for a in range(0, o.size - 1, chunk):
        b = min(a + chunk, o.size - 1)
        if np.any((o[a + 1 : b + 1] == o[a:b]) & (i[a + 1 : b + 1] <= i[a:b])):
            return False
    return True


def _axis(
    n_in: int,
    n_out: int,
    k: int,
    stride: int,
    dilation: int,
    lo: int,
    padding_mode: str,
    flip: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One spatial axis: input index and validity of output ``o`` at kernel position ``j``.

    Returns ``(i, valid, kw)`` with ``i`` and ``valid`` of shape ``(n_out, k)`` and
    ``kw`` the weight index of each kernel position (reversed when flipped).
    """
    p = np.arange(n_out)[:, None] * stride + np.arange(k)[None, :] * dilation - lo
    if padding_mode == "zeros":
        valid = (p >= 0) & (p < n_in)
        i = np.where(valid, p, 0)
    elif padding_mode == "reflect":
        period = 2 * (n_in - 1) if n_in > 1 else 1
        q = np.mod(p, period)
        i = np.where(q < n_in, q, period - q)
        valid = np.ones_like(p, dtype=bool)
    elif padding_mode == "replicate":
        i = np.clip(p, 0, n_in - 1)
        valid = np.ones_like(p, dtype=bool)
    else:  # circular
        i = np.mod(p, n_in)
        valid = np.ones_like(p, dtype=bool)
    kw = np.arange(k)[::-1] if flip else np.arange(k)
    return i, valid, kw


def _spec_axis(spec: ConvSpec, d: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_axis` for spatial axis ``d`` of ``spec``."""
    return _axis(spec.in_size[d], spec.out_size[d], spec.kernel_size[d], spec.stride[d],
                 spec.dilation[d], spec.padding[d][0], spec.padding_mode, spec.flip)


def axis_law(spec: ConvSpec, d: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The tap law of spatial axis ``d``: ``(i, valid, kw)`` as :func:`_axis` returns them.

    ``i[o, j]`` is the input index that output ``o`` reads at kernel position
    ``j`` (``s*o + d*j - lo``, mapped back into ``0 .. n-1`` for reflect,
    replicate and circular padding -- circular is ``mod n``), ``valid[o, j]``
    whether the tap exists (zero padding drops it), ``kw[j]`` the weight index.
    The structure views (Kronecker form, selection matrices) read the law here.

    Examples
    --------
    >>> import symconv as sc
    >>> i, valid, kw = axis_law(sc.convolve([1, 2, 3], [1, 2], mode="circular").spec, 0)
    >>> i.tolist(), kw.tolist()
    ([[2, 0], [0, 1], [1, 2]], [1, 0])
    """
    return _spec_axis(spec, d)


def _spatial_taps(spec: ConvSpec) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The taps of one input channel onto one output channel: ``(o_sp, i_sp, k_sp)``.

    Flat spatial indices, sorted by output position, then kernel position
    (correlation order).  Small: at most ``prod(out_size) * prod(kernel_size)``.
    """
    nd = spec.ndim
    i_sp = np.zeros((1,) * (2 * nd), dtype=np.int64)
    k_sp = np.zeros((1,) * (2 * nd), dtype=np.int64)
    valid = np.ones((1,) * (2 * nd), dtype=bool)
    in_strides = np.cumprod((1, *spec.in_size[::-1]))[:-1][::-1]
    k_strides = np.cumprod((1, *spec.kernel_size[::-1]))[:-1][::-1]
    for d in range(nd):
        i_d, v_d, kw_d = _spec_axis(spec, d)
        shape = [1] * (2 * nd)
        shape[d], shape[nd + d] = spec.out_size[d], spec.kernel_size[d]
        i_sp = i_sp + i_d.reshape(shape) * int(in_strides[d])
        valid = valid & v_d.reshape(shape)
        kshape = [1] * (2 * nd)
        kshape[nd + d] = spec.kernel_size[d]
        k_sp = k_sp + kw_d.reshape(kshape) * int(k_strides[d])
    full = (*spec.out_size, *spec.kernel_size)
    s_out, s_k = int(np.prod(spec.out_size)), int(np.prod(spec.kernel_size))
    mask = np.broadcast_to(valid, full).reshape(s_out, s_k)
    o_sp = np.broadcast_to(np.arange(s_out)[:, None], mask.shape)[mask]
    i_sp = np.broadcast_to(i_sp, full).reshape(s_out, s_k)[mask]
    k_sp = np.broadcast_to(k_sp, full).reshape(s_out, s_k)[mask]
    return o_sp, i_sp, k_sp


def _assemble(
    rows: np.ndarray,
    cols: np.ndarray,
    ks: np.ndarray,
    n_rows: int,
    inner: int,
    col_step: int,
    k_step: int,
    outer: tuple[np.ndarray, np.ndarray, np.ndarray],
    dtypes: tuple[np.dtype, np.dtype, np.dtype],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Repeat a spatial table over channels, in the table's order, with no full-size temporaries.

    The spatial taps ``(rows, cols, ks)`` (sorted by row) are first repeated over
    ``inner`` channels -- for each row, its taps once per inner channel, which
    shifts ``cols`` by ``col_step`` and ``ks`` by ``k_step`` -- giving a *pattern*
    the size of one outer channel.  Each outer channel ``a`` then adds its own
    offsets ``outer[0][a], outer[1][a], outer[2][a]`` to the pattern, written
    straight into the final arrays (one broadcast add each).
    """
    if inner == 1:  # one channel per group: the spatial table is the pattern
        pattern = (rows, cols, ks)
    else:
        # Rank of every spatial tap within its row, to lay the rows out on a padded grid.
        starts = np.searchsorted(rows, np.arange(n_rows + 1))
        counts = np.diff(starts)
        width = int(counts.max()) if counts.size else 0
        rank = np.arange(rows.size) - starts[rows]
        grid = np.full((n_rows, width), -1, dtype=np.int64)
        grid[rows, rank] = np.arange(rows.size)
        taps = np.broadcast_to(grid[:, None, :], (n_rows, inner, width))
        mask = taps >= 0
        tap = taps[mask]  # spatial tap of every pattern entry, in (row, inner, rank) order
        chan = np.broadcast_to(np.arange(inner)[None, :, None], mask.shape)[mask]
        pattern = (rows[tap], chan * col_step + cols[tap], chan * k_step + ks[tap])
    n_outer = outer[0].size
    result = []
    for base, pat, dt in zip(outer, pattern, dtypes):
        # Offsets and pattern entries are below the final indices, so the narrow
        # dtype cannot overflow in the sum.
        out = np.empty((n_outer, pat.size), dtype=dt)
        np.add(base.astype(dt)[:, None], pat.astype(dt)[None, :], out=out)
        result.append(out.reshape(-1))
    return result[0], result[1], result[2]


def forward_taps(spec: ConvSpec) -> TapTable:
    """The taps of the forward convolution described by ``spec``.

    Sorted by output index; within an output by input channel, then kernel
    position (correlation order), so the terms of ``y[o]`` read in kernel order.
    """
    return _channel_taps(spec, swap=False)


def _channel_taps(spec: ConvSpec, *, swap: bool) -> TapTable:
    """The forward taps (``swap=False``) or the same taps with inputs and outputs exchanged.

    Either way the table is the spatial taps of one channel pair repeated over
    channels (:func:`_assemble`).  Forward: outer channel = output channel
    ``co``, inner = input channel of its group.  Swapped: outer = input channel
    ``ci``, inner = output channel of its group; the spatial taps are re-sorted
    by input position (stably, so each row keeps the forward order), which gives
    exactly the order of :meth:`TapTable.swapped`.
    """
    s_out = int(np.prod(spec.out_size))
    s_in = int(np.prod(spec.in_size))
    s_k = int(np.prod(spec.kernel_size))
    c_in, c_out, groups = spec.in_channels, spec.out_channels, spec.groups
    cin_g, cout_g = c_in // groups, c_out // groups
    n_out, n_in, n_w = c_out * s_out, c_in * s_in, c_out * cin_g * s_k
    o_sp, i_sp, k_sp = _spatial_taps(spec)
    out_shape, in_shape = spec.forward_out_shape, spec.forward_in_shape
    if not swap:
        co = np.arange(c_out)
        outer = (co * s_out, (co // cout_g) * cin_g * s_in, co * cin_g * s_k)
        dtypes = (index_dtype(n_out), index_dtype(n_in), index_dtype(n_w))
        o, i, k = _assemble(o_sp, i_sp, k_sp, s_out, cin_g, s_in, s_k, outer, dtypes)
        return TapTable(o=o, i=i, k=k, out_shape=out_shape, in_shape=in_shape,
                        weight_shape=spec.weight_shape)
    order = np.argsort(i_sp, kind="stable")
    ci = np.arange(c_in)
    g = ci // cin_g
    outer = (ci * s_in, g * cout_g * s_out, g * cout_g * cin_g * s_k + (ci % cin_g) * s_k)
    dtypes = (index_dtype(n_in), index_dtype(n_out), index_dtype(n_w))
    o, i, k = _assemble(
        i_sp[order], o_sp[order], k_sp[order], s_in, cout_g, s_out, cin_g * s_k, outer, dtypes
    )
    return TapTable(o=o, i=i, k=k, out_shape=in_shape, in_shape=out_shape,
                    weight_shape=spec.weight_shape)


def count_taps(spec: ConvSpec) -> int:
    """The number of taps (products) of ``spec``, by arithmetic: nothing is allocated.

    Validity of a tap is a product of per-axis conditions, so the count is the
    product of per-axis counts (:func:`axis_tap_count`) times the channel pairs:
    O(number of axes) integer operations, whatever the sizes.
    """
    n = spec.out_channels * (spec.in_channels // spec.groups)
    for d in range(spec.ndim):
        n *= axis_tap_count(spec.in_size[d], spec.out_size[d], spec.kernel_size[d],
                            spec.stride[d], spec.dilation[d], spec.padding[d][0],
                            spec.padding_mode)
    return n


def table_peak_bytes(spec: ConvSpec) -> int:
    """An upper bound of the memory the tap table and its structure need at their peak.

    Counted by arithmetic before anything is allocated: the index arrays, the
    int64 temporaries of building them (the ``n_out x k`` grids of one channel
    pair, the per-group pattern), ``starts`` (8 bytes per output), and the
    grouping of taps into entries of T -- a stable argsort over int64 keys when
    reflect, replicate or circular padding can fold several taps onto one entry
    (about 25 bytes per product: ``stats()`` of such a layer peaks at 4 to 6 times
    the index arrays alone).

    Examples
    --------
    >>> import symconv as sc
    >>> d = sc.Conv2d(8, 8, 3, padding=1, padding_mode="reflect").derive(input_size=(64, 64))
    >>> table_peak_bytes(d.spec) > 5 * d.taps.nbytes
    True
    """
    n = count_taps(spec)
    s_out = _prod(spec.out_size)
    s_k = _prod(spec.kernel_size)
    grid = s_out * s_k
    pairs = spec.out_channels * (spec.in_channels // spec.groups)
    spatial = n // pairs if pairs else 0
    inner = max(spec.in_channels, spec.out_channels) // spec.groups
    n_out, n_in, n_w = (_prod(spec.forward_out_shape), _prod(spec.forward_in_shape),
                        _prod(spec.weight_shape))
    index = n * sum(index_dtype(v).itemsize for v in (n_out, n_in, n_w))
    build = 17 * grid + 24 * spatial + (40 * spatial * inner if inner > 1 else 0)
    entry = index_dtype(max(n, 1)).itemsize
    folded = spec.padding_mode != "zeros" and any(lo or hi for lo, hi in spec.padding)
    group = n * (25 + 2 * entry) if folded else n * entry
    chunks = 2 * 8 * min(n, 1 << 22)  # _bincount's int64 chunks
    return index + build + group + 8 * (max(n_out, n_in) + 1) + chunks


def _prod(shape: tuple[int, ...]) -> int:
    n = 1
    for v in shape:
        n *= v
    return n


def axis_tap_count(n_in: int, n_out: int, k: int, stride: int, dilation: int, lo: int,
                   padding_mode: str) -> int:
    """The pairs ``(o, j)`` of one axis whose tap exists: ``0 <= s*o + d*j - lo < n_in``.

    Reflect, replicate and circular padding keep every pair (``n_out * k``); zero
    padding drops the reads outside the input.  For kernel position ``j`` the
    outputs that read inside form the range ``max(L_j, 0) .. min(U_j, n_out - 1)``
    with ``L_j = ceil((lo - d*j) / s)`` and ``U_j = floor((n_in - 1 + lo - d*j) / s)``;
    the sums of ``L_j`` and ``U_j`` over ``j`` are floor sums (:func:`floor_sum`),
    so the count costs O(log) integer operations instead of an ``n_out x k`` grid.

    Examples
    --------
    The seed's full convolution (length 4, kernel 3, padding 2 each side) has
    4 * 3 = 12 products; the padded reads drop out of the 6 * 3 pairs:

    >>> axis_tap_count(4, 6, 3, 1, 1, 2, "zeros"), axis_tap_count(4, 6, 3, 1, 1, 2, "reflect")
    (12, 18)
    """
    if n_out <= 0 or k <= 0:
        return 0
    if padding_mode != "zeros":
        return n_out * k
    s, d, m = stride, dilation, n_out
    # j range where some output reads inside: U_j >= 0 and L_j <= m - 1.
    j_lo = max(0, -((s * (m - 1) - lo) // d))  # ceil((lo - s(m-1)) / d)
    j_hi = min(k - 1, (n_in - 1 + lo) // d)
    if j_lo > j_hi:
        return 0
    # min(U_j, m-1): U_j >= m-1 exactly for j <= j_u (U decreases with j).
    j_u = (n_in - 1 + lo - s * (m - 1)) // d
    capped = max(0, min(j_hi, j_u) - j_lo + 1)
    first = max(j_lo, j_u + 1)  # sum U_j over j in first .. j_hi
    upper = capped * (m - 1) + _sum_floor(n_in - 1 + lo, -d, s, first, j_hi)
    # max(L_j, 0): L_j > 0 exactly for j < ceil(lo / d);  L_j = -floor((d*j - lo) / s).
    last = min(j_hi, -(-lo // d) - 1)
    lower = -_sum_floor(-lo, d, s, j_lo, last)
    return upper - lower + (j_hi - j_lo + 1)


def _sum_floor(b: int, a: int, m: int, j0: int, j1: int) -> int:
    """``sum(floor((a*j + b) / m) for j in j0 .. j1)`` (0 for an empty range)."""
    if j1 < j0:
        return 0
    return floor_sum(j1 - j0 + 1, m, a, a * j0 + b)


def floor_sum(n: int, m: int, a: int, b: int) -> int:
    """``sum(floor((a*t + b) / m) for t in range(n))`` in O(log m) steps.

    Any integers ``a`` and ``b``, ``m >= 1``, ``n >= 0`` (the Euclid-like
    reduction of AtCoder Library's ``floor_sum``).

    Examples
    --------
    >>> floor_sum(5, 3, -2, 7) == sum((-2 * t + 7) // 3 for t in range(5))
    True
    """
    total = 0
    q, a = divmod(a, m)  # now 0 <= a < m
    total += q * (n * (n - 1) // 2)
    q, b = divmod(b, m)  # now 0 <= b < m
    total += q * n
    while True:
        if a >= m:
            total += (n * (n - 1) // 2) * (a // m)
            a %= m
        if b >= m:
            total += n * (b // m)
            b %= m
        y_max = a * n + b
        if y_max < m:
            return total
        n, b = divmod(y_max, m)
        m, a = a, m


def build_taps(spec: ConvSpec) -> TapTable:
    """The taps of the operation ``spec`` describes (transposed layers swap roles)."""
    return _channel_taps(spec, swap=spec.kind == "transpose")
