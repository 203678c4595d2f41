"""The windows of a full convolution result, and the slips that move them (layer: shell).

Every convention :func:`symconv.check_hand` tries is a *window* of the full
result of one operation: per axis a start, a length and a step.  The usual
slips of a hand calculation are other windows -- of the same result (another
mode, shifted by one, another stride, read backwards), of the other operation
(the kernel flipped or not), or of the result with ``x`` and ``w`` swapped --
so recognising a slip is cutting windows and comparing exactly.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import sympy
from sympy import Basic

from ..boundary._spec import as_tuple, mode_window
from ..boundary._values import sympify_array
from ..core._derivation import Derivation
from ._signal import convolve, correlate

#: The modes ``check_hand`` tries: scipy.signal's three, and PyTorch's ``'same'``
#: window, which differs from scipy's along axes where the kernel is even.
HAND_MODES: tuple[str, ...] = ("full", "valid", "same", "same_torch")

MODE_WORDS = {
    "full": "every position where x and w overlap, n + K - 1 entries per axis",
    "valid": "only the positions where x and w overlap completely",
    "same": "the n central entries of full, starting at (K - 1) // 2 as scipy/numpy",
    "same_torch": "the n central entries of full, starting at K // 2 as PyTorch's "
    "padding='same'",
    "circular": "indices wrap around (periodic, as with the FFT), n entries per axis",
}

#: ``mode="circular"`` is no window of the full result (it folds it): ``check_hand``
#: derives it on its own (:func:`circular_results`) for signals without stride or padding.
CIRCULAR = "circular"


#: The order in which a single claimed number is looked for: the smallest windows first.
LOCATE_MODES = ("valid", "same", "same_torch", "full")


@dataclass(frozen=True)
class Window:
    """Per axis: first index into the full result, unstrided span, and step."""

    start: tuple[int, ...]
    span: tuple[int, ...]
    step: tuple[int, ...]

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple((n - 1) // s + 1 for n, s in zip(self.span, self.step))

    def cut(self, full: np.ndarray) -> np.ndarray | None:
        """The window's entries of ``full``, or None when it leaves ``full``."""
        if any(a < 0 or a + n > m for a, n, m in zip(self.start, self.span, full.shape)):
            return None
        return full[tuple(slice(a, a + n, s) for a, n, s in zip(self.start, self.span, self.step))]

    def full_index(self, index: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(a + j * s for a, j, s in zip(self.start, index, self.step))

    def replace(self, **changes: tuple[int, ...]) -> Window:
        fields = {"start": self.start, "span": self.span, "step": self.step, **changes}
        return Window(**fields)


def convention_window(
    mode: str, n: tuple[int, ...], k: tuple[int, ...], step: tuple[int, ...], explicit: bool
) -> Window | None:
    """The window of ``mode`` (scipy.signal's rules; PyTorch's for ``same_torch``)."""
    if mode in ("full", "same", "valid"):
        if mode == "valid" and not (all(a >= b for a, b in zip(n, k))
                                    or all(b >= a for a, b in zip(n, k))):
            return None  # scipy.signal refuses mixed sizes in valid mode
        starts, lengths = zip(*(mode_window(mode, a, b) for a, b in zip(n, k)))
        return Window(tuple(starts), tuple(lengths), step)
    if all(b % 2 for b in k) and not explicit:
        return None  # identical to scipy's "same" for odd kernels
    return Window(tuple(b // 2 for b in k), n, step)


def find_slip(
    windows: dict[tuple[str, str], Window],
    full: dict[str, np.ndarray],
    claim: np.ndarray,
    n: tuple[int, ...],
    k: tuple[int, ...],
    step: tuple[int, ...],
    *,
    lead: int = 0,
) -> tuple[tuple[str, str] | None, str | None, str]:
    """The first convention (in order) that one recognised slip turns into the claim.

    Sub-windows (``edges_trimmed`` with an arbitrary cut) explain almost any short
    claim, so they are tried only after every other slip of every convention.
    """
    for cuts in (False, True):
        for (op, mode), win in windows.items():
            other = "correlate" if op == "convolve" else "convolve"
            if cuts:
                tried = sub_windows(op, mode, win, claim.shape)
            else:
                tried = variants(op, other, mode, win, n, k, step, lead=lead)
            for slip, variant_op, variant, what in tried:
                values = variant.cut(full[variant_op])
                if values is not None and equal(values, claim):
                    return (op, mode), slip, what
    return None, None, ""


def variants(
    op: str,
    other: str,
    mode: str,
    win: Window,
    n: tuple[int, ...],
    k: tuple[int, ...],
    step: tuple[int, ...],
    *,
    lead: int = 0,
) -> Iterator[tuple[str, str, Window, str]]:
    """``(slip, operation, window, plain words)`` for each slip of one convention.

    The first ``lead`` axes (a channel axis) are never shifted or strided, and with
    them ``x`` and ``w`` swapped is not tried (meaningless across channels).
    """
    slip = "not_flipped" if op == "convolve" else "flipped"
    yield slip, other, win, f"the claim is {other}, mode={mode!r}"
    m_full = tuple(a + b - 1 for a, b in zip(n, k))
    mirrored = win.start[:lead] + tuple(
        m - 1 - (a + (c - 1) * s)
        for m, a, c, s in zip(m_full[lead:], win.start[lead:], win.shape[lead:],
                              win.step[lead:]))
    yield "reversed", op + "~", win.replace(start=mirrored), (
        f"the claim is {op}, mode={mode!r} read backwards")
    if not lead and mode in MODE_WORDS:
        swapped = convention_window(mode, k, n, step, explicit=True)
        if swapped is not None and (op == "correlate" or swapped != win):
            source = op + "~" if op == "correlate" else op
            yield "swapped", source, swapped, (
                f"the claim is {op}(w, x), mode={mode!r} instead of {op}(x, w)")
    for m in HAND_MODES:
        alt = convention_window(m, n, k, step, explicit=False)
        if m == mode or alt is None:
            continue
        size, alt_size = int(np.prod(win.shape)), int(np.prod(alt.shape))
        name = "edges_trimmed" if alt_size < size else "edges_kept"
        if alt_size == size:
            name = "off_by_one"
        yield name, op, alt, f"the claim is {op}, mode={m!r}"
    for shift in itertools.product((-1, 0, 1), repeat=len(n) - lead):
        delta = (0,) * lead + shift
        if any(delta):
            start = tuple(a + d for a, d in zip(win.start, delta))
            yield "off_by_one", op, win.replace(start=start), (
                f"the claim is {op}, mode={mode!r} with the window shifted by "
                f"{tup(delta)} (first full-result index {tup(start)})"
            )
    for s in range(1, max(win.span[lead:]) + 1):
        new = step[:lead] + (s,) * (len(n) - lead)
        if new == step:
            continue
        if s == 1:
            yield "stride_skipped", op, win.replace(step=new), (
                f"the claim is {op}, mode={mode!r} without the stride {tup(step)}"
            )
        else:
            yield "stride_applied", op, win.replace(step=new), (
                f"the claim is every {ordinal(s)} element of {op}, mode={mode!r} "
                f"(stride {s}, not {tup(step)})"
            )


def sub_windows(
    op: str, mode: str, win: Window, claim_shape: tuple[int, ...]
) -> Iterator[tuple[str, str, Window, str]]:
    """Every cut of the window to the claim's (smaller) shape: ``edges_trimmed``."""
    shape = win.shape
    if claim_shape != shape and all(c <= m for c, m in zip(claim_shape, shape)):
        ranges = [range(m - c + 1) for c, m in zip(claim_shape, shape)]
        for offset in itertools.product(*ranges):
            start = tuple(a + j * s for a, j, s in zip(win.start, offset, win.step))
            span = tuple((c - 1) * s + 1 for c, s in zip(claim_shape, win.step))
            cut = ", ".join(f"{j}:{j + c}" for j, c in zip(offset, claim_shape))
            yield "edges_trimmed", op, Window(start, span, win.step), (
                f"the claim is y[{cut}] of {op}, mode={mode!r}, which has {size_text(shape)}"
            )


def nearest(cut: dict[tuple[str, str], np.ndarray | None], claim: np.ndarray) -> tuple[str, str]:
    """The convention of the claim's shape with the fewest wrong entries, else nearest size."""
    best: tuple[tuple[int, int], tuple[str, str]] | None = None
    for c, v in cut.items():
        if v is None:
            continue
        if v.shape == claim.shape:
            score = (0, sum(not same_value(a, b) for a, b in zip(v.flat, claim.flat)))
        else:
            score = (1, abs(v.size - claim.size))
        if best is None or score < best[0]:
            best = (score, c)
    assert best is not None
    return best[1]


def dilate(w: np.ndarray, dilation: tuple[int, ...]) -> np.ndarray:
    """``w`` with ``dilation - 1`` zeros between its taps along each axis."""
    shape = tuple(d * (k - 1) + 1 for k, d in zip(w.shape, dilation))
    out = np.full(shape, sympy.Integer(0), dtype=object)
    out[tuple(slice(None, None, d) for d in dilation)] = sympify_array(w)
    return out


def padding_window(
    padding: object, n: tuple[int, ...], k: tuple[int, ...], step: tuple[int, ...]
) -> tuple[str, Window]:
    """``(label, window)`` of a zero-padded layer: output ``o`` is full index ``s*o + K-1-lo``."""
    nd = len(n)
    if isinstance(padding, str):
        if padding != "SAME":
            raise ValueError(f"`padding` must be an integer, (low, high) pairs or 'SAME' "
                             f"(TensorFlow), got {padding!r}")
        pads: list[tuple[int, ...]] = []
        for a, b, s in zip(n, k, step):
            total = max((-(-a // s) - 1) * s + b - a, 0)
            pads.append((total // 2, total - total // 2))
        label = "padding='SAME' (TensorFlow)"
    else:
        items = padding if isinstance(padding, (tuple, list)) else (padding,) * nd
        if nd == 1 and len(items) == 2 and not any(isinstance(v, (tuple, list)) for v in items):
            items = (tuple(items),)  # 1-D: (low, high)
        if len(items) != nd:
            raise ValueError(f"`padding` must have one entry per axis ({nd}), got {padding!r}")
        pads = []
        for item in items:
            lo_hi = item if isinstance(item, (tuple, list)) else (item, item)
            if len(lo_hi) != 2:
                raise ValueError(f"`padding` entries must be integers or (low, high) pairs, "
                                 f"got {item!r}")
            pads.append(tuple(int(as_tuple("padding", v, 1, minimum=0)[0]) for v in lo_hi))
        shown = pads[0] if nd == 1 else tuple(pads)
        label = f"padding={shown}"
    start = tuple(b - 1 - lo for b, (lo, _) in zip(k, pads))
    span = tuple(a + lo + hi - b + 1 for a, b, (lo, hi) in zip(n, k, pads))
    if any(v <= 0 for v in span) or any(v < 0 for v in start):
        raise ValueError(f"`padding` {padding!r} leaves no output reading the input "
                         f"(x shape {n}, kernel extent {k})")
    return label, Window(start, span, step)


def locate(
    windows: dict[tuple[str, str], Window], full: dict[str, np.ndarray], value: Basic
) -> tuple[tuple[str, str], tuple[int, ...]] | None:
    """The first convention (smallest windows first) with an element equal to ``value``."""
    order = sorted(windows, key=lambda c: (LOCATE_MODES.index(c[1])
                                           if c[1] in LOCATE_MODES else -1))
    for c in order:
        values = windows[c].cut(full[c[0]])
        if values is None:
            continue
        for j in np.ndindex(*values.shape):
            if same_value(values[j], value):
                return c, tuple(int(v) for v in j)
    return None


def ordinal(s: int) -> str:
    suffix = "th" if 10 <= s % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(s % 10, "th")
    return f"{s}{suffix}"


def size_text(shape: tuple[int, ...]) -> str:
    if len(shape) == 1:
        return f"{shape[0]} entr{'y' if shape[0] == 1 else 'ies'}"
    return f"shape {shape}"


def tup(t: tuple[int, ...]) -> str:
    return str(t[0]) if len(t) == 1 else str(tuple(t))


def same_value(a: Basic, b: Basic) -> bool:
    return bool(a == b) or sympy.expand(a - b) == 0


def equal(values: np.ndarray, claim: np.ndarray) -> bool:
    return values.shape == claim.shape and all(
        same_value(a, b) for a, b in zip(values.flat, claim.flat)
    )


# ------------------------------------------------------------- full results

Pairs = list[tuple[Basic, Basic]]


def result_values(d: Derivation) -> np.ndarray:
    """The outputs of ``d`` as an object array of its output shape."""
    out = np.empty(len(d.flat_output), dtype=object)
    out[:] = d.flat_output
    return out.reshape(d.spec.output_shape)


def full_results(
    xa: np.ndarray, wa: np.ndarray, channels: bool
) -> tuple[dict[str, Callable[[tuple[int, ...]], Pairs]], dict[str, np.ndarray]]:
    """Per operation: the ``(weight, input)`` pairs of a full-result index, and the full result.

    With ``channels`` output channel ``co`` of the full result sums, over the input
    channels ``ci``, the full result of ``x[ci]`` with ``w[co, ci]``.
    """
    fns = {"convolve": convolve, "correlate": correlate}
    terms_of: dict[str, Callable[[tuple[int, ...]], Pairs]] = {}
    full: dict[str, np.ndarray] = {}
    for op, fn in fns.items():
        if not channels:
            d = fn(xa, wa, "full")
            terms_of[op] = TermsOf([[d]], channels=False)
            full[op] = result_values(d)
            continue
        c_out, c_in = wa.shape[:2]
        grid = [[fn(xa[ci], wa[co, ci], "full") for ci in range(c_in)] for co in range(c_out)]
        full[op] = np.stack([sum((result_values(d) for d in row[1:]), result_values(row[0]))
                             for row in grid])
        terms_of[op] = TermsOf(grid, channels=True)
    return terms_of, full


def circular_results(
    xa: np.ndarray, wa: np.ndarray, ops: tuple[str, ...]
) -> dict[tuple[str, str], Derivation]:
    """``(op, "circular")`` -> the periodic convolution or correlation of ``x`` and ``w``.

    Derived by :func:`symconv.convolve` / :func:`symconv.correlate` with
    ``mode="circular"`` (output the size of ``x``); empty when the kernel is larger
    than ``x`` along some axis (it would wrap onto itself).
    """
    if any(k > n for n, k in zip(xa.shape, wa.shape)):
        return {}
    fns = {"convolve": convolve, "correlate": correlate}
    return {(op, CIRCULAR): fns[op](xa, wa, "circular") for op in ops}


class TermsOf:
    """The ``(weight, input)`` pairs of one index of the full result (all input channels)."""

    def __init__(self, grid: list[list[Derivation]], channels: bool) -> None:
        self.grid, self.channels = grid, channels

    def __call__(self, at: tuple[int, ...]) -> Pairs:
        if not self.channels:
            return self.grid[0][0].terms(*at)
        return [t for d in self.grid[at[0]] for t in d.terms(*at[1:])]


def dilate_kernels(w: np.ndarray, dil: tuple[int, ...], channels: bool) -> np.ndarray:
    if not channels:
        return dilate(w, dil)
    out = np.empty(w.shape[:2], dtype=object)
    for idx in np.ndindex(*w.shape[:2]):
        out[idx] = dilate(w[idx], dil)
    return np.array(out.tolist(), dtype=object)
