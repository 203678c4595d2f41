"""The network explorer's backward pass: its gradient entries against torch autograd.

Every gradient entry of the page carries ``data-grad``/``data-layer``/
``data-index``/``data-value``; the values read back from the HTML must be
torch's autograd gradients (input of every layer via retained activations,
weights, biases, a tied module's summed gradient).
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import symconv as sc

_ENTRY = re.compile(r'<div class="sc-formula" data-grad="([a-z-]+)" data-layer="(\d+)" '
                    r'data-index="([\d,]+)"(?: data-value="([^"]+)")?>')


def _read(page: str) -> dict[tuple[str, int], dict[tuple[int, ...], float | None]]:
    out: dict[tuple[str, int], dict[tuple[int, ...], float | None]] = {}
    for role, layer, idx, value in _ENTRY.findall(page):
        key = tuple(int(v) for v in idx.split(","))
        out.setdefault((role, int(layer)), {})[key] = None if value == "" else float(value)
    return out


def _check(entries: dict[tuple[int, ...], float | None], ref: np.ndarray) -> None:
    assert entries, "no gradient entries on the page"
    assert len(entries) == min(ref.size, 12)  # SHOWN_OUTPUTS of each array
    for idx, v in entries.items():
        assert v is not None
        assert v == pytest.approx(float(ref[idx]), rel=1e-12, abs=1e-12)


@pytest.mark.torch
def test_network_page_shows_the_backward_pass_of_torch_autograd(torch):
    torch.manual_seed(5)
    nn = torch.nn
    net = nn.Sequential(nn.Conv1d(1, 2, 2), nn.Tanh(), nn.MaxPool1d(2),
                        nn.Flatten(), nn.Linear(8, 3)).double()
    x = torch.randn(1, 9, dtype=torch.float64)
    g = torch.randn(3, dtype=torch.float64)
    nd = sc.from_torch(net, x=x)
    page = sc.to_html(nd.gradient(grad_output=g.numpy()))
    got = _read(page)
    # torch: the gradient of every layer's input, by retaining the activations
    acts = [x.clone()[None].requires_grad_(True)]
    for m in net:
        a = m(acts[-1])
        a.retain_grad()
        acts.append(a)
    acts[-1].backward(g[None])
    _check(got[("output", 0)], g.numpy())
    for pos in range(len(net)):
        _check(got[("input", pos + 1)], acts[pos].grad[0].numpy())
    for pos in (0, 4):
        _check(got[("weight", pos + 1)], net[pos].weight.grad.numpy())
        _check(got[("bias", pos + 1)], net[pos].bias.grad.numpy())
    assert ("weight", 2) not in got and ("weight", 3) not in got  # no parameters
    assert page.index('data-layer="5"') < page.index('data-grad="input" data-layer="1"')
    assert page == sc.to_html(sc.from_torch(net, x=x).gradient(grad_output=g.numpy()))


@pytest.mark.torch
def test_tied_module_gradient_is_summed_on_the_page(torch):
    torch.manual_seed(6)
    conv = torch.nn.Conv1d(1, 1, 2).double()
    net = torch.nn.Sequential(conv, torch.nn.ReLU(), conv)
    x = torch.randn(1, 6, dtype=torch.float64)
    g = torch.randn(1, 4, dtype=torch.float64)
    page = sc.to_html(sc.from_torch(net, x=x).gradient(grad_output=g.numpy()))
    xt = x.clone()[None].requires_grad_(True)
    net(xt).backward(g[None])
    got = _read(page)
    _check(got[("tied-weight", 1)], conv.weight.grad.numpy())
    _check(got[("tied-bias", 1)], conv.bias.grad.numpy())
    _check(got[("input", 1)], xt.grad[0].numpy())


def test_symbolic_network_gradient_page():
    net = sc.Sequential(sc.Conv1d(1, 1, 2, bias=False), sc.ReLU(), sc.Flatten())
    nd = net.derive(x=[[1, -2, 3]], weights=[[[[5, 6]]], None, None])
    page = nd.to_html(gradient=True)
    assert page == nd.to_html(gradient=True)
    got = _read(page)
    # symbolic upstream g: entries are expressions, no data-value
    assert got[("output", 0)] == {(0,): None, (1,): None}
    assert "Backward pass" in page and "Backward pass" not in nd.to_html()
    assert "sc-backward" in sc.repr_html(nd.gradient())
    with pytest.raises(ValueError, match="`focus_output`"):
        nd.to_html(gradient=True, focus_output=(0,))
