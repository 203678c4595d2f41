"""The backward view of a layer without parameters, written once (core layer).

Activations and max pooling share it: the upstream gradient ``g = dL/dy`` in,
``dL/dx`` out, no weight and no bias.  A subclass computes ``_input`` (the
NumPy object array of ``dL/dx``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy

from ._tapped import as_array

__all__ = ["ParameterFreeGradient"]


class ParameterFreeGradient:
    """``g = dL/dy`` in, ``dL/dx`` out (``_input``, from the subclass); no weight, no bias."""

    weight = None
    bias = None

    def __init__(self, d: Any, g: np.ndarray) -> None:
        self.derivation = d
        self._g = g

    @property
    def _input(self) -> np.ndarray:
        raise NotImplementedError("a subclass computes dL/dx")

    def arrays(self) -> dict[str, np.ndarray | None]:
        """The views as NumPy object arrays (no SymPy Array indexing): a fast read."""
        return {"output": self._g, "input": self._input, "weight": None, "bias": None}

    @property
    def output(self) -> sympy.Array:
        """The upstream gradient ``g = dL/dy``."""
        return as_array(self._g)
