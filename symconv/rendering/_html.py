"""The interactive explorer: one self-contained HTML page of a derivation (layer: rendering).

``to_html`` assembles the pieces of :mod:`._explorer_parts` (sums of
products, T, P, the connectivity diagram, the gradient grouping) or, beyond
``max_entries`` entries of T, the structure and drill-down of
:mod:`._explorer_large`, with the stylesheet and the small script shipped in
this package (``_explorer.css``, ``_explorer.js``) inlined: no network, no
external fonts, math as native MathML.  The same call gives the same bytes.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import numpy as np

from ..boundary._limits import HTML_GRADIENT_OUTPUTS as GRADIENT_OUTPUTS
from ..boundary._limits import HTML_MAX_ENTRIES as MAX_ENTRIES
from ..core._derivation import Derivation, flat_index
from ..core._general import GeneralDerivation
from ..core._sequential import NetworkDerivation
from ._explorer_general import general_root
from ._explorer_large import density_map, drill_down
from ._explorer_network import network_html
from ._explorer_parts import (
    Model,
    entry_weights,
    flat,
    gradient_parts,
    input_chip,
    matrix_p,
    matrix_t,
    network,
    output_equation,
    stats_table,
    taps_by_output,
    weight_chip,
)
from ._mathml import escape, use_names
from ._names import Names

# Entries of T (or products) above MAX_ENTRIES: structure and drill-down only; large
# layers show the gradient grouping up to GRADIENT_OUTPUTS outputs (both in _limits).

IDLE = ("Point at (hover) or Tab to a weight, an input, an output or an entry of T; "
        "Escape clears.")


@cache
def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def _focus(name: str, value: Any, shape: tuple[int, ...]) -> int | None:
    """A flat index from an index tuple (an int for one axis); negative counts from the end."""
    if value is None:
        return None
    index = (value,) if isinstance(value, (int, np.integer)) else value
    if not isinstance(index, tuple) or len(index) != len(shape):
        raise ValueError(
            f"`{name}` must be a tuple of {len(shape)} integer(s) indexing shape {shape}, "
            f"got {value!r}")
    return flat_index(name, index, shape)


T_NOTE = ("<code>vec(y) = T vec(x) + b</code>. A weight on many entries is a tied weight; "
          "0 is a structural zero; a shaded entry holds a sum of weights (padding folded "
          "onto one input).")
P_NOTE = "<code>vec(y) = P vec(w) + b</code> (im2col): column k multiplies weight k."
G_NOTE = ("The dense layer's weight gradient is <code>G = g x<sup>T</sup></code>; the "
          "convolution sums the entries of G at the positions of each weight in T "
          "(crossed out: structural zeros, discarded).")
NET = "One edge per product, coloured by weight; node numbers are flat C-order indices."


def _section(title: str, body: str) -> str:
    return f"<section><h3>{title}</h3>{body}</section>"


def _row(*sections: str) -> str:
    return '<div class="sc-cols">' + "".join(sections) + "</div>"


def _note(text: str) -> str:
    return f'<p class="sc-note">{text}</p>'


def explorer(
    d: Derivation,
    g: Any = None,
    *,
    gradient: bool = False,
    focus_output: Any = None,
    focus_weight: Any = None,
    max_entries: int = MAX_ENTRIES,
    compact: bool = False,
) -> str:
    """The explorer's root element (see :func:`to_html`)."""
    if isinstance(max_entries, bool) or not isinstance(max_entries, (int, np.integer)) or (
            max_entries < 1):
        raise ValueError(f"`max_entries` must be a positive integer, got {max_entries!r}")
    fo = _focus("focus_output", focus_output, d.spec.output_shape)  # before any table
    fw = _focus("focus_weight", focus_weight, d.spec.weight_shape)
    t = d.taps
    m = Model.of(d)
    large = t.n_out * t.n_in > max_entries or len(t) > max_entries
    skipped = ""
    if g is None and gradient:
        if large and t.n_out > GRADIENT_OUTPUTS:
            skipped = (f"<p class=\"sc-note\">The gradient grouping is left out: the upstream "
                       f"gradient alone would be {t.n_out:,} symbols (limit "
                       f"{GRADIENT_OUTPUTS:,}).</p>")
        else:
            g = d.gradient()
    head = (f'<h2>symconv explorer</h2><p class="sc-title">{escape(repr(d))}</p>'
            f'<p class="sc-info" aria-live="polite" data-idle="{escape(IDLE)}">'
            f"{escape(IDLE)}</p>")
    parts = [head]
    if large:
        parts.append(
            f'<p class="sc-note">T has {t.n_out * t.n_in:,} entries and {len(t):,} products '
            f"(more than {int(max_entries):,}): the page shows its structure and the "
            "neighbourhood of one output or weight at a time.</p>")
        parts.append(_section("Structure", _row(stats_table(m.stats), density_map(m))))
        parts.append(_section("Drill-down", skipped + drill_down(m, g, fo, fw, everything=True)))
    else:
        entries = entry_weights(m)
        weights = _section("Weights", '<div class="sc-chips">' + "".join(
            weight_chip(m, k, int(m.ties[k])) for k in range(t.n_weight)) + "</div>")
        inputs = _section("Inputs", '<div class="sc-chips">' + "".join(
            input_chip(m, i) for i in range(t.n_in)) + "</div>")
        parts.append(_row(weights, inputs))
        values = flat(d.output)
        eqs = "".join(output_equation(m, o, pairs, values[o])
                      for o, pairs in enumerate(taps_by_output(m)))
        parts.append(_row(
            _section("Outputs as sums of products", f'<div class="sc-eqs">{eqs}</div>'),
            _section("Connectivity", _note(NET) + f'<div class="sc-scroll">{network(m)}</div>')))
        parts.append(_row(
            _section("The layer matrix T",
                     _note(T_NOTE) + f'<div class="sc-scroll">{matrix_t(m, entries)}</div>'),
            _section("The patch matrix P",
                     _note(P_NOTE) + f'<div class="sc-scroll">{matrix_p(m)}</div>')))
        if g is not None:
            grouping = gradient_parts(m, g, entries)
            parts.append(_section("Backward pass: the gradient grouping",
                                  _note(G_NOTE) + f'<div class="sc-scroll">{grouping}</div>'))
        if fo is not None or fw is not None:
            parts.append(_section("Drill-down", drill_down(m, g, fo, fw, everything=False)))
        parts.append(_section("Structure", stats_table(m.stats)))
    cls = "symconv-explorer sc-compact" if compact else "symconv-explorer"
    mode = "large" if large else "full"
    return f'<div class="{cls}" data-mode="{mode}" lang="en">{"".join(parts)}</div>'


