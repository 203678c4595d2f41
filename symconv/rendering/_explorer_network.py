"""The explorer of a network: one section per layer, convolutions interactive (layer: rendering).

A NetworkDerivation's convolution layers are plain Derivations and get the
full explorer (each its own root, so highlighting stays within its layer);
the other layers (activations, pooling, flatten, linear, locally connected)
show their first outputs as MathML, each capped in size, read from the layer
derivation's public ``output``.

With a :class:`~symconv.backward._network_gradient.NetworkGradient` the page
adds the backward pass: the upstream ``dL/dy``, then per layer, last first
(the order of the chain rule), the gradient of its input and of its weight and
bias, and for a layer object used at several positions its summed (tied)
parameter gradient.  Each entry is a ``div`` with ``data-grad`` (``output``,
``input``, ``weight``, ``bias``), ``data-layer`` (1-based; 0 for the network's
output), ``data-index`` and, for a real number, ``data-value`` (Python's
shortest round-trip ``repr`` of the float): machine-readable and deterministic.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import sympy

from ..core._derivation import Derivation
from ._explorer_parts import flat, label
from ._mathml import escape, math, mathml

#: Outputs shown for a layer without its own explorer.
SHOWN_OUTPUTS = 12
#: Expressions with more operations than this are summarised, not printed.
MAX_OPS = 80


def _entries(arr: Any, letter: str, attrs: str = "", what: str = "outputs") -> str:
    """The first ``SHOWN_OUTPUTS`` entries of ``arr`` as ``letter[idx] = value`` formulas."""
    shape = tuple(int(v) for v in arr.shape)
    values = flat(arr)
    n = len(values)
    rows = []
    for o in range(min(n, SHOWN_OUTPUTS)):
        v = values[o]
        ops = int(sympy.count_ops(v)) if isinstance(v, sympy.Basic) else 0
        rhs = (f"<mtext>an expression of {ops:,} operations</mtext>" if ops > MAX_OPS
               else mathml(v))
        lhs = f"<mtext>{escape(label(letter, o, shape))}</mtext><mo>=</mo>"
        data = ""
        if attrs:
            idx = ",".join(str(int(i)) for i in np.unravel_index(o, shape))
            data = f'{attrs} data-index="{idx}"'
            v = sympy.sympify(v)
            if v.is_number and v.is_real:
                data += f' data-value="{float(v)!r}"'
        rows.append(f'<div class="sc-formula"{data}>{math(lhs + rhs)}</div>')
    more = (f'<p class="sc-note">\u2026 and {n - SHOWN_OUTPUTS:,} more {what}.</p>'
            if n > SHOWN_OUTPUTS else "")
    return "".join(rows) + more


def _outputs(ld: Any) -> str:
    return _entries(ld.output, "y")


def _backward(gn: Any, names: list[str]) -> str:
    """The backward pass: dL/dy, then each layer's gradients, last layer first."""
    top = _entries(gn.output, "dL/dy", ' data-grad="output" data-layer="0"', "entries")
    parts = [f'<h3>Upstream gradient</h3><div class="symconv-explorer sc-layer">{top}</div>']
    for pos in range(len(gn.layers) - 1, -1, -1):
        gl = gn.layers[pos]
        body = ""
        for role, letter in (("input", "dL/dx"), ("weight", "dL/dw"), ("bias", "dL/db")):
            arr = getattr(gl, role, None)
            if arr is None:
                continue
            attrs = f' data-grad="{role}" data-layer="{pos + 1}"'
            body += _entries(arr, letter, attrs, "entries")
        parts.append(f"<h3>Layer {pos + 1}: {escape(names[pos])}, backward</h3>"
                     f'<div class="symconv-explorer sc-layer">{body}</div>')
    for p in gn.parameters:
        if len(p.positions) < 2:
            continue
        where = ", ".join(str(q + 1) for q in p.positions)
        body = ""
        for role, letter in (("weight", "dL/dw"), ("bias", "dL/db")):
            arr = getattr(p, role)
            if arr is not None:
                attrs = f' data-grad="tied-{role}" data-layer="{p.positions[0] + 1}"'
                body += _entries(arr, letter, attrs, "entries")
        parts.append(f"<h3>Tied layer at positions {escape(where)}: gradients summed</h3>"
                     f'<div class="symconv-explorer sc-layer">{body}</div>')
    return (f'<section class="sc-backward"><h2>Backward pass (chain rule, last layer first)'
            f'</h2>{"".join(parts)}</section>')


def network_html(nd: Any, layer_explorer: Callable[[Derivation], str], compact: bool,
                 gradient: Any = None) -> str:
    """The network's sections; ``layer_explorer`` renders a convolution layer.

    ``gradient`` (a NetworkGradient of ``nd``) adds the backward pass.
    """
    modules = getattr(nd.network, "layers", ())
    names = [repr(modules[pos]) if pos < len(modules) else type(ld).__name__
             for pos, ld in enumerate(nd.layers)]
    parts = []
    for pos, ld in enumerate(nd.layers):
        name = names[pos]
        shape = tuple(int(v) for v in ld.output.shape)
        head = f"<h3>Layer {pos + 1}: {escape(name)}</h3>"
        if isinstance(ld, Derivation):
            body = layer_explorer(ld)
        else:
            body = (f'<div class="symconv-explorer sc-layer" data-mode="layer">'
                    f'<p class="sc-note">output shape {escape(shape)}</p>{_outputs(ld)}</div>')
        parts.append(f"<section>{head}{body}</section>")
    if gradient is not None:
        parts.append(_backward(gradient, names))
    cls = "symconv-network sc-compact" if compact else "symconv-network"
    return (f'<div class="{cls}" lang="en"><h2>symconv explorer: a network</h2>'
            f'<p class="sc-title">{escape(repr(nd))}</p>{"".join(parts)}</div>')
