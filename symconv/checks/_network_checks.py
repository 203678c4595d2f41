"""Checks of a whole network: its symbolic forward and backward passes against torch (checks layer).

``check_network``: every free symbol (input, parameters, upstream gradient)
gets seeded random values (standard normal floats, so no two entries of a
max-pooling window tie and no ReLU input is exactly 0); the network's output,
``dL/dx`` and every parameter's gradient (summed over tied positions) are
evaluated and compared with

- ``torch.nn.Sequential`` built from real ``torch.nn`` modules (the same
  module object at tied positions) run forward on a batch of one, and
  ``torch.autograd`` backward -- when torch imports and every layer has a
  torch module;
- otherwise a NumPy forward chain (``_reference.conv_nd`` / ``conv_transpose_nd``
  and ``_layer_reference.numpy_layer``), and its gradients by central finite
  differences.

``verify_network``: each layer's exact identities (``verify()``) and, for a
linear stack, ``vec(y) = T vec(x) + offset`` row by row (``expand`` is 0).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy

from ..boundary._limits import COMPOSITE_LIMIT, FD_LIMIT
from ..boundary._spec import check_int
from ..boundary._values import symbols
from ..core._derivation import Derivation
from ..core._sequential import FlattenDerivation, entries, is_linear
from . import _reference
from ._layer_reference import numpy_layer
from ._numeric import CheckReport, Comparison
from ._tree_eval import TreeEvaluator, variables

if TYPE_CHECKING:
    from ..core._sequential import NetworkDerivation

# Finite differences for at most FD_LIMIT input and parameter entries (boundary._limits).


def _flat(a: Any) -> list[Any]:
    return [] if a is None else entries(a)


def _arr(values: list[Any]) -> list[Any]:
    return [sympy.sympify(v) for v in values]


# ------------------------------------------------------------- torch modules


def torch_module(torch: Any, layer: Any, ld: Any) -> Any | None:
    """The ``torch.nn`` module computing ``layer`` (no parameters loaded), or None."""
    nn = torch.nn
    if isinstance(ld, FlattenDerivation):
        return nn.Flatten()
    if isinstance(ld, Derivation) and ld.spec.kind in ("conv", "transpose"):
        p = layer.params
        n = p.ndim
        if p.transposed:
            return getattr(nn, f"ConvTranspose{n}d")(
                p.in_channels, p.out_channels, p.kernel_size, p.stride,
                tuple(lo for lo, _ in ld.spec.padding), p.output_padding, p.groups, p.bias,
                p.dilation, dtype=torch.float64)
        return getattr(nn, f"Conv{n}d")(
            p.in_channels, p.out_channels, p.kernel_size, p.stride, p.padding, p.dilation,
            p.groups, p.bias, p.padding_mode, dtype=torch.float64)
    kind = getattr(ld, "kind", None)
    if kind == "linear":
        g = layer.geometry
        return nn.Linear(g.in_features, g.out_features, g.bias, dtype=torch.float64)
    if kind == "activation":
        name = layer.function.torch_name
        return None if name is None else _Elementwise(torch, name)
    if kind in ("maxpool", "avgpool"):
        g = layer.geometry
        if g.kind == "max":
            return getattr(nn, f"MaxPool{g.ndim}d")(g.kernel_size, g.stride, g.padding,
                                                     g.dilation)
        return getattr(nn, f"AvgPool{g.ndim}d")(g.kernel_size, g.stride, g.padding,
                                                 count_include_pad=g.count_include_pad)
    return None


def _Elementwise(torch: Any, name: str) -> Any:
    fn = getattr(torch, name)

    class Elementwise(torch.nn.Module):
        def forward(self, z: Any) -> Any:
            return fn(z)

    return Elementwise()


def _torch_run(torch: Any, modules: list[Any], nd: NetworkDerivation, x: np.ndarray,
               params: list[tuple[np.ndarray | None, np.ndarray | None]],
               g: np.ndarray) -> list[np.ndarray | None]:
    """Forward on a batch of one, then autograd: ``[y, dx, dw_1, db_1, ...]``."""
    owner: dict[int, Any] = {}
    for p, (w, b) in zip(nd.parameters, params):
        m = modules[p.positions[0]]
        owner[id(p)] = m
        with torch.no_grad():
            if w is not None:
                m.weight.copy_(torch.from_numpy(w.reshape(tuple(m.weight.shape))))
            if b is not None:
                m.bias.copy_(torch.from_numpy(b))
    net = torch.nn.Sequential(*modules)
    xt = torch.from_numpy(x.reshape(tuple(nd.input.shape))).clone()[None].requires_grad_(True)
    net.zero_grad()
    y = net(xt)
    y.backward(torch.from_numpy(g.reshape(tuple(nd.output.shape)))[None])
    out: list[np.ndarray | None] = [y.detach()[0].numpy().reshape(-1),
                                    xt.grad[0].numpy().reshape(-1)]
    for p, (w, b) in zip(nd.parameters, params):
        m = owner[id(p)]
        out.append(None if w is None else m.weight.grad.numpy().reshape(-1))
        out.append(None if b is None else m.bias.grad.numpy().reshape(-1))
    return out


# ------------------------------------------------------------- NumPy chain


def _numpy_forward(nd: NetworkDerivation, x: np.ndarray,
                   params: list[tuple[np.ndarray | None, np.ndarray | None]]) -> np.ndarray | None:
    """The network's output from textbook NumPy references, layer by layer; None if one lacks."""
    at = {pos: pw for p, pw in zip(nd.parameters, params) for pos in p.positions}
    v = x.reshape(tuple(nd.input.shape))
    for pos, ld in enumerate(nd.layers):
        w, b = at.get(pos, (None, None))
        if isinstance(ld, FlattenDerivation):
            v = v.reshape(-1)
        elif isinstance(ld, Derivation) and ld.spec.kind == "conv":
            s = ld.spec
            w = w.reshape(s.weight_shape) if w is not None else None
            v = _reference.conv_nd(v, w, b, stride=s.stride, padding=s.padding,
                                   dilation=s.dilation, groups=s.groups,
                                   padding_mode=s.padding_mode)
        elif isinstance(ld, Derivation) and ld.spec.kind == "transpose":
            s = ld.spec
            w = w.reshape(s.weight_shape) if w is not None else None
            v = _reference.conv_transpose_nd(
                v, w, b, stride=s.stride, padding=[p for p, _ in s.padding],
                output_padding=s.output_padding, dilation=s.dilation, groups=s.groups)
        elif getattr(ld, "kind", None) is not None:
            shape = tuple(ld.weight.shape) if ld.weight is not None else None
            w = w.reshape(shape) if w is not None and shape is not None else w
            if b is not None and ld.bias is not None:
                b = b.reshape(tuple(ld.bias.shape))
            try:
                v = numpy_layer(ld, v, w, b, np.zeros(tuple(ld.output.shape)))[0]
            except (AttributeError, KeyError, TypeError):
                return None
            if v is None:
                return None
        else:
            return None
    return np.asarray(v, dtype=np.float64).reshape(-1)


