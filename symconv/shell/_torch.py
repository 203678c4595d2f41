"""`from_torch`: the exact derivation of a real PyTorch convolution layer.

PyTorch stays optional: it is imported inside :func:`from_torch` only.  The
module's hyper-parameters build the matching symconv layer; its weight and
bias become float64 (or complex128) NumPy arrays, so the numeric views
(``to_scipy``, ``to_numpy``) never create SymPy objects.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core._derivation import Derivation
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


def from_torch(module: Any, input_size: object = None, *, x: object = None) -> Derivation:
    """The :class:`Derivation` of a ``torch.nn`` convolution layer, with its weights.

    Parameters
    ----------
    module : torch.nn.Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d or ConvTranspose3d
        The layer; its ``weight`` and ``bias`` are copied (detached, on the CPU)
        as float64 arrays (complex128 for complex layers).
    input_size : int or tuple of int, optional
        Spatial size of one input (no batch dimension), optionally preceded by
        the channel count.  Needed when ``x`` is not given.
    x : array_like or torch.Tensor, optional
        The input, shape ``(in_channels, *spatial)``; symbols ``x_...`` when
        omitted.

    Returns
    -------
    Derivation
        ``d.to_scipy()`` is the layer's exact matrix: ``vec(module(x)) =
        T vec(x) + bias``, the Jacobian of the module with respect to its input.

    Raises
    ------
    TypeError
        If ``module`` is not one of the supported classes (its type is named).
    ValueError
        For lazy modules whose parameters are not initialised yet, and the
        errors of the layer's ``derive`` (sizes, shapes).

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
    """
    import torch

    name = next(
        (n for n in SUPPORTED if isinstance(module, getattr(torch.nn, n))), None
    )
    if name is None:
        raise TypeError(
            f"`module` must be a torch.nn.{', '.join(SUPPORTED[:-1])} or {SUPPORTED[-1]}, "
            f"got {type(module).__module__}.{type(module).__qualname__}"
        )
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
    xa = _numpy(torch, x) if isinstance(x, torch.Tensor) else x
    return layer.derive(input_size, x=xa, weight=weight, bias=bias)


def _numpy(torch: Any, tensor: Any) -> np.ndarray:
    """A detached CPU copy as float64 (complex128 for complex tensors); exact for float32."""
    t = tensor.detach().cpu()
    t = t.to(torch.complex128) if t.is_complex() else t.to(torch.float64)
    return np.asarray(t.numpy())
