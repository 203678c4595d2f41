"""Composition of two stride-1 correlations, for general sizes, step by step (checks layer).

Over 400 lines: one idea, one theorem; its chain, each step's SymPy certificate and
the case analysis of the last step must change together, so it is not split.

The theorem (issue 12): with symbolic lengths ``n`` (input), ``k1``, ``k2``
(kernels) and ``y1[p] = sum_{j=0}^{k1-1} a[j] x[p+j]``, the second correlation
``y2[i] = sum_{m=0}^{k2-1} b[m] y1[i+m]`` is one correlation
``y2[i] = sum_{t=0}^{k1+k2-2} c[t] x[i+t]`` whose kernel is the full convolution
``c[t] = sum_{m=max(0, t-k1+1)}^{min(t, k2-1)} a[t-m] b[m]`` of the two kernels,
for every output ``0 <= i <= n-k1-k2+1`` (``n-k1-k2+2`` outputs either way).

:func:`composition_proof` builds the chain and decides each step's status
with SymPy's own operations, reusing the certificates of
:mod:`~symconv.checks._general_rules`:

- sizes: ``(n-k1+1)-k2+1 == n-(k1+k2-1)+1`` by expansion -- *proved*;
- definition of ``y1`` substituted by SymPy's ``replace`` -- *proved*;
- merge sums (``certify_factor``: SymPy's ``factor_sum``) -- *proved*;
- ``x[i+m+j] = sum_{t=0}^{k1+k2-2} [t = m+j] x[i+t]``: SymPy's unit delta
  summation gives the read back (``certify_sift``), and the range condition
  ``0 <= m+j <= k1+k2-2`` is shown by writing every slack as a sum of
  nonnegative integers (SymPy's assumptions) -- *proved*;
- merge sums, exchange of the three finite sums with independent bounds
  (``certify_exchange``: ``Sum.reorder_limit``), linearity twice
  (``factor_sum``) -- *proved*;
- the sum over ``j`` of ``a[j] [t = j+m]``: the delta has coefficient 1 in
  ``j``, so SymPy's delta summation is sound; it gives
  ``a[t-m] [0 <= t-m <= k1-1]`` (a Piecewise) -- *proved*.  This is the full
  convolution of the zero-extended kernels;
- clipping the sum over ``m`` to ``max(0, t-k1+1) .. min(t, k2-1)`` (where the
  brackets are 1) -- *proved with two hand-coded arguments* (status
  :data:`PROVED_HAND`, not ``"proved"``): SymPy does each piece's algebra, but
  two links are argued in this module's code, not established by SymPy
  (:data:`HAND_CODED`): (a) a bracket ``[z >= 0]`` whose ``z`` has slope +-1 in
  ``m`` is constant on a piece when its value at the piece's end says so
  (monotonicity), and (b) the four cases cover every integer ``t, k1, k2`` with
  ``0 <= t <= k1+k2-2`` (each case's slack substitution reaching exactly its
  integers).  The case analysis: ``t <= k1-1`` or ``t >= k1``,
  ``t <= k2-1`` or ``t >= k2``; each case's ``t, k1, k2`` written with
  nonnegative integer slacks, ``0..k2-1`` cut into pieces that SymPy merges
  back (``sum_combine``), each bracket (slope +-1 in ``m``) shown 1 or 0 on a
  whole piece by its value at the end where it is extreme (slacks nonnegative), and the
  claimed ``Max``/``Min`` bounds evaluated by SymPy to the kept piece's.  The
  step is *also* checked on instances: every ``k1, k2`` in ``1..CLIP_CHECK_UPTO``
  and every ``t`` in ``0..k1+k2-2``, both sides summed out and expanded (exact,
  symbolic ``a``, ``b``).  A claim the case analysis cannot match (an
  equivalent kernel written otherwise) is reported *checked on N instances*; a
  claim an instance refutes makes the proof falsy.

Never SymPy's ``.doit()`` on a delta with a non-unit coefficient: the one
delta summed here has coefficient 1 (checked by ``sympy_sum``).  Multi-channel,
strided and 2-D stacks are not covered by this general proof; there
``Composition.holds`` is the exact identity at the instance derived.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import sympy
from sympy import Indexed, IndexedBase, KroneckerDelta, Max, Min, Piecewise, Sum, piecewise_fold
from sympy.simplify.simplify import sum_combine

from ._general_rules import (
    certify_exchange,
    certify_factor,
    certify_sift,
    merge_sums,
    same,
    split_sum,
    sympy_sum,
)

__all__ = ["CLIP_CHECK_UPTO", "HAND_CODED", "PROVED_HAND", "CompositionProof",
           "CompositionStep", "composition_proof", "full_convolution_kernel"]

#: The clipping step is checked for every k1, k2 in 1..CLIP_CHECK_UPTO (and every t).
CLIP_CHECK_UPTO = 5

PROVED = "proved"

#: The clipping step's two links argued in this module's code, not established by SymPy.
HAND_CODED = (
    "a bracket [z >= 0] with z of slope +-1 in m is constant on a piece when its value "
    "at the piece's end says so (monotonicity)",
    "the four cases of max/min cover every integer t, k1, k2 with 0 <= t <= k1+k2-2 "
    "(each case's slack substitution reaches exactly its integers)",
)

#: Status of a step whose SymPy certificates are joined by the :data:`HAND_CODED` arguments.
PROVED_HAND = "proved with 2 hand-coded arguments"

n, k1, k2 = sympy.symbols("n k1 k2", integer=True, positive=True)
i, j, m, t, p = sympy.symbols("i j m t p", integer=True)
a, b, x, y1 = IndexedBase("a"), IndexedBase("b"), IndexedBase("x"), IndexedBase("y1")

Kernel = Callable[[Any, Any, Any, Any, Any], Any]


def iverson(z: Any) -> Any:
    """``[z >= 0]`` for an integer ``z``: ``Heaviside(z, 1)`` (1 at 0), unevaluated for symbols."""
    return sympy.Heaviside(z, 1)


def full_convolution_kernel(a_: Any, b_: Any, t_: Any, k1_: Any, k2_: Any) -> Any:
    """``c[t] = sum_{m=max(0,t-k1+1)}^{min(t,k2-1)} a[t-m] b[m]``: the claimed kernel."""
    return Sum(a_[t_ - m] * b_[m], (m, Max(0, t_ - k1_ + 1), Min(t_, k2_ - 1)))


@dataclass(frozen=True)
class CompositionStep:
    """One step ``lhs = rhs`` of the composition proof.

    Attributes
    ----------
    title : str
        The rule applied, in words.
    lhs, rhs : sympy.Basic
    status : str
        ``"proved"`` (SymPy established it), :data:`PROVED_HAND` (SymPy's
        certificates joined by the hand-coded arguments in ``hand``),
        ``"checked on N instances"`` or ``"fails"`` (a certificate or an
        instance disagreed).
    how : str
        What SymPy did, or which instances were compared.
    hand : tuple of str
        The arguments the step relies on that are coded here, not SymPy's.
    """

    title: str
    lhs: Any
    rhs: Any
    status: str
    how: str
    hand: tuple[str, ...] = ()

    @property
    def proved(self) -> bool:
        """SymPy established this step for general sizes."""
        return self.status == PROVED

    @property
    def holds(self) -> bool:
        """Proved (by SymPy or with hand-coded arguments), or checked on every instance tried."""
        return self.status != "fails"


@dataclass(frozen=True)
class CompositionProof:
    """The composition theorem for general sizes and its chain of steps.

    Attributes
    ----------
    lhs, rhs : sympy.Basic
        ``sum_m b[m] y1[i+m]`` and ``sum_t c[t] x[i+t]``.
    kernel : sympy.Basic
        The claimed ``c[t]``.
    steps : tuple of CompositionStep
    sizes, outputs : sympy.Basic
        ``n - k1 - k2 + 2`` outputs, for ``0 <= i <= n-k1-k2+1``.

    A proof is truthy when every step holds (proved or checked);
    :attr:`proved` says whether every step is proved by SymPy alone, and
    :attr:`status` names any step that is only checked on instances or
    relies on hand-coded arguments.
    """

    lhs: Any
    rhs: Any
    kernel: Any
    steps: tuple[CompositionStep, ...]
    outputs: Any

    def __bool__(self) -> bool:
        return all(s.holds for s in self.steps)

    @property
    def proved(self) -> bool:
        """Every step established by SymPy for general sizes."""
        return all(s.proved for s in self.steps)

    @property
    def status(self) -> str:
        """``proved``, or which steps are only checked (on how many instances) or hand-argued."""
        if not self:
            bad = [str(k + 1) for k, s in enumerate(self.steps) if not s.holds]
            return f"fails at step {', '.join(bad)}"
        if self.proved:
            return PROVED
        rest = [f"step {k + 1} {s.status}" for k, s in enumerate(self.steps) if not s.proved]
        return "proved by SymPy except " + "; ".join(rest)

    def __str__(self) -> str:
        lines = [f"{self.lhs} = {self.rhs}   [{self.status}]"]
        for k, s in enumerate(self.steps):
            lines.append(f"  {k + 1}. {s.title}: {s.status} ({s.how})")
            lines.extend(f"     hand-coded, not SymPy: {h}" for h in s.hand)
        return "\n".join(lines)

    def to_latex(self) -> str:
        """The theorem and its steps as math-mode LaTeX (an ``aligned`` block per step)."""
        from ..rendering._network_latex import composition_latex

        return composition_latex(self)


def _step(title: str, lhs: Any, rhs: Any, ok: bool, how: str) -> CompositionStep:
    return CompositionStep(title, lhs, rhs, PROVED if ok else "fails", how)


def _nonnegative(expr: Any, slack: dict[Any, Any]) -> bool:
    """SymPy shows ``expr >= 0`` after writing variables as sums of nonnegative slacks."""
    return bool(sympy.expand(expr.xreplace(slack)).is_nonnegative)


def _slacks() -> tuple[dict[Any, Any], tuple[Any, ...]]:
    """``j = u``, ``m = v``, ``k1 = j+1+r``, ``k2 = m+1+q``, ``i = w``, ``n = i+k1+k2-1+z``."""
    u, v, r, q, w, z = sympy.symbols("u v r q w z", integer=True, nonnegative=True)
    base = {j: u, m: v, i: w}
    k1v, k2v = u + 1 + r, v + 1 + q
    return {**base, k1: k1v, k2: k2v, n: w + k1v + k2v - 1 + z}, (u, v, r, q, w, z)


def _unroll(e: Any) -> Any:
    """Every Sum with numeric bounds written out term by term (an instance is finite)."""
    while True:
        sums = [q for q in e.atoms(Sum) if not q.function.atoms(Sum)]
        if not sums:
            return sympy.expand(e)
        reps = {}
        for q in sums:
            f = q.function
            for v, lo, hi in q.limits:  # innermost limit first
                f = sympy.Add(*[f.xreplace({v: k}) for k in range(int(lo), int(hi) + 1)])
            reps[q] = f
        e = e.xreplace(reps)


def _cases() -> list[tuple[str, dict[Any, Any], list[tuple[Any, Any, int]]]]:
    """The four cases of ``max(0, t-k1+1)`` and ``min(t, k2-1)``, each parametrised by slacks.

    Per case: its name, the substitution of ``t, k1, k2`` by nonnegative integer
    slacks (onto exactly the integers of that case, ``0 <= t <= k1+k2-2``), and
    the pieces ``(lo, hi, value)`` of ``0..k2-1`` with the value of the brackets
    ``[t-m >= 0][k1-1-t+m >= 0]`` on them.  ``t <= k1-1`` or ``t >= k1``, and
    ``t <= k2-1`` or ``t >= k2``, for integers: the cases are exhaustive.
    """
    T, r, q, c, e, f = sympy.symbols("T r q c e f", integer=True, nonnegative=True)
    low, high = t - k1 + 1, t  # where the brackets are 1, before clipping to 0..k2-1
    return [
        ("t <= k1-1, t <= k2-1", {t: T, k1: T + 1 + r, k2: T + 1 + q},
         [(0, high, 1), (high + 1, k2 - 1, 0)]),
        ("t <= k1-1, t >= k2", {t: 1 + c + e, k2: 1 + c, k1: 2 + c + e + r},
         [(0, k2 - 1, 1)]),
        ("t >= k1, t <= k2-1", {t: 1 + c + e, k1: 1 + c, k2: 2 + c + e + q},
         [(0, low - 1, 0), (low, high, 1), (high + 1, k2 - 1, 0)]),
        ("t >= k1, t >= k2", {t: e + f + r + 2, k1: f + r + 2, k2: e + r + 2},
         [(0, low - 1, 0), (low, k2 - 1, 1)]),
    ]


def _bracket_value(z: Any, lo: Any, hi: Any, value: int, sub: dict[Any, Any]) -> bool:
    """SymPy shows ``[z >= 0] == value`` for every ``m`` in ``lo..hi`` (``z`` linear in m).

    ``z`` has slope +-1 in ``m``, so its extremes are at the ends: for 1 its
    minimum is >= 0, for 0 its maximum is <= -1 (nonnegative slacks).
    """
    slope = sympy.diff(z, m)
    if slope not in (1, -1):
        return False
    if value == 1:
        end = lo if slope == 1 else hi
        return _nonnegative(z.xreplace({m: end}), sub)
    end = hi if slope == 1 else lo
    return _nonnegative(-1 - z.xreplace({m: end}), sub)


def _clip_by_cases(over_m: Any, claimed: Any) -> tuple[bool, str]:
    """Step 9 by case analysis: every case's pieces certified, the kept piece is the claim."""
    f, (v, lo0, hi0) = over_m.function, over_m.limits[0]
    if v != m or lo0 != 0 or not same(hi0, k2 - 1):
        return False, "unexpected sum"
    brackets = [h.args[0] for h in f.atoms(sympy.Heaviside)]
    bare = f.xreplace({h: 1 for h in f.atoms(sympy.Heaviside)})
    for name, sub, pieces in _cases():
        # the pieces tile 0..k2-1: SymPy merges the adjacent sums back (sum_combine)
        merged = sum_combine([Sum(f, (m, lo, hi)) for lo, hi, _ in pieces])
        if merged != over_m:
            return False, f"case {name}: the pieces do not merge back"
        kept = []
        for lo, hi, value in pieces:
            if not _nonnegative(hi - lo + 1, sub):  # a normal range (possibly empty)
                return False, f"case {name}: piece {lo}..{hi} not a range"
            ok = (all(_bracket_value(z, lo, hi, 1, sub) for z in brackets) if value
                  else any(_bracket_value(z, lo, hi, 0, sub) for z in brackets))
            if not ok:  # 1: every bracket 1 on the piece; 0: one bracket 0 on all of it
                return False, f"case {name}: brackets not {value} on {lo}..{hi}"
            if value:
                kept.append(Sum(bare, (m, lo, hi)))
        if len(kept) != 1:
            return False, f"case {name}: {len(kept)} kept pieces"
        got, want = kept[0].xreplace(sub), sympy.sympify(claimed).xreplace(sub)
        if not (isinstance(want, Sum) and got.function == want.function
                and all(same(g, w) for g, w in zip(got.limits[0], want.limits[0]))):
            return False, f"case {name}: the kept sum is {got}, the claim {want}"
    return True, ("four cases of max/min, each by nonnegative slacks (coverage argued in "
                  "code): SymPy merges the pieces back (sum_combine), shows each bracket's "
                  "end value on each piece (constancy from slope +-1 argued in code) and "
                  "evaluates the claimed Max/Min bounds")


