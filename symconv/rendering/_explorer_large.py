"""The explorer of a large layer: structure, stats and drill-down neighbourhoods (layer: rendering).

Beyond a few thousand entries of T a page of every entry would not load, so
the page shows T's structure (a density map with the channel blocks, read from
the tap table with NumPy) and, for a few outputs and weights chosen
deterministically (plus the ones asked for), a precomputed neighbourhood: an
output's sum of products, receptive field and row of T; a weight's entries of T
(and, with the backward pass, the entries of ``G = g x^T`` it sums).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy

from ._explorer_parts import (
    Model,
    flat,
    input_chip,
    output_equation,
    t_cell,
    weight_chip,
)
from ._mathml import escape, math, product

#: Outputs and weights sampled for the in-page selection (besides the focus).
SAMPLES = 6
#: Entries of T listed for one weight before the list is cut.
LIST_CAP = 48
#: Bins of the density map per side.
BINS = 64
#: Taps scanned at a time (bounded temporaries on tables of millions of taps).
CHUNK = 1 << 22


def density_map(m: Model) -> str:
    """T binned into at most 64 x 64 cells, shaded by their share of non-zeros."""
    t = m.d.taps
    rows, cols, _ = t.entries
    br, bc = min(BINS, t.n_out), min(BINS, t.n_in)
    binned = np.zeros(br * bc, dtype=np.int64)
    for a in range(0, rows.size, CHUNK):  # no table-sized int64 temporaries
        r = rows[a:a + CHUNK].astype(np.int64) * br // t.n_out
        c = cols[a:a + CHUNK].astype(np.int64) * bc // t.n_in
        binned += np.bincount(r * bc + c, minlength=br * bc)
    counts = binned.reshape(br, bc)
    area = np.outer(np.bincount(np.arange(t.n_out) * br // t.n_out, minlength=br),
                    np.bincount(np.arange(t.n_in) * bc // t.n_in, minlength=bc))
    share = counts / np.maximum(area, 1)
    shade = 0.25 + 0.75 * np.sqrt(share / max(float(share.max()), 1e-12))
    size = 6.0
    rects = [f'<rect x="{j * size:.0f}" y="{i * size:.0f}" width="{size:.0f}" '
             f'height="{size:.0f}" fill-opacity="{float(shade[i, j]):.3f}"></rect>'
             for i, j in zip(*np.nonzero(counts))]
    lines = []
    if m.d.spec.has_channels:
        c_out, c_in = m.out_shape[0], m.in_shape[0]
        if c_out <= BINS and c_in <= BINS:
            for a in range(1, c_out):
                y = a * t.n_out // c_out * br / t.n_out * size
                lines.append(f'<line x1="0" x2="{bc * size:.0f}" y1="{y:.1f}" y2="{y:.1f}">'
                             "</line>")
            for a in range(1, c_in):
                x = a * t.n_in // c_in * bc / t.n_in * size
                lines.append(f'<line y1="0" y2="{br * size:.0f}" x1="{x:.1f}" x2="{x:.1f}">'
                             "</line>")
    w, h = bc * size, br * size
    aria = (f"density of T ({t.n_out:,} x {t.n_in:,}) in {br} x {bc} bins; darker bins hold "
            "a larger share of non-zeros; lines separate channel blocks")
    return (f'<svg class="sc-density" viewBox="0 0 {w:.0f} {h:.0f}" width="{w:.0f}" '
            f'height="{h:.0f}" role="img" aria-label="{escape(aria)}">'
            f'<rect x="0" y="0" width="{w:.0f}" height="{h:.0f}" fill="#fff" stroke="#999">'
            f'</rect><g fill="#000">{"".join(rects)}</g>'
            f'<g stroke="#c00" stroke-width="1" stroke-dasharray="3 2">{"".join(lines)}</g>'
            "</svg>")


def samples(n: int, focus: int | None) -> list[int]:
    """Up to ``SAMPLES`` evenly spread flat indices, the focus first."""
    picked = sorted({int(v) for v in np.linspace(0, n - 1, min(SAMPLES, n)).round()})
    if focus is None:
        return picked
    return [focus] + [v for v in picked if v != focus]


def output_hood(m: Model, o: int) -> str:
    """Output ``o``: its sum of products, receptive field and row of T (non-zero columns)."""
    t = m.d.taps
    lo, hi = int(t.starts[o]), int(t.starts[o + 1])
    pairs = list(zip(t.i[lo:hi].tolist(), t.k[lo:hi].tolist()))
    b = m.bias_of(o)
    value = sympy.Add(*[m.ws[k] * m.xs[i] for i, k in pairs]) + (0 if b is None else b)
    by_input: dict[int, list[int]] = {}
    for i, k in pairs:
        by_input.setdefault(i, []).append(k)
    ins = sorted(by_input)
    head = "".join(f'<th scope="col">{escape(m.x_label(i))}</th>' for i in ins)
    cells = "".join(t_cell(m, o, i, sorted(by_input[i])) for i in ins)
    row = (f'<table class="sc-mat sc-T"><caption>row {escape(m.y_label(o))} of T, '
           f"non-zero columns only ({len(ins)} of {t.n_in:,})</caption><thead><tr><th></th>"
           f'{head}</tr></thead><tbody><tr><th scope="row">{escape(m.y_label(o))}</th>'
           f"{cells}</tr></tbody></table>")
    weights = "".join(weight_chip(m, k, int(m.ties[k])) for k in sorted({k for _, k in pairs}))
    return (f"<h4>output {escape(m.y_label(o))}</h4>{output_equation(m, o, pairs, value)}"
            f'<p class="sc-note">receptive field ({len(ins)} inputs):</p>'
            f'<div class="sc-chips">{"".join(input_chip(m, i) for i in ins)}</div>'
            f'<p class="sc-note">weights it uses:</p><div class="sc-chips">{weights}</div>'
            f'<div class="sc-scroll">{row}</div>')


def _first_taps(k_of_tap: np.ndarray, k: int, n: int) -> np.ndarray:
    """The first ``n`` taps of weight ``k``, scanning the table a chunk at a time."""
    found: list[np.ndarray] = []
    have = 0
    for a in range(0, k_of_tap.size, CHUNK):
        hit = np.flatnonzero(k_of_tap[a:a + CHUNK] == k) + a
        found.append(hit[:n - have])
        have += found[-1].size
        if have >= n:
            break
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


def weight_hood(m: Model, k: int, g: Any | None) -> str:
    """Weight ``k``: the entries of T it occupies (and the entries of G it sums)."""
    t = m.d.taps
    count = int(m.ties[k])
    shown = _first_taps(t.k, k, LIST_CAP)
    rows = []
    for tap in shown.tolist():
        o, i = int(t.o[tap]), int(t.i[tap])
        lo, hi = int(t.starts[o]), int(t.starts[o + 1])  # the taps of output o only
        ks = sorted(int(v) for v in t.k[lo:hi][t.i[lo:hi] == i])
        rows.append(f'<tr><th scope="row">{escape(m.y_label(o))}</th>'
                    f"<td>{escape(m.x_label(i))}</td>{t_cell(m, o, i, ks)}</tr>")
    more = count - int(shown.size)
    cut = f'<p class="sc-note">\u2026 and {more:,} more entries.</p>' if more else ""
    table = (f'<table class="sc-mat sc-T"><caption>the {count:,} entries of T holding '
             f"{escape(m.w_label(k))}</caption><thead><tr><th>row</th><th>column</th>"
             f"<th>entry</th></tr></thead><tbody>{''.join(rows)}</tbody></table>")
    grad = ""
    if g is not None:
        gs = flat(g.output)
        parts = [
            f'<span class="sc-term" data-role="gterm" data-o="{int(t.o[tap])}" '
            f'data-i="{int(t.i[tap])}" data-k="{k}">'
            f"{math(product(gs[int(t.o[tap])], m.xs[int(t.i[tap])]))}</span>"
            for tap in shown.tolist()]
        tail = f'<span class="sc-op">+ \u2026 ({more:,} more)</span>' if more else ""
        grad = (f'<div class="sc-eq"><span class="sc-lhs" data-role="gw" data-k="{k}">'
                f"\u2202L/\u2202{escape(m.w_label(k))}</span><span class=\"sc-op\">=</span>"
                + '<span class="sc-op">+</span>'.join(parts) + tail + "</div>")
    return (f"<h4>weight {escape(m.w_label(k))}</h4>"
            f'<div class="sc-chips">{weight_chip(m, k, count)}</div>'
            f'<div class="sc-scroll">{table}</div>{cut}{grad}')


def drill_down(m: Model, g: Any | None, focus_output: int | None,
               focus_weight: int | None, everything: bool) -> str:
    """The in-page selection over precomputed neighbourhoods.

    ``everything`` (large layers) adds sampled outputs and weights to the focus.
    """
    t = m.d.taps
    outs = samples(t.n_out, focus_output) if everything else (
        [] if focus_output is None else [focus_output])
    ws = samples(t.n_weight, focus_weight) if everything else (
        [] if focus_weight is None else [focus_weight])
    if focus_weight is not None and focus_output is None:
        items = [("w", k) for k in ws] + [("y", o) for o in outs]
    else:
        items = [("y", o) for o in outs] + [("w", k) for k in ws]
    options, hoods = [], []
    for n, (kind, v) in enumerate(items):
        name = f"output {m.y_label(v)}" if kind == "y" else f"weight {m.w_label(v)}"
        sel = " selected" if n == 0 else ""
        options.append(f'<option value="{n}"{sel}>{escape(name)}</option>')
        body = output_hood(m, v) if kind == "y" else weight_hood(m, v, g)
        hidden = "" if n == 0 else " hidden"
        hoods.append(f'<section class="sc-hood" data-hood="{n}"{hidden}>{body}</section>')
    pick = (f'<label>Show the neighbourhood of <select class="sc-pick">{"".join(options)}'
            "</select></label>")
    return pick + "".join(hoods)

