"""LaTeX of a network: the forward pass layer by layer, then the backward pass (rendering layer).

Each layer is shown on its own input, in the textbook's notation: layer ``l``
maps ``a^{(l-1)}`` (``a^{(0)} = x``) to ``a^{(l)}`` with its parameters
``w^{(l)}``, ``b^{(l)}``; the backward pass maps ``\\delta^{(l)} = dL/da^{(l)}``
to ``\\delta^{(l-1)}`` and the parameter gradients.  For that, every layer is
derived once more on fresh symbols for its input (and for its upstream
gradient) with the network's own parameters: the same law, shown locally
rather than as the blown-up composite.  At most ``max_entries`` entries of
each array are written (the rest elided, said so).  Every name goes through
:func:`symconv.rendering._tex.latex` (escaped); the same call gives the same bytes.
"""

from __future__ import annotations

import re
import textwrap
from typing import TYPE_CHECKING, Any

import numpy as np

from ..boundary._values import symbols
from ..core._network_structure import entries
from . import _tex as tex

if TYPE_CHECKING:
    from ..core._sequential import NetworkDerivation

#: Names symconv's network gives: base letter, layer number, indices (``w2_0_1``).
_NAME = re.compile(r"^(x|a|w|b|g|d)(\d*)((?:_\d+)+)$")
_LETTER = {"x": "x", "a": "a", "w": "w", "b": "b", "g": "g", "d": r"\delta"}


def _name(s: Any) -> str:
    """``w2_0_1`` -> ``w^{(2)}_{0,1}``; ``d3_4`` -> ``\\delta^{(3)}_{4}``; others escaped."""
    text = str(getattr(s, "name", s))
    m = _NAME.match(text)
    if m is None:
        return tex.symbol_name(text)
    letter, layer, idx = m.groups()
    base = _LETTER[letter] + (f"^{{({layer})}}" if layer else "")
    return tex.sub(base, ",".join(idx[1:].split("_")))


def _value(v: Any) -> str:
    return tex.latex(v, _name)


def _entries(letter: str, arr: Any, limit: int, grad: bool = False) -> list[str]:
    """``letter_{idx} &= value`` rows (``aligned``), at most ``limit`` then an elision row.

    ``grad``: the left side is ``\\frac{\\partial L}{\\partial letter_{idx}}``.
    """
    rows = []
    shape = tuple(arr.shape)
    flat = entries(arr)
    for j, idx in enumerate(np.ndindex(*shape)):
        if j == limit:
            rest = int(np.prod(shape)) - limit
            more = f"({rest:,} more entr{'y' if rest == 1 else 'ies'})"
            rows.append(r"&\;\;\vdots \quad " + tex.text(more))
            break
        left = tex.sub(letter, ",".join(str(v) for v in idx))
        if grad:
            left = tex.command("frac", r"\partial L", r"\partial " + left)
        rows.append(left + " &= " + _value(flat[j]))
    return rows


def _aligned(rows: list[str]) -> str:
    return tex.environment("aligned", " \\\\\n".join(rows))


def _layer_name(layer: Any) -> str:
    return tex.text(repr(layer))


def _local(nd: NetworkDerivation) -> list[tuple[Any, Any, Any]]:
    """Per layer: its derivation on symbols ``a<l-1>`` and its gradient on symbols ``d<l>``."""
    out = []
    params = {pos: p for p in nd.parameters for pos in p.positions}
    for pos, (layer, ld) in enumerate(zip(nd.network.layers, nd.layers)):
        shape = tuple(ld.input.shape)
        xs = symbols("x" if pos == 0 else f"a{pos}", shape)
        p = params.get(pos)
        local = layer.derive(x=xs, weight=None if p is None else p.weight,
                             bias=None if p is None else p.bias)
        g = symbols(f"d{pos + 1}", tuple(local.output.shape))
        out.append((layer, local, local.gradient(grad_output=g)))
    return out


def network_latex(nd: NetworkDerivation, max_entries: int = 4) -> str:
    r"""Math-mode LaTeX: each layer's outputs on its input, then the backward pass.

    Examples
    --------
    >>> import symconv as sc
    >>> from symconv.core._sequential import Sequential
    >>> nd = Sequential(sc.Conv1d(1, 1, 2, bias=False)).derive(input_size=(1, 2))
    >>> print(nd.to_latex(max_entries=1))
    \begin{aligned}
    &\text{layer 1: Conv1d(1, 1, kernel\_size=(2,), stride=(1,), bias=False)} \\
    &\begin{aligned}
    {a^{(1)}}_{0,0} &= {w^{(1)}}_{0,0,0} x_{0,0} + {w^{(1)}}_{0,0,1} x_{0,1}
    \end{aligned} \\
    &\text{backward, layer 1} \\
    &\begin{aligned}
    \frac{\partial L}{\partial x_{0,0}} &= {\delta^{(1)}}_{0,0} {w^{(1)}}_{0,0,0} \\
    &\;\;\vdots \quad \text{(1 more entry)} \\
    \frac{\partial L}{\partial {w^{(1)}}_{0,0,0}} &= {\delta^{(1)}}_{0,0} x_{0,0} \\
    &\;\;\vdots \quad \text{(1 more entry)}
    \end{aligned}
    \end{aligned}
    """
    blocks = []
    for _, body in _forward(nd, max_entries) + _backward(nd, max_entries):
        blocks.append(body)
    return _aligned(blocks)


