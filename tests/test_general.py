"""General sizes: every formula, with sizes substituted, against PyTorch, NumPy and SciPy.

The general formulas are evaluated here by a small evaluator written for the
tests (sizes and indices substituted, every ``Sum`` expanded term by term, every
read outside an array's range taken as 0), never by symconv's own machinery.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.signal
import sympy
from hypothesis import given
from hypothesis import strategies as st

import symconv as sc

n, k, s, d, C, Q = sympy.symbols("n k s d C Q", integer=True, positive=True)
p, a = sympy.symbols("p a", integer=True, nonnegative=True)
o_, i_ = sympy.symbols("o i", integer=True)


# ------------------------------------------------------------ the test's evaluator


def expand_sums(e):
    """Every ``Sum`` with numeric limits written out term by term (no delta summation)."""
    if isinstance(e, sympy.Sum):
        f = expand_sums(e.function)
        syms = [lim[0] for lim in e.limits]
        ranges = [range(int(lim[1]), int(lim[2]) + 1) for lim in e.limits]
        return sympy.Add(*[f.xreplace(dict(zip(syms, map(sympy.Integer, vals))))
                           for vals in itertools.product(*ranges)])
    if e.args:
        return e.func(*[expand_sums(t) for t in e.args])
    return e


def evaluate(expr, sizes, arrays):
    """The number ``expr`` stands for: sizes substituted, reads outside arrays are 0."""
    e = expand_sums(sympy.sympify(expr).subs(sizes))
    reps = {}
    for ind in e.atoms(sympy.Indexed):
        arr = arrays[str(ind.base.label)]
        idx = [sympy.sympify(v) for v in ind.indices]
        if all(v.is_Integer for v in idx):
            t = tuple(int(v) for v in idx)
            inside = all(0 <= v < m for v, m in zip(t, arr.shape))
            reps[ind] = sympy.Integer(int(arr[t])) if inside else sympy.Integer(0)
    out = e.xreplace(reps)
    # conditions left with non-integer reads are decided now; a bare fractional read
    # surviving here would be a bug in the formula (the test then fails on float())
    out = out.doit()
    return int(out)


def rints(rng, shape):
    return rng.integers(-4, 5, size=shape)


# ------------------------------------------------------------------- 1-D layers

CONV1D = [  # (C, Q, n, k, s, d, p)
    (1, 1, 4, 3, 1, 1, 0), (1, 1, 7, 3, 2, 1, 1), (2, 3, 6, 2, 1, 2, 2),
    (1, 2, 9, 3, 3, 2, 1), (2, 1, 5, 1, 2, 1, 0), (1, 1, 3, 4, 1, 1, 2),
    (2, 2, 8, 2, 3, 3, 3), (1, 1, 5, 2, 2, 2, 0),
]


@pytest.fixture(scope="module")
def general_conv1d():
    return sc.Conv1d(C, Q, kernel_size=k, stride=s, padding=p, dilation=d).derive(
        input_size=(n,))


@pytest.mark.parametrize("case", CONV1D)
def test_conv1d_output_matrix_and_gradients_match_torch(torch, general_conv1d, case):
    cin, cout, nn, kk, ss, dd, pp = case
    g = general_conv1d
    sizes = {C: cin, Q: cout, n: nn, k: kk, s: ss, d: dd, p: pp}
    rng = np.random.default_rng(sum(case))
    x, w, b = rints(rng, (cin, nn)), rints(rng, (cout, cin, kk)), rints(rng, (cout,))
    tx = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    tw = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    tb = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    ty = torch.nn.functional.conv1d(tx[None], tw, tb, stride=ss, padding=pp, dilation=dd)[0]
    m = int(g.output_size[0].subs(sizes))
    assert m == ty.shape[1]
    arrays = {"x": x, "w": w, "b": b}
    y = np.array([[evaluate(g.output[q, o], sizes, arrays) for o in range(m)]
                  for q in range(cout)])
    assert np.array_equal(y, ty.detach().numpy())
    # symbolic output index, substituted afterwards
    assert evaluate(g.output[cout - 1, o_].subs(o_, m - 1), sizes, arrays) == y[-1, -1]
    # matrix entries: the Jacobian of the module
    jac = torch.autograd.functional.jacobian(
        lambda t: torch.nn.functional.conv1d(t[None], tw.detach(), stride=ss, padding=pp,
                                             dilation=dd)[0], tx.detach())
    jac = jac.reshape(cout * m, cin * nn).numpy()
    T = np.array([[evaluate(g.matrix[(q, o), (c, i)], sizes, arrays)
                   for c in range(cin) for i in range(nn)]
                  for q in range(cout) for o in range(m)])
    assert np.array_equal(T, jac)
    # gradients: autograd with a random upstream gradient
    up = rints(rng, (cout, m))
    ty.backward(torch.tensor(up, dtype=torch.float64))
    gg = g.gradient()
    assert str(gg.output.label) == "g"
    arrays["g"] = up
    gx = [[evaluate(gg.input[c, i], sizes, arrays) for i in range(nn)] for c in range(cin)]
    gw = [[[evaluate(gg.weight[q, c, j], sizes, arrays) for j in range(kk)]
           for c in range(cin)] for q in range(cout)]
    gb = [evaluate(gg.bias[q], sizes, arrays) for q in range(cout)]
    assert np.array_equal(gx, tx.grad.numpy())
    assert np.array_equal(gw, tw.grad.numpy())
    assert np.array_equal(gb, tb.grad.numpy())


@pytest.mark.parametrize("case", CONV1D[:4])
def test_subs_gives_the_instance_derivation(torch, general_conv1d, case):
    cin, cout, nn, kk, ss, dd, pp = case
    inst = general_conv1d.subs({C: cin, Q: cout, n: nn, k: kk, s: ss, d: dd, p: pp})
    assert isinstance(inst, sc.Derivation)
    rng = np.random.default_rng(1)
    w = torch.tensor(rints(rng, (cout, cin, kk)), dtype=torch.float64)
    x = torch.zeros(cin, nn, dtype=torch.float64)
    jac = torch.autograd.functional.jacobian(
        lambda t: torch.nn.functional.conv1d(t[None], w, stride=ss, padding=pp,
                                             dilation=dd)[0], x)
    wsyms = inst.weight.tolist()
    T = inst.matrix.subs({sym: int(v) for sym, v in zip(np.ravel(wsyms), w.numpy().ravel())})
    assert np.array_equal(np.array(T, dtype=np.int64), jac.reshape(T.shape).numpy())


def test_partial_subs_stays_general(general_conv1d):
    g2 = general_conv1d.subs({s: 1, d: 1, p: 0})
    assert isinstance(g2, sc.GeneralDerivation)
    assert sympy.simplify(g2.output_size[0] - (n - k + 1)) == 0


# ------------------------------------------------------------ transposed layers

TRANSPOSE1D = [  # (Cin, Cout, n, k, s, d, p, output_padding)
    (1, 1, 3, 3, 2, 1, 0, 1), (2, 1, 4, 2, 1, 1, 0, 0), (1, 2, 3, 3, 3, 2, 1, 2),
    (2, 2, 2, 4, 2, 1, 1, 0), (1, 1, 5, 2, 1, 3, 2, 2),
]


@pytest.mark.parametrize("case", TRANSPOSE1D)
def test_conv_transpose1d_matches_torch(torch, case):
    cin, cout, nn, kk, ss, dd, pp, aa = case
    g = sc.ConvTranspose1d(C, Q, kernel_size=k, stride=s, padding=p, dilation=d,
                           output_padding=a).derive(input_size=(n,))
    sizes = {C: cin, Q: cout, n: nn, k: kk, s: ss, d: dd, p: pp, a: aa}
    rng = np.random.default_rng(sum(case))
    x, w, b = rints(rng, (cin, nn)), rints(rng, (cin, cout, kk)), rints(rng, (cout,))
    tx = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    tw = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    tb = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    ty = torch.nn.functional.conv_transpose1d(tx[None], tw, tb, stride=ss, padding=pp,
                                              output_padding=aa, dilation=dd)[0]
    big = int(g.output_size[0].subs(sizes))
    assert big == ty.shape[1]
    arrays = {"x": x, "w": w, "b": b}
    y = [[evaluate(g.output[c, i], sizes, arrays) for i in range(big)] for c in range(cout)]
    assert np.array_equal(y, ty.detach().numpy())
    T = np.array([[evaluate(g.matrix[(c, i), (q, o)], sizes, arrays)
                   for q in range(cin) for o in range(nn)]
                  for c in range(cout) for i in range(big)])
    jac = torch.autograd.functional.jacobian(
        lambda t: torch.nn.functional.conv_transpose1d(
            t[None], tw.detach(), stride=ss, padding=pp, output_padding=aa, dilation=dd)[0],
        tx.detach())
    assert np.array_equal(T, jac.reshape(T.shape).numpy())
    up = rints(rng, (cout, big))
    ty.backward(torch.tensor(up, dtype=torch.float64))
    gg = g.gradient()
    arrays["g"] = up
    gx = [[evaluate(gg.input[q, o], sizes, arrays) for o in range(nn)] for q in range(cin)]
    gw = [[[evaluate(gg.weight[q, c, j], sizes, arrays) for j in range(kk)]
           for c in range(cout)] for q in range(cin)]
    gb = [evaluate(gg.bias[c], sizes, arrays) for c in range(cout)]
    assert np.array_equal(gx, tx.grad.numpy())
    assert np.array_equal(gw, tw.grad.numpy())
    assert np.array_equal(gb, tb.grad.numpy())


# ------------------------------------------------------------------- 2-D, groups

CONV2D = [  # (C, Q, (h, w), (k1, k2), (s1, s2), (d1, d2), (p1, p2), groups)
    (1, 1, (4, 5), (2, 3), (1, 2), (1, 1), (0, 1), 1),
    (2, 2, (5, 4), (3, 2), (2, 1), (1, 2), (1, 0), 2),
    (2, 1, (3, 3), (2, 2), (1, 1), (2, 1), (1, 1), 1),
]


@pytest.mark.parametrize("case", CONV2D)
def test_conv2d_matches_torch(torch, case):
    cin, cout, (h, wd), ks, ss, dd, pp, groups = case
    h_, w_, k1, k2, s1, s2 = sympy.symbols("h w_ k1 k2 s1 s2", integer=True, positive=True)
    layer = sc.Conv2d(cin, cout, kernel_size=(k1, k2), stride=(s1, s2), padding=pp,
                      dilation=dd, groups=groups)
    g = layer.derive(input_size=(h_, w_))
    sizes = {h_: h, w_: wd, k1: ks[0], k2: ks[1], s1: ss[0], s2: ss[1]}
    rng = np.random.default_rng(h * wd)
    x = rints(rng, (cin, h, wd))
    w = rints(rng, (cout, cin // groups, *ks))
    b = rints(rng, (cout,))
    tx = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    tw = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    ty = torch.nn.functional.conv2d(tx[None], tw, torch.tensor(b, dtype=torch.float64),
                                    stride=ss, padding=pp, dilation=dd, groups=groups)[0]
    m1, m2 = (int(v.subs(sizes)) for v in g.output_size)
    assert (m1, m2) == tuple(ty.shape[1:])
    arrays = {"x": x, "w": w, "b": b}
    y = [[[evaluate(g.output[q, u, v], sizes, arrays) for v in range(m2)] for u in range(m1)]
         for q in range(cout)]
    assert np.array_equal(y, ty.detach().numpy())
    up = rints(rng, (cout, m1, m2))
    ty.backward(torch.tensor(up, dtype=torch.float64))
    gg = g.gradient()
    arrays["g"] = up
    gx = [[[evaluate(gg.input[c, u, v], sizes, arrays) for v in range(wd)] for u in range(h)]
          for c in range(cin)]
    assert np.array_equal(gx, tx.grad.numpy())
    gw = [evaluate(gg.weight[q, c, u, v], sizes, arrays)
          for q in range(cout) for c in range(cin // groups)
          for u in range(ks[0]) for v in range(ks[1])]
    assert np.array_equal(gw, tw.grad.numpy().ravel())
    T = np.array([[evaluate(g.matrix[(q, u, v), (c, i, j)], sizes, arrays)
                   for c in range(cin) for i in range(h) for j in range(wd)]
                  for q in range(cout) for u in range(m1) for v in range(m2)])
    jac = torch.autograd.functional.jacobian(
        lambda t: torch.nn.functional.conv2d(t[None], tw.detach(), stride=ss, padding=pp,
                                             dilation=dd, groups=groups)[0], tx.detach())
    assert np.array_equal(T, jac.reshape(T.shape).numpy())


def test_same_padding_general_matches_torch(torch):
    g = sc.Conv1d(1, 1, kernel_size=k, padding="same", dilation=d, bias=False).derive(
        input_size=(n,))
    for nn, kk, dd in [(5, 3, 1), (6, 4, 1), (7, 2, 3), (4, 5, 1)]:
        sizes = {n: nn, k: kk, d: dd}
        rng = np.random.default_rng(nn)
        x, w = rints(rng, (1, nn)), rints(rng, (1, 1, kk))
        ref = torch.nn.functional.conv1d(torch.tensor(x[None], dtype=torch.float64),
                                         torch.tensor(w, dtype=torch.float64),
                                         padding="same", dilation=dd)[0, 0].numpy()
        assert int(g.output_size[0].subs(sizes)) == nn
        got = [evaluate(g.output[0, o], sizes, {"x": x, "w": w}) for o in range(nn)]
        assert np.array_equal(got, ref)


def test_circular_padding_general_output_matches_torch(torch):
    g = sc.Conv1d(1, 1, kernel_size=k, padding=p, padding_mode="circular",
                  bias=False).derive(input_size=(n,))
    for nn, kk, pp in [(5, 3, 1), (6, 2, 2), (4, 3, 2)]:
        sizes = {n: nn, k: kk, p: pp}
        rng = np.random.default_rng(nn + kk)
        x, w = rints(rng, (1, nn)), rints(rng, (1, 1, kk))
        mod = torch.nn.Conv1d(1, 1, kk, padding=pp, padding_mode="circular", bias=False)
        mod.weight.data = torch.tensor(w, dtype=torch.float32)
        ref = mod(torch.tensor(x[None], dtype=torch.float32))[0, 0].detach().numpy()
        m = int(g.output_size[0].subs(sizes))
        got = [evaluate(g.output[0, o], sizes, {"x": x, "w": w}) for o in range(m)]
        assert np.array_equal(got, ref)


# ------------------------------------------------------------------ signal style

X = sympy.IndexedBase("x", shape=(n,))
W = sympy.IndexedBase("w", shape=(k,))


@pytest.mark.parametrize("op", ["convolve", "correlate"])
@pytest.mark.parametrize("mode", ["full", "valid", "same"])
def test_signal_general_matches_scipy(op, mode):
    g = getattr(sc, op)(X, W, mode=mode)
    gg = g.gradient()
    for nn, kk in [(4, 3), (5, 1), (6, 4), (3, 3), (7, 2)]:
        rng = np.random.default_rng(nn * 10 + kk)
        x, w, up = rints(rng, nn), rints(rng, kk), None
        ref = getattr(scipy.signal, op)(x, w, mode=mode)
        m = int(g.output_size[0].subs({n: nn, k: kk}))
        assert m == len(ref)
        got = [evaluate(g.output[o], {n: nn, k: kk}, {"x": x, "w": w}) for o in range(m)]
        assert np.array_equal(got, ref)
        # gradients: the adjoint of the same map, from the dense matrix built with scipy
        T = np.stack([getattr(scipy.signal, op)(e, w, mode=mode) for e in np.eye(nn)], axis=1)
        up = rints(rng, m)
        arrays = {"x": x, "w": w, "g": up}
        gx = [evaluate(gg.input[i], {n: nn, k: kk}, arrays) for i in range(nn)]
        assert np.array_equal(gx, T.T @ up)
        E = np.stack([getattr(scipy.signal, op)(x, e, mode=mode) for e in np.eye(kk)], axis=1)
        gw = [evaluate(gg.weight[j], {n: nn, k: kk}, arrays) for j in range(kk)]
        assert np.array_equal(gw, E.T @ up)
        Tg = [[evaluate(g.matrix[o, i], {n: nn, k: kk}, {"w": w}) for i in range(nn)]
              for o in range(m)]
        assert np.array_equal(Tg, T)


def test_seed_general_then_subs():
    g = sc.correlate(X, W, mode="valid")
    inst = g.subs({n: 4, k: 3})
    vals = {sym: v for sym, v in zip(inst.input.tolist(), [1, 2, 3, 4])}
    vals |= {sym: v for sym, v in zip(inst.weight.tolist(), [5, 6, 7])}
    assert [e.subs(vals) for e in inst.output.tolist()] == [38, 56]
    assert [evaluate(g.output[o], {n: 4, k: 3}, {"x": np.array([1, 2, 3, 4]),
                                                  "w": np.array([5, 6, 7])})
            for o in range(2)] == [38, 56]


@given(nn=st.integers(1, 30), kk=st.integers(1, 6), ss=st.integers(1, 4),
       dd=st.integers(1, 3), pp=st.integers(0, 4))
def test_output_size_formula_against_enumeration(nn, kk, ss, dd, pp):
    g = sc.Conv1d(1, 1, kernel_size=k, stride=s, padding=p, dilation=d).derive(
        input_size=(n,))
    span = dd * (kk - 1) + 1
    # enumeration: the windows starting at multiples of s that fit in the padded input
    count = sum(1 for start in range(0, nn + 2 * pp, ss) if start + span <= nn + 2 * pp)
    if count == 0:
        return
    assert int(g.output_size[0].subs({n: nn, k: kk, s: ss, d: dd, p: pp})) == count


# ------------------------------------------------------------------------ errors


@pytest.mark.parametrize(("kwargs", "exc", "match"), [
    (dict(kernel_size=sympy.Symbol("k")), TypeError, "`kernel_size` must be an integer"),
    (dict(kernel_size=sympy.Symbol("k", integer=True)), ValueError,
     "`kernel_size` must be positive"),
    (dict(kernel_size=3, stride=sympy.Symbol("t", integer=True, nonnegative=True)),
     ValueError, "`stride` must be positive"),
    (dict(kernel_size=k, padding=sympy.Symbol("q", integer=True)), ValueError,
     "`padding` must be nonnegative"),
    (dict(kernel_size=k, padding=sympy.Rational(1, 2)), TypeError, "`padding` must be"),
    (dict(kernel_size=k, padding_mode="reflect"), ValueError, "`padding_mode`='reflect'"),
    (dict(kernel_size=k, dilation=(d, d)), ValueError, "`dilation` must have 1 entry"),
])
def test_bad_symbolic_sizes(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        sc.Conv1d(1, 1, **kwargs)


def test_bad_symbolic_inputs():
    with pytest.raises(ValueError, match="`input_size` must be positive"):
        sc.Conv1d(1, 1, 3).derive(input_size=(sympy.Symbol("m", integer=True),))
    with pytest.raises(ValueError, match="`x` cannot be given with symbolic sizes"):
        sc.Conv1d(1, 1, k).derive(input_size=(n,), x=[[1, 2, 3]])
    with pytest.raises(TypeError, match="`groups` must be a"):
        sc.Conv1d(2, 2, k, groups=sympy.Integer(2) * C / C + s - s)
    with pytest.raises(ValueError, match="`groups`"):
        sc.Conv1d(C, 2, k, groups=2)
    with pytest.raises(TypeError, match=r"`w` must be a sympy\.IndexedBase"):
        sc.correlate(X, [1, 2])
    with pytest.raises(ValueError, match="`x` must be an IndexedBase with a shape"):
        sc.correlate(sympy.IndexedBase("x"), W)
    with pytest.raises(TypeError, match="`x` must be an integer size"):
        sc.correlate(sympy.IndexedBase("x", shape=(sympy.Symbol("z"),)), W)
    with pytest.raises(ValueError, match="assumes `x` at least as large"):
        sc.correlate(X, W).subs({n: 2, k: 3})
    with pytest.raises(TypeError, match="`sizes` must be a mapping"):
        sc.correlate(X, W).subs([(n, 2)])


def test_subs_refuses_sizes_that_are_not_sizes(general_conv1d):
    with pytest.raises(ValueError, match="`kernel_size` must be positive"):
        general_conv1d.subs({C: 1, Q: 1, n: 5, k: 0, s: 1, d: 1, p: 0})
    with pytest.raises(ValueError, match="`kernel_size`"):  # kernel larger than padded input
        general_conv1d.subs({C: 1, Q: 1, n: 2, k: 4, s: 1, d: 1, p: 0})
    with pytest.raises(TypeError, match="`sizes` keys must be SymPy symbols"):
        general_conv1d.subs({"n": 3})
