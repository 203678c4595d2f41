"""check() and gradient().check() at sizes where one lambdified sum used to crash.

Python's compiler raised RecursionError once a lambdified sum exceeded about
3,000 terms.  The checks now evaluate each term *shape* once on arrays, so
these sizes pass (compared with scipy.signal / NumPy / the NumPy reference /
torch inside check()), and a wrong output is still caught.
"""

from __future__ import annotations

import sympy

import symconv as sc


def test_one_sum_of_4000_products_checks():
    d = sc.correlate(sympy.symarray("x", 4010), sympy.symarray("w", 4000))
    assert d.check(trials=2)
    d._output_flat[3] = d._output_flat[3] + sympy.Symbol("x_0")
    report = d.check(trials=2)
    assert not report
    assert all(not c.agree for c in report.comparisons if c.view == "output")


def test_gradient_with_sums_of_3000_products_checks():
    g = sc.Conv1d(1, 1, 3).derive(input_size=3000).gradient()
    assert g.check(trials=2)


def test_export_refusals_come_before_any_table_is_built():
    import pytest

    d = sc.Conv2d(64, 64, 3, padding=1, bias=False).derive(input_size=(32, 32))
    with pytest.raises(ValueError, match="dense T"):
        d.to_numpy()
    with pytest.raises(ValueError):
        d.to_scipy()  # symbolic weights: nothing numeric to export
    assert "taps" not in vars(d)  # the (36M-product) tap table was never built
