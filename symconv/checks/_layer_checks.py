"""Checks and proofs of the layer family: Linear, activations, pooling, local, tiled (checks layer).

``check_layer``: the symbolic output, the matrix view ``T vec(x) + b`` (linear
layers) and the symbolic backward pass (with symbols ``g`` for the upstream
gradient) are lambdified, evaluated at seeded random integers and compared
with the NumPy loops of ``_layer_reference`` and with ``torch.nn.functional``
forward plus ``torch.autograd`` backward when torch imports.  The symbolic
expressions are evaluated node by node (``_tree_eval``), never compiled.

``verify_layer``: exact identities, each row expanded to 0 by SymPy --
``vec(y) = T vec(x) + b``, ``vec(y) = P vec(w) + b``, ``dL/dx = T^T g`` for
affine layers; for max pooling with a numeric input ``y = S x`` and
``dL/dx = S^T g``, and with a symbolic input the arg-max routing exhausted
over every order pattern of a window (or checked on a sample, said so);
for activations ``f'`` against ``sympy.diff``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy

from ..boundary._spec import check_int
from ._layer_reference import numpy_layer, torch_layer
from ._numeric import CheckReport, Comparison
from ._tree_eval import TreeEvaluator, variables

__all__ = ["LayerIdentity", "LayerVerification", "check_layer", "verify_layer"]


# ---------------------------------------------------------------- check


def _flat(a: np.ndarray | None) -> list[Any]:
    return [] if a is None else list(a.reshape(-1).tolist())


def _assignment(
    groups: list[list[Any]], trials: object, seed: object
) -> tuple[list[Any], np.ndarray]:
    """The variables of ``groups`` (sorted by name) and seeded integers in [-9, 9] for them."""
    n = check_int("trials", trials, minimum=1)
    s = check_int("seed", seed, minimum=0)
    free = variables([e for grp in groups for e in grp])
    rng = np.random.default_rng(s)
    return free, rng.integers(-9, 10, size=(len(free), n)).astype(np.float64)


def _evaluate(free: list[Any], exprs: list[Any], values: np.ndarray) -> np.ndarray:
    """``(len(exprs), trials)`` values of ``exprs`` with ``free`` set to ``values``.

    Walked node by node (:class:`TreeEvaluator`): no code is generated, so no
    name a user chose reaches ``lambdify``.
    """
    return TreeEvaluator(free, values).values(exprs)


def check_layer(d: Any, trials: int = 3, seed: int = 0) -> CheckReport:
    """Compare ``d``'s symbolic forward and backward passes with NumPy and torch."""
    grad = d.gradient()
    da, ga = d.arrays(), grad.arrays()
    x_e, w_e, b_e, g_e = _flat(da["input"]), _flat(da["weight"]), _flat(da["bias"]), _flat(
        ga["output"])
    free, values = _assignment([x_e, w_e, b_e, g_e], trials, seed)
    y_e = _flat(da["output"])
    gx_e, gw_e, gb_e = _flat(ga["input"]), _flat(ga["weight"]), _flat(ga["bias"])
    views: dict[str, list[Any]] = {"output": y_e, "dL/dx": gx_e}
    if w_e:
        views["dL/dw"] = gw_e
    if b_e:
        views["dL/db"] = gb_e
    groups = [x_e, w_e, b_e, g_e, *views.values()]
    sizes = [len(grp) for grp in groups]
    flat = _evaluate(free, [e for grp in groups for e in grp], values)
    parts = np.split(flat, np.cumsum(sizes)[:-1]) if flat.size else [
        np.zeros((n, values.shape[1])) for n in sizes]
    x, w, b, g = parts[:4]
    got = dict(zip(views, parts[4:]))
    if d.is_linear:
        got["T vec(x)" + (" + b" if b_e else "")] = _matrix_view(d, free, values, x)
    exact = d.kind in ("linear", "local", "tiled", "maxpool")  # 1/K, exp, tanh: allclose
    notes: list[str] = []
    refs: list[tuple[str, Any]] = [("NumPy loops", numpy_layer)]
    try:
        import torch  # noqa: F401
    except ImportError:
        notes.append("PyTorch is not installed: compared with NumPy only.")
    else:
        refs.append(("torch autograd", torch_layer))
    if d.kind == "activation" and d.function.torch_name is None:
        refs = [("SymPy evalf of f and sympy.diff", _evalf_activation)]
        notes.append("A custom function: compared with SymPy's own evaluation of f and f'.")
    comparisons = []
    n_trials = values.shape[1]
    shapes = [() if a is None else tuple(a.shape) for a in
              (da["input"], da["weight"], da["bias"], ga["output"])]
    for name, ref in refs:
        per_trial: list[Any] = []
        for t in range(n_trials):
            args: list[Any] = [None if a.size == 0 else a[:, t].reshape(s) for a, s in zip(
                (x, w, b, g), shapes)]
            res: Any = ref(d, args[0], args[1], args[2], args[3])
            if res is None:
                break
            per_trial.append(res)
        if len(per_trial) != n_trials:
            continue
        expected = {
            "output": np.stack([r[0].reshape(-1) for r in per_trial], axis=1),
            "dL/dx": np.stack([r[1].reshape(-1) for r in per_trial], axis=1),
        }
        if w_e:
            expected["dL/dw"] = np.stack([r[2].reshape(-1) for r in per_trial], axis=1)
        if b_e:
            expected["dL/db"] = np.stack([r[3].reshape(-1) for r in per_trial], axis=1)
        for view, vals in got.items():
            ref_vals = expected["output"] if view.startswith("T vec") else expected[view]
            comparisons.append(Comparison.of(view, name, vals, ref_vals,
                                             exact=exact and name != "torch autograd"))
    return CheckReport(tuple(comparisons), n_trials, int(seed), len(free), tuple(notes))