def _clip_instances(kernel: Kernel, inner: Any) -> tuple[bool, int]:
    """Compare the Piecewise form with the claimed kernel at every instance of the grid."""
    count = 0
    for kk1 in range(1, CLIP_CHECK_UPTO + 1):
        for kk2 in range(1, CLIP_CHECK_UPTO + 1):
            for tt in range(kk1 + kk2 - 1):
                sizes = {k1: kk1, k2: kk2, t: tt}
                left = _unroll(inner.xreplace(sizes))
                right = _unroll(sympy.sympify(kernel(a, b, t, k1, k2)).xreplace(sizes))
                if sympy.expand(left - right) != 0:
                    return False, count + 1
                count += 1
    return True, count


def composition_proof(kernel: Kernel | None = None) -> CompositionProof:
    """Two stride-1 correlations are one whose kernel is the full convolution (general sizes).

    Parameters
    ----------
    kernel : callable, optional
        ``kernel(a, b, t, k1, k2)`` -> the claimed composite kernel ``c[t]``
        (``m`` as :data:`m`); default :func:`full_convolution_kernel`.  A wrong
        kernel makes the proof falsy (its last step fails on an instance).

    Returns
    -------
    CompositionProof
        Truthy when every step holds; see the module docstring for which
        steps SymPy proves and which are checked on instances.

    Examples
    --------
    >>> pr = composition_proof()
    >>> bool(pr), pr.proved, pr.status, len(pr.steps)
    (True, False, 'proved by SymPy except step 9 proved with 2 hand-coded arguments', 9)
    >>> pr.steps[-1].how.endswith("also checked on 125 instances (k1, k2 in 1..5, every t in "
    ...                           "0..k1+k2-2, exact)")
    True
    """
    return _default() if kernel is None else _build(kernel)


