"""The textbook: compiles, cites every equation and relationship, and every claim's check can fail."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

import symconv as sc
from symconv.checks import _textbook_checks as tc
from symconv.checks._proofs import ProofError
from symconv.rendering import _textbook
from symconv.shell._cli import main

MAKERS = tc.Makers(sc.convolve, sc.correlate, sc.Conv2d, sc.ConvTranspose2d,
                   sc.LocallyConnected2d, sc.TiledConv2d, sc.MaxPool2d, sc.Conv1d,
                   sc.ConvTranspose1d)


@pytest.fixture(scope="module")
def doc() -> str:
    return sc.textbook()


@pytest.fixture(scope="module")
def evidence() -> dict[str, tc.Evidence]:
    return tc.run_all(MAKERS)


def test_every_equation_and_relationship_is_numbered_and_labelled(doc: str) -> None:
    for eq in ["9.4", "9.5", "9.6", "9.7", "9.8", "9.9", "9.10", "9.11", "9.12", "9.13"]:
        assert f"\\tag{{{eq}}}\\label{{gbc:{eq}}}" in doc
    for n in range(1, 16):
        assert f"\\label{{rel:{n}}}" in doc
        assert f"\\label{{fig:rel-{n}}}" in doc
    assert doc.count(r"\begin{tikzpicture}") == 15
    for label in re.findall(r"\\(?:ref|eqref)\{([^}]+)\}", doc):
        assert f"\\label{{{label}}}" in doc, label


def test_check_counts_in_the_document_match_the_evidence(doc: str, evidence) -> None:
    counts = [int(n) for n in re.findall(r"(\d+) instance comparisons, all agreeing", doc)]
    assert counts == [ev.checks for ev in evidence.values()]
    assert all(ev.checks >= 3 for ev in evidence.values())
    total = int(re.search(r"all & & & (\d+)", doc).group(1))
    assert total == sum(counts)
    # every proof status the document prints comes from the evidence
    n_proved = sum(s.status == "proved" for ev in evidence.values() for s in ev.steps)
    assert doc.count(r"\textsc{proved}:") == n_proved


def test_torch_is_a_reference_when_installed(torch, evidence) -> None:
    with_torch = [k for k, ev in evidence.items()
                  if any("torch" in r for r in ev.references)]
    assert {"gbc-9.6", "gbc-9.7", "gbc-9.11", "gbc-9.12", "gbc-9.13", "dv-1", "dv-7",
            "dv-14", "dv-15"} <= set(with_torch)


def _perturb(a: np.ndarray) -> np.ndarray:
    out = np.array(a, dtype=float, copy=True)
    out.reshape(-1)[0] += 1
    return out


@pytest.mark.parametrize("key", sorted(tc.GBC))
def test_each_gbc_claim_fails_when_perturbed(key: str) -> None:
    ev = tc.GBC[key](MAKERS, _perturb)
    assert not ev and ev.failures


@pytest.mark.parametrize("number", sorted(tc.RELATIONSHIPS))
def test_each_relationship_fails_when_perturbed(number: int) -> None:
    ev = tc.dv(MAKERS, number, _perturb)
    assert not ev and ev.failures


@pytest.mark.parametrize("key", sorted(tc.STRUCTURE))
def test_each_structure_claim_fails_when_perturbed(key: str) -> None:
    ev = tc.STRUCTURE[key](MAKERS, _perturb)
    assert not ev and ev.failures


def test_a_wrong_size_formula_fails_its_proof_and_its_checks() -> None:
    import sympy

    rel = tc.RELATIONSHIPS[6]
    wrong = tc.Relationship(6, rel.kind, rel.subs, rel.formula + 1, rel.valid)
    old = tc.RELATIONSHIPS[6]
    tc.RELATIONSHIPS[6] = wrong
    try:
        ev = tc.dv(MAKERS, 6)
    finally:
        tc.RELATIONSHIPS[6] = old
    assert any("proof step" in f for f in ev.failures)
    assert any("formula" in f for f in ev.failures)
    assert sympy.simplify(rel.formula - wrong.formula) != 0


def test_general_size_engine_is_cited_with_its_statuses(evidence) -> None:
    engine_steps = [s for k in tc.ENGINE_CITES for s in evidence[k].steps
                    if s.text.startswith("general-size engine")]
    assert engine_steps
    assert {s.status for s in engine_steps} == {"proved", "checked"}
    assert all(s.count > 0 for s in engine_steps if s.status == "checked")


def test_a_failing_engine_theorem_fails_the_claim(evidence) -> None:
    class Report:  # an engine report whose statement disagreed with the enumeration
        def __init__(self, real):
            self.proof, self.steps, self.reference = real.proof, real.steps, 0

        ok = False

    class Verification:
        def __init__(self, real):
            self.reports = [Report(r) for r in real.reports]

    engine = tc.general_engine(MAKERS)
    broken = {k: Verification(v) for k, v in engine.items()}
    ev = tc.Evidence("gbc-9.11", checks=1)
    tc.cite_engine(ev, broken)
    assert not ev and "general-size engine" in ev.failures[0]


def test_a_failing_claim_stops_the_document(monkeypatch) -> None:
    def broken(mk, tamper=tc._identity):
        return {"dv-3": tc.Evidence("dv-3", checks=1, failures=["planted"])}

    monkeypatch.setattr(_textbook, "run_all", broken)
    with pytest.raises(ProofError, match="dv-3"):
        sc.textbook()


def test_reference_loops_against_numpy_and_scipy() -> None:
    """The textbook's own loops agree with NumPy/SciPy (they are references, so test them)."""
    import scipy.signal

    rng = np.random.default_rng(0)
    img, ker = rng.integers(-3, 4, (4, 3)), rng.integers(-3, 4, (2, 2))
    assert np.array_equal(tc.conv_full_94(img, ker), scipy.signal.convolve2d(img, ker))
    assert np.array_equal(tc.conv_commuted_95(img, ker), scipy.signal.convolve2d(img, ker))
    v, k = rng.integers(-3, 4, (2, 5, 5)), rng.integers(-3, 4, (3, 2, 2, 2))
    ref = sum(scipy.signal.correlate2d(v[c], k[:, c][q], mode="valid")
              for c in range(2) for q in [0])
    assert np.array_equal(tc.layer_97(v, k)[0], ref)


