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
def built() -> dict[str, object]:
    """One build of the document through the public ``sc.textbook()``, shared by the module.

    The evidence and the general-size engine's verification it used are recorded on the
    way (wrapping, not replacing, ``run_all`` and ``general_engine``), so the tests compare
    the document with exactly what built it, without building it again.
    """
    seen: dict[str, object] = {}

    def record(name, real):
        def wrapper(*args, **kwargs):
            seen[name] = real(*args, **kwargs)
            return seen[name]
        return wrapper

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_textbook, "run_all", record("evidence", _textbook.run_all))
        mp.setattr(tc, "general_engine", record("engine", tc.general_engine))
        seen["doc"] = sc.textbook()
    return seen


@pytest.fixture(scope="module")
def doc(built) -> str:
    return built["doc"]


@pytest.fixture(scope="module")
def evidence(built) -> dict[str, tc.Evidence]:
    return built["evidence"]


def test_every_equation_and_relationship_is_numbered_and_labelled(doc: str) -> None:
    for eq in ["9.4", "9.5", "9.6", "9.7", "9.8", "9.9", "9.10", "9.11", "9.12", "9.13"]:
        assert f"\\tag{{{eq}}}\\label{{gbc:{eq}}}" in doc
    for n in range(1, 16):
        assert f"\\label{{rel:{n}}}" in doc
        assert f"\\label{{fig:rel-{n}}}" in doc
    assert doc.count(r"\begin{tikzpicture}") == 15
    for label in re.findall(r"\\(?:ref|eqref)\{([^}]+)\}", doc):
        assert f"\\label{{{label}}}" in doc, label


def test_comparison_signs_of_the_evidence_are_math(doc: str) -> None:
    """The checks' <=, <, -> are set as math: an escaped sign would print as text
    (``\textless{}=`` reads '<=' as two glyphs; raw < in OT1 text reads as an inverted '!')."""
    assert r"$\le$" in doc and "$<$" in doc and r"$\to$" in doc
    assert r"\textless" not in doc and r"\textgreater" not in doc


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
    assert {"gbc-9.6", "gbc-9.7", "gbc-9.11", "gbc-9.12", "gbc-9.13", "gbc-recon", "dv-1", "dv-7",
            "dv-14", "dv-15"} <= set(with_torch)


def _perturb(a: np.ndarray) -> np.ndarray:
    out = np.array(a, dtype=float, copy=True)
    out.reshape(-1)[0] += 1
    return out


# Each claim re-run with symconv's side perturbed must fail; it runs the same instance
# checks (same count: the evidence is deterministic), so every counted check is live.
@pytest.mark.parametrize("key", sorted({**tc.GBC, **tc.GBC_TEXT}))
def test_each_gbc_claim_fails_when_perturbed(key: str, evidence) -> None:
    ev = {**tc.GBC, **tc.GBC_TEXT}[key](MAKERS, _perturb)
    assert not ev and ev.failures
    assert ev.checks == evidence[f"gbc-{key}"].checks


@pytest.mark.parametrize("number", sorted(tc.RELATIONSHIPS))
def test_each_relationship_fails_when_perturbed(number: int, evidence) -> None:
    ev = tc.dv(MAKERS, number, _perturb)
    assert not ev and ev.failures
    assert ev.checks == evidence[f"dv-{number}"].checks


@pytest.mark.parametrize("key", sorted(tc.STRUCTURE))
def test_each_structure_claim_fails_when_perturbed(key: str, evidence) -> None:
    ev = tc.STRUCTURE[key](MAKERS, _perturb)
    assert not ev and ev.failures
    assert ev.checks == evidence[key].checks


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


def test_a_failing_engine_theorem_fails_the_claim(built) -> None:
    class Report:  # an engine report whose statement disagreed with the enumeration
        def __init__(self, real):
            self.proof, self.steps, self.reference = real.proof, real.steps, 0

        ok = False

    class Verification:
        def __init__(self, real):
            self.reports = [Report(r) for r in real.reports]

    broken = {k: Verification(v) for k, v in built["engine"].items()}
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