# ------------------------------------------------------------- the check


@dataclass(frozen=True)
class _Leaves:
    x: list[Any]
    params: list[tuple[list[Any], list[Any]]]


def check_network(nd: NetworkDerivation, trials: int = 3, seed: int = 0) -> CheckReport:
    """Compare ``nd``'s output and gradients with torch (or NumPy), see the module docstring."""
    n_trials = check_int("trials", trials, minimum=1)
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"`seed` must be an integer, got {seed!r}")
    composite = _small(nd)
    x_e = _arr(_flat(nd.input))
    groups: list[list[Any]] = [x_e]
    for p in nd.parameters:
        groups.append(_arr([] if p.weight is None else p.weight.reshape(-1).tolist()))
        groups.append(_arr([] if p.bias is None else p.bias.reshape(-1).tolist()))
    if composite:
        gn = nd.gradient()
        groups.append(_arr(_flat(gn.output)))
    else:
        groups.append(symbols("g", tuple(nd.output.shape)).reshape(-1).tolist())
    n_leaf_groups = len(groups)
    groups.append(_arr(_flat(nd.output)))
    if composite:
        groups.append(_arr(_flat(gn.input)))
        for pg in gn.parameters:
            groups.append(_arr(_flat(pg.weight)))
            groups.append(_arr(_flat(pg.bias)))
    free = variables([e for grp in groups[:n_leaf_groups] for e in grp])
    rng = np.random.default_rng(int(seed))
    values = rng.standard_normal(size=(len(free), n_trials))
    ev = TreeEvaluator(free, values)
    got = [ev.values(grp) for grp in groups]
    leaves, views = got[:n_leaf_groups], got[n_leaf_groups:]
    if not composite:
        views += _chained_backward(nd, groups[:n_leaf_groups], leaves)
    names = ["output", "dL/dx"]
    for p in nd.parameters:
        where = "layer " + "+".join(str(q + 1) for q in p.positions)
        names += [f"dL/dw ({where})", f"dL/db ({where})"]
    notes: list[str] = ["The values are seeded standard-normal floats, not integers: no two "
                        "entries of a pooling window tie and no ReLU input is exactly 0."]
    if not composite:
        notes.append(
            "Backward pass evaluated layer by layer: each layer's symbolic backward formulas "
            "(derived on symbols for its input and its upstream gradient, the formulas "
            "gradient() composes) chained numerically; the composite output was evaluated "
            "whole.")
    refs = _reference_runs(nd, notes)
    comparisons: list[Comparison] = []
    for ref_name, run in refs:
        expected: list[list[np.ndarray]] = []
        for t in range(n_trials):
            x = np.ascontiguousarray(leaves[0][:, t])
            params = []
            for j in range(len(nd.parameters)):
                w, b = leaves[1 + 2 * j][:, t], leaves[2 + 2 * j][:, t]
                params.append((w.copy() if w.size else None, b.copy() if b.size else None))
            g = np.ascontiguousarray(leaves[-1][:, t])
            expected.append(run(x, params, g))
        for v, name in enumerate(names):
            if not views[v].size or expected[0][v] is None:
                continue
            exp = np.stack([expected[t][v] for t in range(n_trials)], axis=1)
            if v > 0 and run is not None and ref_name.endswith("finite differences"):
                # central differences with h = 1e-6: truncation and rounding near 1e-9
                err = float(np.max(np.abs(views[v] - exp))) if exp.size else 0.0
                ok = bool(np.allclose(views[v], exp, rtol=1e-6, atol=1e-7))
                comparisons.append(Comparison(name, ref_name + " (tolerance 1e-6)", ok, err))
                continue
            comparisons.append(Comparison.of(name, ref_name, views[v], exp, exact=False))
    if not comparisons:  # nothing could be compared: that is not a pass
        notes.append("No reference could evaluate this network: nothing was compared.")
        comparisons.append(Comparison("output", "no reference", False, float("nan")))
    return CheckReport(tuple(comparisons), n_trials, int(seed), len(free), tuple(notes))