def _matrix_view(d: Any, free: list[Any], values: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``T vec(x) + b`` with T's entries and the bias evaluated numerically."""
    entries = list(d.matrix_entries().items())
    vals = _evaluate(free, [v for _, v in entries], values)
    rows = np.array([r for (r, _), _ in entries], dtype=np.int64)
    cols = np.array([c for (_, c), _ in entries], dtype=np.int64)
    out = np.zeros((d.n_out, values.shape[1]))
    np.add.at(out, rows, vals * x[cols])
    if d.bias_values is not None:
        b = _evaluate(free, _flat(d.bias_values), values)
        out += b[np.asarray(d.bias_index)]
    return out


def _evalf_activation(d: Any, x: np.ndarray, w: Any, b: Any, g: np.ndarray) -> tuple[Any, ...]:
    f = d.function
    zs = [sympy.Float(float(v), 30) for v in x.reshape(-1)]
    y = np.array([float(f.forward(z).evalf(30)) for z in zs]).reshape(x.shape)
    fp = np.array([float(f.derivative(z).evalf(30)) for z in zs]).reshape(x.shape)
    return y, fp * g, None, None


# ---------------------------------------------------------------- verify


@dataclass(frozen=True)
class LayerIdentity:
    """One identity of a layer and how it was established."""

    statement: str
    holds: bool
    how: str

    def __str__(self) -> str:
        return f"{self.statement}: {'holds' if self.holds else 'FAILS'} ({self.how})"


@dataclass(frozen=True)
class LayerVerification:
    """The result of a layer's ``verify()``: truthy when every identity holds."""

    results: tuple[LayerIdentity, ...]

    def __bool__(self) -> bool:
        return all(r.holds for r in self.results)

    def __str__(self) -> str:
        return "\n".join(str(r) for r in self.results)

    def __repr__(self) -> str:
        verdict = "proved" if self else "FAILED"
        return f"<LayerVerification {verdict}: {len(self.results)} identities>"


def _rows_vanish(lhs: list[Any], rhs: list[Any]) -> bool:
    return all(sympy.expand(a - b) == 0 for a, b in zip(lhs, rhs, strict=True))


def verify_layer(d: Any) -> LayerVerification:
    """Prove the identities of ``d`` (see the module docstring)."""
    if d.kind == "activation":
        return LayerVerification((_verify_derivative(d.function),))
    if d.kind == "maxpool":
        return _verify_maxpool(d)
    da = d.arrays()
    y = _flat(da["output"])
    x = sympy.Matrix(_flat(da["input"]))
    bias = [0] * len(y) if da["bias"] is None else [_flat(da["bias"])[j] for j in d.bias_index]
    plus_b = "" if d.bias is None else " + b"
    T = d.matrix
    rows = f"{len(y)} rows expanded to 0"
    results = [LayerIdentity(f"vec(y) = T vec(x){plus_b}",
                             _rows_vanish(y, [a + b for a, b in zip(T * x, bias)]), rows)]
    if d.weight is not None:
        P = d.patches
        w = sympy.Matrix(_flat(da["weight"]))
        results.append(LayerIdentity(f"vec(y) = P vec(w){plus_b}",
                                     _rows_vanish(y, [a + b for a, b in zip(P * w, bias)]), rows))
    grad = d.gradient()
    ga = grad.arrays()
    g = sympy.Matrix(_flat(ga["output"]))
    results.append(LayerIdentity("dL/dx = T^T g", _rows_vanish(_flat(ga["input"]), list(T.T * g)),
                                 f"{T.cols} rows expanded to 0"))
    return LayerVerification(tuple(results))


def _verify_derivative(f: Any) -> LayerIdentity:
    if f.name == "ReLU":
        pos, neg = sympy.Symbol("t", positive=True), sympy.Symbol("t", negative=True)
        ok = all(sympy.simplify(sympy.diff(f.forward(t), t) - f.derivative(t)) == 0
                 for t in (pos, neg))
        return LayerIdentity("f'(z) = d/dz Max(0, z) for z != 0; f'(0) = 0 (torch)",
                             ok and f.derivative(sympy.S.Zero) == 0,
                             "sympy.diff on z > 0 and z < 0, the convention at 0 read off")
    t = sympy.Symbol("t", real=True)
    ok = sympy.simplify(sympy.diff(f.forward(t), t) - f.derivative(t)) == 0
    return LayerIdentity(f"f'(z) = d/dz {f.name}(z)", bool(ok), "sympy.diff, simplified to 0")


def _verify_maxpool(d: Any) -> LayerVerification:
    grad = d.gradient()
    if d.matrix is not None:
        S = d.matrix
        da, ga = d.arrays(), grad.arrays()
        y, x = _flat(da["output"]), sympy.Matrix(_flat(da["input"]))
        g = sympy.Matrix(_flat(ga["output"]))
        return LayerVerification((
            LayerIdentity("vec(y) = S vec(x) (arg-max selection)", _rows_vanish(y, list(S * x)),
                          f"{len(y)} rows expanded to 0"),
            LayerIdentity("dL/dx = S^T g", _rows_vanish(_flat(ga["input"]), list(S.T * g)),
                          f"{S.cols} rows expanded to 0"),
        ))
    # Symbolic input: the routing depends only on the order pattern of a window's
    # entries, so exhausting every pattern (values 0..L-1 in each of L slots covers
    # every weak order) proves it for that window length.
    first_of_length: dict[int, int] = {}
    for oo, (_, members) in enumerate(d.windows):
        first_of_length.setdefault(len(members), oo)
    outputs = _flat(d.arrays()["output"])
    ok, hows = True, []
    for n, oo in sorted(first_of_length.items()):
        xs = d.windows[oo][0]  # the window's own symbols
        sel = [d.selector(oo, p) for p in range(n)]  # the derivation's own routing
        if n ** n <= 50_000:
            patterns: Any = itertools.product(range(n), repeat=n)
            hows.append(f"window of {n}: every one of {n ** n} order patterns (proved)")
        else:
            rng = np.random.default_rng(0)
            patterns = (tuple(r) for r in rng.integers(0, n, size=(2000, n)).tolist())
            hows.append(f"window of {n}: checked on 2000 random order patterns")
        for pat in patterns:
            sub = dict(zip(xs, pat))
            chosen = [int(s.xreplace(sub)) for s in sel]
            first = pat.index(max(pat))
            if (chosen != [int(p == first) for p in range(n)]
                    or outputs[oo].xreplace(sub) != max(pat)):
                ok = False
                break
    return LayerVerification((LayerIdentity(
        "dL/dx routes g[o] to the first maximum of window o; y[o] = Max(window)", ok,
        "; ".join(hows)),))

