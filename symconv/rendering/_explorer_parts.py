"""The explorer's pieces: chips, sums of products, T, P, G, the network (layer: rendering).

Everything is read from a Derivation's public views (``taps``, ``input``,
``weight``, ``bias``, ``output``, ``stats()``) and, for the backward pass, a
Gradient's (``output``, ``weight``, ``tie_groups()``).  Every element that a
weight, input or output reaches carries its flat indices as data attributes
(``data-k`` weights, ``data-i`` inputs, ``data-o`` outputs; several values
separated by spaces), which is all the page script needs to link them.
User-supplied values only ever reach the page through :mod:`._mathml`
(escaped MathML) or :func:`._mathml.escape`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core._derivation import Derivation, Stats
from ._mathml import cell, current_names, escape, math, mathml, product
from ._names import RENAMED
from ._plot import colour


class Flat:
    """C-order flat indexing into a SymPy Array, element by element (no copy of it all)."""

    def __init__(self, arr: Any) -> None:
        self.arr, self.shape = arr, tuple(arr.shape)
        self._seen: dict[int, Any] = {}  # SymPy's Array indexing costs ~0.5 ms per read

    def __len__(self) -> int:
        return int(np.prod(self.shape))

    def __getitem__(self, index: int) -> Any:
        value = self._seen.get(index)
        if value is None:
            value = self.arr[tuple(int(v) for v in np.unravel_index(index, self.shape))]
            self._seen[index] = value
        return value

    def __iter__(self) -> Iterator[Any]:
        return (self[i] for i in range(len(self)))


def flat(arr: Any) -> Flat:
    """The entries of a SymPy Array by flat C-order index."""
    return Flat(arr)


def label(letter: str, index: int, shape: tuple[int, ...]) -> str:
    """``x[0, 2]``: the multi-index of flat ``index`` in ``shape`` (plain text).

    The letter of a role (``x``, ``w``, ``y``, ``dL/dw``...) and the indices follow
    the names in use (:func:`._mathml.use_names`): ``W[2, 3]`` under ``aWz``, 1-based.

    Examples
    --------
    >>> label("w", 5, (2, 3)), label("y", 1, (4,))
    ('w[1, 2]', 'y[1]')
    >>> from symconv.rendering._mathml import use_names
    >>> from symconv.rendering._names import Names
    >>> with use_names(Names.of("aWz", 1)):
    ...     label("w", 5, (2, 3)), label("dL/dy", 1, (4,))
    ('W[2, 3]', 'dL/dz[2]')
    """
    names = current_names()
    idx = np.unravel_index(index, shape)
    head, role = ("dL/d", letter[4:]) if letter.startswith("dL/d") else ("", letter)
    if role in RENAMED:
        letter = head + names.letter(role, "text")
    return f"{letter}[{', '.join(str(int(v) + names.index_base) for v in idx)}]"


def text(value: Any) -> str:
    """A value as plain text (aria labels), its symbols named as :func:`label` names them."""
    return current_names().value(value, "text")


def _role(role: str) -> str:
    """A role's letter, escaped, as the names in use print it (``x`` -> ``a`` under ``aWz``)."""
    return escape(current_names().letter(role, "text"))


def at(*flat_indices: int) -> str:
    """``3, 5``: entry indices of T, P or G, plus ``index_base``."""
    base = current_names().index_base
    return ", ".join(str(int(v) + base) for v in flat_indices)


def tokens(values: Any) -> str:
    """Sorted distinct integers as a ``data-*`` value: ``"0 2"``."""
    return " ".join(str(v) for v in sorted({int(v) for v in values}))


