"""User-supplied names never reach LaTeX or TikZ unescaped (issue 10, "Safety of LaTeX output").

Names arrive as SymPy symbol names, undefined-function names, matrix-symbol
names (``names=``) and the ``nonlinearity`` option.  The oracles are TeX's own
rules, written here: no control sequence of a name survives (``\\input``,
``\\write18``), braces stay balanced, and the unescaped special characters
(``&``, ``%``, ``#``) are exactly those of the same derivation with a harmless
name.  One document and one standalone TikZ picture are compiled by pdflatex
with ``-shell-escape`` and ``-recorder``: they must compile, must not read the
file a name asks for (the recorder's list of opened files) and must not run
the shell command a name holds.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import sympy
from sympy import Function, Symbol

import symconv as sc
from symconv.checks._proofs import proofs
from symconv.rendering._latex import repr_latex

NAMES = [r"\input{/etc/passwd}", r"\write18{echo PWNED}", "a_b", "x^{}", "}{", "%", "#", "&",
         "~$", "\\"]
HARMLESS = "q"
t = Symbol("t")


def _unescaped(text: str, char: str) -> int:
    """How many ``char`` in ``text`` are not escaped by a backslash (``\\\\`` is one escape)."""
    return len(re.findall(r"(?<!\\)(?:\\\\)*" + re.escape(char), text))


def _braces_balanced(text: str) -> bool:
    depth = 0
    for m in re.finditer(r"\\.|[{}]", text, re.S):
        tok = m.group(0)
        if tok == "{":
            depth += 1
        elif tok == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _derivation(name: str) -> sc.Derivation:
    """A 1-D correlation whose input holds a symbol and a function named ``name``."""
    x = [Symbol(name), Function(name)(t), Symbol("x_2"), Symbol("x_3")]
    w = [Symbol(name + "w"), Symbol("v")]
    return sc.correlate(x, w, mode="full")


def _assert_safe(evil: str, benign: str) -> None:
    assert "\\input" not in evil and "\\write" not in evil
    assert _braces_balanced(evil)
    for char in "&%#":
        assert _unescaped(evil, char) == _unescaped(benign, char), char


def test_oracles_could_fail() -> None:
    """The structural oracles above reject what SymPy's printer writes for these names."""
    raw = sympy.latex(Function("}{")(t) + Symbol("%"))
    assert not _braces_balanced(raw) or _unescaped(raw, "%") > 0
    assert "\\input" in sympy.latex(Symbol(r"\input{/etc/passwd}"))


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("view", ["all", "sums", "matrix", "patches"])
def test_to_latex_escapes_symbol_and_function_names(name: str, view: str) -> None:
    evil = _derivation(name).to_latex(view=view)
    benign = _derivation(HARMLESS).to_latex(view=view)
    _assert_safe(evil, benign)


@pytest.mark.parametrize("name", NAMES)
def test_options_names_and_nonlinearity_are_escaped(name: str) -> None:
    d = sc.correlate(sympy.symarray("x", 3), sympy.symarray("w", 2))
    evil = d.to_latex(names={"x": name, "T": name}, nonlinearity=name)
    benign = d.to_latex(names={"x": HARMLESS, "T": HARMLESS}, nonlinearity=HARMLESS)
    _assert_safe(evil, benign)


@pytest.mark.parametrize("name", NAMES)
def test_proofs_and_gradient_escape_names(name: str) -> None:
    """The flip(w) matrix, the gradient equations and every proof statement."""
    evil_d, benign_d = _derivation(name), _derivation(HARMLESS)
    for evil_p, benign_p in zip(proofs(evil_d), proofs(benign_d), strict=True):
        _assert_safe(repr_latex(evil_p), repr_latex(benign_p))
    _assert_safe(repr_latex(evil_d.gradient()), repr_latex(benign_d.gradient()))


@pytest.mark.parametrize("name", NAMES)
def test_latex_document_escapes_names(name: str) -> None:
    _assert_safe(_derivation(name).latex_document(), _derivation(HARMLESS).latex_document())


@pytest.mark.parametrize("which", ["matrix", "patches", "gradient", "connectivity"])
@pytest.mark.parametrize("name", NAMES)
def test_tikz_escapes_names(name: str, which: str) -> None:
    evil = sc.to_tikz(_derivation(name), which, standalone=True)
    benign = sc.to_tikz(_derivation(HARMLESS), which, standalone=True)
    _assert_safe(evil, benign)


def test_tikz_standalone_loads_amsmath_for_escaped_labels() -> None:
    code = sc.to_tikz(_derivation("a_b"), standalone=True)
    assert "\\text{" in code and "\\usepackage{amsmath}" in code


# ------------------------------------------------------------- pdflatex


