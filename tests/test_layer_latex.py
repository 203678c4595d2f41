"""LaTeX of every layer of the family: deterministic, compiles with pdflatex; check() can fail."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

import symconv as sc

LAYERS = [
    ("linear", lambda: sc.Linear(3, 2).derive(input_size=3)),
    ("relu", lambda: sc.ReLU().derive(input_size=(2, 2))),
    ("sigmoid", lambda: sc.Sigmoid().derive(input_size=2)),
    ("maxpool", lambda: sc.MaxPool2d(2).derive(input_size=(1, 4, 4))),
    ("maxpool-numeric", lambda: sc.MaxPool1d(2).derive(x=[[1, 3, 3, 2]])),
    ("avgpool", lambda: sc.AvgPool1d(3, stride=2, padding=1).derive(input_size=(1, 5))),
    ("local", lambda: sc.LocallyConnected1d(1, 2, 2).derive(input_size=4)),
    ("tiled", lambda: sc.TiledConv2d(1, 1, 2, tiles=2).derive(input_size=(3, 3))),
]


@pytest.mark.parametrize("name, make", LAYERS, ids=[n for n, _ in LAYERS])
def test_layer_latex_is_deterministic_and_shows_every_output(name, make):
    d = make()
    tex = d.to_latex(max_rows=100)
    assert tex == make().to_latex(max_rows=100)
    assert tex.startswith("\\begin{aligned}") and tex.endswith("\\end{aligned}")
    n_out = int(np.prod(d.output.shape))
    lhs = "a_{" if name in ("relu", "sigmoid") else "y_{"
    assert sum(line.startswith(lhs) for line in tex.splitlines()) == n_out


def test_layer_latex_compiles(pdflatex, tmp_path):
    body = "\n".join("\\[" + make().to_latex() + "\\]" for _, make in LAYERS)
    doc = ("\\documentclass{article}\\usepackage{amsmath}\\usepackage{xcolor}"
           "\\begin{document}\n" + body + "\n\\end{document}\n")
    (tmp_path / "layers.tex").write_text(doc)
    r = subprocess.run([pdflatex, "-interaction=nonstopmode", "-halt-on-error", "layers.tex"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout[-2000:]


def test_check_reports_a_disagreement(monkeypatch):
    import symconv.checks._layer_checks as lc

    real = lc.numpy_layer

    def off_by_one(d, x, w, b, g):
        y, dx, dw, db = real(d, x, w, b, g)
        return y + 1, dx, dw, db

    monkeypatch.setattr(lc, "numpy_layer", off_by_one)
    report = sc.Linear(2, 2).derive(input_size=2).check()
    assert not report
    assert "DIFFERS" in str(report)
