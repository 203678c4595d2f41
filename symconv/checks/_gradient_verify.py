"""Exact proofs and numeric checks of the backward pass (layer: checks).

:meth:`symconv.Gradient.verify` and :meth:`symconv.Gradient.check` delegate here:
the gradient view (layer backward) holds the values, this module proves and checks
them.  Every read of the gradient and its derivation goes through their public read
interface (``flat_input``, ``matrix_entries``...).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy
from sympy import Add, Mul, Symbol

from ..boundary._limits import MASK_CHECK_LIMIT
from ..core._derivation import Derivation
from ..core._gc import without_gc
from ._gradient_checks import adjoint_identity, references
from ._numeric import CheckReport, Reference, each_trial, run_check
from ._verify import IdentityResult, Verification, compare_sums

if TYPE_CHECKING:
    from ..backward._gradients import Gradient


@dataclass(frozen=True)
class StructureResult(IdentityResult):
    """An identity about positions (not values): ``outputs`` counts entries of T,
    ``monomials`` the weight occurrences compared."""

    def __str__(self) -> str:
        mark = "holds" if self.holds else "FAILS"
        line = (
            f"{self.statement}: {mark} ({self.outputs:,} entries of T, "
            f"{self.monomials:,} weight positions compared)"
        )
        return line if self.counterexample is None else f"{line}; {self.counterexample}"


# The dense structural-zero mask is compared up to MASK_CHECK_LIMIT entries (_limits).


@without_gc
def verify_gradient(gr: Gradient) -> Verification:
    """The exact proofs of :meth:`symconv.Gradient.verify` (see there)."""
    results = [_prove_matrix(gr), adjoint_identity(gr), _prove_ties(gr),
               _prove_by_differentiation(gr), _prove_positions(gr)]
    if gr.flat_bias is not None:
        results.append(_prove_bias(gr))
    return Verification(tuple(results))


def _prove_matrix(gr: Gradient) -> IdentityResult:
    d = gr.derivation
    gs = gr.flat_output
    by_col: list[list[tuple[Any, Any]]] = [[] for _ in range(d.taps.n_in)]
    for o, row in d.matrix_entries().items():
        g_o = gs[o]
        for i, entry in row.items():
            by_col[i].append((entry, g_o))
    return compare_sums("dL/dx = T^T g", gr.flat_input, by_col)


def _prove_ties(gr: Gradient) -> IdentityResult:
    xs = gr.derivation.flat_input
    gs = gr.flat_output
    rhs = [
        [(gs[r], xs[c]) for r, c in zip(grp.rows.tolist(), grp.cols.tolist())]
        for grp in gr.tie_groups()
    ]
    return compare_sums(
        "dL/dw[k] = sum of G = g x^T over the tie group of w[k]", gr.flat_weight, rhs
    )


def _prove_by_differentiation(gr: Gradient) -> IdentityResult:
    """``dL/dw[k] = sum_o g[o] dy[o]/dw[k]``, the chain rule read off the forward sums.

    Independent of the gradient's tap grouping: the forward outputs of a fully
    symbolic derivation of the same spec (``d`` itself when its input and weight
    are distinct symbols, else a fresh one) are taken apart term by term
    (each ``c * w_k * x_i``, its coefficient ``c`` collecting taps that fold
    together), and the actual inputs and upstream gradient are put in.
    """
    d = gr.derivation
    plain = d.flat_input + d.flat_weight + (d.flat_bias or [])
    symbolic = all(type(v) is Symbol for v in plain) and len(set(plain)) == len(plain)
    ref = d if symbolic else Derivation(d.spec)  # d itself when already all symbols
    w_index = {w: k for k, w in enumerate(ref.flat_weight)}
    x_index = {x: i for i, x in enumerate(ref.flat_input)}
    # The common case looks factors up by identity (SymPy caches Symbols: equal Symbols
    # are one object), which skips SymPy's Python-level hashing; a miss falls through
    # to the lookup by equality below.
    w_id = {id(w): k for w, k in w_index.items()}
    x_id = {id(x): i for x, i in x_index.items()}
    xs, gs = d.flat_input, gr.flat_output
    rhs: list[list[tuple[Any, Any]]] = [[] for _ in range(len(w_index))]
    for o, y in enumerate(ref.flat_output):
        g_o = gs[o]
        for term in (y.args if type(y) is Add else (y,)):
            args = term.args
            if type(term) is Mul and len(args) == 2:  # w*x: the common case, no coefficient
                a, b = args
                k, i = w_id.get(id(a)), x_id.get(id(b))
                if k is None:
                    k, i = w_id.get(id(b)), x_id.get(id(a))
                if k is not None and i is not None:
                    rhs[k].append((g_o, xs[i]))
                    continue
            c, factors = term.as_coeff_mul()
            ks = [w_index[f] for f in factors if f in w_index]
            is_ = [x_index[f] for f in factors if f in x_index]
            if len(ks) == 1 and len(is_) == 1 and len(factors) == 2:
                rhs[ks[0]].append((g_o if c == 1 else c * g_o, xs[is_[0]]))
    return compare_sums("dL/dw[k] = sum over outputs of g[o] dy[o]/dw[k] (the forward sums, "
                        "differentiated)", gr.flat_weight, rhs)


def _prove_positions(gr: Gradient) -> IdentityResult:
    """Tie groups and structural zeros against T read back with symbolic weights."""
    d = gr.derivation
    ws = d.flat_weight
    symbolic = all(type(w) is Symbol for w in ws) and len(set(ws)) == len(ws)
    ref = d if symbolic else Derivation(d.spec)
    index = {w: k for k, w in enumerate(ref.flat_weight)}
    by_id = {id(w): k for w, k in index.items()}  # identity first (see above), then equality
    t = d.taps
    ks: list[int] = []  # weight of each (entry, weight) occurrence in T ...
    at: list[int] = []  # ... and the entry's flat position
    occupied: list[int] = []
    entries = 0
    statement = (
        "tie groups = positions of each weight in T; structural zeros = empty entries of T"
    )
    n_in = t.n_in
    for o, row in ref.matrix_entries().items():
        base = o * n_in
        for i, entry in row.items():
            occupied.append(base + i)
            entries += 1
            k = by_id.get(id(entry))
            if k is not None:  # a single weight: the common case
                ks.append(k)
                at.append(base + i)
                continue
            for term in Add.make_args(entry):
                k = index.get(term)
                if k is None:  # not a single weight: T is not a sum of distinct weights
                    return StructureResult(
                        "positions", statement, False, t.n_weight, entries, "structure",
                        f"T[{o}, {i}] = {entry} is not a sum of distinct weights",
                    )
                ks.append(k)
                at.append(base + i)
    # (weight, position) pairs of T against those of the tie groups, both sorted.
    groups = gr.tie_groups()  # in flat weight order
    theirs_k = np.concatenate([np.full(grp.rows.size, g_k, dtype=np.int64)
                               for g_k, grp in enumerate(groups)] or [np.zeros(0, np.int64)])
    theirs_at = np.concatenate([grp.rows.astype(np.int64) * n_in + grp.cols
                                for grp in groups] or [np.zeros(0, np.int64)])
    mine_k, mine_at = np.array(ks, dtype=np.int64), np.array(at, dtype=np.int64)
    a, b = np.lexsort((mine_at, mine_k)), np.lexsort((theirs_at, theirs_k))
    if not (mine_k.size == theirs_k.size and np.array_equal(mine_k[a], theirs_k[b])
            and np.array_equal(mine_at[a], theirs_at[b])):
        for g_k, grp in enumerate(groups):  # name the first weight that differs
            mine = sorted((grp.rows * t.n_in + grp.cols).tolist())
            pos = sorted(mine_at[mine_k == g_k].tolist())
            if mine != pos:
                return StructureResult(
                    "positions", statement, False, t.n_weight, entries, "structure",
                    f"weight {grp.index}: tie group at flat positions {mine} of T, "
                    f"but T holds it at {pos}",
                )
        return StructureResult("positions", statement, False, t.n_weight, entries,
                               "structure", "T's weight positions differ from the tie groups")
    # Structural zeros: the complement of the occupied entries, compared as sorted flat
    # positions (no dense n_out x n_in mask); the mask itself too when it is small.
    grouped = np.unique(theirs_at)
    ok = bool(np.array_equal(np.unique(np.array(occupied, dtype=np.int64)), grouped))
    if ok and t.n_out * t.n_in <= MASK_CHECK_LIMIT:
        empty = np.ones(t.n_out * t.n_in, dtype=bool)
        empty[occupied] = False
        ok = bool(np.array_equal(empty.reshape(t.n_out, t.n_in), gr.structural_zeros))
    note = None if ok else "structural_zeros differs from the empty entries of T"
    return StructureResult(
        "positions", statement, ok, t.n_out * t.n_in, entries, "structure", note
    )


def _prove_bias(gr: Gradient) -> IdentityResult:
    g = gr.output_values
    rhs = [[(v, sympy.S.One) for v in row] for row in g.reshape(g.shape[0], -1).tolist()]
    assert gr.flat_bias is not None
    return compare_sums("dL/db[c] = sum of g over channel c", gr.flat_bias, rhs)


def check_gradient(gr: Gradient, trials: int = 3, seed: int = 0) -> CheckReport:
    """The numeric checks of :meth:`symconv.Gradient.check` (see there), through the
    one check driver :func:`symconv.checks._numeric.run_check`."""
    d = gr.derivation
    bias = d.flat_bias
    names = ["dL/dx", "dL/dw"] + (["dL/db"] if gr.flat_bias is not None else [])

    def views(ops: list[np.ndarray], der: list[np.ndarray]) -> dict[str, np.ndarray]:
        return dict(zip(names, der))

    def refs(notes: list[str], complex_data: bool) -> list[tuple[str, Reference]]:
        shapes = [(len(d.flat_input),), (len(d.flat_weight),),
                  None if bias is None else (len(bias),), (len(gr.flat_output),)]
        return [(name, each_trial(fn, shapes))
                for name, fn in references(d, notes, complex_data)]

    return run_check(
        [d.flat_input, d.flat_weight, bias or [], gr.flat_output],
        [gr.flat_input, gr.flat_weight, gr.flat_bias or []][:len(names)],
        views, refs, trials, seed)