@dataclass(frozen=True)
class Model:
    """The explorer's data, read once from a Derivation's public views."""

    d: Derivation
    xs: Flat
    ws: Flat
    bias: Flat | None
    in_shape: tuple[int, ...]
    out_shape: tuple[int, ...]
    w_shape: tuple[int, ...]
    stats: Stats

    @classmethod
    def of(cls, d: Derivation) -> Model:
        """Read the values, shapes and structure (``stats()``) of ``d``."""
        t = d.taps
        b = d.bias
        return cls(d, flat(d.input), flat(d.weight), None if b is None else flat(b),
                   t.in_shape, t.out_shape, t.weight_shape, d.stats())

    @property
    def ties(self) -> np.ndarray:
        """How many entries of T each (flat) weight occupies."""
        return self.stats.tie_counts.reshape(-1)

    def bias_of(self, o: int) -> Any:
        """The bias added to flat output ``o`` (None without bias)."""
        if self.bias is None:
            return None
        return self.bias[o // int(np.prod(self.out_shape[1:]))]

    def x_label(self, i: int) -> str:
        return label("x", i, self.in_shape)

    def w_label(self, k: int) -> str:
        return label("w", k, self.w_shape)

    def y_label(self, o: int) -> str:
        return label("y", o, self.out_shape)


def _shown(text_label: str, value: Any) -> str:
    """Visible chip content: the value, with its index when the value is not a symbol."""
    if getattr(value, "is_Symbol", False):
        return math(mathml(value))
    return f'<span class="sc-ix">{escape(text_label)}</span>{math("<mo>=</mo>" + mathml(value))}'


def weight_chip(m: Model, k: int, count: int) -> str:
    """A focusable weight: hovering or focusing it lights everything it reaches."""
    lab = m.w_label(k)
    aria = (f"weight {lab} = {text(m.ws[k])}: occupies {count} "
            f"entr{'y' if count == 1 else 'ies'} of T")
    return (f'<button type="button" class="sc-chip sc-w" data-role="w" data-act="1" '
            f'data-k="{k}" style="--c:{colour(k)}" aria-label="{escape(aria)}">'
            f"{_shown(lab, m.ws[k])}</button>")


def input_chip(m: Model, i: int) -> str:
    lab = m.x_label(i)
    aria = f"input {lab} = {text(m.xs[i])}"
    return (f'<button type="button" class="sc-chip sc-x" data-role="x" data-act="1" '
            f'data-i="{i}" aria-label="{escape(aria)}">{_shown(lab, m.xs[i])}</button>')


def output_chip(m: Model, o: int, rf: str) -> str:
    lab = m.y_label(o)
    reads = " ".join(at(int(i)) for i in rf.split())  # rf: 0-based flat inputs (data-rf)
    aria = f"output {lab}: reads inputs {reads or 'none'}"
    return (f'<button type="button" class="sc-chip sc-y" data-role="y" data-act="1" '
            f'data-o="{o}" data-rf="{rf}" aria-label="{escape(aria)}">'
            f'<span class="sc-ix">{escape(lab)}</span></button>')


def term(m: Model, o: int, i: int, k: int, role: str = "term") -> str:
    """One product ``w[k] x[i]`` of output ``o``."""
    aria = f"{m.w_label(k)} times {m.x_label(i)} in {m.y_label(o)}"
    return (f'<span class="sc-term" data-role="{role}" data-o="{o}" data-i="{i}" data-k="{k}" '
            f'aria-label="{escape(aria)}">{math(product(m.ws[k], m.xs[i]))}</span>')


def output_equation(m: Model, o: int, pairs: list[tuple[int, int]], value: Any) -> str:
    """``y[o] = w x + w x + ... (+ b) (= value)``, every product a linked span."""
    rf = tokens(i for i, _ in pairs)
    parts = [term(m, o, i, k) for i, k in pairs]
    b = m.bias_of(o)
    if b is not None:
        parts.append(f'<span class="sc-bias">{math(mathml(b))}</span>')
    body = '<span class="sc-op">+</span>'.join(parts) or math("<mn>0</mn>")
    written = all(getattr(v, "is_Symbol", False)
                  for i, k in pairs for v in (m.ws[k], m.xs[i])) and (
        b is None or getattr(b, "is_Symbol", False))
    tail = "" if written or value is None else (
        '<span class="sc-op">=</span>' + math(mathml(value)))
    return (f'<div class="sc-eq">{output_chip(m, o, rf)}<span class="sc-op">=</span>'
            f"{body}{tail}</div>")


def taps_by_output(m: Model) -> list[list[tuple[int, int]]]:
    """For each flat output, its ``(input, weight)`` pairs in the table's order."""
    t = m.d.taps
    starts, ii, kk = t.starts.tolist(), t.i.tolist(), t.k.tolist()
    return [list(zip(ii[starts[o]:starts[o + 1]], kk[starts[o]:starts[o + 1]]))
            for o in range(t.n_out)]


def entry_weights(m: Model) -> dict[tuple[int, int], list[int]]:
    """``(o, i) -> sorted weights`` of every non-zero entry of T (a sum when folded)."""
    t = m.d.taps
    out: dict[tuple[int, int], list[int]] = {}
    for o, i, k in zip(t.o.tolist(), t.i.tolist(), t.k.tolist()):
        out.setdefault((o, i), []).append(k)
    return {key: sorted(ks) for key, ks in out.items()}


def _fold_note(m: Model, o: int, i: int, ks: list[int]) -> str:
    if len(ks) == 1:
        return f"one tap: {m.y_label(o)} receives {m.w_label(ks[0])} times {m.x_label(i)}"
    mode = m.d.spec.padding_mode
    return (f"{len(ks)} taps ({', '.join(m.w_label(k) for k in ks)}) fold onto "
            f"{m.x_label(i)}: {mode} padding maps their padded positions back onto it")


def t_cell(m: Model, o: int, i: int, ks: list[int] | None) -> str:
    """One entry of T: its weight(s), or a structural zero."""
    if not ks:
        aria = f"T[{at(o, i)}] = 0: structural zero ({m.y_label(o)} never reads {m.x_label(i)})"
        return (f'<td class="sc-zero" data-role="t0" data-o="{o}" data-i="{i}" '
                f'aria-label="{escape(aria)}">0</td>')
    value = " + ".join(text(m.ws[k]) for k in ks)
    aria = f"T[{at(o, i)}] = {value}; {_fold_note(m, o, i, ks)}"
    style = f' style="--c:{colour(ks[0])}"' if len(ks) == 1 else ""
    cls = "sc-t sc-fold" if len(ks) > 1 else "sc-t"
    return (f'<td class="{cls}" data-role="t" data-act="1" tabindex="0" data-o="{o}" '
            f'data-i="{i}" data-k="{tokens(ks)}"{style} aria-label="{escape(aria)}">'
            f"{cell([m.ws[k] for k in ks])}</td>")


def _table(caption: str, cls: str, col_heads: list[str], rows: list[tuple[str, list[str]]]) -> str:
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in col_heads)
    body = "".join(f'<tr><th scope="row">{escape(r)}</th>{"".join(cells)}</tr>'
                   for r, cells in rows)
    return (f'<table class="sc-mat {cls}"><caption>{caption}</caption>'
            f"<thead><tr><th></th>{head}</tr></thead><tbody>{body}</tbody></table>")


