"""ReLU, Sigmoid, Tanh and any SymPy function as activations, against torch."""

from __future__ import annotations

import numpy as np
import pytest
import sympy

import symconv as sc

Z = [-1.5, -0.25, 0.0, 0.5, 2.0]  # exact binary fractions; 0 tests ReLU'(0)


def _num(a) -> np.ndarray:
    return np.array(np.asarray(a.tolist(), dtype=object), dtype=float)


@pytest.mark.parametrize("name", ["ReLU", "Sigmoid", "Tanh"])
def test_forward_backward_jacobian_against_torch(torch, name):
    layer = getattr(sc, name)()
    fn = {"ReLU": torch.relu, "Sigmoid": torch.sigmoid, "Tanh": torch.tanh}[name]
    g = [3.0, -2.0, 5.0, 1.0, -1.0]
    d = layer.derive(x=[sympy.Rational(str(v)) for v in Z])
    zt = torch.tensor(Z, dtype=torch.float64, requires_grad=True)
    y = fn(zt)
    np.testing.assert_allclose(_num(d.output), y.detach().numpy(), rtol=1e-14)
    y.backward(torch.tensor(g, dtype=torch.float64))
    np.testing.assert_allclose(_num(d.gradient(grad_output=g).input), zt.grad.numpy(),
                               rtol=1e-14, atol=1e-15)
    jac = torch.autograd.functional.jacobian(fn, zt.detach())
    np.testing.assert_allclose(np.array(d.jacobian, dtype=float), jac.numpy(), atol=1e-15)


def test_relu_derivative_at_zero_is_torchs():
    d = sc.ReLU().derive(x=[0])
    assert d.gradient(grad_output=[7]).input.tolist() == [0]


def test_symbolic_forms():
    x0 = sympy.Symbol("x_0")
    assert sc.ReLU().derive(input_size=1).output[0] == sympy.Max(0, x0)
    assert sc.Sigmoid().derive(input_size=1).output[0] == 1 / (1 + sympy.exp(-x0))
    assert sc.Tanh().derive(input_size=1).output[0] == sympy.tanh(x0)
    g = sc.Sigmoid().derive(input_size=1).gradient().input[0]
    g0 = sympy.Symbol("g_0")
    assert sympy.simplify(g - g0 * sympy.diff(1 / (1 + sympy.exp(-x0)), x0)) == 0


@pytest.mark.parametrize("name", ["ReLU", "Sigmoid", "Tanh"])
def test_symbolic_check_and_verify(name):
    d = getattr(sc, name)().derive(input_size=(2, 3))
    assert d.matrix is None and d.weight is None and d.bias is None
    assert d.check(trials=4) and d.verify()


def test_any_sympy_function_against_torch(torch):
    d = sc.Activation(sympy.sin).derive(x=[sympy.Rational(str(v)) for v in Z])
    zt = torch.tensor(Z, dtype=torch.float64, requires_grad=True)
    y = torch.sin(zt)
    y.backward(torch.ones(5, dtype=torch.float64))
    np.testing.assert_allclose(_num(d.output), y.detach().numpy(), rtol=1e-14)
    np.testing.assert_allclose(_num(d.gradient(grad_output=[1] * 5).input), zt.grad.numpy(),
                               rtol=1e-14)
    t = sympy.Symbol("t")
    lam = sc.Activation(sympy.Lambda(t, t**3)).derive(input_size=1)
    assert lam.gradient().input[0] == 3 * sympy.Symbol("x_0") ** 2 * sympy.Symbol("g_0")
    assert lam.check() and lam.verify()


@pytest.mark.parametrize("call, exc, match", [
    (lambda: sc.Activation("sin"), TypeError, "`function` must be a one-argument"),
    (lambda: sc.Activation(42), TypeError, "`function` must be a one-argument"),
    (lambda: sc.Activation(lambda z: [z]), TypeError, "`function` must map one SymPy symbol"),
    (lambda: sc.ReLU().derive(), ValueError, "`input_size` is required"),
    (lambda: sc.ReLU().derive(input_size=0), ValueError, "`input_size` must be positive"),
    (lambda: sc.ReLU().derive(input_size=2, weight=[1]), ValueError, "`weight` was given"),
    (lambda: sc.Tanh().derive(input_size=3, x=[1, 2]), ValueError, "disagrees"),
    (lambda: sc.Sigmoid().derive(input_size=2).gradient(grad_output=[1]), ValueError,
     "`grad_output` must have shape"),
    (lambda: sc.ReLU().derive(x=[1 + 2j]), TypeError, "`x` must hold real numbers"),
    (lambda: sc.MaxPool1d(2).derive(x=[[1j, 2]]), TypeError, "`x` must hold real numbers"),
])
def test_bad_arguments(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_an_undefined_function_activation_differentiates_like_sympy():
    """f = sympy.Function('f'): f'(z) stays Subs(Derivative(f(t), t), t, z); each weight's
    gradient equals SymPy's own d/dw of L = sum_o g_o y_o (was: ValueError from xreplace)."""
    f = sympy.Function("f")
    nd = sc.Sequential(sc.Conv1d(1, 1, 2, bias=False), sc.Activation(f)).derive(
        input_size=(1, 3))
    y = list(sympy.flatten(nd.output.tolist()))
    g = sympy.symbols("G0 G1")
    grads = nd.gradient(grad_output=[[g[0], g[1]]])
    conv = grads.parameters[0].weight
    loss = g[0] * y[0] + g[1] * y[1]
    w = sorted((loss.free_symbols - set(g)) & {s for s in loss.free_symbols
                                                 if s.name.startswith("w")}, key=str)
    assert len(w) == 2
    for j, wj in enumerate(w):
        assert sympy.simplify(conv[0, 0, j] - sympy.diff(loss, wj)) == 0
    with pytest.raises(TypeError, match="cannot evaluate f numerically"):
        nd.check(trials=1)
