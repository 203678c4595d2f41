"""General sizes: the theorems (a)-(h) of issue 11 for one general derivation (checks layer).

Each theorem is a :class:`~symconv.checks._general_proofs.GeneralProof` built
by applying named rules to the law of one axis (:class:`Law`: the symbols,
channels per group).  :func:`verify_general` decides every step (proved by
SymPy, and checked on the grid of sizes by :mod:`symconv.checks._general_verify`)
and caches the result per geometry.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import sympy
from sympy import Derivative, IndexedBase, KroneckerDelta, Piecewise, Sum

from ..core._general import GeneralDerivation
from ..core._general_law import AxisLaw, fresh
from ._general_proofs import GeneralProof, GeneralVerification, chain
from ._general_rules import RULES


@dataclass
class Law:
    """The symbols of one proof context: a 1-D law with channels (per group)."""

    ax: AxisLaw
    ch: bool
    bias: bool
    C: Any
    Q: Any
    m: Any
    x: IndexedBase
    w: IndexedBase
    b: IndexedBase
    g: IndexedBase
    q: Any
    o: Any
    c: Any
    i: Any
    j: Any
    t: Any
    r: Any

    def X(self, c: Any, i: Any) -> Any:
        return self.x[c, i] if self.ch else self.x[i]

    def W(self, q: Any, c: Any, j: Any) -> Any:
        return self.w[q, c, j] if self.ch else self.w[j]

    def G(self, q: Any, o: Any) -> Any:
        return self.g[q, o] if self.ch else self.g[o]

    def B(self, q: Any) -> Any:
        return self.b[q] if (self.bias and self.ch) else sympy.Integer(0)

    def lims(self, *pairs: tuple[Any, Any, bool]) -> list[tuple[Any, Any, Any]]:
        """Limits ``(var, 0, size-1)``; channel limits dropped for signals."""
        return [(v, 0, size - 1) for v, size, is_ch in pairs if self.ch or not is_ch]

    def rng(self, *pairs: tuple[Any, Any, bool]) -> dict[Any, Any]:
        """Free-index ranges; channel indices dropped for signals."""
        return {v: size for v, size, is_ch in pairs if self.ch or not is_ch}

    def read(self, o: Any, j: Any) -> Any:
        return self.ax.s * o + self.ax.d * j - self.ax.lo

    def forward(self, q: Any, o: Any, c: Any, j: Any) -> Any:
        body = self.W(q, c, self.ax.tap(j)) * self.X(c, self.read(o, j))
        return self.B(q) + Sum(body, *self.lims((j, self.ax.k, False), (c, self.C, True)))

    def entry(self, q: Any, o: Any, c: Any, i: Any) -> Any:
        tap, cond = self.ax.entry(o, i)
        return Piecewise((self.W(q, c, tap), cond), (0, True))


def law_of(gd: GeneralDerivation, axis: int = 0) -> Law:
    """The proof context of ``gd``: its law along ``axis``, channels per group."""
    spec = gd.spec
    ax = spec.axes[axis]
    if ax.circular:
        raise ValueError("general proofs for padding_mode='circular' are not built; "
                         "substitute sizes (subs) and verify the instance")
    C = spec.in_channels / spec.groups
    Q = spec.out_channels / spec.groups
    m = spec.forward_out_size[axis]
    ch = spec.has_channels
    shape_x = (C, ax.n) if ch else (ax.n,)
    shape_w = (Q, C, ax.k) if ch else (ax.k,)
    shape_g = (Q, m) if ch else (m,)
    taken = spec.symbols()
    q, o, c, i, j, t, r = fresh("q", taken) + fresh("o", taken) + fresh("c", taken) + \
        fresh("i", taken) + fresh("j", taken) + fresh("t", taken) + fresh("r", taken)
    bias = spec.bias and spec.kind == "conv"
    return Law(ax, ch, bias, C, Q, m,
               IndexedBase("x", shape=shape_x), IndexedBase("w", shape=shape_w),
               IndexedBase("b", shape=(Q,)), IndexedBase("g", shape=shape_g),
               q, o, c, i, j, t, r)


def proof_a(L: Law) -> GeneralProof:
    """(a) ``vec(y) = T vec(x) + b`` entrywise, with T's entry formula."""
    q, o, c, i, j = L.q, L.o, L.c, L.i, L.j
    F = L.forward(q, o, c, j)
    read = L.X(c, L.read(o, j))
    target = L.B(q) + Sum(L.X(c, i) * L.entry(q, o, c, i), *L.lims((i, L.ax.n, False),
                                                                     (c, L.C, True)))
    ch = chain(F).by("zero padding as a delta sum", read, 1 if L.ch else 0, i, L.ax.n)
    ch.by("merge sums")
    ch.by("exchange of finite sums", (1, 0) + tuple(range(2, 2 + int(L.ch))))
    ch.by("linearity", 1)
    ch.by("Kronecker-delta elimination under divisibility", j, at=j)
    return GeneralProof("a", "vec(y) = T vec(x) + b", F, target, ch.close(target),
                        "GBC eq. 9.8 (stride s), generalised",
                        L.rng((q, L.Q, True), (o, L.m, False)), "output")


