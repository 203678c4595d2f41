"""The tap table: the one data structure every view of a convolution groups.

A tap ``(o, i, k)`` says "output ``o`` receives weight ``k`` times input ``i``"
(flat C-order indices over ``(channels, *spatial)``).  The table is built with
vectorised NumPy in O(number of products), sorted by output, in the smallest
unsigned integer dtype that holds each index.  No SymPy here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ._spec import ConvSpec


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
    """

    o: np.ndarray
    i: np.ndarray
    k: np.ndarray
    out_shape: tuple[int, ...]
    in_shape: tuple[int, ...]
    weight_shape: tuple[int, ...]

    @property
    def n_out(self) -> int:
        return int(np.prod(self.out_shape))

    @property
    def n_in(self) -> int:
        return int(np.prod(self.in_shape))

    @property
    def n_weight(self) -> int:
        return int(np.prod(self.weight_shape))

    def __len__(self) -> int:
        return int(self.o.size)

    @property
    def nbytes(self) -> int:
        """Memory held by the three index arrays."""
        return int(self.o.nbytes + self.i.nbytes + self.k.nbytes)

    @cached_property
    def starts(self) -> np.ndarray:
        """``starts[o] : starts[o + 1]`` is the slice of the taps of output ``o``."""
        return np.searchsorted(self.o, np.arange(self.n_out + 1), side="left")

    @cached_property
    def entries(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Distinct ``(o, i)`` positions of T, in row-major order, and each tap's entry.

        Returns ``(rows, cols, entry_of_tap)``: position ``e`` of T is
        ``(rows[e], cols[e])`` and tap ``t`` lands on entry ``entry_of_tap[t]``.
        With zero padding every tap has its own entry; reflect, replicate and
        circular padding can fold several taps onto one entry (a sum of weights).
        """
        key = self.o.astype(np.int64) * self.n_in + self.i
        order = np.argsort(key, kind="stable")
        sorted_key = key[order]
        new = np.empty(sorted_key.size, dtype=bool)
        new[:1] = True
        np.not_equal(sorted_key[1:], sorted_key[:-1], out=new[1:])
        entry_sorted = np.cumsum(new) - 1
        entry_of_tap = np.empty_like(entry_sorted)
        entry_of_tap[order] = entry_sorted
        uniq = sorted_key[new]
        return uniq // self.n_in, uniq % self.n_in, entry_of_tap

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


def forward_taps(spec: ConvSpec) -> TapTable:
    """The taps of the forward convolution described by ``spec``.

    Sorted by output index; within an output by input channel, then kernel
    position (correlation order), so the terms of ``y[o]`` read in kernel order.
    """
    nd = spec.ndim
    s_out = int(np.prod(spec.out_size))
    s_in = int(np.prod(spec.in_size))
    s_k = int(np.prod(spec.kernel_size))

    # Spatial part: arrays of shape (*out_size, *kernel_size), flattened to (s_out, s_k).
    i_sp = np.zeros((1,) * (2 * nd), dtype=np.int64)
    k_sp = np.zeros((1,) * (2 * nd), dtype=np.int64)
    valid = np.ones((1,) * (2 * nd), dtype=bool)
    in_strides = np.cumprod((1, *spec.in_size[::-1]))[:-1][::-1]
    k_strides = np.cumprod((1, *spec.kernel_size[::-1]))[:-1][::-1]
    for d in range(nd):
        lo = spec.padding[d][0]
        i_d, v_d, kw_d = _axis(
            spec.in_size[d],
            spec.out_size[d],
            spec.kernel_size[d],
            spec.stride[d],
            spec.dilation[d],
            lo,
            spec.padding_mode,
            spec.flip,
        )
        shape = [1] * (2 * nd)
        shape[d], shape[nd + d] = spec.out_size[d], spec.kernel_size[d]
        i_sp = i_sp + i_d.reshape(shape) * int(in_strides[d])
        valid = valid & v_d.reshape(shape)
        kshape = [1] * (2 * nd)
        kshape[nd + d] = spec.kernel_size[d]
        k_sp = k_sp + kw_d.reshape(kshape) * int(k_strides[d])
    full = (*spec.out_size, *spec.kernel_size)
    i_sp = np.broadcast_to(i_sp, full).reshape(s_out, s_k)
    k_sp = np.broadcast_to(k_sp, full).reshape(s_out, s_k)
    valid = np.broadcast_to(valid, full).reshape(s_out, s_k)

    c_out, groups = spec.out_channels, spec.groups
    cin_g = spec.in_channels // groups
    n_out, n_in = c_out * s_out, spec.in_channels * s_in
    n_w = c_out * cin_g * s_k
    dt_o, dt_i, dt_k = index_dtype(n_out), index_dtype(n_in), index_dtype(n_w)

    # Channels: the table is the grid (c_out, s_out, cin_g, s_k) restricted to valid taps.
    co = np.arange(c_out)
    ci = np.arange(cin_g)
    group = co // (c_out // groups)
    o_sp = np.arange(s_out)
    mask = np.broadcast_to(valid[None, :, None, :], (c_out, s_out, cin_g, s_k))
    # Channel offsets are computed on the small per-channel arrays in int64 and cast;
    # every partial sum is below the final index, so the narrow dtype cannot overflow.
    grid_o = (co * s_out).astype(dt_o)[:, None] + o_sp.astype(dt_o)[None, :]
    o = np.broadcast_to(grid_o[:, :, None, None], mask.shape)[mask]
    chan_in = ((group[:, None] * cin_g + ci[None, :]) * s_in).astype(dt_i)
    i = (chan_in[:, None, :, None] + i_sp.astype(dt_i)[None, :, None, :])
    i = np.broadcast_to(i, mask.shape)[mask]
    chan_w = ((co[:, None] * cin_g + ci[None, :]) * s_k).astype(dt_k)
    k = np.broadcast_to(chan_w[:, None, :, None] + k_sp.astype(dt_k)[None, :, None, :],
                        mask.shape)[mask]
    return TapTable(
        o=o,
        i=i,
        k=k,
        out_shape=spec.forward_out_shape,
        in_shape=spec.forward_in_shape,
        weight_shape=spec.weight_shape,
    )


def build_taps(spec: ConvSpec) -> TapTable:
    """The taps of the operation ``spec`` describes (transposed layers swap roles)."""
    taps = forward_taps(spec)
    return taps.swapped() if spec.kind == "transpose" else taps
