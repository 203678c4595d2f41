"""A network's layers on float64 arrays: each layer's own structure, vectorised (core layer).

A network with a float input and numeric parameters needs no SymPy between its
layers: every layer is a table it already holds --

- convolutions, ``Linear``, locally connected, tiled and average pooling: the
  taps ``(o, i, k)`` (``y[o] = sum w[k] x[i] + b[beta(o)]``);
- max pooling: its windows (the taps ``(o, i)`` without weights);
- ``Flatten``: the identity on the flat values;
- ReLU, Sigmoid, Tanh: the elementwise function (NumPy's, the same formula).

:func:`layer_taps` reads that table from a layer derivation (public attributes
only) and :func:`numeric_forward` evaluates it on arrays of shape
``(entries, trials)``; ``backward/_numeric_backward.py`` does the same for the
backward pass.  A layer outside this list gives ``None`` and the caller keeps
the exact SymPy path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy

from ..boundary._values import to_array
from ._activations import RELU, SIGMOID, TANH, ActivationDerivation
from ._derivation import Derivation
from ._flatten import FlattenDerivation
from ._symbolic import float_numbers
from ._tapped import TapLayerDerivation

__all__ = [
    "LayerTaps",
    "activation_forward",
    "builtin_activation",
    "column_bincount",
    "float_input",
    "layer_parameter",
    "layer_taps",
    "numeric_forward",
    "numeric_step",
    "output_shape",
    "pool_windows",
    "sympy_floats",
    "tap_forward",
]


@dataclass(frozen=True)
class LayerTaps:
    """The tap table of an affine layer, flat indices, as the numeric passes read it.

    ``fixed`` holds the coefficients (float64, indexed by ``k``) of a layer
    without weight parameters (average pooling); ``bias_index`` maps every flat
    output to its flat bias (None without a bias).
    """

    o: np.ndarray
    i: np.ndarray
    k: np.ndarray
    n_out: int
    n_in: int
    n_weight: int
    bias_index: np.ndarray | None
    n_bias: int
    fixed: np.ndarray | None


def layer_taps(ld: Any) -> LayerTaps | None:
    """The taps of a convolution or a tap layer (``Linear``...); None for other layers."""
    if isinstance(ld, Derivation):
        s = ld.spec
        if s.kind not in ("conv", "transpose"):
            return None
        t = ld.taps
        n_out = int(np.prod(s.output_shape))
        per_channel = int(np.prod(s.output_shape[1:]))
        bias = np.arange(n_out, dtype=np.int64) // per_channel if s.bias else None
        n_bias = int(s.output_shape[0]) if s.bias else 0
        return LayerTaps(t.o, t.i, t.k, n_out, t.n_in, t.n_weight, bias, n_bias, None)
    if isinstance(ld, TapLayerDerivation):
        fixed = None
        if ld.weight_shape is None:
            fixed = np.array([float(c) for c in ld.coefficients], dtype=np.float64)
        n_w = 0 if ld.weight_shape is None else int(np.prod(ld.weight_shape))
        bias = None if ld.bias_values is None else ld.bias_index
        n_bias = 0 if ld.bias_values is None else int(ld.bias_values.size)
        return LayerTaps(ld.o, ld.i, ld.k, ld.n_out, ld.n_in, n_w, bias, n_bias, fixed)
    return None


def pool_windows(ld: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Max pooling's windows: flat ``i`` of every member (by output) and each window's start."""
    if getattr(ld, "kind", None) != "maxpool":
        return None
    o, i = np.asarray(ld.o, dtype=np.int64), np.asarray(ld.i, dtype=np.int64)
    starts = np.searchsorted(o, np.arange(ld.n_out))
    if o.size == 0 or np.any(np.diff(np.append(starts, o.size)) == 0):
        return None  # an empty window: leave it to the exact path
    return o, i, starts


