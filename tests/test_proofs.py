"""Proofs as data: each step is checked when built, and a false step raises ProofError."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import sympy

import symconv as sc
from symconv.checks import _reference
from symconv.checks._proof_terms import Grad

SEED = json.loads((Path(__file__).parent / "data" / "seed.json").read_text())

SEED_SYMBOLIC = {
    "outputs": ["w_0*x_0 + w_1*x_1 + w_2*x_2", "w_0*x_1 + w_1*x_2 + w_2*x_3"],
    "weight_gradient": ["g_0*x_0 + g_1*x_1", "g_0*x_1 + g_1*x_2", "g_0*x_2 + g_1*x_3"],
    "input_gradient": ["g_0*w_0", "g_0*w_1 + g_1*w_0", "g_0*w_2 + g_1*w_1", "g_1*w_2"],
}

TITLES = [
    "Matrix form",
    "im2col form",
    "Convolution is correlation with the flipped kernel",
    "Output size",
    "Gradient of a tied weight",
    "Input gradient is the transposed convolution",
    "Convolutions are a strict subset of dense layers",
]

LAYERS = {
    "seed": lambda: sc.correlate(sympy.symarray("x", 4), sympy.symarray("w", 3)),
    "seed-numeric": lambda: sc.convolve([1, 2, 3, 4], [5, 6, 7]),
    "convolve-same-2d": lambda: sc.convolve(sympy.symarray("x", (3, 4)),
                                            sympy.symarray("w", (2, 3)), mode="same"),
    "conv2d-bias": lambda: sc.Conv2d(2, 3, 2).derive(input_size=(3, 3)),
    "strided-dilated": lambda: sc.Conv1d(1, 2, 3, stride=2, padding=1, dilation=2).derive(
        input_size=9),
    "groups": lambda: sc.Conv2d(4, 4, 3, stride=2, padding=1, groups=2, bias=False).derive(
        input_size=(5, 4)),
    "reflect": lambda: sc.Conv1d(1, 1, 3, padding=2, padding_mode="reflect").derive(
        input_size=5),
    "circular": lambda: sc.Conv2d(1, 1, 3, padding=1, padding_mode="circular").derive(
        input_size=(3, 3)),
    "transpose": lambda: sc.ConvTranspose2d(2, 1, 3, stride=2, padding=1,
                                            output_padding=1).derive(input_size=(2, 2)),
}


def _seed():
    return sc.correlate(sympy.symarray("x", 4), sympy.symarray("w", 3))


def test_seed_file_agrees_with_the_constants_here() -> None:
    for key, values in SEED_SYMBOLIC.items():
        assert SEED["symbolic"][key] == values


def test_seed_proofs_titles_and_values() -> None:
    ps = sc.proofs(_seed())
    assert [p.title for p in ps] == TITLES
    matrix = ps[0]
    y0 = matrix.steps[0].lhs  # output 0, as data: the entry (0,) of the role y
    assert isinstance(y0, sympy.Indexed) and y0.base.label.role == "y" and y0.indices == (0,)
    assert sympy.sympify(matrix.steps[0].rhs) == sympy.sympify(SEED_SYMBOLIC["outputs"][0])
    # the grouped row of T, as seed.json's matrix
    row = [str(v) for v in matrix.steps[1].rhs.args[0]]
    assert row == ["w_0", "w_1", "w_2", "0"]


def test_seed_gradient_proofs_match_the_hand_derivation() -> None:
    ps = sc.proofs(_seed())
    tied, inp = ps[4], ps[5]
    # the most-tied weight is w_0 (all tie twice); its gradient is seed.json's first entry
    assert isinstance(tied.lhs, Grad) and tied.lhs.args[0].indices == (0,)
    assert tied.lhs.args[0].base.label.role == "w"
    assert tied.steps[1].rhs.doit() == sympy.sympify(SEED_SYMBOLIC["weight_gradient"][0])
    # input 1 is read by the most taps
    assert isinstance(inp.steps[0].lhs, Grad) and inp.steps[0].lhs.args[0].indices == (1,)
    assert inp.steps[0].lhs.args[0].base.label.role == "x"
    assert inp.steps[0].rhs.doit() == sympy.sympify(SEED_SYMBOLIC["input_gradient"][1])


def test_seed_output_size_and_dimension_count() -> None:
    ps = sc.proofs(_seed())
    size = ps[3]
    assert size.steps[0].rhs == 2  # numpy.correlate([1,2,3,4],[5,6,7]) has 2 entries
    dense = ps[6]
    assert [s.relation for s in dense.steps] == ["=", "=", "<=", "<"]
    assert [int(s.rhs) for s in dense.steps[1:]] == [3, 3, 8]


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_proofs_build_and_check_every_step(name: str) -> None:
    ps = sc.proofs(LAYERS[name]())
    assert len(ps) == 7
    for p in ps:
        assert len(p.checks) == len(p.steps) > 0
        # every step is either compared entry by entry or cites a symbolic proof
        assert all(c.compared > 0 or c.cited for c in p.checks)


@pytest.mark.parametrize("name", ["conv2d-bias", "strided-dilated", "groups", "transpose"])
def test_transposed_convolution_step_uses_the_numpy_oracle(name: str) -> None:
    p = sc.proofs(LAYERS[name]())[5]
    last = p.checks[-1]
    assert last.compared > 0 and last.cited


def test_output_size_steps_match_the_reference_shape() -> None:
    d = sc.Conv2d(1, 1, (3, 2), stride=(2, 1), padding=(1, 0), dilation=(2, 1)).derive(
        input_size=(9, 5))
    ref = _reference.conv_nd(np.zeros((1, 9, 5)), np.zeros((1, 1, 3, 2)), stride=(2, 1),
                             padding=((1, 1), (0, 0)), dilation=(2, 1))
    steps = sc.proofs(d)[3].steps
    assert [int(s.rhs) for s in steps[:-1]] == list(ref.shape[1:])  # one step per axis
    assert steps[-1].rhs.free_symbols  # then the general formula, checked at those sizes


def test_dimension_count_is_the_rank_of_the_weight_map() -> None:
    # independent: the coefficient of each weight in T, read from the SymPy matrix
    d = sc.Conv1d(1, 1, 3, padding=1, padding_mode="reflect", bias=False).derive(input_size=4)
    T = d.matrix
    ws = list(d.weight.reshape(3))
    A = np.array([[float(sympy.diff(e, w)) for w in ws] for e in T])
    rank = int(np.linalg.matrix_rank(A))
    p = sc.proofs(d)[6]
    assert int(p.steps[1].rhs) == rank == 3


def test_equal_dimension_is_not_called_strict() -> None:
    p = sc.proofs(sc.Conv1d(1, 1, 1, bias=False).derive(input_size=1))[6]
    assert p.title == "Convolution versus dense layer"
    assert p.relation == "="


def test_false_step_raises_proof_error() -> None:
    a, b = sympy.symbols("a b")
    with pytest.raises(sc.ProofError, match=r"proof 'bad', step 1 \(why\): a = b fails"):
        sc.Proof("bad", a, b, (sc.Step(a, b, "why", [a], [b]),))


def test_false_inequality_raises_proof_error() -> None:
    one, three = sympy.Integer(1), sympy.Integer(3)
    sc.Proof("ok", one, three, (sc.Step(one, three, "less", [one], [three], relation="<"),))
    with pytest.raises(sc.ProofError, match=r"3 < 1 fails symbolically"):
        sc.Proof("bad", three, one, (sc.Step(three, one, "x", [three], [one], relation="<"),))


def test_failed_citation_raises_proof_error() -> None:
    class Refuted:
        statement = "y = T x"

        def __bool__(self) -> bool:
            return False

    a = sympy.Symbol("a")
    with pytest.raises(sc.ProofError, match="the cited proof fails"):
        sc.Proof("cited", a, a, (sc.Step(a, a, "cite", [a], [a], evidence=Refuted()),))


def test_mismatched_instances_raise_proof_error() -> None:
    a = sympy.Symbol("a")
    with pytest.raises(sc.ProofError, match="1 left values but 2 right values"):
        sc.Proof("lengths", a, a, (sc.Step(a, a, "x", [a], [a, a]),))


def test_bad_steps_are_user_errors() -> None:
    a = sympy.Symbol("a")
    with pytest.raises(ValueError, match=r"`relation` must be one of '=', '<', '<='; got '>'"):
        sc.Step(a, a, "x", [a], [a], relation=">")
    with pytest.raises(TypeError, match=r"`rhs` of a Step must hold SymPy expressions or "
                                        r"numbers, got '1\+1' \(str\)"):
        sc.Step(a, "1+1", "text is never evaluated")


def test_expansion_proves_and_refutes_polynomial_steps() -> None:
    # equal after expansion (and at random integers): passes ...
    x = sympy.Symbol("x")
    sc.Proof("sq", (x + 1) ** 2, x**2 + 2 * x + 1,
             (sc.Step((x + 1) ** 2, x**2 + 2 * x + 1, "expand", [(x + 1) ** 2],
                      [x**2 + 2 * x + 1]),))
    # ... but x**2 = x, true only at 0 and 1, fails
    with pytest.raises(sc.ProofError, match="fails"):
        sc.Proof("sq", x**2, x, (sc.Step(x**2, x, "no", [x**2], [x]),))


def test_proofs_are_deterministic() -> None:
    one = [str(p) for p in sc.proofs(LAYERS["groups"]())]
    two = [str(p) for p in sc.proofs(LAYERS["groups"]())]
    assert one == two


def test_proofs_seed_must_be_an_integer() -> None:
    with pytest.raises(TypeError, match="`seed` must be an integer, got 'a'"):
        sc.proofs(_seed(), seed="a")


# ------------------------------------------------- truthiness: a closed, checked chain

def test_empty_proof_is_falsy():
    a = sympy.Symbol("a")
    assert not sc.Proof("nothing", a, a, ())


def test_broken_chain_is_falsy():
    """Every step checks, but they do not lead from the statement's left side to its right."""
    a, b, c = sympy.symbols("a b c")
    steps = (sc.Step(a + b, b + a, "commute", [a + b], [b + a]),
             sc.Step(c, c, "unrelated", [c], [c]))
    assert not sc.Proof("gap", a + b, c, steps)
    assert sc.Proof("closed", a + b, b + a, steps)


