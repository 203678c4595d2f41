"""The fast sum-of-products builder gives exactly SymPy's own canonical objects."""

from __future__ import annotations

import numpy as np
import pytest
import sympy

import symconv as sc
from symconv.core._symbolic import sums_of_products as _sums_of_products


def _evaluated(d):
    """The obvious construction: SymPy's Add/Mul with full evaluation."""
    out = []
    for idx in np.ndindex(*d.output.shape):
        s = sympy.Add(*[w * x for w, x in d.terms(*idx)])
        if d.bias is not None:
            s = s + d.bias[idx[0]]
        out.append(s)
    return out


LAYERS = [
    sc.Conv1d(1, 1, 3, bias=False).derive(input_size=6),
    sc.Conv1d(2, 2, 3, padding=1, bias=True).derive(input_size=12),
    sc.Conv2d(2, 4, 3, padding=1, groups=2, padding_mode="reflect").derive(input_size=(4, 11)),
    sc.Conv2d(1, 12, 2, stride=2).derive(input_size=(5, 5)),
    sc.ConvTranspose1d(2, 3, 3, stride=2, output_padding=1).derive(input_size=4),
    sc.correlate(sympy.symarray("x", (3, 12)), sympy.symarray("w", (2, 11)), mode="full"),
]


@pytest.mark.parametrize("d", LAYERS, ids=repr)
def test_fast_path_is_identical_to_evaluated_sympy(d):
    fast = list(np.array(d.output.tolist(), dtype=object).ravel())
    slow = _evaluated(d)
    assert fast == slow
    assert [sympy.srepr(a) for a in fast] == [sympy.srepr(b) for b in slow]
    assert [hash(a) for a in fast] == [hash(b) for b in slow]
    # Printing and differentiation behave as for ordinary SymPy objects.
    assert [str(a) for a in fast] == [str(b) for b in slow]


def test_symbols_with_assumptions_take_the_general_path():
    x = sympy.symbols("x0:4", positive=True)
    w = sympy.symbols("w0:2", real=True)
    d = sc.convolve(list(x), list(w))
    assert list(d.output) == [sympy.Add(*[a * b for a, b in d.terms(o)]) for o in range(5)]


def test_repeated_symbols_combine():
    a = sympy.Symbol("a")
    d = sc.correlate([a, a, 1], [a, 2])
    assert list(d.output) == [a**2 + 2 * a, a**2 + 2]


def test_empty_outputs_are_zero_or_bias():
    # ConvTranspose with output_padding: the last position receives no product.
    d = sc.ConvTranspose1d(1, 1, 1, stride=2, output_padding=1).derive(input_size=2)
    assert d.output.tolist() == [[sympy.Symbol("w_0_0_0") * sympy.Symbol("x_0_0") + sympy.Symbol("b_0"),
                                  sympy.Symbol("b_0"),
                                  sympy.Symbol("w_0_0_0") * sympy.Symbol("x_0_1") + sympy.Symbol("b_0"),
                                  sympy.Symbol("b_0")]]


def test_builder_directly_on_tiny_table():
    x, w = sympy.symbols("x_0 x_1"), sympy.symbols("w_0 w_1")
    out = _sums_of_products(list(x), list(w), None, [0, 1, 1], [1, 0, 1], [0, 1, 3])
    assert out == [w[1] * x[0], w[0] * x[1] + w[1] * x[1]]
