"""Display: print(d) is the readable report, products stay visible when a symbol is mixed
into numbers, and Stats / HandCheck render in the REPL and in notebooks."""

from __future__ import annotations

import html
import re

import numpy as np
import sympy

import symconv as sc


def test_print_derivation_is_the_report_with_products_checked_by_numpy():
    d = sc.correlate([1, 2, 3, 4], [5, 6, 7])
    text = str(d)
    ref = np.correlate([1, 2, 3, 4], [5, 6, 7], "valid")
    assert text.startswith(repr(d) + "\noutputs:\n")
    assert f"  y_0 = 1*5 + 2*6 + 3*7 = {ref[0]}\n" in text
    assert f"  y_1 = 2*5 + 3*6 + 4*7 = {ref[1]}\n" in text
    assert "  [5  6  7  0]\n  [0  5  6  7]\n" in text
    assert "structure:\n  products           6\n" in text


def test_a_symbol_among_numbers_keeps_the_products_visible():
    a = sympy.Symbol("a")
    x = [1, 2, a, 4]
    w = [sympy.Rational(1, 2), sympy.Rational(1, 3), 1]
    text = str(sc.convolve(x, w, mode="full"))
    # y_2 = x_0 w_2 + x_1 w_1 + x_2 w_0 (true convolution), computed here with SymPy
    y2 = x[0] * w[2] + x[1] * w[1] + x[2] * w[0]
    assert str(y2) == "a/2 + 5/3"  # SymPy collapses the numbers ...
    assert f"  y_2 = 1*1 + 2*(1/3) + a*(1/2) = {y2}\n" in text  # ... the report does not


def test_pure_symbols_read_as_the_sum_itself():
    x, w = sympy.symarray("x", 4), sympy.symarray("w", 3)
    text = str(sc.correlate(x, w))
    for o in range(2):
        assert f"  y_{o} = {sum(w[k] * x[o + k] for k in range(3))}\n" in text


def test_print_of_a_big_layer_shows_its_first_outputs_and_says_how_many_more():
    d = sc.Conv1d(1, 1, 3, bias=False).derive(input_size=200)
    text = str(d)
    assert sum(ln.startswith("  y_") for ln in text.splitlines()) == 50
    assert "... 148 more outputs (print(d.output) shows every output)" in text


def test_stats_displays():
    st = sc.Conv2d(1, 1, 3, padding=1, padding_mode="reflect").derive(input_size=(4, 4)).stats()
    h = st._repr_html_()
    assert h.startswith('<table class="symconv-stats">')
    rows = dict(re.findall(r"<tr><th>(.*?)</th><td>(.*?)</td></tr>", h))
    assert rows["products"] == "144" and rows["summed entries"] == "36"  # as the doctest
    for line in str(st).splitlines():
        assert html.escape(line[19:].strip()) in h
    tex = st._repr_latex_()
    assert tex.startswith("$$\\begin{array}{ll}") and tex.endswith("\\end{array}$$")
    assert r"\text{products} & \text{144} \\" in tex
    assert r"\%" in tex  # "50% of entries" escaped for LaTeX


def test_handcheck_displays_escape_user_names():
    a = sympy.Symbol("a<b&c")
    evil = sympy.Symbol(r"\input{/etc/passwd}")
    rep = sc.check_hand([a, evil], [2, 3], [2 * a, 3 * a + 2 * evil, 3 * evil])
    assert rep
    h = rep._repr_html_()
    assert h.startswith('<pre class="symconv-handcheck"') and h.endswith("</pre>")
    assert "a&lt;b&amp;c" in h and "a<b&c" not in h
    assert html.unescape(h[h.index(">") + 1:-len("</pre>")]) == str(rep)
    tex = rep._repr_latex_()
    assert r"\input" not in tex.replace(r"\textbackslash{}input", "")
    assert tex.count(r"\text{") == len(str(rep).splitlines())
    bad = sc.check_hand([1, 2, 3, 4], [5, 6, 7], [38, 57])
    assert "#b2182b" in bad._repr_html_() and "#1b7837" in rep._repr_html_()
