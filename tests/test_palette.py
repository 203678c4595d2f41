"""The one palette: colour-blind-safe colours that are pairwise distinguishable.

Distances are CIE76 (Euclidean in CIELAB, D65), computed here from the sRGB
definition; the threshold 20 is far above a just-noticeable difference (about 2.3)
and rules out pairs such as the old ``#E69F00``/``#E6AB02`` (about 5).
"""

from __future__ import annotations

import itertools

import pytest
import sympy

import symconv as sc
from symconv.rendering import _palette


def _lab(hex_colour: str) -> tuple[float, float, float]:
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(int(hex_colour[i:i + 2], 16) / 255) for i in (1, 3, 5))
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def _delta(a: str, b: str) -> float:
    return sum((p - q) ** 2 for p, q in zip(_lab(a), _lab(b))) ** 0.5


def test_the_oracle_separates_the_old_near_identical_pair() -> None:
    assert _delta("#E69F00", "#E6AB02") < 10
    assert _delta("#000000", "#FFFFFF") == pytest.approx(100, abs=0.5)


def test_palette_colours_are_pairwise_distinguishable() -> None:
    pal = _palette.PALETTE
    assert len(set(pal)) == len(pal) >= 8
    worst = min(_delta(a, b) for a, b in itertools.combinations(pal, 2))
    assert worst > 20, worst
    for grey in (_palette.BEYOND, _palette.SUM, "#FFFFFF"):
        assert min(_delta(c, grey) for c in pal) > 20


def test_every_renderer_uses_the_one_palette() -> None:
    from symconv.rendering import _latex_options, _plot

    assert _plot.PALETTE == _palette.PALETTE
    assert [_plot.colour(k) for k in range(12)] == [_palette.colour(k) for k in range(12)]
    assert [f"#{c}" for _, c in _latex_options.DOCUMENT_PALETTE] == list(_palette.PALETTE)
    d = sc.correlate(sympy.symarray("x", 4), sympy.symarray("w", 3))
    assert r"\textcolor[HTML]{0072B2}{w_{0}}" in d.to_latex(view="matrix")
    assert r"\definecolor{scA}{HTML}{0072B2}" in d.latex_document()


def test_past_the_palette_weights_are_told_apart_by_label_not_colour() -> None:
    n = len(_palette.PALETTE)
    d = sc.Conv1d(1, 1, n + 2, bias=False).derive(input_size=n + 2)
    out = d.to_latex(view="patches", max_cols=n + 5)
    assert out.count(r"\textcolor[HTML]{0072B2}") == 1  # w_0 only: no repeat for w_n
    assert rf"w_{{0,0,{n}}}" in out and rf"\textcolor[HTML]{{0072B2}}{{w_{{0,0,{n}}}}}" not in out
    assert _palette.colour(n) == _palette.colour(n + 1) == _palette.BEYOND