def _split(obj: Any) -> tuple[Any, Any]:
    """``(derivation, gradient or None)``; a general gradient gives ``(derivation, True)``."""
    from ..backward._general_gradients import GeneralGradient
    from ..backward._gradients import Gradient
    from ..backward._network_gradient import NetworkGradient

    if isinstance(obj, NetworkGradient):
        return obj.derivation, obj
    if isinstance(obj, Gradient):
        return obj.derivation, obj
    if isinstance(obj, GeneralGradient):
        return obj.derivation, True
    if isinstance(obj, (Derivation, GeneralDerivation, NetworkDerivation)):
        return obj, None
    raise TypeError("`obj` must be a Derivation, a Gradient, their general-size versions, "
                    f"a NetworkDerivation or a NetworkGradient, got {type(obj).__name__}")


def _general(g: GeneralDerivation, gradient: bool, sizes: Any, compact: bool) -> str:
    """The formulas of a general derivation, then the explorer of an instance (``sizes``)."""
    root = general_root(g, gradient, compact)
    if sizes is None:
        return root
    inst = g.subs(sizes)
    if not isinstance(inst, Derivation):
        raise ValueError(f"`sizes` must give every size a number (sizes of this derivation: "
                         f"{', '.join(str(v) for v in g.sizes)}), got {sizes!r}")
    return root + explorer(inst, gradient=gradient, compact=compact)


def _page(title: str, body: str) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>symconv explorer: {escape(title)}</title>"
            f"<style>{_asset('_explorer.css')}</style></head>\n<body>{body}\n"
            f"<script>{_asset('_explorer.js')}</script></body></html>\n")


