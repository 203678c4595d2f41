"""SymPy internals (core/_symbolic.py): the fast path and the public-API fallback agree.

Every builder runs twice, forced onto SymPy's internals (``fast=True``) and onto
the public API (``fast=False``); the SymPy objects must be identical (``srepr``),
and both must equal what the public constructors give directly
(``sympy.SparseMatrix`` from a dict, ``Add(*(w * x))``): the references.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy
from sympy import Add, I, Rational, Symbol

import symconv as sc
from symconv.core import _symbolic

CASES = {
    "symbols": lambda: sc.correlate(sympy.symarray("x", 6), sympy.symarray("w", 3)),
    "numbers": lambda: sc.convolve([1, 2, 3, 4], [5, 6, 7]),
    "mixed": lambda: sc.correlate([Symbol("a"), 2, Rational(1, 3), Symbol("a")], [1, Symbol("a")]),
    "complex": lambda: sc.correlate([1 + 2 * I, I, 3], [I, 2]),
    "conv2d-bias": lambda: sc.Conv2d(2, 3, 2, groups=1).derive(input_size=(3, 4)),
    "reflect": lambda: sc.Conv2d(1, 1, 3, padding=1, padding_mode="reflect").derive(
        input_size=(3, 3)),
    "transpose": lambda: sc.ConvTranspose1d(2, 1, 3, stride=2, padding=1, output_padding=1
                                            ).derive(input_size=3),
}


def _reference_sums(d: sc.Derivation) -> list:
    """Each output by SymPy's public Add/Mul over a brute-force tap list written here."""
    t = d.taps
    xs, ws, bs = d.flat_input, d.flat_weight, d.bias_per_output()
    out = [[] for _ in range(t.n_out)]
    for o, i, k in zip(t.o.tolist(), t.i.tolist(), t.k.tolist()):
        out[o].append(ws[k] * xs[i])
    sums = [Add(*terms) + (bs[o] if bs else 0) for o, terms in enumerate(out)]
    return [sympy.expand(s) if not s.is_Number and not s.free_symbols else s for s in sums]


@pytest.mark.parametrize("case", sorted(CASES))
def test_sums_fast_and_fallback_are_identical(case: str) -> None:
    d = CASES[case]()
    t = d.taps
    args = (d.flat_input, d.flat_weight, d.bias_per_output(), t.i.tolist(), t.k.tolist(),
            t.starts.tolist())
    fast = _symbolic.sums_of_products(*args, fast=True)
    slow = _symbolic.sums_of_products(*args, fast=False)
    assert [sympy.srepr(v) for v in fast] == [sympy.srepr(v) for v in slow]
    assert fast == _reference_sums(d)


@pytest.mark.parametrize("case", sorted(CASES))
def test_sparse_fast_and_fallback_are_identical(case: str) -> None:
    d = CASES[case]()
    t = d.taps
    rows, cols, entry_of_tap = t.entries
    ws = d.flat_weight
    values = [sympy.S.Zero] * rows.size
    for e, k in zip(entry_of_tap.tolist(), t.k.tolist()):
        values[e] = values[e] + ws[k]
    shape = (t.n_out, t.n_in)
    fast = _symbolic.sparse(rows.tolist(), cols.tolist(), values, shape, fast=True)
    slow = _symbolic.sparse(rows.tolist(), cols.tolist(), values, shape, fast=False)
    assert _symbolic.rows_of(fast) == _symbolic.rows_of(slow)
    m_fast, m_slow = _symbolic.to_matrix(fast), _symbolic.to_matrix(slow)
    reference = sympy.SparseMatrix(*shape, {(r, c): v for r, c, v in
                                            zip(rows.tolist(), cols.tolist(), values)})
    assert m_fast == m_slow == reference
    assert type(m_fast) is type(m_slow) is type(reference)
    # a fresh copy each time: mutating one matrix does not touch the representation
    m_fast[0, 0] = Symbol("changed")
    assert _symbolic.to_matrix(fast) == reference


def test_the_fast_path_is_detected_on_this_sympy() -> None:
    """SymPy >= 1.12 has the internals; the detection must say so (else we are slow)."""
    assert _symbolic.FAST is True


