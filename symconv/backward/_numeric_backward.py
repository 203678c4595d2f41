"""A network's backward pass on float64 arrays, from each layer's own table (backward layer).

The chain rule of :mod:`symconv.backward._network_gradient` on numbers, for
the layers :mod:`symconv.core._numeric_layers` knows, vectorised over the
table and over trials (arrays ``(entries, trials)``):

- a tap layer: ``dL/dx[i] = sum w[k] g[o]``, ``dL/dw[k] = sum x[i] g[o]``,
  ``dL/db[j] = sum of g[o]`` over ``beta(o) = j`` (``bincount`` over the taps);
- max pooling: ``g[o]`` to the *first* maximum of window ``o`` (torch's rule);
- an activation: ``f'(z) * g`` (``f'`` given by the caller, or NumPy's for the
  built-ins, ReLU'(0) = 0 as torch);
- ``Flatten``: ``g`` unchanged.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core._flatten import FlattenDerivation
from ..core._numeric_layers import (
    builtin_activation,
    column_bincount,
    layer_taps,
    pool_windows,
)

__all__ = ["activation_prime", "numeric_backward"]

Grads = tuple[np.ndarray, np.ndarray | None, np.ndarray | None]


def activation_prime(name: str, z: np.ndarray) -> np.ndarray:
    """``f'(z)`` of a built-in activation (ReLU'(0) = 0, as torch's ``threshold_backward``)."""
    if name == "relu":
        return (z > 0).astype(np.float64)
    if name == "sigmoid":
        s = 1.0 / (1.0 + np.exp(-z))
        return s * (1.0 - s)
    return 1.0 - np.tanh(z) ** 2


def numeric_backward(ld: Any, x: np.ndarray, w: np.ndarray | None, g: np.ndarray,
                     prime: np.ndarray | None = None) -> Grads | None:
    """``(dL/dx, dL/dw, dL/db)`` of layer ``ld`` at input ``x`` for upstream ``g``; None if unknown.

    ``x``, ``w`` and ``g`` are float arrays ``(entries, trials)`` in C order;
    ``prime`` (an activation's ``f'(z)``, same shape as ``x``) replaces NumPy's
    derivative of a built-in activation, and is required for any other one.
    """
    if isinstance(ld, FlattenDerivation):
        return g, None, None
    taps = layer_taps(ld)
    if taps is not None:
        if taps.fixed is None and w is None:
            raise ValueError("`w`: a tap layer with weight parameters needs their values")
        coef = taps.fixed[taps.k][:, None] if taps.fixed is not None else w[taps.k]  # type: ignore[index]
        go = g[taps.o]
        dx = column_bincount(taps.i, coef * go, taps.n_in)
        dw = None if taps.fixed is not None else column_bincount(taps.k, x[taps.i] * go,
                                                           taps.n_weight)
        db = None
        if taps.bias_index is not None:
            db = column_bincount(taps.bias_index, g, taps.n_bias)
        return dx, dw, db
    if getattr(ld, "kind", None) == "activation":
        if prime is None:
            name = builtin_activation(ld)
            if name is None:
                return None
            prime = activation_prime(name, x)
        return prime * g, None, None
    windows = pool_windows(ld)
    if windows is not None:
        o, i, starts = windows
        v = x[i]
        top = np.maximum.reduceat(v, starts, axis=0)
        n_taps = i.size
        tap = np.arange(n_taps, dtype=np.int64)[:, None]
        first = np.minimum.reduceat(np.where(v == top[o], tap, n_taps), starts, axis=0)
        dx = np.zeros_like(x, dtype=np.float64)
        for t in range(x.shape[1]):
            ok = first[:, t] < n_taps
            dx[:, t] = np.bincount(i[first[ok, t]], weights=g[ok, t], minlength=x.shape[0])
        return dx, None, None
    return None
