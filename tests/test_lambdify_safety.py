"""check() on legitimate SymPy input: lambdify only ever sees generated, safe names.

Each case once failed inside ``sympy.lambdify`` (SympifyError, NameError,
SyntaxError, IndexError) or -- for a Function whose *name* is Python code --
executed that code.  Now every symbol, function application, ``Indexed`` or
matrix element is an opaque variable with a generated name, so each check runs
and compares with scipy.signal / NumPy / the NumPy reference.  Each check is
also shown to fail when one output is corrupted, so a truthy report is not
vacuous.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.signal
import sympy

import symconv as sc

t = sympy.Symbol("t")


def _cases() -> dict[str, list[object]]:
    M = sympy.MatrixSymbol("M", 2, 2)
    X = sympy.IndexedBase("x")
    return {
        "bracket name": [sympy.Symbol("x[0]"), sympy.Symbol("x[1]"), sympy.Symbol("y")],
        "Dummy": [sympy.Dummy("a"), sympy.Dummy("a"), sympy.Dummy("b")],
        "Indexed": [X[0], X[1], X[2]],
        "keywords": [sympy.Symbol("lambda"), sympy.Symbol("None"), sympy.Symbol("class")],
        "applied Function": [sympy.Function("f")(t), t, sympy.Function("f")(2 * t)],
        "same name, other assumptions": [sympy.Symbol("a"), sympy.Symbol("a", positive=True),
                                         sympy.Symbol("a", integer=True)],
        "MatrixSymbol element": [M[0, 0], M[0, 1], M[1, 0]],
        "numbers and pi": [sympy.pi * t, sympy.Rational(1, 3), 2 + 3 * sympy.I],
    }


@pytest.mark.parametrize("name", list(_cases()))
@pytest.mark.parametrize("op", ["correlate", "convolve"])
def test_check_accepts_legitimate_sympy_input(name, op):
    x = _cases()[name]
    d = getattr(sc, op)(x, [sympy.Symbol("w0"), sympy.Symbol("w1")], mode="full")
    report = d.check(trials=2)
    assert report, str(report)
    assert any("scipy.signal" in c.reference for c in report.comparisons)
    # Not vacuous: one output changed is caught.
    d._output_flat[1] = d._output_flat[1] + 1
    assert not d.check(trials=2)


@pytest.mark.parametrize("name", list(_cases()))
def test_gradient_check_accepts_legitimate_sympy_input(name):
    x = _cases()[name]
    g = sc.correlate(x, [sympy.Symbol("w0"), sympy.Symbol("w1")], mode="valid").gradient()
    report = g.check(trials=2)
    assert report, str(report)


def test_layer_check_with_indexed_weights_and_function_bias():
    W = sympy.IndexedBase("W")
    w = np.array([[[W[0], W[1]]]], dtype=object)
    b = [sympy.Function("bias")(t)]
    d = sc.Conv1d(1, 1, 2).derive(x=[[1, 2, 3]], weight=w, bias=b)
    assert d.check(trials=2)
    assert d.gradient().check(trials=2)


def test_a_function_named_like_python_code_is_never_executed(tmp_path):
    marker = tmp_path / "pwned"
    name = f"__import__('os').system('touch {marker}')"
    f = sympy.Function(name)
    x = [f(t), t, f(t) + 1]
    d = sc.correlate(x, [1, 2])
    assert d.check(trials=2)
    assert d.gradient().check(trials=2)
    layer = sc.Conv1d(1, 1, 2, bias=True).derive(x=[x], weight=[[[f(t), 2]]], bias=[f(1)])
    assert layer.check(trials=1)
    assert not marker.exists()


def test_values_match_scipy_for_a_numeric_stand_in():
    """The opaque variables are evaluated consistently: the same values fed to
    scipy.signal give the same outputs as check() evaluated (exact integers)."""
    f = sympy.Function("f")
    x = [f(t), t, f(t)]
    d = sc.correlate(x, [2, 3], mode="valid")
    # f(t) and t are independent variables: any values give y = 2*x0 + 3*x1, ...
    vals = {f(t): 5, t: -7}
    got = [sympy.sympify(e).xreplace(vals) for e in d.output]
    want = scipy.signal.correlate([5, -7, 5], [2, 3], mode="valid").tolist()
    assert got == want
    assert d.check(trials=3)


def test_lambdify_only_ever_sees_generated_names(monkeypatch):
    from symconv.checks import _evaluate

    seen: list[tuple[list[str], set[str]]] = []
    real = sympy.lambdify

    def spy(args, expr, *a, **k):
        seen.append(([str(v) for v in args], {str(v) for v in expr.free_symbols}))
        return real(args, expr, *a, **k)

    monkeypatch.setattr(sympy, "lambdify", spy)
    _evaluate._compiled.cache_clear()
    for x in _cases().values():
        d = sc.correlate(x, [sympy.Symbol("lambda"), sympy.Function("g")(t)])
        assert d.check(trials=1)
        assert d.gradient().check(trials=1)
    assert seen
    for args, free in seen:
        assert all(name == f"_a{j}" for j, name in enumerate(args)), args
        assert free <= set(args), free
