"""`from_torch` for networks: ``nn.Sequential`` and the layers around convolution (shell layer).

Each supported ``torch.nn`` module becomes the symconv layer with the same
hyper-parameters (``Linear``, ``ReLU``, ``Sigmoid``, ``Tanh``, ``MaxPool1d/2d``,
``AvgPool1d/2d``, ``Flatten``, and the convolutions of :mod:`._torch`); an
``nn.Sequential`` becomes a :class:`~symconv.core._sequential.Sequential`
whose parameters are the modules' own (float64), derived on one sample.
The same module object at several positions is one symconv layer: its
parameters are tied, and their gradients sum, as autograd does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core._sequential import Flatten, NetworkDerivation, Sequential
from . import _network_layers as nl
from ._torch import conv_from_torch, torch_class, unsupported

Parts = tuple[Any, "np.ndarray | None", "np.ndarray | None"]


def _refuse(module: Any, option: str, value: object, allowed: str) -> ValueError:
    return ValueError(
        f"`module` ({type(module).__name__}) has `{option}`={value!r}; symconv models "
        f"{allowed} only"
    )


def layer_from_torch(torch: Any, module: Any) -> Parts:
    """The symconv layer of one supported torch module, with its weight and bias."""
    name = torch_class(torch, module, ("Linear", "ReLU", "Sigmoid", "Tanh", "MaxPool1d",
                                       "MaxPool2d", "AvgPool1d", "AvgPool2d", "Flatten"))
    if name is None:
        return conv_from_torch(torch, module)
    if name == "Linear":
        if isinstance(module.weight, torch.nn.parameter.UninitializedParameter):
            raise ValueError("`module` (LazyLinear) has uninitialised parameters; run it once "
                             "on an input before calling from_torch")
        layer = nl.Linear(module.in_features, module.out_features, bias=module.bias is not None)
        bias = None if module.bias is None else _numpy(torch, module.bias)
        return layer, _numpy(torch, module.weight), bias
    if name in ("ReLU", "Sigmoid", "Tanh"):
        return getattr(nl, name)(), None, None
    if name == "Flatten":
        if (module.start_dim, module.end_dim) != (1, -1):
            raise _refuse(module, "start_dim, end_dim", (module.start_dim, module.end_dim),
                          "(1, -1), flattening each sample of a batch")
        return Flatten(), None, None
    ceil = bool(module.ceil_mode)  # torch's rounding up; core/_pooling.pool_spec models it
    if name.startswith("MaxPool"):
        if module.return_indices:
            raise _refuse(module, "return_indices", True, "return_indices=False")
        layer = getattr(nl, name)(module.kernel_size, module.stride, module.padding,
                                  module.dilation, ceil_mode=ceil)
        return layer, None, None
    divisor = getattr(module, "divisor_override", None)  # AvgPool2d only
    if divisor is not None:
        raise _refuse(module, "divisor_override", divisor, "None")
    layer = getattr(nl, name)(module.kernel_size, module.stride, module.padding,
                              count_include_pad=module.count_include_pad, ceil_mode=ceil)
    return layer, None, None


def _children(torch: Any, seq: Any) -> list[Any]:
    out: list[Any] = []
    for child in seq:
        if isinstance(child, torch.nn.Sequential):
            out.extend(_children(torch, child))
        else:
            out.append(child)
    return out


def sequential_from_torch(torch: Any, seq: Any, input_size: object,
                          x: object) -> NetworkDerivation:
    """The :class:`NetworkDerivation` of an ``nn.Sequential`` (see :func:`symconv.from_torch`)."""
    modules = _children(torch, seq)
    if not modules:
        raise ValueError("`module` is an empty torch.nn.Sequential: there is nothing to derive")
    made: dict[int, Any] = {}
    layers: list[Any] = []
    weights: list[np.ndarray | None] = []
    biases: list[np.ndarray | None] = []
    for pos, m in enumerate(modules):
        if id(m) in made:  # the same module again: one tied layer, parameters given once
            layers.append(made[id(m)])
            weights.append(None)
            biases.append(None)
            continue
        if torch_class(torch, m, ("Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d",
                            "ConvTranspose2d", "ConvTranspose3d", "Linear", "ReLU",
                            "Sigmoid", "Tanh", "MaxPool1d", "MaxPool2d", "AvgPool1d",
                            "AvgPool2d", "Flatten")) is None:
            exc = unsupported(m)
            raise TypeError(f"`module`[{pos}] in the Sequential: {exc}") from None
        try:
            layer, w, b = layer_from_torch(torch, m)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"`module`[{pos}] in the Sequential: {exc}") from None
        made[id(m)] = layer
        layers.append(layer)
        weights.append(w)
        biases.append(b)
    xa = _numpy(torch, x) if isinstance(x, torch.Tensor) else x
    return Sequential(*layers).derive(input_size, x=xa, weights=weights, biases=biases)


def _numpy(torch: Any, tensor: Any) -> np.ndarray:
    """A detached CPU copy as float64 (complex128 for complex tensors); exact for float32."""
    t = tensor.detach().cpu()
    t = t.to(torch.complex128) if t.is_complex() else t.to(torch.float64)
    return np.asarray(t.numpy())
