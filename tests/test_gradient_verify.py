"""Gradient.verify proves dL/dw against an independent route, and can fail.

The reference route is the chain rule read off the forward sums
(``sum_o g[o] dy[o]/dw[k]``), which does not use the gradient's tap grouping;
here it is also recomputed with ``sympy.diff`` on the public ``output``.
"""

from __future__ import annotations

import pytest
import sympy

import symconv as sc
from symconv.backward._gradients import Gradient

CASES = {
    "signal": lambda: sc.correlate(sympy.symarray("x", 5), sympy.symarray("w", 3)),
    "reflect": lambda: sc.Conv2d(1, 1, 3, padding=1, padding_mode="reflect").derive(
        input_size=(3, 3)),
    "numeric-g": lambda: sc.Conv1d(2, 2, 2, stride=2, groups=2).derive(input_size=5),
}


def _differentiated(d: sc.Derivation, g: Gradient) -> list:
    """dL/dw by sympy.diff of the public outputs (the chain rule, written here)."""
    ys, gs = list(d.output.reshape(len(d.flat_output))), g.flat_output
    return [sympy.expand(sum(gs[o] * sympy.diff(y, w) for o, y in enumerate(ys)))
            for w in d.flat_weight]


@pytest.mark.parametrize("case", sorted(CASES))
def test_weight_gradient_is_the_chain_rule(case: str) -> None:
    d = CASES[case]()
    g = d.gradient()
    assert [sympy.expand(v) for v in g.flat_weight] == _differentiated(d, g)
    results = {r.statement.split(" (")[0]: r for r in g.verify().results}
    assert results["dL/dw[k] = sum over outputs of g[o] dy[o]/dw[k]"].holds


def test_the_differentiation_proof_fails_on_a_wrong_gradient(monkeypatch) -> None:
    d = CASES["signal"]()
    g = d.gradient()
    wrong = list(g.flat_weight)
    wrong[0], wrong[1] = wrong[1], wrong[0]
    monkeypatch.setattr(Gradient, "flat_weight", property(lambda self: wrong))
    v = g.verify()
    assert not v
    failed = [r.statement for r in v.results if not r.holds]
    assert any("differentiated" in s for s in failed)


def test_verify_of_a_large_1d_layer_builds_no_dense_mask() -> None:
    """24,000 x 24,002 entries of T: the structural-zero mask would be 576M bytes."""
    d = sc.correlate(sympy.symarray("x", 24_000), sympy.symarray("w", 3), mode="full")
    assert d.gradient().verify()


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_positions_proof_fails_on_a_moved_tie_group(case: str, monkeypatch) -> None:
    """Swap one position between two weights' tie groups: the positions proof names it."""
    import dataclasses

    d = CASES[case]()
    g = d.gradient()
    groups = list(g.tie_groups())
    a, b = groups[0], groups[1]
    ra, rb = a.rows.copy(), b.rows.copy()
    ca, cb = a.cols.copy(), b.cols.copy()
    ra[0], rb[0], ca[0], cb[0] = rb[0], ra[0], cb[0], ca[0]
    moved = [dataclasses.replace(a, rows=ra, cols=ca), dataclasses.replace(b, rows=rb, cols=cb)]
    moved += groups[2:]
    monkeypatch.setattr(Gradient, "tie_groups", lambda self: moved)
    results = {r.name: r for r in g.verify().results}
    assert not results["positions"].holds
    assert f"weight {a.index}" in results["positions"].counterexample
