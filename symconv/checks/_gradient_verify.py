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
from ._compare_arrays import IdTriples, compare_sums_fast, ids_of, sum_keys
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


Memo = dict[int, "IdTriples | None"]
Entries = tuple[np.ndarray, np.ndarray, "np.ndarray | None"]


@without_gc
def verify_gradient(gr: Gradient) -> Verification:
    """The exact proofs of :meth:`symconv.Gradient.verify` (see there).

    The sums are compared whole arrays at a time by the identities of their
    factors (:func:`symconv.checks._compare_arrays.compare_sums_fast`; anything else, or a
    mismatch, goes to the term-by-term :func:`compare_sums`).  Views read by two
    proofs are read once: the keys of ``dL/dx`` (T^T g, the transposed
    convolution) and ``dL/dw`` (tie groups, differentiation), and T's entries
    (T^T g, positions).
    """
    memo: Memo = {}
    entries = _entries(gr.derivation)
    results = [_prove_matrix(gr, memo, entries), adjoint_identity(gr, memo),
               _prove_ties(gr, memo), _prove_by_differentiation(gr, memo),
               _prove_positions(gr, entries)]
    if gr.flat_bias is not None:
        results.append(_prove_bias(gr))
    return Verification(tuple(results))


def _entries(d: Derivation) -> Entries:
    """T's non-zero entries read from :meth:`Derivation.matrix_entries`: row and column
    of each (NumPy arrays) and the ids of the entries (:func:`ids_of`: None unless every
    entry is a plain Symbol), in the same order."""
    rows: list[int] = []
    counts: list[int] = []
    cols: list[int] = []
    values: list[Any] = []
    for o, row in d.matrix_entries().items():
        rows.append(o)
        counts.append(len(row))
        cols.extend(row)
        values.extend(row.values())
    return (np.repeat(np.array(rows, dtype=np.int64), counts),
            np.array(cols, dtype=np.int64), ids_of(values))


def _with_distinct(labels: np.ndarray, p: np.ndarray | None, rows: Any,
                   q: np.ndarray | None, cols: Any) -> IdTriples | None:
    """``(labels, p[rows], q[cols])`` when both id arrays exist and no pair repeats a factor."""
    if p is None or q is None:
        return None
    pp, qq = p[rows], q[cols]
    return None if bool(np.any(pp == qq)) else (labels, pp, qq)


def _prove_matrix(gr: Gradient, memo: Memo | None = None,
                  entries: Entries | None = None) -> IdentityResult:
    d = gr.derivation
    gs = gr.flat_output

    def pairs() -> list[list[tuple[Any, Any]]]:
        by_col: list[list[tuple[Any, Any]]] = [[] for _ in range(d.taps.n_in)]
        for o, row in d.matrix_entries().items():
            g_o = gs[o]
            for i, entry in row.items():
                by_col[i].append((entry, g_o))
        return by_col

    def ids() -> IdTriples | None:  # T[o, i] * g[o], labelled by column i
        o, cols, values = entries if entries is not None else _entries(d)
        return _with_distinct(cols, values, slice(None), ids_of(gs), o)

    return compare_sums_fast("dL/dx = T^T g", gr.flat_input, pairs, ids, memo)


def _prove_ties(gr: Gradient, memo: Memo | None = None) -> IdentityResult:
    xs = gr.derivation.flat_input
    gs = gr.flat_output
    groups = gr.tie_groups()

    def pairs() -> list[list[tuple[Any, Any]]]:
        return [[(gs[r], xs[c]) for r, c in zip(grp.rows.tolist(), grp.cols.tolist())]
                for grp in groups]

    def ids() -> IdTriples | None:  # G[r, c] = g[r] * x[c], labelled by group
        if not groups:
            return None
        labels = np.repeat(np.arange(len(groups), dtype=np.int64),
                           [grp.rows.size for grp in groups])
        rows = np.concatenate([grp.rows for grp in groups]).astype(np.int64)
        cols = np.concatenate([grp.cols for grp in groups]).astype(np.int64)
        return _with_distinct(labels, ids_of(gs), rows, ids_of(xs), cols)

    return compare_sums_fast(
        "dL/dw[k] = sum of G = g x^T over the tie group of w[k]", gr.flat_weight,
        pairs, ids, memo)


def _reference(d: Derivation) -> Derivation:
    """``d`` itself when its input, weight and bias are distinct plain Symbols, else a
    fully symbolic derivation of the same spec."""
    plain = d.flat_input + d.flat_weight + (d.flat_bias or [])
    symbolic = all(type(v) is Symbol for v in plain) and len(set(plain)) == len(plain)
    return d if symbolic else Derivation(d.spec)