def proof_b(L: Law) -> GeneralProof:
    """(b) ``vec(y) = P vec(w) + b``: ``P[(q,o),(r,c,t)] = [r = q] x~[c, s*o + d*t - p]``."""
    q, o, c, j, t, r = L.q, L.o, L.c, L.j, L.t, L.r
    F = L.forward(q, o, c, j)
    ch = chain(F)
    if L.ax.flip:
        ch.by("index shift", j, L.ax.k - 1 - j, t)
    else:
        t = j
    if L.ch:
        wt = L.W(q, c, t)
        ch.to(ch.current.xreplace({wt: RULES["introduce a Kronecker delta"].apply(wt, r, q, L.Q)}),
              "introduce a Kronecker delta", applied=True)
        ch.by("merge sums")
    if not ch.steps:  # a signal: P[o, j] = x~[s*o + d*j - p] is the definition itself
        ch.to(F, "definition", "definition", applied=True)
    body = ch.current
    return GeneralProof("b", "vec(y) = P vec(w) + b", F, body, ch.close(body),
                        "im2col; GBC eq. 9.8",
                        L.rng((q, L.Q, True), (o, L.m, False)), "output")


def proof_c(L: Law) -> GeneralProof:
    """(c) the adjoint: ``(T^T g)[c, i]`` is the transposed convolution of ``g``."""
    q, o, c, i, j = L.q, L.o, L.c, L.i, L.j
    delta_T = Sum(L.W(q, c, L.ax.tap(j)) * KroneckerDelta(i, L.read(o, j)), (j, 0, L.ax.k - 1))
    lhs = Sum(L.G(q, o) * delta_T, *L.lims((o, L.m, False), (q, L.Q, True)))
    ch = chain(lhs).by("merge sums")
    ch.by("exchange of finite sums", (1, 0) + tuple(range(2, 2 + int(L.ch))))
    ch.by("Kronecker-delta elimination under divisibility", o, at=o)
    src = (i + L.ax.lo - L.ax.d * j) / L.ax.s
    cond = sympy.Eq(sympy.Mod(i + L.ax.lo - L.ax.d * j, L.ax.s), 0) if L.ax.s != 1 else True
    body = L.W(q, c, L.ax.tap(j)) * L.G(q, src)
    body = Piecewise((body, cond), (0, True)) if cond is not True else body
    target = Sum(body, *L.lims((j, L.ax.k, False), (q, L.Q, True)))
    return GeneralProof("c", "adjoint: T^T g is the transposed convolution of g", lhs, target,
                        ch.close(target, "drop range conditions"),
                        "GBC eqs. 9.12-9.13; D&V relationships 8-14",
                        L.rng((c, L.C, True), (i, L.ax.n, False)),
                        "adjoint")


def proof_d(L: Law) -> GeneralProof:
    """(d) convolution = correlation with the flipped kernel (an index reversal)."""
    q, o, c, j, t = L.q, L.o, L.c, L.j, L.t
    lhs = Sum(L.W(q, c, L.ax.k - 1 - j) * L.X(c, L.read(o, j)),
              *L.lims((j, L.ax.k, False), (c, L.C, True)))
    ch = chain(lhs).by("index shift", j, L.ax.k - 1 - j, t)
    rhs = ch.current
    return GeneralProof("d", "convolution = correlation with the flipped kernel", lhs, rhs,
                        ch.close(rhs), "GBC eq. 9.4 vs 9.6",
                        L.rng((q, L.Q, True), (o, L.m, False)), "flipped")


