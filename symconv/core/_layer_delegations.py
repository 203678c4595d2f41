"""The checks and LaTeX every layer derivation delegates upward, written once (core layer).

:class:`LayerDelegations` is a mixin of the layer views (activations, max
pooling, tap layers): ``verify``, ``check`` and ``to_latex`` import the layer
above *inside the method body* (the declared exception of the layering rule,
see ``docs/architecture.md``), so importing the core never loads it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["LayerDelegations"]


class LayerDelegations:
    """``verify`` / ``check`` / ``to_latex`` of a layer derivation, delegated upward."""

    def verify(self) -> Any:
        """Exact identities (see :func:`symconv.checks._layer_checks.verify_layer`).

        Tap layers prove ``vec(y) = T vec(x) + b`` (and ``P vec(w) + b``,
        ``dL/dx = T^T g``); activations and max pooling their forward and
        backward rules.
        """
        from ..checks._layer_checks import verify_layer

        return verify_layer(self)

    def check(self, trials: int = 3, seed: int = 0) -> Any:
        """Check outputs and gradients numerically against independent references."""
        from ..checks._layer_checks import check_layer

        return check_layer(self, trials=trials, seed=seed)

    def to_latex(self, **options: Any) -> str:
        """Math-mode LaTeX of the layer's outputs (and its matrix when small)."""
        from ..rendering._layer_latex import layer_latex

        return layer_latex(self, **options)
