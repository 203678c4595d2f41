"""A real pdflatex compile of fragments and documents (required in CI: see conftest)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import sympy

import symconv as sc

pytestmark = pytest.mark.latex

DOCUMENTS: dict[str, tuple[Callable[[], sc.Derivation], dict]] = {
    "seed-correlate": (lambda: sc.correlate(sympy.symarray("x", 4), sympy.symarray("w", 3)), {}),
    "seed-convolve-1-based": (
        lambda: sc.convolve(sympy.symarray("x", 4), sympy.symarray("w", 3)), {"index_base": 1}),
    "seed-numeric-aWz": (lambda: sc.convolve([1, 2, 3, 4], [5, 6, 7]), {"names": "aWz"}),
    "conv2d-multichannel-bias": (lambda: sc.Conv2d(2, 3, 2).derive(input_size=(3, 3)), {}),
    "stride-padding-dilation": (
        lambda: sc.Conv2d(1, 2, 3, stride=2, padding=1, dilation=2).derive(input_size=(6, 6)),
        {"zero": r"\cdot"}),
    "reflect-padded": (
        lambda: sc.Conv2d(1, 1, 3, padding=1, padding_mode="reflect").derive(input_size=(3, 3)),
        {}),
    "transposed": (
        lambda: sc.ConvTranspose1d(2, 1, 3, stride=2, padding=1, output_padding=1).derive(
            input_size=3), {}),
    "elided-large": (
        lambda: sc.Conv2d(2, 3, 3).derive(input_size=(8, 8)),
        {"names": "aWz", "nonlinearity": "sigma", "index_base": 1, "max_cols": 8}),
    "conv3d-groups": (
        lambda: sc.Conv3d(2, 2, 2, padding=1, groups=2).derive(input_size=(2, 3, 3)), {}),
    "escaped-names": (
        lambda: sc.correlate(sympy.symarray("x", 3), sympy.symarray("w", 2)),
        {"names": {"x": "in&out_%", "y": "#y", "L": "loss"}, "color": False}),
}


def compile_tex(pdflatex: str, source: str, where: Path, name: str = "doc") -> Path:
    """Compile ``source`` in ``where``; fail with the first LaTeX error lines."""
    tex_file = where / f"{name}.tex"
    tex_file.write_text(source)
    run = subprocess.run(
        [pdflatex, "-interaction=nonstopmode", "-halt-on-error", tex_file.name],
        cwd=where, capture_output=True, text=True, timeout=60,
    )
    errors = [line for line in run.stdout.splitlines() if line.startswith("!")]
    assert run.returncode == 0, f"pdflatex failed: {errors[:3]}\n{run.stdout[-2000:]}"
    pdf = where / f"{name}.pdf"
    assert pdf.stat().st_size > 1000
    return pdf


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_document_compiles(pdflatex: str, tmp_path: Path, name: str) -> None:
    make, options = DOCUMENTS[name]
    doc = make().latex_document(**options)
    for package in ("amsmath", "amssymb", "xcolor"):
        assert f"\\usepackage{{{package}}}" in doc
    assert doc.count("\\usepackage") == 3  # nothing beyond a basic TeX Live
    compile_tex(pdflatex, doc, tmp_path)
    # Typeset, not just compiled: nothing runs into the margin or off the page.
    overfull = [ln for ln in (tmp_path / "doc.log").read_text(errors="replace").splitlines()
                if ln.startswith("Overfull")]
    assert overfull == []


FRAGMENT = r"""\documentclass{{article}}
\usepackage{{amsmath}}
{xcolor}
\begin{{document}}
\begin{{{env}}}
{body}
\end{{{env}}}
\end{{document}}
"""


@pytest.mark.parametrize("env", ["gather*", "align*", "equation*"])
def test_fragment_compiles_inside_a_users_display(pdflatex: str, tmp_path: Path,
                                                  env: str) -> None:
    d = sc.Conv1d(2, 2, 2, padding=1, padding_mode="replicate").derive(input_size=3)
    body = d.to_latex(index_base=1, nonlinearity="f")
    compile_tex(pdflatex, FRAGMENT.format(xcolor="\\usepackage{xcolor}", env=env, body=body),
                tmp_path)


def test_black_and_white_fragment_needs_only_amsmath(pdflatex: str, tmp_path: Path) -> None:
    body = sc.Conv2d(1, 1, 2).derive(input_size=(12, 12)).to_latex(color=False, zero=r"\cdot")
    assert "textcolor" not in body
    compile_tex(pdflatex, FRAGMENT.format(xcolor="", env="gather*", body=body), tmp_path)


def test_proof_and_gradient_displays_compile(pdflatex: str, tmp_path: Path) -> None:
    d = sc.Conv1d(1, 1, 2, stride=2).derive(input_size=5)
    parts = [sc.repr_latex(p).strip("$") for p in sc.proofs(d)]
    parts.append(sc.repr_latex(d.gradient()).strip("$"))
    body = " \\\\\n".join(parts)
    compile_tex(pdflatex, FRAGMENT.format(xcolor="", env="gather*", body=body), tmp_path)


def test_seed_page_renders_to_png(pdflatex: str, tmp_path: Path) -> None:
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.skip("pdftoppm is not installed")
    pdf = compile_tex(pdflatex, sc.correlate(sympy.symarray("x", 4),
                                             sympy.symarray("w", 3)).latex_document(), tmp_path)
    subprocess.run([pdftoppm, "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf),
                    str(tmp_path / "page")], check=True, timeout=60)
    png = next(tmp_path.glob("page*.png"))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
