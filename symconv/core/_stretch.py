"""Stride, dilation and transposition as zero-stretching: three equivalent direct convolutions.

Layer: core.  Each function takes a derivation and builds a *different*
convolution (its own :class:`Derivation`, its own tap table) whose output, read
through a window, is the same:

* :func:`stretched_input` -- a transposed convolution is a direct convolution
  (stride 1, same dilation) of the input with ``s - 1`` zeros inserted between
  its elements and ``d(k-1) - p`` zeros padded on the left, ``d(k-1) - p + a``
  on the right (cropped where negative), with the kernel flipped and its two
  channel axes exchanged (Dumoulin & Visin, relationships 8-14).
* :func:`subsampled` -- a strided convolution is the stride-1 convolution read
  at every ``s``-th output.
* :func:`stretched_kernel` -- a dilated convolution is the undilated
  convolution with ``d - 1`` zeros inserted between the kernel's taps.

No proof here: ``checks/_structure_checks.py`` compares the outputs exactly.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import sympy

from ..boundary._spec import conv_out_size
from ._derivation import Derivation

if TYPE_CHECKING:
    from ..boundary._spec import ConvSpec

EquivalentKind = Literal["stretched_input", "stretched_kernel", "subsampled"]


@dataclass(frozen=True)
class Equivalent:
    """A second convolution that computes the same output, read through ``window``.

    Attributes
    ----------
    kind : {"stretched_input", "stretched_kernel", "subsampled"}
    derivation : Derivation
        The equivalent direct convolution (stride 1 for ``stretched_input`` and
        ``subsampled``, dilation 1 for ``stretched_kernel``).
    window : tuple of slice
        ``original.output == derivation.output[window]`` (one slice per axis of
        the output, channels included).
    operand : sympy.Array
        The zero-stretched input (``stretched_input``) or kernel
        (``stretched_kernel``); the original input for ``subsampled``.

    Examples
    --------
    >>> import symconv as sc
    >>> d = sc.ConvTranspose1d(1, 1, 2, stride=2, bias=False).derive(
    ...     x=[[1, 2]], weight=[[[3, 4]]])
    >>> e = sc.stretched_input(d)
    >>> e.operand
    [[0, 1, 0, 2, 0]]
    >>> e.output == d.output
    True
    """

    kind: EquivalentKind
    derivation: Derivation
    window: tuple[slice, ...]
    operand: sympy.Array

    @property
    def output(self) -> sympy.Array:
        """``derivation.output[window]``: equal, entry by entry, to the original output."""
        full = _np(self.derivation.output)
        part = full[self.window]
        return sympy.ImmutableDenseNDimArray(part.reshape(-1).tolist(), part.shape)


def _np(a: sympy.NDimArray) -> np.ndarray:
    out = np.empty(a.shape, dtype=object)
    for idx in np.ndindex(*a.shape):
        out[idx] = a[idx]
    return out


def _array(a: np.ndarray) -> sympy.Array:
    return sympy.ImmutableDenseNDimArray(a.reshape(-1).tolist(), a.shape)


def _bias(d: Derivation) -> np.ndarray | None:
    return None if d.bias is None else _np(d.bias)


def _require(d: object, kinds: tuple[str, ...], what: str) -> Derivation:
    if not isinstance(d, Derivation):
        raise TypeError(f"`d` must be a symconv Derivation, got {type(d).__name__}")
    if d.spec.kind not in kinds:
        raise ValueError(f"`d` must be {what}, got a {d.spec.kind!r} derivation")
    return d


def stretched_input(d: Derivation) -> Equivalent:
    """A transposed convolution as a direct convolution of the zero-stretched input.

    Parameters
    ----------
    d : Derivation
        From a ``ConvTranspose1d/2d/3d`` layer.

    Returns
    -------
    Equivalent
        ``kind="stretched_input"``; ``operand`` is the stretched, padded input.

    Raises
    ------
    TypeError, ValueError
        When ``d`` is not a derivation of a transposed layer.

    Notes
    -----
    Per axis, with input length ``n``, stride ``s``, padding ``p``, dilation
    ``d``, kernel ``k`` and output padding ``a``: put ``x[t]`` at position
    ``lo + s*t`` of a zero array of length ``(n-1)s + 1 + lo + hi`` with
    ``lo = d(k-1) - p`` and ``hi = d(k-1) - p + a`` (a negative pad crops), then
    correlate with stride 1, dilation ``d`` and the kernel
    ``w'[q, c, j] = w[c, q, k-1-j]`` (per group).

    Examples
    --------
    >>> import symconv as sc
    >>> d = sc.ConvTranspose1d(1, 1, 3, stride=2, padding=1).derive(input_size=2)
    >>> e = sc.stretched_input(d)
    >>> e.operand
    [[0, x_0_0, 0, x_0_1, 0]]
    >>> e.derivation.weight
    [[[w_0_0_2, w_0_0_1, w_0_0_0]]]
    """
    _require(d, ("transpose",), "a transposed convolution")
    s = d.spec
    x, w = _np(d.input), _np(d.weight)
    c_in, c_out, g = s.out_channels, s.in_channels, s.groups
    lo_hi = []
    for ax in range(s.ndim):
        span = s.dilation[ax] * (s.kernel_size[ax] - 1)
        lo = span - s.padding[ax][0]
        lo_hi.append((lo, lo + s.output_padding[ax]))
    stretched = tuple(
        (n - 1) * st + 1 + lo + hi
        for n, st, (lo, hi) in zip(s.out_size, s.stride, lo_hi)
    )
    xs = np.full((c_in, *stretched), sympy.S.Zero, dtype=object)
    for idx in np.ndindex(*x.shape):
        pos = [lo + st * t for t, st, (lo, _) in zip(idx[1:], s.stride, lo_hi)]
        if all(0 <= v < m for v, m in zip(pos, stretched)):
            xs[tuple([idx[0], *pos])] = x[idx]
    cin_g, cout_g = c_in // g, c_out // g
    flip = (slice(None),) + tuple(slice(None, None, -1) for _ in range(s.ndim))
    wd = np.empty((c_out, cin_g, *s.kernel_size), dtype=object)
    for q in range(c_out):
        grp, qq = divmod(q, cout_g)
        for c in range(cin_g):
            wd[q, c] = w[grp * cin_g + c, qq][flip[1:]]
    out = tuple(conv_out_size(m, k, 1, dl, 0, 0)
                for m, k, dl in zip(stretched, s.kernel_size, s.dilation))
    spec = _conv_spec(s, c_in, c_out, stretched, out, s.kernel_size, (1,) * s.ndim, s.dilation)
    direct = Derivation(spec, xs, wd, _bias(d))
    window = (slice(None),) * (s.ndim + 1)
    return Equivalent("stretched_input", direct, window, _array(xs))


def _conv_spec(s: ConvSpec, c_in: int, c_out: int, size: tuple[int, ...],
               out: tuple[int, ...], kernel: tuple[int, ...], stride: tuple[int, ...],
               dilation: tuple[int, ...]) -> ConvSpec:
    return dataclasses.replace(
        s, kind="conv", in_channels=c_in, out_channels=c_out, in_size=tuple(size),
        out_size=tuple(out), kernel_size=tuple(kernel), stride=tuple(stride),
        dilation=tuple(dilation), padding=((0, 0),) * s.ndim, padding_mode="zeros",
        output_padding=(0,) * s.ndim, flip=False, op=None, mode=None,
    )


def subsampled(d: Derivation) -> Equivalent:
    """A strided convolution as the stride-1 convolution read at every ``s``-th output.

    Parameters
    ----------
    d : Derivation
        A layer (``Conv1d/2d/3d``) or signal derivation.

    Returns
    -------
    Equivalent
        ``kind="subsampled"``; ``window`` steps by the stride.

    Examples
    --------
    >>> import symconv as sc
    >>> d = sc.Conv1d(1, 1, 2, stride=2, bias=False).derive(x=[[1, 2, 3, 4, 5]],
    ...                                                   weight=[[[1, 10]]])
    >>> e = sc.subsampled(d)
    >>> e.derivation.output, e.window[1], d.output
    ([[21, 32, 43, 54]], slice(0, 3, 2), [[21, 43]])
    """
    _require(d, ("conv", "signal"), "a forward convolution (layer or signal)")
    s = d.spec
    out = tuple(conv_out_size(n, k, 1, dl, lo, hi) for n, k, dl, (lo, hi)
                in zip(s.in_size, s.kernel_size, s.dilation, s.padding))
    spec = dataclasses.replace(s, stride=(1,) * s.ndim, out_size=out)
    direct = Derivation(spec, _np(d.input), _np(d.weight), _bias(d))
    window = tuple(slice(0, st * (m - 1) + 1, st) for st, m in zip(s.stride, s.out_size))
    if s.has_channels:
        window = (slice(None), *window)
    return Equivalent("subsampled", direct, window, d.input)


def stretched_kernel(d: Derivation) -> Equivalent:
    """A dilated convolution as the undilated one with the zero-stretched kernel.

    Parameters
    ----------
    d : Derivation
        A layer (``Conv1d/2d/3d``) or signal derivation.

    Returns
    -------
    Equivalent
        ``kind="stretched_kernel"``; ``operand`` is the stretched kernel
        (``d - 1`` zeros between taps, length ``d(k-1) + 1`` per axis).

    Examples
    --------
    >>> import symconv as sc
    >>> d = sc.Conv1d(1, 1, 2, dilation=3).derive(input_size=5)
    >>> sc.stretched_kernel(d).operand
    [[[w_0_0_0, 0, 0, w_0_0_1]]]
    >>> sc.stretched_kernel(d).output == d.output
    True
    """
    _require(d, ("conv", "signal"), "a forward convolution (layer or signal)")
    s = d.spec
    w = _np(d.weight)
    lead = w.ndim - s.ndim
    big = tuple(dl * (k - 1) + 1 for k, dl in zip(s.kernel_size, s.dilation))
    ws = np.full((*w.shape[:lead], *big), sympy.S.Zero, dtype=object)
    taps: tuple[Any, ...] = (Ellipsis, *(slice(None, None, dl) for dl in s.dilation))
    ws[taps] = w
    spec = dataclasses.replace(s, kernel_size=big, dilation=(1,) * s.ndim)
    direct = Derivation(spec, _np(d.input), ws, _bias(d))
    window = (slice(None),) * len(s.output_shape)
    return Equivalent("stretched_kernel", direct, window, _array(ws))