def _forward(nd: NetworkDerivation, limit: int) -> list[tuple[str, str]]:
    out = []
    for pos, (layer, local, _) in enumerate(_local(nd)):
        title = f"layer {pos + 1}: {layer!r}"
        rows = _entries(f"a^{{({pos + 1})}}", local.output, limit)
        out.append((title, "&" + tex.text(title) + r" \\" + "\n&" + _aligned(rows)))
    return out


def _backward(nd: NetworkDerivation, limit: int) -> list[tuple[str, str]]:
    out = []
    local = _local(nd)
    for pos in range(len(local) - 1, -1, -1):
        _, _, grad = local[pos]
        into = "x" if pos == 0 else f"a^{{({pos})}}"
        rows = _entries(into, grad.input, limit, grad=True)
        for what, arr in (("w", grad.weight), ("b", grad.bias)):
            if arr is not None:
                rows += _entries(what + f"^{{({pos + 1})}}", arr, limit, grad=True)
        title = f"backward, layer {pos + 1}"
        out.append((title, "&" + tex.text(title) + r" \\" + "\n&" + _aligned(rows)))
    return out


def network_document(nd: NetworkDerivation, max_entries: int = 6) -> str:
    """A complete ``.tex`` document: notation, the forward pass, the backward pass."""
    head = "\n".join([
        tex.command("documentclass", "article", options=["11pt"]),
        tex.command("usepackage", "amsmath"),
        tex.command("usepackage", "amssymb"),
        tex.command("setlength", r"\textwidth", "16.5cm"),
        tex.command("setlength", r"\oddsidemargin", "0cm"),
        tex.command("setlength", r"\evensidemargin", "0cm"),
        tex.command("allowdisplaybreaks"),
    ])
    names = " $\\to$ ".join(tex.escape(repr(layer)) for layer in nd.network.layers)
    intro = tex.prose(
        "Layer $l$ maps its input $a^{(l-1)}$ (with $a^{(0)} = x$) to $a^{(l)}$, with "
        "parameters $w^{(l)}, b^{(l)}$; the backward pass maps "
        "$\\delta^{(l)} = \\partial L / \\partial a^{(l)}$ to $\\delta^{(l-1)}$ by the chain "
        "rule. Indices are 0-based, C order over (channels, *spatial). A layer used at "
        "several positions shares its parameters: their gradient is the sum over the "
        "positions."
    )
    parts = [head, tex.command("begin", "document"),
             tex.command("section*", "The network"),
             # ragged: long layer reprs left no good line break (3.7 pt overfull)
             r"{\raggedright " + names + r"\par}" + "\n\n" + intro,
             tex.command("section*", "Forward pass")]
    for title, body in _forward(nd, max_entries):
        parts.append(tex.command("subsection*", tex.escape(title)))
        parts.append(_align(body))
    parts.append(tex.command("section*", "Backward pass"))
    for title, body in _backward(nd, max_entries):
        parts.append(tex.command("subsection*", tex.escape(title)))
        parts.append(_align(body))
    if _stride_one_stack(nd):
        from ..checks._composition import composition_proof

        parts.append(tex.command("section*", "Composition, for general sizes"))
        parts.append(tex.prose(
            "Every layer is a 1-D correlation of stride 1 without padding, so the stack is "
            "one correlation whose kernel is the full convolution of the kernels "
            "(nd.composition() builds it at these sizes). The theorem for one channel "
            "and general sizes, each step with its status:"))
        # align*, not one aligned block: the chain is taller than a page (22 pt over)
        chain = composition_latex(composition_proof())
        start, end = r"\begin{aligned}", r"\end{aligned}"
        assert chain.startswith(start) and chain.endswith(end)
        parts.append(r"{\small\begin{align*}" + chain[len(start):-len(end)] + r"\end{align*}}")
    parts.append(tex.command("end", "document"))
    return "\n\n".join(parts) + "\n"


