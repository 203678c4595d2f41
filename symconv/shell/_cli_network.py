"""`symconv network "Conv1d(1,2,3) ReLU" --input-size 1x8`: a stack, derived (shell layer).

The stack is parsed by :mod:`symconv.shell._network_grammar` (a tokenizer and
a recursive-descent parser: only known layer names and literal arguments,
never ``eval``).  Prints every layer's output (symbols ``x_...`` for the input
and ``w<l>_...``, ``b<l>_...`` for layer ``l``'s parameters, or the values of
``--x``), the receptive field of the outputs, and on request the backward pass,
the numeric check, or LaTeX.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from ..boundary._limits import NETWORK_PRINT_ENTRIES as PRINT_ENTRIES
from ..core._sequential import entries
from ._cli import Command
from ._cli_values import UsageError, parse_values, writable, write_text
from ._network_grammar import build_stack

# At most PRINT_ENTRIES entries of each layer's output are printed (boundary._limits).


def _arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("stack", help="layers separated by spaces, e.g. "
                   "\"Conv1d(1,2,3) ReLU MaxPool1d(2)\" (literal int/tuple/keyword arguments)")
    p.add_argument("--input-size", help="input shape without batch, channels first, e.g. 1x8")
    p.add_argument("--x", help="input values '1,2,3,4' (rows split by ';'), instead of symbols")
    out = p.add_argument_group("output")
    out.add_argument("--gradient", action="store_true", help="also show the backward pass")
    out.add_argument("--check", action="store_true",
                     help="compare the forward and backward passes with torch (or NumPy)")
    out.add_argument("--latex", action="store_true", help="print math-mode LaTeX")
    out.add_argument("--document", metavar="OUT.tex", help="write a complete LaTeX document")


def _size(text: str) -> tuple[int, ...]:
    parts = text.strip().lower().split("x")
    if not all(p.isdigit() and int(p) > 0 for p in parts):
        raise UsageError(f"--input-size: must be positive integers joined by 'x' such as 1x8, "
                         f"got {text!r}")
    return tuple(int(p) for p in parts)


def _print_array(title: str, letter: str, values: Any, out: TextIO) -> None:
    flat = entries(values)
    out.write(f"{title} {tuple(values.shape)}:\n")
    for j, idx in enumerate(np.ndindex(*values.shape)):
        if j == PRINT_ENTRIES:
            out.write(f"  ... {len(flat) - PRINT_ENTRIES:,} more\n")
            break
        out.write(f"  {letter}{''.join(f'_{v}' for v in idx)} = {flat[j]}\n")


def _run(args: argparse.Namespace, out: TextIO) -> int:
    net = build_stack(args.stack)
    if args.input_size is None and args.x is None:
        raise UsageError("give --input-size (e.g. 1x8) or --x values")
    size = None if args.input_size is None else _size(args.input_size)
    x = None
    if args.x is not None:
        x = np.array(parse_values("--x", args.x), dtype=object)
        if size is not None:
            if int(np.prod(size)) != x.size:
                raise UsageError(f"--x: {x.size} values do not fill --input-size "
                                 f"{args.input_size}")
            x = x.reshape(size)
    if args.document:
        writable("--document", Path(args.document))
    nd = net.derive(size if x is None else None, x=x)
    if args.latex or args.document:
        if args.latex:
            out.write(nd.to_latex() + "\n")
        if args.document:
            write_text("--document", Path(args.document), nd.latex_document())
            out.write(f"wrote {args.document}\n")
        return 0
    out.write(f"{net!r}\n")
    for pos, (layer, ld) in enumerate(zip(net.layers, nd.layers), 1):
        _print_array(f"layer {pos}: {layer!r}, output", f"y{pos}", ld.output, out)
    rf = nd.receptive_field()
    sizes = rf.sizes.reshape(-1)
    lo, hi = int(sizes.min()), int(sizes.max())
    out.write(f"receptive field: each output depends on {lo if lo == hi else f'{lo} to {hi}'} "
              f"input{'s' if hi > 1 else ''}\n")
    if args.gradient:
        gn = nd.gradient()
        _print_array("input gradient dL/dx", "dx", gn.input, out)
        for pos, gl in enumerate(gn.layers, 1):
            if gl.weight is not None:
                _print_array(f"layer {pos} weight gradient dL/dw{pos}", f"dw{pos}", gl.weight, out)
            if gl.bias is not None:
                _print_array(f"layer {pos} bias gradient dL/db{pos}", f"db{pos}", gl.bias, out)
    if args.check:
        report = nd.check()
        out.write(f"{report}\n")
        return 0 if report else 1
    return 0


COMMANDS = {
    "network": Command(
        help="derive a stack of layers given as text, e.g. \"Conv1d(1,2,3) ReLU MaxPool1d(2)\"",
        add_arguments=_arguments,
        run=_run,
        description="Derive a network (layers applied in order, PyTorch semantics, no batch "
        "dimension): every layer's output as exact expressions, the receptive field, and "
        "optionally the backward pass, a check against torch, or LaTeX. The stack is parsed "
        "by a small grammar (layer names and literal arguments only; nothing is evaluated).",
    ),
}