# Networks whose layers hold more than COMPOSITE_LIMIT output entries are checked backward
# layer by layer (reason: boundary._limits).


def _small(nd: NetworkDerivation) -> bool:
    return sum(int(np.prod(tuple(ld.output.shape))) for ld in nd.layers) <= COMPOSITE_LIMIT


def _chained_backward(nd: NetworkDerivation, leaf_exprs: list[list[Any]],
                      leaves: list[np.ndarray]) -> list[np.ndarray]:
    """``[dL/dx, dL/dw_1, dL/db_1, ...]`` from each layer's local symbolic backward formulas.

    Layer ``l`` is derived again on symbols ``a<l>_...`` for its input (with the
    network's parameters) and differentiated with symbols ``d<l>_...`` for its upstream
    gradient; its formulas are evaluated at the forward values of its input and the
    gradient coming from the layer above.  Tied parameters sum over their positions.
    """
    owner = {pos: j for j, p in enumerate(nd.parameters) for pos in p.positions}
    known: dict[Any, np.ndarray] = {}
    for grp, vals in zip(leaf_exprs[1:-1], leaves[1:-1]):
        known.update(zip(grp, vals))
    current = leaves[0]
    locals_: list[tuple[Any, list[Any], np.ndarray]] = []
    for pos, (layer, ld) in enumerate(zip(nd.network.layers, nd.layers)):
        j = owner.get(pos)
        p = None if j is None else nd.parameters[j]
        a = symbols(f"a{pos}", tuple(ld.input.shape))
        local = layer.derive(x=a, weight=None if p is None else p.weight,
                             bias=None if p is None else p.bias)
        keys = [*a.reshape(-1).tolist(), *known]
        vals = np.vstack([current, *known.values()]) if known else current
        locals_.append((local, keys, vals))
        current = TreeEvaluator(keys, vals).values(_flat(local.output))
    d = leaves[-1]
    sums: dict[int, list[np.ndarray | None]] = {}
    for pos in range(len(locals_) - 1, -1, -1):
        local, keys, vals = locals_[pos]
        ds = symbols(f"d{pos}", tuple(local.output.shape))
        lg = local.gradient(grad_output=ds)
        ev = TreeEvaluator([*keys, *ds.reshape(-1).tolist()], np.vstack([vals, d]))
        j = owner.get(pos)
        if j is not None:
            parts = [None if lg.weight is None else ev.values(_flat(lg.weight)),
                     None if lg.bias is None else ev.values(_flat(lg.bias))]
            prev = sums.get(j)
            sums[j] = parts if prev is None else [
                a if b is None or a is None else a + b for a, b in zip(prev, parts)]
        d = ev.values(_flat(lg.input))
    out = [d]
    trials = d.shape[1]
    for j in range(len(nd.parameters)):
        w, b = sums.get(j, [None, None])
        out += [np.zeros((0, trials)) if w is None else w,
                np.zeros((0, trials)) if b is None else b]
    return out