def matrix_t(m: Model, entries: dict[tuple[int, int], list[int]]) -> str:
    """The layer matrix T: ``vec(y) = T vec(x) + b``."""
    t = m.d.taps
    rows = [(m.y_label(o), [t_cell(m, o, i, entries.get((o, i))) for i in range(t.n_in)])
            for o in range(t.n_out)]
    cap = f"T, rows {_role('y')}, columns {_role('x')}"
    return _table(cap, "sc-T", [m.x_label(i) for i in range(t.n_in)], rows)


def matrix_p(m: Model) -> str:
    """The im2col matrix P: ``vec(y) = P vec(w) + b``; column ``k`` belongs to weight ``k``."""
    t = m.d.taps
    cells: dict[tuple[int, int], list[int]] = {}
    for o, i, k in zip(t.o.tolist(), t.i.tolist(), t.k.tolist()):
        cells.setdefault((o, k), []).append(i)
    rows = []
    for o in range(t.n_out):
        row = []
        for k in range(t.n_weight):
            ins = cells.get((o, k))
            if not ins:
                aria = f"P[{at(o, k)}] = 0: {m.w_label(k)} meets padding in {m.y_label(o)}"
                row.append(f'<td class="sc-zero sc-p" data-role="p" data-o="{o}" data-k="{k}" '
                           f'aria-label="{escape(aria)}">0</td>')
                continue
            aria = f"P[{at(o, k)}] = {' + '.join(text(m.xs[i]) for i in ins)}"
            row.append(f'<td class="sc-p" data-role="p" data-o="{o}" data-k="{k}" '
                       f'data-i="{tokens(ins)}" aria-label="{escape(aria)}">'
                       f"{cell([m.xs[i] for i in ins])}</td>")
        rows.append((m.y_label(o), row))
    cap = f"P, rows {_role('y')}, columns {_role('w')}"
    return _table(cap, "sc-P", [m.w_label(k) for k in range(t.n_weight)], rows)


def network(m: Model) -> str:
    """The connectivity diagram: inputs on top, outputs below, one edge per product."""
    t = m.d.taps
    gap, margin, height = 34.0, 20.0, 170.0
    n = max(t.n_in, t.n_out)
    width = 2 * margin + n * gap

    def xpos(j: int, count: int) -> float:
        return margin + (j + 0.5) * (n * gap) / count

    y_in, y_out = 26.0, height - 26.0
    edges = []
    for o, i, k in zip(t.o.tolist(), t.i.tolist(), t.k.tolist()):
        edges.append(
            f'<line class="sc-e" data-role="e" data-o="{o}" data-i="{i}" data-k="{k}" '
            f'x1="{xpos(i, t.n_in):.1f}" y1="{y_in:.1f}" x2="{xpos(o, t.n_out):.1f}" '
            f'y2="{y_out:.1f}" style="stroke:{colour(k)}"></line>')
    nodes = []
    for i in range(t.n_in):
        aria = f"input {m.x_label(i)} = {text(m.xs[i])}"
        nodes.append(_node("x", f'data-i="{i}"', xpos(i, t.n_in), y_in, at(i), aria))
    rf: list[set[int]] = [set() for _ in range(t.n_out)]
    for o, i in zip(t.o.tolist(), t.i.tolist()):
        rf[o].add(i)
    for o in range(t.n_out):
        aria = f"output {m.y_label(o)}"
        attrs = f'data-o="{o}" data-rf="{tokens(rf[o])}"'
        nodes.append(_node("y", attrs, xpos(o, t.n_out), y_out, at(o), aria))
    return (f'<svg class="sc-net" viewBox="0 0 {width:.1f} {height:.1f}" width="{width:.1f}" '
            f'height="{height:.1f}" role="group" aria-label="connectivity diagram">'
            f'<text class="sc-row" x="2" y="12">inputs {_role("x")} (flat index)</text>'
            f'<text class="sc-row" x="2" y="{height - 2:.1f}">outputs {_role("y")} '
            "(flat index)</text>"
            f'<g class="sc-edges">{"".join(edges)}</g>{"".join(nodes)}</svg>')


