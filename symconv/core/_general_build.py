"""General sizes: validating symbolic layer/signal arguments and building the law (core).

The front door of :mod:`symconv.core._general`: ``general_layer`` validates a
layer's arguments when some are SymPy sizes, ``derive_layer``/``derive_signal``
build the per-axis :class:`~symconv.core._general.AxisLaw` and return a
:class:`~symconv.core._general.GeneralDerivation` (or the instance
``Derivation`` once every size is a number).  Padding modes: ``zeros`` and
``circular`` have a general law; ``reflect`` and ``replicate`` are refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import sympy
from sympy import Expr, IndexedBase, Integer, floor

from ..boundary._spec import (
    check_choice,
    check_size,
    input_size_from,
    is_symbolic,
    layer_params,
    layer_spec,
    signal_spec,
)
from ._derivation import Derivation
from ._general import GeneralDerivation
from ._general_law import GENERAL_PADDING_MODES, AxisLaw, GeneralSpec

__all__ = ["GeneralLayer", "derive_general", "derive_layer", "derive_signal", "general_layer",
           "is_general", "is_indexed", "is_symbolic"]




def _sym(v: Any) -> Expr:
    return sympy.sympify(v) if not isinstance(v, sympy.Basic) else v


def _tuple(name: str, value: Any, ndim: int, minimum: int) -> tuple[Any, ...]:
    if isinstance(value, (list, tuple)):
        if len(value) != ndim:
            raise ValueError(f"`{name}` must have {ndim} entr{'y' if ndim == 1 else 'ies'} "
                             f"(one per spatial dimension), got {value!r}")
        return tuple(check_size(name, v, minimum=minimum) for v in value)
    return (check_size(name, value, minimum=minimum),) * ndim


def _concrete(values: Sequence[Any]) -> bool:
    return not any(is_symbolic(v) for v in values)


@dataclass(frozen=True)
class GeneralLayer:
    """A layer's constructor arguments when a size is symbolic (validated)."""

    ndim: int
    transposed: bool
    in_channels: Any
    out_channels: Any
    kernel_size: tuple[Any, ...]
    stride: tuple[Any, ...]
    padding: tuple[Any, ...] | str
    dilation: tuple[Any, ...]
    groups: int
    bias: bool
    padding_mode: str
    output_padding: tuple[Any, ...]

    def args(self) -> tuple[Any, ...]:
        """The constructor arguments in ``layer_params`` order."""
        return (self.in_channels, self.out_channels, self.kernel_size, self.stride,
                self.padding, self.dilation, self.groups, self.bias, self.padding_mode,
                self.output_padding)


def general_layer(ndim: int, transposed: bool, in_channels: Any, out_channels: Any,
                  kernel_size: Any, stride: Any, padding: Any, dilation: Any, groups: Any,
                  bias: Any, padding_mode: Any, output_padding: Any = 0) -> GeneralLayer:
    """Validate layer arguments of which some are SymPy sizes (the general boundary)."""
    cin = check_size("in_channels", in_channels, minimum=1)
    cout = check_size("out_channels", out_channels, minimum=1)
    if isinstance(groups, sympy.Basic) or isinstance(groups, bool) or not isinstance(groups, int):
        raise TypeError(f"`groups` must be a (numeric) integer for general sizes, got {groups!r}")
    if groups < 1:
        raise ValueError(f"`groups` must be positive, got {groups!r}")
    if groups != 1 and not _concrete([cin, cout]):
        raise ValueError(f"`groups` (={groups}) other than 1 needs numeric channel counts, "
                         f"got in_channels={cin}, out_channels={cout}")
    if groups != 1 and (cin % groups or cout % groups):
        raise ValueError(f"`in_channels` (={cin}) and `out_channels` (={cout}) must be "
                         f"divisible by `groups` (={groups})")
    ks = _tuple("kernel_size", kernel_size, ndim, 1)
    st = _tuple("stride", stride, ndim, 1)
    dil = _tuple("dilation", dilation, ndim, 1)
    if not isinstance(bias, bool):
        raise TypeError(f"`bias` must be True or False, got {bias!r}")
    pmode = check_choice("padding_mode", padding_mode,
                         ("zeros", "reflect", "replicate", "circular"))
    if pmode not in GENERAL_PADDING_MODES:
        raise ValueError(f"`padding_mode`={pmode!r} has no general law (it folds indices "
                         f"back by the data); use 'zeros' or 'circular' with symbolic sizes, "
                         "or numeric sizes")
    pad: tuple[Any, ...] | str
    if isinstance(padding, str):
        if transposed:
            raise ValueError(f"`padding` of a transposed convolution must be an integer or "
                             f"a tuple, got {padding!r}")
        pad = check_choice("padding", padding, ("valid", "same"))
        if pad == "same" and any(v != 1 for v in st):
            raise ValueError(f"`padding`='same' is not supported for strided convolutions "
                             f"(as in PyTorch), got `stride`={st}")
    else:
        pad = _tuple("padding", padding, ndim, 0)
    out_pad = (0,) * ndim
    if transposed:
        if pmode != "zeros":
            raise ValueError(f"`padding_mode` of a transposed convolution must be 'zeros', "
                             f"got {pmode!r}")
        out_pad = _tuple("output_padding", output_padding, ndim, 0)
        for a, s_, d_ in zip(out_pad, st, dil):
            if _concrete([a, s_, d_]) and a >= s_ and a >= d_:
                raise ValueError(f"`output_padding` must be smaller than either `stride` or "
                                 f"`dilation`, got output_padding={a}, stride={s_}, "
                                 f"dilation={d_}")
    return GeneralLayer(ndim, transposed, cin, cout, ks, st, pad, dil, groups, bias, pmode,
                        out_pad)