@lru_cache(maxsize=1)
def _default() -> CompositionProof:
    """The proof with the full-convolution kernel, built once (a few seconds of SymPy)."""
    return _build(full_convolution_kernel)


@lru_cache(maxsize=1)
def _chain() -> tuple[tuple[CompositionStep, ...], Any, Any, Any]:
    """Steps 1-8, which do not depend on the claimed kernel (built once)."""
    K = k1 + k2 - 2
    steps: list[CompositionStep] = []
    slack, _ = _slacks()

    # 0. sizes: the stack and the single correlation have the same outputs
    stacked, single = (n - k1 + 1) - k2 + 1, n - (k1 + k2 - 1) + 1
    steps.append(_step("output sizes agree", stacked, single, same(stacked, single),
                       "expansion by SymPy"))

    # 1. definition of y1 substituted
    lhs = Sum(b[m] * y1[i + m], (m, 0, k2 - 1))
    e1 = Sum(b[m] * Sum(a[j] * x[i + m + j], (j, 0, k1 - 1)), (m, 0, k2 - 1))
    substituted = lhs.replace(
        lambda e: isinstance(e, Indexed) and e.base == y1,
        lambda e: Sum(a[j] * x[e.indices[0] + j], (j, 0, k1 - 1)))
    reads_inside = (_nonnegative(i + m + j, slack)
                    and _nonnegative((n - 1) - (i + m + j), slack))
    steps.append(_step("definition of y1", lhs, e1, substituted == e1 and reads_inside,
                       "SymPy's replace of y1[p] by its sum; every read x[i+m+j] inside "
                       "0..n-1 (slacks nonnegative)"))

    # 2. merge sums
    e2 = merge_sums(e1)
    steps.append(_step("merge sums", e1, e2, certify_factor(e1, e2), "SymPy's factor_sum"))

    # 3. introduce t = m + j by a Kronecker delta (unit coefficient)
    e3 = e2.xreplace({x[i + m + j]: Sum(KroneckerDelta(t, m + j) * x[i + t], (t, 0, K))})
    in_range = _nonnegative(m + j, slack) and _nonnegative(K - (m + j), slack)
    steps.append(_step("introduce a Kronecker delta", e2, e3,
                       certify_sift(e2, e3) and in_range,
                       "SymPy's unit delta summation gives x[i+m+j] back; 0 <= m+j <= "
                       "k1+k2-2 (slacks nonnegative)"))

    # 4. merge sums again: one triple sum
    e4 = Sum(b[m] * a[j] * KroneckerDelta(t, m + j) * x[i + t],
             (t, 0, K), (j, 0, k1 - 1), (m, 0, k2 - 1))
    steps.append(_step("merge sums", e3, e4, certify_factor(e3, e4), "SymPy's factor_sum"))

    # 5. exchange: t outermost (all bounds independent)
    e5 = Sum(e4.function, (j, 0, k1 - 1), (m, 0, k2 - 1), (t, 0, K))
    steps.append(_step("exchange of finite sums", e4, e5, certify_exchange(e4, e5),
                       "SymPy's Sum.reorder_limit"))

    # 6. linearity: x[i+t] out of the sums over j and m, then b[m] out of the sum over j
    e6 = split_sum(e5, 2)
    inner = next(s for s in e6.atoms(Sum) if s.limits[0][0] == j)
    split = split_sum(inner, 1)
    e6b = e6.xreplace({inner: split})
    ok6 = certify_factor(e5, e6) and certify_factor(inner, split)
    steps.append(_step("linearity", e5, e6b, ok6, "SymPy's factor_sum, twice"))

    # 7. the sum over j: SymPy's delta summation (coefficient 1 in j: sound).  Its
    # Piecewise is written with Iverson brackets [z >= 0] = Heaviside(z, 1) (z integer):
    # SymPy folds a Piecewise inside nested Sums out of its summation scope.
    over_j = next(s for s in e6b.atoms(Sum) if s.limits[0][0] == j)
    summed = sympy_sum(over_j)
    bracket = a[t - m] * iverson(t - m) * iverson(k1 - 1 - (t - m))
    e7 = e6b.xreplace({over_j: bracket})
    ok7 = isinstance(summed, Piecewise) and sympy.simplify(
        piecewise_fold(bracket.rewrite(Piecewise) - summed)) == 0
    steps.append(_step("unit delta summation", e6b, e7, bool(ok7),
                       "SymPy's delta summation, coefficient 1 in j: a[t-m] [0 <= t-m <= "
                       "k1-1] (Iverson brackets; SymPy simplifies their difference from its "
                       "Piecewise to 0), the full convolution of the zero-extended kernels"))

    return tuple(steps), e7, lhs, single