def test_unchecked_step_is_falsy():
    a, b = sympy.symbols("a b")
    assert not sc.Proof("no values", a + b, b + a, (sc.Step(a + b, b + a, "commute"),))


def test_chain_relations_compose():
    one, two, three = sympy.Integer(1), sympy.Integer(2), sympy.Integer(3)
    steps = (sc.Step(one, two, "less", [one], [two], relation="<"),
             sc.Step(two, three, "at most", [two], [three], relation="<="))
    assert sc.Proof("strict", one, three, steps, relation="<")
    assert not sc.Proof("claims equality", one, three, steps, relation="=")


@pytest.mark.parametrize("make", [
    lambda: sc.correlate(sympy.symarray("x", 4), sympy.symarray("w", 3)),
    lambda: sc.Conv2d(2, 2, 2, stride=2, padding=1).derive(input_size=(3, 3)),
    lambda: sc.ConvTranspose1d(1, 1, 3, stride=2, output_padding=1).derive(input_size=3),
], ids=["signal", "conv2d", "transposed"])
def test_every_built_proof_is_a_closed_checked_chain(make):
    for proof in sc.proofs(make()):
        assert proof, proof.title
        assert proof.chain() == proof.relation


def test_step_check_with_equal_but_distinct_symbol_objects() -> None:
    # SymPy's cache may hand out two equal Symbol objects (after clear_cache): the step
    # checks read values by object id, and must still give both the same value.
    from sympy.core.cache import clear_cache

    from symconv.checks._proofs import Proof, Step

    a1, b = sympy.symbols("a b")
    clear_cache()
    a2 = sympy.Symbol("a")
    assert a1 == a2
    left, right = [a1 + b, 2 * a1 * b - 3], [a2 + b, a2 * b + b * a1 - 3]
    assert Proof("p", a1 + b, a2 + b, (Step(a1 + b, a2 + b, "same", left, right),))


