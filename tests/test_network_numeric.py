"""The fast paths of networks: float networks on NumPy, the layered lambdify evaluator, the
layer-by-layer check.

References are independent of symconv: torch forward and autograd (the same module
object at tied positions), and NumPy formulas written out by hand.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy

import symconv as sc
from symconv.checks._layered_eval import LayeredEvaluator
from symconv.core._activations import ActivationFunction


def _num(a: object) -> np.ndarray:
    return np.array(sympy.Array(a).tolist(), dtype=object).astype(np.float64)


# ------------------------------------------------------------ float networks


def _tied_float_network(rng: np.random.Generator):
    conv = sc.Conv1d(1, 1, 2)
    net = sc.Sequential(conv, sc.Sigmoid(), conv, sc.Tanh(), sc.AvgPool1d(2), sc.Flatten(),
                        sc.Linear(3, 2), sc.ReLU())
    w1, b1 = rng.standard_normal((1, 1, 2)), rng.standard_normal(1)
    w7, b7 = rng.standard_normal((2, 3)), rng.standard_normal(2)
    weights = [w1, None, None, None, None, None, w7, None]
    biases = [b1, None, None, None, None, None, b7, None]
    return net, weights, biases


@pytest.mark.torch
def test_float_network_with_tied_layer_matches_torch_autograd(torch):
    rng = np.random.default_rng(5)
    net, weights, biases = _tied_float_network(rng)
    x = rng.standard_normal((1, 8))
    nd = net.derive(x=x, weights=weights, biases=biases)
    assert nd.numeric_inputs is not None  # the float path was taken
    g = rng.standard_normal(2)
    gn = nd.gradient(grad_output=g)

    nn = torch.nn
    conv = nn.Conv1d(1, 1, 2).double()
    lin = nn.Linear(3, 2).double()
    with torch.no_grad():
        conv.weight.copy_(torch.from_numpy(weights[0]))
        conv.bias.copy_(torch.from_numpy(biases[0]))
        lin.weight.copy_(torch.from_numpy(weights[6]))
        lin.bias.copy_(torch.from_numpy(biases[6]))
    ref = nn.Sequential(conv, nn.Sigmoid(), conv, nn.Tanh(), nn.AvgPool1d(2), nn.Flatten(),
                        lin, nn.ReLU())
    xt = torch.from_numpy(x)[None].requires_grad_(True)
    y = ref(xt)
    y.backward(torch.from_numpy(g)[None])
    assert np.allclose(_num(nd.output), y.detach()[0].numpy(), rtol=1e-12, atol=1e-14)
    assert np.allclose(_num(gn.input), xt.grad[0].numpy(), rtol=1e-12, atol=1e-14)
    tied, dense = [p for p in gn.parameters if p.weight is not None]
    assert tied.positions == (0, 2)
    assert np.allclose(_num(tied.weight), conv.weight.grad.numpy(), rtol=1e-12, atol=1e-14)
    assert np.allclose(_num(tied.bias), conv.bias.grad.numpy(), rtol=1e-12, atol=1e-14)
    assert np.allclose(_num(dense.weight), lin.weight.grad.numpy(), rtol=1e-12, atol=1e-14)
    assert np.allclose(_num(dense.bias), lin.bias.grad.numpy(), rtol=1e-12, atol=1e-14)
    # anything else is the layer's own gradient object (exact SymPy), built on request
    own = gn.layers[6].arrays()["weight"]
    assert np.allclose(own.astype(np.float64), lin.weight.grad.numpy(), rtol=1e-12, atol=1e-14)


def test_float_path_layers_agree_with_their_own_exact_outputs():
    # Each layer's own output (SymPy, from its Float input) against the float64 value
    # the next layer was derived on: equal to rounding.
    rng = np.random.default_rng(7)
    net, weights, biases = _tied_float_network(rng)
    nd = net.derive(x=rng.standard_normal((1, 8)), weights=weights, biases=biases)
    for before, after in zip(nd.layers, nd.layers[1:]):
        own = _num(before.output).reshape(-1)
        assert np.allclose(own, _num(after.input).reshape(-1), rtol=1e-13, atol=1e-15)


def test_exact_networks_stay_exact():
    net = sc.Sequential(sc.Conv1d(1, 1, 3, bias=False), sc.ReLU(), sc.MaxPool1d(2))
    nd = net.derive(x=[[1, 2, 3, 4, -9, 0]], weights=[[[[5, 6, 7]]], None, None])
    assert nd.numeric_inputs is None
    expected = np.correlate([1, 2, 3, 4, -9, 0], [5, 6, 7], "valid")  # [38, 56, -28, -26]
    assert [int(v) for v in nd.layers[0].output[0, :]] == expected.tolist()
    assert nd.output.tolist() == [[56, 0]]
    assert all(isinstance(v, sympy.Integer) for v in nd.output[0, :])


def test_symbolic_parameter_leaves_the_float_path():
    net = sc.Sequential(sc.Conv1d(1, 1, 2, bias=False), sc.Tanh())
    nd = net.derive(x=np.array([[0.5, -1.0, 2.0]]))  # the weight stays symbolic
    assert nd.numeric_inputs is None
    assert nd.output[0, 0] == sympy.tanh(0.5 * sympy.Symbol("w1_0_0_0")
                                         - 1.0 * sympy.Symbol("w1_0_0_1"))


# ------------------------------------------------------------ the layered evaluator


def test_layered_evaluator_against_numpy_formulas():
    a, b, c = sympy.symbols("a b c")
    rng = np.random.default_rng(0)
    v = rng.standard_normal((3, 6))
    va, vb, vc = v
    exprs = [
        sympy.Max(0, a * b + c), sympy.Min(a, b, c), 1 / (1 + sympy.exp(-a)),
        1 - sympy.tanh(b) ** 2, sympy.Piecewise((1, sympy.And(a > 0, b <= c)), (0, True)),
        sympy.Piecewise((a, sympy.Not(a > b)), (b, True)), 3 * a * b * c + 2,
        sympy.Abs(a) * sympy.sqrt(b ** 2 + 1), sympy.Heaviside(c),
    ]
    want = np.array([
        np.maximum(0, va * vb + vc), np.minimum(np.minimum(va, vb), vc), 1 / (1 + np.exp(-va)),
        1 - np.tanh(vb) ** 2, ((va > 0) & (vb <= vc)).astype(float),
        np.where(va <= vb, va, vb), 3 * va * vb * vc + 2,
        np.abs(va) * np.sqrt(vb ** 2 + 1), (vc > 0).astype(float),
    ])
    got = LayeredEvaluator([a, b, c], v).values(exprs)
    assert np.allclose(got, want, rtol=1e-14, atol=1e-14)


def test_layered_evaluator_shares_nodes_and_never_compiles_user_names():
    # Names that are Python code or keywords are variables with values, never printed.
    odd = [sympy.Symbol("lambda"), sympy.Symbol("x[0]"), sympy.Function("os.system")(1)]
    inner = odd[0] * odd[1] + odd[2]
    layer2 = [sympy.Max(0, inner), inner * inner]
    v = np.array([[2.0], [3.0], [-1.0]])
    ev = LayeredEvaluator(odd, v)
    assert ev.values([inner]).tolist() == [[5.0]]
    assert ev.values(layer2).tolist() == [[5.0], [25.0]]
    with pytest.raises(TypeError, match="cannot evaluate"):
        LayeredEvaluator([], np.zeros((0, 1))).values([sympy.Function("f")(2) + 1])


# ------------------------------------------------------------ the layer-by-layer check


@pytest.mark.torch
def test_layer_by_layer_check_of_a_larger_network(torch):
    net = sc.Sequential(sc.Conv2d(1, 2, 3), sc.Tanh(), sc.AvgPool2d(2), sc.Conv2d(2, 1, 2),
                        sc.ReLU(), sc.MaxPool2d(2), sc.Flatten(), sc.Linear(4, 3),
                        sc.Sigmoid())
    nd = net.derive(input_size=(1, 12, 12))
    report = nd.check(trials=2)
    assert report and any("layer by layer" in n for n in report.notes)


@pytest.mark.torch
def test_layer_by_layer_check_uses_the_layers_own_derivative(torch):
    # A Tanh whose derivative is wrong (1 - tanh, not 1 - tanh^2): the forward output
    # still agrees with torch, the backward pass must not.
    class WrongTanh(sc.Tanh):
        def __init__(self) -> None:
            self.function = ActivationFunction("Tanh", sympy.tanh,
                                               lambda z: 1 - sympy.tanh(z), "tanh")

    net = sc.Sequential(sc.Conv2d(1, 2, 3), WrongTanh(), sc.Flatten())
    nd = net.derive(input_size=(1, 16, 16))  # 2 * 14 * 14 * 2 outputs: above the limit
    report = nd.check()
    assert not report
    failed = {c.view for c in report.comparisons if not c.agree}
    assert "output" not in failed and "dL/dx" in failed


def test_float_network_with_an_activation_numpy_lacks_stays_exact_and_right():
    # sin has no NumPy path in the float pass: the network falls back to SymPy, same numbers.
    rng = np.random.default_rng(11)
    x, w = rng.standard_normal((1, 5)), rng.standard_normal((1, 1, 2))
    nd = sc.Sequential(sc.Conv1d(1, 1, 2, bias=False), sc.Activation(sympy.sin)).derive(
        x=x, weights=[w, None])
    assert nd.numeric_inputs is None
    want = np.sin(np.correlate(x[0], w[0, 0], "valid"))
    assert np.allclose(_num(nd.output)[0], want, rtol=1e-13, atol=1e-15)


@pytest.mark.torch
def test_layer_by_layer_check_without_tables_differentiates_symbolically(torch, monkeypatch):
    # Force the fallback for every layer: each layer derived again on symbols and its
    # symbolic backward formulas evaluated; still agrees with torch autograd.
    from symconv.checks import _network_checks

    monkeypatch.setattr(_network_checks, "numeric_backward", lambda *args: None)
    net = sc.Sequential(sc.Conv2d(1, 2, 3), sc.ReLU(), sc.MaxPool2d(2), sc.Flatten(),
                        sc.Linear(50, 2))
    report = net.derive(input_size=(1, 12, 12)).check()  # 502 outputs: above the limit
    assert report and any("layer by layer" in n for n in report.notes)


@pytest.mark.torch
def test_check_builds_torch_pooling_with_ceil_mode(torch):
    # The reference network must pool as the layers do: ceil_mode keeps the partial windows.
    net = sc.Sequential(sc.Conv2d(1, 2, 2), sc.MaxPool2d(2, ceil_mode=True),
                        sc.AvgPool2d(2, ceil_mode=True), sc.Flatten(), sc.Linear(8, 1))
    report = net.derive(input_size=(1, 6, 6)).check()
    assert report and report.comparisons[0].reference.startswith("torch")