def _build(kernel: Kernel) -> CompositionProof:
    """The chain, then the clipping step for the claimed ``kernel``."""
    head, e7, lhs, single = _chain()
    steps = list(head)
    K = k1 + k2 - 2
    # 8. clip the sum over m to where the Piecewise is 1
    over_m = next(s for s in e7.atoms(Sum) if s.limits[0][0] == m)
    claimed = sympy.sympify(kernel(a, b, t, k1, k2))
    rhs = Sum(claimed * x[i + t], (t, 0, K))
    e8 = e7.xreplace({over_m: claimed})
    ok8, count = _clip_instances(kernel, over_m)
    by_cases, why = _clip_by_cases(over_m, claimed)
    grid = f"k1, k2 in 1..{CLIP_CHECK_UPTO}, every t in 0..k1+k2-2, exact"
    if not ok8:
        status, how = "fails", f"instance {count} of the grid ({grid}) disagrees"
    elif by_cases:
        status, how = PROVED_HAND, f"{why}; also checked on {count} instances ({grid})"
    else:
        status, how = f"checked on {count} instances", f"{grid}; not proved: {why}"
    hand = HAND_CODED if status == PROVED_HAND else ()
    steps.append(CompositionStep("clip the sum to the kernels' overlap", e7, e8, status, how,
                                 hand))
    if not same(e8, rhs):  # the chain must end at the statement's right side
        steps.append(_step("the statement", e8, rhs, False, "chain end differs"))
    return CompositionProof(lhs, rhs, claimed, tuple(steps), single)
