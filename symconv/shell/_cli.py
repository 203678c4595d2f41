"""The ``symconv`` command line: ``derive``, ``check`` and ``plot``.

User text is parsed with :func:`symconv.parse_value` (numbers, exact decimals,
fractions and symbol names, never ``eval``).  Exit codes: 0 success, 1 a claim
that matches no convention (``check``) or a missing optional dependency, 2 a
bad option or value (one line on stderr, as argparse does).  Long derivations
report progress on stderr when it is a terminal (:mod:`symconv.core._progress`).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TextIO

import numpy as np
import sympy

from ..boundary._limits import PRINT_ENTRIES
from ..boundary._values import parse_value
from ..core._derivation import Derivation
from ..core._progress import track

LAYERS = ("conv1d", "conv2d", "conv3d", "convtranspose1d", "convtranspose2d", "convtranspose3d")
KINDS = ("matrix", "patches", "gradient", "connectivity")
FORMATS = (".png", ".svg", ".pdf", ".tex")

_SIZE = re.compile(r"^\d+(x\d+)*$")


class UsageError(Exception):
    """A bad option or value: reported on one line, exit code 2."""


@dataclass(frozen=True)
class Command:
    """One subcommand: its help, how it adds its options, and what it runs.

    ``run(args, out)`` writes to ``out`` and returns the exit code; it raises
    :class:`UsageError` (or ``ValueError``/``TypeError``) for a bad option or
    value, which :func:`main` reports on one line with exit code 2.
    """

    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, TextIO], int]
    description: str | None = None


#: Subcommands by name, in the order ``--help`` lists them (filled below and by
#: :func:`register`).
COMMANDS: dict[str, Command] = {}

#: Modules of this layer that define more subcommands: each is imported when the
#: parser is built and exposes ``COMMANDS: dict[str, Command]``.  To add a
#: subcommand, write it in its own ``symconv/shell/_<name>_cli.py`` and add the
#: module name here -- one line, nothing else in this file changes.
COMMAND_MODULES: tuple[str, ...] = ("._html_cli", "._cli_textbook", "._general_cli")


def register(name: str, command: Command) -> None:
    """Add a subcommand (a second registration of one name is an error)."""
    if name in COMMANDS:
        raise ValueError(f"`name`: the subcommand {name!r} is already registered")
    COMMANDS[name] = command


def _commands() -> dict[str, Command]:
    import importlib

    for module in COMMAND_MODULES:
        for name, command in importlib.import_module(module, __package__).COMMANDS.items():
            COMMANDS.setdefault(name, command)
    return COMMANDS


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see `{self.prog} --help`)")


# ----------------------------------------------------------------- values


def parse_values(option: str, text: str) -> list[Any]:
    """``"1,2,3"`` -> a list; ``"1,2;3,4"`` -> rows; entries via ``parse_value``.

    Examples
    --------
    >>> parse_values("--x", "1, 1/2; 0.5, a")
    [[1, 1/2], [1/2, a]]
    """
    rows = [r for r in text.split(";")]
    parsed = []
    for row in rows:
        items = []
        for item in row.split(","):
            try:
                items.append(parse_value(item))
            except ValueError as exc:
                raise UsageError(f"{option}: {exc} (in {text!r})") from None
        parsed.append(items)
    if len(parsed) == 1:
        return parsed[0]
    if len({len(r) for r in parsed}) != 1:
        raise UsageError(f"{option}: rows must have the same length, got {text!r}")
    return parsed


def parse_ints(option: str, text: str, minimum: int = 1) -> int | tuple[int, ...]:
    """``"3"`` -> 3, ``"3,3"`` -> (3, 3); every entry an integer >= ``minimum``."""
    out = []
    for item in text.split(","):
        item = item.strip()
        if not re.fullmatch(r"-?\d+", item) or int(item) < minimum:
            rule = "positive integers" if minimum == 1 else f"integers >= {minimum}"
            raise UsageError(f"{option}: must be {rule} separated by commas, got {text!r}")
        out.append(int(item))
    return out[0] if len(out) == 1 else tuple(out)


def _signal_operand(option: str, text: str, letter: str) -> Any:
    """Values, or a symbolic array for a size such as ``4`` or ``3x3``."""
    if _SIZE.fullmatch(text.strip()):
        shape = tuple(int(v) for v in text.strip().split("x"))
        if 0 in shape:
            raise UsageError(f"{option}: sizes must be positive, got {text!r}")
        return sympy.symarray(letter, shape)
    return parse_values(option, text)


# ----------------------------------------------------------------- parser


def _source_options(p: argparse.ArgumentParser) -> None:
    sig = p.add_argument_group("a signal (numpy/scipy semantics)")
    sig.add_argument("--x", help="input values '1,2,3,4' (rows split by ';') or a size "
                     "such as 4 or 3x3 for symbols x_...")
    sig.add_argument("--w", help="kernel values '5,6,7' or a size such as 3 for symbols w_...")
    sig.add_argument("--op", choices=("convolve", "correlate"), default="convolve",
                     help="true convolution (default) or cross-correlation")
    sig.add_argument("--mode", choices=("full", "valid", "same"),
                     help="as scipy.signal (default: full for convolve, valid for correlate)")
    lay = p.add_argument_group("a layer (PyTorch semantics)")
    lay.add_argument("--layer", type=str.lower, choices=LAYERS, metavar="LAYER",
                     help="one of " + ", ".join(LAYERS))
    lay.add_argument("--in-channels", default="1")
    lay.add_argument("--out-channels", default="1")
    lay.add_argument("--kernel-size", help="an integer or one per dimension, e.g. 3 or 3,3")
    lay.add_argument("--input-size", help="spatial input size, e.g. 5,5")
    lay.add_argument("--stride", default="1")
    lay.add_argument("--padding", default="0", help="integer(s), 'valid' or 'same'")
    lay.add_argument("--dilation", default="1")
    lay.add_argument("--groups", default="1")
    lay.add_argument("--output-padding", default="0", help="transposed layers only")
    lay.add_argument("--padding-mode", default="zeros",
                     choices=("zeros", "reflect", "replicate", "circular"))
    lay.add_argument("--no-bias", action="store_true", help="a layer without bias")


def _derive_arguments(d: argparse.ArgumentParser) -> None:
    _source_options(d)
    out = d.add_argument_group("output")
    out.add_argument("--latex", action="store_true", help="print math-mode LaTeX")
    out.add_argument("--document", metavar="OUT.tex", help="write a complete LaTeX document")
    out.add_argument("--gradient", action="store_true", help="also show the backward pass")


def _check_arguments(c: argparse.ArgumentParser) -> None:
    c.add_argument("--x", required=True, help="input values, e.g. 1,2,3,4 (rows split by ';')")
    c.add_argument("--w", required=True, help="kernel values, e.g. 5,6,7")
    c.add_argument("--claimed", required=True, help="the claimed result, e.g. 38,56")
    c.add_argument("--stride", help="take every stride-th output (default 1)")
    c.add_argument("--op", choices=("convolve", "correlate"), help="the operation intended")
    c.add_argument("--mode", choices=("full", "valid", "same", "same_torch"),
                   help="the mode intended")


def _plot_arguments(pl: argparse.ArgumentParser) -> None:
    _source_options(pl)
    pl.add_argument("--kind", choices=KINDS, default="matrix", help="what to draw")
    pl.add_argument("-o", "--output", required=True, metavar="FILE",
                    help="output file: .png, .svg, .pdf, or .tex for TikZ")
    pl.add_argument("--dpi", default="150")


def build_parser() -> argparse.ArgumentParser:
    """The ``symconv`` argument parser, one subparser per registered :class:`Command`."""
    parser = _Parser(
        prog="symconv",
        description="Show exactly how a convolution replaces a matrix multiplication.",
        epilog="Exit codes: 0 success, 1 claim not matched (check) or missing optional "
        "dependency, 2 bad option or value.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                parser_class=_Parser)
    for name, command in _commands().items():
        p = sub.add_parser(name, help=command.help,
                           description=command.description or command.help)
        command.add_arguments(p)
    return parser


# ------------------------------------------------------------- commands


def _derivation(args: argparse.Namespace) -> Derivation:
    from . import _layers
    from ._signal import convolve, correlate

    if args.layer is None:
        if args.x is None or args.w is None:
            raise UsageError("give a signal (--x and --w) or a layer (--layer ...)")
        x = _signal_operand("--x", args.x, "x")
        w = _signal_operand("--w", args.w, "w")
        fn = convolve if args.op == "convolve" else correlate
        mode: Any = args.mode or ("full" if args.op == "convolve" else "valid")
        return fn(x, w, mode=mode)
    if args.kernel_size is None or args.input_size is None:
        raise UsageError("--layer needs --kernel-size and --input-size")
    transposed = args.layer.startswith("convtranspose")
    cls = getattr(_layers, {"conv": "Conv", "convtranspose": "ConvTranspose"}[
        args.layer[:-2]] + args.layer[-2:])
    padding: Any = args.padding
    if padding not in ("same", "valid"):
        padding = parse_ints("--padding", padding, minimum=0)
    kwargs: dict[str, Any] = dict(
        stride=parse_ints("--stride", args.stride),
        padding=padding,
        dilation=parse_ints("--dilation", args.dilation),
        groups=parse_ints("--groups", args.groups),
        bias=not args.no_bias,
        padding_mode=args.padding_mode,
    )
    if transposed:
        kwargs["output_padding"] = parse_ints("--output-padding", args.output_padding, 0)
    layer = cls(
        parse_ints("--in-channels", args.in_channels),
        parse_ints("--out-channels", args.out_channels),
        parse_ints("--kernel-size", args.kernel_size),
        **kwargs,
    )
    return layer.derive(input_size=parse_ints("--input-size", args.input_size))


def _name(letter: str, flat: int, shape: tuple[int, ...]) -> str:
    return letter + "".join(f"_{int(v)}" for v in np.unravel_index(flat, shape))


def _print_sums(
    title: str, letter: str, flat: list[Any], shape: tuple[int, ...], out: TextIO, size: int
) -> None:
    out.write(f"{title}\n")
    for j, v in enumerate(track(flat, len(flat), f"{letter} text", size=size)):
        out.write(f"  {_name(letter, j, shape)} = {v}\n")


def _print_outputs(d: Derivation, out: TextIO) -> None:
    """Each output; numeric ones as their sum of products, ``y_0 = 1*5 + 2*6 = 17``."""
    from ._handcheck import _factor

    out.write("outputs:\n")
    shape = d.spec.output_shape
    flat = d.flat_output
    bias = d.bias
    per_channel = int(np.prod(shape[1:])) if bias is not None else 1
    for j, v in enumerate(track(flat, len(flat), "output text", size=len(d.taps))):
        text = str(v)
        if getattr(v, "is_Number", False):
            index = tuple(int(a) for a in np.unravel_index(j, shape))
            parts = [f"{_factor(xv)}*{_factor(wv)}" for wv, xv in d.terms(*index)]
            if bias is not None:
                parts.append(_factor(bias[j // per_channel]))
            text = f"{' + '.join(parts) or '0'} = {v}"
        out.write(f"  {_name('y', j, shape)} = {text}\n")


def _print_matrix(d: Derivation, out: TextIO) -> None:
    t = d.taps
    if t.n_out * t.n_in > PRINT_ENTRIES:
        out.write(f"T is {t.n_out:,} x {t.n_in:,}: too large to print.\n")
        return
    m = d.matrix
    cells = [[str(m[r, c]) for c in range(t.n_in)] for r in range(t.n_out)]
    width = max(len(s) for row in cells for s in row)
    out.write("T (vec(y) = T vec(x)):\n")
    for row in cells:
        out.write("  [" + "  ".join(s.rjust(width) for s in row) + "]\n")


def _derive(args: argparse.Namespace, out: TextIO) -> int:
    d = _derivation(args)
    if args.latex or args.document:
        if args.latex:
            out.write(d.to_latex() + "\n")
        if args.document:
            Path(args.document).write_text(d.latex_document())
            out.write(f"wrote {args.document}\n")
        return 0
    out.write(f"{d!r}\n")
    _print_outputs(d, out)
    _print_matrix(d, out)
    if args.gradient:
        g = d.gradient()
        n = len(d.taps)
        s = d.spec
        _print_sums("input gradient (dL/dx):", "dx", g.flat_input, s.input_shape, out, n)
        _print_sums("weight gradient (dL/dw):", "dw", g.flat_weight, s.weight_shape, out, n)
        if g.bias is not None:
            _print_sums("bias gradient (dL/db):", "db", g.flat_bias, (s.bias_size,), out, n)
    out.write("structure:\n")
    for line in str(d.stats()).splitlines():
        out.write(f"  {line}\n")
    return 0


def _check(args: argparse.Namespace, out: TextIO) -> int:
    from ._handcheck import check_hand

    stride = None if args.stride is None else parse_ints("--stride", args.stride)
    rep = check_hand(
        parse_values("--x", args.x), parse_values("--w", args.w),
        parse_values("--claimed", args.claimed), stride=stride, op=args.op, mode=args.mode,
    )
    out.write(f"{rep}\n")
    return 0 if rep else 1


def _plot(args: argparse.Namespace, out: TextIO) -> int:
    from ..rendering import _plot

    path = Path(args.output)
    if path.suffix.lower() not in FORMATS:
        raise UsageError(f"--output: the file must end in {', '.join(FORMATS)}, got {path.name!r}")
    dpi = parse_ints("--dpi", args.dpi)
    d = _derivation(args)
    if path.suffix.lower() == ".tex":
        path.write_text(_plot.to_tikz(d, args.kind, standalone=True))
    else:
        plt = _plot.pyplot()  # a helpful ImportError without matplotlib
        plt.switch_backend("Agg")  # files only, no window
        if args.kind == "connectivity":
            ax = _plot.plot_connectivity(d)
        else:
            ax = _plot.plot_matrix(d, args.kind)
        fig: Any = ax.figure
        fig.savefig(path, dpi=dpi, bbox_inches="tight")
        plt.close(fig)
    out.write(f"wrote {path}\n")
    return 0


register("derive", Command(
    "every output as a sum of products, and the matrix", _derive_arguments, _derive,
    "Derive a convolution: outputs as sums of products, the layer matrix T, or LaTeX."))
register("check", Command(
    "which convention gives a hand-computed result", _check_arguments, _check,
    "Check a hand calculation against every convention."))
register("plot", Command(
    "draw the matrix or the connectivity diagram", _plot_arguments, _plot,
    "Draw a picture (PNG/SVG/PDF with matplotlib, or TikZ with a .tex output)."))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``symconv`` command line; returns the exit code.

    Examples
    --------
    >>> main(["check", "--x", "1,2,3,4", "--w", "5,6,7", "--claimed", "38,56"])
    [38, 56] matches 1 convention:
      - correlate, mode='valid': cross-correlation (kernel not flipped; what deep-learning
        layers compute); only the positions where x and w overlap completely
    0
    """
    out = sys.stdout
    try:
        try:
            args = build_parser().parse_args(None if argv is None else list(argv))
        except SystemExit as exc:  # --help
            return int(exc.code or 0)
        return COMMANDS[args.command].run(args, out)
    except UsageError as exc:
        sys.stderr.write(f"symconv: error: {exc}\n")
        return 2
    except (ValueError, TypeError) as exc:
        sys.stderr.write(f"symconv: error: {exc}\n")
        return 2
    except ImportError as exc:
        sys.stderr.write(f"symconv: error: {exc}\n")
        return 1
    except BrokenPipeError:  # e.g. `symconv derive ... | head`: stop quietly
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
