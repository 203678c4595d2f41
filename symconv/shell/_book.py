"""``symconv.textbook()``: the front door of the regenerated textbook (layer: shell).

The document is built by ``rendering/_textbook.py`` from claims checked in
``checks/_textbook_checks.py``; those layers may not import the front door, so
this function hands them symconv's own constructors.
"""

from __future__ import annotations

from ..rendering._textbook import build_textbook, textbook_makers
from ._layers import Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d
from ._network_layers import LocallyConnected2d, MaxPool2d, TiledConv2d
from ._signal import convolve, correlate


def textbook() -> str:
    r"""One LaTeX document regenerating GBC ch. 9 (eqs. 9.4-9.13) and D&V relationships 1-15.

    Every claim is stated for general sizes, its proof steps are marked
    *proved* (SymPy, symbolic sizes), *checked* (on a grid of sizes, with their
    number) or *definition*, and it is backed by instance checks that run while
    the document is built: convolutions derived by symconv compared with loops
    written from the textbook formula, NumPy, SciPy and (when installed)
    PyTorch.  One TikZ figure per D&V relationship, drawn from a derivation.

    Returns
    -------
    str
        A complete ``.tex`` document (pdflatex, with amsmath and TikZ); the same
        environment gives the same bytes.

    Raises
    ------
    symconv.ProofError
        When a claim's check fails (a bug in symconv): no document is written.

    Examples
    --------
    >>> import symconv as sc
    >>> doc = sc.textbook()  # doctest: +SKIP
    >>> doc.startswith(r"\documentclass") and r"\label{rel:15}" in doc  # doctest: +SKIP
    True
    """
    return build_textbook(textbook_makers(
        convolve=convolve, correlate=correlate, Conv2d=Conv2d, ConvTranspose2d=ConvTranspose2d,
        LocallyConnected2d=LocallyConnected2d, TiledConv2d=TiledConv2d, MaxPool2d=MaxPool2d,
        Conv1d=Conv1d, ConvTranspose1d=ConvTranspose1d,
    ))
