"""The general composition theorem (checks/_composition.py): proved steps, a checked step,
a wrong kernel failing, and agreement with numpy.convolve and torch's conv1d at instances."""

from __future__ import annotations

import itertools
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from sympy import Max, Min, Sum

import symconv as sc
from symconv.checks import _composition as C


def test_the_general_proof_is_proved_step_by_step():
    pr = C.composition_proof()
    assert pr and len(pr.steps) == 9
    # steps 1-8 by SymPy alone; step 9 joins SymPy's certificates by two hand-coded
    # arguments (slope +-1 bracket constancy, case coverage), so it is not called
    # "proved" unqualified and the whole proof is not "proved by SymPy"
    assert all(s.proved and not s.hand for s in pr.steps[:-1])
    assert not pr.proved and not pr.steps[-1].proved
    assert pr.steps[-1].status == C.PROVED_HAND == "proved with 2 hand-coded arguments"
    assert pr.steps[-1].hand == C.HAND_CODED and len(C.HAND_CODED) == 2
    assert "slope +-1" in C.HAND_CODED[0] and "cover every integer" in C.HAND_CODED[1]
    assert pr.status == "proved by SymPy except step 9 proved with 2 hand-coded arguments"
    n_inst = sum(k1 + k2 - 1 for k1 in range(1, C.CLIP_CHECK_UPTO + 1)
                 for k2 in range(1, C.CLIP_CHECK_UPTO + 1))
    assert f"also checked on {n_inst} instances" in pr.steps[-1].how
    # the chain is connected: each step starts where the previous ended (after the sizes)
    chain = pr.steps[1:]
    assert chain[0].lhs == pr.lhs and chain[-1].rhs == pr.rhs
    assert all(s.rhs == nxt.lhs for s, nxt in itertools.pairwise(chain))
    assert pr.outputs == C.n - C.k1 - C.k2 + 2
    assert str(pr).count("hand-coded, not SymPy: ") == 2


def test_an_equivalent_kernel_written_otherwise_is_only_checked():
    """c[t] = sum_j a[j] b[t-j] (convolution commutes): true, but not the form the case
    analysis matches, so the clipping step is honestly 'checked on N instances'."""
    pr = C.composition_proof(lambda a, b, t, k1, k2: Sum(
        a[C.m] * b[t - C.m], (C.m, Max(0, t - k2 + 1), Min(t, k1 - 1))))
    n_inst = sum(k1 + k2 - 1 for k1 in range(1, C.CLIP_CHECK_UPTO + 1)
                 for k2 in range(1, C.CLIP_CHECK_UPTO + 1))
    assert pr and not pr.proved
    assert pr.steps[-1].status == f"checked on {n_inst} instances" and not pr.steps[-1].hand
    assert pr.status == f"proved by SymPy except step 9 checked on {n_inst} instances"


@pytest.mark.parametrize("wrong", [
    lambda a, b, t, k1, k2: Sum(a[t - C.m] * b[C.m], (C.m, Max(0, t - k1 + 1), Min(t, k2))),
    lambda a, b, t, k1, k2: Sum(a[C.m] * b[t - C.m], (C.m, Max(0, t - k1 + 1), Min(t, k2 - 1))),
    lambda a, b, t, k1, k2: Sum(a[t - C.m] * b[C.m], (C.m, 0, Min(t, k2 - 1))),
])
def test_a_wrong_composite_kernel_fails(wrong):
    pr = C.composition_proof(wrong)
    assert not pr and pr.status.startswith("fails at step")
    assert pr.steps[-1].status == "fails"


def _instance(expr, sizes, a, b, x, y1=None):
    """Evaluate a proof expression at numbers: sizes, kernels, input (and y1)."""
    reps = {C.n: sizes[0], C.k1: sizes[1], C.k2: sizes[2]}
    e = expr.xreplace(reps).doit()
    vals = {}
    for base, arr in ((C.a, a), (C.b, b), (C.x, x), (C.y1, y1)):
        if arr is not None:
            vals.update({base[q]: int(v) for q, v in enumerate(arr)})
    return e.xreplace(vals)


@pytest.mark.parametrize("sizes", [(7, 3, 2), (9, 4, 4), (6, 1, 5), (8, 2, 6)])
def test_both_sides_at_instances_match_numpy_and_torch(torch, sizes):
    n, k1, k2 = sizes
    rng = np.random.default_rng(n * 31 + k1)
    a, b, x = (rng.integers(-5, 6, s) for s in (k1, k2, n))
    F = torch.nn.functional
    t = lambda v: torch.tensor(v, dtype=torch.float64)[None, None]  # noqa: E731
    y1 = F.conv1d(t(x), t(a))                     # torch's conv1d is a correlation
    y2 = F.conv1d(y1, t(b))[0, 0].numpy()
    c = np.convolve(a, b)                         # the full convolution of the kernels
    np.testing.assert_array_equal(F.conv1d(t(x), t(c))[0, 0].numpy(), y2)
    np.testing.assert_array_equal(np.correlate(x, c, "valid"), y2)
    pr = C.composition_proof()
    kernel = [_instance(pr.kernel.xreplace({C.t: q}), sizes, a, b, x) for q in range(len(c))]
    assert kernel == c.tolist()
    y1n = y1[0, 0].numpy().astype(int)
    assert len(y2) == _instance(pr.outputs, sizes, a, b, x)
    for i in range(len(y2)):
        lhs = _instance(pr.lhs.xreplace({C.i: i}), sizes, a, b, x, y1n)
        rhs = _instance(pr.rhs.xreplace({C.i: i}), sizes, a, b, x)
        assert lhs == rhs == int(y2[i])