def test_derivation_views_identical_without_internals(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the internals switched off (as if SymPy changed them), the views are the same."""
    for make in CASES.values():
        fast = make()
        views = (fast.output, fast.matrix, fast.patches, fast.gradient().weight)
        monkeypatch.setattr(_symbolic, "FAST", False)
        slow = make()
        assert (slow.output, slow.matrix, slow.patches, slow.gradient().weight) == views
        assert bool(slow.verify())
        monkeypatch.setattr(_symbolic, "FAST", True)


def _window_args() -> list[list[sympy.Basic]]:
    x = sympy.symbols("x0:6", real=True)
    w = sympy.symbols("w0:3", real=True)
    relu = [sympy.Max(0, x[j] * w[0] + x[j + 1] * w[1] + x[j + 2] * w[2] + w[j % 3])
            for j in range(4)]
    return [list(x[:4]), list(reversed(x[:4])), [x[3], x[0] * w[1], x[2] + w[0]],
            relu, list(reversed(relu))]


@pytest.mark.parametrize("k", range(5))
def test_unevaluated_max_fast_and_fallback_agree(k: int) -> None:
    import random

    args = _window_args()[k]
    fast = _symbolic.unevaluated_max(args, fast=True)
    slow = _symbolic.unevaluated_max(args, fast=False)
    assert fast.func is sympy.Max and slow.func is sympy.Max
    assert fast.args == tuple(args)  # window order kept
    assert set(fast.args) == set(slow.args) == set(args)
    assert sympy.Max.make_args(fast) == sympy.Max.make_args(slow)
    # Basic.__eq__ compares argument tuples: equal once both are in SymPy's order.
    assert _symbolic.unevaluated_max(list(slow.args), fast=True) == slow
    rng = random.Random(k)
    free = sorted(set().union(*(a.free_symbols for a in args)), key=str)
    for _ in range(20):
        vals = {s: sympy.Rational(rng.randint(-50, 50), rng.randint(1, 9)) for s in free}
        reference = max(a.subs(vals) for a in args)  # Python's builtin max
        assert fast.subs(vals) == slow.subs(vals) == reference


def test_relu_max_is_sympys_own_object() -> None:
    # (0, z) is SymPy's canonical order, so the fast Max(0, z) equals the public one.
    x, w = sympy.symbols("x w")
    for z in (x, x * w, x * w + 3, x + w, -x, sympy.Float(0.5) * x):
        fast = _symbolic.unevaluated_max([sympy.S.Zero, z], fast=True)
        assert fast == sympy.Max(0, z, evaluate=False) == sympy.Max(0, z)
        assert hash(fast) == hash(sympy.Max(0, z))


# ------------------------------------------------------------ numbers in bulk


def _same_numbers(made: list, public: list) -> bool:
    return len(made) == len(public) and all(
        sympy.srepr(m) == sympy.srepr(p) and m == p and hash(m) == hash(p) and type(m) is type(p)
        for m, p in zip(made, public))


@pytest.mark.parametrize("fast", [True, False])
def test_float_numbers_are_sympy_floats(fast: bool) -> None:
    rng = np.random.default_rng(5)
    values = np.concatenate([
        rng.normal(size=300) * 10.0 ** rng.integers(-300, 300, size=300),
        [0.0, -0.0, 1.0, -1.0, 0.5, 0.1, 2.0**52 + 1, 5e-324, -2.2250738585072014e-308,
         1.7976931348623157e308, np.inf, -np.inf, np.nan]])
    made = _symbolic.float_numbers(values, fast=fast)
    public = [sympy.Float(v) for v in values.tolist()]
    assert _same_numbers(made[:-1], public[:-1]) and made[-1] is sympy.nan


@pytest.mark.parametrize("fast", [True, False])
def test_integer_and_rational_numbers_are_sympys(fast: bool) -> None:
    ints = [0, 1, -1, 2, -7, 255, 2**62, -(2**80) + 3]
    assert _same_numbers(_symbolic.integer_numbers(ints, fast), [sympy.Integer(v) for v in ints])
    for den in (1, 2, 6, 7 * 2**70):
        nums = [*ints, den, -den, den // 2 or 1, 3 * den]
        assert _same_numbers(_symbolic.rational_numbers(nums, den, fast),
                             [sympy.Rational(v, den) for v in nums])
    assert _symbolic.rational_numbers([3], 6, fast)[0] is sympy.S.Half


@pytest.mark.parametrize("fast", [True, False])
def test_complex_numbers_are_what_sympy_arithmetic_gives(fast: bool) -> None:
    parts = [sympy.Integer(0), sympy.Integer(1), sympy.Integer(-1), sympy.Integer(5),
             sympy.Rational(-3, 7), sympy.Float(2.5), sympy.Float(0.0), sympy.Float(1.0)]
    # a zero imaginary part leaves the real part as it is: SymPy's Float(0.0) + 0 is the
    # Integer 0, but a real float output keeps Float(0.0) (as for real input), so skip that pair
    pairs = [(r, j) for r in parts for j in parts if r.is_Float is False or r or j]
    re, im = [r for r, _ in pairs], [j for _, j in pairs]
    made = _symbolic.complex_numbers(re, im, fast)
    assert _same_numbers(made, [r + j * sympy.I for r, j in pairs])


def test_the_number_builders_agree_with_sympy_in_detection() -> None:
    assert _symbolic._numbers_agree()


def test_gaussian_integers_beyond_int64_stay_exact() -> None:
    """Complex exact input: the outputs equal Python-integer arithmetic (NumPy object arrays)."""
    rng = np.random.default_rng(8)
    xr, xi = (rng.integers(-9, 10, size=12).astype(object) * 2**61 for _ in range(2))
    wr, wi = rng.integers(-9, 10, size=(2, 4)).astype(object)
    x = [sympy.Integer(a) + sympy.Integer(b) * sympy.I for a, b in zip(xr, xi)]
    w = [sympy.Integer(a) + sympy.Integer(b) * sympy.I for a, b in zip(wr, wi)]
    got = list(sc.convolve(x, w).output)
    want_re = np.convolve(xr, wr) - np.convolve(xi, wi)
    want_im = np.convolve(xr, wi) + np.convolve(xi, wr)
    assert [sympy.re(v) for v in got] == list(want_re)
    assert [sympy.im(v) for v in got] == list(want_im)
    assert all(v == sympy.Integer(a) + sympy.Integer(b) * sympy.I
               for v, a, b in zip(got, want_re, want_im))


def test_complex128_input_matches_scipy() -> None:
    import scipy.signal

    rng = np.random.default_rng(9)
    x = rng.normal(size=(9, 8)) + 1j * rng.normal(size=(9, 8))
    w = rng.normal(size=(3, 2)) + 1j * rng.normal(size=(3, 2))
    got = np.array([complex(v) for v in sc.correlate(x, w, mode="same").flat_output])
    # symconv correlates without conjugating the kernel (as a layer does); SciPy conjugates
    want = scipy.signal.correlate(x, np.conj(w), mode="same", method="direct").reshape(-1)
    assert np.allclose(got, want, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("fast", [True, False])
def test_complex_float_numbers_are_what_sympy_arithmetic_gives(fast: bool) -> None:
    rng = np.random.default_rng(6)
    special = [0.0, -0.0, 1.0, -1.0, 2.5, np.inf, -np.inf, 1e-310]
    re = np.concatenate([rng.normal(size=200) * 10.0 ** rng.integers(-30, 30, size=200),
                         np.repeat(special, len(special))])
    im = np.concatenate([rng.normal(size=200), np.tile(special, len(special))])
    made = _symbolic.complex_float_numbers(re, im, fast)
    public = [sympy.Float(r) + sympy.Float(j) * sympy.I for r, j in zip(re.tolist(), im.tolist())]
    # a zero imaginary part leaves the real Float as it is (see the test above)
    keep = [k for k, (r, j) in enumerate(zip(re, im)) if r != 0 or j != 0]
    assert _same_numbers([made[k] for k in keep], [public[k] for k in keep])
    assert all(made[k] == sympy.Float(0.0) for k in range(len(re)) if k not in set(keep))
