"""compare_sums / compare_sums_fast with non-commutative Symbols (symconv accepts them as
entries): ``a*b`` and ``b*a`` differ, so the identity-key shortcuts (which order the two
factor ids) and the monomial sets must not declare them equal.  The reference is SymPy's
own ``expand(lhs - rhs) == 0`` on the same expressions."""

from __future__ import annotations

import pytest
import sympy

import symconv as sc
from symconv.checks._compare_arrays import compare_sums_fast
from symconv.checks._verify import compare_sums


def _truth(lhs, rhs):
    return all(sympy.expand(e - sympy.Add(*[p * q for p, q in pairs])) == 0
               for e, pairs in zip(lhs, rhs))


def _cases():
    a, b = sympy.symbols("a b", commutative=False)
    c, d = sympy.symbols("c d")
    return [
        ([a * b], [[(b, a)]]),                     # order swapped: false
        ([a * b], [[(a, b)]]),                     # same order: true
        ([sympy.S.Zero], [[(a, b), (-b, a)]]),     # a*b - b*a is not 0
        ([c * d], [[(d, c)]]),                     # commutative: true
        ([a * b + c * d], [[(d, c), (b, a)]]),     # mixed: false
    ]


def test_noncommutative_products_are_not_reordered():
    for lhs, rhs in _cases():
        want = _truth(lhs, rhs)
        assert compare_sums("s", lhs, rhs).holds is want, (lhs, rhs)
        assert compare_sums_fast("s", lhs, lambda r=rhs: r).holds is want, (lhs, rhs)


@pytest.mark.parametrize("role", ["x", "w"])
def test_non_commutative_values_are_refused_at_the_boundary(role):
    """symconv's sums of products assume w*x = x*w: a non-commutative entry is a TypeError."""
    a, b = sympy.symbols("a b", commutative=False)
    x, w = ([a, 1, 2], [1, 1]) if role == "x" else ([1, 2, 3], [b, 1])
    with pytest.raises(TypeError, match=rf"`{role}` must hold commutative values.*non-commutative"):
        sc.correlate(x, w)
    with pytest.raises(TypeError, match="`grad_output` must hold commutative values"):
        sc.correlate([1, 2, 3], [1, 1], mode="valid").gradient(grad_output=[a, 1])