def _stride_one_stack(nd: NetworkDerivation) -> bool:
    """At least two layers, each a 1-D stride-1 correlation: no padding, dilation, groups."""
    specs = [getattr(ld, "spec", None) for ld in nd.layers]
    return len(specs) >= 2 and all(
        sp is not None and sp.kind == "conv" and sp.ndim == 1 and sp.stride == (1,)
        and sp.dilation == (1,) and sp.padding == ((0, 0),) and sp.groups == 1
        for sp in specs)


def _align(body: str) -> str:
    """The rows of one block as ``align*`` (breakable across pages), title row dropped."""
    inner = body.split("\n", 1)[1]  # drop the "&\text{title} \\" row
    start, end = r"&\begin{aligned}", r"\end{aligned}"
    assert inner.startswith(start) and inner.endswith(end)
    return r"\begin{align*}" + inner[len(start):-len(end)] + r"\end{align*}"


# ------------------------------------------------- the composition theorem


class _CompositionPrinter(tex.SafePrinter):
    """Iverson brackets for ``Heaviside(z, 1)`` (``[z >= 0]``, ``z`` an integer)."""

    def _print_Heaviside(self, expr: Any, exp: str | None = None) -> str:
        return r"\left[" + self._print(expr.args[0]) + r" \geq 0\right]"


#: Comparison signs of plain text as math (``<=`` reads better as one sign than ``<=``).
_SIGNS = {"<=": r"$\le$", ">=": r"$\ge$", "+-": r"$\pm$", "<": "$<$", ">": "$>$"}
_SIGN = re.compile("(<=|>=|\\+-|<|>)")


def _signs(line: str) -> str:
    r"""``\text{...}`` of plain text, escaped, its comparison signs as math.

    >>> print(_signs("0 <= t < k, +-1 & done"))
    \text{0 $\le$ t $<$ k, $\pm$1 \& done}
    """
    pieces = _SIGN.split(line)  # odd positions are the signs
    return tex.command("text", "".join(
        _SIGNS[p] if n % 2 else tex.escape(p) for n, p in enumerate(pieces)))


#: A step's ``[k. title: status]`` tag longer than this goes on its own row (the page width).
_TAG_WIDTH = 48


_COMPOSITION_NAMES = {"k1": "k_{1}", "k2": "k_{2}", "y1": "y^{(1)}"}


def _composition_name(s: Any) -> str:
    text = str(getattr(s, "name", s))
    return _COMPOSITION_NAMES.get(text) or tex.symbol_name(text)


def composition_latex(proof: Any) -> str:
    r"""The general composition theorem and its chain, each step with its status (math mode).

    ``proof`` is a :class:`symconv.checks._composition.CompositionProof`: the
    statement, then the output sizes, then the chain ``lhs = ... = rhs`` with
    each step's rule and whether SymPy proved it, it was proved with hand-coded
    arguments (each listed after the chain) or it was checked on instances.

    Examples
    --------
    >>> from symconv.checks._composition import composition_proof
    >>> text = composition_latex(composition_proof())
    >>> text.startswith(r"\begin{aligned}"), "overlap: proved with 2 hand-coded arguments]" in text
    (True, True)
    """
    printer = _CompositionPrinter(_composition_name)

    def show(v: Any) -> str:
        return str(printer.doprint(v))

    steps = list(proof.steps)
    sizes, chain = steps[0], steps[1:]
    rows = [
        "&" + tex.text("Theorem (general sizes ") + "n, k_{1}, k_{2}"
        + tex.text("): two stride-1 correlations are one,"),  # one row was 64 pt too wide
        r"&\quad " + tex.text("whose kernel is the full convolution of the two kernels."),
        "&" + tex.text("Status: " + proof.status + "."),
        "&" + show(proof.lhs) + " = " + show(proof.rhs) + r" \quad "
        + tex.text("for every output ") + r"0 \leq i \leq n - k_{1} - k_{2} + 1",
        "&" + show(sizes.lhs) + " = " + show(sizes.rhs) + r" \quad "
        + tex.text(f"[1. {sizes.title}: {sizes.status}]"),
        "&" + show(chain[0].lhs),
    ]
    for k, s in enumerate(chain, start=2):
        tag = f"[{k}. {s.title}: {s.status}]"
        if len(tag) <= _TAG_WIDTH:
            rows.append("&= " + show(s.rhs) + r" \quad " + tex.text(tag))
        else:  # step 9's tag beside its sum overflowed the page by 66 pt
            rows += ["&= " + show(s.rhs), r"&\qquad " + tex.text(tag)]
    for k, s in enumerate(chain, start=2):
        for q, h in enumerate(getattr(s, "hand", ())):
            said = f"Step {k}, hand-coded argument {q + 1} (not SymPy): {h}."
            lines = [_signs(line) for line in textwrap.wrap(said, 80)]  # fit the page
            rows.append("&" + lines[0])
            rows.extend(r"&\quad " + line for line in lines[1:])
    return _aligned(rows)
