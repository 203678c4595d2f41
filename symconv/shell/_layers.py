"""Layer style: ``Conv1d``..``ConvTranspose3d`` with PyTorch's signatures and rules.

Layer: shell (the front door).  Explicit typed subclasses, so a type checker
catches a misspelt keyword.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..boundary._spec import LayerParams, PaddingMode, input_size_from, layer_params, layer_spec
from ..boundary._values import to_array
from ..core._derivation import Derivation
from ..core._general_build import derive_general, general_layer, is_general, is_symbolic


def _params(ndim: int, transposed: bool, *args: Any) -> Any:
    """Validated layer arguments; general (SymPy) sizes dispatch to the general law."""
    if is_symbolic(args):
        return general_layer(ndim, transposed, *args)
    return layer_params(ndim, transposed, *args)


class _ConvNd:
    """Shared machinery of the layer classes (PyTorch semantics, no batch dimension)."""

    _ndim: int = 0
    _transposed: bool = False
    params: LayerParams

    def __repr__(self) -> str:
        # The arguments are written once (LayerParams.call_arguments); a layer of general
        # sizes holds a GeneralLayer, which has the same fields, so the text is the same.
        return f"{type(self).__name__}({LayerParams.call_arguments(self.params)})"

    # PyTorch's attribute names, read-only views of the validated parameters.
    in_channels = property(lambda self: self.params.in_channels)
    out_channels = property(lambda self: self.params.out_channels)
    kernel_size = property(lambda self: self.params.kernel_size)
    stride = property(lambda self: self.params.stride)
    padding = property(lambda self: self.params.padding)
    dilation = property(lambda self: self.params.dilation)
    groups = property(lambda self: self.params.groups)
    padding_mode = property(lambda self: self.params.padding_mode)
    output_padding = property(lambda self: self.params.output_padding)

    @property
    def weight_shape(self) -> tuple[int, ...]:
        """PyTorch's weight shape: ``(out, in/groups, *k)``; transposed ``(in, out/groups, *k)``."""
        p = self.params
        if p.transposed:
            return (p.in_channels, p.out_channels // p.groups, *p.kernel_size)
        return (p.out_channels, p.in_channels // p.groups, *p.kernel_size)

    def derive(
        self,
        input_size: object = None,
        *,
        x: object = None,
        weight: object = None,
        bias: object = None,
    ) -> Derivation:
        """Derive the layer on one input (no batch dimension): symbolic, numeric or mixed.

        Parameters
        ----------
        input_size : int or tuple of int, optional
            Spatial size of the input (``(H, W)`` for 2-D), optionally preceded by
            the channel count.  Needed when ``x`` is not given.
        x : array_like, optional
            The input, shape ``(in_channels, *input_size)``; symbols ``x_c_...``
            when omitted.
        weight : array_like, optional
            Shape :attr:`weight_shape`; symbols ``w_...`` when omitted.
        bias : array_like, optional
            Shape ``(out_channels,)``; symbols ``b_...`` when omitted (and the layer
            has a bias).  Giving a bias to a layer built with ``bias=False`` is an error.

        Returns
        -------
        Derivation

        Raises
        ------
        ValueError
            Missing or inconsistent sizes, wrong shapes, a kernel larger than the
            padded input, padding too large for reflect/circular padding.
        TypeError
            Text or other non-numeric values.
        """
        p = self.params
        if is_general(p, input_size):  # general sizes (symbols): one formula per view
            return derive_general(p, input_size, x=x, weight=weight, bias=bias)
        xa = None if x is None else to_array("x", x)
        if xa is not None:
            if xa.ndim != p.ndim + 1 or xa.shape[0] != p.in_channels:
                raise ValueError(
                    f"`x` must have shape (in_channels={p.in_channels}, *spatial) with "
                    f"{p.ndim} spatial dimension{'s' if p.ndim > 1 else ''} (no batch "
                    f"dimension), got shape {xa.shape}"
                )
            size = tuple(int(v) for v in xa.shape[1:])
            if 0 in size:
                raise ValueError(f"`x` must not be empty, got shape {xa.shape}")
            if input_size is not None and input_size_from(p, input_size) != size:
                raise ValueError(
                    f"`input_size` {input_size!r} disagrees with the shape of `x` {xa.shape}"
                )
        elif input_size is None:
            raise ValueError("`input_size` is required when `x` is not given")
        else:
            size = input_size_from(p, input_size)
        spec = layer_spec(p, size)
        wa = None if weight is None else _shaped("weight", weight, self.weight_shape)
        ba = None
        if bias is not None:
            if not p.bias:
                raise ValueError("`bias` was given but the layer was built with bias=False")
            ba = _shaped("bias", bias, (p.out_channels,))
        return Derivation(spec, xa, wa, ba)


def _shaped(name: str, value: object, shape: tuple[int, ...]) -> np.ndarray:
    arr = to_array(name, value)
    if arr.shape != shape:
        raise ValueError(f"`{name}` must have shape {shape}, got shape {arr.shape}")
    return arr


class _Conv(_ConvNd):
    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: PaddingMode = "zeros",
    ) -> None:
        self.params = _params(
            self._ndim, False, in_channels, out_channels, kernel_size, stride, padding,
            dilation, groups, bias, padding_mode,
        )


class _ConvTranspose(_ConvNd):
    _transposed = True

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        output_padding: Any = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: Any = 1,
        padding_mode: PaddingMode = "zeros",
    ) -> None:
        self.params = _params(
            self._ndim, True, in_channels, out_channels, kernel_size, stride, padding,
            dilation, groups, bias, padding_mode, output_padding,
        )