def _reference_runs(nd: NetworkDerivation, notes: list[str]) -> list[tuple[str, Any]]:
    torch: Any
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        made: dict[int, Any] = {}  # one module per layer object: tied positions share it
        modules = [made.setdefault(id(layer), torch_module(torch, layer, ld))
                   for layer, ld in zip(nd.network.layers, nd.layers)]
        if all(m is not None for m in modules):

            def run(x: np.ndarray, params: Any, g: np.ndarray) -> list[np.ndarray | None]:
                return _torch_run(torch, modules, nd, x, params, g)

            return [("torch.nn.Sequential + autograd", run)]
        missing = [repr(layer) for layer, m in zip(nd.network.layers, modules) if m is None]
        notes.append(f"No torch module for {', '.join(missing)}: compared with NumPy instead.")
    else:
        notes.append("PyTorch is not installed: compared with NumPy references and finite "
                     "differences instead.")
    return [("NumPy layer references + finite differences", lambda x, params, g:
             _numpy_run(nd, x, params, g))]


def _numpy_run(nd: NetworkDerivation, x: np.ndarray, params: Any,
               g: np.ndarray) -> list[np.ndarray | None]:
    y = _numpy_forward(nd, x, params)
    if y is None:
        return [None] * (2 + 2 * len(params))
    out: list[np.ndarray | None] = [y]
    if x.size + sum(0 if a is None else a.size for pw in params for a in pw) > FD_LIMIT:
        return out + [None] * (1 + 2 * len(params))

    def loss(xv: np.ndarray, pv: Any) -> float:
        yv = _numpy_forward(nd, xv, pv)
        return float(np.dot(yv, g)) if yv is not None else float("nan")

    def fd(get: Any, put: Any, n: int) -> np.ndarray:
        h = 1e-6
        res = np.empty(n)
        for j in range(n):
            res[j] = (loss(*put(j, h)) - loss(*put(j, -h))) / (2 * h)
        return res

    def bump_x(j: int, h: float) -> tuple[np.ndarray, Any]:
        xv = x.copy()
        xv[j] += h
        return xv, params

    out.append(fd(None, bump_x, x.size))
    for k, (w, b) in enumerate(params):
        for which, a in ((0, w), (1, b)):
            if a is None:
                out.append(None)
                continue

            def bump(j: int, h: float, k: int = k, which: int = which) -> tuple[Any, Any]:
                pv = [list(pw) for pw in params]
                arr = pv[k][which].copy()
                arr[j] += h
                pv[k][which] = arr
                return x, [tuple(pw) for pw in pv]

            out.append(fd(None, bump, a.size))
    return out


# ------------------------------------------------------------- verify


@dataclass(frozen=True)
class NetworkVerification:
    """Exact identities of a network: each layer's, and the composite matrix's.

    ``items`` holds ``(statement, holds)`` pairs; truthy when all hold.
    """

    items: tuple[tuple[str, bool], ...]

    def __bool__(self) -> bool:
        return all(h for _, h in self.items)

    def __str__(self) -> str:
        return "\n".join(f"{s}: {'holds' if h else 'FAILS'}" for s, h in self.items)


def verify_network(nd: NetworkDerivation) -> NetworkVerification:
    """Each layer's ``verify()``; for a linear stack ``vec(y) = T vec(x) + offset`` exactly."""
    items: list[tuple[str, bool]] = []
    for pos, (layer, ld) in enumerate(zip(nd.network.layers, nd.layers)):
        items.append((f"layer {pos + 1} ({layer!r}): its identities", bool(ld.verify())))
    if all(is_linear(ld) for ld in nd.layers):
        T, c = nd.matrix, nd.offset
        x = sympy.Matrix(_flat(nd.input))
        rhs = T * x + c
        ys = _flat(nd.output)
        ok = all(sympy.expand(y - rhs[r, 0]) == 0 for r, y in enumerate(ys))
        items.append(("vec(y) = T_L ... T_1 vec(x) + offset (every row expanded)", ok))
    return NetworkVerification(tuple(items))