def test_cli_writes_the_same_bytes(doc: str, evidence, tmp_path: Path, monkeypatch) -> None:
    """The CLI writes the document; rendered again (claims not re-run), it is byte-identical.

    The claims' own determinism is checked by the perturbation tests (same counts).
    """
    monkeypatch.setattr(_textbook, "run_all", lambda mk: evidence)
    out = tmp_path / "book.tex"
    assert main(["textbook", "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == doc
    assert main(["textbook", "-o", str(tmp_path / "book.txt")]) == 2


@pytest.mark.latex
def test_textbook_compiles_with_pdflatex(doc: str, tmp_path: Path, pdflatex: str) -> None:
    """One pdflatex pass; the second pass's job (resolving references) is checked on the
    .aux the first pass wrote: every \\ref / \\eqref target is a \\newlabel there."""
    tex = tmp_path / "textbook.tex"
    tex.write_text(doc, encoding="utf-8")
    run = subprocess.run([pdflatex, "-interaction=nonstopmode", "-halt-on-error", tex.name],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:]
    log = (tmp_path / "textbook.log").read_text(encoding="latin-1")
    assert "Overfull" not in log
    assert "! " not in log  # no TeX error, even a recovered one
    aux = (tmp_path / "textbook.aux").read_text(encoding="latin-1")
    defined = set(re.findall(r"\\newlabel\{([^}]+)\}", aux))
    used = set(re.findall(r"\\(?:ref|eqref)\{([^}]+)\}", doc))
    assert used and used <= defined, used - defined
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


def test_gbc_numbering_follows_the_book(doc: str) -> None:
    """GBC ch. 9 typesets the input gradient on two numbered lines: (9.12) defines
    h(K, G, s) as dJ/dV, (9.13) writes out its sum; R = h(K, H, s) is in the text, unnumbered
    (checked against a verbatim quotation of eqs. 9.8, 9.11-9.13, see docs/textbook.md)."""
    def body(tag: str) -> str:
        end = doc.index(f"\\tag{{{tag}}}")
        return doc[doc.rindex("\\begin{equation*}", 0, end):end]

    assert "\\frac{\\partial J}{\\partial V_{i,j,k}}" in body("9.12")
    assert "\\sum" not in body("9.12")
    assert "K_{q,i,m,p}" in body("9.13") and "(l-1)s+m=j" in body("9.13")
    assert "g(\\mathsf{G},\\mathsf{V},s)" in body("9.11")
    assert "c(\\mathsf{K},\\mathsf{V},s)" in body("9.8")
    assert "j\\,\\%\\,t+1" in body("9.10")
    recon = doc.index("\\mathsf{R} = h(\\mathsf{K},\\mathsf{H},s)")
    assert "\\tag" not in doc[recon:doc.index("\\end{equation*}", recon)]


@pytest.mark.parametrize("dims", [1, 2])
def test_convolution_theorem_is_proved_for_general_sizes(dims: int, evidence) -> None:
    from symconv.checks._structure_general import prove_convolution_theorem

    # the document's build ran the proof (a step that did not hold would have stopped it)
    texts = [s.text for s in evidence["circulant"].steps if s.status == "proved"]
    assert sum("conclusion" in t for t in texts) == 2
    assert evidence["circulant"] and sum("general n:" in t for t in texts) >= 4
    assert not [s for s in evidence["circulant"].steps if s.status == "checked"]
    # a wrong twiddle or the transposed circulant must not be "proved"
    for tamper in (1, 2):
        assert not all(held for _, held in prove_convolution_theorem(dims, tamper))


def test_convolution_theorem_steps_against_numpy() -> None:
    """What the proof states, at n = 5 with NumPy: sum_b F[a,b] c[(b-e) mod n] = (Fc)[a] F[a,e]."""
    n = 5
    rng = np.random.default_rng(1)
    c = rng.normal(size=n)
    f = np.exp(-2j * np.pi * np.outer(np.arange(n), np.arange(n)) / n)
    lhs = np.array([[sum(f[a, b] * c[(b - e) % n] for b in range(n)) for e in range(n)]
                    for a in range(n)])
    assert np.allclose(lhs, (f @ c)[:, None] * f)
    assert np.allclose(lhs, np.fft.fft(c)[:, None] * f)


def test_stretched_kernel_is_proved_for_general_sizes(evidence) -> None:
    import sympy

    from symconv.checks._structure_general import prove_stretched_kernel

    n, k, s, d = sympy.symbols("n k s d", integer=True, positive=True)
    p = sympy.Symbol("p", integer=True, nonnegative=True)
    o = sympy.Symbol("o", integer=True)
    conv = sc.Conv1d(1, 1, kernel_size=k, stride=s, padding=p, dilation=d,
                     bias=False).derive(input_size=(n,))
    assert not all(held for _, held in prove_stretched_kernel(conv, o, tamper=True))
    for key in ("stretching", "dv-15"):  # the build ran the untampered proof: 5 steps held
        proved = [st.text for st in evidence[key].steps if st.status == "proved"
                  and "zero-stretched kernel v[t]" in st.text]
        assert len(proved) == 5 and evidence[key]