def test_cli_writes_the_same_bytes(doc: str, tmp_path: Path) -> None:
    out = tmp_path / "book.tex"
    assert main(["textbook", "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == doc
    assert main(["textbook", "-o", str(tmp_path / "book.txt")]) == 2


@pytest.mark.latex
def test_textbook_compiles_with_pdflatex(doc: str, tmp_path: Path, pdflatex: str) -> None:
    tex = tmp_path / "textbook.tex"
    tex.write_text(doc, encoding="utf-8")
    for _ in range(2):  # twice: cross-references
        run = subprocess.run([pdflatex, "-interaction=nonstopmode", "-halt-on-error",
                              tex.name], cwd=tmp_path, capture_output=True, text=True,
                             timeout=300)
        assert run.returncode == 0, run.stdout[-3000:]
    log = (tmp_path / "textbook.log").read_text(encoding="latin-1")
    assert "undefined" not in log.lower().replace("undefined references", "")
    assert "Overfull" not in log
    assert (tmp_path / "textbook.pdf").stat().st_size > 50_000


def test_general_stretching_steps_hold_and_a_wrong_view_would_fail(evidence) -> None:
    import sympy
    from sympy import Eq, Mod, Piecewise, Sum

    from symconv.checks._general_grid import compare, make_grid

    steps = [s.text for s in evidence["stretching"].steps]
    assert any("Sum.change_index" in t for t in steps)
    assert any("Sum.change_index" in s.text for s in evidence["dv-12"].steps)
    # the same machinery rejects the view without the kernel flip
    n, k, s, d = sympy.symbols("n k s d", integer=True, positive=True)
    p = sympy.Symbol("p", integer=True, nonnegative=True)
    o, j = sympy.Symbol("o", integer=True), sympy.Symbol("j", integer=True)
    gt = sc.ConvTranspose1d(1, 1, kernel_size=k, stride=s, padding=p, dilation=d,
                            bias=False).derive(input_size=(n,))
    x, w = gt.input, gt.weight
    e = o + d * j - (d * (k - 1) - p)
    unflipped = Sum(Piecewise((w[0, 0, j] * x[0, e / s], Eq(Mod(e, s), 0)), (0, True)),
                    (j, 0, k - 1))
    moved = unflipped.change_index(j, k - 1 - j)
    assert sympy.simplify(moved.function - gt.output[0, o].function) != 0
    grid = make_grid([n, k, s, d, p], lambda v: (v[p] <= v[d] * (v[k] - 1)))
    assert compare(grid, gt.output[0, o], unflipped, {o: gt.output_size[0]}, [x, w]) \
        < grid.size
