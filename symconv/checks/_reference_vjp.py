"""The NumPy reference's backward pass: each reference loop run in reverse (checks layer).

Layer 4 (checks).  :mod:`symconv.checks._reference` computes every forward
pass as a loop over kernel offsets of ``out[slice] += tap * in[slice]``.  The
vector-Jacobian product of such a loop is the same loop with each statement
transposed: ``d_in[slice] += tap * d_out[slice]`` and
``d_tap += sum(d_out[slice] * in[slice])``; padding is read backwards
(zeros: cropped; reflect, replicate, circular: each padded position added
onto the input it copies).  One pass, linear in the products -- where the
Jacobian built column by column from unit vectors is quadratic.  Like the
forward reference, nothing here shares code with symconv's tap table; the
results are tested against PyTorch's autograd and against that brute-force
Jacobian.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from ..boundary._spec import NUMPY_PAD_MODE
from ._reference import tap_slices

_NP_PAD_MODES = NUMPY_PAD_MODE  # padding-mode names in numpy.pad (one home: the spec)


def _unpad(dxp: np.ndarray, spatial: tuple[int, ...], pads: Any, padding_mode: str
           ) -> np.ndarray:
    """The adjoint of ``np.pad`` over the spatial axes (axis 0 is channels)."""
    if padding_mode == "zeros":
        crop = tuple(slice(lo, lo + n) for (lo, _), n in zip(pads, spatial))
        return dxp[(slice(None),) + crop].copy()
    size = int(np.prod(spatial))
    source = np.pad(np.arange(size).reshape(spatial), pads,
                    mode=_NP_PAD_MODES[padding_mode]).reshape(-1)  # type: ignore[call-overload]
    dx = np.zeros((dxp.shape[0], size), dtype=dxp.dtype)
    for c in range(dxp.shape[0]):
        np.add.at(dx[c], source, dxp[c].reshape(-1))
    return dx.reshape((dxp.shape[0],) + tuple(spatial))


def conv_vjp(x: np.ndarray, w: np.ndarray, g: np.ndarray, *, stride: Any, padding: Any,
             dilation: Any, groups: int, padding_mode: str) -> tuple[np.ndarray, np.ndarray]:
    """``(dL/dx, dL/dw)`` of ``_reference.conv_nd`` for the upstream gradient ``g``."""
    nd = x.ndim - 1
    pads = [tuple(int(v) for v in pair) for pair in padding]
    width = [(0, 0)] + pads
    if padding_mode == "zeros":
        xp = np.pad(x, width, mode="constant")
    else:
        xp = np.pad(x, width, mode=_NP_PAD_MODES[padding_mode])  # type: ignore[call-overload]
    dtype = np.result_type(x, w, g)
    dxp = np.zeros(xp.shape, dtype=dtype)
    dw = np.zeros(w.shape, dtype=dtype)
    c_out, c_in_g, ksize = w.shape[0], w.shape[1], w.shape[2:]
    c_out_g = c_out // groups
    out_shape = g.shape[1:]
    spatial_axes = tuple(range(1, nd + 1))
    for offsets in itertools.product(*(range(k) for k in ksize)):
        window = tap_slices(offsets, dilation, stride, out_shape)
        for grp in range(groups):
            co = slice(grp * c_out_g, (grp + 1) * c_out_g)
            for ci in range(c_in_g):
                src = (grp * c_in_g + ci,) + window
                # forward: y[co] += w[co, ci, offsets] * xp[src]
                dw[(co, ci) + offsets] += np.sum(g[co] * xp[src][None], axis=spatial_axes)
                taps = w[(co, ci) + offsets].reshape((-1,) + (1,) * nd)
                dxp[src] += np.sum(taps * g[co], axis=0)
    return _unpad(dxp, x.shape[1:], pads, padding_mode), dw


def conv_transpose_vjp(x: np.ndarray, w: np.ndarray, g: np.ndarray, *, stride: Any,
                       padding: Any, dilation: Any, groups: int
                       ) -> tuple[np.ndarray, np.ndarray]:
    """``(dL/dx, dL/dw)`` of ``_reference.conv_transpose_nd`` for ``g``."""
    nd = x.ndim - 1
    spatial, ksize = x.shape[1:], w.shape[2:]
    c_in, c_out_g = x.shape[0], w.shape[1]
    c_in_g = c_in // groups
    out_shape = g.shape[1:]
    full = tuple((n - 1) * s + d * (k - 1) + 1
                 for n, s, d, k in zip(spatial, stride, dilation, ksize))
    buf_shape = tuple(max(f, p + o) for f, p, o in zip(full, padding, out_shape))
    dtype = np.result_type(x, w, g)
    gbuf = np.zeros((g.shape[0],) + buf_shape, dtype=dtype)
    gbuf[(slice(None),) + tuple(slice(p, p + o) for p, o in zip(padding, out_shape))] = g
    dx = np.zeros(x.shape, dtype=dtype)
    dw = np.zeros(w.shape, dtype=dtype)
    spatial_axes = tuple(range(1, nd + 1))
    for offsets in itertools.product(*(range(k) for k in ksize)):
        target = tap_slices(offsets, dilation, stride, spatial)
        for grp in range(groups):
            co = slice(grp * c_out_g, (grp + 1) * c_out_g)
            for ci_local in range(c_in_g):
                ci = grp * c_in_g + ci_local
                # forward: buf[co, target] += w[ci, :, offsets] * x[ci]
                read = gbuf[(co,) + target]
                dw[(ci, slice(None)) + offsets] += np.sum(read * x[ci][None], axis=spatial_axes)
                taps = w[(ci, slice(None)) + offsets].reshape((-1,) + (1,) * nd)
                dx[ci] += np.sum(taps * read, axis=0)
    return dx, dw


def signal_vjp(x: np.ndarray, w: np.ndarray, g: np.ndarray, op: str, mode: str
               ) -> tuple[np.ndarray, np.ndarray]:
    """``(dL/dx, dL/dw)`` of ``_reference.signal_nd(x, w, op, mode)`` for ``g``."""
    axes = tuple(range(x.ndim))
    dtype = np.result_type(x, w, g)
    dx = np.zeros(x.shape, dtype=dtype)
    dw = np.zeros(w.shape, dtype=dtype)
    if mode == "circular":
        sign = 1 if op == "convolve" else -1
        for offsets in itertools.product(*(range(k) for k in w.shape)):
            shift = tuple(sign * kk for kk in offsets)
            # forward: z += w[offsets] * roll(x, shift)
            dw[offsets] = np.sum(g * np.roll(x, shift, axis=axes))
            dx += w[offsets] * np.roll(g, tuple(-v for v in shift), axis=axes)
        return dx, dw
    wk = w[(slice(None, None, -1),) * w.ndim] if op == "convolve" else w
    kmax = tuple(k - 1 for k in w.shape)
    full = tuple(n + k for n, k in zip(x.shape, kmax))
    if mode == "full":
        keep = tuple(slice(0, f) for f in full)
    elif mode == "same":
        keep = tuple(slice(k // 2, k // 2 + n) for k, n in zip(kmax, x.shape))
    else:
        keep = tuple(slice(min(n, k) - 1, min(n, k) - 1 + abs(n - k) + 1)
                     for n, k in zip(x.shape, w.shape))
    gz = np.zeros(full, dtype=dtype)
    gz[keep] = g
    xp = np.pad(x, [(k, k) for k in kmax], mode="constant")
    dxp = np.zeros(xp.shape, dtype=dtype)
    dwk = np.zeros(wk.shape, dtype=dtype)
    for offsets in itertools.product(*(range(k) for k in w.shape)):
        window = tuple(slice(kk, kk + f) for kk, f in zip(offsets, full))
        # forward: z += wk[offsets] * xp[window]
        dwk[offsets] = np.sum(gz * xp[window])
        dxp[window] += wk[offsets] * gz
    dx = dxp[tuple(slice(k, k + n) for k, n in zip(kmax, x.shape))]
    dw = dwk[(slice(None, None, -1),) * w.ndim] if op == "convolve" else dwk
    return dx.copy(), dw.copy()
