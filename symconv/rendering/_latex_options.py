"""Options of the LaTeX rendering: names, palettes, validated once (``parse_options``).

Layer: rendering.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

# The names and index base live in ._names (the one printer of names); re-exported here.
from ._names import PRESETS, RENAMED, ROLES, check_index_base, parse_names  # noqa: F401
from ._palette import PALETTE, document_names

#: Colours of tied weights in fragments: the one palette (symconv.rendering._palette), as
#: ``#RRGGBB`` (printed ``\textcolor[HTML]{RRGGBB}``, no definitions needed).
BASE_PALETTE: tuple[str, ...] = PALETTE

#: The same palette as the documents define it (``\definecolor{scA}{HTML}{0072B2}``...).
DOCUMENT_PALETTE: tuple[tuple[str, str], ...] = document_names()

VIEWS: tuple[str, ...] = ("all", "sums", "matrix", "patches")
ZEROS: tuple[str, ...] = ("0", r"\cdot")


# ------------------------------------------------------------------ options


@dataclass(frozen=True)
class Options:
    """Validated rendering options (see :func:`to_latex` for their meaning)."""

    index_base: int = 0
    names: Mapping[str, str] = field(default_factory=lambda: dict(PRESETS["xwb"]))
    color: bool = True
    zero: str = "0"
    max_rows: int = 12
    max_cols: int = 10
    max_terms: int = 8
    nonlinearity: str | None = None
    view: str = "all"
    terms_per_line: int | None = None
    palette: tuple[str, ...] = BASE_PALETTE


_OPTION_NAMES = ("index_base", "names", "color", "zero", "max_rows", "max_cols", "max_terms",
                 "nonlinearity", "view", "terms_per_line")


def parse_options(options: Mapping[str, Any], palette: tuple[str, ...] = BASE_PALETTE) -> Options:
    """Check every rendering option once; unknown names and bad values raise."""
    for key in options:
        if key not in _OPTION_NAMES:
            allowed = ", ".join(f"`{k}`" for k in _OPTION_NAMES)
            raise TypeError(f"unknown LaTeX option `{key}`; the options are {allowed}")
    base = check_index_base(options.get("index_base", 0))
    color = options.get("color", True)
    if not isinstance(color, bool):
        raise TypeError(f"`color` must be True or False, got {color!r}")
    zero = options.get("zero", "0")
    if zero not in ZEROS:
        raise ValueError(f"`zero` must be '0' or r'\\cdot', got {zero!r}")
    view = options.get("view", "all")
    if view not in VIEWS:
        raise ValueError(f"`view` must be one of {', '.join(map(repr, VIEWS))}; got {view!r}")
    limits = {}
    for key, default in (("max_rows", 12), ("max_cols", 10), ("max_terms", 8)):
        v = options.get(key, default)
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise TypeError(f"`{key}` must be an integer, got {v!r}")
        if v < 3:
            raise ValueError(f"`{key}` must be at least 3 (first rows, a gap, the last), got {v!r}")
        limits[key] = int(v)
    per_line = options.get("terms_per_line")
    if per_line is not None:
        if isinstance(per_line, bool) or not isinstance(per_line, (int, np.integer)):
            raise TypeError(f"`terms_per_line` must be an integer or None, got {per_line!r}")
        if per_line < 1:
            raise ValueError(f"`terms_per_line` must be positive, got {per_line!r}")
        per_line = int(per_line)
    f = options.get("nonlinearity")
    if f is not None and (not isinstance(f, str) or not f):
        raise ValueError(f"`nonlinearity` must be a non-empty name such as 'f', got {f!r}")
    return Options(
        index_base=int(base),
        names=parse_names(options.get("names", "xwb")),
        color=color,
        zero=zero,
        nonlinearity=f,
        view=view,
        terms_per_line=per_line,
        palette=palette,
        **limits,
    )
