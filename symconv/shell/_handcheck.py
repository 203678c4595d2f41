"""Checking a hand calculation: which convolution convention gives the claimed result?

Layer: shell. Over 400 lines: the candidate conventions and the wording of the report
belong together.

Every convention is a *window* of the full result of one operation (true
convolution or cross-correlation): per axis a start, a length and a step (the
stride).  ``check_hand`` derives the two full results exactly with
:func:`symconv.convolve` / :func:`symconv.correlate`, cuts every window out of
them and compares each with the claim entry by entry in exact arithmetic.  When
nothing matches, the usual slips are windows too: the other operation (kernel
not flipped), another mode (edges trimmed or kept), a window shifted by one, or
another step (stride skipped or applied).  The circular convention (``mode="circular"``,
indices wrapping around as with the FFT) folds the full result rather than cutting it, so
it is derived on its own.  Every name in the report is printed by
:class:`symconv.rendering._names.Names` (``names=``, ``index_base=``).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
import sympy
from sympy import Basic

from ..boundary._spec import OPS, as_tuple, check_choice
from ..boundary._values import sympify_array, to_array
from ..core._derivation import Derivation
from ..core._derivation import to_sympy_array as _array
from ..rendering._names import DEFAULT, Names
from ._handcheck_gradients import WRT, compare, gradient_results, gradient_text
from ._handcheck_windows import (
    CIRCULAR,
    HAND_MODES,
    MODE_WORDS,
    Pairs,
    Window,
    circular_results,
    convention_window,
    dilate_kernels,
    equal,
    find_slip,
    full_results,
    locate,
    nearest,
    padding_window,
    result_values,
    same_value,
    size_text,
    tup,
)

_OP_WORDS = {
    "convolve": "true convolution (kernel flipped)",
    "correlate": "cross-correlation (kernel not flipped; what deep-learning layers compute)",
}
#: The slips ``check_hand`` recognises, by name.
SLIPS: dict[str, str] = {
    "not_flipped": "kernel not flipped (or flipped twice)",
    "flipped": "kernel flipped (cross-correlation does not flip it)",
    "edges_trimmed": "edges trimmed",
    "edges_kept": "edges not trimmed",
    "off_by_one": "window off by one",
    "stride_skipped": "stride skipped",
    "stride_applied": "every s-th element taken (a stride applied)",
    "reversed": "outputs in reverse order",
    "swapped": "x and w swapped (correlation is not symmetric in them)",
    "one_element": "one element of a convention",
    "wrapped": "indices wrapped around (a circular result)",
}

#: The modes ``mode=`` accepts: the windows of the full result, and ``"circular"``.
MODES: tuple[str, ...] = (*HAND_MODES, CIRCULAR)

#: A match lists the sums of products of at most this many of its elements.
SHOWN_PRODUCTS = 6


def describe(op: str, mode: str) -> str:
    """Plain words for one convention, e.g. ``describe("convolve", "full")``.

    Examples
    --------
    >>> print(describe("convolve", "valid"))
    convolve, mode='valid': true convolution (kernel flipped); only the positions
    where x and w overlap completely
    """
    if mode in MODE_WORDS:
        return f"{op}, mode={mode!r}: {_OP_WORDS[op]}; {MODE_WORDS[mode]}"
    return f"{op}, {mode}: {_OP_WORDS[op]}; zero padding (low, high) per axis"


def _phrase(op: str, mode: str) -> str:
    """``valid correlation``, ``full convolution``, ``correlation with padding=(0, 1)``."""
    noun = "convolution" if op == "convolve" else "correlation"
    return f"{mode} {noun}" if mode in MODE_WORDS else f"{noun} with {mode}"


@dataclass(frozen=True)
class HandCheck:
    """Which conventions give a claimed result, and, if none, what went wrong.

    Made by :func:`check_hand`.  Truthy when some convention matches.

    Attributes
    ----------
    claimed : sympy.Array
        The claim, as exact SymPy values.
    matches : list of (str, str)
        The ``(operation, mode)`` pairs whose result equals the claim exactly.
    results : dict
        The exact result (a ``sympy.Array``) of every convention tried.
    stride : tuple of int
        The stride the conventions were taken with (1 per axis unless given).
    closest : (str, str) or None
        Without a match, the convention the claim is nearest to (or explained
        by a slip of); None when something matches.
    slip : str or None
        The recognised slip, a key of ``symconv.shell._handcheck.SLIPS``:
        ``"not_flipped"``, ``"flipped"``, ``"edges_trimmed"``, ``"edges_kept"``,
        ``"off_by_one"``, ``"stride_skipped"``, ``"stride_applied"`` or
        ``"wrapped"`` (the claim is the circular result of a mode not tried).
    slip_detail : str
        The slip in plain words (empty without one).
    index : tuple of int or None
        The first (C order) wrong element of the claim against ``closest``
        (None when the shapes differ or something matches).
    claimed_value, right_value : sympy.Basic or None
        The claimed and the right value of that element.
    products : str or None
        That element's sum of products, e.g. ``"y_0 = 1*7 + 2*6 + 3*5 = 34"``.
    match_products : dict
        For each match, the sums of products of its first ``SHOWN_PRODUCTS``
        elements, e.g. ``["y_0 = 1*5 + 2*6 + 3*7 = 38", ...]``.

    Examples
    --------
    >>> import symconv as sc
    >>> rep = sc.check_hand([1, 2, 3, 4], [5, 6, 7], [5, 16, 34, 52, 45, 29])
    >>> bool(rep), rep.closest, rep.index, rep.claimed_value, rep.right_value
    (False, ('convolve', 'full'), (5,), 29, 28)
    >>> print(rep)
    [5, 16, 34, 52, 45, 29] matches no convention tried.
    Closest: convolve, mode='full': true convolution (kernel flipped); every position
    where x and w overlap, n + K - 1 entries per axis.
      it gives [5, 16, 34, 52, 45, 28]
    First wrong element: y_5 = 4*7 = 28, not 29.
    """

    claimed: sympy.Array
    matches: list[tuple[str, str]]
    results: dict[tuple[str, str], sympy.Array]
    stride: tuple[int, ...]
    closest: tuple[str, str] | None = None
    slip: str | None = None
    slip_detail: str = ""
    index: tuple[int, ...] | None = None
    claimed_value: Basic | None = None
    right_value: Basic | None = None
    products: str | None = None
    match_products: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.matches)

    def _repr_html_(self) -> str:
        """The report as escaped preformatted HTML (Jupyter), green or red by the verdict."""
        import html

        colour = "#1b7837" if self else "#b2182b"
        return (f'<pre class="symconv-handcheck" style="border-left: 4px solid {colour}; '
                f'padding-left: 0.6em">{html.escape(str(self))}</pre>')

    def _repr_latex_(self) -> str:
        """The report as LaTeX text lines (every character escaped) for Jupyter."""
        from ..rendering._tex import text

        rows = " \\\\\n".join(text(line) for line in str(self).splitlines())
        return "$$\\begin{array}{l}\n" + rows + "\n\\end{array}$$"

    def __str__(self) -> str:
        claim = _show(self.claimed)
        strided = any(s != 1 for s in self.stride)
        with_stride = f" with stride {tup(self.stride)}" if strided else ""
        if self.matches:
            n = len(self.matches)
            head = f"{claim} matches {n} convention{'s' if n > 1 else ''}{with_stride}:"
            lines = [head]
            for c in self.matches:
                lines.append(f"  - {describe(*c)}")
                lines += [f"      {p}" for p in self.match_products.get(c, [])]
            return "\n".join(lines)
        lines = [f"{claim} matches no convention tried{with_stride}."]
        if self.closest is not None:
            lines.append(f"Closest: {describe(*self.closest)}.")
            right = self.results[self.closest]
            lines.append(f"  it gives {_show(right)}")
        if self.slip is not None:
            lines.append(f"Likely slip: {SLIPS[self.slip]}: {self.slip_detail}.")
        if self.index is not None:
            lines.append(f"First wrong element: {self.products}, not {self.claimed_value}.")
        elif self.closest is not None and self.slip != "one_element":
            right = self.results[self.closest]
            lines.append(
                f"The sizes differ: the claim has {size_text(self.claimed.shape)}, "
                f"{self.closest[0]}/{self.closest[1]} gives {size_text(right.shape)}."
            )
        return "\n".join(lines)


def check_hand(
    x: object,
    w: object,
    claimed: object,
    *,
    stride: object = None,
    op: str | None = None,
    mode: str | None = None,
    padding: object = None,
    dilation: object = None,
    channels: bool = False,
    grad_output: object = None,
    wrt: str = "w",
    names: object = "xwb",
    index_base: object = 0,
) -> HandCheck:
    """Find the conventions under which ``claimed`` is the convolution of ``x`` and ``w``.

    Tries true convolution and cross-correlation in every mode (scipy.signal's
    ``full``, ``valid``, ``same``, and ``same_torch``, PyTorch's ``'same'``
    window, where it differs from scipy's), in any number of dimensions, and
    compares exactly: integers, fractions and symbols.

    Parameters
    ----------
    x, w : array_like
        Input and kernel: nested lists, NumPy or SymPy arrays of numbers or
        SymPy expressions (``fractions.Fraction`` is read exactly).
    claimed : array_like
        The hand-computed result, with the same number of dimensions as ``x``.
    stride : int or tuple of int, optional
        Take every ``stride``-th output per axis (PyTorch's strided layer: the
        windows of ``full``, ``valid`` and ``same`` start where they do without
        a stride).  Default 1.
    op : {"convolve", "correlate"}, optional
        The operation intended; only it counts as a match, and the other one
        becomes a recognised slip.  Default: both.
    mode : {"full", "valid", "same", "same_torch", "circular"}, optional
        The mode intended; likewise.  Default: all of them.  ``"circular"`` is
        the periodic convolution or correlation (output the size of ``x``, as
        ``numpy.fft.ifft(fft(x) * fft(w, n))``), tried for a claim of ``x``'s shape
        without ``stride``, ``padding``, ``channels`` or ``grad_output`` and
        when the (dilated) kernel is no larger than ``x``.
    padding : int, tuple or "SAME", optional
        Instead of a mode, the zero padding of a layer: one integer, one per
        axis, or ``(low, high)`` pairs per axis (asymmetric; in 1-D a pair of
        integers is ``(low, high)``), or ``"SAME"`` for
        TensorFlow's rule (output ``ceil(n / stride)``, the odd padding at the
        end).  The conventions are then the two operations with that padding.
    dilation : int or tuple of int, optional
        Spacing of the kernel taps (``dilation - 1`` zeros between them), as in
        PyTorch and TensorFlow.  Default 1.
    channels : bool
        Several channels, as a layer (PyTorch's shapes, no batch): ``x`` is
        ``(in_channels, *spatial)``, ``w`` is ``(out_channels, in_channels,
        *kernel)`` and the claim ``(out_channels, *spatial)``; each output
        channel sums the convolutions of every input channel with its kernel.
    grad_output : array_like, optional
        The upstream gradient ``g = dL/dy``: the claim is then a gradient of
        ``L = sum(g * y)``, ``dL/dw`` (``wrt="w"``, the shape of ``w``) or
        ``dL/dx`` (``wrt="x"``), and the conventions are those whose output has
        the shape of ``g``.  A tied weight sums over every output it reaches.
    wrt : {"w", "x"}
        With ``grad_output``: which gradient is claimed.
    names : str or mapping, optional
        How the sums of products in the report name the output, the gradients and
        any ``x_0``-style symbols: as for :func:`symconv.to_latex` (``"xwb"``,
        ``"aWz"``: output ``z``; or ``{"y": "out"}``).
    index_base : {0, 1}
        Add this to the indices printed in the report (``index_base=1``: the first
        output is ``y_1``).  The attributes (``index``...) stay 0-based.

    Returns
    -------
    HandCheck
        ``matches`` lists the ``(operation, mode)`` pairs that give the claim;
        without a match, ``closest``, ``slip``, ``index``, ``claimed_value``,
        ``right_value`` and ``products`` say what went wrong; ``str()`` explains.

    Raises
    ------
    ValueError
        Empty arrays, arrays of different dimensions, an unknown ``op`` or
        ``mode``, a non-positive ``stride``, an intended mode that cannot apply,
        unknown ``names`` or an ``index_base`` other than 0 or 1.
    TypeError
        Text or other non-numeric entries.

    Notes
    -----
    Per axis with ``n`` inputs and ``K`` taps, every mode is a window of the full
    result (``n + K - 1`` entries): ``valid`` keeps ``|n - K| + 1`` entries from
    ``min(n, K) - 1``, ``same`` keeps ``n`` from ``(K - 1) // 2`` and
    ``same_torch`` keeps ``n`` from ``K // 2``; a stride keeps every
    ``stride``-th entry of the window.  The slips tried, in this order for each
    convention: the other operation on the same window (``not_flipped``,
    ``flipped``), another mode (``edges_trimmed``, ``edges_kept``, or
    ``off_by_one`` between the two ``same`` windows), the window shifted by one
    along some axes (``off_by_one``), another step (``stride_skipped``,
    ``stride_applied``); then, for every convention, any smaller cut of its
    window (``edges_trimmed``, e.g. the last entry left out).  Without a slip the
    closest convention is the one of the claim's shape with the fewest wrong
    entries.  A claim that is the circular result while another mode was
    intended is the slip ``wrapped`` (tried before the others).  Indices are
    0-based (printed from ``index_base``).

    ``scipy.signal.correlate2d(x, w, "same")`` centres like PyTorch
    (``same_torch``), unlike ``scipy.signal.correlate``; both agree for odd kernels.

    Examples
    --------
    >>> import symconv as sc
    >>> sc.check_hand([1, 2, 3, 4], [5, 6, 7], [5, 16, 34, 52, 45, 28]).matches
    [('convolve', 'full')]
    >>> rep = sc.check_hand([1, 2, 3, 4], [5, 6, 7], [38, 56], op="convolve")
    >>> bool(rep), rep.closest, rep.slip
    (False, ('convolve', 'valid'), 'not_flipped')
    >>> rep.products
    'y_0 = 1*7 + 2*6 + 3*5 = 34'
    """
    nm = Names.of(names, index_base)
    xa, wa = to_array("x", x), to_array("w", w)
    ca = sympify_array(to_array("claimed", claimed))
    if not isinstance(channels, bool):
        raise TypeError(f"`channels` must be True or False, got {channels!r}")
    nd = xa.ndim - 1 if channels else xa.ndim
    if channels:
        if nd < 1 or wa.ndim != nd + 2 or wa.shape[1] != xa.shape[0]:
            raise ValueError(
                f"with `channels`, `x` must have shape (in_channels, *spatial) and `w` shape "
                f"(out_channels, in_channels, *kernel), got x {xa.shape} and w {wa.shape}")
    if ca.ndim != xa.ndim or ca.size == 0:
        raise ValueError(
            f"`claimed` must be a non-empty array with as many dimensions as `x` ({xa.ndim}), "
            f"got shape {ca.shape}"
        )
    step = (1,) * nd if stride is None else as_tuple("stride", stride, nd, minimum=1)
    dil = (1,) * nd if dilation is None else as_tuple("dilation", dilation, nd, minimum=1)
    if any(v > 1 for v in dil):
        wa = dilate_kernels(wa, dil, channels)
    terms_of, full = full_results(xa, wa, channels)
    spatial = tuple(range(int(channels), xa.ndim))  # read backwards along these axes
    full.update({f"{name}~": np.flip(v, axis=spatial) for name, v in list(full.items())})
    ops = OPS if op is None else (check_choice("op", op, OPS),)
    if padding is not None and mode is not None:
        raise ValueError(f"give `mode` or `padding`, not both; got mode={mode!r} and "
                         f"padding={padding!r}")
    modes = HAND_MODES if mode is None else (check_choice("mode", mode, MODES),)
    n, k = xa.shape, wa.shape
    if channels:  # the channel axis: C_out outputs, all of them in every window
        n, k = (wa.shape[0], *xa.shape[1:]), (1, *wa.shape[2:])
        step = (1, *step)

    windows: dict[tuple[str, str], Window] = {}
    for o in ops:
        if padding is not None:
            label, padded = padding_window(padding, n[-nd:], k[-nd:], step[-nd:])
            if channels:
                padded = Window((0, *padded.start), (n[0], *padded.span), step)
            windows[(o, label)] = padded
            continue
        for m in modes:
            if m == CIRCULAR:
                continue
            win = convention_window(m, n, k, step, explicit=mode is not None)
            if win is not None:
                windows[(o, m)] = win
    # circular: no window of the full result; a signal without stride or padding only
    periodic = (not channels and grad_output is None and padding is None
                and all(v == 1 for v in step))
    if mode == CIRCULAR:
        if not periodic:
            raise ValueError("`mode`='circular' applies to a signal without `stride`, "
                             "`padding`, `channels` or `grad_output`")
        if any(b > a for a, b in zip(n, k)):
            raise ValueError(f"`mode`='circular' needs `w` no larger than `x` in every "
                             f"dimension (the kernel would wrap onto itself), got x shape {n} "
                             f"and w shape {k}")
    # a circular result has x's shape: derived only when the claim has it, or when asked for
    wanted = periodic and (mode == CIRCULAR or ca.shape == xa.shape)
    circular = circular_results(xa, wa, OPS) if wanted else {}
    if not windows and not circular:
        raise ValueError(
            f"`mode`={mode!r} cannot apply: it needs `x` or `w` at least as large as the "
            f"other in every dimension, got x shape {n} and w shape {k}"
        )
    if grad_output is not None:
        if channels:
            raise ValueError("`grad_output` with `channels` is not supported: check one "
                             "channel pair at a time")
        return _gradient_check(xa, wa, ca, grad_output, wrt, windows, step, nm)
    cut = {c: win.cut(full[c[0]]) for c, win in windows.items()}
    tried = {c: d for c, d in circular.items() if c[0] in ops and mode in (None, CIRCULAR)}
    cut.update({c: result_values(d) for c, d in tried.items()})
    results = {c: _array(v) for c, v in cut.items() if v is not None}
    matches = [c for c, v in cut.items() if v is not None and equal(v, ca)]
    claim = _array(ca)
    gaps = any(v > 1 for v in dil)

    def terms(c: tuple[str, str], j: tuple[int, ...]) -> Pairs:
        if c in circular:
            return circular[c].terms(*j)
        return terms_of[c[0]](windows[c].full_index(j))

    if matches:
        shown = {c: [_products(j, terms(c, j), ca[j], gaps, nm)
                     for j in itertools.islice(np.ndindex(*ca.shape), SHOWN_PRODUCTS)]
                 for c in matches}
        for c in matches:
            if ca.size > SHOWN_PRODUCTS:
                shown[c].append(f"... {ca.size - SHOWN_PRODUCTS} more")
        return HandCheck(claim, matches, results, step, match_products=shown)
    if ca.size == 1:
        found = locate(windows, full, ca.flat[0])
        if found is not None:
            c, j = found
            text = _products(j, terms(c, j), ca.flat[0], gaps, nm)
            detail = (f"{ca.flat[0]} is {_name(j, nm)} of {_phrase(*c)} = "
                      f"{text.split(' = ')[1]}")
            return HandCheck(claim, [], results, step, c, "one_element", detail,
                             products=text)

    closest, slip, detail = _wrapped(circular, tried, cut, ca)
    if closest is None:
        closest, slip, detail = find_slip(windows, full, ca, n, k, step, lead=int(channels))
    if closest is None:
        closest = nearest(cut, ca)
    right = cut[closest]
    index = claimed_value = right_value = products = None
    if right is not None and right.shape == ca.shape:
        wrong = [j for j, (a, b) in enumerate(zip(right.flat, ca.flat)) if not same_value(a, b)]
        index = tuple(int(v) for v in np.unravel_index(wrong[0], ca.shape))
        claimed_value, right_value = ca[index], right[index]
        products = _products(index, terms(closest, index), right_value, gaps, nm)
    return HandCheck(
        claim, [], results, step, closest, slip, detail, index, claimed_value, right_value,
        products,
    )


def _wrapped(
    circular: dict[tuple[str, str], Derivation], tried: dict[tuple[str, str], Derivation],
    cut: dict[tuple[str, str], np.ndarray | None], claim: np.ndarray,
) -> tuple[tuple[str, str] | None, str | None, str]:
    """A claim that is a circular result not among the conventions tried: ``wrapped``.

    The closest convention is then one tried of the claim's shape (the same operation
    first), e.g. ``same``, whose window the wrapped-around indices replace.
    """
    for c, d in circular.items():
        if c not in tried and equal(result_values(d), claim):
            shaped = [t for t, v in cut.items() if v is not None and v.shape == claim.shape]
            shaped.sort(key=lambda t: t[0] != c[0])
            closest = shaped[0] if shaped else nearest(cut, claim)
            return closest, "wrapped", (f"the claim is {c[0]}, mode='circular' (indices "
                                        "wrap around instead of reading zeros)")
    return None, None, ""


def _gradient_check(
    xa: np.ndarray, wa: np.ndarray, ca: np.ndarray, grad_output: object, wrt: str,
    windows: dict[tuple[str, str], Window], step: tuple[int, ...], names: Names,
) -> HandCheck:
    """:func:`check_hand` for a claimed ``dL/dw`` or ``dL/dx`` (see ``grad_output``)."""
    wrt = check_choice("wrt", wrt, WRT)
    ga = sympify_array(to_array("grad_output", grad_output))
    var_shape = (wa if wrt == "w" else xa).shape
    if ca.shape != var_shape:
        raise ValueError(f"`claimed` must have the shape of `{wrt}` {var_shape} (it is "
                         f"dL/d{wrt}), got shape {ca.shape}")
    grads, pairs = gradient_results(xa, wa, ga, windows, wrt)
    if not grads:
        raise ValueError(f"`grad_output` has shape {ga.shape}, but no convention tried gives "
                         "an output of that shape")
    matches, closest, index = compare(grads, ca)
    results = {c: _array(v) for c, v in grads.items()}
    flat = {c: p for c, p in pairs.items()}
    shape = var_shape

    def factor(v: Basic) -> str:
        return _factor(v, names)

    def text(c: tuple[str, str], j: tuple[int, ...]) -> str:
        flat_j = int(np.ravel_multi_index(j, shape))
        return gradient_text("d" + names.indexed(wrt, j, "text"), flat[c][flat_j],
                             grads[c][j], factor)

    if matches:
        shown = {c: [text(c, j) for j in itertools.islice(np.ndindex(*shape), SHOWN_PRODUCTS)]
                 for c in matches}
        return HandCheck(_array(ca), matches, results, step, match_products=shown)
    right = None if index is None or closest is None else grads[closest][index]
    products = None if index is None or closest is None else text(closest, index)
    return HandCheck(_array(ca), [], results, step, closest, None, "", index,
                     None if index is None else ca[index], right, products)


def _products(index: tuple[int, ...], terms: Pairs, value: Basic, gaps: bool = False,
              names: Names = DEFAULT) -> str:
    """``y_i = x*w + ... = value`` from the ``(weight, input)`` pairs of one output.

    With a dilated kernel (``gaps``) the zero taps between its weights are left out.
    """
    pairs = [(wv, xv) for wv, xv in terms if not (gaps and wv == 0)]
    text = " + ".join(f"{_factor(xv, names)}*{_factor(wv, names)}" for wv, xv in pairs) or "0"
    shown = names.value(value, "text")
    tail = "" if shown == text else f" = {shown}"
    return f"{_name(index, names)} = {text}{tail}"


def _factor(v: Basic, names: Names = DEFAULT) -> str:
    """A value as a factor: parenthesised unless an integer >= 0 or a symbol."""
    text = names.value(v, "text")
    if (v.is_Integer and v >= 0) or v.is_Symbol:
        return text
    return f"({text})"


def _name(index: tuple[int, ...], names: Names = DEFAULT) -> str:
    """``y_0_1`` of output ``index`` under ``names`` (one printer: rendering/_names)."""
    return names.indexed("y", index, "text")


def _show(a: sympy.Array) -> str:
    return str(a.tolist())
