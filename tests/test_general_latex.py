"""General LaTeX: golden fragments, options, determinism and a real pdflatex compile."""

from __future__ import annotations

import subprocess

import pytest
import sympy

import symconv as sc

n, k = sympy.symbols("n k", integer=True, positive=True)
X = sympy.IndexedBase("x", shape=(n,))
W = sympy.IndexedBase("w", shape=(k,))


def test_to_latex_golden_seed():
    tex = sc.correlate(X, W, mode="valid").to_latex()
    assert tex.splitlines()[0] == r"\begin{aligned}"
    assert r"m &= - k + n + 1" in tex
    assert r"{y}_{o} &= \sum_{j=0}^{k - 1} {w}_{j} {x}_{j + o}" in tex
    assert r"\begin{cases} {w}_{i - o}" in tex
    assert r"\frac{\partial L}{\partial {w}_{t}} &= \sum_{o=0}^{- k + n} {g}_{o} {x}_{o + t}" \
        in tex


def test_to_latex_one_based_and_names():
    tex = sc.correlate(X, W, mode="valid").to_latex(index_base=1, names={"x": "u"})
    assert r"{y}_{o} &= \sum_{j=1}^{k} {u}_{j + o - 1} {w}_{j}" in tex
    assert r"T_{o, i}" in tex
    with pytest.raises(ValueError, match="`index_base` must be 0 or 1"):
        sc.correlate(X, W).to_latex(index_base=2)
    for bad, kind in ((1.0, "float"), (True, "bool")):
        with pytest.raises(TypeError, match=rf"`index_base` must be an int, 0 or 1 .*\({kind}\)"):
            sc.correlate(X, W).to_latex(index_base=bad)
    with pytest.raises(ValueError, match=r"`names`\['x'\] must be a plain name"):
        sc.correlate(X, W).to_latex(names={"x": r"\evil"})


def test_strided_layer_shows_floor_and_divisibility():
    s, d = sympy.symbols("s d", integer=True, positive=True)
    p = sympy.Symbol("p", integer=True, nonnegative=True)
    g = sc.Conv1d(1, 1, kernel_size=k, stride=s, padding=p, dilation=d).derive(input_size=(n,))
    tex = g.to_latex()
    assert r"\left\lfloor" in tex and r"\bmod" in tex


@pytest.mark.latex
def test_document_compiles_and_is_deterministic(pdflatex, tmp_path):
    s = sympy.Symbol("s", integer=True, positive=True)
    g = sc.Conv1d(2, 1, kernel_size=k, stride=s).derive(input_size=(n,))
    doc = g.latex_document()
    assert doc == g.latex_document()
    assert "GBC eq. 9.11" in doc and "D\\&V relationship" in doc
    assert "checked on" in doc and "Proved by SymPy in every step" in doc
    (tmp_path / "g.tex").write_text(doc)
    out = subprocess.run([pdflatex, "-interaction=nonstopmode", "-halt-on-error", "g.tex"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout[-2000:]