def test_same_products_shortcut_never_accepts_what_sympy_equality_rejects() -> None:
    from symconv.checks._proofs import _same_products

    a, b, c = sympy.symbols("a b c")
    pairs = [
        (sympy.Add(a * b, b * c, evaluate=False), sympy.Add(a * b, b * c, evaluate=False)),
        (a * b + b * c, a * b + a * c),
        (2 * a * b + c, sympy.Float(2.0) * a * b + c),
        (a * b + c, a * b + c + 1),
        (a + b, a * b),
    ]
    for x, y in pairs:
        assert not _same_products(x, y) or x == y
    assert _same_products(*pairs[0])
    assert not _same_products(*pairs[1]) and not _same_products(*pairs[2])


def test_long_sums_are_still_checked_at_random_integers(monkeypatch: pytest.MonkeyPatch) -> None:
    # Sums of >= 64 products of two Symbols are evaluated with NumPy: a wrong product
    # must still fail there, even when the symbolic comparison is switched off.
    from symconv.checks import _proofs

    x, g = sympy.symbols("x:80"), sympy.symbols("g:80")
    good = sympy.Add(*[x[i] * g[i] for i in range(80)])
    bad = sympy.Add(*[x[i] * g[i] for i in range(79)]) + x[79] * g[0]
    assert _proofs._form(good)[3] is not None
    assert _proofs.Proof("ok", good, good, (_proofs.Step(good, good, "same", [good], [good]),))
    real = _proofs._holds

    def symbolic_passes(relation: str, a: object, b: object) -> bool:
        return not isinstance(a, sympy.Integer) or real(relation, a, b)

    monkeypatch.setattr(_proofs, "_holds", symbolic_passes)
    with pytest.raises(sc.ProofError, match="fails at random integers"):
        _proofs.Proof("bad", good, bad, (_proofs.Step(good, bad, "x", [good], [bad]),))
