"""``symconv html``: the interactive explorer of a convolution in one HTML file (layer: shell).

Takes the same signal and layer options as ``derive`` and ``plot``; the page
is :func:`symconv.to_html` (self-contained: open it from disk, no network).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from ._cli import Command, UsageError, parse_ints

# The shared option parsing of the command line (``derive``/``plot`` use the same).
from ._cli_source import derivation_from_args, source_options


def _arguments(p: argparse.ArgumentParser) -> None:
    source_options(p)
    out = p.add_argument_group("explorer")
    out.add_argument("-o", "--output", required=True, metavar="FILE.html",
                     help="the HTML file to write")
    out.add_argument("--gradient", action="store_true",
                     help="also show the gradient grouping (G = g x^T summed per weight)")
    out.add_argument("--focus-output", metavar="I,J,...",
                     help="open the drill-down on this output index, e.g. 0,3")
    out.add_argument("--focus-weight", metavar="I,J,...",
                     help="open the drill-down on this weight index, e.g. 0,0,1")
    out.add_argument("--max-entries", default="4096",
                     help="above this many entries of T show structure and drill-down only")


def _index(option: str, text: str | None) -> tuple[int, ...] | None:
    if text is None:
        return None
    value = parse_ints(option, text, minimum=0)
    return value if isinstance(value, tuple) else (value,)


def _run(args: argparse.Namespace, out: TextIO) -> int:
    path = Path(args.output)
    if path.suffix.lower() not in (".html", ".htm"):
        raise UsageError(f"--output: the file must end in .html, got {path.name!r}")
    d = derivation_from_args(args)
    page = d.to_html(
        gradient=bool(args.gradient),
        focus_output=_index("--focus-output", args.focus_output),
        focus_weight=_index("--focus-weight", args.focus_weight),
        max_entries=parse_ints("--max-entries", args.max_entries),
    )
    path.write_text(page, encoding="utf-8")
    out.write(f"wrote {path}\n")
    return 0


COMMANDS = {
    "html": Command(
        help="write an interactive, self-contained HTML explorer",
        add_arguments=_arguments,
        run=_run,
        description="Write one self-contained HTML page (no network) exploring a "
        "convolution: sums of products, T, P, the connectivity diagram and, with "
        "--gradient, the gradient grouping, with linked highlighting.",
    ),
}
