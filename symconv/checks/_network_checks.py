"""Checks of a whole network: its symbolic forward and backward passes against torch (checks layer).

``check_network``: every free symbol (input, parameters, upstream gradient)
gets seeded random values (standard normal floats, so no two entries of a
max-pooling window tie and no ReLU input is exactly 0).  The network's output
is evaluated from its SymPy expressions, layer by layer
(:class:`~symconv.checks._layered_eval.LayeredEvaluator`: each node object
once, every node shape through ``sympy.lambdify``), and compared with the
references of :mod:`symconv.checks._network_reference` (torch autograd, else
NumPy and finite differences).  The backward pass:

- a small network (at most ``COMPOSITE_LIMIT`` outputs over all layers): the
  SymPy objects of ``gradient()`` -- ``dL/dx`` and every parameter's gradient,
  summed over tied positions -- evaluated the same way;
- a larger one: the chain rule run layer by layer on the evaluated forward
  values, over each layer's own tables (taps, pooling windows) with each
  activation's symbolic derivative lambdified
  (:func:`symconv.backward._numeric_backward.numeric_backward`); a layer
  without such a table is differentiated symbolically on fresh symbols for its
  input and upstream gradient, and those formulas are evaluated.

``verify_network``: each layer's exact identities (``verify()``) and, for a
linear stack, ``vec(y) = T vec(x) + offset`` row by row (``expand`` is 0).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy

from ..backward._numeric_backward import numeric_backward
from ..boundary._limits import COMPOSITE_LIMIT
from ..boundary._spec import check_int
from ..boundary._values import symbols
from ..core._derivation import Derivation
from ..core._flatten import entries
from ..core._numeric_layers import output_shape
from ..core._sequential import is_linear
from ..core._tapped import TapLayerDerivation
from ._layered_eval import LayeredEvaluator
from ._network_reference import reference_runs
from ._numeric import CheckReport, Comparison
from ._tree_eval import variables

if TYPE_CHECKING:
    from ..core._sequential import NetworkDerivation


def _flat(a: Any) -> list[Any]:
    return [] if a is None else entries(a)


def _view(ld: Any, role: str) -> list[Any]:
    """A layer derivation's ``input`` or ``weight`` entries in C order.

    Read through the layer's stored arrays (``input_values``, ``flat_weight``,
    ``coefficients``) where it has them: a SymPy Array of thousands of entries is
    slow to build and to index, and ``arrays()`` would build the output too.
    """
    if role == "input":
        stored = getattr(ld, "input_values", None)
        if isinstance(stored, np.ndarray):
            return stored.reshape(-1).tolist()
    elif isinstance(ld, Derivation):
        return list(ld.flat_weight)
    elif isinstance(ld, TapLayerDerivation) and ld.weight_shape is not None:
        return list(ld.coefficients)
    return _flat(getattr(ld, role))


def _arr(values: list[Any]) -> list[Any]:
    """SymPy values, with Python numbers left as they are (the evaluator reads them as is)."""
    return [v if type(v) in (float, int) else sympy.sympify(v) for v in values]


# ------------------------------------------------------------- the check


def check_network(nd: NetworkDerivation, trials: int = 3, seed: int = 0) -> CheckReport:
    """Compare ``nd``'s output and gradients with torch (or NumPy), see the module docstring."""
    n_trials = check_int("trials", trials, minimum=1)
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"`seed` must be an integer, got {seed!r}")
    composite = _small(nd)
    groups: list[list[Any]] = [_arr(nd.input_values.reshape(-1).tolist())]
    for p in nd.parameters:
        groups.append(_arr([] if p.weight is None else p.weight.reshape(-1).tolist()))
        groups.append(_arr([] if p.bias is None else p.bias.reshape(-1).tolist()))
    gn = nd.gradient() if composite else None
    if gn is not None:
        groups.append(_arr(_flat(gn.output)))
    else:
        groups.append(symbols("g", tuple(nd.output.shape)).reshape(-1).tolist())
    free = variables([e for grp in groups for e in grp])
    rng = np.random.default_rng(int(seed))
    ev = LayeredEvaluator(free, rng.standard_normal(size=(len(free), n_trials)))
    leaves = [ev.values(grp) for grp in groups]
    # Layer by layer: each output holds the objects of the one before.  A network derived
    # on floats shares none (each layer starts from new numbers): only its output is read.
    stack = nd.layers if nd.numeric_inputs is None else nd.layers[-1:]
    for ld in stack:
        out = ev.values(_flat(ld.output))  # the protocol's view, as a user reads it
    views = [out]
    notes: list[str] = ["The values are seeded standard-normal floats, not integers: no two "
                        "entries of a pooling window tie and no ReLU input is exactly 0."]
    if gn is not None:
        views.append(ev.values(_flat(gn.input)))
        for pg in gn.parameters:
            views += [ev.values(_flat(pg.weight)), ev.values(_flat(pg.bias))]
    else:
        views += _chained_backward(nd, ev, leaves[-1])
        notes.append(
            "Backward pass checked layer by layer (the network has more than "
            f"{COMPOSITE_LIMIT} outputs over its layers, so the SymPy objects of gradient() "
            "are not built): the chain rule run on the forward values evaluated from the "
            "SymPy outputs, over each layer's own tables (taps, pooling windows) with each "
            "activation's symbolic derivative lambdified.")
    names = ["output", "dL/dx"]
    for p in nd.parameters:
        where = "layer " + "+".join(str(q + 1) for q in p.positions)
        names += [f"dL/dw ({where})", f"dL/db ({where})"]
    comparisons = _compare(nd, names, leaves, views, n_trials, notes)
    if not comparisons:  # nothing could be compared: that is not a pass
        notes.append("No reference could evaluate this network: nothing was compared.")
        comparisons.append(Comparison("output", "no reference", False, float("nan")))
    return CheckReport(tuple(comparisons), n_trials, int(seed), len(free), tuple(notes))


