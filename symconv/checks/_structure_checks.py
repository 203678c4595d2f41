"""Proofs of the structure views: Kronecker form, DFT diagonalisation, stretched convolutions.

Layer: checks.  Each function checks one identity of ``core/_structure.py`` or
``core/_stretch.py`` for one derivation, exactly, and returns a
:class:`StructureCheck` that is truthy only when it holds:

* :func:`check_kronecker` -- ``T == sum_k w[k] (E (x) S ... (x) S)`` entry by
  entry (``sympy.expand`` of every difference is 0).
* :func:`prove_diagonalization` -- ``F T = diag(F c) F`` and ``F conj(F)^T = n I``
  in the cyclotomic field ``Q(zeta_N)``: every entry is an integer polynomial in
  ``zeta = exp(-2 pi i / N)``, reduced modulo the cyclotomic polynomial
  ``Phi_N`` (its minimal polynomial), which is zero exactly when the complex
  number is.  By linearity it suffices to do this for each weight's 0/1
  pattern, so symbolic weights are covered too.
* :func:`check_equivalent` -- the original output equals the equivalent
  convolution's output read through its window (``expand`` of every difference).

A failure is reported (falsy, with the first offending entry), never raised:
these are instance checks that a caller counts and cites.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import sympy

from ..core._structure import Diagonalization, KroneckerForm, kronecker_form

if TYPE_CHECKING:
    from ..core._derivation import Derivation
    from ..core._stretch import Equivalent


@dataclass(frozen=True)
class StructureCheck:
    """The outcome of one exact structure check.

    Attributes
    ----------
    statement : str
        What was checked, in words.
    method : str
        How (which exact arithmetic).
    compared : int
        Number of entries (or polynomial coefficients) compared.
    failure : str or None
        The first entry that disagrees; None when the identity holds.

    Examples
    --------
    >>> import symconv as sc
    >>> from symconv.checks._structure_checks import check_kronecker
    >>> r = check_kronecker(sc.correlate([1, 2, 3, 4], [5, 6, 7]))
    >>> bool(r), r.compared
    (True, 8)
    """

    statement: str
    method: str
    compared: int
    failure: str | None = None

    def __bool__(self) -> bool:
        return self.failure is None

    def __str__(self) -> str:
        verdict = "holds" if self else f"FAILS: {self.failure}"
        return f"{self.statement}: {verdict} ({self.method}; {self.compared} compared)"


def _first_difference(left: list[sympy.Expr], right: list[sympy.Expr], names: list[str]
                      ) -> str | None:
    for a, b, name in zip(left, right, names):
        if a != b and sympy.expand(a - b) != 0:
            return f"{name}: {a} != {b}"
    if len(left) != len(right):
        return f"{len(left)} entries on the left, {len(right)} on the right"
    return None


def check_kronecker(d: Derivation, form: KroneckerForm | None = None) -> StructureCheck:
    """``T = sum_k w[k] (E_k (x) S_{k_1} (x) ... (x) S_{k_N})``, entry by entry."""
    kf = kronecker_form(d) if form is None else form
    t, m = d.matrix, kf.matrix
    rows, cols = t.shape
    names = [f"T[{r}, {c}]" for r in range(rows) for c in range(cols)]
    left = [t[r, c] for r in range(rows) for c in range(cols)]
    right = [m[r, c] for r in range(rows) for c in range(cols)] if m.shape == t.shape else []
    return StructureCheck(
        "T = sum_k w_k (E_k (x) S_k1 (x) ... (x) S_kN)",
        "exact: sympy.expand of every entry's difference",
        len(left), _first_difference(left, right, names),
    )


def cyclotomic(n: int) -> np.ndarray:
    """Integer coefficients of the cyclotomic polynomial ``Phi_n``, lowest degree first."""
    z = sympy.Symbol("zeta")
    coeffs = sympy.Poly(sympy.cyclotomic_poly(n, z), z).all_coeffs()[::-1]
    return np.array([int(c) for c in coeffs], dtype=np.int64)


def reduce_cyclotomic(coeffs: np.ndarray, n: int) -> np.ndarray:
    """Remainders modulo ``Phi_n`` of integer polynomials in ``zeta`` (last axis = degree).

    ``Phi_n`` is monic, so the division stays in the integers: the result is
    exact, and it is all zero exactly when the polynomial vanishes at a
    primitive ``n``-th root of unity.
    """
    phi = cyclotomic(n)
    deg = phi.size - 1
    r = coeffs.astype(np.int64).copy()
    for top in range(r.shape[-1] - 1, deg - 1, -1):
        lead = r[..., top].copy()
        if np.any(lead):
            r[..., top - deg: top + 1] -= lead[..., None] * phi
    return r[..., :deg]


def _poly(a_idx: np.ndarray, e_idx: np.ndarray, expo: np.ndarray, weight: np.ndarray,
          size: int, n: int) -> np.ndarray:
    """Sum ``weight * zeta^expo`` into entry ``(a, e)``: coefficient arrays ``(size, size, n)``."""
    out = np.zeros((size, size, n), dtype=np.int64)
    np.add.at(out, (a_idx, e_idx, expo % n), weight)
    return out


def prove_diagonalization(d: Derivation, dg: Diagonalization) -> StructureCheck:
    """``F T F^{-1} = diag(F c)``, exactly in ``Q(zeta_N)`` (see the module notes).

    Proved as ``F M_k = diag(F M_k[:, 0]) F`` for every weight's 0/1 pattern
    ``M_k`` (``T = sum_k w_k M_k``, checked too) and ``F conj(F)^T = n I``
    (so ``F`` is invertible with ``F^{-1} = conj(F)^T / n``).
    """
    kf = kronecker_form(d)
    kron = check_kronecker(d, kf)
    statement = "F T F^-1 = diag(F c) with F the DFT matrix (exact in Q(zeta_N))"
    method = "integer polynomials in zeta reduced modulo the cyclotomic polynomial"
    if not kron:
        return StructureCheck(statement, method, kron.compared, kron.failure)
    e = dg.exponents()
    n, size = dg.order, e.shape[0]
    compared = 0
    grid_a, grid_b = np.meshgrid(np.arange(size), np.arange(size), indexing="ij")
    # F conj(F)^T: entry (a, c) = sum_b zeta^(E[a, b] - E[c, b]); must be size * [a = c].
    a3, c3, b3 = np.meshgrid(np.arange(size), np.arange(size), np.arange(size), indexing="ij")
    gram = _poly(a3.ravel(), c3.ravel(), (e[a3, b3] - e[c3, b3]).ravel(),
                 np.ones(a3.size, dtype=np.int64), size, n)
    gram[np.arange(size), np.arange(size), 0] -= size
    rem = reduce_cyclotomic(gram, n)
    compared += rem.size
    if np.any(rem):
        a, c = map(int, np.argwhere(rem.any(axis=-1))[0])
        return StructureCheck(statement, method, compared, f"(F F^H)[{a}, {c}] != n [a = c]")
    for t in kf.terms:
        m = t.pattern()
        rb, ce = np.nonzero(m)
        # (F M)[a, e] = sum_b zeta^E[a, b] M[b, e]
        aa = np.repeat(np.arange(size), rb.size)
        left = _poly(aa, np.tile(ce, size), e[aa, np.tile(rb, size)],
                     np.tile(m[rb, ce], size), size, n)
        # (diag(F m0) F)[a, e] = sum_r zeta^(E[a, r] + E[a, e]) M[r, 0]
        r0 = np.nonzero(m[:, 0])[0]
        a4 = np.repeat(grid_a.ravel(), r0.size)
        e4 = np.repeat(grid_b.ravel(), r0.size)
        r4 = np.tile(r0, size * size)
        right = _poly(a4, e4, e[a4, r4] + e[a4, e4], m[r4, 0], size, n)
        rem = reduce_cyclotomic(left - right, n)
        compared += rem.size
        if np.any(rem):
            a, c = map(int, np.argwhere(rem.any(axis=-1))[0])
            return StructureCheck(statement, method, compared,
                                  f"weight {t.index}: (F M)[{a}, {c}] != (diag(F m) F)[{a}, {c}]")
    # The eigenvalues the view reports are F c, entry by entry.
    f = dg.dft
    c = sympy.Matrix(dg.first_column)
    fc = [sympy.expand(v) for v in f * c]
    bad = _first_difference(fc, list(dg.eigenvalues),
                            [f"eigenvalue {a}" for a in range(size)])
    compared += size
    return StructureCheck(statement, method, compared, bad)


def check_equivalent(d: Derivation, e: Equivalent) -> StructureCheck:
    """``d.output == e.derivation.output[e.window]``, entry by entry, exactly."""
    left = list(sympy.flatten(d.output))
    right_arr = e.output
    right = list(sympy.flatten(right_arr)) if right_arr.shape == d.output.shape else []
    names = [f"y[{'/'.join(map(str, idx))}]" for idx in np.ndindex(*d.output.shape)]
    what = {"stretched_input": "transposed conv = direct conv of the zero-stretched input",
            "subsampled": "strided conv = stride-1 conv read every s-th output",
            "stretched_kernel": "dilated conv = conv with the zero-stretched kernel"}[e.kind]
    return StructureCheck(what, "exact: sympy.expand of every output's difference",
                          len(left), _first_difference(left, right, names))
