"""The references a network's check compares with: torch autograd, else NumPy (checks layer).

- ``torch.nn.Sequential`` built from real ``torch.nn`` modules (the same module
  object at tied positions), run forward on a batch of one, and
  ``torch.autograd`` backward -- when torch imports and every layer has a
  torch module (:func:`torch_module`);
- otherwise a NumPy forward chain (``_reference.conv_nd`` / ``conv_transpose_nd``
  and ``_layer_reference.numpy_layer``), and its gradients by central finite
  differences.

Neither reads symconv's expressions: each run takes the input, the parameters
and the upstream gradient as float arrays and returns
``[y, dL/dx, dL/dw_1, dL/db_1, ...]``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..boundary._limits import FD_LIMIT
from ..core._derivation import Derivation
from ..core._flatten import FlattenDerivation
from . import _reference
from ._layer_reference import numpy_layer

if TYPE_CHECKING:
    from ..core._sequential import NetworkDerivation

__all__ = ["reference_runs", "torch_module"]


# ------------------------------------------------------------- torch modules


def torch_module(torch: Any, layer: Any, ld: Any) -> Any | None:
    """The ``torch.nn`` module computing ``layer`` (no parameters loaded), or None."""
    nn = torch.nn
    if isinstance(ld, FlattenDerivation):
        return nn.Flatten()
    if isinstance(ld, Derivation) and ld.spec.kind in ("conv", "transpose"):
        p = layer.params
        n = p.ndim
        if p.transposed:
            return getattr(nn, f"ConvTranspose{n}d")(
                p.in_channels, p.out_channels, p.kernel_size, p.stride,
                tuple(lo for lo, _ in ld.spec.padding), p.output_padding, p.groups, p.bias,
                p.dilation, dtype=torch.float64)
        return getattr(nn, f"Conv{n}d")(
            p.in_channels, p.out_channels, p.kernel_size, p.stride, p.padding, p.dilation,
            p.groups, p.bias, p.padding_mode, dtype=torch.float64)
    kind = getattr(ld, "kind", None)
    if kind == "linear":
        g = layer.geometry
        return nn.Linear(g.in_features, g.out_features, g.bias, dtype=torch.float64)
    if kind == "activation":
        name = layer.function.torch_name
        return None if name is None else _Elementwise(torch, name)
    if kind in ("maxpool", "avgpool"):
        g = layer.geometry
        if g.kind == "max":
            return getattr(nn, f"MaxPool{g.ndim}d")(g.kernel_size, g.stride, g.padding,
                                                     g.dilation, ceil_mode=g.ceil_mode)
        return getattr(nn, f"AvgPool{g.ndim}d")(g.kernel_size, g.stride, g.padding,
                                                 ceil_mode=g.ceil_mode,
                                                 count_include_pad=g.count_include_pad)
    return None


def _Elementwise(torch: Any, name: str) -> Any:
    fn = getattr(torch, name)

    class Elementwise(torch.nn.Module):
        def forward(self, z: Any) -> Any:
            return fn(z)

    return Elementwise()


def _torch_run(torch: Any, modules: list[Any], nd: NetworkDerivation, x: np.ndarray,
               params: list[tuple[np.ndarray | None, np.ndarray | None]],
               g: np.ndarray) -> list[np.ndarray | None]:
    """Forward on a batch of one, then autograd: ``[y, dx, dw_1, db_1, ...]``."""
    owner: dict[int, Any] = {}
    for p, (w, b) in zip(nd.parameters, params):
        m = modules[p.positions[0]]
        owner[id(p)] = m
        with torch.no_grad():
            if w is not None:
                m.weight.copy_(torch.from_numpy(w.reshape(tuple(m.weight.shape))))
            if b is not None:
                m.bias.copy_(torch.from_numpy(b))
    net = torch.nn.Sequential(*modules)
    xt = torch.from_numpy(x.reshape(tuple(nd.input.shape))).clone()[None].requires_grad_(True)
    net.zero_grad()
    y = net(xt)
    y.backward(torch.from_numpy(g.reshape(tuple(nd.output.shape)))[None])
    out: list[np.ndarray | None] = [y.detach()[0].numpy().reshape(-1),
                                    xt.grad[0].numpy().reshape(-1)]
    for p, (w, b) in zip(nd.parameters, params):
        m = owner[id(p)]
        out.append(None if w is None else m.weight.grad.numpy().reshape(-1))
        out.append(None if b is None else m.bias.grad.numpy().reshape(-1))
    return out


# ------------------------------------------------------------- NumPy chain


def _numpy_forward(nd: NetworkDerivation, x: np.ndarray,
                   params: list[tuple[np.ndarray | None, np.ndarray | None]]) -> np.ndarray | None:
    """The network's output from textbook NumPy references, layer by layer; None if one lacks."""
    at = {pos: pw for p, pw in zip(nd.parameters, params) for pos in p.positions}
    v = x.reshape(tuple(nd.input.shape))
    for pos, ld in enumerate(nd.layers):
        w, b = at.get(pos, (None, None))
        if isinstance(ld, FlattenDerivation):
            v = v.reshape(-1)
        elif isinstance(ld, Derivation) and ld.spec.kind == "conv":
            s = ld.spec
            w = w.reshape(s.weight_shape) if w is not None else None
            v = _reference.conv_nd(v, w, b, stride=s.stride, padding=s.padding,
                                   dilation=s.dilation, groups=s.groups,
                                   padding_mode=s.padding_mode)
        elif isinstance(ld, Derivation) and ld.spec.kind == "transpose":
            s = ld.spec
            w = w.reshape(s.weight_shape) if w is not None else None
            v = _reference.conv_transpose_nd(
                v, w, b, stride=s.stride, padding=[p for p, _ in s.padding],
                output_padding=s.output_padding, dilation=s.dilation, groups=s.groups)
        elif getattr(ld, "kind", None) is not None:
            shape = tuple(ld.weight.shape) if ld.weight is not None else None
            w = w.reshape(shape) if w is not None and shape is not None else w
            if b is not None and ld.bias is not None:
                b = b.reshape(tuple(ld.bias.shape))
            try:
                v = numpy_layer(ld, v, w, b, np.zeros(tuple(ld.output.shape)))[0]
            except (AttributeError, KeyError, TypeError):
                return None
            if v is None:
                return None
        else:
            return None
    return np.asarray(v, dtype=np.float64).reshape(-1)


