"""from_torch with ``ceil_mode=True`` pooling: torch's own modules as the reference.

torch rounds the output size up, drops a last window that would start in the
right padding, and clips windows at the padded input (``count_include_pad``
divides by the clipped window); symconv's pooling must match its forward and
autograd, alone and inside an ``nn.Sequential``.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy

import symconv as sc

pytestmark = pytest.mark.torch


def _num(a: object) -> np.ndarray:
    return np.array(sympy.Array(a).tolist(), dtype=object).astype(np.float64)


# (module factory, input shape): windows running past the input, incl. count_include_pad
CASES = [
    (lambda nn: nn.MaxPool1d(2, ceil_mode=True), (1, 5)),
    (lambda nn: nn.MaxPool1d(3, 2, 1, 2, ceil_mode=True), (2, 8)),
    (lambda nn: nn.MaxPool2d(3, 2, 1, ceil_mode=True), (1, 6, 5)),
    (lambda nn: nn.MaxPool2d((2, 3), (2, 2), ceil_mode=True), (2, 5, 7)),
    (lambda nn: nn.AvgPool1d(2, ceil_mode=True), (1, 5)),
    (lambda nn: nn.AvgPool1d(3, 2, 1, ceil_mode=True, count_include_pad=True), (1, 6)),
    (lambda nn: nn.AvgPool1d(3, 2, 1, ceil_mode=True, count_include_pad=False), (2, 6)),
    (lambda nn: nn.AvgPool1d(4, 3, 2, ceil_mode=True, count_include_pad=True), (1, 7)),
    (lambda nn: nn.AvgPool2d((3, 2), 2, 1, ceil_mode=True, count_include_pad=True), (1, 6, 5)),
    (lambda nn: nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False), (2, 6, 6)),
]


@pytest.mark.parametrize("case", range(len(CASES)))
def test_ceil_mode_pooling_from_torch_matches_forward_and_autograd(torch, case):
    build, shape = CASES[case]
    module = build(torch.nn)
    gen = torch.Generator().manual_seed(case)
    x = torch.randn(*shape, generator=gen, dtype=torch.float64)
    d = sc.from_torch(module, x=x)
    xt = x.clone()[None].requires_grad_(True)
    y = module(xt)
    np.testing.assert_allclose(_num(d.output), y.detach()[0].numpy(), rtol=1e-13)
    g = torch.randn(*y.shape[1:], generator=gen, dtype=torch.float64)
    y.backward(g[None])
    np.testing.assert_allclose(_num(d.gradient(grad_output=g.numpy()).input),
                               xt.grad[0].numpy(), rtol=1e-13, atol=1e-15)


def test_ceil_mode_inside_a_sequential_matches_torch(torch):
    torch.manual_seed(4)
    nn = torch.nn
    net = nn.Sequential(nn.Conv2d(1, 2, 2), nn.ReLU(), nn.MaxPool2d(2, ceil_mode=True),
                        nn.AvgPool2d(2, 1, 1, ceil_mode=True, count_include_pad=False),
                        nn.Flatten()).double()
    x = torch.randn(1, 6, 6, dtype=torch.float64)
    nd = sc.from_torch(net, x=x)
    xt = x.clone()[None].requires_grad_(True)
    y = net(xt)
    assert np.allclose(_num(nd.output), y.detach()[0].numpy())
    g = torch.randn(*y.shape[1:], dtype=torch.float64)
    y.backward(g[None])
    gn = nd.gradient(grad_output=g.numpy())
    assert np.allclose(_num(gn.input), xt.grad[0].numpy())
    assert np.allclose(_num(gn.layers[0].weight), net[0].weight.grad.numpy())


def test_ceil_mode_symbolic_input_is_checked_against_torch(torch):
    module = torch.nn.AvgPool1d(3, 2, 1, ceil_mode=True)
    d = sc.from_torch(module, input_size=(1, 6))
    assert tuple(d.output.shape) == tuple(module(torch.zeros(1, 1, 6)).shape[1:])
    assert d.check()


def test_ceil_mode_sweep_1d_against_torch(torch):
    """Every small 1-D geometry with ceil_mode=True: torch's output, or both refuse."""
    nn = torch.nn
    rng = np.random.default_rng(7)
    compared = 0
    for n in (3, 5, 7):
        for k in (2, 3, 4):
            for s in (2, 3):
                for p in range(k // 2 + 1):
                    modules = [nn.MaxPool1d(k, s, p, 1, ceil_mode=True),
                               nn.MaxPool1d(k, s, p, 2, ceil_mode=True),
                               nn.AvgPool1d(k, s, p, ceil_mode=True, count_include_pad=True),
                               nn.AvgPool1d(k, s, p, ceil_mode=True, count_include_pad=False)]
                    x = torch.tensor(rng.integers(-9, 10, (1, n)), dtype=torch.float64)
                    for module in modules:
                        try:
                            y = module(x[None])[0]
                            ok = y.numel() > 0 and bool(torch.isfinite(y).all())
                        except RuntimeError:
                            ok = False
                        if not ok:
                            with pytest.raises(ValueError):
                                sc.from_torch(module, x=x)
                            continue
                        d = sc.from_torch(module, x=x)
                        np.testing.assert_allclose(_num(d.output), y.numpy(), rtol=1e-13,
                                                   err_msg=repr(module))
                        compared += 1
    assert compared > 100
