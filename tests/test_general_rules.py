"""The named rules of the general proofs, each against brute-force enumeration."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from symconv.checks._general_rules import (
    RULES,
    change_index,
    eliminate_delta,
    exchange_sums,
    floor_count,
    interval_count,
    introduce_delta,
    merge_sums,
    same,
    split_sum,
    sympy_sum,
    zero_padding_as_delta,
)

j, o, i, t, q, r = sympy.symbols("j o i t q r", integer=True)
n, k, s, d = sympy.symbols("n k s d", integer=True, positive=True)
p = sympy.Symbol("p", integer=True, nonnegative=True)
w, x, g = sympy.IndexedBase("w"), sympy.IndexedBase("x"), sympy.IndexedBase("g")


def value(expr, subs, arrays):
    """Numbers in, number out: sums written out term by term, reads outside arrays are 0."""
    e = sympy.sympify(expr).subs(subs)

    def expand(e):
        if isinstance(e, sympy.Sum):
            f = expand(e.function)
            syms = [lim[0] for lim in e.limits]
            rng = [range(int(lim[1]), int(lim[2]) + 1) for lim in e.limits]
            return sympy.Add(*[f.xreplace(dict(zip(syms, map(sympy.Integer, v))))
                               for v in itertools.product(*rng)])
        return e.func(*[expand(a) for a in e.args]) if e.args else e

    e = expand(e)
    reps = {}
    for ind in e.atoms(sympy.Indexed):
        idx = [sympy.sympify(v) for v in ind.indices]
        arr = arrays[str(ind.base.label)]
        if all(v.is_Integer for v in idx):
            tt = tuple(int(v) for v in idx)
            ok = all(0 <= v < m for v, m in zip(tt, arr.shape))
            reps[ind] = sympy.Integer(int(arr[tt]) if ok else 0)
    return sympy.sympify(e.xreplace(reps).doit())


ELIMINATED = eliminate_delta(sympy.Sum(w[j] * sympy.KroneckerDelta(i, s * o + d * j - p),
                                        (j, 0, k - 1)), j)


@settings(deadline=None, max_examples=60)
@given(nn=st.integers(1, 8), kk=st.integers(1, 4), ss=st.integers(1, 3), dd=st.integers(1, 3),
       pp=st.integers(0, 3), oo=st.integers(0, 5), ii=st.integers(-2, 9))
def test_delta_elimination_against_enumeration(nn, kk, ss, dd, pp, oo, ii):
    rule = ELIMINATED
    ws = np.arange(1, kk + 1) * 10
    brute = sum(int(ws[jj]) for jj in range(kk) if ii == ss * oo + dd * jj - pp)
    got = value(rule, {k: kk, s: ss, d: dd, p: pp, o: oo, i: ii}, {"w": ws})
    assert got == brute


def test_delta_elimination_keeps_divisibility_that_sympy_drops():
    bad = sympy.Sum(sympy.KroneckerDelta(2, 2 * j + o) * g[o] * w[j], (j, 0, 1), (o, 0, 3))
    assert any(ind.indices[0] == sympy.Rational(1, 2) for ind in bad.doit().atoms(sympy.Indexed))
    ours = eliminate_delta(bad, j)
    gs, ws = np.array([1, 2, 3, 4]), np.array([5, 7])
    brute = sum(int(gs[oo] * ws[jj]) for jj in range(2) for oo in range(4) if 2 == 2 * jj + oo)
    assert value(ours, {}, {"g": gs, "w": ws}) == brute == 1 * 7 + 3 * 5
    with pytest.raises(ValueError, match="SymPy's delta summation is unsound"):
        sympy_sum(bad)


def test_delta_elimination_errors():
    with pytest.raises(ValueError, match="needs a Sum"):
        eliminate_delta(w[j], j)
    with pytest.raises(ValueError, match="positive integer"):
        eliminate_delta(sympy.Sum(w[j] * sympy.KroneckerDelta(i, o - s * j), (j, 0, 3)), j)


def test_exchange_merge_split_against_enumeration():
    f = x[o] * w[j] * g[o + j]
    a = sympy.Sum(f, (j, 0, k - 1), (o, 0, n - 1))
    arrays = {"x": np.array([1, -2, 3, 4, 5]), "w": np.array([2, 3, -1]),
              "g": np.arange(1, 9)}
    brute = sum(arrays["x"][oo] * arrays["w"][jj] * arrays["g"][oo + jj]
                for oo in range(5) for jj in range(3))
    for e in (a, exchange_sums(a), split_sum(a, 1), merge_sums(split_sum(a, 1))):
        assert value(e, {n: 5, k: 3}, arrays) == brute
    with pytest.raises(ValueError, match="depend on another"):
        exchange_sums(sympy.Sum(f, (j, 0, o), (o, 0, n)))


def test_zero_padding_introduce_delta_and_index_shift():
    arrays = {"x": np.array([3, 1, 4, 1, 5]), "w": np.array([2, 7, 1])}
    for oo in range(-2, 7):
        z = zero_padding_as_delta(x[o + 1], x[o + 1], 0, i, n)
        brute = int(arrays["x"][oo + 1]) if 0 <= oo + 1 < 5 else 0
        assert value(z, {n: 5, o: oo}, arrays) == brute
        # SymPy's unit-coefficient summation gives the same read with its range condition
        assert value(sympy_sum(z), {n: 5, o: oo}, arrays) == brute
    assert value(introduce_delta(w[q], r, q, 3), {q: 2}, arrays) == 1
    rev = change_index(sympy.Sum(w[k - 1 - j] * x[j], (j, 0, k - 1)), j, k - 1 - j, t)
    assert value(rev, {k: 3}, arrays) == 1 * 3 + 7 * 1 + 2 * 4


@given(bound=st.integers(0, 40), step=st.integers(1, 6))
def test_floor_count_against_enumeration(bound, step):
    assert int(floor_count(bound, step)) == sum(1 for v in range(bound + 1) if step * v <= bound)


@given(low=st.integers(-10, 20), high=st.integers(-10, 30), step=st.integers(1, 5),
       m=st.integers(1, 12))
def test_interval_count_against_enumeration(low, high, step, m):
    brute = sum(1 for v in range(m) if low <= step * v <= high)
    assert int(interval_count(low, high, step, m)) == brute


def test_every_rule_is_named_and_flagged():
    assert {"exchange of finite sums", "Kronecker-delta elimination under divisibility",
            "index shift"} <= set(RULES)
    assert not RULES["Kronecker-delta elimination under divisibility"].symbolic
    assert RULES["exchange of finite sums"].symbolic
    assert same(s * (o + 1) - s, s * o) and not same(s * o, s * o + 1)


def test_merge_and_linearity_are_certified_by_sympys_factor_sum():
    """A merge/linearity step counts as proved only when SymPy's factor_sum reproduces it."""
    import sympy

    from symconv.checks._general_rules import certify_factor, merge_sums, split_sum

    a, b, n = sympy.symbols("a b n", integer=True)
    x, w = sympy.IndexedBase("x"), sympy.IndexedBase("w")
    nested = sympy.Sum(x[b] * sympy.Sum(w[a] * x[a], (a, 0, n)), (b, 0, n))
    flat = merge_sums(nested)
    assert certify_factor(nested, flat) and certify_factor(flat, nested)
    assert certify_factor(flat, split_sum(flat, 1))
    # a factor that depends on the inner index cannot leave the inner sum
    wrong = sympy.Sum(x[a] * sympy.Sum(w[a], (a, 0, n)), (b, 0, n))
    assert not certify_factor(wrong, sympy.Sum(x[a] * w[a], (a, 0, n), (b, 0, n)))
