"""Sequential and Flatten: outputs, composite matrix, composition, receptive fields, chain rule.

References are independent of symconv: numpy.correlate / numpy.convolve,
scipy.signal, matrices built by hand from the index law, brute-force
enumeration, and torch (forward, autograd, autograd.functional.jacobian).
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.signal
import sympy

import symconv as sc
from symconv.core._sequential import Flatten, Sequential


def _num(a: object) -> np.ndarray:
    arr = np.array(sympy.Array(a).tolist(), dtype=object)
    return arr.astype(np.float64)


def _corr_matrix(w: np.ndarray, n: int, stride: int = 1) -> np.ndarray:
    """The 1-D valid correlation matrix, written from the index law i = s*o + j."""
    k = len(w)
    m = (n - k) // stride + 1
    T = np.zeros((m, n))
    for o in range(m):
        T[o, stride * o:stride * o + k] = w
    return T


# ------------------------------------------------------------------ forward


def test_seed_network_against_numpy():
    # The seed's x and w: correlate -> [38, 56]; ReLU keeps them; MaxPool1d(2) -> 56.
    conv = sc.Conv1d(1, 1, 3, bias=False)
    relu_net = Sequential(conv, Flatten())
    nd = relu_net.derive(x=[[1, 2, 3, 4]], weights=[[[[5, 6, 7]]], None])
    assert _num(nd.output).tolist() == np.correlate([1, 2, 3, 4], [5, 6, 7], "valid").tolist()
    assert _num(nd.layers[0].output).tolist() == [[38.0, 56.0]]


def test_symbolic_two_convolutions_match_hand_composition():
    x = sympy.symarray("x", (1, 4))
    nd = Sequential(sc.Conv1d(1, 1, 2, bias=False), sc.Conv1d(1, 1, 2, bias=False)).derive(x=x)
    w1 = sympy.symbols("w1_0_0_0 w1_0_0_1")
    w2 = sympy.symbols("w2_0_0_0 w2_0_0_1")
    y1 = [w1[0] * x[0, o] + w1[1] * x[0, o + 1] for o in range(3)]
    y2 = [w2[0] * y1[o] + w2[1] * y1[o + 1] for o in range(2)]
    got = [nd.output[0, o] for o in range(2)]
    assert all(sympy.expand(a - b) == 0 for a, b in zip(got, y2))
    assert len(nd.layers) == 2
    assert nd.layers[1].input == nd.layers[0].output


@pytest.mark.parametrize("n,k1,k2,s1,s2", [(6, 3, 2, 1, 1), (9, 2, 3, 2, 1), (11, 3, 2, 2, 2),
                                           (7, 1, 4, 1, 1)])
def test_composite_matrix_is_product_of_hand_built_matrices(n, k1, k2, s1, s2):
    rng = np.random.default_rng(n + k1)
    w1, w2 = rng.integers(-5, 6, k1), rng.integers(-5, 6, k2)
    net = Sequential(sc.Conv1d(1, 1, k1, stride=s1, bias=False),
                     sc.Conv1d(1, 1, k2, stride=s2, bias=False))
    nd = net.derive(input_size=(1, n), weights=[w1.reshape(1, 1, -1), w2.reshape(1, 1, -1)])
    T1 = _corr_matrix(w1, n, s1)
    T2 = _corr_matrix(w2, T1.shape[0], s2)
    assert np.array_equal(_num(nd.matrix), T2 @ T1)


@pytest.mark.parametrize("n,k1,k2", [(5, 2, 2), (7, 3, 2), (8, 3, 4), (6, 1, 3)])
def test_stride_one_composition_is_full_convolution_of_kernels(n, k1, k2):
    # Exact symbolic proof at this instance, then numbers against numpy.convolve.
    nd = Sequential(sc.Conv1d(1, 1, k1, bias=False),
                    sc.Conv1d(1, 1, k2, bias=False)).derive(input_size=(1, n))
    comp = nd.composition()
    assert comp.holds
    assert comp.layer.kernel_size == (k1 + k2 - 1,)
    rng = np.random.default_rng(k1 * 10 + k2)
    a, b = rng.integers(-9, 10, k1), rng.integers(-9, 10, k2)
    subs = {sympy.Symbol(f"w1_0_0_{j}"): int(v) for j, v in enumerate(a)}
    subs |= {sympy.Symbol(f"w2_0_0_{j}"): int(v) for j, v in enumerate(b)}
    kernel = [int(comp.weight[0, 0, j].xreplace(subs)) for j in range(k1 + k2 - 1)]
    assert kernel == np.convolve(a, b, mode="full").tolist()
    # ... and the single correlation reproduces the stack on numbers (numpy.correlate).
    x = rng.integers(-9, 10, n)
    stacked = np.correlate(np.correlate(x, a, "valid"), b, "valid")
    assert np.array_equal(np.correlate(x, np.array(kernel), "valid"), stacked)


def test_strided_composition_dilates_the_second_kernel():
    nd = Sequential(sc.Conv1d(1, 1, 3, stride=2), sc.Conv1d(1, 1, 2, stride=3)).derive(
        input_size=(1, 20))
    comp = nd.composition()
    assert comp.holds and comp.layer.stride == (6,) and comp.layer.kernel_size == (5,)
    a, b = np.array([1, -2, 3]), np.array([4, 5])
    subs = {sympy.Symbol(f"w1_0_0_{j}"): int(v) for j, v in enumerate(a)}
    subs |= {sympy.Symbol(f"w2_0_0_{j}"): int(v) for j, v in enumerate(b)}
    subs |= {sympy.Symbol("b1_0"): 2, sympy.Symbol("b2_0"): -1}
    b_dil = np.array([4, 0, 5])  # w2 dilated by the first stride
    kernel = [int(v.xreplace(subs)) for v in comp.weight[0, 0, :]]
    assert kernel == np.convolve(a, b_dil, "full").tolist()
    assert int(comp.bias[0].xreplace(subs)) == -1 + 2 * (4 + 5)


def test_two_dimensional_composition_against_scipy():
    nd = Sequential(sc.Conv2d(1, 1, 2, bias=False), sc.Conv2d(1, 1, (2, 3), bias=False)).derive(
        input_size=(1, 4, 5))
    comp = nd.composition()
    assert comp.holds
    rng = np.random.default_rng(3)
    a, b = rng.integers(-4, 5, (2, 2)), rng.integers(-4, 5, (2, 3))
    subs = {sympy.Symbol(f"w1_0_0_{i}_{j}"): int(a[i, j]) for i in range(2) for j in range(2)}
    subs |= {sympy.Symbol(f"w2_0_0_{i}_{j}"): int(b[i, j]) for i in range(2) for j in range(3)}
    kernel = np.array([[int(comp.weight[0, 0, i, j].xreplace(subs)) for j in range(4)]
                       for i in range(3)])
    assert np.array_equal(kernel, scipy.signal.convolve2d(a, b, mode="full"))


def test_multichannel_composition_holds():
    nd = Sequential(sc.Conv1d(2, 3, 2), sc.Conv1d(3, 1, 2, stride=2)).derive(input_size=(2, 7))
    assert nd.composition().holds


def test_composition_refuses_padding_and_nonlinear_layers():
    from symconv.shell._network_layers import ReLU

    nd = Sequential(sc.Conv1d(1, 1, 3, padding=1)).derive(input_size=(1, 4))
    with pytest.raises(ValueError, match=r"`composition`.*layer 1 is Conv1d"):
        nd.composition()
    nd = Sequential(sc.Conv1d(1, 1, 2), ReLU()).derive(input_size=(1, 4))
    with pytest.raises(ValueError, match=r"`composition`.*layer 2 is ReLU"):
        nd.composition()


def test_matrix_of_nonlinear_stack_is_a_clear_error():
    from symconv.shell._network_layers import ReLU

    nd = Sequential(sc.Conv1d(1, 1, 2), ReLU(), sc.Conv1d(1, 1, 2)).derive(input_size=(1, 5))
    with pytest.raises(ValueError, match=r"`matrix` exists only for a linear stack: layer 2 "
                                         r"\(ReLU\(\)\) is not linear"):
        _ = nd.matrix
    assert not nd.is_linear


def test_offset_is_the_output_at_zero_input():
    net = Sequential(sc.Conv1d(1, 2, 2), sc.Conv1d(2, 1, 3))
    nd = net.derive(input_size=(1, 6))
    zero = {s: 0 for s in nd.input.free_symbols}
    at_zero = [sympy.expand(v.xreplace(zero)) for v in nd.output.reshape(len(nd.output))]
    assert [sympy.expand(v) for v in nd.offset] == at_zero
    assert nd.verify()


# ------------------------------------------------------------ receptive field


@pytest.mark.parametrize("ks,strides,n", [((3, 3), (1, 1), 10), ((3, 2), (2, 1), 13),
                                          ((2, 2, 3), (2, 2, 1), 30)])
def test_receptive_field_against_the_textbook_recurrence(ks, strides, n):
    net = Sequential(*[sc.Conv1d(1, 1, k, stride=s) for k, s in zip(ks, strides)])
    rf = net.derive(input_size=(1, n)).receptive_field()
    # r_L = 1 + sum_l (k_l - 1) * prod_{m<l} s_m; output o starts at o * prod(s).
    size, jump = 1, 1
    for k, s in zip(ks, strides):
        size += (k - 1) * jump
        jump *= s
    m = rf.output_shape[-1]
    assert rf.sizes.tolist() == [[size] * m]
    for o in range(m):
        assert rf.inputs(0, o) == [(0, i) for i in range(o * jump, o * jump + size)]
    assert rf.extents[0, :, 1].tolist() == [size] * m


def test_receptive_field_matches_the_jacobian_support(torch):
    # Random weights: every structural dependence shows in the Jacobian (almost surely).
    from symconv.shell._network_layers import AvgPool2d

    torch.manual_seed(0)
    tnet = torch.nn.Sequential(torch.nn.Conv2d(2, 3, 3, stride=2, padding=1),
                               torch.nn.AvgPool2d(2), torch.nn.Conv2d(3, 2, 2)).double()
    x = torch.randn(2, 9, 9, dtype=torch.float64)
    J = torch.autograd.functional.jacobian(lambda v: tnet(v[None])[0], x)
    support = (J.reshape(int(np.prod(J.shape[:3])), -1).abs() > 0).numpy()
    net = Sequential(sc.Conv2d(2, 3, 3, stride=2, padding=1), AvgPool2d(2), sc.Conv2d(3, 2, 2))
    rf = net.derive(input_size=(2, 9, 9)).receptive_field()
    assert np.array_equal(rf.pattern.toarray(), support)


def test_receptive_field_through_max_pooling_by_enumeration():
    from symconv.shell._network_layers import MaxPool1d, ReLU

    net = Sequential(sc.Conv1d(1, 1, 3), ReLU(), MaxPool1d(2))
    rf = net.derive(input_size=(1, 10)).receptive_field()
    # Output o pools conv outputs 2o, 2o+1, which read inputs 2o .. 2o+3.
    for o in range(4):
        assert rf.inputs(0, o) == [(0, i) for i in range(2 * o, 2 * o + 4)]


# ----------------------------------------------------------------- backward


def test_chain_rule_against_torch_autograd(torch):
    from symconv.shell._network_layers import MaxPool1d, ReLU

    rng = np.random.default_rng(1)
    x = rng.standard_normal((1, 10))
    w1, b1 = rng.standard_normal((2, 1, 3)), rng.standard_normal(2)
    w2, b2 = rng.standard_normal((1, 2, 2)), rng.standard_normal(1)
    g = rng.standard_normal((1, 3))
    net = Sequential(sc.Conv1d(1, 2, 3), ReLU(), MaxPool1d(2), sc.Conv1d(2, 1, 2))
    nd = net.derive(x=x, weights=[w1, None, None, w2], biases=[b1, None, None, b2])
    gn = nd.gradient(grad_output=g)

    t = {k: torch.tensor(v, requires_grad=True) for k, v in
         dict(x=x, w1=w1, b1=b1, w2=w2, b2=b2).items()}
    F = torch.nn.functional
    y = F.conv1d(F.max_pool1d(F.relu(F.conv1d(t["x"][None], t["w1"], t["b1"])), 2),
                 t["w2"], t["b2"])[0]
    y.backward(torch.tensor(g))
    assert np.allclose(_num(nd.output), y.detach().numpy())
    assert np.allclose(_num(gn.input), t["x"].grad.numpy())
    assert np.allclose(_num(gn.layers[0].weight), t["w1"].grad.numpy())
    assert np.allclose(_num(gn.layers[0].bias), t["b1"].grad.numpy())
    assert np.allclose(_num(gn.layers[3].weight), t["w2"].grad.numpy())
    assert np.allclose(_num(gn.layers[3].bias), t["b2"].grad.numpy())
    assert gn.layers[1].weight is None


def test_tied_layer_gradients_sum_like_autograd(torch):
    from symconv.shell._network_layers import Tanh

    rng = np.random.default_rng(2)
    conv = sc.Conv1d(1, 1, 2)
    x, w, b = rng.standard_normal((1, 6)), rng.standard_normal((1, 1, 2)), rng.standard_normal(1)
    g = rng.standard_normal((1, 4))
    nd = Sequential(conv, Tanh(), conv).derive(x=x, weights=[w, None, None],
                                               biases=[b, None, None])
    (tied,) = [p for p in nd.gradient(grad_output=g).parameters if p.weight is not None]
    assert tied.positions == (0, 2)
    tw, tb, tx = (torch.tensor(v, requires_grad=True) for v in (w, b, x))
    F = torch.nn.functional
    y = F.conv1d(torch.tanh(F.conv1d(tx[None], tw, tb)), tw, tb)[0]
    y.backward(torch.tensor(g))
    assert np.allclose(_num(tied.weight), tw.grad.numpy())
    assert np.allclose(_num(tied.bias), tb.grad.numpy())


def test_symbolic_input_gradient_equals_jacobian_transpose(torch):
    from symconv.shell._network_layers import Linear, Sigmoid

    rng = np.random.default_rng(4)
    w1 = rng.standard_normal((2, 1, 2))
    lw = rng.standard_normal((3, 6))
    net = Sequential(sc.Conv1d(1, 2, 2, bias=False), Sigmoid(), Flatten(), Linear(6, 3, bias=False))
    nd = net.derive(input_size=(1, 4), weights=[w1, None, None, lw])
    gn = nd.gradient()  # symbolic in x and g
    x = rng.standard_normal((1, 4))
    g = rng.standard_normal(3)
    subs = {sympy.Symbol(f"x_0_{i}"): x[0, i] for i in range(4)}
    subs |= {sympy.Symbol(f"g_{j}"): g[j] for j in range(3)}
    got = np.array([float(v.xreplace(subs)) for v in gn.input.reshape(4)])
    tnet = torch.nn.Sequential(torch.nn.Conv1d(1, 2, 2, bias=False), torch.nn.Sigmoid(),
                               torch.nn.Flatten(), torch.nn.Linear(6, 3, bias=False)).double()
    with torch.no_grad():
        tnet[0].weight.copy_(torch.tensor(w1))
        tnet[3].weight.copy_(torch.tensor(lw))
    J = torch.autograd.functional.jacobian(lambda v: tnet(v[None])[0], torch.tensor(x))
    assert np.allclose(got, (J.reshape(3, 4).numpy().T @ g))


def test_linear_stack_matrix_is_the_torch_jacobian(torch):
    from symconv.shell._network_layers import AvgPool1d, Linear

    rng = np.random.default_rng(5)
    w1, b1 = rng.standard_normal((2, 1, 3)), rng.standard_normal(2)
    lw, lb = rng.standard_normal((2, 6)), rng.standard_normal(2)
    net = Sequential(sc.Conv1d(1, 2, 3), AvgPool1d(2), Flatten(), Linear(6, 2))
    nd = net.derive(input_size=(1, 8), weights=[w1, None, None, lw], biases=[b1, None, None, lb])
    tnet = torch.nn.Sequential(torch.nn.Conv1d(1, 2, 3), torch.nn.AvgPool1d(2),
                               torch.nn.Flatten(), torch.nn.Linear(6, 2)).double()
    with torch.no_grad():
        for m, (w, b) in zip((tnet[0], tnet[3]), ((w1, b1), (lw, lb))):
            m.weight.copy_(torch.tensor(w))
            m.bias.copy_(torch.tensor(b))
    x0 = torch.zeros(1, 8, dtype=torch.float64)
    J = torch.autograd.functional.jacobian(lambda v: tnet(v[None])[0], x0).reshape(2, 8)
    assert np.allclose(_num(nd.matrix), J.numpy())
    assert np.allclose(_num(nd.offset).reshape(-1), tnet(x0[None])[0].detach().numpy())


# ------------------------------------------------------------------- checks


def test_check_agrees_on_mixed_stacks(torch):
    from symconv.shell._network_layers import Linear, MaxPool2d, ReLU

    net = Sequential(sc.Conv2d(1, 2, 2), ReLU(), MaxPool2d(2), Flatten(), Linear(8, 2))
    report = net.derive(input_size=(1, 5, 5)).check(trials=2)
    assert report and len(report.comparisons) == 6


def test_check_detects_a_wrong_layer(torch):
    from symconv.core._derivation import Derivation

    class OffByOne(Derivation):  # a test double: every output one too large
        @property
        def output(self):
            return super().output.applyfunc(lambda v: v + 1)

    class Wrong(sc.Conv1d):
        def derive(self, input_size=None, *, x=None, weight=None, bias=None):
            d = super().derive(input_size, x=x, weight=weight, bias=bias)
            return OffByOne(d.spec, np.array(d.input.tolist(), dtype=object),
                            np.array(d.weight.tolist(), dtype=object),
                            None if d.bias is None else np.array(d.bias.tolist(), dtype=object))

    nd = Sequential(Wrong(1, 1, 2)).derive(input_size=(1, 4))
    report = nd.check()
    assert not report
    assert not report.comparisons[0].agree  # the output
    assert report.comparisons[1].agree  # dL/dx does not see a constant shift


def test_check_without_any_reference_does_not_pass():
    class OpaqueDerivation:  # the identity, as a layer no reference knows
        weight = bias = None

        def __init__(self, x):
            self.input = self.output = sympy.Array(x)

        def gradient(self, grad_output=None):
            return type("G", (), {"input": sympy.Array(grad_output), "output": None,
                                  "weight": None, "bias": None})()

    class Opaque:
        def derive(self, input_size=None, *, x=None, weight=None, bias=None):
            return OpaqueDerivation(x)

    assert not Sequential(Opaque()).derive(input_size=(2,)).check()


def test_flatten_against_torch_flatten(torch):
    x = np.arange(24.0).reshape(2, 3, 4)
    d = Flatten().derive(x=x)
    assert _num(d.output).tolist() == torch.nn.Flatten()(torch.tensor(x)[None])[0].tolist()
    g = np.arange(24.0)
    assert _num(d.gradient(grad_output=g).input).tolist() == g.reshape(2, 3, 4).tolist()
    assert d.verify() and d.check()


# ------------------------------------------------------------------- errors


def test_bad_networks_name_the_problem():
    with pytest.raises(TypeError, match=r"`layers`: Sequential needs at least one layer"):
        Sequential()
    with pytest.raises(TypeError, match=r"`layers`: layer 1 must be a layer object"):
        Sequential(sc.Conv1d)
    with pytest.raises(TypeError, match=r"`layers`: layer 2 must be a layer object"):
        Sequential(sc.Conv1d(1, 1, 2), "ReLU")
    net = Sequential(sc.Conv1d(1, 2, 2), sc.Conv1d(3, 1, 2))
    with pytest.raises(ValueError, match=r"`input_size` is required"):
        net.derive()
    with pytest.raises(ValueError, match=r"`input_size` must be positive, got 0"):
        net.derive(input_size=(1, 0))
    with pytest.raises(ValueError, match=r"layer 2 \(Conv1d\(3, 1.*in_channels=3"):
        net.derive(input_size=(1, 5))
    with pytest.raises(ValueError, match=r"`weights` must have one entry per layer \(2\), got 1"):
        net.derive(input_size=(1, 5), weights=[None])
    with pytest.raises(TypeError, match=r"`x` must be numbers or SymPy expressions, got text"):
        net.derive(x="1,2,3")
    with pytest.raises(ValueError, match=r"`weight`/`bias`: Flatten has no parameters"):
        Flatten().derive(input_size=3, weight=[1])


def test_layer_by_layer_check_agrees_and_still_detects(torch, monkeypatch):
    # Large stacks are checked backward layer by layer; force that path on small ones.
    from symconv.checks import _network_checks

    monkeypatch.setattr(_network_checks, "COMPOSITE_LIMIT", 0)
    conv = sc.Conv1d(1, 1, 2)
    net = Sequential(conv, sc.ReLU(), conv, sc.MaxPool1d(2), Flatten(), sc.Linear(2, 1))
    report = net.derive(input_size=(1, 7)).check(trials=2)
    assert report and any("layer by layer" in n for n in report.notes)

    class Shifted(sc.Linear):  # a test double: the bias read as twice its value
        def derive(self, input_size=None, *, x=None, weight=None, bias=None):
            return super().derive(input_size, x=x, weight=weight,
                                  bias=None if bias is None else 2 * np.asarray(bias))

    bad = Sequential(Flatten(), Shifted(4, 1), sc.Sigmoid())
    assert not bad.derive(input_size=(1, 4)).check()


# -------------------------------------------------------------------- LaTeX


def test_network_latex_is_deterministic_and_escapes_user_names():
    w = np.array([[[sympy.Symbol("x&y"), sympy.Symbol(r"\input")]]], dtype=object)
    nd = Sequential(sc.Conv1d(1, 1, 2, bias=False), sc.ReLU()).derive(input_size=(1, 3),
                                                                      weights=[w, None])
    tex = nd.to_latex()
    assert tex == nd.to_latex()
    assert r"\text{x\&y}" in tex and r"\input" not in tex.replace(r"\text{\textbackslash{}input}", "")
    assert tex.count(r"\begin{aligned}") == tex.count(r"\end{aligned}") == 5
    # layer by layer, then the backward pass from the last layer down
    assert tex.index("layer 1: Conv1d") < tex.index("layer 2: ReLU") < \
        tex.index("backward, layer 2") < tex.index("backward, layer 1")


def test_network_document_compiles(pdflatex, tmp_path):
    import subprocess

    net = Sequential(sc.Conv1d(1, 2, 2), sc.ReLU(), sc.MaxPool1d(2), Flatten(), sc.Linear(4, 1))
    doc = net.latex_document(input_size=(1, 5))
    path = tmp_path / "net.tex"
    path.write_text(doc)
    run = subprocess.run([pdflatex, "-interaction=nonstopmode", "-halt-on-error", path.name],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-2000:]
    assert (tmp_path / "net.pdf").stat().st_size > 0


def test_check_without_torch_uses_numpy_and_finite_differences(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` raises ImportError
    net = Sequential(sc.Conv1d(1, 2, 2), sc.Tanh(), sc.AvgPool1d(2), Flatten(), sc.Linear(4, 1))
    report = net.derive(input_size=(1, 5)).check(trials=2)
    assert report and all("NumPy" in c.reference for c in report.comparisons)
    assert {c.view for c in report.comparisons} >= {"output", "dL/dx", "dL/dw (layer 1)"}


def test_stacks_without_torch_modules_check_against_numpy():
    net = Sequential(sc.LocallyConnected1d(1, 2, 2), sc.ReLU(), sc.TiledConv1d(2, 1, 2, tiles=2))
    report = net.derive(input_size=(1, 6)).check(trials=2)
    assert report and len(report.comparisons) == 6
    assert any("No torch module for LocallyConnected1d" in n for n in report.notes)