def _compare(nd: NetworkDerivation, names: list[str], leaves: list[np.ndarray],
             views: list[np.ndarray], n_trials: int, notes: list[str]) -> list[Comparison]:
    """Run every reference on each trial's values; compare with symconv's ``views``."""
    comparisons: list[Comparison] = []
    for ref_name, run in reference_runs(nd, notes):
        expected: list[list[np.ndarray | None]] = []
        for t in range(n_trials):
            x = np.ascontiguousarray(leaves[0][:, t].real)
            params = []
            for j in range(len(nd.parameters)):
                w, b = leaves[1 + 2 * j][:, t].real, leaves[2 + 2 * j][:, t].real
                params.append((w.copy() if w.size else None, b.copy() if b.size else None))
            g = np.ascontiguousarray(leaves[-1][:, t].real)
            expected.append(run(x, params, g))
        for v, name in enumerate(names):
            if not views[v].size or expected[0][v] is None:
                continue
            exp = np.stack([np.asarray(expected[t][v]) for t in range(n_trials)], axis=1)
            if v > 0 and ref_name.endswith("finite differences"):
                # central differences with h = 1e-6: truncation and rounding near 1e-9
                err = float(np.max(np.abs(views[v] - exp))) if exp.size else 0.0
                ok = bool(np.allclose(views[v], exp, rtol=1e-6, atol=1e-7))
                comparisons.append(Comparison(name, ref_name + " (tolerance 1e-6)", ok, err))
                continue
            comparisons.append(Comparison.of(name, ref_name, views[v], exp, exact=False))
    return comparisons


# Networks whose layers hold more than COMPOSITE_LIMIT output entries are checked backward
# layer by layer (reason: boundary._limits).


def _small(nd: NetworkDerivation) -> bool:
    return sum(int(np.prod(output_shape(ld))) for ld in nd.layers) <= COMPOSITE_LIMIT


def _chained_backward(nd: NetworkDerivation, ev: LayeredEvaluator,
                      g: np.ndarray) -> list[np.ndarray]:
    """``[dL/dx, dL/dw_1, dL/db_1, ...]``: the chain rule on evaluated forward values.

    Each layer, last first, maps the gradient of its output to those of its
    input and parameters (:func:`numeric_backward` over its taps or windows;
    an activation's ``f'(z)`` is its symbolic derivative evaluated at the
    forward values).  Tied parameters sum over their positions.
    """
    owner = {pos: j for j, p in enumerate(nd.parameters) for pos in p.positions}
    sums: dict[int, list[np.ndarray | None]] = {}
    d = g
    for pos in range(len(nd.layers) - 1, -1, -1):
        layer, ld = nd.network.layers[pos], nd.layers[pos]
        x = ev.values(_view(ld, "input"))
        ws = _view(ld, "weight")
        w = ev.values(ws) if ws else None
        prime = _activation_prime(ld, x) if getattr(ld, "kind", None) == "activation" else None
        got = numeric_backward(ld, x, w, d, prime)
        if got is None:
            j = owner.get(pos)
            got = _symbolic_backward(layer, ld, None if j is None else nd.parameters[j],
                                     pos, ev, x, d)
        dx, dw, db = got
        j = owner.get(pos)
        if j is not None:
            prev = sums.get(j)
            sums[j] = [dw, db] if prev is None else [
                a if b is None or a is None else a + b for a, b in zip(prev, [dw, db])]
        d = dx
    out = [d]
    trials = d.shape[1]
    for j in range(len(nd.parameters)):
        w, b = sums.get(j, [None, None])
        out += [np.zeros((0, trials)) if w is None else w,
                np.zeros((0, trials)) if b is None else b]
    return out


def _activation_prime(ld: Any, z: np.ndarray) -> np.ndarray:
    """``f'(z)``: the activation's symbolic derivative at one placeholder, lambdified, at ``z``."""
    t = sympy.Dummy("t", real=True)
    ev = LayeredEvaluator([t], z.reshape(1, -1))
    return ev.values([sympy.sympify(ld.function.derivative(t))]).reshape(z.shape)


def _symbolic_backward(layer: Any, ld: Any, p: Any, pos: int, ev: LayeredEvaluator,
                       x: np.ndarray, d: np.ndarray) -> tuple[Any, Any, Any]:
    """A layer without a numeric table: derived again on symbols ``a<l>_...`` for its input,
    differentiated with symbols ``d<l>_...`` for its upstream gradient, formulas evaluated."""
    a = symbols(f"a{pos}", tuple(ld.input.shape))
    local = layer.derive(x=a, weight=None if p is None else p.weight,
                         bias=None if p is None else p.bias)
    ds = symbols(f"d{pos}", tuple(local.output.shape))
    lg = local.gradient(grad_output=ds)
    params = [e for e in (*_flat(local.weight), *_flat(local.bias))
              if isinstance(e, sympy.Basic) and not e.is_Number]
    keys = [*a.reshape(-1).tolist(), *ds.reshape(-1).tolist(), *params]
    vals = np.vstack([x, d, *(ev.values([e]) for e in params)]) if params else np.vstack([x, d])
    lev = LayeredEvaluator(keys, vals)
    return (lev.values(_flat(lg.input)),
            None if lg.weight is None else lev.values(_flat(lg.weight)),
            None if lg.bias is None else lev.values(_flat(lg.bias)))


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
