"""``LayerStats``: the structure of a layer of the family, counted from its taps (core layer)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["LayerStats"]


@dataclass(frozen=True)
class LayerStats:
    """Structure of an affine layer read from its tap table (no SymPy).

    Attributes
    ----------
    products : int
        Number of coefficient-times-input products (taps).
    matrix_shape : tuple of int
        Shape of the layer matrix T (outputs x inputs).
    nonzeros, structural_zeros : int
        Entries of T reached by some tap, and entries no tap reaches.
    tie_counts : numpy.ndarray or None
        For each weight (weight shape), how many entries of T it occupies;
        None for a layer without parameters.
    parameters : int
        Weights plus biases.
    dense_parameters : int
        Weights plus biases of the dense layer with the same input and output.
    """

    products: int
    matrix_shape: tuple[int, int]
    nonzeros: int
    structural_zeros: int
    tie_counts: np.ndarray | None
    parameters: int
    dense_parameters: int

    @property
    def tied_weights(self) -> int:
        """Number of weights that occupy more than one entry of T."""
        return 0 if self.tie_counts is None else int(np.count_nonzero(self.tie_counts > 1))

    def __str__(self) -> str:
        rows, cols = self.matrix_shape
        lines = [
            ("products", f"{self.products:,}"),
            ("matrix T", f"{rows:,} x {cols:,}"),
            ("non-zeros of T", f"{self.nonzeros:,}"),
            ("structural zeros", f"{self.structural_zeros:,}"),
            ("tied weights", f"{self.tied_weights:,}"),
            ("parameters", f"{self.parameters:,} (dense layer: {self.dense_parameters:,})"),
        ]
        return "\n".join(f"{name:<19}{value}" for name, value in lines)
