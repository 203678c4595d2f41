"""`from_torch`: the exact derivation of a real PyTorch layer or ``nn.Sequential`` (shell layer).

PyTorch stays optional: it is imported inside :func:`from_torch` only.  The
module's hyper-parameters build the matching symconv layer; its weight and
bias become float64 (or complex128) NumPy arrays, so the numeric views
(``to_scipy``, ``to_numpy``) never create SymPy objects.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _layers

#: The supported ``torch.nn`` classes, each with the symconv layer it maps to.
SUPPORTED = (
    "Conv1d",
    "Conv2d",
    "Conv3d",
    "ConvTranspose1d",
    "ConvTranspose2d",
    "ConvTranspose3d",
)

#: The other ``torch.nn`` classes ``from_torch`` reads, alone or inside ``nn.Sequential``.
NETWORK_SUPPORTED = (
    "Linear",
    "ReLU",
    "Sigmoid",
    "Tanh",
    "MaxPool1d",
    "MaxPool2d",
    "AvgPool1d",
    "AvgPool2d",
    "Flatten",
    "Sequential",
)


def from_torch(module: Any, input_size: object = None, *, x: object = None) -> Any:
    """The derivation of a ``torch.nn`` layer or ``nn.Sequential``, with its weights.

    Parameters
    ----------
    module : torch.nn module
        ``Conv1d/2d/3d``, ``ConvTranspose1d/2d/3d`` (a :class:`Derivation`), or
        ``Linear``, ``ReLU``, ``Sigmoid``, ``Tanh``, ``MaxPool1d/2d``,
        ``AvgPool1d/2d``, ``Flatten`` (their layer derivations), or an
        ``nn.Sequential`` of these (a ``NetworkDerivation``; nested ``Sequential``
        are flattened, the same module twice is one tied layer).  Weights and
        biases are copied (detached, on the CPU) as float64 arrays (complex128
        for complex layers).
    input_size : int or tuple of int, optional
        Spatial size of one input (no batch dimension), optionally preceded by
        the channel count.  Needed when ``x`` is not given.
    x : array_like or torch.Tensor, optional
        The input, shape ``(in_channels, *spatial)``; symbols ``x_...`` when
        omitted.

    Returns
    -------
    Derivation, layer derivation or NetworkDerivation
        For a convolution ``d.to_scipy()`` is the layer's exact matrix:
        ``vec(module(x)) = T vec(x) + bias``, the Jacobian of the module with
        respect to its input.  For ``nn.Sequential`` the input is one sample
        (no batch dimension) and ``input_size`` is its full shape ``(C, *spatial)``.

    Raises
    ------
    TypeError
        If ``module`` (or a module inside a ``Sequential``) is not one of the
        supported classes: its type is named and the supported ones listed.
    ValueError
        For lazy modules whose parameters are not initialised yet, options
        symconv does not model (``divisor_override``,
        ``return_indices``, a ``Flatten`` other than ``start_dim=1, end_dim=-1``),
        and the errors of the layer's ``derive`` (sizes, shapes).

    Examples
    --------
    >>> import torch, symconv as sc
    >>> conv = torch.nn.Conv1d(1, 1, 3, bias=False)
    >>> with torch.no_grad():
    ...     _ = conv.weight.copy_(torch.tensor([[[5.0, 6.0, 7.0]]]))
    >>> d = sc.from_torch(conv, input_size=4)
    >>> d.to_numpy()
    array([[5., 6., 7., 0.],
           [0., 5., 6., 7.]])
    >>> d.output
    [[5.0*x_0_0 + 6.0*x_0_1 + 7.0*x_0_2, 5.0*x_0_1 + 6.0*x_0_2 + 7.0*x_0_3]]
    >>> net = torch.nn.Sequential(torch.nn.Conv1d(1, 2, 3), torch.nn.ReLU(),
    ...                           torch.nn.MaxPool1d(2), torch.nn.Flatten())
    >>> nd = sc.from_torch(net, x=torch.randn(1, 8))
    >>> nd.output.shape, bool(nd.check())
    ((6,), True)
    """
    import torch

    if isinstance(module, torch.nn.Sequential):
        from ._torch_network import sequential_from_torch

        return sequential_from_torch(torch, module, input_size, x)
    if torch_class(torch, module, NETWORK_SUPPORTED) is not None:
        from ._torch_network import layer_from_torch

        layer, weight, bias = layer_from_torch(torch, module)
        xa = _numpy(torch, x) if isinstance(x, torch.Tensor) else x
        return layer.derive(input_size, x=xa, weight=weight, bias=bias)
    layer, weight, bias = conv_from_torch(torch, module)
    xa = _numpy(torch, x) if isinstance(x, torch.Tensor) else x
    return layer.derive(input_size, x=xa, weight=weight, bias=bias)


def torch_class(torch: Any, module: Any, names: tuple[str, ...]) -> str | None:
    """The first of ``names`` (``torch.nn`` classes) that ``module`` is an instance of."""
    return next((n for n in names if isinstance(module, getattr(torch.nn, n))), None)


def unsupported(module: Any) -> TypeError:
    """The error for a module ``from_torch`` cannot read: it is named, the supported listed."""
    every = SUPPORTED + NETWORK_SUPPORTED
    return TypeError(
        f"`module` must be a torch.nn.{', '.join(every[:-1])} or {every[-1]}, "
        f"got {type(module).__module__}.{type(module).__qualname__}"
    )


def conv_from_torch(torch: Any, module: Any) -> tuple[Any, np.ndarray, np.ndarray | None]:
    """The symconv convolution layer of a torch convolution, with its weight and bias."""
    name = torch_class(torch, module, SUPPORTED)
    if name is None:
        raise unsupported(module)
    if isinstance(module.weight, torch.nn.parameter.UninitializedParameter):
        raise ValueError(
            f"`module` ({type(module).__name__}) has uninitialised parameters; run it once "
            "on an input (lazy modules infer their shapes) before calling from_torch"
        )
    layer_cls = getattr(_layers, name)
    transposed = name.startswith("ConvTranspose")
    kwargs: dict[str, Any] = {
        "stride": tuple(module.stride),
        "padding": module.padding if isinstance(module.padding, str) else tuple(module.padding),
        "dilation": tuple(module.dilation),
        "groups": module.groups,
        "bias": module.bias is not None,
        "padding_mode": module.padding_mode,
    }
    if transposed:
        kwargs["output_padding"] = tuple(module.output_padding)
    layer = layer_cls(
        module.in_channels, module.out_channels, tuple(module.kernel_size), **kwargs
    )
    weight = _numpy(torch, module.weight)
    bias = None if module.bias is None else _numpy(torch, module.bias)
    return layer, weight, bias


def _numpy(torch: Any, tensor: Any) -> np.ndarray:
    """A detached CPU copy as float64 (complex128 for complex tensors); exact for float32."""
    t = tensor.detach().cpu()
    t = t.to(torch.complex128) if t.is_complex() else t.to(torch.float64)
    return np.asarray(t.numpy())
