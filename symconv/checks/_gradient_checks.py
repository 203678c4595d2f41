"""Checking a backward pass: the transposed convolution of ``g``, and numeric references.

Layer: checks.

:meth:`Gradient.verify` proves that ``dL/dx`` is the transposed convolution of
``g`` by building that convolution as its own derivation (a ConvTranspose for
a Conv layer, a Conv for a ConvTranspose, the other signal operation for a
signal) and comparing, entry by entry, its products read from its own tap
table.  :meth:`Gradient.check` compares the
lambdified gradients with an independent NumPy vector-Jacobian product and
with PyTorch's autograd.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from ..boundary._formulas import adjoint_output_padding
from ..boundary._spec import NUMPY_PAD_MODE, layer_params, layer_spec, mode_window, signal_spec
from ..core._derivation import Derivation
from ._compare_arrays import IdTriples, compare_sums_fast, ids_of
from ._reference_vjp import conv_transpose_vjp, conv_vjp, signal_vjp
from ._verify import IdentityResult

if TYPE_CHECKING:
    from ..backward._gradients import Gradient


# ------------------------------------------- the transposed convolution of g


def adjoint_identity(gr: Gradient, memo: dict[int, IdTriples | None] | None = None
                     ) -> IdentityResult:
    """``dL/dx`` equals the transposed convolution of ``g`` built as its own derivation.

    Each output of that derivation goes to one entry of ``dL/dx`` (or none: a
    window, dropped padding), given as an index map; its products are read from
    its own tap table -- as index arrays for the whole-array comparison, as
    ``(weight, g)`` pairs for the term-by-term one.  ``memo``: the keys of
    ``dL/dx`` already read by another proof (see
    :func:`symconv.checks._compare_arrays.compare_sums_fast`).
    """
    s = gr.derivation.spec
    g, w = gr.output_values, gr.derivation.weight_values
    if s.kind == "signal":
        statement, dt, dest = _signal_adjoint(s, g, w)
    elif s.kind == "conv":
        statement, dt, dest = _conv_adjoint(s, g, w)
    else:
        statement, dt, dest = _transpose_adjoint(s, g, w)
    n = dt.taps.n_out if dest is None else len(gr.flat_input)

    def pairs() -> list[list[Any]]:
        rows = _product_rows(dt).reshape(-1)
        if dest is None:
            return rows.tolist()
        out: list[list[Any]] = [[] for _ in range(n)]
        for o, j in enumerate(dest.tolist()):
            if j >= 0:
                out[j].extend(rows[o])
        return out

    def ids() -> IdTriples | None:
        t = dt.taps
        ws, xs = ids_of(dt.flat_weight), ids_of(dt.flat_input)
        if ws is None or xs is None:
            return None
        rows, p, q = (t.o if dest is None else dest[t.o]).astype(np.int64), ws[t.k], xs[t.i]
        if dest is not None:
            keep = rows >= 0
            rows, p, q = rows[keep], p[keep], q[keep]
        return None if bool(np.any(p == q)) else (rows, p, q)

    return compare_sums_fast(statement, gr.flat_input, pairs, ids, memo)


def _product_rows(dt: Derivation) -> np.ndarray:
    """Each output of ``dt`` as the list of its ``(weight, input)`` products, read from its
    own tap table (what ``dt.output`` sums, without building the sums): an object array
    of the output's shape."""
    t = dt.taps
    xs, ws = dt.flat_input, dt.flat_weight
    pairs = list(zip([ws[k] for k in t.k.tolist()], [xs[i] for i in t.i.tolist()]))
    starts = t.starts.tolist()
    rows = np.empty(len(starts) - 1, dtype=object)
    for o in range(len(starts) - 1):
        rows[o] = pairs[starts[o]:starts[o + 1]]
    return rows.reshape(dt.spec.output_shape)


def _window(shape: tuple[int, ...], window: tuple[Any, ...]) -> np.ndarray:
    """For each position of an array of ``shape`` (C order), its index in
    ``array[window]`` flattened, or -1 outside the window."""
    dest = np.full(shape, -1, dtype=np.int64)
    inside = dest[window]
    dest[window] = np.arange(inside.size, dtype=np.int64).reshape(inside.shape)
    return dest.reshape(-1)


def _signal(op: str, g: np.ndarray, w: np.ndarray, mode: str) -> Derivation:
    """``convolve``/``correlate`` of ``g`` and ``w`` built from its spec (not the front door)."""
    return Derivation(signal_spec(g.shape, w.shape, op, mode), g, w)


def _layer(transposed: bool, s: Any, g: np.ndarray, w: np.ndarray, padding: Any,
           output_padding: Any) -> tuple[str, Derivation]:
    """The (transposed) convolution layer of ``s``'s geometry applied to ``g``, same weight."""
    cin, cout = (s.out_channels, s.in_channels) if transposed else (s.in_channels, s.out_channels)
    p = layer_params(s.ndim, transposed, cin, cout, s.kernel_size, s.stride, padding,
                     s.dilation, s.groups, False, "zeros", output_padding)
    return p.call_text(), Derivation(layer_spec(p, tuple(g.shape[1:])), g, w)


