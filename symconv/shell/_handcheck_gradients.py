"""Hand-computed gradients: which convention's backward pass gives the claimed dL/dw or dL/dx.

Layer: shell.  For every convention :func:`symconv.check_hand` tries (a window
of the full result of one operation), the forward output ``y`` is built with
the variable of interest as symbols; with the upstream gradient ``g`` the loss
is ``L = sum(g * y)`` and the claimed gradient is compared, exactly, with
``dL/dw[k] = sum over o of g[o] * dy[o]/dw[k]`` (or ``dL/dx[i]``).  A tied
weight sums over every output it reaches: that is the sum shown for each
element.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import sympy
from sympy import Basic

from ..boundary._values import symbols
from ._handcheck_windows import Window, equal, nearest, same_value
from ._signal import convolve, correlate

#: What a gradient claim can be about.
WRT: tuple[str, ...] = ("w", "x")


def gradient_results(
    xa: np.ndarray,
    wa: np.ndarray,
    g: np.ndarray,
    windows: dict[tuple[str, str], Window],
    wrt: str,
) -> tuple[dict[tuple[str, str], np.ndarray], dict[tuple[str, str], list[list[tuple[Any, Any]]]]]:
    """Per convention whose output has the shape of ``g``: the gradient, and its products.

    ``products[c][j]`` lists the ``(g[o], factor)`` pairs summed into element ``j``.
    """
    fns: dict[str, Callable[..., Any]] = {"convolve": convolve, "correlate": correlate}
    var = symbols(wrt, (wa if wrt == "w" else xa).shape)
    flat_var = var.reshape(-1).tolist()
    full = {}
    for op, fn in fns.items():
        d = fn(xa, var, "full") if wrt == "w" else fn(var, wa, "full")
        out = np.empty(len(d.flat_output), dtype=object)
        out[:] = d.flat_output
        full[op] = out.reshape(d.spec.output_shape)
    grads: dict[tuple[str, str], np.ndarray] = {}
    products: dict[tuple[str, str], list[list[tuple[Any, Any]]]] = {}
    for c, win in windows.items():
        y = win.cut(full[c[0]])
        if y is None or y.shape != g.shape:
            continue
        pairs: list[list[tuple[Any, Any]]] = [[] for _ in flat_var]
        for o in np.ndindex(*y.shape):
            if g[o] == 0:
                continue
            coeffs = sympy.Poly(y[o], *flat_var).as_dict() if y[o] != 0 else {}
            for monomial, coeff in coeffs.items():
                if sum(monomial) != 1:
                    continue  # y is linear in the variable: no constant term to attribute
                j = monomial.index(1)
                pairs[j].append((g[o], coeff))
        grads[c] = np.array([sympy.Add(*[a * b for a, b in p]) for p in pairs],
                            dtype=object).reshape(var.shape)
        products[c] = pairs
    return grads, products


def gradient_text(label: str, pairs: list[tuple[Any, Any]], value: Basic,
                  factor: Callable[[Basic], str]) -> str:
    """``dw_0 = 1*1 + 2*2 = 5``: the products a gradient element ``label`` sums."""
    text = " + ".join(f"{factor(sympy.sympify(a))}*{factor(sympy.sympify(b))}"
                      for a, b in pairs) or "0"
    return f"{label} = {text} = {value}"


def compare(
    grads: dict[tuple[str, str], np.ndarray], claim: np.ndarray
) -> tuple[list[tuple[str, str]], tuple[str, str] | None, tuple[int, ...] | None]:
    """``(matches, closest, first wrong index)`` of a gradient claim."""
    matches = [c for c, v in grads.items() if equal(v, claim)]
    if matches or not grads:
        return matches, None, None
    cut: dict[tuple[str, str], np.ndarray | None] = dict(grads)
    closest = nearest(cut, claim)
    right = grads[closest]
    if right.shape != claim.shape:
        return [], closest, None
    wrong = [j for j, (a, b) in enumerate(zip(right.flat, claim.flat)) if not same_value(a, b)]
    return [], closest, tuple(int(v) for v in np.unravel_index(wrong[0], claim.shape))
