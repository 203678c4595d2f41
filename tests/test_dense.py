"""Linear (the dense reference) against torch, and a convolution as dense-plus-constraints."""

from __future__ import annotations

import numpy as np
import pytest
import sympy

import symconv as sc


def _num(a) -> np.ndarray:
    return np.array(np.asarray(a.tolist(), dtype=object), dtype=float)


@pytest.mark.parametrize("n_in, n_out, bias", [(3, 2, True), (1, 4, False), (5, 1, True)])
def test_linear_forward_backward_jacobian_against_torch(torch, n_in, n_out, bias):
    F = torch.nn.functional
    rng = np.random.default_rng(n_in * 10 + n_out)
    x = rng.integers(-5, 6, n_in)
    w = rng.integers(-5, 6, (n_out, n_in))
    b = rng.integers(-5, 6, n_out) if bias else None
    g = rng.integers(-5, 6, n_out)
    d = sc.Linear(n_in, n_out, bias=bias).derive(x=x, weight=w, bias=b)
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    wt = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    bt = None if b is None else torch.tensor(b, dtype=torch.float64, requires_grad=True)
    y = F.linear(xt, wt, bt)
    np.testing.assert_array_equal(_num(d.output), y.detach().numpy())
    y.backward(torch.tensor(g, dtype=torch.float64))
    gr = d.gradient(grad_output=g)
    np.testing.assert_array_equal(_num(gr.input), xt.grad.numpy())
    np.testing.assert_array_equal(_num(gr.weight), wt.grad.numpy())
    if bias:
        np.testing.assert_array_equal(_num(gr.bias), bt.grad.numpy())
    else:
        assert gr.bias is None and d.bias is None
    jac = torch.autograd.functional.jacobian(lambda v: F.linear(v, wt.detach(), None), xt)
    np.testing.assert_array_equal(np.array(d.matrix, dtype=float), jac.numpy())


def test_linear_symbolic_matrix_is_the_free_weight():
    d = sc.Linear(3, 2).derive(input_size=3)
    w = sympy.Matrix(2, 3, lambda o, i: sympy.Symbol(f"w_{o}_{i}"))
    assert d.matrix == w
    assert d.output.tolist() == list(w * sympy.Matrix(sympy.symbols("x_0:3")) +
                                     sympy.Matrix(sympy.symbols("b_0:2")))
    st = d.stats()
    assert (st.structural_zeros, st.tied_weights, st.parameters) == (0, 0, 8)
    assert d.check() and d.verify()


def test_conv_as_dense_plus_constraints_brute_force():
    # valid correlation of n=5 with k=3: W[o, i] = w[i - o] when 0 <= i - o < 3, else 0.
    d = sc.correlate(sympy.symarray("x", 5), sympy.symarray("w", 3))
    c = sc.dense_constraints(d)
    w = sympy.symarray("w", 3)
    expected_ties = {(o, i): w[i - o] for o in range(3) for i in range(5) if 0 <= i - o < 3}
    assert {(o, i): v for o, i, v in c.ties} == expected_ties
    assert set(c.zeros) == {(o, i) for o in range(3) for i in range(5)} - set(expected_ties)
    assert c.free_parameters == 15 and c.distinct_values == 3
    assert {v: len(e) for v, e in c.tie_groups.items()} == {w[0]: 3, w[1]: 3, w[2]: 3}
    assert c.dense.subs(c.substitution) == c.matrix
    assert len(c.equations) == 15


