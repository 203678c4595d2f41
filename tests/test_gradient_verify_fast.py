"""g.verify's whole-array comparison (compare_sums_fast) against the term-by-term one."""

from __future__ import annotations

import pytest
import sympy

import symconv as sc
from symconv.checks import _compare_arrays, _gradient_checks, _gradient_verify, _verify

CASES = {
    "conv2d": lambda: sc.Conv2d(2, 4, 3, stride=2, padding=1, bias=False).derive(
        input_size=(6, 5)),
    "conv2d bias groups dilation": lambda: sc.Conv2d(2, 4, 2, groups=2, dilation=2).derive(
        input_size=(5, 5)),
    "reflect padding": lambda: sc.Conv1d(1, 2, 3, padding=2, padding_mode="reflect").derive(
        input_size=5),
    "circular padding": lambda: sc.Conv1d(1, 1, 3, padding=1, padding_mode="circular").derive(
        input_size=2),
    "transpose": lambda: sc.ConvTranspose2d(2, 1, 3, stride=2, output_padding=1).derive(
        input_size=(3, 3)),
    "signal same": lambda: sc.convolve(sympy.symarray("x", 6), sympy.symarray("w", 3),
                                       mode="same"),
    "signal window": lambda: sc.correlate(sympy.symarray("x", 6), sympy.symarray("w", 4),
                                          mode="same"),
    "transpose, first positions": lambda: sc.ConvTranspose1d(
        1, 1, 3, stride=2, dilation=3, output_padding=2).derive(input_size=3),
    "numeric": lambda: sc.correlate([1, 2, 3, 4], [5, 6]),
    "repeated symbol": lambda: sc.correlate(sympy.symbols("a a b"), sympy.symbols("u v")),
}


def _term_by_term(statement, lhs, rhs, rhs_ids=None, memo=None):
    return _verify.compare_sums(statement, lhs, rhs())


@pytest.mark.parametrize("case", sorted(CASES))
def test_same_results_as_the_term_by_term_comparison(case: str, monkeypatch) -> None:
    fast = CASES[case]().gradient().verify()
    monkeypatch.setattr(_gradient_verify, "compare_sums_fast", _term_by_term)
    monkeypatch.setattr(_gradient_checks, "compare_sums_fast", _term_by_term)
    slow = CASES[case]().gradient().verify()
    assert bool(fast) and bool(slow)
    assert str(fast) == str(slow)
    if case == "signal window":
        assert "mode='full')[2:8]" in str(fast)
    if case == "transpose, first positions":
        assert "first (3,) positions" in str(fast)


def test_a_swapped_factor_fails_with_the_entry_named() -> None:
    x, y, z, w = sympy.symbols("x y z w")
    lhs = [x * y + z * w, x * z]
    good = [[(y, x), (w, z)], [(z, x)]]
    assert _compare_arrays.compare_sums_fast("s", lhs, lambda: good).holds
    bad = [[(x, z), (y, w)], [(z, x)]]  # same factors, paired differently
    result = _compare_arrays.compare_sums_fast("s", lhs, lambda: bad)
    assert not result.holds and result.counterexample.startswith("entry 0:")
    moved = [[(y, x)], [(z, x), (w, z)]]  # a product moved to another entry
    assert not _compare_arrays.compare_sums_fast("s", lhs, lambda: moved).holds
    assert not _compare_arrays.compare_sums_fast("s", lhs, lambda: good[:1]).holds


def test_a_coefficient_falls_back_to_the_exact_comparison() -> None:
    x, y = sympy.symbols("x y")
    lhs = [2 * x * y]
    assert _compare_arrays.sum_keys(lhs) is None
    assert _compare_arrays.compare_sums_fast("s", lhs, lambda: [[(x, y), (y, x)]]).holds
    assert not _compare_arrays.compare_sums_fast("s", lhs, lambda: [[(x, y)]]).holds


def test_a_symbolic_layer_is_proved_without_the_term_by_term_fallback(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("fell back to compare_sums")

    g = sc.Conv2d(2, 3, 3, stride=2, padding=1, bias=False).derive(
        input_size=(7, 6)).gradient()
    monkeypatch.setattr(_compare_arrays, "compare_sums", refuse)
    assert g.verify()
