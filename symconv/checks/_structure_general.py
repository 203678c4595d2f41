"""General-size proofs of two structure theorems, algebra closed by SymPy (checks layer).

* :func:`prove_convolution_theorem` -- for symbolic ``n`` (and ``n1, n2`` in
  2-D), ``F T = diag(F c) F`` for the circulant ``T[o, i] = c[(o - i) mod n]``
  and ``F[a, b] = exp(-2 pi i a b / n)``: the key reindexing
  ``sum_b w^(a b) c[(b - e) mod n] = w^(a e) sum_m w^(a m) c[m]`` is split at
  ``b = e``, each piece's ``mod`` replaced by a representative SymPy shows is
  congruent and in ``0..n-1``, each piece moved by ``Sum.change_index``, the
  factor ``w^(-a n) = exp(2 pi i a) = 1`` cancelled by SymPy, and the two
  ranges recombined by ``simplify``.  2-D applies the same step to each axis
  (the sums exchanged by ``Sum.reorder_limit``, which refuses dependent limits).
* :func:`prove_stretched_kernel` -- the dilated convolution's general output
  (the general-size engine's ``Conv1d``) equals the undilated convolution with
  the zero-stretched kernel ``v[t] = w[t/d]`` if ``d | t`` else ``0``: the
  range ``0..d(k-1)`` is extended to ``0..dk-1`` (the tail vanishes), cut into
  ``k`` blocks of ``d`` (induction on ``k``: base and step by SymPy), and in
  each block only ``r = 0`` survives.  No ``.doit()`` on sums of
  ``KroneckerDelta``: the vanishing terms are shown by ``Mod`` with
  ``d = r + 1 + u`` (``1 <= r <= d - 1``), which SymPy reduces to ``r != 0``.

Three links are argued in this module's code, not established by SymPy, and
each step's text says so: a representative linear in ``b`` with positive
slope and both endpoints in ``0..n-1`` stays in ``0..n-1`` on the whole piece
(monotonicity); the induction principle (SymPy proves base and step);
``d = r + 1 + u`` with ``u >= 0`` reaches every ``1 <= r <= d - 1``.

Each function returns ``[(text, held), ...]``; ``tamper`` builds a wrong
statement (for the tests: the same steps must then fail).  The identities hold
for an arbitrary kernel (an undefined SymPy function or ``IndexedBase``), so
symbolic weights are covered.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import sympy
from sympy import Eq, Function, Mod, Piecewise, Sum, Symbol, exp, pi

Step = tuple[str, bool]


def _int(name: str, **assumptions: bool) -> Symbol:
    return Symbol(name, integer=True, **assumptions)


def _root(k: Any, n: Any) -> Any:
    return exp(-2 * pi * sympy.I * k / n)


def _zero(expr: Any) -> bool:
    return bool(sympy.simplify(expr) == 0)


def _same(left: Any, right: Any) -> bool:
    """Summands equal: SymPy simplify of the difference, powers of exp expanded."""
    return _zero(sympy.expand_power_exp(sympy.expand(left))
                 - sympy.expand_power_exp(sympy.expand(right)))


@cache  # pure: same symbols, same SymPy answer
def _range_lemmas(n: Symbol, e: Symbol) -> bool:
    """For ANY summand: splitting 0..n-1 at e, and joining 0..n-e-1 with n-e..n-1 (SymPy)."""
    f, b = Function("f"), _int("b")
    split = Sum(f(b), (b, 0, e - 1)) + Sum(f(b), (b, e, n - 1)) - Sum(f(b), (b, 0, n - 1))
    join = Sum(f(b), (b, 0, n - e - 1)) + Sum(f(b), (b, n - e, n - 1)) - Sum(f(b), (b, 0, n - 1))
    return _zero(split) and _zero(join)


def _reindex(summand: Any, b: Symbol, e: Symbol, n: Symbol, m: Symbol,
             steps: list[Step], axis: str = "") -> Any:
    """``Sum(summand, (b, 0, n-1))`` with ``Mod(b - e, n)`` inside, as a sum over ``m = 0..n-1``.

    Appends the proof steps (each checked by SymPy) and returns the new
    summand (a function of ``m``); the range is ``0..n-1``.
    """
    mod = Mod(b - e, n)
    steps.append((f"split{axis}: the sum over b = 0..n-1 is the sum over b = 0..e-1 plus "
                  "b = e..n-1, and m = 0..n-e-1 with m = n-e..n-1 joins to m = 0..n-1 "
                  "(SymPy simplify, for any summand)", _range_lemmas(n, e)))
    # representatives of (b - e) mod n on each piece: congruent and inside 0..n-1
    u = _int("u", nonnegative=True)
    n_of = e + u + 1  # n with 0 <= e <= n - 1, u >= 0
    pieces = ((b - e + n, 0, e - 1), (b - e, e, n - 1))
    ok = summand.has(mod)
    for rep, lo, hi in pieces:
        ok &= sympy.simplify(Mod(rep - (b - e), n)) == 0
        ok &= bool(sympy.diff(rep, b).is_positive)
        ok &= bool(rep.subs(b, lo).subs(n, n_of).is_nonnegative)
        ok &= bool((n - 1 - rep.subs(b, hi)).subs(n, n_of).is_nonnegative)
    steps.append((f"mod{axis}: on b < e, (b - e) mod n = b - e + n; on b >= e, it is b - e "
                  "(SymPy: congruent mod n, increasing in b, endpoints in 0..n-1 with "
                  "0 <= e <= n-1; hand-coded: increasing with both ends inside keeps "
                  "every b inside)", bool(ok)))
    low = Sum(summand.subs(mod, b - e + n), (b, 0, e - 1)).change_index(b, b - e + n, m)
    high = Sum(summand.subs(mod, b - e), (b, e, n - 1)).change_index(b, b - e, m)
    adjacent = (low.limits[0][1:] == (n - e, n - 1)
                and tuple(sympy.expand(v) for v in high.limits[0][1:]) == (0, n - e - 1))
    steps.append((f"reindex{axis}: Sum.change_index m = b - e + n (b < e) and m = b - e "
                  "(b >= e) give the ranges n-e..n-1 and 0..n-e-1 and the same summand, "
                  "because, with w = exp(-2 pi i / n), w^(-a n) = exp(2 pi i a) = 1 for "
                  "integer a (SymPy)",
                  adjacent and _same(low.function, high.function)))
    return high.function


@cache  # pure in its arguments: the textbook and its tests share one run
def prove_convolution_theorem(dims: int = 1, tamper: int = 0) -> tuple[Step, ...]:
    """``(F T)[a, e] = (F c)[a] F[a, e]`` for symbolic sizes, in ``dims`` = 1 or 2 dimensions.

    With ``F`` invertible (``F conj(F)^T = n I``, the geometric sum), this is
    ``F T F^-1 = diag(F c)``.  ``tamper`` = 1 states the wrong twiddle
    ``w^(-a e)``, 2 the transposed circulant ``c[(e - b) mod n]``: the
    steps must then fail (the tests check it).
    """
    if dims not in (1, 2):
        raise ValueError(f"dims must be 1 or 2, got {dims!r}")
    c = Function("c")
    steps: list[Step] = []
    sign = -1 if tamper == 1 else 1
    if dims == 1:
        n = _int("n", positive=True)
        a, b, m = _int("a"), _int("b"), _int("m")
        e = _int("e", nonnegative=True)
        arg = Mod(e - b, n) if tamper == 2 else Mod(b - e, n)
        got = _reindex(_root(a * b, n) * c(arg), b, e, n, m, steps)
        want = _root(sign * a * e, n) * _root(a * m, n) * c(m)
        steps.append(("conclusion: sum_b F[a, b] c[(b - e) mod n] = sum_m F[a, e] F[a, m] c[m] "
                      "= (F c)[a] F[a, e] (SymPy: the summands over m = 0..n-1 agree)",
                      _same(got, want)))
        return tuple(steps)
    n1, n2 = _int("n1", positive=True), _int("n2", positive=True)
    a1, a2, b1, b2, m1, m2 = (_int(v) for v in ("a1", "a2", "b1", "b2", "m1", "m2"))
    e1, e2 = _int("e1", nonnegative=True), _int("e2", nonnegative=True)
    first = Mod(e1 - b1, n1) if tamper == 2 else Mod(b1 - e1, n1)
    summand = _root(a1 * b1, n1) * _root(a2 * b2, n2) * c(first, Mod(b2 - e2, n2))
    inner = _reindex(summand, b2, e2, n2, m2, steps, " (axis 2, for each b1)")
    double = Sum(inner, (m2, 0, n2 - 1), (b1, 0, n1 - 1))
    try:
        swapped = double.reorder_limit(0, 1)
        exchanged = swapped.limits == ((b1, 0, n1 - 1), (m2, 0, n2 - 1))
    except Exception:  # sympy's ReorderError: dependent limits
        exchanged = False
    steps.append(("exchange: the sums over b1 and m2 have independent limits, so their "
                  "order is exchanged (SymPy Sum.reorder_limit)", bool(exchanged)))
    got = _reindex(inner, b1, e1, n1, m1, steps, " (axis 1, for each m2)")
    want = (_root(sign * a1 * e1, n1) * _root(a2 * e2, n2) * _root(a1 * m1, n1)
            * _root(a2 * m2, n2) * c(m1, m2))
    steps.append(("conclusion: (F T)[(a1, a2), (e1, e2)] = sum over m1, m2 of "
                  "F[(a1, a2), (e1, e2)] F[(a1, a2), (m1, m2)] c[m1, m2] = (F c)[a1, a2] "
                  "F[(a1, a2), (e1, e2)] with F = F_n1 (x) F_n2 (SymPy: the summands agree)",
                  _same(got, want)))
    return tuple(steps)


@cache  # pure: the lemmas hold for any summand, so cache per (d, k)
def _stretch_lemmas(d: Symbol, k: Any) -> tuple[bool, bool, bool]:
    """Range lemmas for ANY summand: extend 0..d(k-1) to 0..dk-1; blocks (induction on
    k: base and step); split off r = 0 of a block.  Each closed by SymPy."""
    fn, bn, hn = Function("F"), Function("B"), Function("h")
    t, j, r, big_k = _int("t"), _int("j"), _int("r"), _int("K", nonnegative=True)
    extend = _zero(Sum(fn(t), (t, 0, d * (k - 1))) + Sum(fn(t), (t, d * (k - 1) + 1, d * k - 1))
                   - Sum(fn(t), (t, 0, d * k - 1)))
    # sum_{t=0}^{dK-1} F(t) = sum_{j=0}^{K-1} sum_{r=0}^{d-1} F(dj + r), by induction on K
    base = Sum(fn(t), (t, 0, d * 0 - 1)).doit() == 0 and Sum(bn(j), (j, 0, -1)).doit() == 0
    step_l = _zero(Sum(fn(t), (t, 0, d * (big_k + 1) - 1)) - Sum(fn(t), (t, 0, d * big_k - 1))
                   - Sum(fn(t), (t, d * big_k, d * big_k + d - 1)))
    block = Sum(fn(t), (t, d * big_k, d * big_k + d - 1)).change_index(t, t - d * big_k, r)
    step_b = block.function == fn(d * big_k + r) and block.limits[0][1:] == (0, d - 1)
    step_r = _zero(Sum(bn(j), (j, 0, big_k)) - Sum(bn(j), (j, 0, big_k - 1))
                   - Sum(bn(j), (j, big_k, big_k)))
    split = _zero(Sum(hn(r), (r, 0, d - 1)) - Sum(hn(r), (r, 0, 0)) - Sum(hn(r), (r, 1, d - 1)))
    return extend, bool(base and step_l and step_b and step_r), split


def prove_stretched_kernel(conv: Any, o: Symbol, tamper: bool = False) -> list[Step]:
    """The engine's general dilated ``Conv1d`` output equals the stretched-kernel convolution.

    ``conv`` is ``Conv1d(1, 1, kernel_size=k, stride=s, padding=p, dilation=d)``
    derived on ``n`` inputs, every size a SymPy symbol; ``o`` the output index.
    ``tamper`` puts the kernel taps at ``t = d j + 1`` instead (must fail).
    """
    x, w = conv.input, conv.weight
    general = conv.output[0, o]
    (j, _lo, top) = general.limits[0]
    k = top + 1
    d = next(sym for sym in general.free_symbols if sym.name == "d")
    s = next(sym for sym in general.free_symbols if sym.name == "s")
    p = next(sym for sym in general.free_symbols if sym.name == "p")
    t, r = _int("t"), _int("r")
    shift = 1 if tamper else 0

    def v(tt: Any) -> Any:  # the zero-stretched kernel
        return Piecewise((w[0, 0, (tt - shift) / d], Eq(Mod(tt - shift, d), 0)), (0, True))

    def f(tt: Any) -> Any:
        return v(tt) * x[0, s * o + tt - p]

    steps: list[Step] = []
    extend, blocks_ok, split = _stretch_lemmas(d, k)
    steps.append(("extend: sum over t = 0..d(k-1) is the sum over t = 0..dk-1 minus the "
                  "tail t = d(k-1)+1..dk-1 (SymPy simplify, any summand)", extend))
    tail = Sum(f(t), (t, d * (k - 1) + 1, d * k - 1)).change_index(t, t - d * (k - 1), r)
    rp, u = _int("r", positive=True), _int("u", nonnegative=True)
    lims = (sympy.expand(tail.limits[0][1]), sympy.expand(tail.limits[0][2]))
    steps.append(("tail vanishes: with t = d(k-1) + r, 1 <= r <= d-1 (Sum.change_index), "
                  "(d(k-1) + r) mod d = r != 0 (SymPy with d = r + 1 + u; hand-coded: "
                  "u >= 0 reaches every such r), so v[t] = 0",
                  lims == (1, d - 1)
                  and _zero(tail.function.subs(r, rp).subs(d, rp + 1 + u))))
    steps.append(("blocks: sum over t = 0..dk-1 = sum over j = 0..k-1 of the block "
                  "sum over r = 0..d-1 at t = dj + r, by induction on k (base: both empty; "
                  "step: the next block, Sum.change_index t = dK + r; each closed by SymPy; "
                  "the induction itself is hand-coded)",
                  blocks_ok))
    h = f(d * j + r)
    rest = _zero(h.subs(r, rp).subs(d, rp + 1 + u))
    steps.append(("in block j only r = 0 survives: r = 1..d-1 have (dj + r) mod d = r != 0 "
                  "(SymPy with d = r + 1 + u; hand-coded: u >= 0 reaches every such r), "
                  "so v[dj + r] = 0", bool(split and rest)))
    survivor = Sum(h.subs(r, 0), (j, 0, k - 1))
    steps.append(("conclusion: v[dj] = w[j] (SymPy: (dj) mod d = 0) and the sum over j is the "
                  "general-size engine's dilated Conv1d output y[o] (SymPy simplify)",
                  survivor.limits == general.limits
                  and _zero(survivor.function - general.function)))
    return steps
