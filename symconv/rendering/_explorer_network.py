"""The explorer of a network: one section per layer, convolutions interactive (layer: rendering).

A NetworkDerivation's convolution layers are plain Derivations and get the
full explorer (each its own root, so highlighting stays within its layer);
the other layers (activations, pooling, flatten, linear, locally connected)
show their first outputs as MathML, each capped in size, read from the layer
derivation's public ``output``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sympy

from ..core._derivation import Derivation
from ._explorer_parts import flat, label
from ._mathml import escape, math, mathml

#: Outputs shown for a layer without its own explorer.
SHOWN_OUTPUTS = 12
#: Expressions with more operations than this are summarised, not printed.
MAX_OPS = 80


def _outputs(ld: Any) -> str:
    out = ld.output
    shape = tuple(int(v) for v in out.shape)
    values = flat(out)
    n = len(values)
    rows = []
    for o in range(min(n, SHOWN_OUTPUTS)):
        v = values[o]
        ops = int(sympy.count_ops(v)) if isinstance(v, sympy.Basic) else 0
        rhs = (f"<mtext>an expression of {ops:,} operations</mtext>" if ops > MAX_OPS
               else mathml(v))
        lhs = f"<mtext>{escape(label('y', o, shape))}</mtext><mo>=</mo>"
        rows.append(f'<div class="sc-formula">{math(lhs + rhs)}</div>')
    more = (f'<p class="sc-note">\u2026 and {n - SHOWN_OUTPUTS:,} more outputs.</p>'
            if n > SHOWN_OUTPUTS else "")
    return "".join(rows) + more


def network_html(nd: Any, layer_explorer: Callable[[Derivation], str], compact: bool) -> str:
    """The network's sections; ``layer_explorer`` renders a convolution layer."""
    modules = getattr(nd.network, "layers", ())
    parts = []
    for pos, ld in enumerate(nd.layers):
        name = repr(modules[pos]) if pos < len(modules) else type(ld).__name__
        shape = tuple(int(v) for v in ld.output.shape)
        head = f"<h3>Layer {pos + 1}: {escape(name)}</h3>"
        if isinstance(ld, Derivation):
            body = layer_explorer(ld)
        else:
            body = (f'<div class="symconv-explorer sc-layer" data-mode="layer">'
                    f'<p class="sc-note">output shape {escape(shape)}</p>{_outputs(ld)}</div>')
        parts.append(f"<section>{head}{body}</section>")
    cls = "symconv-network sc-compact" if compact else "symconv-network"
    return (f'<div class="{cls}" lang="en"><h2>symconv explorer: a network</h2>'
            f'<p class="sc-title">{escape(repr(nd))}</p>{"".join(parts)}</div>')
