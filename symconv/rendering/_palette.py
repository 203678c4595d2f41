"""One colour-blind-safe palette for every picture, fragment and document (layer: rendering).

Weight ``k`` has colour ``PALETTE[k]`` everywhere (LaTeX fragments, documents,
matplotlib pictures, TikZ, HTML).  The ten colours are Okabe and Ito's six
chromatic colours followed by four of Paul Tol's *muted* scheme (indigo, wine,
olive, brown), chosen so that every pair differs by at least 26 CIE76 units in
CIELAB (``tests/test_palette.py`` computes it) and each stands apart from the
greys below.  Weights past the palette are **not** given a repeated colour:
they are drawn in :data:`BEYOND` (pictures) or left black (LaTeX), and their
labels tell them apart.
"""

from __future__ import annotations

#: The palette, in weight order (``#RRGGBB``).
PALETTE: tuple[str, ...] = (
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00",
    "#332288", "#882255", "#999933", "#661100",
)
#: Fill of weights past the palette in pictures (labels tell them apart).
BEYOND = "#595959"
#: Fill of an entry of T that holds a sum of several weights (folding padding modes).
SUM = "#C8C8C8"


def colour(k: int) -> str:
    """The colour of weight ``k``: ``PALETTE[k]``, or :data:`BEYOND` past the palette.

    Examples
    --------
    >>> colour(0), colour(1), colour(10)
    ('#0072B2', '#D55E00', '#595959')
    """
    return PALETTE[k] if 0 <= k < len(PALETTE) else BEYOND


def document_names() -> tuple[tuple[str, str], ...]:
    """``(name, RRGGBB)`` of the colours a LaTeX document defines (``scA``, ``scB``...).

    Examples
    --------
    >>> document_names()[:2]
    (('scA', '0072B2'), ('scB', 'D55E00'))
    """
    return tuple((f"sc{chr(ord('A') + k)}", c[1:]) for k, c in enumerate(PALETTE))