def _node(role: str, attrs: str, cx: float, cy: float, text: str, aria: str) -> str:
    return (f'<g class="sc-node sc-node-{role}" data-role="{role}" data-act="1" {attrs} '
            f'tabindex="0" role="button" aria-label="{escape(aria)}"><title>{escape(aria)}</title>'
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="11"></circle>'
            f'<text x="{cx:.1f}" y="{cy + 4:.1f}" text-anchor="middle">{escape(text)}</text></g>')


def stats_table(st: Stats) -> str:
    """``Derivation.stats()`` as a table (no SymPy)."""
    rows, cols = st.matrix_shape
    ties = st.tie_counts
    lo, hi = int(ties.min()), int(ties.max())
    items = [
        ("products", f"{st.products:,}"),
        ("matrix T", f"{rows:,} \u00d7 {cols:,}"),
        ("non-zeros of T", f"{st.nonzeros:,} ({100 * st.density:.3g}% of entries)"),
        ("structural zeros", f"{st.structural_zeros:,}"),
        ("summed (folded) entries", f"{st.folded_entries:,}"),
        ("entries of T per weight", str(lo) if lo == hi else f"{lo} to {hi}"),
        ("parameters", f"{st.parameters:,} (dense layer: {st.dense_parameters:,})"),
    ]
    body = "".join(f'<tr><th scope="row">{escape(a)}</th><td>{escape(b)}</td></tr>'
                   for a, b in items)
    return f'<table class="sc-stats" aria-label="structure of T"><tbody>{body}</tbody></table>'


def gradient_parts(m: Model, g: Any, entries: dict[tuple[int, int], list[int]]) -> str:
    """``G = g x^T`` with each entry linked to the weight(s) it feeds, and ``dL/dw`` as sums."""
    t = m.d.taps
    gs = flat(g.output)
    rows = []
    for o in range(t.n_out):
        row = []
        for i in range(t.n_in):
            ks = entries.get((o, i))
            body = cell([m.xs[i]], times=gs[o])
            if not ks:
                aria = (f"G[{at(o, i)}] = {text(gs[o])} * {text(m.xs[i])}: discarded "
                        "(structural zero of T)")
                row.append(f'<td class="sc-discard" data-role="g0" data-o="{o}" data-i="{i}" '
                           f'aria-label="{escape(aria)}">{body}</td>')
            else:
                aria = (f"G[{at(o, i)}] = {text(gs[o])} * {text(m.xs[i])}: summed into "
                        f"{', '.join('dL/d' + m.w_label(k) for k in ks)}")
                row.append(f'<td class="sc-g" data-role="g" data-o="{o}" data-i="{i}" '
                           f'data-k="{tokens(ks)}" aria-label="{escape(aria)}">{body}</td>')
        rows.append((m.y_label(o), row))
    cap = (f"G = {_role('g')} {_role('x')}<sup>T</sup>, rows {_role('y')}, "
           f"columns {_role('x')}")
    grid = _table(cap, "sc-G", [m.x_label(i) for i in range(t.n_in)], rows)
    sums = []
    gw = flat(g.weight)
    for grp, value in zip(g.tie_groups(), gw):
        k = int(np.ravel_multi_index(grp.index, m.w_shape))
        parts = [
            f'<span class="sc-term" data-role="gterm" data-o="{r}" data-i="{c}" data-k="{k}" '
            f'aria-label="{escape(f"G[{at(r, c)}]")}">{math(product(gs[r], m.xs[c]))}</span>'
            for r, c in zip(grp.rows.tolist(), grp.cols.tolist())]
        body = '<span class="sc-op">+</span>'.join(parts) or math("<mn>0</mn>")
        sums.append(f'<div class="sc-eq"><span class="sc-lhs" data-role="gw" data-k="{k}">'
                    f'\u2202L/\u2202{escape(m.w_label(k))}</span><span class="sc-op">=</span>'
                    f'{body}<span class="sc-op">=</span>{math(mathml(value))}</div>')
    return grid + '<div class="sc-eqs">' + "".join(sums) + "</div>"