Adjoint = tuple[str, Derivation, "np.ndarray | None"]


def _signal_adjoint(s: Any, g: np.ndarray, w: np.ndarray) -> Adjoint:
    # y = window of full(x, w) starting at `start`; the adjoint reads the full result
    # of the other operation (kernel flipped back) from K - 1 - start, n entries.
    other = "convolve" if s.op == "correlate" else "correlate"

    def fn(g: np.ndarray, w: np.ndarray, mode: str) -> Derivation:
        return _signal(other, g, w, mode)

    if s.mode == "circular":  # the adjoint of a periodic convolution is the periodic correlation
        return f"dL/dx = {other}(g, w, mode='circular')", fn(g, w, mode="circular"), None
    need = [
        (k - 1 - mode_window(s.mode, n, k)[0], n)
        for n, k in zip(s.in_size, s.kernel_size)
    ]
    sizes = list(zip(s.out_size, s.kernel_size))
    for mode in ("full", "valid", "same"):
        fits = all(mode_window(mode, n, k) == want for (n, k), want in zip(sizes, need))
        if mode == "valid":
            fits = fits and (all(n >= k for n, k in sizes) or all(k >= n for n, k in sizes))
        if fits:
            return f"dL/dx = {other}(g, w, mode={mode!r})", fn(g, w, mode=mode), None
    full = fn(g, w, mode="full")
    window = tuple(slice(lo, lo + n) for lo, n in need)
    text = ", ".join(f"{lo}:{lo + n}" for lo, n in need)
    dest = _window(tuple(n + k - 1 for n, k in sizes), window)
    return f"dL/dx = {other}(g, w, mode='full')[{text}]", full, dest


def _conv_adjoint(s: Any, g: np.ndarray, w: np.ndarray) -> Adjoint:
    symmetric = all(lo == hi for lo, hi in s.padding)
    if s.padding_mode == "zeros" and symmetric:
        # PyTorch's ConvTranspose with the conv's padding; output_padding restores
        # the input positions a stride skipped at the end.
        pad = tuple(lo for lo, _ in s.padding)
        op = tuple(adjoint_output_padding(n, k, st, dl, lo) for n, k, st, dl, lo
                   in zip(s.in_size, s.kernel_size, s.stride, s.dilation, pad))
        layer, dt = _layer(True, s, g, w, pad, op)
        return f"dL/dx = {layer}(g), same weight", dt, None
    # Otherwise: transposed convolution onto the padded input, then the padding map
    # read backwards (zeros: padded positions dropped; reflect, replicate, circular:
    # each padded position added onto the input it copies).
    padded = tuple(n + lo + hi for n, (lo, hi) in zip(s.in_size, s.padding))
    op = tuple(adjoint_output_padding(m, k, st, dl, 0) for m, k, st, dl
               in zip(padded, s.kernel_size, s.stride, s.dilation))
    layer, dt = _layer(True, s, g, w, 0, op)
    idx = np.arange(int(np.prod(s.in_size))).reshape(s.in_size)
    np_mode = NUMPY_PAD_MODE[s.padding_mode]
    extra = {"constant_values": -1} if np_mode == "constant" else {}
    source = np.pad(idx, s.padding, mode=np_mode, **extra).reshape(-1)  # type: ignore[call-overload]
    size = idx.size
    # dt's output (c, p) -> input c * size + source[p]; padded zeros (-1) dropped.
    offset = np.arange(s.in_channels, dtype=np.int64)[:, None] * size
    dest = np.where(source >= 0, offset + source, -1).reshape(-1)
    fold = ("padded positions dropped" if s.padding_mode == "zeros"
            else f"{s.padding_mode} padding folded back onto the inputs")
    return f"dL/dx = {layer}(g) on the padded input, {fold}, same weight", dt, dest


def _transpose_adjoint(s: Any, g: np.ndarray, w: np.ndarray) -> Adjoint:
    layer, dc = _layer(False, s, g, w, tuple(lo for lo, _ in s.padding), 0)
    statement = f"dL/dx = {layer}(g), same weight"
    if dc.spec.out_size != s.out_size:  # output_padding >= stride (allowed by dilation)
        window = tuple([slice(None)] + [slice(0, n) for n in s.out_size])
        statement += f", first {s.out_size} positions"
        return statement, dc, _window(tuple(dc.spec.output_shape), window)
    return statement, dc, None


# ------------------------------------------------------ numeric references


RefGrad = Callable[[np.ndarray, np.ndarray, "np.ndarray | None", np.ndarray], dict[str, Any]]