def sympy_floats(values: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Float64 values as an object array of SymPy ``Float`` of ``shape`` (C order).

    Zeros (ReLU's and max pooling's are many) share one ``Float(0.0)``: SymPy
    numbers are immutable, and ``Float`` builds a zero slowly.
    """
    flat = np.asarray(values, dtype=np.float64).reshape(-1)
    out = np.empty(flat.size, dtype=object)
    zero = flat == 0
    out[zero] = sympy.Float(0.0)
    rest = np.flatnonzero(~zero)
    if rest.size:
        out[rest] = float_numbers(flat[rest])
    return out.reshape(shape)


def column_bincount(index: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    """Column by column ``bincount``: sums of ``weights`` (taps x trials) per ``index``."""
    out = np.empty((n, weights.shape[1]), dtype=np.float64)
    for t in range(weights.shape[1]):
        out[:, t] = np.bincount(index, weights=weights[:, t], minlength=n)
    return out


def _weights(w: np.ndarray | None) -> np.ndarray:
    if w is None:
        raise ValueError("`w`: a tap layer with weight parameters needs their values")
    return w


def tap_forward(t: LayerTaps, x: np.ndarray, w: np.ndarray | None,
                b: np.ndarray | None) -> np.ndarray:
    """``y[o] = sum w[k] x[i] (+ b[beta(o)])`` for ``x`` of shape ``(n_in, trials)``."""
    coef = t.fixed[t.k][:, None] if t.fixed is not None else _weights(w)[t.k]
    y = column_bincount(t.o, coef * x[t.i], t.n_out)
    if t.bias_index is not None and b is not None:
        y += b[t.bias_index]
    return y


def activation_forward(name: str, z: np.ndarray) -> np.ndarray:
    """``f(z)`` for the built-in activations (``"relu"``, ``"sigmoid"``, ``"tanh"``)."""
    if name == "relu":
        return np.where(z > 0, z, 0.0)
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    return np.tanh(z)


def builtin_activation(ld: Any) -> str | None:
    """``"relu"``/``"sigmoid"``/``"tanh"`` for a built-in activation's derivation, else None."""
    if isinstance(ld, ActivationDerivation) and ld.function in (RELU, SIGMOID, TANH):
        return ld.function.torch_name
    return None


def numeric_forward(ld: Any, x: np.ndarray, w: np.ndarray | None,
                    b: np.ndarray | None) -> np.ndarray | None:
    """Layer ``ld``'s output on float arrays ``(entries, trials)`` in C order; None if unknown.

    ``w`` and ``b`` are the flat parameters (C order, as ``ld.weight``/``ld.bias``).
    """
    if isinstance(ld, FlattenDerivation):
        return x
    taps = layer_taps(ld)
    if taps is not None:
        return tap_forward(taps, x, w, b)
    name = builtin_activation(ld)
    if name is not None:
        return activation_forward(name, x)
    windows = pool_windows(ld)
    if windows is not None:
        _, i, starts = windows
        return np.maximum.reduceat(x[i], starts, axis=0)
    return None


# ------------------------------------------------ the numeric path of Sequential.derive


def layer_parameter(a: Any) -> Any:
    """A float parameter as SymPy ``Float`` objects made in bulk (what the layer would make)."""
    if isinstance(a, np.ndarray) and a.dtype.kind == "f":
        return sympy_floats(a, a.shape)
    return a


def float_input(x: object, xa: np.ndarray) -> np.ndarray | None:
    """The input as flat float64 when it was given as floats (the numeric path), else None."""
    if x is None:
        return None
    raw = x if isinstance(x, np.ndarray) else to_array("x", x)
    if raw.dtype.kind != "f" or raw.size != xa.size:
        return None
    return np.asarray(raw, dtype=np.float64).reshape(-1)


def _numeric_flat(a: np.ndarray | None) -> np.ndarray | None:
    """A given parameter as flat float64, or None if it holds anything but real numbers."""
    if a is None or a.dtype.kind not in "fiu":
        return None
    return a.astype(np.float64).reshape(-1)


def numeric_step(ld: Any, x: np.ndarray, weight: np.ndarray | None,
                 bias: np.ndarray | None) -> np.ndarray | None:
    """Layer ``ld``'s output on the float input ``x`` (flat), or None to leave the numeric path.

    ``weight``/``bias`` are the parameters as given (None when the layer has none).
    """
    w, b = _numeric_flat(weight), _numeric_flat(bias)
    if (weight is not None and w is None) or (bias is not None and b is None):
        return None  # a symbolic parameter
    y = numeric_forward(ld, x[:, None], None if w is None else w[:, None],
                        None if b is None else b[:, None])
    return None if y is None else y[:, 0]


def output_shape(ld: Any) -> tuple[int, ...]:
    """A layer derivation's output shape, read without building its output."""
    spec = getattr(ld, "spec", None)
    if spec is not None:
        return tuple(spec.output_shape)
    shape = getattr(ld, "out_shape", None)
    return tuple(shape) if shape is not None else tuple(ld.output.shape)