def _loss(L: Law) -> tuple[Any, Any, Any, Any]:
    qq, cc, jj = sympy.Symbol("q'", integer=True), sympy.Symbol("c'", integer=True), \
        sympy.Symbol("j'", integer=True)
    Y = L.forward(qq, L.o, cc, jj)
    loss = Sum(L.G(qq, L.o) * Y, *L.lims((L.o, L.m, False), (qq, L.Q, True)))
    return loss, qq, cc, jj


def proof_e(L: Law) -> list[GeneralProof]:
    """(e) the kernel, input and bias gradients (GBC 9.11-9.13 generalised)."""
    q, o, c, i, t = L.q, L.o, L.c, L.i, L.t
    loss, _, cc, jj = _loss(L)
    out = []
    wt = L.W(q, c, t)
    lhs = Derivative(loss, wt)
    ch = chain(lhs).to(sympy.diff(loss, wt), "differentiation", "rewrite", applied=True)
    tgt = Sum(L.G(q, o) * L.X(c, L.read(o, L.ax.tap(t))), (o, 0, L.m - 1))
    ch.by("unit delta summation", at=jj)  # the inner sums over c', j' (unit deltas)
    out.append(GeneralProof("e1", "kernel gradient dL/dw", lhs, tgt,
                            ch.close(tgt, "indices in range"), "GBC eq. 9.11",
                            {q: L.Q, c: L.C, t: L.ax.k} if L.ch else {t: L.ax.k}, "dw"))
    xi = L.X(c, i)
    lhs = Derivative(loss, xi)
    ch = chain(lhs).to(sympy.diff(loss, xi), "differentiation", "rewrite", applied=True)
    if L.ch:
        ch.by("Kronecker-delta elimination under divisibility", cc, at=cc)
    tgt_c = proof_c(L).rhs
    out.append(GeneralProof("e2", "input gradient dL/dx = T^T g", lhs, tgt_c,
                            ch.close(tgt_c, "Kronecker-delta elimination under divisibility"),
                            "GBC eqs. 9.12-9.13", {c: L.C, i: L.ax.n} if L.ch else {i: L.ax.n},
                            "adjoint"))
    if L.bias:
        bq = L.b[q]
        lhs = Derivative(loss, bq)
        ch = chain(lhs).to(sympy.diff(loss, bq), "differentiation", "rewrite", applied=True)
        ch.to(RULES["unit delta summation"].apply(ch.current), "unit delta summation",
              applied=True)
        tgt = Sum(L.G(q, o), (o, 0, L.m - 1))
        out.append(GeneralProof("e3", "bias gradient dL/db", lhs, tgt,
                                ch.close(tgt, "indices in range"), "GBC (bias)", {q: L.Q},
                                "db"))
    return out


def proof_f(L: Law, gd: GeneralDerivation) -> GeneralProof:
    """(f) the output size from the index constraint (D&V relationship 15)."""
    ax, o = L.ax, L.o
    span = ax.n + ax.lo + ax.hi - 1
    count = Sum(Piecewise((1, ax.s * o + ax.d * (ax.k - 1) <= span), (0, True)), (o, 0, span))
    ch = chain(count).to(RULES["counting multiples"].apply(span - ax.d * (ax.k - 1), ax.s),
                         "counting multiples", "lemma")
    rhs = ax.out
    if gd.spec.kind == "transpose":
        rhs = gd.spec.small_size[0]
        ch.to(sympy.floor(sympy.expand((span - ax.d * (ax.k - 1)) / ax.s)) + 1, "algebra",
              "algebra")
        return GeneralProof("f", "transposed output size: the forward size of N is n",
                            count, rhs, ch.close(rhs, "indices in range"),
                            "D&V relationship 14 (0 <= a < s)", {}, "size",
                            given=gd.spec.output_padding[0] < ax.s)
    return GeneralProof("f", "output size from 0 <= s o + d j - p <= n - 1", count, rhs,
                        ch.close(rhs), "D&V relationships 1-6, 15", {}, "size")