def references(d: Derivation, notes: list[str], complex_data: bool = False
                ) -> list[tuple[str, RefGrad]]:
    s = d.spec
    refs: list[tuple[str, RefGrad]] = [
        ("NumPy reference, Jacobian^T g", _vjp_numpy(d))
    ]
    if complex_data:
        notes.append("Complex data: torch.autograd was skipped (PyTorch's complex gradients "
                     "are conjugate Wirtinger derivatives; symconv's are the plain ones).")
        return refs
    try:
        import torch  # noqa: F401
    except ImportError:
        notes.append("PyTorch is not installed: the torch.autograd comparison was skipped.")
        return refs
    if s.ndim > 3:
        notes.append(f"PyTorch has no {s.ndim}-D convolution: torch.autograd was skipped.")
        return refs
    refs.append(("torch.autograd", _torch_autograd(d)))
    return refs


def _vjp_numpy(d: Derivation) -> RefGrad:
    """``J^T g`` of the NumPy reference: its loops run in reverse (:mod:`._reference_vjp`).

    One pass, linear in the products (the Jacobian from unit vectors was quadratic).
    """
    s = d.spec

    def run(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, g: np.ndarray
            ) -> dict[str, Any]:
        xs, ws = x.reshape(s.input_shape), w.reshape(s.weight_shape)
        gs = g.reshape(s.output_shape)
        if s.kind == "signal":
            dx, dw = signal_vjp(xs, ws, gs, str(s.op), str(s.mode))
        elif s.kind == "conv":
            dx, dw = conv_vjp(xs, ws, gs, stride=s.stride, padding=s.padding,
                              dilation=s.dilation, groups=s.groups,
                              padding_mode=s.padding_mode)
        else:
            dx, dw = conv_transpose_vjp(xs, ws, gs, stride=s.stride,
                                        padding=[lo for lo, _ in s.padding],
                                        dilation=s.dilation, groups=s.groups)
        out = {"dL/dx": dx.reshape(-1), "dL/dw": dw.reshape(-1)}
        if b is not None:  # y = ... + b[channel]: dL/db is the channel sum of g
            out["dL/db"] = g.reshape(len(b), -1).sum(axis=1)
        return out

    return run


def _torch_autograd(d: Derivation) -> RefGrad:
    """``(y * g).sum().backward()`` through ``torch.nn.functional``."""
    import torch
    import torch.nn.functional as F

    s = d.spec

    def leaf(a: np.ndarray, shape: tuple[int, ...]) -> Any:
        t = torch.from_numpy(np.ascontiguousarray(a, dtype=np.float64).reshape(shape))
        return t.requires_grad_(True)

    def forward(x: Any, w: Any, b: Any) -> Any:
        if s.kind == "conv":
            pads = [q for pair in reversed(s.padding) for q in pair]
            mode = {"zeros": "constant"}.get(s.padding_mode, s.padding_mode)
            xp = F.pad(x[None], pads, mode=mode) if any(pads) else x[None]
            conv = getattr(F, f"conv{s.ndim}d")
            return conv(xp, w, b, s.stride, 0, s.dilation, s.groups)[0]
        if s.kind == "transpose":
            tconv = getattr(F, f"conv_transpose{s.ndim}d")
            pad = tuple(lo for lo, _ in s.padding)
            return tconv(x[None], w, b, s.stride, pad, s.output_padding, s.groups,
                         s.dilation)[0]
        if s.mode == "circular":  # periodic: circular padding (lo, hi) from the spec
            cpads = [q for pair in reversed(s.padding) for q in pair]
            ck = torch.flip(w, list(range(s.ndim))) if s.op == "convolve" else w
            cconv = getattr(F, f"conv{s.ndim}d")
            return cconv(F.pad(x[None, None], cpads, mode="circular"), ck[None, None])[0, 0]
        # Signals: correlation of the zero-padded input (convolution flips the kernel).
        pads = []
        for n, k, m in reversed(list(zip(s.in_size, s.kernel_size, s.out_size))):
            start = mode_window(str(s.mode), n, k)[0]
            pads += [k - 1 - start, start + m - 1 - (n - 1)]
        kernel = torch.flip(w, list(range(s.ndim))) if s.op == "convolve" else w
        conv = getattr(F, f"conv{s.ndim}d")
        return conv(F.pad(x[None, None], pads), kernel[None, None])[0, 0]

    def run(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, g: np.ndarray
            ) -> dict[str, Any]:
        xt, wt = leaf(x, s.input_shape), leaf(w, s.weight_shape)
        bt = None if b is None else leaf(b, (s.bias_size,))
        y = forward(xt, wt, bt)
        (y * torch.from_numpy(np.ascontiguousarray(g).reshape(tuple(y.shape)))).sum().backward()
        out = {"dL/dx": xt.grad.numpy().reshape(-1), "dL/dw": wt.grad.numpy().reshape(-1)}
        if bt is not None:
            out["dL/db"] = bt.grad.numpy().reshape(-1)
        return out

    return run
