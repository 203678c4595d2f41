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
from sympy import Add, Symbol

from ..core._derivation import Derivation
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


def verify_gradient(gr: Gradient) -> Verification:
    """The exact proofs of :meth:`symconv.Gradient.verify` (see there)."""
    results = [_prove_matrix(gr), adjoint_identity(gr), _prove_ties(gr),
               _prove_positions(gr)]
    if gr.flat_bias is not None:
        results.append(_prove_bias(gr))
    return Verification(tuple(results))


def _prove_matrix(gr: Gradient) -> IdentityResult:
    d = gr.derivation
    gs = gr.flat_output
    by_col: list[list[tuple[Any, Any]]] = [[] for _ in range(d.taps.n_in)]
    for o, row in d.matrix_entries().items():
        for i, entry in row.items():
            by_col[i].append((entry, gs[o]))
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


def _prove_positions(gr: Gradient) -> IdentityResult:
    """Tie groups and structural zeros against T read back with symbolic weights."""
    d = gr.derivation
    ws = d.flat_weight
    symbolic = all(type(w) is Symbol for w in ws) and len(set(ws)) == len(ws)
    ref = d if symbolic else Derivation(d.spec)
    index = {w: k for k, w in enumerate(ref.flat_weight)}
    t = d.taps
    found: list[list[int]] = [[] for _ in range(t.n_weight)]
    empty = np.ones((t.n_out, t.n_in), dtype=bool)
    entries = 0
    statement = (
        "tie groups = positions of each weight in T; structural zeros = empty entries of T"
    )
    for o, row in ref.matrix_entries().items():
        for i, entry in row.items():
            empty[o, i] = False
            entries += 1
            for term in Add.make_args(entry):
                k = index.get(term)
                if k is None:  # not a single weight: T is not a sum of distinct weights
                    return StructureResult(
                        "positions", statement, False, t.n_weight, entries, "structure",
                        f"T[{o}, {i}] = {entry} is not a sum of distinct weights",
                    )
                found[k].append(o * t.n_in + i)
    for grp, pos in zip(gr.tie_groups(), found):
        mine = sorted((grp.rows * t.n_in + grp.cols).tolist())
        if mine != sorted(pos):
            return StructureResult(
                "positions", statement, False, t.n_weight, entries, "structure",
                f"weight {grp.index}: tie group at flat positions {mine} of T, "
                f"but T holds it at {sorted(pos)}",
            )
    ok = bool(np.array_equal(empty, gr.structural_zeros))
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
