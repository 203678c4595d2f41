"""General sizes: grid checks of every proof step, and enumeration references (checks).

:func:`run` evaluates, on one grid of size combinations, both sides of every
step of the general proofs (vectorised, :class:`~symconv.checks._general_grid.Evaluator`),
each theorem's statement against a brute-force enumeration of the index law
(:func:`~symconv.checks._general_grid.enumerate_taps`, Python loops, no
formula), and the enumeration against the instance engine (``subs`` and the
instance ``Derivation.matrix``) on a few grid points.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy

from ..core._general import GeneralDerivation
from ._general_grid import Evaluator, Grid, enumerate_taps, index_env, make_grid, random_arrays
from ._general_proofs import GeneralProof, GeneralVerification, ProofReport, StepStatus
from ._general_theorems import Law

#: Grid points compared with the instance engine (each builds a SymPy instance).
ENGINE_POINTS = 6


def _grid_for(gd: GeneralDerivation, seed: int) -> Grid:
    spec = gd.spec
    need: list[Any] = []
    for ax in spec.axes:
        need.append(ax.n + ax.lo + ax.hi - ax.d * (ax.k - 1) - 1)
        need.append(ax.n - 1)
        if spec.kind == "signal" and spec.mode == "valid":
            need.append(ax.n - ax.k)
    if spec.kind == "transpose":
        for ax, a in zip(spec.axes, spec.output_padding):
            need.append(sympy.Max(ax.s, ax.d) - a - 1)

    def valid(vals: dict[Any, np.ndarray]) -> np.ndarray:
        g = Grid(vals)
        ok = np.ones(g.size, dtype=bool)
        for e in need:
            ok &= g.size_of(e) >= 0
        return ok

    return make_grid(sorted(spec.symbols(), key=lambda v: v.name), valid, seed=seed)


def _evaluate(grid: Grid, arrays: Any, expr: Any, ranges: dict[Any, Any]
              ) -> tuple[np.ndarray, np.ndarray]:
    env, axes, mask = index_env(grid, ranges)
    val = Evaluator(env, arrays, grid.size, axes).eval(sympy.sympify(expr))
    return np.broadcast_to(np.asarray(val, dtype=float), mask.shape), mask


def _agree(a: np.ndarray, b: np.ndarray, mask: np.ndarray) -> np.ndarray:
    same = (np.abs(a - b) < 1e-9) | ~mask
    return same.reshape(same.shape[0], -1).all(axis=1)


class _Enumeration:
    """Brute-force quantities of the index law at every grid point (padded arrays)."""

    def __init__(self, L: Law, grid: Grid, arrays: Any) -> None:
        G = grid.size
        ax = L.ax
        self.n, self.k, self.s, self.d, self.lo, self.hi = (
            grid.size_of(v) for v in (ax.n, ax.k, ax.s, ax.d, ax.lo, ax.hi))
        self.m = grid.size_of(L.m)
        self.C = grid.size_of(L.C) if L.ch else np.ones(G, dtype=np.int64)
        self.Q = grid.size_of(L.Q) if L.ch else np.ones(G, dtype=np.int64)
        Cm, Qm, nm, km, mm = (max(1, int(v.max(initial=1))) for v in
                              (self.C, self.Q, self.n, self.k, self.m))
        x = arrays["x"][0].reshape(G, Cm if L.ch else 1, -1)
        w = arrays["w"][0].reshape(G, Qm if L.ch else 1, Cm if L.ch else 1, -1)
        b = arrays["b"][0] if L.bias else np.zeros((G, Qm))
        g = arrays["g"][0].reshape(G, Qm if L.ch else 1, -1)
        self.T = np.zeros((G, Qm, mm, Cm, nm))
        self.y = np.zeros((G, Qm, mm))
        self.yflip = np.zeros((G, Qm, mm))
        self.adj = np.zeros((G, Cm, nm))
        self.dw = np.zeros((G, Qm, Cm, km))
        self.db = np.zeros((G, Qm))
        self.size = np.zeros(G)
        self.ties = np.zeros((G, km))
        self.zeros = np.zeros(G)
        for p in range(G):
            n, k, s, d, lo, m = (int(v[p]) for v in (self.n, self.k, self.s, self.d,
                                                      self.lo, self.m))
            C, Q = int(self.C[p]), int(self.Q[p])
            o, i, j = enumerate_taps(n, k, s, d, lo, m)
            tap = (k - 1 - j) if ax.flip else j
            wq = w[p, :Q, :C, :k]
            for a in range(len(o)):
                self.T[p, :Q, o[a], :C, i[a]] += wq[:, :, tap[a]]
                self.yflip[p, :Q, o[a]] += wq[:, :, k - 1 - j[a]] @ x[p, :C, i[a]]
                self.dw[p, :Q, :C, tap[a]] += np.outer(g[p, :Q, o[a]], x[p, :C, i[a]])
            self.y[p, :Q, :m] = np.einsum("qocn,cn->qo", self.T[p, :Q, :m, :C, :n],
                                          x[p, :C, :n]) + (b[p, :Q, None] if L.bias else 0)
            self.adj[p, :C, :n] = np.einsum("qocn,qo->cn", self.T[p, :Q, :m, :C, :n],
                                            g[p, :Q, :m])
            self.db[p, :Q] = g[p, :Q, :m].sum(axis=1)
            span = n + int(self.lo[p]) + int(self.hi[p]) - 1
            self.size[p] = sum(1 for t in range(span + 1) if s * t + d * (k - 1) <= span)
            self.ties[p, :k] = np.bincount(j, minlength=k)[:k]
            self.zeros[p] = m * n - len({(int(u), int(v)) for u, v in zip(o, i)})
        self.b = b

    def shift_holds(self) -> np.ndarray:
        """Per grid point: ``T[o+1, i+s] == T[o, i]`` wherever both are inside."""
        out = np.ones(len(self.n), dtype=bool)
        for p in range(len(self.n)):
            n, m, s = int(self.n[p]), int(self.m[p]), int(self.s[p])
            T = self.T[p, :, :m, :, :n]
            out[p] = np.array_equal(T[:, 1:, :, s:], T[:, :-1, :, :n - s]) if n > s else True
        return out


def _reference(proof: GeneralProof, L: Law, grid: Grid, arrays: Any, en: _Enumeration
               ) -> np.ndarray:
    """Per grid point: does the statement agree with the enumeration?"""
    kind = proof.reference
    if kind == "shift":
        return en.shift_holds()
    side = proof.lhs if kind in ("output", "flipped") else proof.rhs
    val, mask = _evaluate(grid, arrays, side, proof.ranges)
    G = grid.size
    ref: Any
    if kind in ("output", "flipped"):
        ref = en.y if kind == "output" else en.yflip
        ref = ref if L.ch else ref[:, 0, :]
    elif kind == "adjoint":
        ref = en.adj if L.ch else en.adj[:, 0, :]
    elif kind == "dw":
        ref = en.dw if L.ch else en.dw[:, 0, 0, :]
    elif kind == "db":
        ref = en.db
    elif kind == "size":
        ref = en.size if proof.rhs == L.ax.out else grid.size_of(proof.rhs)
        if proof.rhs != L.ax.out:  # transposed: the forward size of N, counted, is n
            val = np.broadcast_to(en.size.astype(float), (G,))
    elif kind == "ties":
        ref = en.ties
    else:
        ref = en.zeros
    ref = np.asarray(ref, dtype=float)[tuple(slice(0, s) for s in val.shape)]
    ok = _agree(val, ref, mask)
    if kind == "output":  # the statement's other side and T's entry formula too
        other, omask = _evaluate(grid, arrays, proof.rhs, proof.ranges)
        ok &= _agree(other, ref[tuple(slice(0, s) for s in other.shape)], omask)
        ent, emask = _evaluate(grid, arrays, L.entry(L.q, L.o, L.c, L.i),
                               {L.q: L.Q, L.o: L.m, L.c: L.C, L.i: L.ax.n} if L.ch else
                               {L.o: L.m, L.i: L.ax.n})
        T = en.T if L.ch else en.T[:, 0, :, 0, :]
        ok &= _agree(ent, T[tuple(slice(0, s) for s in ent.shape)], emask)
    return ok


def _given(grid: Grid, given: Any) -> np.ndarray:
    if given is True or given is sympy.true:
        return np.ones(grid.size, dtype=bool)
    env, axes, _ = index_env(grid, {})
    val = Evaluator(env, {}, grid.size, axes).eval(given)
    return np.broadcast_to(np.asarray(val, dtype=bool).reshape(-1), (grid.size,))


def _engine(gd: GeneralDerivation, L: Law, grid: Grid, en: _Enumeration, arrays: Any
            ) -> tuple[int, int]:
    """Enumeration vs the instance engine's matrix at a few grid points."""
    spec = gd.spec
    if spec.groups != 1 or spec.ndim != 1 or grid.size == 0:
        return 0, 0
    picks = np.unique(np.linspace(0, grid.size - 1, min(ENGINE_POINTS, grid.size)).astype(int))
    agree = 0
    for p in picks:
        inst = gd.subs(grid.point(int(p)))
        wsyms = list(np.ravel(np.array(inst.weight.tolist(), dtype=object)))
        Q, C, k = int(en.Q[p]), int(en.C[p]), int(en.k[p])
        wv = arrays["w"][0][p][:Q, :C, :k] if L.ch else arrays["w"][0][p][:k]
        vals = dict(zip(wsyms, [int(v) for v in np.ravel(wv)]))
        M = np.array(inst.matrix.xreplace({s: sympy.Integer(v) for s, v in vals.items()}),
                     dtype=float)
        n, m = int(en.n[p]), int(en.m[p])
        T = en.T[p, :Q, :m, :C, :n].reshape(Q * m, C * n)
        agree += int(np.array_equal(M.T if spec.kind == "transpose" else M, T))
    return agree, len(picks)


