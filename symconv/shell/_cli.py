"""The ``symconv`` command line: ``derive``, ``check``, ``plot`` and registered subcommands.

Layer: shell.  User text is parsed by :mod:`symconv.shell._cli_values` (never
``eval``).  Exit codes: 0 success, 1 a claim that matches no convention
(``check``) or a missing optional dependency, 2 a bad option, a bad value, an
option that does not apply, or a file that cannot be written (one line on
stderr, as argparse does).  Long derivations report progress on stderr when it
is a terminal (:mod:`symconv.core._progress`).

A subcommand is a :class:`Command` (its options and what it runs) registered
under a name: :func:`register`, or a module listed in :data:`COMMAND_MODULES`.
Subcommands that take a convolution reuse :func:`source_options` and
:func:`derivation_from_args`; files are written with :func:`write_text` after
:func:`writable` checked the path before any work.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TextIO

from ..boundary._limits import PRINT_OUTPUTS, SYMBOLIC_LIMIT
from ..core._derivation import Derivation
from ..core._taps import count_taps
from ..rendering._names import Names
from ._cli_source import derivation_from_args, given, refuse, source_options
from ._cli_values import (
    UsageError,
    join_negative_values,
    parse_int_in,
    parse_ints,
    parse_values,
    writable,
    write_text,
)

__all__ = ["COMMANDS", "COMMAND_MODULES", "Command", "UsageError", "build_parser",
           "derivation_from_args", "main", "name_options", "names_from_args", "parse_ints",
           "parse_values", "register", "source_options", "writable", "write_text"]

KINDS = ("matrix", "patches", "gradient", "connectivity")
FORMATS = (".png", ".svg", ".pdf", ".tex")

#: Options whose value may start with a minus sign (``--x -1,2``).
VALUE_OPTIONS = ("--x", "--w", "--claimed")
DPI = (10, 1200)


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
COMMAND_MODULES: tuple[str, ...] = ("._html_cli", "._cli_textbook", "._general_cli",
                                   "._cli_network")


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


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("symconv")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return str(getattr(sys.modules.get("symconv"), "__version__", "unknown"))


# ----------------------------------------------------------------- parser


def name_options(p: argparse.ArgumentParser, where: str) -> None:
    """``--names`` and ``--index-base``: how symbols are named in ``where``."""
    nm = p.add_argument_group(f"names (in {where})")
    nm.add_argument("--names", help="'xwb' (default), 'aWz' (input a, weight W, output z), "
                    "or roles such as 'x=a,w=W,y=z' (roles: x w b y g a T P L)")
    nm.add_argument("--index-base", help="0: indices from 0 (default); 1: from 1")


def names_from_args(args: argparse.Namespace) -> Names:
    """The validated ``--names`` and ``--index-base`` (one printer: rendering/_names)."""
    names: Any = "xwb"
    if args.names is not None:
        names = args.names.strip()
        if "=" in names:
            mapping = {}
            for item in names.split(","):
                role, eq, name = item.partition("=")
                if not eq or not role.strip() or not name.strip():
                    raise UsageError(f"--names: each item must be role=name (e.g. "
                                     f"x=a,w=W), got {item.strip()!r}")
                if role.strip() in mapping:
                    raise UsageError(f"--names: each role may be named once, got "
                                     f"{role.strip()!r} twice in {names!r}")
                mapping[role.strip()] = name.strip()
            names = mapping
    base = 0 if args.index_base is None else parse_int_in("--index-base", args.index_base, 0, 1)
    try:
        return Names.of(names, base)
    except (ValueError, TypeError) as e:  # the option's name, as every other refusal
        raise UsageError(f"--names: {e}") from None


def _latex_options(p: argparse.ArgumentParser) -> None:
    st = p.add_argument_group("LaTeX style (with --latex or --document)")
    st.add_argument("--nonlinearity", metavar="NAME", help="show a = NAME(T x + b)")
    st.add_argument("--no-color", action="store_true", help="black and white")


def _derive_arguments(d: argparse.ArgumentParser) -> None:
    source_options(d)
    out = d.add_argument_group("output")
    out.add_argument("--latex", action="store_true", help="print math-mode LaTeX")
    out.add_argument("--document", metavar="OUT.tex", help="write a complete LaTeX document "
                     "(it includes the backward pass)")
    out.add_argument("--gradient", action="store_true", help="also show the backward pass")
    out.add_argument("--limit", metavar="N", help=f"print at most N outputs and gradient "
                     f"entries (default {PRINT_OUTPUTS}; 0: all)")
    out.add_argument("--stats", action="store_true",
                     help="only the structure (counts, ties, zeros): no symbols, any size")
    name_options(d, "the text report and LaTeX")
    _latex_options(d)


def _check_arguments(c: argparse.ArgumentParser) -> None:
    c.add_argument("--x", required=True, help="input values, e.g. 1,2,3,4 (rows split by ';')")
    c.add_argument("--w", required=True, help="kernel values, e.g. 5,6,7")
    c.add_argument("--claimed", required=True, help="the claimed result, e.g. 38,56")
    c.add_argument("--stride", help="take every stride-th output (default 1)")
    c.add_argument("--op", choices=("convolve", "correlate"), help="the operation intended")
    c.add_argument("--mode", choices=("full", "valid", "same", "same_torch", "circular"),
                   help="the mode intended")
    c.add_argument("--padding", help="instead of a mode, a layer's zero padding: 1, one per "
                   "axis (1,2; in 1-D low,high), low:high pairs per axis (0:1,1:0), or SAME "
                   "(TensorFlow)")
    c.add_argument("--dilation", help="spacing of the kernel taps (default 1)")
    c.add_argument("--channels", action="store_true", help="x is (in_channels, *spatial), w "
                   "is (out_channels, in_channels, *kernel), as a layer")
    name_options(c, "the sums of products shown")


def _plot_arguments(pl: argparse.ArgumentParser) -> None:
    source_options(pl)
    pl.add_argument("--kind", choices=KINDS, default="matrix", help="what to draw")
    pl.add_argument("-o", "--output", required=True, metavar="FILE",
                    help="output file: .png, .svg, .pdf, or .tex for TikZ")
    pl.add_argument("--dpi", help=f"resolution of .png/.pdf/.svg (default 150; {DPI[0]} to "
                    f"{DPI[1]})")
    name_options(pl, "the labels")


def build_parser() -> argparse.ArgumentParser:
    """The ``symconv`` argument parser, one subparser per registered :class:`Command`."""
    parser = _Parser(
        prog="symconv",
        description="Show exactly how a convolution replaces a matrix multiplication.",
        epilog="Exit codes: 0 success, 1 claim not matched (check) or missing optional "
        "dependency, 2 bad option or value.",
    )
    parser.add_argument("--version", action="version", version=f"symconv {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                parser_class=_Parser)
    for name, command in _commands().items():
        p = sub.add_parser(name, help=command.help,
                           description=command.description or command.help)
        command.add_arguments(p)
    return parser


# ------------------------------------------------------------- the source


def _style(args: argparse.Namespace) -> dict[str, Any]:
    """The LaTeX style options given (names, index base, nonlinearity, colour)."""
    options: dict[str, Any] = {}
    if args.names is not None or args.index_base is not None:
        nm = names_from_args(args)
        options["names"], options["index_base"] = dict(nm.names), nm.index_base
    if args.nonlinearity is not None:
        options["nonlinearity"] = args.nonlinearity
    if args.no_color:
        options["color"] = False
    return options


def _derive(args: argparse.Namespace, out: TextIO) -> int:
    from ..rendering._report import report

    latex = args.latex or args.document is not None
    style = given(args, "nonlinearity", "no_color")
    if not latex:
        refuse(style, "applies to LaTeX output (--latex or --document)")
    else:
        refuse(given(args, "limit", "stats"), "applies to the text report, not to LaTeX")
        if not args.latex:
            refuse(given(args, "gradient"), "does not apply to --document alone: the "
                    "document always includes the backward pass")
    if args.stats:
        refuse(given(args, "gradient", "limit"), "does not combine with --stats (the "
                "structure only)")
    names = names_from_args(args)
    limit = PRINT_OUTPUTS if args.limit is None else parse_ints("--limit", args.limit, 0)
    document = None if args.document is None else writable("--document", Path(args.document))
    d = derivation_from_args(args)
    products = count_taps(d.spec)
    if not args.stats and products > SYMBOLIC_LIMIT:
        raise UsageError(
            f"this convolution has {products:,} products, over the {SYMBOLIC_LIMIT:,} a "
            "symbolic derivation allows: --stats shows its structure (no symbols)")
    if latex:
        options = _style(args)
        if args.latex:
            out.write(d.to_latex(**options) + "\n")
            if args.gradient:
                out.write(_gradient_latex(d, options) + "\n")
        if document is not None:
            write_text("--document", document, d.latex_document(**options))
            out.write(f"wrote {document}\n")
        return 0
    assert isinstance(limit, int)
    out.write(report(d, limit=limit or None, gradient=args.gradient, stats_only=args.stats,
                     more="--limit N prints more, --limit 0 all", names=names) + "\n")
    return 0


def _gradient_latex(d: Derivation, options: dict[str, Any]) -> str:
    from ..rendering._latex import gradient_math
    from ..rendering._latex_options import parse_options
    from ..rendering._render import Printer

    return gradient_math(d.gradient(), Printer(parse_options(options)))


def _check(args: argparse.Namespace, out: TextIO) -> int:
    from ._handcheck import check_hand

    stride = None if args.stride is None else parse_ints("--stride", args.stride)
    dilation = None if args.dilation is None else parse_ints("--dilation", args.dilation)
    names = names_from_args(args)
    rep = check_hand(
        parse_values("--x", args.x), parse_values("--w", args.w),
        parse_values("--claimed", args.claimed), stride=stride, op=args.op, mode=args.mode,
        padding=_padding(args.padding), dilation=dilation, channels=args.channels,
        names=names,
    )
    out.write(f"{rep}\n")
    return 0 if rep else 1


def _padding(text: str | None) -> Any:
    """``--padding`` of ``check``: None, ``"SAME"``, ints, or ``low:high`` pairs per axis."""
    if text is None or text.strip() == "SAME":
        return None if text is None else "SAME"
    items = []
    for item in text.split(","):
        if ":" in item:
            lo, hi = item.split(":", 1)
            pair = parse_ints("--padding", f"{lo},{hi}", minimum=0)
            items.append(pair)
        else:
            items.append(parse_ints("--padding", item, minimum=0))
    return items[0] if len(items) == 1 else tuple(items)


def _plot(args: argparse.Namespace, out: TextIO) -> int:
    from ..rendering import _plot

    path = Path(args.output)
    if path.suffix.lower() not in FORMATS:
        raise UsageError(f"--output: the file must end in {', '.join(FORMATS)}, got {path.name!r}")
    tikz = path.suffix.lower() == ".tex"
    if tikz:
        refuse(given(args, "dpi"), "does not apply to TikZ (.tex) output")
    dpi = parse_int_in("--dpi", args.dpi or "150", *DPI)
    names = names_from_args(args)
    writable("--output", path)
    d = derivation_from_args(args)
    if tikz:
        write_text("--output", path, _plot.to_tikz(d, args.kind, standalone=True, names=names))
    else:
        plt = _plot.pyplot()  # a helpful ImportError without matplotlib
        plt.switch_backend("Agg")  # files only, no window
        if args.kind == "connectivity":
            ax = _plot.plot_connectivity(d, names=names)
        else:
            ax = _plot.plot_matrix(d, args.kind, names=names)
        fig: Any = ax.figure
        try:
            fig.savefig(path, dpi=dpi, bbox_inches="tight")
        except OSError as exc:
            raise UsageError(f"--output: cannot write {str(path)!r}: {exc.strerror}") from None
        finally:
            plt.close(fig)
    out.write(f"wrote {path}\n")
    return 0


register("derive", Command(
    "every output as a sum of products, and the matrix", _derive_arguments, _derive,
    "Derive a convolution: outputs as sums of products, the layer matrix T, the structure, "
    "or LaTeX."))
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
          y_0 = 1*5 + 2*6 + 3*7 = 38
          y_1 = 2*5 + 3*6 + 4*7 = 56
    0
    """
    out = sys.stdout
    try:
        try:
            raw = list(sys.argv[1:] if argv is None else argv)
            args = build_parser().parse_args(join_negative_values(raw, VALUE_OPTIONS))
        except SystemExit as exc:  # --help, --version
            return int(exc.code or 0)
        return COMMANDS[args.command].run(args, out)
    except (UsageError, ValueError, TypeError) as exc:
        sys.stderr.write(f"symconv: error: {exc}\n")
        return 2
    except ImportError as exc:
        sys.stderr.write(f"symconv: error: {exc}\n")
        return 1
    except BrokenPipeError:  # e.g. `symconv derive ... | head`: stop quietly
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:  # a file a subcommand reads or writes
        where = f" {str(exc.filename)!r}" if exc.filename else ""
        sys.stderr.write(f"symconv: error: cannot access{where}: {exc.strerror or exc}\n")
        return 2
