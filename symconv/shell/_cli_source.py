"""The options that describe a convolution on the command line, and the derivation
they give (layer: shell).

A signal (``--x``, ``--w``, ``--op``, ``--mode``) or a layer (``--layer`` and
PyTorch's parameters).  An option that does not apply to the source given is a
:class:`UsageError` (``--stride`` on a signal, ``--x`` with ``--layer``), and
sizes are checked before any symbol is made: a size such as ``2000x2000`` gives
a derivation whose symbols are created only when a view needs them.
"""

from __future__ import annotations

import argparse
from typing import Any

from ..boundary._spec import signal_spec
from ..boundary._values import to_array
from ..core._derivation import Derivation
from ._cli_values import UsageError, parse_ints, parse_values, size_of

LAYERS = ("conv1d", "conv2d", "conv3d", "convtranspose1d", "convtranspose2d", "convtranspose3d")
#: Layer options, all None unless given (so that a signal can refuse them).
LAYER_DEFAULTS = {"in_channels": "1", "out_channels": "1", "stride": "1", "padding": "0",
                  "dilation": "1", "groups": "1", "output_padding": "0",
                  "padding_mode": "zeros"}


def source_options(p: argparse.ArgumentParser) -> None:
    """The options that describe a convolution: a signal (``--x --w``) or a layer."""
    sig = p.add_argument_group("a signal (numpy/scipy semantics)")
    sig.add_argument("--x", help="input values '1,2,3,4' or '[1,2,3,4]' (rows split by ';', "
                     "'1,2,3;' is one row of a 2-D array) or a size such as 4 or 3x3 for "
                     "symbols x_...")
    sig.add_argument("--w", help="kernel values '5,6,7' or a size such as 3 for symbols w_...")
    sig.add_argument("--op", choices=("convolve", "correlate"),
                     help="true convolution (the default) or cross-correlation")
    sig.add_argument("--mode", choices=("full", "valid", "same", "circular"),
                     help="as scipy.signal (default: full for convolve, valid for correlate)")
    lay = p.add_argument_group("a layer (PyTorch semantics; input and weight are symbols)")
    lay.add_argument("--layer", type=str.lower, choices=LAYERS, metavar="LAYER",
                     help="one of " + ", ".join(LAYERS))
    lay.add_argument("--in-channels", help="default 1")
    lay.add_argument("--out-channels", help="default 1")
    lay.add_argument("--kernel-size", help="an integer or one per dimension, e.g. 3 or 3,3")
    lay.add_argument("--input-size", help="spatial input size, e.g. 5,5")
    lay.add_argument("--stride", help="default 1")
    lay.add_argument("--padding", help="integer(s), 'valid' or 'same' (default 0)")
    lay.add_argument("--dilation", help="default 1")
    lay.add_argument("--groups", help="default 1")
    lay.add_argument("--output-padding", help="transposed layers only (default 0)")
    lay.add_argument("--padding-mode", choices=("zeros", "reflect", "replicate", "circular"),
                     help="Conv layers only (default zeros)")
    lay.add_argument("--no-bias", action="store_true", help="a layer without bias")


def given(args: argparse.Namespace, *names: str) -> list[str]:
    """The options among ``names`` that were given (flags: set)."""
    return ["--" + n.replace("_", "-") for n in names
            if getattr(args, n, None) not in (None, False)]


def refuse(given: list[str], why: str) -> None:
    if given:
        raise UsageError(f"{given[0]} {why}")


def derivation_from_args(args: argparse.Namespace) -> Derivation:
    """The convolution the :func:`source_options` describe; an option that does not
    apply is a :class:`UsageError`.  Sizes are checked before any symbol is made."""
    layer_opts = ("in_channels", "out_channels", "kernel_size", "input_size", *LAYER_DEFAULTS,
                  "no_bias")
    if args.layer is None:
        refuse(given(args, *layer_opts), "applies to layers (--layer ...), not to a signal "
                "(--x, --w)")
        if args.x is None or args.w is None:
            raise UsageError("give a signal (--x and --w) or a layer (--layer ...)")
        return _signal(args)
    refuse(given(args, "x", "w", "op", "mode"), "applies to signals, not to a layer: a "
            "layer's input and weight are symbols (give --input-size and --kernel-size)")
    if args.kernel_size is None or args.input_size is None:
        raise UsageError("--layer needs --kernel-size and --input-size")
    transposed = args.layer.startswith("convtranspose")
    if transposed:
        refuse(given(args, "padding_mode"), "applies to Conv layers only (PyTorch's "
                "ConvTranspose layers pad with zeros)")
    else:
        refuse(given(args, "output_padding"), "applies to ConvTranspose layers only")
    from . import _layers

    cls = getattr(_layers, {"conv": "Conv", "convtranspose": "ConvTranspose"}[
        args.layer[:-2]] + args.layer[-2:])
    opt = {k: getattr(args, k) if getattr(args, k) is not None else v
           for k, v in LAYER_DEFAULTS.items()}
    padding: Any = opt["padding"]
    if padding not in ("same", "valid"):
        padding = parse_ints("--padding", padding, minimum=0)
    kwargs: dict[str, Any] = dict(
        stride=parse_ints("--stride", opt["stride"]),
        padding=padding,
        dilation=parse_ints("--dilation", opt["dilation"]),
        groups=parse_ints("--groups", opt["groups"]),
        bias=not args.no_bias,
    )
    if transposed:
        kwargs["output_padding"] = parse_ints("--output-padding", opt["output_padding"], 0)
    else:
        kwargs["padding_mode"] = opt["padding_mode"]
    layer = cls(
        parse_ints("--in-channels", opt["in_channels"]),
        parse_ints("--out-channels", opt["out_channels"]),
        parse_ints("--kernel-size", args.kernel_size),
        **kwargs,
    )
    return layer.derive(input_size=parse_ints("--input-size", args.input_size))


def _signal(args: argparse.Namespace) -> Derivation:
    """A signal: values, or sizes whose symbols are made only when a view needs them."""
    op = args.op or "convolve"
    mode: Any = args.mode or ("full" if op == "convolve" else "valid")
    arrays: list[Any] = []
    shapes: list[tuple[int, ...]] = []
    for option, text in (("--x", args.x), ("--w", args.w)):
        shape = size_of(text)
        if shape is None:  # values
            arr = to_array(option[2:], parse_values(option, text))
            arrays.append(arr)
            shapes.append(tuple(arr.shape))
            continue
        if 0 in shape:
            raise UsageError(f"{option}: sizes must be positive, got {text!r}")
        arrays.append(None)  # symbols, made when a view needs them
        shapes.append(shape)
    spec = signal_spec(shapes[0], shapes[1], op, mode)
    return Derivation(spec, arrays[0], arrays[1])


# ------------------------------------------------------------- commands