def _index_of(ids: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Position in ``ids`` of each key and whether it is there at all (by identity)."""
    order = np.argsort(ids)
    sorted_ids = ids[order]
    at = np.minimum(np.searchsorted(sorted_ids, keys), max(ids.size - 1, 0))
    if not ids.size:
        return at, np.zeros(keys.size, dtype=bool)
    return order[at], sorted_ids[at] == keys


def _prove_by_differentiation(gr: Gradient, memo: Memo | None = None) -> IdentityResult:
    """``dL/dw[k] = sum_o g[o] dy[o]/dw[k]``, the chain rule read off the forward sums.

    Independent of the gradient's tap grouping: the forward outputs of a fully
    symbolic derivation of the same spec (``d`` itself when its input and weight
    are distinct symbols, else a fresh one) are taken apart term by term
    (each ``c * w_k * x_i``, its coefficient ``c`` collecting taps that fold
    together), and the actual inputs and upstream gradient are put in.
    """
    d = gr.derivation
    ref = _reference(d)
    xs, gs = d.flat_input, gr.flat_output

    def ids() -> IdTriples | None:
        # Every term of every forward sum a product w_k * x_i of two factors (either
        # order), read by identity; then the pairs g[o] * x[i] labelled by k.
        terms = sum_keys(ref.flat_output)
        w_ids, x_ids = ids_of(ref.flat_weight), ids_of(ref.flat_input)
        if terms is None or w_ids is None or x_ids is None:
            return None
        o, a, b = terms
        k_a, a_is_w = _index_of(w_ids, a)
        i_b, b_is_x = _index_of(x_ids, b)
        k_b, b_is_w = _index_of(w_ids, b)
        i_a, a_is_x = _index_of(x_ids, a)
        first = a_is_w & b_is_x
        if not bool(np.all(first | (b_is_w & a_is_x))):
            return None
        k = np.where(first, k_a, k_b)
        i = np.where(first, i_b, i_a)
        return _with_distinct(k, ids_of(gs), o, ids_of(xs), i)

    return compare_sums_fast(
        "dL/dw[k] = sum over outputs of g[o] dy[o]/dw[k] (the forward sums, differentiated)",
        gr.flat_weight, lambda: _differentiated(gr, ref), ids, memo)


def _differentiated(gr: Gradient, ref: Derivation) -> list[list[tuple[Any, Any]]]:
    """The pairs of :func:`_prove_by_differentiation`, term by term (any coefficient)."""
    d = gr.derivation
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
    return rhs


def _prove_positions(gr: Gradient, shared: Entries | None = None) -> IdentityResult:
    """Tie groups and structural zeros against T read back with symbolic weights.

    ``shared``: T's entries of ``d`` already read (:func:`_entries`), used when ``d``'s
    weights are themselves distinct symbols."""
    d = gr.derivation
    ws = d.flat_weight
    symbolic = all(type(w) is Symbol for w in ws) and len(set(ws)) == len(ws)
    ref = d if symbolic else Derivation(d.spec)
    t = d.taps
    statement = (
        "tie groups = positions of each weight in T; structural zeros = empty entries of T"
    )
    n_in = t.n_in
    read = _single_weights(ref, shared if ref is d else None)
    if read is not None:  # every entry of T a single weight, found by identity
        mine_k, mine_at = read
        occupied = mine_at
        entries = mine_at.size
    else:
        walked = _walk_positions(ref, n_in, statement)
        if isinstance(walked, StructureResult):
            return walked
        ks, at, listed, entries = walked
        mine_k, mine_at = np.array(ks, dtype=np.int64), np.array(at, dtype=np.int64)
        occupied = np.array(listed, dtype=np.int64)
    # (weight, position) pairs of T against those of the tie groups, both sorted.
    groups = gr.tie_groups()  # in flat weight order
    theirs_k = np.concatenate([np.full(grp.rows.size, g_k, dtype=np.int64)
                               for g_k, grp in enumerate(groups)] or [np.zeros(0, np.int64)])
    theirs_at = np.concatenate([grp.rows.astype(np.int64) * n_in + grp.cols
                                for grp in groups] or [np.zeros(0, np.int64)])
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
    grouped = _distinct(theirs_at)
    ok = bool(np.array_equal(_distinct(occupied), grouped))
    if ok and t.n_out * t.n_in <= MASK_CHECK_LIMIT:
        empty = np.ones(t.n_out * t.n_in, dtype=bool)
        empty[occupied] = False
        ok = bool(np.array_equal(empty.reshape(t.n_out, t.n_in), gr.structural_zeros))
    note = None if ok else "structural_zeros differs from the empty entries of T"
    return StructureResult(
        "positions", statement, ok, t.n_out * t.n_in, entries, "structure", note
    )


def _distinct(a: np.ndarray) -> np.ndarray:
    """The sorted distinct values of ``a`` (``np.unique`` by sorting, which is faster than
    NumPy 2's hash-based unique on these position arrays)."""
    s = np.sort(a)
    return s[np.concatenate(([True], s[1:] != s[:-1]))] if s.size else s


def _single_weights(ref: Derivation, shared: Entries | None
                    ) -> tuple[np.ndarray, np.ndarray] | None:
    """Weight index and flat position of every entry of ``ref``'s T when every entry is
    one of its weights (by identity, NumPy at once); else None."""
    o, cols, e_ids = shared if shared is not None else _entries(ref)
    w_ids = ids_of(ref.flat_weight)
    if w_ids is None or e_ids is None:
        return None
    k, found = _index_of(w_ids, e_ids)
    if not bool(np.all(found)):
        return None
    return k.astype(np.int64), o * ref.taps.n_in + cols


def _walk_positions(ref: Derivation, n_in: int, statement: str
                    ) -> tuple[list[int], list[int], list[int], int] | StructureResult:
    """:func:`_prove_positions`' reading of T entry by entry, any sum of distinct weights."""
    index = {w: k for k, w in enumerate(ref.flat_weight)}
    by_id = {id(w): k for w, k in index.items()}  # identity first (see above), then equality
    ks: list[int] = []  # weight of each (entry, weight) occurrence in T ...
    at: list[int] = []  # ... and the entry's flat position
    occupied: list[int] = []
    entries = 0
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
                        "positions", statement, False, ref.taps.n_weight, entries,
                        "structure", f"T[{o}, {i}] = {entry} is not a sum of distinct weights",
                    )
                ks.append(k)
                at.append(base + i)
    return ks, at, occupied, entries


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