def general_input_size(ndim: int, in_channels: Any, input_size: Any) -> tuple[Any, ...]:
    """Spatial sizes from ``input_size`` (N sizes, or N+1 with channels first)."""
    items = list(input_size) if isinstance(input_size, (list, tuple)) else [input_size]
    if len(items) == ndim + 1:
        c = check_size("input_size", items[0], minimum=1)
        if sympy.simplify(_sym(c) - _sym(in_channels)) != 0:
            raise ValueError(f"`input_size` has {c} channels but the layer's `in_channels` "
                             f"is {in_channels}")
        items = items[1:]
    if len(items) != ndim:
        raise ValueError(f"`input_size` must give the {ndim} spatial size"
                         f"{'s' if ndim > 1 else ''}, got {input_size!r}")
    return tuple(check_size("input_size", v, minimum=1) for v in items)


def _subs_all(values: Any, sizes: Mapping[Any, Any]) -> Any:
    if isinstance(values, tuple):
        return tuple(_subs_all(v, sizes) for v in values)
    if isinstance(values, sympy.Basic):
        v = values.subs(sizes)
        if v.is_Integer:
            return int(v)
        if v.is_number:
            raise ValueError(f"a substituted size must be an integer, got {v}")
        return v
    return values


def derive_layer(lay: GeneralLayer, input_size: Any) -> Any:
    """The general derivation of layer ``lay`` on an input of (symbolic) ``input_size``."""
    size = general_input_size(lay.ndim, lay.in_channels, input_size)
    if _concrete([*lay.args()[:6], lay.output_padding, size]):
        p = layer_params(lay.ndim, lay.transposed, *lay.args())
        return Derivation(layer_spec(p, input_size_from(p, size)))

    def rebuild(sizes: Mapping[Any, Any]) -> Any:
        args = _subs_all(lay.args(), sizes)
        new = general_layer(lay.ndim, lay.transposed, *args)
        return derive_layer(new, _subs_all(size, sizes))

    S = [_sym(v) for v in (lay.in_channels, lay.out_channels)]
    axes = []
    for a in range(lay.ndim):
        k, s, d = (_sym(v[a]) for v in (lay.kernel_size, lay.stride, lay.dilation))
        if lay.padding == "valid":
            lo = hi = Integer(0)
        elif lay.padding == "same":
            total = d * (k - 1)
            lo = floor(total / 2)
            hi = total - lo
        else:
            assert isinstance(lay.padding, tuple)
            lo = hi = _sym(lay.padding[a])
        if lay.transposed:
            nsmall = _sym(size[a])
            n = (nsmall - 1) * s - 2 * lo + d * (k - 1) + _sym(lay.output_padding[a]) + 1
        else:
            n = _sym(size[a])
        axes.append(AxisLaw(n, k, s, d, lo, hi, circular=lay.padding_mode == "circular"))
    spec = GeneralSpec(
        kind="transpose" if lay.transposed else "conv",
        in_channels=S[1] if lay.transposed else S[0],
        out_channels=S[0] if lay.transposed else S[1],
        groups=lay.groups, axes=tuple(axes), bias=lay.bias,
        output_padding=tuple(_sym(v) for v in lay.output_padding),
        rebuild=rebuild)
    if lay.transposed:
        spec = replace(spec, small_size=tuple(_sym(v) for v in size))
    return GeneralDerivation(spec)


