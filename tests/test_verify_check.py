"""verify() and check() prove and test -- and fail when a view is wrong."""

from __future__ import annotations

import sympy

import symconv as sc


def _seed():
    return sc.correlate(sympy.symarray("x", 4), sympy.symarray("w", 3), mode="valid")


def test_verify_reports_both_identities():
    v = _seed().verify()
    assert bool(v)
    assert [r.name for r in v.results] == ["matrix", "patches"]
    assert all(r.monomials == 6 and r.outputs == 2 for r in v.results)
    assert "vec(y) = T vec(x): holds" in str(v)


def test_verify_detects_a_wrong_matrix_entry():
    d = _seed()
    rep = d._matrix_rep  # the cached SparseMatrix representation
    rep.rep[1][3] = sympy.Symbol("w_0")  # w_2 -> w_0 at T[1, 3]
    v = d.verify()
    assert not v
    assert not v.results[0].holds and v.results[1].holds
    assert "entry 1" in str(v)


def test_verify_detects_a_wrong_output():
    d = _seed()
    d._output_flat[0] = d._output_flat[0] + 1
    v = d.verify()
    assert not v and "entry 0" in str(v)


def test_check_detects_a_wrong_output_and_a_wrong_patch():
    d = _seed()
    d._output_flat[1] = d._output_flat[1] - sympy.Symbol("x_3") * sympy.Symbol("w_2")
    r = d.check()
    assert not r
    assert [c.agree for c in r.comparisons if c.view == "output"] == [False, False]
    d2 = _seed()
    d2._patches_rep.rep[0][0] = sympy.Symbol("x_1")
    r2 = d2.check()
    assert [c.view for c in r2.comparisons if not c.agree] == ["P vec(w)", "P vec(w)"]


def test_matrix_access_returns_a_copy():
    d = _seed()
    m = d.matrix
    m[0, 3] = 99
    assert d.matrix[0, 3] == 0


def test_numeric_and_mixed_derivations_verify_by_expansion():
    a = sympy.Symbol("a")
    d = sc.Conv1d(1, 2, 2, padding=1, padding_mode="circular").derive(
        x=[[1, 2, a]], weight=[[[1, 2]], [[a, sympy.Rational(1, 2)]]], bias=[3, a])
    v = d.verify()
    assert v and {r.method for r in v.results} == {"expand"}
    assert d.check(trials=4, seed=3)
