"""Independent reference implementations of convolutions in plain NumPy.

Layer: checks. Over 400 lines: one self-contained reference that must not import the
rest of symconv's convolution code.

This module is the *oracle* that symconv's numeric checks compare against. It deliberately
does not share any code or ideas with symconv's tap-table construction: every function here
is written the textbook way -- pad the input, slide a window over it (or, for transposed
convolutions, scatter each input element into an output buffer) and multiply-accumulate.

All functions accept ordinary numeric arrays (``float64``, integers, ...) as well as NumPy
``object`` arrays holding Python ``int``, :class:`fractions.Fraction` or sympy numbers, so that
exact arithmetic can be used.  No ``np.einsum`` or BLAS call is involved: the loops run over
kernel offsets and channels, and the arithmetic over output positions is vectorised with
plain NumPy slicing and broadcasting, which works element-wise for ``object`` arrays too.

Conventions follow PyTorch (``conv_nd``, ``conv_transpose_nd``) and ``scipy.signal``
(``signal_nd``), but neither library is imported.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..boundary._spec import NUMPY_PAD_MODE

__all__ = ["conv_nd", "conv_transpose_nd", "signal_nd", "tap_slices"]

_NP_PAD_MODES = NUMPY_PAD_MODE  # padding-mode names in numpy.pad (one home: the spec)


def _as_array(a: Any, name: str) -> np.ndarray:
    arr = np.asarray(a)
    if arr.dtype.kind not in "iufcO":
        raise TypeError(f"{name} must be numeric or object dtype, got dtype {arr.dtype}")
    return arr


def _result_dtype(*arrays: np.ndarray | None) -> np.dtype:
    dtypes = [a.dtype for a in arrays if a is not None]
    if any(d.kind == "O" for d in dtypes):
        return np.dtype(object)
    return np.result_type(*dtypes)


def _int_tuple(value: Sequence[int], ndim: int, name: str, minimum: int) -> tuple[int, ...]:
    values = tuple(int(v) for v in value)
    if len(values) != ndim:
        raise ValueError(f"{name} must have one entry per spatial dim ({ndim}), got {value!r}")
    if any(v < minimum for v in values):
        raise ValueError(f"{name} entries must be >= {minimum}, got {value!r}")
    return values


def _channel_view(v: np.ndarray, ndim: int) -> np.ndarray:
    """Reshape a 1-D per-channel vector so it broadcasts over ``ndim`` trailing axes."""
    return v.reshape(v.shape[0], *([1] * ndim))


def tap_slices(
    offsets: Sequence[int], dilation: Sequence[int], stride: Sequence[int], counts: Sequence[int]
) -> tuple[slice, ...]:
    """Per axis, the strided slice that kernel tap ``offsets`` meets at ``counts`` positions."""
    return tuple(
        slice(kk * d, kk * d + s * (n - 1) + 1, s)
        for kk, d, s, n in zip(offsets, dilation, stride, counts, strict=True)
    )


def conv_nd(
    x: Any,
    w: Any,
    b: Any = None,
    *,
    stride: Sequence[int],
    padding: Sequence[tuple[int, int]],
    dilation: Sequence[int],
    groups: int = 1,
    padding_mode: str = "zeros",
) -> np.ndarray:
    """PyTorch ``ConvNd`` forward pass for a single (unbatched) sample.

    Computes the cross-correlation
    ``y[co, m] = b[co] + sum_{ci, k} w[co, ci, k] * xp[g*C_in/groups + ci, m*stride + k*dilation]``
    where ``xp`` is the padded input and ``g`` the group of output channel ``co``.

    Parameters
    ----------
    x : array_like, shape (C_in, *spatial)
        Input.  May be an ``object`` array for exact arithmetic.
    w : array_like, shape (C_out, C_in // groups, *k)
        Weights, in PyTorch layout.
    b : array_like, shape (C_out,), optional
        Bias.
    stride : tuple of int
        Stride per spatial dim (>= 1).
    padding : tuple of (int, int)
        ``(lo, hi)`` padding per spatial dim, already resolved (may be asymmetric; PyTorch's
        ``padding='same'`` corresponds to ``lo = total // 2``, ``hi = total - lo``).
    dilation : tuple of int
        Dilation per spatial dim (>= 1).
    groups : int, default 1
        Number of channel groups.
    padding_mode : {'zeros', 'reflect', 'replicate', 'circular'}
        How the padding is filled (NumPy ``np.pad`` modes ``'constant'``, ``'reflect'``,
        ``'edge'`` and ``'wrap'`` respectively).

    Returns
    -------
    numpy.ndarray, shape (C_out, *out)
        ``out_d = (n_d + lo_d + hi_d - dilation_d * (k_d - 1) - 1) // stride_d + 1``.

    Raises
    ------
    ValueError
        On inconsistent shapes, an empty output, or padding that PyTorch rejects
        (``reflect`` needs ``pad < n``, ``circular`` needs ``pad <= n``).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[1.0, 2.0, 3.0, 4.0]])
    >>> w = np.array([[[1.0, 10.0]]])
    >>> conv_nd(x, w, stride=(1,), padding=((0, 0),), dilation=(1,))
    array([[21., 32., 43.]])
    >>> conv_nd(x, w, [100.0], stride=(2,), padding=((1, 0),), dilation=(1,))
    array([[110., 132.]])

    Exact arithmetic with an ``object`` array:

    >>> from fractions import Fraction
    >>> xo = np.array([[Fraction(1, 2), Fraction(1, 3)]], dtype=object)
    >>> conv_nd(xo, np.array([[[1, 1]]], dtype=object), stride=(1,),
    ...         padding=((0, 0),), dilation=(1,))
    array([[Fraction(5, 6)]], dtype=object)
    """
    x = _as_array(x, "x")
    w = _as_array(w, "w")
    bias = None if b is None else _as_array(b, "b")
    nd = x.ndim - 1
    if nd < 1:
        raise ValueError(f"x must have shape (C_in, *spatial), got {x.shape}")
    if w.ndim != nd + 2:
        raise ValueError(f"w must have {nd + 2} dims (C_out, C_in/groups, *k), got {w.shape}")
    if padding_mode not in _NP_PAD_MODES:
        raise ValueError(
            f"padding_mode must be one of {sorted(_NP_PAD_MODES)}, got {padding_mode!r}"
        )
    stride_t = _int_tuple(stride, nd, "stride", 1)
    dilation_t = _int_tuple(dilation, nd, "dilation", 1)
    pads = tuple(tuple(int(p) for p in pair) for pair in padding)
    if len(pads) != nd or any(len(pair) != 2 or min(pair) < 0 for pair in pads):
        raise ValueError(f"padding must be {nd} non-negative (lo, hi) pairs, got {padding!r}")

    c_in, spatial = x.shape[0], x.shape[1:]
    c_out, c_in_g, ksize = w.shape[0], w.shape[1], w.shape[2:]
    if groups < 1 or c_in % groups or c_out % groups:
        raise ValueError(f"groups={groups} must divide C_in={c_in} and C_out={c_out}")
    if c_in_g != c_in // groups:
        raise ValueError(f"w.shape[1]={c_in_g} must equal C_in // groups = {c_in // groups}")
    if bias is not None and bias.shape != (c_out,):
        raise ValueError(f"b must have shape ({c_out},), got {bias.shape}")
    for n, (lo, hi) in zip(spatial, pads, strict=True):
        if padding_mode == "reflect" and max(lo, hi) >= n:
            raise ValueError(f"reflect padding {(lo, hi)} must be < input size {n}")
        if padding_mode == "circular" and max(lo, hi) > n:
            raise ValueError(f"circular padding {(lo, hi)} must be <= input size {n}")
    c_out_g = c_out // groups

    pad_width = ((0, 0), *pads)
    if padding_mode == "zeros":
        xp = np.pad(x, pad_width, mode="constant", constant_values=0)
    else:
        xp = np.pad(x, pad_width, mode=_NP_PAD_MODES[padding_mode])  # type: ignore[call-overload]

    out_shape = tuple(
        (p - d * (k - 1) - 1) // s + 1
        for p, k, s, d in zip(xp.shape[1:], ksize, stride_t, dilation_t, strict=True)
    )
    if any(o <= 0 for o in out_shape):
        raise ValueError(f"output would be empty: padded input {xp.shape[1:]}, kernel {ksize}")

    y = np.zeros((c_out, *out_shape), dtype=_result_dtype(x, w, bias))
    for offsets in itertools.product(*(range(k) for k in ksize)):
        # Window of the padded input seen by kernel tap `offsets`, for every output position.
        window = tap_slices(offsets, dilation_t, stride_t, out_shape)
        for g in range(groups):
            co = slice(g * c_out_g, (g + 1) * c_out_g)
            for ci in range(c_in_g):
                taps = _channel_view(w[(co, ci) + tuple(offsets)], nd)
                y[co] += taps * xp[(g * c_in_g + ci,) + tuple(window)][np.newaxis]
    if bias is not None:
        y += _channel_view(bias, nd)
    return y


def conv_transpose_nd(
    x: Any,
    w: Any,
    b: Any = None,
    *,
    stride: Sequence[int],
    padding: Sequence[int],
    output_padding: Sequence[int],
    dilation: Sequence[int],
    groups: int = 1,
) -> np.ndarray:
    """PyTorch ``ConvTransposeNd`` forward pass for a single (unbatched) sample.

    Implemented by scatter-add: every input element ``x[ci, n]`` adds ``w[ci, co_local, k] *
    x[ci, n]`` to position ``n * stride + k * dilation`` of an uncropped output buffer; the
    first ``padding`` positions are then cropped and ``out_d`` positions kept (positions past
    the end of the uncropped buffer, which only ``output_padding`` can reach, are zero).

    Parameters
    ----------
    x : array_like, shape (C_in, *spatial)
        Input.  May be an ``object`` array for exact arithmetic.
    w : array_like, shape (C_in, C_out // groups, *k)
        Weights, in PyTorch's transposed-convolution layout.
    b : array_like, shape (C_out,), optional
        Bias.
    stride, padding, output_padding, dilation : tuple of int
        One entry per spatial dim, as in PyTorch.  ``output_padding`` must be smaller than
        ``stride`` or ``dilation`` (PyTorch's rule).
    groups : int, default 1
        Number of channel groups.

    Returns
    -------
    numpy.ndarray, shape (C_out, *out)
        ``out_d = (n_d - 1) * stride_d - 2 * padding_d + dilation_d * (k_d - 1)
        + output_padding_d + 1``.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[1.0, 2.0]])
    >>> w = np.array([[[1.0, 10.0, 100.0]]])
    >>> conv_transpose_nd(x, w, stride=(2,), padding=(0,), output_padding=(0,),
    ...                   dilation=(1,))
    array([[  1.,  10., 102.,  20., 200.]])
    >>> conv_transpose_nd(x, w, [0.5], stride=(2,), padding=(1,), output_padding=(1,),
    ...                   dilation=(1,))
    array([[ 10.5, 102.5,  20.5, 200.5]])
    """
    x = _as_array(x, "x")
    w = _as_array(w, "w")
    bias = None if b is None else _as_array(b, "b")
    nd = x.ndim - 1
    if nd < 1:
        raise ValueError(f"x must have shape (C_in, *spatial), got {x.shape}")
    if w.ndim != nd + 2:
        raise ValueError(f"w must have {nd + 2} dims (C_in, C_out/groups, *k), got {w.shape}")
    stride_t = _int_tuple(stride, nd, "stride", 1)
    dilation_t = _int_tuple(dilation, nd, "dilation", 1)
    pad_t = _int_tuple(padding, nd, "padding", 0)
    opad_t = _int_tuple(output_padding, nd, "output_padding", 0)
    for op, s, d in zip(opad_t, stride_t, dilation_t, strict=True):
        if op >= max(s, d):
            raise ValueError(
                f"output_padding {op} must be smaller than either stride {s} or dilation {d}"
            )

    c_in, spatial = x.shape[0], x.shape[1:]
    c_out_g, ksize = w.shape[1], w.shape[2:]
    if w.shape[0] != c_in:
        raise ValueError(f"w.shape[0]={w.shape[0]} must equal C_in={c_in}")
    if groups < 1 or c_in % groups:
        raise ValueError(f"groups={groups} must divide C_in={c_in}")
    c_in_g = c_in // groups
    c_out = c_out_g * groups
    if bias is not None and bias.shape != (c_out,):
        raise ValueError(f"b must have shape ({c_out},), got {bias.shape}")

    full_shape = tuple(
        (n - 1) * s + d * (k - 1) + 1
        for n, s, d, k in zip(spatial, stride_t, dilation_t, ksize, strict=True)
    )
    out_shape = tuple(f - 2 * p + op for f, p, op in zip(full_shape, pad_t, opad_t, strict=True))
    if any(o <= 0 for o in out_shape):
        raise ValueError(f"output would be empty: computed output size {out_shape}")
    buf_shape = tuple(max(f, p + o) for f, p, o in zip(full_shape, pad_t, out_shape, strict=True))

    buf = np.zeros((c_out, *buf_shape), dtype=_result_dtype(x, w, bias))
    for offsets in itertools.product(*(range(k) for k in ksize)):
        # Positions of the buffer hit by kernel tap `offsets`, for every input position.
        target = tap_slices(offsets, dilation_t, stride_t, spatial)
        for g in range(groups):
            co = slice(g * c_out_g, (g + 1) * c_out_g)
            for ci_local in range(c_in_g):
                ci = g * c_in_g + ci_local
                taps = _channel_view(w[(ci, slice(None)) + tuple(offsets)], nd)
                buf[(co,) + tuple(target)] += taps * x[ci][np.newaxis]
    crop = tuple(slice(p, p + o) for p, o in zip(pad_t, out_shape, strict=True))
    y = buf[(slice(None),) + crop].copy()
    if bias is not None:
        y += _channel_view(bias, nd)
    return y


def signal_nd(x: Any, w: Any, op: str, mode: str) -> np.ndarray:
    """N-dimensional ``scipy.signal.convolve`` / ``correlate``, computed directly.

    The full correlation is ``z[m] = sum_k x[m - (K - 1) + k] * w[k]`` (per dim, with ``x``
    zero outside its support); convolution is correlation with ``w`` flipped along every
    axis.  No complex conjugation is applied (unlike ``scipy.signal.correlate``).

    Parameters
    ----------
    x, w : array_like
        Input and kernel with the same number of dims.  ``object`` arrays are supported.
    op : {'convolve', 'correlate'}
        Which operation.
    mode : {'full', 'valid', 'same', 'circular'}
        ``'circular'``: the periodic result, length ``n`` (``x`` indexed mod ``n``).
        ``'full'``: every overlap, length ``n + K - 1``.  ``'same'``: the window of length
        ``n`` starting at ``(K - 1) // 2`` of the full result.  ``'valid'``: the window of
        length ``|n - K| + 1`` starting at ``min(n, K) - 1`` of the full result, per dim.
        This matches SciPy when ``x`` is at least as large as ``w`` in every dim or ``w``
        is at least as large as ``x`` in every dim (SciPy raises in the mixed case; this
        function still applies the per-dim rule).

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([1, 2, 3])
    >>> signal_nd(x, np.array([1, 10]), "correlate", "full")
    array([10, 21, 32,  3])
    >>> signal_nd(x, np.array([1, 10]), "convolve", "full")
    array([ 1, 12, 23, 30])
    >>> signal_nd(x, np.array([1, 10]), "convolve", "same")
    array([ 1, 12, 23])
    >>> signal_nd(x, np.array([1, 10]), "convolve", "valid")
    array([12, 23])
    """
    x = _as_array(x, "x")
    w = _as_array(w, "w")
    if op not in ("convolve", "correlate"):
        raise ValueError(f"op must be 'convolve' or 'correlate', got {op!r}")
    if mode not in ("full", "valid", "same", "circular"):
        raise ValueError(f"mode must be 'full', 'valid', 'same' or 'circular', got {mode!r}")
    if x.ndim != w.ndim:
        raise ValueError(f"x and w must have the same number of dims, got {x.ndim} and {w.ndim}")
    if x.size == 0 or w.size == 0:
        raise ValueError("x and w must be non-empty")
    if mode == "circular":  # periodic: sum_k w[k] x[m -+ k mod n], by np.roll
        zc = np.zeros(x.shape, dtype=_result_dtype(x, w))
        sign = 1 if op == "convolve" else -1
        for offsets in itertools.product(*(range(k) for k in w.shape)):
            tap = w[tuple(slice(kk, kk + 1) for kk in offsets)]
            zc += tap * np.roll(x, tuple(sign * kk for kk in offsets), axis=tuple(range(x.ndim)))
        return zc
    if op == "convolve":
        w = w[(slice(None, None, -1),) * w.ndim]

    kmax = tuple(k - 1 for k in w.shape)
    xp = np.pad(x, [(k, k) for k in kmax], mode="constant", constant_values=0)
    full_shape = tuple(n + k for n, k in zip(x.shape, kmax, strict=True))
    z = np.zeros(full_shape, dtype=_result_dtype(x, w))
    for offsets in itertools.product(*(range(k) for k in w.shape)):
        window = tuple(slice(kk, kk + f) for kk, f in zip(offsets, full_shape, strict=True))
        # Keep the tap as a size-1 array (not a scalar) so that sympy scalars cannot try to
        # sympify the whole window; broadcasting then multiplies element-wise.
        tap = w[tuple(slice(kk, kk + 1) for kk in offsets)]
        z += tap * xp[window]

    if mode == "full":
        return z
    if mode == "same":
        keep = tuple(slice(k // 2, k // 2 + n) for k, n in zip(kmax, x.shape, strict=True))
    else:
        keep = tuple(
            slice(min(n, k) - 1, min(n, k) - 1 + abs(n - k) + 1)
            for n, k in zip(x.shape, w.shape, strict=True)
        )
    return z[keep].copy()


def circular_fft(x: Any, w: Any, op: str) -> np.ndarray:
    """Periodic ``convolve``/``correlate`` through the FFT (the convolution theorem).

    ``convolve``: ``ifftn(fftn(x) * fftn(w, s=x.shape))``; ``correlate`` uses the
    reversed kernel ``w_r[k] = w[-k mod n]`` (no conjugation).  Integer inputs
    (or integer-valued floats) give the result rounded to integers (exact: the
    FFT's error is far below 1/2 at these sizes); real inputs give the real part.

    Examples
    --------
    >>> import numpy as np
    >>> circular_fft(np.array([1, 2, 3, 4]), np.array([1, 1]), "convolve")
    array([5, 3, 5, 7])
    >>> circular_fft(np.array([1, 2, 3, 4]), np.array([1, 1]), "correlate")
    array([3, 5, 7, 5])
    """
    x, w = np.asarray(x), np.asarray(w)
    wp = np.zeros(x.shape, dtype=np.result_type(w, float))
    wp[tuple(slice(0, k) for k in w.shape)] = w
    if op == "correlate":
        wp = np.roll(np.flip(wp), 1, axis=tuple(range(x.ndim)))
    y = np.fft.ifftn(np.fft.fftn(x) * np.fft.fftn(wp))
    if x.dtype.kind in "iu" and w.dtype.kind in "iu":
        return np.rint(y.real).astype(np.int64)
    if x.dtype.kind == "c" or w.dtype.kind == "c":
        return y
    if np.array_equal(x, np.rint(x)) and np.array_equal(w, np.rint(w)):
        return np.rint(y.real)  # integer-valued floats: the exact integers
    return y.real
