"""General proofs: every step proved by SymPy or checked on a grid, honestly labelled."""

from __future__ import annotations

import pytest
import sympy

import symconv as sc
from symconv.checks._general_proofs import GeneralProof, GeneralStep
from symconv.checks._general_theorems import general_proofs, law_of
from symconv.checks._general_verify import run

n, k, s, d, C, Q = sympy.symbols("n k s d C Q", integer=True, positive=True)
p, a = sympy.symbols("p a", integer=True, nonnegative=True)


@pytest.fixture(scope="module")
def layer():
    return sc.Conv1d(C, Q, kernel_size=k, stride=s, padding=p, dilation=d).derive(
        input_size=(n,))


@pytest.fixture(scope="module")
def verified(layer):
    return layer.verify()


def test_general_layer_verifies_on_at_least_500_instances(verified):
    assert verified
    assert verified.grid >= 500
    keys = [r.proof.key for r in verified.reports]
    assert keys == ["a", "b", "c", "d", "e1", "e2", "e3", "f", "g1", "g2", "h"]
    for r in verified.reports:
        assert r.reference == verified.grid  # statement vs brute-force enumeration
        for st in r.steps:
            assert st.checked == st.grid == verified.grid
    a = verified.reports[0]
    assert a.engine == a.engine_tried > 0  # enumeration vs the instance engine


def test_proved_and_checked_are_honest(verified):
    # exactly these theorems close with SymPy alone; the rest rely on a grid-checked step
    # (b): with channels and bias, SymPy's factor_sum does not reproduce its merge step
    assert verified.proved() == ["d", "h"]
    assert verified.checked_only() == ["a", "b", "c", "e1", "e2", "e3", "f", "g1", "g2"]
    for r in verified.reports:
        for st, status in zip(r.proof.steps, r.steps):
            if st.rule in ("Kronecker-delta elimination under divisibility",
                           "counting multiples", "counting an interval", "indices in range"):
                assert not status.proved
    text = str(verified)
    assert "proved by SymPy" in text and "checked on 520 of 520 instances (not proved)" in text


def test_a_wrong_step_is_caught(layer):
    L = law_of(layer)
    good = general_proofs(layer)[0]
    last = good.steps[-1]
    wrong_rhs = last.rhs.xreplace({L.ax.lo: L.ax.lo + 1})  # off-by-one padding
    bad_step = GeneralStep(last.lhs, wrong_rhs, last.rule)
    bad = GeneralProof("a", good.title, good.lhs, wrong_rhs, (*good.steps[:-1], bad_step),
                       good.cite, good.ranges, good.reference)
    ver = run(layer, (bad,), L)
    assert not ver
    assert ver.reports[0].steps[-1].checked < ver.grid
    assert ver.reports[0].reference < ver.grid


def test_signal_and_transposed_verify():
    x = sympy.IndexedBase("x", shape=(n,))
    w = sympy.IndexedBase("w", shape=(k,))
    for g in (sc.correlate(x, w, mode="valid"), sc.convolve(x, w, mode="full"),
              sc.ConvTranspose1d(1, 2, kernel_size=k, stride=s, padding=p,
                                 output_padding=a).derive(input_size=(n,))):
        v = g.verify()
        assert v, str(v)


def test_step_data_rejects_text_and_unknown_rules():
    with pytest.raises(TypeError, match="`lhs` of a GeneralStep"):
        GeneralStep("x", sympy.Integer(1), "algebra")
    with pytest.raises(ValueError, match="`rule` must be one of"):
        GeneralStep(sympy.Integer(1), sympy.Integer(1), "magic")


def test_circular_has_no_general_proofs():
    g = sc.Conv1d(1, 1, kernel_size=k, padding=p, padding_mode="circular").derive(
        input_size=(n,))
    with pytest.raises(ValueError, match="circular"):
        g.verify()