def derive_signal(op: str, x: IndexedBase, w: IndexedBase, mode: str) -> Any:
    """The general derivation of ``convolve``/``correlate`` on IndexedBase operands."""
    check_choice("mode", mode, ("full", "valid", "same"))
    for name, base in (("x", x), ("w", w)):
        if base.shape is None or len(base.shape) == 0:
            raise ValueError(f"`{name}` must be an IndexedBase with a shape, e.g. "
                             f"IndexedBase('{name}', shape=(n,)), got {base!r}")
    if len(x.shape) != len(w.shape):
        raise ValueError(f"`x` and `w` must have the same number of dimensions, got "
                         f"shapes {tuple(x.shape)} and {tuple(w.shape)}")
    ns = tuple(check_size("x", v, minimum=1) for v in x.shape)
    ks = tuple(check_size("w", v, minimum=1) for v in w.shape)
    if _concrete([*ns, *ks]):
        if mode == "valid" and any(int(n) < int(k) for n, k in zip(ns, ks)):
            raise ValueError(f"the general mode='valid' assumes `x` at least as large as `w` "
                             f"in every axis, got x shape {ns} and w shape {ks}")
        return _signal_instance(op, ns, ks, mode)

    def rebuild(sizes: Mapping[Any, Any]) -> Any:
        nx = IndexedBase(x.label, shape=_subs_all(tuple(x.shape), sizes))
        nw = IndexedBase(w.label, shape=_subs_all(tuple(w.shape), sizes))
        return derive_signal(op, nx, nw, mode)

    axes = []
    for n, k in zip(ns, ks):
        n, k = _sym(n), _sym(k)
        if mode == "full":
            lo = hi = k - 1
        elif mode == "same":
            start = floor((k - 1) / 2)
            lo, hi = k - 1 - start, start
        else:
            lo = hi = Integer(0)
        axes.append(AxisLaw(n, k, Integer(1), Integer(1), lo, hi, flip=op == "convolve"))
    spec = GeneralSpec(kind="signal", in_channels=Integer(1), out_channels=Integer(1),
                       groups=1, axes=tuple(axes), op=op, mode=mode, rebuild=rebuild)
    return GeneralDerivation(spec, {"x": str(x.label), "w": str(w.label)})


def _signal_instance(op: str, ns: tuple[Any, ...], ks: tuple[Any, ...], mode: str) -> Derivation:
    """The instance once every size is a number (valid mode assumes x at least w)."""
    return Derivation(signal_spec(tuple(int(v) for v in ns), tuple(int(v) for v in ks),
                                  op, mode))


def is_general(params: Any, input_size: Any) -> bool:
    """True when a layer's parameters or its ``input_size`` hold a symbolic size."""
    return isinstance(params, GeneralLayer) or is_symbolic(input_size)


def derive_general(params: Any, input_size: Any, *, x: Any = None, weight: Any = None,
                   bias: Any = None) -> Any:
    """``layer.derive`` for general sizes: ``params`` a LayerParams or GeneralLayer.

    Raises
    ------
    ValueError
        Values (``x``, ``weight``, ``bias``) given with symbolic sizes, or no ``input_size``.
    """
    for name, value in (("x", x), ("weight", weight), ("bias", bias)):
        if value is not None:
            raise ValueError(f"`{name}` cannot be given with symbolic sizes: the general "
                             "derivation uses IndexedBase symbols; use subs(...) first")
    if input_size is None:
        raise ValueError("`input_size` is required when `x` is not given")
    lay = params
    if not isinstance(params, GeneralLayer):
        p = params
        lay = general_layer(p.ndim, p.transposed, p.in_channels, p.out_channels,
                            p.kernel_size, p.stride, p.padding, p.dilation, p.groups, p.bias,
                            p.padding_mode, p.output_padding)
    return derive_layer(lay, input_size)


def is_indexed(x: Any, w: Any) -> bool:
    """True when a signal operand is a ``sympy.IndexedBase`` (the general signal path).

    Raises
    ------
    TypeError
        Only one of the two operands is an IndexedBase.
    """
    ix, iw = isinstance(x, IndexedBase), isinstance(w, IndexedBase)
    if ix != iw:
        name = "w" if ix else "x"
        raise TypeError(f"`{name}` must be a sympy.IndexedBase with a shape like the other "
                        f"operand (general sizes), got {(w if ix else x)!r}")
    return ix