def reference_runs(nd: NetworkDerivation, notes: list[str]) -> list[tuple[str, Any]]:
    torch: Any
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        made: dict[int, Any] = {}  # one module per layer object: tied positions share it
        modules = [made.setdefault(id(layer), torch_module(torch, layer, ld))
                   for layer, ld in zip(nd.network.layers, nd.layers)]
        if all(m is not None for m in modules):

            def run(x: np.ndarray, params: Any, g: np.ndarray) -> list[np.ndarray | None]:
                return _torch_run(torch, modules, nd, x, params, g)

            return [("torch.nn.Sequential + autograd", run)]
        missing = [repr(layer) for layer, m in zip(nd.network.layers, modules) if m is None]
        notes.append(f"No torch module for {', '.join(missing)}: compared with NumPy instead.")
    else:
        notes.append("PyTorch is not installed: compared with NumPy references and finite "
                     "differences instead.")
    return [("NumPy layer references + finite differences", lambda x, params, g:
             _numpy_run(nd, x, params, g))]


def _numpy_run(nd: NetworkDerivation, x: np.ndarray, params: Any,
               g: np.ndarray) -> list[np.ndarray | None]:
    y = _numpy_forward(nd, x, params)
    if y is None:
        return [None] * (2 + 2 * len(params))
    out: list[np.ndarray | None] = [y]
    if x.size + sum(0 if a is None else a.size for pw in params for a in pw) > FD_LIMIT:
        return out + [None] * (1 + 2 * len(params))

    def loss(xv: np.ndarray, pv: Any) -> float:
        yv = _numpy_forward(nd, xv, pv)
        return float(np.dot(yv, g)) if yv is not None else float("nan")

    def fd(get: Any, put: Any, n: int) -> np.ndarray:
        h = 1e-6
        res = np.empty(n)
        for j in range(n):
            res[j] = (loss(*put(j, h)) - loss(*put(j, -h))) / (2 * h)
        return res

    def bump_x(j: int, h: float) -> tuple[np.ndarray, Any]:
        xv = x.copy()
        xv[j] += h
        return xv, params

    out.append(fd(None, bump_x, x.size))
    for k, (w, b) in enumerate(params):
        for which, a in ((0, w), (1, b)):
            if a is None:
                out.append(None)
                continue

            def bump(j: int, h: float, k: int = k, which: int = which) -> tuple[Any, Any]:
                pv = [list(pw) for pw in params]
                arr = pv[k][which].copy()
                arr[j] += h
                pv[k][which] = arr
                return x, [tuple(pw) for pw in pv]

            out.append(fd(None, bump, a.size))
    return out
