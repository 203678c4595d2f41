"""Layer reprs: PyTorch's constructor text (non-default arguments), for numeric and general sizes."""

from __future__ import annotations

import sympy

import symconv as sc


def test_repr_of_numeric_layers():
    assert repr(sc.Conv2d(1, 6, 5, padding=2)) == (
        "Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))")
    assert repr(sc.ConvTranspose1d(1, 2, 3, stride=2, output_padding=1, bias=False)) == (
        "ConvTranspose1d(1, 2, kernel_size=(3,), stride=(2,), output_padding=(1,), bias=False)")


def test_repr_of_a_layer_with_general_sizes():
    k = sympy.Symbol("k", integer=True, positive=True)
    assert repr(sc.Conv1d(1, 1, k)) == "Conv1d(1, 1, kernel_size=(k,), stride=(1,))"
    s = sympy.Symbol("s", integer=True, positive=True)
    assert repr(sc.Conv2d(2, 3, (k, 3), stride=s, bias=False)) == (
        "Conv2d(2, 3, kernel_size=(k, 3), stride=(s, s), bias=False)")