def to_html(
    obj: Any,
    *,
    gradient: bool = False,
    focus_output: Any = None,
    focus_weight: Any = None,
    max_entries: int = MAX_ENTRIES,
    sizes: Any = None,
    names: Any = "xwb",
    index_base: int = 0,
) -> str:
    """One self-contained HTML page exploring a derivation, with linked highlighting.

    The page shows every output as a sum of products, the layer matrix T, the
    patch matrix P and the connectivity diagram (and, with ``gradient=True``
    or for a Gradient, the entries of ``G = g x^T`` summed into each tied
    weight).  Pointing at or focusing a weight highlights every entry of T it
    occupies, its edges, its column of P and its terms in every output; an
    output highlights its row of T and its receptive field; an entry of T its
    taps (a folded sum for reflect, replicate and circular padding).  No
    network access: inline SVG, native MathML, an inline script and stylesheet.

    A general-size derivation (symbolic sizes) shows its formulas instead:
    the output size, one output as a sum over taps, one entry of T and, with
    ``gradient=True``, the gradient formulas; ``sizes=`` adds the explorer of
    that instance.

    Parameters
    ----------
    obj : Derivation, Gradient, their general-size versions, NetworkDerivation or NetworkGradient
        A network shows one section per layer (its convolutions interactive);
        a NetworkGradient (``nd.gradient(grad_output=...)``) adds its backward
        pass: per layer, last first, the gradients of its input, weight and bias.
    gradient : bool
        Also show the backward pass of a Derivation or a NetworkDerivation
        (its symbolic gradient, upstream symbols ``g_...``).
    focus_output, focus_weight : tuple of int, optional
        Open the drill-down on this output (index like ``d.terms``) or weight
        (index into ``d.weight``).
    max_entries : int
        Above this many entries of T (or products) the page shows the block
        structure, the stats and a drill-down instead of every entry.
    sizes : mapping, optional
        For a general-size derivation: numbers for its sizes (``{n: 5, k: 3}``),
        to explore that instance below the formulas.
    names : str or mapping
        The letters of the symbols and labels, as in ``to_latex``: a preset
        (``"xwb"``, ``"aWz"``) or a mapping of roles to names
        (:class:`symconv.rendering._names.Names`).  Data attributes stay 0-based.
    index_base : int
        0 or 1, added to every printed index (``x[0, 2]`` -> ``x[1, 3]``), to
        the entry indices of T, P and G and to the diagram's node numbers.

    Returns
    -------
    str
        A complete HTML document; the same call gives the same bytes.

    Raises
    ------
    TypeError, ValueError
        For an unknown object, a focus index that does not fit, or bad
        ``names``/``index_base`` (the checks of ``to_latex``).

    Examples
    --------
    >>> import symconv as sc, sympy
    >>> d = sc.correlate(sympy.symarray("x", 4), sympy.symarray("w", 3))
    >>> page = d.to_html()
    >>> page.startswith("<!DOCTYPE html>"), page.count('data-role="t" '), "http" in page
    (True, 6, False)
    """
    if not isinstance(gradient, bool):
        raise TypeError(f"`gradient` must be True or False, got {gradient!r}")
    shown = Names.of(names, index_base)  # ValueError/TypeError naming the option
    d, g = _split(obj)
    with use_names(shown):
        return _to_html(d, g, gradient, focus_output, focus_weight, max_entries, sizes)


def _to_html(d: Any, g: Any, gradient: bool, focus_output: Any, focus_weight: Any,
             max_entries: int, sizes: Any) -> str:
    """The page of :func:`to_html`, printed under the names in use."""
    if isinstance(d, NetworkDerivation):
        if focus_output is not None or focus_weight is not None or sizes is not None:
            raise ValueError("`focus_output`, `focus_weight` and `sizes` apply to one layer: "
                             "call to_html on a layer, e.g. nd.layers[0].to_html()")
        if g is None and gradient:
            g = d.gradient()  # symbolic g_...; nd.gradient(grad_output=...) gives numbers
        return _page(repr(d), network_html(
            d, lambda ld: explorer(ld, max_entries=max_entries), compact=False, gradient=g))
    if isinstance(d, GeneralDerivation):
        if focus_output is not None or focus_weight is not None:
            raise ValueError("`focus_output` and `focus_weight` need numeric sizes: give "
                             "`sizes=` and they apply to that instance, or call subs() first")
        return _page(repr(d), _general(d, gradient or g is True, sizes, compact=False))
    if sizes is not None:
        raise ValueError("`sizes` applies to general-size derivations only (this one has "
                         "numeric sizes)")
    root = explorer(d, g, gradient=gradient, focus_output=focus_output,
                    focus_weight=focus_weight, max_entries=max_entries)
    return _page(repr(d), root)


def repr_html(obj: Any) -> str:
    """``_repr_html_`` of a Derivation or Gradient: the explorer sized down for a notebook cell.

    A layer whose tap table is too large to build gets one line saying so.

    Examples
    --------
    >>> import symconv as sc
    >>> html = sc.repr_html(sc.correlate([1, 2, 3, 4], [5, 6, 7]))
    >>> html.startswith("<style>"), "sc-compact" in html
    (True, True)
    """
    d, g = _split(obj)
    if isinstance(d, NetworkDerivation):
        root = network_html(d, lambda ld: explorer(ld, compact=True), compact=True, gradient=g)
    elif isinstance(d, GeneralDerivation):
        root = _general(d, g is True, None, compact=True)
    else:
        try:
            root = explorer(d, g, compact=True)
        except ValueError as exc:  # a table too large to build: say so instead of failing
            return (f"<p>{escape(repr(d))}: no explorer "
                    f"({escape(exc)})</p>")
    css, js = _asset("_explorer.css"), _asset("_explorer.js")
    return f"<style>{css}</style>{root}<script>{js}</script>"
