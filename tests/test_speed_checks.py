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