def test_dense_constraints_zero_pattern_matches_torch_jacobian(torch):
    layer = torch.nn.Conv2d(2, 3, 3, stride=2, padding=1, bias=False, dtype=torch.float64)
    x = torch.randn(2, 5, 5, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    jac = torch.autograd.functional.jacobian(lambda v: layer(v[None])[0], x)
    mask = jac.reshape(3 * 9, 2 * 25).numpy() != 0
    d = sc.Conv2d(2, 3, 3, stride=2, padding=1, bias=False).derive(input_size=(5, 5))
    c = sc.dense_constraints(d)
    got = np.zeros(mask.shape, dtype=bool)
    for o, i, _ in c.ties:
        got[o, i] = True
    np.testing.assert_array_equal(got, mask)
    assert len(c.zeros) == int((~mask).sum())


def test_dense_constraints_of_a_nonlinear_layer_is_refused():
    with pytest.raises(TypeError, match="`d` must be a linear layer"):
        sc.dense_constraints(sc.ReLU().derive(input_size=2))


@pytest.mark.parametrize("args, exc, match", [
    ((0, 2), ValueError, "`in_features` must be positive"),
    ((2, -1), ValueError, "`out_features` must be positive"),
    ((2.5, 1), TypeError, "`in_features` must be an integer"),
    ((2, 2, "yes"), TypeError, "`bias` must be True or False"),
])
def test_linear_bad_arguments(args, exc, match):
    with pytest.raises(exc, match=match):
        sc.Linear(*args)


def test_linear_bad_derive_arguments():
    layer = sc.Linear(3, 2, bias=False)
    with pytest.raises(ValueError, match="`input_size` must be \\(3,\\)"):
        layer.derive(input_size=4)
    with pytest.raises(ValueError, match="`x` must have shape \\(3,\\)"):
        layer.derive(x=[1, 2])
    with pytest.raises(ValueError, match="`weight` must have shape \\(2, 3\\)"):
        layer.derive(input_size=3, weight=[[1, 2], [3, 4]])
    with pytest.raises(ValueError, match="`bias` was given"):
        layer.derive(input_size=3, bias=[1, 2])
    with pytest.raises(TypeError, match="`x`"):
        layer.derive(x=["a", "b", "c"])


GOLDEN = r"""\begin{aligned}
W &= \begin{bmatrix}
W_{1,1} & W_{1,2} & W_{1,3} \\
W_{2,1} & W_{2,2} & W_{2,3}
\end{bmatrix} \\
&\text{6 free entries; 4 ties onto 2 values, 2 structural zeros} \\
\text{ties: } W_{1,1} = W_{2,2} &= w_{1} \\
W_{1,2} = W_{2,3} &= w_{2} \\
\text{zeros: } W_{1,3} &= 0 \\
W_{2,1} &= 0 \\
W\big|_{\text{constraints}} &= T = \begin{bmatrix}
w_{1} & w_{2} & 0 \\
0 & w_{1} & w_{2}
\end{bmatrix}
\end{aligned}"""


def test_dense_constraints_latex_golden_one_based():
    c = sc.dense_constraints(sc.correlate(sympy.symarray("x", 3), sympy.symarray("w", 2)))
    assert c.to_latex(index_base=1) == GOLDEN
    assert c.to_latex(index_base=1) == c.to_latex(index_base=1)  # deterministic


def test_dense_constraints_latex_compiles(pdflatex, tmp_path):
    import subprocess

    c = sc.dense_constraints(sc.Conv2d(1, 1, 2, padding=1).derive(input_size=(3, 3)))
    body = c.to_latex(max_rows=6, max_cols=6)
    doc = ("\\documentclass{article}\\usepackage{amsmath}\\usepackage{xcolor}"
           "\\begin{document}\\[" + body + "\\]\\end{document}\n")
    (tmp_path / "d.tex").write_text(doc)
    r = subprocess.run([pdflatex, "-interaction=nonstopmode", "-halt-on-error", "d.tex"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout[-2000:]


def test_dense_overlay_picture_counts():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n, k = 6, 3  # valid correlation: n - k + 1 outputs, each reading k inputs
    m = n - k + 1
    ax = sc.plot_dense_overlay(sc.correlate(sympy.symarray("x", n), sympy.symarray("w", k)))
    segs = {c.get_gid(): len(c.get_segments()) for c in ax.collections
            if c.get_gid() not in ("inputs", "outputs")}
    assert segs["removed"] == m * n - m * k
    assert sorted(v for g, v in segs.items() if g.startswith("tie:")) == [m] * k
    plt.close("all")
    with pytest.raises(ValueError, match="too many to draw"):
        sc.plot_dense_overlay(sc.Linear(100, 50).derive(input_size=100))


def test_fast_sums_of_products_equal_sympys_own():
    import random

    from symconv.core._symbolic import sums_of_pairs as sums_of_products

    rng = random.Random(0)
    xs, ws, bs = sympy.symbols("x_0:12"), sympy.symbols("w_0:12"), sympy.symbols("b_0:4")
    pool = xs + ws + bs
    for _ in range(40):
        rows = []
        for _ in range(4):
            pairs = {}
            for _ in range(rng.randint(0, 6)):
                u, v = rng.choice(pool), rng.choice(pool)
                if u != v:
                    pairs[frozenset((u, v))] = (u, v)
            rows.append(list(pairs.values()))
        extra = [rng.choice(pool) for _ in rows]
        want = [sympy.Add(*[u * v for u, v in r]) + e for r, e in zip(rows, extra)]
        for fast in (True, False):  # the internal path and the public-API fallback
            got = sums_of_products(rows, extra, fast=fast)
            assert got == want
            assert [g.args for g in got] == [w.args for w in want]  # same canonical objects
    # a repeated product or a square takes SymPy's own path
    x, w = sympy.symbols("x w")
    assert sums_of_products([[(x, w), (w, x)], [(x, x)]]) == [2 * x * w, x**2]
