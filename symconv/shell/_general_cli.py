"""The ``symconv general`` subcommand: a derivation for general sizes given as letters (shell).

Each size is an integer (``3``) or a name (``k``, ``n1``); a name becomes a
SymPy integer symbol, positive (padding and output padding: nonnegative).
Text is matched against a pattern, never evaluated.  Prints the output size,
one output, one matrix entry and the gradients; ``--verify`` adds the proof
report, ``-o FILE.tex`` writes the document.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any, TextIO

import sympy

from ._cli import Command, UsageError, name_options, names_from_args, writable, write_text
from ._cli_source import given, refuse
from ._layers import Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from ._signal import convolve, correlate

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,15}$")
_INT = re.compile(r"^[0-9]{1,6}$")
OPS = ("correlate", "convolve", "conv1d", "conv2d", "conv3d", "convtranspose1d",
       "convtranspose2d", "convtranspose3d")
NONNEGATIVE = ("padding", "output_padding")


def parse_size(option: str, text: str, *, nonnegative: bool = False) -> Any:
    """One size: an integer, or a letter name as a SymPy integer symbol (never evaluated).

    Examples
    --------
    >>> parse_size("--stride", "s"), parse_size("--stride", "2")
    (s, 2)
    >>> parse_size("--stride", "__import__")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    symconv.shell._cli_values.UsageError: --stride: '__import__' is neither an integer nor ...
    """
    text = text.strip()
    if _INT.match(text):
        return int(text)
    if _NAME.match(text):
        if nonnegative:
            return sympy.Symbol(text, integer=True, nonnegative=True)
        return sympy.Symbol(text, integer=True, positive=True)
    raise UsageError(f"{option}: {text!r} is neither an integer nor a name (a letter, then "
                     "letters or digits)")


def parse_sizes(option: str, text: str, *, nonnegative: bool = False) -> tuple[Any, ...]:
    """Comma-separated sizes (see :func:`parse_size`)."""
    parts = text.split(",")
    if len(parts) > 8:
        raise UsageError(f"{option}: at most 8 sizes, got {len(parts)}")
    return tuple(parse_size(option, t, nonnegative=nonnegative) for t in parts)


def _arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("op", type=str.lower, choices=OPS,
                   help="the operation (signal style or a layer; any case: Conv1d)")
    p.add_argument("--x-shape", help="signals: the shape of x, e.g. n or n,m")
    p.add_argument("--w-shape", help="signals: the shape of w, e.g. k")
    p.add_argument("--mode", default="valid", choices=("full", "valid", "same"))
    for name in ("kernel-size", "stride", "padding", "dilation", "output-padding",
                 "in-channels", "out-channels", "input-size"):
        p.add_argument(f"--{name}", help="integers or letters, comma-separated per axis")
    p.add_argument("--no-bias", action="store_true", help="layers: no bias")
    p.add_argument("--verify", action="store_true", help="print the proof report")
    p.add_argument("-o", "--output", help="write the LaTeX document to this .tex file")
    name_options(p, "the LaTeX document: the roles x, w, b, g; g is never delta, the "
                 "document's Kronecker delta")


def _one(option: str, sizes: tuple[Any, ...]) -> Any:
    return sizes[0] if len(sizes) == 1 else sizes


def _build(args: argparse.Namespace) -> Any:
    if args.op in ("correlate", "convolve"):
        for opt in ("kernel_size", "stride", "padding", "dilation", "output_padding",
                    "in_channels", "out_channels", "input_size"):
            if getattr(args, opt) is not None:
                raise UsageError(f"--{opt.replace('_', '-')} does not apply to {args.op} "
                                 "(use --x-shape and --w-shape)")
        if args.x_shape is None or args.w_shape is None:
            raise UsageError(f"{args.op} needs --x-shape and --w-shape")
        x = sympy.IndexedBase("x", shape=parse_sizes("--x-shape", args.x_shape))
        w = sympy.IndexedBase("w", shape=parse_sizes("--w-shape", args.w_shape))
        return (convolve if args.op == "convolve" else correlate)(x, w, mode=args.mode)
    if args.x_shape is not None or args.w_shape is not None:
        raise UsageError("--x-shape/--w-shape apply to correlate and convolve only")
    if args.kernel_size is None or args.input_size is None:
        raise UsageError(f"{args.op} needs --kernel-size and --input-size")
    cls = {c.__name__.lower(): c for c in (Conv1d, Conv2d, Conv3d, ConvTranspose1d,
                                           ConvTranspose2d, ConvTranspose3d)}[args.op]
    kw: dict[str, Any] = {}
    for opt in ("kernel_size", "stride", "padding", "dilation", "output_padding"):
        text = getattr(args, opt)
        if text is not None:
            kw[opt] = _one(opt, parse_sizes(f"--{opt.replace('_', '-')}", text,
                                            nonnegative=opt in NONNEGATIVE))
    if "output_padding" in kw and "transpose" not in args.op:
        raise UsageError("--output-padding applies to transposed layers only")
    cin = parse_size("--in-channels", args.in_channels or "1")
    cout = parse_size("--out-channels", args.out_channels or "1")
    layer = cls(cin, cout, bias=not args.no_bias, **kw)
    return layer.derive(input_size=parse_sizes("--input-size", args.input_size))


def _run(args: argparse.Namespace, out: TextIO) -> int:
    if not args.output:
        refuse(given(args, "names", "index_base"), "applies to the LaTeX document (-o FILE.tex)")
    names = names_from_args(args)
    path = writable("--output", Path(args.output)) if args.output else None
    g = _build(args)
    if not hasattr(g, "sizes"):
        raise UsageError("every size is a number: use `symconv derive` for an instance")
    nd = g.spec.ndim
    o = [sympy.Symbol("o" if nd == 1 else f"o{a + 1}", integer=True) for a in range(nd)]
    i = [sympy.Symbol("i" if nd == 1 else f"i{a + 1}", integer=True) for a in range(nd)]
    row = tuple(o) if not g.spec.has_channels else (sympy.Symbol("q", integer=True), *o)
    col = tuple(i) if not g.spec.has_channels else (sympy.Symbol("c", integer=True), *i)
    gg = g.gradient()
    lines = [repr(g), f"sizes: {', '.join(map(str, g.sizes))}",
             f"output size: {g.output_size}",
             f"y[{', '.join(map(str, row))}] = {g.output[row]}",
             f"T[({', '.join(map(str, row))}), ({', '.join(map(str, col))})] = "
             f"{g.matrix[row, col]}",
             f"dL/dx[{', '.join(map(str, col))}] = {gg.input[col]}",
             "(reads outside 0..n-1 are the zero padding: they read 0)"]
    out.write("\n".join(lines) + "\n")
    if args.verify:
        out.write(str(g.verify()) + "\n")
    if path is not None:
        # g stays g rather than delta: the general documents write Kronecker deltas
        roles = {k: names.names[k] for k in ("x", "w", "b", "g") if names.names[k] != "delta"}
        write_text("--output", path, g.latex_document(names=roles,
                                                      index_base=names.index_base))
        out.write(f"wrote {path}\n")
    return 0


COMMANDS = {"general": Command(
    "a derivation for general sizes given as letters", _arguments, _run,
    "Derive a convolution for general (symbolic) sizes: sizes are integers or letters "
    "(SymPy integer symbols), e.g. `symconv general conv1d --kernel-size k --stride s "
    "--input-size n`.")}