def test_composition_exposes_the_general_proof():
    two = sc.Sequential(sc.Conv1d(1, 1, 3, bias=False), sc.Conv1d(1, 1, 2, bias=False))
    comp = two.derive(input_size=(1, 5)).composition()
    (pr,) = comp.proofs()
    assert pr is C.composition_proof() and comp.holds


def test_latex_of_the_proof_is_deterministic_and_honest():
    pr = C.composition_proof()
    text = pr.to_latex()
    assert text == C.composition_proof().to_latex()
    assert text.startswith(r"\begin{aligned}") and text.endswith(r"\end{aligned}")
    assert text.count(": proved]") == len(pr.steps) - 1
    assert text.count(": proved with 2 hand-coded arguments]") == 1
    assert text.count("(not SymPy): ") == 2
    assert "Status: proved by SymPy except step 9 proved with 2 hand-coded arguments." in text
    assert r"\left[" in text  # Iverson brackets
    assert "fails" in C.composition_proof(
        lambda a, b, t, k1, k2: Sum(a[t - C.m] * b[C.m], (C.m, 0, t))).to_latex()


@pytest.mark.latex
def test_latex_of_the_proof_compiles(pdflatex, tmp_path: Path):
    body = C.composition_proof().to_latex()
    src = ("\\documentclass{article}\\usepackage{amsmath}\\usepackage[landscape,margin=1cm]"
           "{geometry}\\begin{document}\\tiny\\[" + body + "\\]\\end{document}\n")
    (tmp_path / "c.tex").write_text(src)
    run = subprocess.run([pdflatex, "-interaction=nonstopmode", "-halt-on-error", "c.tex"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout[-1500:]
    assert shutil.os.path.getsize(tmp_path / "c.pdf") > 1000


def test_a_kernel_right_only_on_the_grid_is_not_proved():
    """Wrong once k2 > 11, right on every instance of the grid: the case analysis must not
    certify it; it stays 'checked on N instances' (instances never give 'proved')."""
    pr = C.composition_proof(lambda a, b, t, k1, k2: Sum(
        a[t - C.m] * b[C.m], (C.m, Max(0, t - k1 + 1), Min(t, k2 - 1, 10))))
    assert pr and not pr.proved and pr.steps[-1].status.startswith("checked on")


def test_network_document_of_a_stride_one_stack_has_the_theorem():
    two = sc.Sequential(sc.Conv1d(1, 1, 3, bias=False), sc.Conv1d(1, 1, 2, bias=False))
    doc = two.derive(input_size=(1, 5)).latex_document()
    assert doc.count("Composition, for general sizes") == 1
    # the chain's rows, as breakable align* rows (one aligned block is taller than a page)
    rows = C.composition_proof().to_latex()[len(r"\begin{aligned}"):-len(r"\end{aligned}")]
    assert r"\begin{align*}" + rows + r"\end{align*}" in doc
    strided = sc.Sequential(sc.Conv1d(1, 1, 3, stride=2), sc.Conv1d(1, 1, 2))
    assert "Composition" not in strided.derive(input_size=(1, 9)).latex_document()
    relu = sc.Sequential(sc.Conv1d(1, 1, 3), sc.ReLU(), sc.Conv1d(1, 1, 2))
    assert "Composition" not in relu.derive(input_size=(1, 9)).latex_document()


@pytest.mark.latex
def test_network_document_with_the_theorem_compiles(pdflatex, tmp_path: Path):
    two = sc.Sequential(sc.Conv1d(1, 1, 3, bias=False), sc.Conv1d(1, 1, 2, bias=False))
    (tmp_path / "n.tex").write_text(two.derive(input_size=(1, 5)).latex_document())
    run = subprocess.run([pdflatex, "-interaction=nonstopmode", "-halt-on-error", "n.tex"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout[-1500:]
    # nothing sticks out of the page: the theorem's first row was 64 pt too wide, step 9's
    # row with its tag about 80 pt, the layer list 3.7 pt, and the chain 22 pt too tall
    log = (tmp_path / "n.log").read_text(errors="replace")
    assert "Overfull" not in log, [ln for ln in log.splitlines() if ln.startswith("Overfull")]