_CONV_DOC = """{n}-D convolution layer with PyTorch's ``nn.Conv{n}d`` signature and semantics.

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size, stride, dilation : int or tuple of {n} ints
    padding : int, tuple of {n} ints, "valid" or "same"
        ``"same"`` pads ``dilation * (k - 1)`` in total, ``// 2`` on the left (as
        PyTorch) and needs stride 1.
    groups : int
        Must divide both channel counts.
    bias : bool
    padding_mode : {{"zeros", "reflect", "replicate", "circular"}}

    Raises
    ------
    ValueError, TypeError
        Non-positive sizes, channels not divisible by ``groups``, unknown
        ``padding``/``padding_mode``, ``"same"`` with a stride, tuples of the wrong length.

    Notes
    -----
    Output size per axis: ``(n + lo + hi - dilation * (k - 1) - 1) // stride + 1``.
    The weight has shape ``(out_channels, in_channels // groups, *kernel_size)``.

    Examples
    --------
    >>> import symconv as sc
    >>> d = sc.Conv{n}d(1, 2, kernel_size=3, padding=1).derive(input_size={size})
    >>> d.output.shape, d.weight.shape, d.matrix.shape
    ({out}, {weight}, {matrix})
    """

_TRANSPOSE_DOC = """{n}-D transposed convolution with PyTorch's ``nn.ConvTranspose{n}d`` signature.

    Its matrix is the transpose of the matching ``Conv{n}d``'s matrix (same weight).

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size, stride, padding, output_padding, dilation : int or tuple of {n} ints
        ``output_padding`` must be smaller than ``stride`` or ``dilation``.
    groups : int
    bias : bool
    padding_mode : "zeros"
        The only mode PyTorch supports for transposed convolutions.

    Notes
    -----
    Output size per axis:
    ``(n - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding + 1``.
    The weight has shape ``(in_channels, out_channels // groups, *kernel_size)``.

    Examples
    --------
    >>> import symconv as sc
    >>> up = sc.ConvTranspose{n}d(2, 1, kernel_size=2, stride=2).derive(input_size={t_in})
    >>> up.output.shape, up.weight.shape
    ({t_out}, {t_weight})
    >>> down = sc.Conv{n}d(1, 2, kernel_size=2, stride=2, bias=False).derive(
    ...     input_size={t_size}, weight=up.weight)
    >>> up.matrix == down.matrix.T
    True
    """


def _doc(template: str, n: int) -> str:
    """A layer's docstring: the template with its ``n``-D example shapes filled in."""

    def shape(*parts: object) -> str:
        return str(tuple(int(v) for part in parts for v in
                         (part if isinstance(part, tuple) else (part,))))

    return template.format(
        n=n,
        size="4" if n == 1 else str((4,) * n),
        out=shape(2, (4,) * n), weight=shape(2, 1, (3,) * n),
        matrix=shape(2 * 4**n, 4**n),
        t_out=shape(1, (6,) * n), t_weight=shape(2, 1, (2,) * n),
        t_in="3" if n == 1 else str((3,) * n),
        t_size="6" if n == 1 else str((6,) * n),
    )


# Explicit subclasses (not ``type()``): a type checker sees each class and its typed
# ``__init__``, so ``Conv2d(1, 6, 5, paddin=1)`` is an error before it runs.


class Conv1d(_Conv):
    __doc__ = _doc(_CONV_DOC, 1)
    __module__ = "symconv"
    _ndim = 1


class Conv2d(_Conv):
    __doc__ = _doc(_CONV_DOC, 2)
    __module__ = "symconv"
    _ndim = 2


class Conv3d(_Conv):
    __doc__ = _doc(_CONV_DOC, 3)
    __module__ = "symconv"
    _ndim = 3


class ConvTranspose1d(_ConvTranspose):
    __doc__ = _doc(_TRANSPOSE_DOC, 1)
    __module__ = "symconv"
    _ndim = 1


class ConvTranspose2d(_ConvTranspose):
    __doc__ = _doc(_TRANSPOSE_DOC, 2)
    __module__ = "symconv"
    _ndim = 2


class ConvTranspose3d(_ConvTranspose):
    __doc__ = _doc(_TRANSPOSE_DOC, 3)
    __module__ = "symconv"
    _ndim = 3