def proof_g(L: Law) -> list[GeneralProof]:
    """(g) tie counts of each weight and the structural zeros of one channel block."""
    ax, o, i, t = L.ax, L.o, L.i, L.t
    e = L.read(o, t)
    tau = Sum(Piecewise((1, (e >= 0) & (e <= ax.n - 1)), (0, True)), (o, 0, L.m - 1))
    cnt = RULES["counting an interval"].apply(ax.lo - ax.d * t, ax.n - 1 + ax.lo - ax.d * t,
                                               ax.s, L.m)
    g1 = GeneralProof("g1", "entries of T one weight occupies (its tie count)", tau, cnt,
                      chain(tau).to(cnt, "counting an interval", "lemma").close(cnt),
                      "GBC sec. 9.2 (parameter sharing)", {t: ax.k}, "ties")
    _, cond = ax.entry(o, i)
    ind = Piecewise((1, cond), (0, True))
    zeros = Sum(1 - ind, (i, 0, ax.n - 1), (o, 0, L.m - 1))
    ch = chain(zeros).to(L.m * ax.n - Sum(ind, (i, 0, ax.n - 1), (o, 0, L.m - 1)), "algebra")
    deltas = Sum(KroneckerDelta(i, e), (t, 0, ax.k - 1), (i, 0, ax.n - 1), (o, 0, L.m - 1))
    ch.to(L.m * ax.n - deltas, "injectivity of taps", "lemma")
    ch.by("exchange of finite sums", (1, 0, 2))
    inner = Sum(KroneckerDelta(i, e), (i, 0, ax.n - 1))
    done = RULES["unit delta summation"].apply(inner)
    ch.to(L.m * ax.n - Sum(done, (t, 0, ax.k - 1), (o, 0, L.m - 1)), "unit delta summation",
          applied=True)
    ch.by("exchange of finite sums")
    tgt = L.m * ax.n - Sum(cnt, (t, 0, ax.k - 1))
    g2 = GeneralProof("g2", "structural zeros of T (one channel block)", zeros, tgt,
                      ch.close(tgt, "counting an interval"), "", {}, "zeros")
    return [g1, g2]


def proof_h(L: Law) -> GeneralProof:
    """(h) ``T[o+1, i+s] = T[o, i]``: each row is the previous shifted by s (Toeplitz if s=1)."""
    q, o, c, i = L.q, L.o, L.c, L.i
    lhs = L.entry(q, o + 1, c, i + L.ax.s)
    rhs = L.entry(q, o, c, i)
    steps = chain(lhs).to(RULES["shift of both indices"].apply(lhs, {}), "shift of both indices",
                          applied=True).close(rhs)
    rng = {q: L.Q, o: L.m - 1, c: L.C, i: L.ax.n - L.ax.s} if L.ch else \
        {o: L.m - 1, i: L.ax.n - L.ax.s}
    return GeneralProof("h", "T[o+1, i+s] = T[o, i] (Toeplitz when s = 1)", lhs, rhs, steps,
                        "GBC sec. 9.1 (Toeplitz); D&V", rng, "shift")


def general_proofs(gd: GeneralDerivation, axis: int = 0) -> tuple[GeneralProof, ...]:
    """The proofs (a)-(h) for the law of ``gd`` along ``axis`` (built once per geometry)."""
    return _proofs_of(gd.spec, axis, gd)


_CACHE: dict[Any, tuple[GeneralProof, ...]] = {}


def _proofs_of(spec: Any, axis: int, gd: GeneralDerivation) -> tuple[GeneralProof, ...]:
    key = (spec, axis)
    if key not in _CACHE:
        _CACHE[key] = _build(gd, axis)
    return _CACHE[key]


def _build(gd: GeneralDerivation, axis: int) -> tuple[GeneralProof, ...]:
    L = law_of(gd, axis)
    out = [proof_a(L), proof_b(L), proof_c(L), proof_d(L), *proof_e(L), proof_f(L, gd),
           *proof_g(L), proof_h(L)]
    return tuple(out)


def verify_general(gd: GeneralDerivation, *, seed: int = 0) -> GeneralVerification:
    """Decide each step: proved by SymPy, and checked on the grid of sizes (see module)."""
    from ._general_verify import run

    key = (gd.spec, seed)
    if key not in _VERIFIED:
        parts = [run(gd, general_proofs(gd, a), law_of(gd, a), seed=seed)
                 for a in range(gd.spec.ndim)]
        if len(parts) == 1:
            _VERIFIED[key] = parts[0]
        else:  # N-D: the law of every axis, theorems labelled by axis
            reports = tuple(replace(r, proof=replace(r.proof, key=f"{r.proof.key} (axis {a + 1})"))
                            for a, part in enumerate(parts) for r in part.reports)
            _VERIFIED[key] = GeneralVerification(reports, parts[0].grid, parts[0].sizes)
    return _VERIFIED[key]


_VERIFIED: dict[Any, GeneralVerification] = {}
