"""Argument helpers shared by the layer-family classes: bools, shapes, inputs (shell layer)."""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np

from ..boundary._spec import check_int
from ..boundary._values import to_array

__all__ = ["check_bool", "input_and_shape", "no_parameters", "shape_arg"]


def check_bool(name: str, value: object) -> bool:
    """``value`` if it is a bool (NumPy's too), else a TypeError naming ``name``."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"`{name}` must be True or False, got {value!r}")
    return bool(value)


def shape_arg(name: str, value: object) -> tuple[int, ...]:
    """An input shape: an int or a tuple of positive ints."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return (check_int(name, value, minimum=1),)
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise TypeError(f"`{name}` must be a tuple of integers, got {value!r}")
    if len(value) == 0:
        raise ValueError(f"`{name}` must have at least one entry, got {value!r}")
    return tuple(check_int(name, v, minimum=1) for v in value)


def input_and_shape(input_size: object, x: object) -> tuple[np.ndarray | None, tuple[int, ...]]:
    """``x`` as an array (if given) and the input shape, checked against each other."""
    if x is None:
        if input_size is None:
            raise ValueError("`input_size` is required when `x` is not given")
        return None, shape_arg("input_size", input_size)
    xa = to_array("x", x)
    if xa.ndim == 0 or 0 in xa.shape:
        raise ValueError(f"`x` must be a non-empty array, got shape {xa.shape}")
    if input_size is not None and shape_arg("input_size", input_size) != xa.shape:
        raise ValueError(f"`input_size` {input_size!r} disagrees with the shape of `x` {xa.shape}")
    return xa, tuple(int(v) for v in xa.shape)


def no_parameters(layer: object, weight: object, bias: object) -> None:
    """Refuse a weight or bias given to a layer without parameters."""
    for name, value in (("weight", weight), ("bias", bias)):
        if value is not None:
            raise ValueError(f"`{name}` was given but {type(layer).__name__} has no parameters")
