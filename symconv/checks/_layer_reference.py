"""Independent references for the layer family: textbook NumPy loops and torch (checks layer).

Nothing here reads a tap table: every reference re-derives the layer from its
definition (pad, slide a window, multiply), so agreement with the symbolic
views is evidence, not a tautology.  Each reference returns the output and,
given an upstream gradient ``g``, the gradients ``(dx, dw, db)``:

- NumPy: loops over output positions (forward) and the same loops run
  backward by hand (the chain rule written out for one layer);
- torch: ``torch.nn.functional`` forward and ``torch.autograd.grad`` backward.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

Arrays = tuple[np.ndarray, np.ndarray | None, np.ndarray | None, np.ndarray | None]


def _windows(in_size: tuple[int, ...], out_size: tuple[int, ...], kernel: tuple[int, ...],
             stride: tuple[int, ...], pad: tuple[int, ...], dil: tuple[int, ...]) -> Any:
    """Yield ``(out_pos, [(kernel_pos, in_pos or None), ...])`` in kernel (C) order."""
    for opos in itertools.product(*(range(m) for m in out_size)):
        members = []
        for kpos in itertools.product(*(range(k) for k in kernel)):
            ipos = tuple(s * o + d * j - p for o, j, s, p, d in zip(opos, kpos, stride, pad, dil))
            inside = all(0 <= v < n for v, n in zip(ipos, in_size))
            members.append((kpos, ipos if inside else None))
        yield opos, members


def _ix(head: int, tail: tuple[int, ...]) -> tuple[int, ...]:
    return (head, *tail)


def _geometry(d: Any) -> tuple[Any, Any]:
    spec = d.geometry.spec
    return spec, tuple(lo for lo, _ in spec.padding)


# ---------------------------------------------------------------- NumPy


def numpy_layer(d: Any, x: np.ndarray, w: np.ndarray | None, b: np.ndarray | None,
                g: np.ndarray) -> Arrays:
    """``(y, dx, dw, db)`` of layer ``d`` at numbers ``x, w, b`` and upstream ``g``."""
    kind = d.kind
    if kind == "linear":
        assert w is not None
        y = w @ x + (0 if b is None else b)
        return y, w.T @ g, np.outer(g, x), None if b is None else g.copy()
    if kind == "activation":
        return _numpy_activation(d.function.name, x, g)
    if kind in ("avgpool", "maxpool"):
        return _numpy_pool(d, x, g)
    return _numpy_local(d, x, w, b, g)


def _numpy_activation(name: str, z: np.ndarray, g: np.ndarray) -> Arrays:
    if name == "ReLU":
        return np.maximum(z, 0), np.where(z > 0, g, 0.0), None, None
    if name == "Sigmoid":
        s = 1 / (1 + np.exp(-z))
        return s, s * (1 - s) * g, None, None
    if name == "Tanh":
        t = np.tanh(z)
        return t, (1 - t**2) * g, None, None
    raise KeyError(name)


def _numpy_pool(d: Any, x: np.ndarray, g: np.ndarray) -> Arrays:
    spec, pad = _geometry(d)
    geo = d.geometry.geometry
    channels = x.shape[0]
    y = np.zeros((channels, *spec.out_size))
    dx = np.zeros_like(x, dtype=float)
    for c in range(channels):
        for opos, members in _windows(spec.in_size, spec.out_size, geo.kernel_size,
                                      geo.stride, pad, geo.dilation):
            inside = [ip for _, ip in members if ip is not None]
            if geo.kind == "max":
                best = inside[0]
                for ip in inside[1:]:
                    if x[_ix(c, ip)] > x[_ix(c, best)]:  # strict: the first maximum wins
                        best = ip
                y[_ix(c, opos)] = x[_ix(c, best)]
                dx[_ix(c, best)] += g[_ix(c, opos)]
            else:
                # torch: with count_include_pad the window clipped to n + p on the right
                clipped = int(np.prod([min(o * st - p + k, n + p) - (o * st - p) for o, st, p, k, n
                                       in zip(opos, geo.stride, pad, geo.kernel_size,
                                              spec.in_size)]))
                div = clipped if geo.count_include_pad else len(inside)
                y[_ix(c, opos)] = sum(x[_ix(c, ip)] for ip in inside) / div
                for ip in inside:
                    dx[_ix(c, ip)] += g[_ix(c, opos)] / div
    return y, dx, None, None


def _numpy_local(d: Any, x: np.ndarray, w: np.ndarray | None, b: np.ndarray | None,
                 g: np.ndarray) -> Arrays:
    """Locally connected / tiled: for each output position, its own (or its tile's) kernel."""
    assert w is not None
    spec, pad = _geometry(d)
    tiles = d.geometry.tiles
    nd = spec.ndim
    c_out, c_in = spec.out_channels, spec.in_channels
    y = np.zeros((c_out, *spec.out_size))
    dx, dw = np.zeros_like(x, dtype=float), np.zeros_like(w, dtype=float)
    db = None if b is None else np.zeros_like(b, dtype=float)
    ones = (1,) * nd
    for opos, members in _windows(spec.in_size, spec.out_size, spec.kernel_size,
                                  spec.stride, pad, ones):
        slot = opos if tiles is None else tuple(o % t for o, t in zip(opos, tiles))
        for co in range(c_out):
            acc = 0.0
            for ci in range(c_in):
                for kpos, ip in members:
                    if ip is None:
                        continue
                    widx = (co, *slot, ci, *kpos)
                    acc += w[widx] * x[_ix(ci, ip)]
                    dx[_ix(ci, ip)] += w[widx] * g[_ix(co, opos)]
                    dw[widx] += x[_ix(ci, ip)] * g[_ix(co, opos)]
            if b is not None:
                acc += b[_ix(co, slot)]
                assert db is not None
                db[_ix(co, slot)] += g[_ix(co, opos)]
            y[_ix(co, opos)] = acc
    return y, dx, dw, db


# ---------------------------------------------------------------- torch


def torch_layer(d: Any, x: np.ndarray, w: np.ndarray | None, b: np.ndarray | None,
                g: np.ndarray) -> Arrays | None:
    """``(y, dx, dw, db)`` from ``torch.nn.functional`` and autograd; None if not applicable."""
    import torch
    import torch.nn.functional as F

    def t(a: np.ndarray | None) -> Any:
        return None if a is None else torch.tensor(np.asarray(a, dtype=np.float64),
                                                   requires_grad=True)

    xt, wt, bt = t(x), t(w), t(b)
    kind = d.kind
    if kind == "linear":
        y = F.linear(xt, wt, bt)
    elif kind == "activation":
        fn = d.function.torch_name
        if fn is None:
            return None
        y = getattr(torch, fn)(xt)
    elif kind in ("avgpool", "maxpool"):
        geo = d.geometry.geometry
        nd = geo.ndim
        pool: Any
        if kind == "maxpool":
            pool = F.max_pool1d if nd == 1 else F.max_pool2d
            y = pool(xt[None], geo.kernel_size, geo.stride, geo.padding, geo.dilation,
                     ceil_mode=geo.ceil_mode)[0]
        else:
            pool = F.avg_pool1d if nd == 1 else F.avg_pool2d
            y = pool(xt[None], geo.kernel_size, geo.stride, geo.padding,
                     ceil_mode=geo.ceil_mode, count_include_pad=geo.count_include_pad)[0]
    else:
        y = _torch_local(d, xt, wt, bt)
    params = [v for v in (xt, wt, bt) if v is not None]
    grads = torch.autograd.grad(y, params, torch.tensor(np.asarray(g, dtype=np.float64)),
                                allow_unused=True)
    it = iter(grads)
    out: list[np.ndarray | None] = []
    for v in (xt, wt, bt):
        if v is None:
            out.append(None)
        else:
            gv = next(it)
            out.append(np.zeros(v.shape) if gv is None else gv.detach().numpy())
    return y.detach().numpy(), out[0], out[1], out[2]


def _torch_local(d: Any, xt: Any, wt: Any, bt: Any) -> Any:
    """Locally connected / tiled in torch: ``F.unfold`` patches times per-position kernels."""
    import torch
    import torch.nn.functional as F

    spec, pad = _geometry(d)
    nd = spec.ndim
    c_out = spec.out_channels
    ks = spec.kernel_size if nd == 2 else (1, spec.kernel_size[0])
    st = spec.stride if nd == 2 else (1, spec.stride[0])
    pd = pad if nd == 2 else (0, pad[0])
    img = xt[None] if nd == 2 else xt[None, :, None, :]
    cols = F.unfold(img, ks, padding=pd, stride=st)[0]  # (C_in*K, L)
    out_size = spec.out_size
    n_pos = int(np.prod(out_size))
    tiles = d.geometry.tiles
    grid = np.unravel_index(np.arange(n_pos), out_size)
    if tiles is None:
        slot = np.arange(n_pos)
        n_slots = n_pos
    else:
        slot = np.ravel_multi_index(tuple(q % t for q, t in zip(grid, tiles)), tiles)
        n_slots = int(np.prod(tiles))
    kern = wt.reshape(c_out, n_slots, -1)[:, torch.as_tensor(slot)]  # (C_out, L, C_in*K)
    y = torch.einsum("olk,kl->ol", kern, cols)
    if bt is not None:
        y = y + bt.reshape(c_out, n_slots)[:, torch.as_tensor(slot)]
    return y.reshape(c_out, *out_size)