def run(gd: GeneralDerivation, proofs: tuple[GeneralProof, ...], L: Law, *, seed: int = 0
        ) -> GeneralVerification:
    """Check every step and statement of ``proofs`` on one grid (see module)."""
    grid = _grid_for(gd, seed)
    bases = [L.x, L.w, L.g] + ([L.b] if L.bias else [])
    arrays = random_arrays(grid, bases, seed)
    en = _Enumeration(L, grid, arrays)
    engine = _engine(gd, L, grid, en, arrays)
    reports = []
    for proof in proofs:
        given = _given(grid, proof.given)
        statuses = []
        env, axes, mask = index_env(grid, proof.ranges)
        ev = Evaluator(env, arrays, grid.size, axes)  # one per proof: shared sides and nodes
        for step in proof.steps:
            a, b = (np.broadcast_to(np.asarray(ev.eval(sympy.sympify(e)), dtype=float),
                                    mask.shape) for e in (step.lhs, step.rhs))
            ok = _agree(a, b, mask) & given
            statuses.append(StepStatus(step.symbolic, int(ok.sum()), int(given.sum())))
        ref = int((_reference(proof, L, grid, arrays, en) & given).sum())
        eng = engine if proof.key == "a" else (0, 0)
        reports.append(ProofReport(proof, tuple(statuses), ref, eng[0], eng[1]))
    return GeneralVerification(tuple(reports), grid.size, gd.sizes)