def _attack(where: Path) -> tuple[sc.Derivation, Path, Path]:
    """A derivation whose names try to read a secret file and to run a shell command."""
    secret = where / "secret.tex"
    secret.write_text("SECRETCONTENT\n")
    marker = where / "PWNED"
    names = [rf"\input{{{secret}}}", r"\input{/etc/passwd}",
             rf"\immediate\write18{{touch {marker}}}", rf"\write18{{touch {marker}}}",
             "a_b", "x^{}", "}{", "%", "#", "&"]
    x = [Symbol(n) for n in names[:5]] + [Function(n)(t) for n in names[5:]]
    w = [Symbol(names[0]), Function(names[2])(t), Symbol("a_b")]
    return sc.correlate(x, w, mode="full"), secret, marker


def _compile(pdflatex: str, source: str, where: Path) -> tuple[Path, list[str]]:
    (where / "doc.tex").write_text(source)
    run = subprocess.run(
        [pdflatex, "-shell-escape", "-recorder", "-interaction=nonstopmode", "-halt-on-error",
         "doc.tex"], cwd=where, capture_output=True, text=True, timeout=120,
    )
    errors = [line for line in run.stdout.splitlines() if line.startswith("!")]
    assert run.returncode == 0, f"pdflatex failed: {errors[:3]}\n{run.stdout[-2000:]}"
    opened = [line.split(" ", 1)[1] for line in (where / "doc.fls").read_text().splitlines()
              if line.startswith("INPUT ")]
    return where / "doc.pdf", opened


def _assert_not_attacked(opened: list[str], secret: Path, marker: Path, pdf: Path) -> None:
    assert not any("passwd" in f or f.endswith("secret.tex") for f in opened), opened
    assert not marker.exists()
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True)
    if text.returncode == 0:
        assert "SECRETCONTENT" not in text.stdout and "root:" not in text.stdout


@pytest.mark.latex
def test_document_with_hostile_names_compiles_and_reads_nothing(
        pdflatex: str, tmp_path: Path) -> None:
    d, secret, marker = _attack(tmp_path)
    pdf, opened = _compile(pdflatex, d.latex_document(), tmp_path)
    _assert_not_attacked(opened, secret, marker, pdf)


@pytest.mark.latex
def test_fragment_with_hostile_options_compiles(pdflatex: str, tmp_path: Path) -> None:
    d, secret, marker = _attack(tmp_path)
    body = d.to_latex(names={"x": rf"\input{{{secret}}}", "y": "a_b"},
                      nonlinearity=rf"\write18{{touch {marker}}}")
    source = ("\\documentclass{article}\n\\usepackage{amsmath}\n\\usepackage{xcolor}\n"
              "\\begin{document}\n\\[\n" + body + "\n\\]\n\\end{document}\n")
    pdf, opened = _compile(pdflatex, source, tmp_path)
    _assert_not_attacked(opened, secret, marker, pdf)


@pytest.mark.latex
@pytest.mark.parametrize("which", ["matrix", "connectivity"])
def test_tikz_standalone_with_hostile_names_compiles(
        pdflatex: str, tmp_path: Path, which: str) -> None:
    from conftest import require_tikz

    require_tikz()
    d, secret, marker = _attack(tmp_path)
    pdf, opened = _compile(pdflatex, sc.to_tikz(d, which, standalone=True), tmp_path)
    _assert_not_attacked(opened, secret, marker, pdf)



# ------------------------------------------------------------- < and >


def test_escape_sets_angle_brackets_as_text_symbols() -> None:
    """OT1 text fonts print < and > as inverted marks (¡ ¿): text mode needs the symbols."""
    from symconv.rendering._tex import escape, text

    assert escape("a<b>c") == r"a\textless{}b\textgreater{}c"
    assert escape("0 <= t") == r"0 \textless{}= t"
    assert escape("%<&>") == r"\%\textless{}\&\textgreater{}"
    assert text("x>0") == r"\text{x\textgreater{}0}"


@pytest.mark.parametrize("name", ["a<b>", r"x<\input{/etc/passwd}>", "<}{>"])
def test_names_with_angle_brackets_are_text_symbols(name: str) -> None:
    """A name's < and > reach LaTeX only as \\textless / \\textgreater, its other specials
    escaped as before: the derivation's LaTeX has exactly the raw < of a harmless name's."""
    for evil, benign in [(_derivation(name).to_latex(), _derivation(HARMLESS).to_latex()),
                         (_derivation(name).latex_document(),
                          _derivation(HARMLESS).latex_document())]:
        _assert_safe(evil, benign)
        assert evil.count("<") == benign.count("<") and evil.count(">") == benign.count(">")
        assert r"\textless{}" in evil and r"\textless{}" not in benign


@pytest.mark.latex
def test_angle_brackets_in_names_print_as_angle_brackets(pdflatex: str, tmp_path: Path) -> None:
    """Compiled, a name ``a<b>`` reads ``a<b>`` in the PDF, never ``a¡b¿``."""
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext is not installed")
    pdf, _ = _compile(pdflatex, _derivation("a<b>").latex_document(), tmp_path)
    out = subprocess.run([pdftotext, str(pdf), "-"], capture_output=True, text=True,
                         check=True, timeout=60).stdout
    assert "a<b>" in out
    assert "¡" not in out and "¿" not in out
