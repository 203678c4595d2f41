"""Checking a backward pass: the transposed convolution of ``g``, and numeric references.

:meth:`Gradient.verify` proves that ``dL/dx`` is the transposed convolution of
``g`` by building that convolution as its own derivation (a ConvTranspose for
a Conv layer, a Conv for a ConvTranspose, the other signal operation for a
signal) and comparing it entry by entry.  :meth:`Gradient.check` compares the
lambdified gradients with an independent NumPy vector-Jacobian product and
with PyTorch's autograd.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy

from ..boundary._spec import mode_window
from ..core._derivation import Derivation
from . import _reference
from ._verify import IdentityResult, compare_sums

if TYPE_CHECKING:
    from ..backward._gradients import Gradient


# ------------------------------------------- the transposed convolution of g


def adjoint_identity(gr: Gradient) -> IdentityResult:
    """``dL/dx`` equals the transposed convolution of ``g`` built as its own derivation."""
    s = gr.derivation.spec
    g, w = gr._g, gr.derivation._w
    if s.kind == "signal":
        statement, out = _signal_adjoint(s, g, w)
    elif s.kind == "conv":
        statement, out = _conv_adjoint(s, g, w)
    else:
        statement, out = _transpose_adjoint(s, g, w)
    return compare_sums(statement, gr._input_flat, out)


def _signal_adjoint(s: Any, g: np.ndarray, w: np.ndarray) -> tuple[str, list[list[Any]]]:
    # y = window of full(x, w) starting at `start`; the adjoint reads the full result
    # of the other operation (kernel flipped back) from K - 1 - start, n entries.
    from ..shell._signal import convolve, correlate

    other = "convolve" if s.op == "correlate" else "correlate"
    fn = convolve if other == "convolve" else correlate
    if s.mode == "circular":  # the adjoint of a periodic convolution is the periodic correlation
        out = fn(g, w, mode="circular")._output_flat
        return f"dL/dx = {other}(g, w, mode='circular')", [[(v, sympy.S.One)] for v in out]
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
            out = fn(g, w, mode=mode)._output_flat
            return f"dL/dx = {other}(g, w, mode={mode!r})", [[(v, sympy.S.One)] for v in out]
    full = np.array(fn(g, w, mode="full")._output_flat, dtype=object)
    full = full.reshape(tuple(n + k - 1 for n, k in sizes))
    window = tuple(slice(lo, lo + n) for lo, n in need)
    text = ", ".join(f"{lo}:{lo + n}" for lo, n in need)
    out = full[window].reshape(-1).tolist()
    return f"dL/dx = {other}(g, w, mode='full')[{text}]", [[(v, sympy.S.One)] for v in out]


def _conv_adjoint(s: Any, g: np.ndarray, w: np.ndarray) -> tuple[str, list[list[Any]]]:
    from ..shell import _layers

    layer_cls = getattr(_layers, f"ConvTranspose{s.ndim}d")
    spans = [dl * (k - 1) for k, dl in zip(s.kernel_size, s.dilation)]
    symmetric = all(lo == hi for lo, hi in s.padding)
    if s.padding_mode == "zeros" and symmetric:
        # PyTorch's ConvTranspose with the conv's padding; output_padding restores
        # the input positions a stride skipped at the end.
        pad = tuple(lo for lo, _ in s.padding)
        op = tuple(
            (n + 2 * lo - span - 1) % st for n, lo, span, st in zip(s.in_size, pad, spans, s.stride)
        )
        layer = layer_cls(s.out_channels, s.in_channels, s.kernel_size, stride=s.stride,
                          padding=pad, output_padding=op, groups=s.groups, bias=False,
                          dilation=s.dilation)
        flat = layer.derive(x=g, weight=w)._output_flat
        return f"dL/dx = {layer!r}(g), same weight", [[(v, sympy.S.One)] for v in flat]
    # Otherwise: transposed convolution onto the padded input, then the padding map
    # read backwards (zeros: padded positions dropped; reflect, replicate, circular:
    # each padded position added onto the input it copies).
    padded = tuple(n + lo + hi for n, (lo, hi) in zip(s.in_size, s.padding))
    op = tuple((m - span - 1) % st for m, span, st in zip(padded, spans, s.stride))
    layer = layer_cls(s.out_channels, s.in_channels, s.kernel_size, stride=s.stride,
                      padding=0, output_padding=op, groups=s.groups, bias=False,
                      dilation=s.dilation)
    gp = np.array(layer.derive(x=g, weight=w)._output_flat, dtype=object)
    gp = gp.reshape(s.in_channels, -1)
    idx = np.arange(int(np.prod(s.in_size))).reshape(s.in_size)
    np_mode = {"zeros": "constant", "reflect": "reflect", "replicate": "edge",
               "circular": "wrap"}[s.padding_mode]
    extra = {"constant_values": -1} if np_mode == "constant" else {}
    source = np.pad(idx, s.padding, mode=np_mode, **extra).reshape(-1)  # type: ignore[call-overload]
    size = idx.size
    out: list[list[Any]] = [[] for _ in range(s.in_channels * size)]
    for c in range(s.in_channels):
        for p, j in enumerate(source.tolist()):
            if j >= 0:
                out[c * size + j].append((gp[c, p], sympy.S.One))
    fold = ("padded positions dropped" if s.padding_mode == "zeros"
            else f"{s.padding_mode} padding folded back onto the inputs")
    return f"dL/dx = {layer!r}(g) on the padded input, {fold}, same weight", out


def _transpose_adjoint(s: Any, g: np.ndarray, w: np.ndarray) -> tuple[str, list[list[Any]]]:
    from ..shell import _layers

    layer = getattr(_layers, f"Conv{s.ndim}d")(
        s.in_channels, s.out_channels, s.kernel_size, stride=s.stride,
        padding=tuple(lo for lo, _ in s.padding), dilation=s.dilation, groups=s.groups,
        bias=False,
    )
    dc = layer.derive(x=g, weight=w)
    y = np.array(dc._output_flat, dtype=object).reshape(dc.spec.output_shape)
    statement = f"dL/dx = {layer!r}(g), same weight"
    if dc.spec.out_size != s.out_size:  # output_padding >= stride (allowed by dilation)
        y = y[tuple([slice(None)] + [slice(0, n) for n in s.out_size])]
        statement += f", first {s.out_size} positions"
    return statement, [[(v, sympy.S.One)] for v in y.reshape(-1).tolist()]


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
    """``J^T g`` for the bilinear forward pass of :mod:`symconv.checks._reference`.

    The Jacobian's columns are the reference applied to unit vectors (the
    forward pass is linear in the input, in the weight and in the bias).
    """
    s = d.spec
    forward = _numpy_forward(s)
    in_shape, w_shape, n_bias = s.input_shape, s.weight_shape, s.bias_size

    def vjp(f: Callable[[np.ndarray], np.ndarray], shape: tuple[int, ...], g: np.ndarray
            ) -> np.ndarray:
        size = int(np.prod(shape))
        cols = []
        for j in range(size):
            e = np.zeros(size)
            e[j] = 1.0
            # sum_o g_o dy_o/dx_j, no conjugation (complex data stay complex)
            cols.append(np.dot(f(e.reshape(shape)).reshape(-1), g))
        return np.array(cols)

    def run(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, g: np.ndarray
            ) -> dict[str, Any]:
        xs, ws = x.reshape(in_shape), w.reshape(w_shape)
        out = {
            "dL/dx": vjp(lambda e: forward(e, ws, None), in_shape, g),
            "dL/dw": vjp(lambda e: forward(xs, e, None), w_shape, g),
        }
        if b is not None:
            zx, zw = np.zeros(in_shape), np.zeros(w_shape)
            out["dL/db"] = vjp(lambda e: forward(zx, zw, e), (n_bias,), g)
        return out

    return run


def _numpy_forward(s: Any) -> Callable[[np.ndarray, np.ndarray, Any], np.ndarray]:
    if s.kind == "signal":
        return lambda x, w, b: _reference.signal_nd(x, w, s.op, s.mode)
    if s.kind == "conv":
        return lambda x, w, b: _reference.conv_nd(
            x, w, b, stride=s.stride, padding=s.padding, dilation=s.dilation,
            groups=s.groups, padding_mode=s.padding_mode,
        )
    return lambda x, w, b: _reference.conv_transpose_nd(
        x, w, b, stride=s.stride, padding=[lo for lo, _ in s.padding],
        output_padding=s.output_padding, dilation=s.dilation, groups=s.groups,
    )


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
