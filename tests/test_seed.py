"""The worked example behind symconv (tests/data/seed.json, computed with NumPy/SciPy/torch)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sympy

import symconv as sc

SEED = json.loads((Path(__file__).parent / "data" / "seed.json").read_text())
X, W = SEED["x"], SEED["w"]


def _parse(text: str) -> sympy.Expr:
    # The seed's strings use only symarray names, +, * and digits: safe to parse here.
    return sympy.parse_expr(text, local_dict={}, evaluate=True)


@pytest.mark.parametrize("key", [k for k in SEED["expect"] if "/" in k])
def test_signal_conventions(key):
    op, mode = key.split("/")
    d = getattr(sc, op)(X, W, mode=mode)
    assert list(d.output) == SEED["expect"][key]


def test_layer_conventions():
    weight = [[W]]
    valid = sc.Conv1d(1, 1, 3, padding=0, bias=False).derive(x=[X], weight=weight)
    same = sc.Conv1d(1, 1, 3, padding="same", bias=False).derive(x=[X], weight=weight)
    assert valid.output.tolist()[0] == SEED["expect"]["Conv1d(1, 1, 3, padding=0)"]
    assert same.output.tolist()[0] == SEED["expect"]["Conv1d(1, 1, 3, padding='same')"]


def test_numpy_defaults():
    assert list(sc.convolve(X, W).output) == SEED["expect"]["convolve/full"]
    assert list(sc.correlate(X, W).output) == SEED["expect"]["correlate/valid"]


def test_symbolic_outputs_and_matrix():
    sym = SEED["symbolic"]
    d = sc.correlate(sympy.symarray("x", 4), sympy.symarray("w", 3), mode="valid")
    assert list(d.output) == [_parse(s) for s in sym["outputs"]]
    assert d.matrix == sympy.Matrix([[_parse(s) for s in row] for row in sym["matrix"]])
    # Structural zeros are absent from the sparse representation, not stored zeros.
    assert set(d.matrix.todok()) == {(0, 0), (0, 1), (0, 2), (1, 1), (1, 2), (1, 3)}


def test_terms_of_seed():
    d = sc.correlate(sympy.symarray("x", 4), sympy.symarray("w", 3), mode="valid")
    w, x = sympy.symarray("w", 3), sympy.symarray("x", 4)
    assert d.terms(0) == [(w[0], x[0]), (w[1], x[1]), (w[2], x[2])]
    assert d.terms(-1) == [(w[0], x[1]), (w[1], x[2]), (w[2], x[3])]
    assert sum(a * b for a, b in d.terms(1)) == d.output[1]
