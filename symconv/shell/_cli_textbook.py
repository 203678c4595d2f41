"""``symconv textbook -o FILE.tex``: write the regenerated textbook (layer: shell).

The document is :func:`symconv.textbook`; every claim in it is checked while
it is built (a failing check writes nothing and exits non-zero).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from ._book import textbook
from ._cli import Command, UsageError


def _arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("-o", "--output", required=True, metavar="FILE.tex",
                   help="the LaTeX file to write (compile with pdflatex, twice for references)")


def _run(args: argparse.Namespace, out: TextIO) -> int:
    path = Path(args.output)
    if path.suffix.lower() != ".tex":
        raise UsageError(f"--output: the file must end in .tex, got {path.name!r}")
    path.write_text(textbook(), encoding="utf-8")
    out.write(f"wrote {path}\n")
    return 0


COMMANDS = {
    "textbook": Command(
        help="write GBC ch. 9 and Dumoulin & Visin's relationships, regenerated and checked",
        add_arguments=_arguments,
        run=_run,
        description="Write one LaTeX document regenerating Goodfellow et al. ch. 9 "
        "(eqs. 9.4-9.13) and Dumoulin & Visin's relationships 1-15, each stated for "
        "general sizes, its proof steps marked proved or grid-checked, and checked "
        "against independent references while the document is built.",
    ),
}
