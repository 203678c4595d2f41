"""Parameters of a convolution: validation at the boundary, and the output size.

Layer: boundary. Over 400 lines: the one validation boundary of every constructor
(signal, circular, layer, transposed); splitting it would scatter the rules a newcomer
must read together.

Everything a user passes is checked here, once, and turned into a `ConvSpec`:
the resolved geometry (sizes, stride, padding as ``(lo, hi)`` pairs, dilation,
groups, padding mode, whether the kernel is flipped).  Nothing downstream
validates again.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

from . import _formulas
from ._limits import MAX_ELEMENTS, MAX_SIZE, MAX_TRIALS

Mode = Literal["full", "valid", "same", "circular"]
Op = Literal["convolve", "correlate"]
PaddingMode = Literal["zeros", "reflect", "replicate", "circular"]
Kind = Literal["signal", "conv", "transpose"]

MODES: tuple[str, ...] = get_args(Mode)
OPS: tuple[str, ...] = get_args(Op)
PADDING_MODES: tuple[str, ...] = get_args(PaddingMode)
#: Each padding mode's name in ``numpy.pad`` (the one home of this map: the references
#: and checks read it here).
NUMPY_PAD_MODE: dict[str, str] = {"zeros": "constant", "reflect": "reflect",
                                  "replicate": "edge", "circular": "wrap"}


@dataclass(frozen=True)
class ConvSpec:
    """The resolved geometry of one convolution (a forward convolution's view).

    For ``kind == "transpose"`` the fields describe the *forward* convolution
    whose taps, with input and output swapped, form the transposed one:
    ``in_channels``/``in_size`` are then the transposed layer's *output*, and
    ``out_channels``/``out_size`` its *input*.

    Attributes
    ----------
    kind : {"signal", "conv", "transpose"}
    in_channels, out_channels, groups : int
    in_size, out_size, kernel_size, stride, dilation : tuple of int
        One entry per spatial dimension.
    padding : tuple of (int, int)
        ``(lo, hi)`` padding per spatial dimension.
    padding_mode : {"zeros", "reflect", "replicate", "circular"}
    flip : bool
        True convolution (kernel flipped) rather than cross-correlation.
    bias : bool
    output_padding : tuple of int
        Only for transposed layers; zeros otherwise.
    op, mode : str or None
        The signal-style operation and mode, when ``kind == "signal"``.

    Examples
    --------
    >>> import symconv as sc
    >>> spec = sc.Conv1d(1, 1, 3, padding="same").derive(input_size=5).spec
    >>> spec.out_size, spec.padding, spec.weight_shape
    ((5,), ((1, 1),), (1, 1, 3))
    >>> sc.convolve([1, 2, 3, 4], [5, 6, 7], mode="same").spec.padding  # scipy's window
    ((1, 1),)
    """

    kind: Kind
    in_channels: int
    out_channels: int
    groups: int
    in_size: tuple[int, ...]
    out_size: tuple[int, ...]
    kernel_size: tuple[int, ...]
    stride: tuple[int, ...]
    dilation: tuple[int, ...]
    padding: tuple[tuple[int, int], ...]
    padding_mode: PaddingMode = "zeros"
    flip: bool = False
    bias: bool = False
    output_padding: tuple[int, ...] = ()
    op: Op | None = None
    mode: Mode | None = None

    def __post_init__(self) -> None:
        check_spec_limits(self)

    @property
    def ndim(self) -> int:
        """Number of spatial dimensions."""
        return len(self.kernel_size)

    @property
    def has_channels(self) -> bool:
        """Layers carry a channel axis; signals do not."""
        return self.kind != "signal"

    @property
    def weight_shape(self) -> tuple[int, ...]:
        """Weight shape as PyTorch stores it (the same for Conv and ConvTranspose)."""
        if self.kind == "signal":
            return self.kernel_size
        return (self.out_channels, self.in_channels // self.groups, *self.kernel_size)

    @property
    def forward_in_shape(self) -> tuple[int, ...]:
        """Shape of the forward convolution's input."""
        if self.kind == "signal":
            return self.in_size
        return (self.in_channels, *self.in_size)

    @property
    def forward_out_shape(self) -> tuple[int, ...]:
        """Shape of the forward convolution's output."""
        if self.kind == "signal":
            return self.out_size
        return (self.out_channels, *self.out_size)

    @property
    def input_shape(self) -> tuple[int, ...]:
        """Shape of the input of the operation the user asked for."""
        return self.forward_out_shape if self.kind == "transpose" else self.forward_in_shape

    @property
    def output_shape(self) -> tuple[int, ...]:
        """Shape of the output of the operation the user asked for."""
        return self.forward_in_shape if self.kind == "transpose" else self.forward_out_shape

    @property
    def bias_size(self) -> int:
        """Number of bias entries (one per output channel), 0 without bias."""
        if not self.bias:
            return 0
        return self.output_shape[0]


# ---------------------------------------------------------------- validation


def check_spec_limits(spec: ConvSpec) -> None:
    """Refuse sizes beyond :data:`MAX_SIZE` and shapes beyond :data:`MAX_ELEMENTS`.

    Runs when a spec is made, before any array exists: every later step (the
    tap table, counting, exports) may then use int64 without overflow.  The
    message names the parameter as the user gave it (a transposed layer's
    spec holds the forward convolution, so its input is ``out_size``).

    Examples
    --------
    >>> import symconv as sc
    >>> sc.Conv1d(1, 1, 3, stride=10**30).derive(input_size=5)
    Traceback (most recent call last):
    ...
    ValueError: `stride` must be at most 2,147,483,647, got 1000000000000000000000000000000
    """
    t = spec.kind == "transpose"
    checks: list[tuple[str, tuple[int, ...]]] = [
        ("kernel_size", spec.kernel_size),
        ("stride", spec.stride),
        ("padding", tuple(v for lo_hi in spec.padding for v in lo_hi)),
        ("dilation", spec.dilation),
        ("output_padding", spec.output_padding),
        ("input_size", spec.out_size if t else spec.in_size),
        ("in_channels", (spec.out_channels if t else spec.in_channels,)),
        ("out_channels", (spec.in_channels if t else spec.out_channels,)),
        ("groups", (spec.groups,)),
    ]
    for name, values in checks:
        for v in values:
            if abs(v) > MAX_SIZE:
                raise ValueError(f"`{name}` must be at most {MAX_SIZE:,}, got {v!r}")
    for name, shape in (("input", spec.input_shape), ("weight", spec.weight_shape),
                        ("output", spec.output_shape)):
        n = 1
        for v in shape:
            n *= v
        if n > MAX_ELEMENTS:
            raise ValueError(
                f"the {name} would have {n:,} elements (shape {shape}; limit "
                f"{MAX_ELEMENTS:,} = 2**40): too large for any view of symconv"
            )


def check_int(name: str, value: object, *, minimum: int) -> int:
    """Return ``value`` as an int, or raise naming ``name``, the rule and the value."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"`{name}` must be an integer, got {value!r} ({type(value).__name__})")
    if value < minimum:
        rule = "positive" if minimum == 1 else f">= {minimum}"
        raise ValueError(f"`{name}` must be {rule}, got {value!r}")
    return int(value)


def check_trials_seed(trials: object, seed: object) -> tuple[int, int]:
    """``(trials, seed)`` of a numeric check, validated: ``1 <= trials <= MAX_TRIALS``
    and ``seed >= 0`` (NumPy's rule for seeds), before any array is drawn.

    Examples
    --------
    >>> check_trials_seed(3, 0)
    (3, 0)
    >>> check_trials_seed(5000, 0)
    Traceback (most recent call last):
    ...
    ValueError: `trials` must be at most 1,000 (each trial evaluates every view once), got 5000
    """
    n = check_int("trials", trials, minimum=1)
    if n > MAX_TRIALS:
        raise ValueError(f"`trials` must be at most {MAX_TRIALS:,} (each trial evaluates "
                         f"every view once), got {n}")
    return n, check_int("seed", seed, minimum=0)


def is_symbolic(value: object) -> bool:
    """True when ``value`` (or an item of a tuple/list of them) is a SymPy size with symbols.

    General sizes (issue 11) dispatch on this; numbers and strings are not symbolic.

    Examples
    --------
    >>> import sympy
    >>> is_symbolic(3), is_symbolic((3, sympy.Symbol("k", integer=True)))
    (False, True)
    """
    if isinstance(value, (tuple, list)):
        return any(is_symbolic(v) for v in value)
    import sympy

    return isinstance(value, sympy.Basic) and bool(value.free_symbols)


def check_size(name: str, value: object, *, minimum: int) -> Any:
    """An int, or a SymPy integer expression whose assumptions make it a valid size.

    ``minimum`` 1 needs ``positive=True`` (SymPy must know ``value > 0``), 0 needs
    ``nonnegative=True``; a number-valued SymPy expression becomes an int.

    Examples
    --------
    >>> import sympy
    >>> k = sympy.Symbol("k", integer=True, positive=True)
    >>> check_size("kernel_size", k - 1, minimum=0)
    k - 1
    >>> check_size("kernel_size", k - 1, minimum=1)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: `kernel_size` must be positive, got k - 1 (SymPy cannot show ...
    """
    import sympy

    if not isinstance(value, sympy.Basic):
        return check_int(name, value, minimum=minimum)
    if not isinstance(value, sympy.Expr) or value.is_integer is not True:
        raise TypeError(
            f"`{name}` must be an integer size; the SymPy value {value} is not known to be "
            "an integer (declare its symbols with integer=True)")
    if not value.free_symbols:
        return check_int(name, int(value), minimum=minimum)
    known = value.is_positive if minimum >= 1 else value.is_nonnegative
    if known is not True:
        rule = "positive" if minimum >= 1 else "nonnegative"
        sym = sorted(value.free_symbols, key=str)[0]
        raise ValueError(
            f"`{name}` must be {rule}, got {value} (SymPy cannot show {value} "
            f"{'> 0' if minimum >= 1 else '>= 0'} from the assumptions of its symbols; "
            f"declare them, e.g. Symbol('{sym}', integer=True, {rule}=True))")
    return value


def as_tuple(name: str, value: object, n: int, *, minimum: int) -> tuple[int, ...]:
    """An int or a length-``n`` sequence of ints, as a tuple (PyTorch's ``_ntuple``)."""
    if isinstance(value, bool):
        raise TypeError(f"`{name}` must be an integer or a tuple of {n} integers, got {value!r}")
    if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, numbers.Integral)):
        raise TypeError(
            f"`{name}` must be an integer or a tuple of {n} integers, got {value!r}"
        )
    if isinstance(value, numbers.Integral):
        return (check_int(name, value, minimum=minimum),) * n
    items = list(value)
    if len(items) != n:
        raise ValueError(
            f"`{name}` must have {n} entr{'y' if n == 1 else 'ies'} "
            f"(one per spatial dimension), got {value!r}"
        )
    return tuple(check_int(name, v, minimum=minimum) for v in items)


def check_choice(name: str, value: object, allowed: tuple[str, ...]) -> str:
    """``value`` must be one of the string literals in ``allowed``.

    A value that is not a string at all (``None``, a number) is a ``TypeError``,
    as NumPy raises for ``np.convolve(..., mode=None)``; an unknown string is a
    ``ValueError``.
    """
    choices = ", ".join(repr(a) for a in allowed)
    if not isinstance(value, str):
        raise TypeError(f"`{name}` must be a string, one of {choices}; got {value!r} "
                        f"({type(value).__name__})")
    if value not in allowed:
        raise ValueError(f"`{name}` must be one of {choices}; got {value!r}")
    return value


def conv_out_size(n: int, k: int, stride: int, dilation: int, lo: int, hi: int) -> int:
    """Output length of a forward convolution along one axis (PyTorch's formula).

    ``floor((n + lo + hi - dilation * (k - 1) - 1) / stride) + 1``: the formula
    of :func:`symconv.boundary._formulas.conv_output_size` (its single source, the
    one the documents render).
    """
    return _formulas.conv_output_size(n, k, stride, dilation, lo, hi)


def transpose_out_size(
    n: int, k: int, stride: int, dilation: int, padding: int, output_padding: int
) -> int:
    """Output length of a transposed convolution along one axis (PyTorch's formula).

    ``(n - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding + 1``
    (:func:`symconv.boundary._formulas.transposed_output_size`).
    """
    return _formulas.transposed_output_size(n, k, stride, dilation, padding, output_padding)


# ------------------------------------------------------------ signal style


def mode_window(mode: str, n: int, k: int) -> tuple[int, int]:
    """``(start, length)`` of a ``mode`` result inside the full one, along one axis.

    scipy.signal's rule: ``full`` is all ``n + k - 1`` positions, ``same`` the
    ``n`` starting at ``(k - 1) // 2``, ``valid`` the ``|n - k| + 1`` starting at
    ``min(n, k) - 1``.

    Examples
    --------
    >>> [mode_window(m, 4, 3) for m in ("full", "same", "valid")]
    [(0, 6), (1, 4), (2, 2)]
    """
    if mode == "full":
        return 0, n + k - 1
    if mode == "same":
        return (k - 1) // 2, n
    return min(n, k) - 1, abs(n - k) + 1


def signal_spec(
    x_shape: tuple[int, ...], w_shape: tuple[int, ...], op: str, mode: str
) -> ConvSpec:
    """Resolve ``convolve``/``correlate`` of arrays of these shapes (scipy.signal rules).

    Per axis, the full result has ``n + K - 1`` entries; ``same`` keeps ``n`` of
    them starting at ``(K - 1) // 2``; ``valid`` keeps ``|n - K| + 1`` starting at
    ``min(n, K) - 1``.  As in scipy, ``valid`` needs one array at least as large
    as the other in every axis.
    """
    check_choice("mode", mode, MODES)
    if len(x_shape) == 0 or len(w_shape) == 0:
        which = "x" if len(x_shape) == 0 else "w"
        raise ValueError(f"`{which}` must have at least one dimension, got a scalar")
    if len(x_shape) != len(w_shape):
        raise ValueError(
            f"`x` and `w` must have the same number of dimensions, got x with shape "
            f"{x_shape} and w with shape {w_shape}"
        )
    for name, shape in (("x", x_shape), ("w", w_shape)):
        if 0 in shape:
            raise ValueError(f"`{name}` must not be empty, got shape {shape}")
    if mode == "circular":
        return circular_spec(x_shape, w_shape, op)
    if mode == "valid":
        x_big = all(n >= k for n, k in zip(x_shape, w_shape))
        w_big = all(k >= n for n, k in zip(x_shape, w_shape))
        if not (x_big or w_big):
            raise ValueError(
                "mode='valid' needs `x` or `w` at least as large as the other in every "
                f"dimension (as scipy.signal), got x shape {x_shape} and w shape {w_shape}"
            )
    starts, lengths = [], []
    for n, k in zip(x_shape, w_shape):
        start, length = mode_window(mode, n, k)
        starts.append(start)
        lengths.append(length)
    # Output o along an axis is full-index m = o + start; the input read by kernel
    # position j (correlation order) is m - (K - 1) + j: stride 1, padding K-1-start.
    padding = tuple(
        (k - 1 - s, (length - 1 + s) - (n - 1))
        for n, k, s, length in zip(x_shape, w_shape, starts, lengths)
    )
    return _signal_spec(x_shape, w_shape, tuple(lengths), padding, op, mode)


def circular_spec(x_shape: tuple[int, ...], w_shape: tuple[int, ...], op: str) -> ConvSpec:
    """``mode="circular"``: the periodic convolution or correlation, output the size of x.

    Per axis of length ``n``: convolution ``y[m] = sum_k w[k] x[(m - k) mod n]``
    (``numpy.fft.ifft(fft(x) * fft(w, n))``), correlation
    ``y[m] = sum_k w[k] x[(m + k) mod n]`` (``ifft(fft(x) * fft(w_r, n))`` with
    ``w_r[k] = w[-k mod n]``).  In tap-law terms: stride 1, circular padding
    ``(K - 1, 0)`` for convolution (kernel flipped) and ``(0, K - 1)`` for
    correlation.  The kernel must fit in x (``K <= n``), or it would wrap onto itself.

    Examples
    --------
    >>> s = circular_spec((5,), (3,), "convolve")
    >>> s.out_size, s.padding, s.padding_mode
    ((5,), ((2, 0),), 'circular')
    """
    if any(k > n for n, k in zip(x_shape, w_shape)):
        raise ValueError(
            f"mode='circular' needs `w` no larger than `x` in every dimension (the kernel "
            f"would wrap onto itself), got x shape {x_shape} and w shape {w_shape}"
        )
    flip = op == "convolve"
    padding = tuple((k - 1, 0) if flip else (0, k - 1) for k in w_shape)
    return _signal_spec(x_shape, w_shape, tuple(x_shape), padding, op, "circular",
                        padding_mode="circular")


def _signal_spec(
    x_shape: tuple[int, ...],
    w_shape: tuple[int, ...],
    out_size: tuple[int, ...],
    padding: tuple[tuple[int, int], ...],
    op: str,
    mode: str,
    padding_mode: PaddingMode = "zeros",
) -> ConvSpec:
    """The spec of a one-channel, stride-1 signal operation (flipped kernel for ``convolve``)."""
    return ConvSpec(
        kind="signal",
        in_channels=1,
        out_channels=1,
        groups=1,
        in_size=tuple(x_shape),
        out_size=out_size,
        kernel_size=tuple(w_shape),
        stride=(1,) * len(x_shape),
        dilation=(1,) * len(x_shape),
        padding=padding,
        padding_mode=padding_mode,
        flip=(op == "convolve"),
        op=op,  # type: ignore[arg-type]
        mode=mode,  # type: ignore[arg-type]
    )


# ------------------------------------------------------------- layer style


@dataclass(frozen=True)
class LayerParams:
    """A layer's validated constructor arguments (independent of the input size)."""

    ndim: int
    transposed: bool
    in_channels: int
    out_channels: int
    kernel_size: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[int, ...] | str
    dilation: tuple[int, ...]
    groups: int
    bias: bool
    padding_mode: PaddingMode
    output_padding: tuple[int, ...]

    def call_text(self) -> str:
        """The PyTorch-style constructor call of this layer (non-default arguments only).

        Examples
        --------
        >>> print(layer_params(1, True, 1, 2, 3, 2, 0, 1, 1, False, "zeros", 1).call_text())
        ConvTranspose1d(1, 2, kernel_size=(3,), stride=(2,), output_padding=(1,), bias=False)
        """
        name = ("ConvTranspose" if self.transposed else "Conv") + f"{self.ndim}d"
        return f"{name}({self.call_arguments()})"

    def call_arguments(self) -> str:
        """The arguments of :meth:`call_text`, comma-separated (non-default ones only).

        Examples
        --------
        >>> layer_params(2, False, 1, 6, 5, 1, 2, 1, 1, True, "zeros", 0).call_arguments()
        '1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2)'
        """
        args = [f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}",
                f"stride={self.stride}"]
        if self.padding != (0,) * self.ndim:
            args.append(f"padding={self.padding!r}")
        if self.transposed and any(self.output_padding):
            args.append(f"output_padding={self.output_padding}")
        if self.dilation != (1,) * self.ndim:
            args.append(f"dilation={self.dilation}")
        if self.groups != 1:
            args.append(f"groups={self.groups}")
        if not self.bias:
            args.append("bias=False")
        if self.padding_mode != "zeros":
            args.append(f"padding_mode={self.padding_mode!r}")
        return ", ".join(args)


def layer_params(
    ndim: int,
    transposed: bool,
    in_channels: object,
    out_channels: object,
    kernel_size: object,
    stride: object,
    padding: object,
    dilation: object,
    groups: object,
    bias: object,
    padding_mode: object,
    output_padding: object = 0,
) -> LayerParams:
    """Validate a layer's constructor arguments with PyTorch's rules and defaults."""
    cin = check_int("in_channels", in_channels, minimum=1)
    cout = check_int("out_channels", out_channels, minimum=1)
    g = check_int("groups", groups, minimum=1)
    if cin % g:
        raise ValueError(f"`in_channels` (={cin}) must be divisible by `groups` (={g})")
    if cout % g:
        raise ValueError(f"`out_channels` (={cout}) must be divisible by `groups` (={g})")
    ks = as_tuple("kernel_size", kernel_size, ndim, minimum=1)
    st = as_tuple("stride", stride, ndim, minimum=1)
    dil = as_tuple("dilation", dilation, ndim, minimum=1)
    if not isinstance(bias, bool):
        raise TypeError(f"`bias` must be True or False, got {bias!r}")
    pmode = check_choice("padding_mode", padding_mode, PADDING_MODES)
    pad: tuple[int, ...] | str
    if isinstance(padding, str):
        if transposed:
            raise ValueError(
                f"`padding` of a transposed convolution must be an integer or a tuple, "
                f"got {padding!r} (PyTorch has no string padding for ConvTranspose)"
            )
        pad = check_choice("padding", padding, ("valid", "same"))
        if pad == "same" and any(s != 1 for s in st):
            raise ValueError(
                f"`padding`='same' is not supported for strided convolutions "
                f"(as in PyTorch), got `stride`={st}"
            )
    else:
        pad = as_tuple("padding", padding, ndim, minimum=0)
    out_pad: tuple[int, ...] = (0,) * ndim
    if transposed:
        if pmode != "zeros":
            raise ValueError(
                f"`padding_mode` of a transposed convolution must be 'zeros' "
                f"(as in PyTorch), got {pmode!r}"
            )
        out_pad = as_tuple("output_padding", output_padding, ndim, minimum=0)
        for d, (op, s, dl) in enumerate(zip(out_pad, st, dil)):
            if op >= s and op >= dl:
                raise ValueError(
                    f"`output_padding` must be smaller than either `stride` or `dilation` "
                    f"(as in PyTorch), got output_padding={op}, stride={s}, dilation={dl} "
                    f"in dimension {d}"
                )
    return LayerParams(
        ndim=ndim,
        transposed=transposed,
        in_channels=cin,
        out_channels=cout,
        kernel_size=ks,
        stride=st,
        padding=pad,
        dilation=dil,
        groups=g,
        bias=bias,
        padding_mode=pmode,  # type: ignore[arg-type]
        output_padding=out_pad,
    )


def resolve_padding(p: LayerParams) -> tuple[tuple[int, int], ...]:
    """``(lo, hi)`` per axis; ``'same'`` puts ``total // 2`` on the left, as PyTorch."""
    if p.padding == "valid":
        return ((0, 0),) * p.ndim
    if p.padding == "same":
        pairs = []
        for k, d in zip(p.kernel_size, p.dilation):
            total = d * (k - 1)
            pairs.append((total // 2, total - total // 2))
        return tuple(pairs)
    assert not isinstance(p.padding, str)
    return tuple((q, q) for q in p.padding)


def layer_spec(p: LayerParams, size: tuple[int, ...]) -> ConvSpec:
    """The geometry of layer ``p`` applied to an input of spatial ``size``."""
    if p.transposed:
        return _transpose_spec(p, size)
    pads = resolve_padding(p)
    out = []
    for d, (n, k, s, dl, (lo, hi)) in enumerate(
        zip(size, p.kernel_size, p.stride, p.dilation, pads)
    ):
        span = dl * (k - 1) + 1
        if span > n + lo + hi:
            raise ValueError(
                f"`kernel_size` (={k}, dilated span {span}) must not exceed the padded "
                f"input size (={n} + {lo} + {hi} = {n + lo + hi}) in spatial dimension {d}"
            )
        if p.padding_mode == "reflect" and max(lo, hi) >= n:
            raise ValueError(
                f"`padding` (={max(lo, hi)}) must be smaller than the input size (={n}) "
                f"in spatial dimension {d} for padding_mode='reflect' (as in PyTorch)"
            )
        if p.padding_mode == "circular" and max(lo, hi) > n:
            raise ValueError(
                f"`padding` (={max(lo, hi)}) must not exceed the input size (={n}) "
                f"in spatial dimension {d} for padding_mode='circular' (as in PyTorch)"
            )
        out.append(conv_out_size(n, k, s, dl, lo, hi))
    return ConvSpec(
        kind="conv",
        in_channels=p.in_channels,
        out_channels=p.out_channels,
        groups=p.groups,
        in_size=tuple(size),
        out_size=tuple(out),
        kernel_size=p.kernel_size,
        stride=p.stride,
        dilation=p.dilation,
        padding=pads,
        padding_mode=p.padding_mode,
        bias=p.bias,
        output_padding=p.output_padding,
    )


def _transpose_spec(p: LayerParams, size: tuple[int, ...]) -> ConvSpec:
    # The forward convolution maps the transposed layer's output (out_channels,
    # out_size) back onto its input (in_channels, size), with weight shape
    # (in_channels, out_channels // groups, *k) -- PyTorch's ConvTranspose weight.
    assert not isinstance(p.padding, str)
    big = []
    for d, (n, k, s, dl, q, op) in enumerate(
        zip(size, p.kernel_size, p.stride, p.dilation, p.padding, p.output_padding)
    ):
        m = transpose_out_size(n, k, s, dl, q, op)
        if m < 1:
            raise ValueError(
                f"the output size of the transposed convolution must be positive, got {m} "
                f"in spatial dimension {d} (input {n}, kernel_size {k}, stride {s}, "
                f"padding {q}, dilation {dl}, output_padding {op})"
            )
        big.append(m)
    return ConvSpec(
        kind="transpose",
        in_channels=p.out_channels,
        out_channels=p.in_channels,
        groups=p.groups,
        in_size=tuple(big),
        out_size=tuple(size),
        kernel_size=p.kernel_size,
        stride=p.stride,
        dilation=p.dilation,
        padding=tuple((q, q) for q in p.padding),
        bias=p.bias,
        output_padding=p.output_padding,
    )


def input_size_from(p: LayerParams, input_size: object) -> tuple[int, ...]:
    """Spatial input size from ``input_size``: N ints, or N+1 with channels first."""
    name = "input_size"
    if isinstance(input_size, numbers.Integral) and not isinstance(input_size, bool):
        if p.ndim != 1:
            raise ValueError(
                f"`{name}` must be a tuple of {p.ndim} spatial sizes for a {p.ndim}-D layer, "
                f"got {input_size!r}"
            )
        input_size = (input_size,)
    if isinstance(input_size, (str, bytes)) or not isinstance(input_size, Sequence):
        raise TypeError(f"`{name}` must be a tuple of integers, got {input_size!r}")
    items = list(input_size)
    if len(items) == p.ndim + 1:
        c = check_int(name, items[0], minimum=1)
        if c != p.in_channels:
            raise ValueError(
                f"`{name}` has {c} channels but the layer's `in_channels` is {p.in_channels}"
            )
        items = items[1:]
    if len(items) != p.ndim:
        raise ValueError(
            f"`{name}` must give the {p.ndim} spatial size{'s' if p.ndim > 1 else ''} "
            f"(optionally preceded by the channel count), got {input_size!r}"
        )
    return tuple(check_int(name, v, minimum=1) for v in items)
