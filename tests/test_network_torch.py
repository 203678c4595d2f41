"""from_torch for nn.Sequential and the layer family: against torch's own forward, autograd, jacobian."""

from __future__ import annotations

import numpy as np
import pytest
import sympy

import symconv as sc

pytestmark = pytest.mark.torch


def _num(a: object) -> np.ndarray:
    return np.array(sympy.Array(a).tolist(), dtype=object).astype(np.float64)


def _lenet(torch):
    nn = torch.nn
    return nn.Sequential(
        nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(400, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10)).double()


def _grads(torch, net, x, g):
    xt = x.clone()[None].requires_grad_(True)
    net.zero_grad()
    y = net(xt)
    y.backward(g[None])
    return y.detach()[0], xt.grad[0]


@pytest.mark.parametrize("build,shape", [
    (lambda nn: nn.Sequential(nn.Conv1d(2, 3, 3, padding=1), nn.Tanh(), nn.AvgPool1d(2),
                              nn.Flatten(), nn.Linear(12, 2)), (2, 8)),
    (lambda nn: nn.Sequential(nn.Conv2d(1, 2, 3, stride=2), nn.Sigmoid(),
                              nn.ConvTranspose2d(2, 1, 2, stride=2)), (1, 7, 7)),
    (lambda nn: nn.Sequential(nn.Conv2d(2, 2, 2), nn.ReLU(), nn.MaxPool2d(2, stride=1),
                              nn.Sequential(nn.Flatten(), nn.Linear(8, 3))), (2, 4, 4)),
])
def test_numeric_stacks_match_torch_forward_and_autograd(torch, build, shape):
    torch.manual_seed(sum(shape))
    net = build(torch.nn).double()
    x = torch.randn(*shape, dtype=torch.float64)
    nd = sc.from_torch(net, x=x)
    y, _ = _grads(torch, net, x, torch.zeros(net(x[None])[0].shape, dtype=torch.float64))
    assert np.allclose(_num(nd.output), y.numpy())
    g = torch.randn(y.shape, dtype=torch.float64)
    y, gx = _grads(torch, net, x, g)
    gn = nd.gradient(grad_output=g.numpy())
    assert np.allclose(_num(gn.input), gx.numpy())
    params = [m for m in net.modules() if getattr(m, "weight", None) is not None]
    with_weight = [gl for gl in gn.layers if gl.weight is not None]
    assert len(with_weight) == len(params)
    for gl, m in zip(with_weight, params):
        assert np.allclose(_num(gl.weight), m.weight.grad.numpy())
        assert np.allclose(_num(gl.bias), m.bias.grad.numpy())


def test_lenet5_numeric_forward_and_backward(torch):
    torch.manual_seed(0)
    net = _lenet(torch)
    x = torch.randn(1, 32, 32, dtype=torch.float64)
    nd = sc.from_torch(net, x=x)
    assert len(nd.layers) == 12 and tuple(nd.output.shape) == (10,)
    g = torch.randn(10, dtype=torch.float64)
    y, gx = _grads(torch, net, x, g)
    assert np.allclose(_num(nd.output), y.numpy())
    gn = nd.gradient(grad_output=g.numpy())
    assert np.allclose(_num(gn.input), gx.numpy())
    assert np.allclose(_num(gn.layers[3].weight), net[3].weight.grad.numpy())
    assert np.allclose(_num(gn.layers[11].bias), net[11].bias.grad.numpy())


def test_symbolic_input_from_torch_and_the_jacobian(torch):
    torch.manual_seed(1)
    nn = torch.nn
    net = nn.Sequential(nn.Conv1d(1, 2, 2), nn.AvgPool1d(2), nn.Flatten(), nn.Linear(8, 2)).double()
    nd = sc.from_torch(net, input_size=(1, 9))
    assert {str(s) for s in nd.output[0].free_symbols} <= {f"x_0_{i}" for i in range(9)}
    J = torch.autograd.functional.jacobian(
        lambda v: net(v[None])[0], torch.zeros(1, 9, dtype=torch.float64)).reshape(2, 9)
    assert np.allclose(_num(nd.matrix), J.numpy())
    assert nd.check(trials=2)


def test_the_same_module_twice_is_one_tied_layer(torch):
    torch.manual_seed(2)
    nn = torch.nn
    conv = nn.Conv1d(1, 1, 2).double()
    net = nn.Sequential(conv, nn.ReLU(), conv)
    x = torch.randn(1, 7, dtype=torch.float64)
    nd = sc.from_torch(net, x=x)
    assert nd.network.layers[0] is nd.network.layers[2]
    (tied,) = [p for p in nd.parameters if p.weight is not None]
    assert tied.positions == (0, 2)
    g = torch.randn(1, 5, dtype=torch.float64)
    _grads(torch, net, x, g)
    (pg,) = [p for p in nd.gradient(grad_output=g.numpy()).parameters if p.weight is not None]
    assert np.allclose(_num(pg.weight), conv.weight.grad.numpy())  # autograd sums both uses
    assert np.allclose(_num(pg.bias), conv.bias.grad.numpy())


def test_single_modules_of_the_family(torch):
    torch.manual_seed(3)
    lin = torch.nn.Linear(3, 2).double()
    x = torch.randn(3, dtype=torch.float64)
    d = sc.from_torch(lin, x=x)
    assert np.allclose(_num(d.output), lin(x).detach().numpy())
    pool = torch.nn.MaxPool2d(2)
    x2 = torch.randn(1, 4, 4, dtype=torch.float64)
    assert np.allclose(_num(sc.from_torch(pool, x=x2).output), pool(x2[None])[0].numpy())
    flat = sc.from_torch(torch.nn.Flatten(), x=x2)
    assert np.allclose(_num(flat.output), torch.nn.Flatten()(x2[None])[0].numpy())


def test_unsupported_modules_are_named_with_the_supported_list(torch):
    nn = torch.nn
    with pytest.raises(TypeError, match=r"`module`\[1\] in the Sequential: `module` must be a "
                                        r"torch\.nn\.Conv1d, .*Linear, .*Flatten or Sequential, "
                                        r"got torch\.nn\.modules\.dropout\.Dropout"):
        sc.from_torch(nn.Sequential(nn.Conv1d(1, 1, 2), nn.Dropout()), input_size=(1, 4))
    with pytest.raises(TypeError, match=r"got torch\.nn\.modules\.batchnorm\.BatchNorm1d"):
        sc.from_torch(nn.BatchNorm1d(3), input_size=(3, 4))
    with pytest.raises(ValueError, match=r"`module`\[0\] in the Sequential: .*`return_indices`"):
        sc.from_torch(nn.Sequential(nn.MaxPool1d(2, return_indices=True)), input_size=(1, 5))
    with pytest.raises(ValueError, match=r"`start_dim, end_dim`=\(0, -1\)"):
        sc.from_torch(nn.Flatten(0), input_size=(1, 5))
    with pytest.raises(ValueError, match=r"`divisor_override`=2"):
        sc.from_torch(nn.AvgPool2d(2, divisor_override=2), input_size=(1, 4, 4))
    with pytest.raises(ValueError, match=r"empty torch\.nn\.Sequential"):
        sc.from_torch(nn.Sequential(), input_size=(1, 4))
    with pytest.raises(ValueError, match=r"layer 2 \(Linear"):
        sc.from_torch(nn.Sequential(nn.Flatten(), nn.Linear(5, 2)), input_size=(1, 4))
