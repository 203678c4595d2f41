"""Why T looks the way it does: its Kronecker form and, with circular padding, its DFT.

Layer: core.  Two structure views of a derivation's layer matrix ``T``, both
built from the same per-axis index law as the tap table:

* :func:`kronecker_form` -- ``T = sum_k w[k] (E_k (x) S_{k_1} (x) ... (x) S_{k_N})``
  with ``S_j[o, i] = [i = s*o + d*j - p]`` per spatial axis (the selection
  matrix of kernel position ``j``) and ``E_k`` the channel block of the weight.
  A sum of Kronecker products of shifted selections is why 1-D convolution is
  Toeplitz and 2-D convolution is *doubly block Toeplitz*.
* :func:`diagonalize` -- with circular padding, stride 1 and an output the size
  of the input, ``T`` is (block) circulant and the DFT matrix diagonalises it:
  ``F T F^{-1} = diag(F c)``, ``c`` the first column of ``T`` (the convolution
  theorem).

Structure is NumPy (0/1 selection matrices); SymPy only for the symbolic sums.
The proofs that these identities hold live in ``checks/_structure_checks.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import sympy

from ..boundary._limits import DFT_LIMIT, KRONECKER_LIMIT
from ._taps import axis_law

if TYPE_CHECKING:
    from ..boundary._spec import ConvSpec
    from ._derivation import Derivation

# kronecker_form refuses above KRONECKER_LIMIT dense entries in all, diagonalize a DFT
# matrix above DFT_LIMIT entries (reasons: boundary._limits).


def selections(spec: ConvSpec, axis: int) -> np.ndarray:
    """The selection matrices of one spatial axis, indexed by weight position.

    ``S[k, o, i]`` counts the kernel positions with weight index ``k`` that take
    output ``o`` to input ``i`` along ``axis``: ``[i = s*o + d*j - p]`` with
    ``j = k`` (``K - 1 - k`` for a true convolution); circular, reflect and
    replicate padding map ``i`` back into ``0 .. n-1``, zero padding drops it.

    Examples
    --------
    >>> import symconv as sc
    >>> spec = sc.Conv1d(1, 1, 2, stride=2).derive(input_size=5).spec
    >>> selections(spec, 0)[1].tolist()
    [[0, 1, 0, 0, 0], [0, 0, 0, 1, 0]]
    """
    i, valid, kw = axis_law(spec, axis)
    n_out, k = i.shape
    s = np.zeros((k, n_out, spec.in_size[axis]), dtype=np.int64)
    o = np.broadcast_to(np.arange(n_out)[:, None], i.shape)
    kk = np.broadcast_to(kw[None, :], i.shape)
    np.add.at(s, (kk[valid], o[valid], i[valid]), 1)
    return s


@dataclass(frozen=True)
class KroneckerTerm:
    """One term ``w[index] * (E (x) S_1 (x) ... (x) S_N)`` of the Kronecker form.

    Attributes
    ----------
    index : tuple of int
        The weight's index (PyTorch's weight layout for layers).
    weight : sympy.Expr
        Its value in the derivation.
    factors : tuple of numpy.ndarray
        0/1 matrices whose Kronecker product is the term's pattern: the channel
        block ``E`` first (layers only), then one selection per spatial axis.
        For a transposed layer they are the forward convolution's, transposed.

    Examples
    --------
    >>> import symconv as sc
    >>> t = sc.kronecker_form(sc.Conv1d(1, 1, 2).derive(input_size=3)).terms[1]
    >>> t.index, t.weight, [f.tolist() for f in t.factors]
    ((0, 0, 1), w_0_0_1, [[[1]], [[0, 1, 0], [0, 0, 1]]])
    """

    index: tuple[int, ...]
    weight: sympy.Expr
    factors: tuple[np.ndarray, ...]

    def pattern(self) -> np.ndarray:
        """The dense 0/1 matrix ``E (x) S_1 (x) ... (x) S_N`` (``numpy.kron``)."""
        out = np.ones((1, 1), dtype=np.int64)
        for f in self.factors:
            out = np.kron(out, f)
        return out


@dataclass(frozen=True)
class KroneckerForm:
    """``T`` as a sum over weights of Kronecker products of selection matrices.

    Attributes
    ----------
    terms : tuple of KroneckerTerm
        One term per weight, in C order of the weight array.
    shape : tuple of int
        Shape of ``T``.
    axis_sizes : tuple of (int, int)
        ``(outputs, inputs)`` per Kronecker factor: the block partition of ``T``.

    Examples
    --------
    >>> import symconv as sc, sympy
    >>> d = sc.correlate(sympy.symarray("x", 4), sympy.symarray("w", 3))
    >>> kf = sc.kronecker_form(d)
    >>> kf.terms[1].weight, kf.terms[1].pattern().tolist()
    (w_1, [[0, 1, 0, 0], [0, 0, 1, 0]])
    >>> kf.matrix == d.matrix
    True
    """

    terms: tuple[KroneckerTerm, ...]
    shape: tuple[int, int]
    axis_sizes: tuple[tuple[int, int], ...]

    @property
    def matrix(self) -> sympy.ImmutableMatrix:
        """``sum_k w[k] * pattern_k`` as a SymPy matrix (equal to ``d.matrix``)."""
        rows: dict[tuple[int, int], list[sympy.Expr]] = {}
        for t in self.terms:
            for r, c in zip(*np.nonzero(t.pattern())):
                rows.setdefault((int(r), int(c)), []).append(t.weight)
        m = sympy.zeros(*self.shape)
        for (r, c), ws in rows.items():
            m[r, c] = sympy.Add(*ws)
        return sympy.ImmutableMatrix(m)

    def to_numpy(self) -> np.ndarray:
        """``sum_k w[k] * numpy.kron(...)`` with numeric weights, as a NumPy array."""
        try:
            values = [complex(t.weight) for t in self.terms]
        except TypeError:
            raise ValueError(
                "`to_numpy` needs numeric weights; this Kronecker form has symbolic ones "
                "(use `.matrix`)") from None
        dtype = complex if any(v.imag for v in values) else float
        out = np.zeros(self.shape, dtype=dtype)
        for v, t in zip(values, self.terms):
            out += (v if dtype is complex else v.real) * t.pattern()
        return out


def _require_derivation(d: object) -> None:
    """``TypeError`` naming ``d`` and its type unless it is a symconv Derivation."""
    from ._derivation import Derivation  # same layer; local: _derivation imports this module

    if not isinstance(d, Derivation):
        raise TypeError(f"`d` must be a symconv Derivation (from .derive() or sc.correlate), "
                        f"got {type(d).__name__}")


def kronecker_form(d: Derivation) -> KroneckerForm:
    """The layer matrix as ``T = sum_k w[k] (E_k (x) S_{k_1} (x) ... (x) S_{k_N})``.

    Parameters
    ----------
    d : Derivation
        Any derivation (signal, layer or transposed layer).

    Returns
    -------
    KroneckerForm

    Raises
    ------
    TypeError
        When ``d`` is not a symconv Derivation.
    ValueError
        When the dense terms would exceed ``KRONECKER_LIMIT`` entries in all.

    Notes
    -----
    Per spatial axis, ``S_j[o, i] = [i = s*o + d*j - p]`` (the tap law of one
    axis).  With C-order flattening over ``(channel, *spatial)`` the multi-index
    conditions multiply, and a product of conditions on separate index groups is
    a Kronecker product, so weight ``w[q, c, j_1, ..., j_N]`` occupies exactly
    ``E_{q,c} (x) S_{j_1} (x) ... (x) S_{j_N}`` (``E_{q,c}`` the unit matrix of
    the channel pair).  With stride 1 each ``S_j`` is a shifted identity, so
    every block is Toeplitz, and the blocks repeat along block diagonals: 2-D
    convolution is doubly block Toeplitz.  A transposed layer is the transpose
    of its forward convolution, so its terms are the transposed factors.

    Examples
    --------
    >>> import symconv as sc, numpy as np
    >>> d = sc.Conv2d(1, 1, 2, bias=False).derive(x=np.arange(9).reshape(1, 3, 3),
    ...                                           weight=[[[[1, 2], [3, 4]]]])
    >>> np.array_equal(sc.kronecker_form(d).to_numpy(), d.to_numpy())
    True
    """
    _require_derivation(d)
    s = d.spec
    n_rows = int(np.prod(s.output_shape))
    n_cols = int(np.prod(s.input_shape))
    n_w = int(np.prod(s.weight_shape))
    if n_w * n_rows * n_cols > KRONECKER_LIMIT:
        raise ValueError(
            f"`d` is too large for a dense Kronecker form: {n_w} weights x {n_rows} x "
            f"{n_cols} entries exceeds {KRONECKER_LIMIT:,}; use a smaller instance "
            "(the structure is the same for every size)"
        )
    sel = [selections(s, a) for a in range(s.ndim)]
    w = d.weight
    transpose = s.kind == "transpose"
    cin_g = s.in_channels // s.groups
    cout_g = s.out_channels // s.groups
    terms = []
    for idx in np.ndindex(*s.weight_shape):
        factors: list[np.ndarray] = []
        spatial = idx
        if s.has_channels:
            q, c, *rest = idx
            e = np.zeros((s.out_channels, s.in_channels), dtype=np.int64)
            e[q, (q // cout_g) * cin_g + c] = 1
            factors.append(e)
            spatial = tuple(rest)
        factors.extend(sel[a][j] for a, j in enumerate(spatial))
        if transpose:
            factors = [f.T.copy() for f in factors]
        terms.append(KroneckerTerm(tuple(int(v) for v in idx), w[idx], tuple(factors)))
    sizes = [(f.shape[0], f.shape[1]) for f in terms[0].factors]
    return KroneckerForm(tuple(terms), (n_rows, n_cols), tuple(sizes))


# ------------------------------------------------------------- circulant / DFT


@dataclass(frozen=True)
class Diagonalization:
    """``F T F^{-1} = diag(eigenvalues)`` for a (block) circulant layer matrix.

    Attributes
    ----------
    sizes : tuple of int
        The signal length per spatial axis; ``F`` is the Kronecker product of
        their DFT matrices ``F_n[a, b] = exp(-2 pi i a b / n)``.
    first_column : tuple of sympy.Expr
        ``c = T[:, 0]``; ``T[o, i] = c[(o - i) mod n]`` per axis.
    eigenvalues : tuple of sympy.Expr
        ``F c``: ``lambda_a = sum_r c[r] exp(-2 pi i <a, r / n>)``
        (``numpy.fft.fftn`` of ``c`` reshaped to ``sizes``, flattened).

    Examples
    --------
    >>> import symconv as sc, sympy
    >>> dg = sc.diagonalize(sc.convolve(sympy.symarray("x", 4), [1, 2, 0, 0],
    ...                                 mode="circular"))
    >>> dg.first_column
    (1, 2, 0, 0)
    >>> dg.eigenvalues
    (3, 1 - 2*I, -1, 1 + 2*I)
    >>> dg.dft
    Matrix([
    [1,  1,  1,  1],
    [1, -I, -1,  I],
    [1, -1,  1, -1],
    [1,  I, -1, -I]])
    """

    sizes: tuple[int, ...]
    first_column: tuple[sympy.Expr, ...]
    eigenvalues: tuple[sympy.Expr, ...]

    @property
    def order(self) -> int:
        """``N = lcm(sizes)``: every entry of ``F`` is a power of ``exp(-2 pi i / N)``."""
        return math.lcm(*self.sizes)

    def exponents(self) -> np.ndarray:
        """``E[a, b]`` with ``F[a, b] = exp(-2 pi i E[a, b] / N)`` (integers mod ``N``)."""
        n_total = self.order
        grids = [np.arange(n) for n in self.sizes]
        out = np.zeros((1, 1), dtype=np.int64)
        for n, g in zip(self.sizes, grids):
            e = (np.outer(g, g) % n) * (n_total // n)
            out = (out[:, None, :, None] + e[None, :, None, :]).reshape(
                out.shape[0] * n, out.shape[1] * n)
        return out % n_total

    @property
    def dft(self) -> sympy.ImmutableMatrix:
        """The (Kronecker) DFT matrix ``F`` with exact roots of unity."""
        n = self.order
        roots = [_root(e, n) for e in range(n)]
        e = self.exponents()
        return sympy.ImmutableMatrix(e.shape[0], e.shape[1],
                                     [roots[v] for v in e.reshape(-1).tolist()])

    @property
    def diagonal(self) -> sympy.ImmutableMatrix:
        """``diag(eigenvalues)``."""
        return sympy.ImmutableMatrix(sympy.diag(*self.eigenvalues))


def _root(e: int, n: int) -> sympy.Expr:
    """``exp(-2 pi i e / n)``, in radicals where SymPy evaluates it."""
    return sympy.exp(-2 * sympy.pi * sympy.I * sympy.Rational(e % n, n)).expand(complex=True)


def circulant_reason(spec: ConvSpec) -> str | None:
    """Why ``T`` of ``spec`` is not (block) circulant, or None when it is."""
    if spec.has_channels and (spec.in_channels != 1 or spec.out_channels != 1):
        return (f"one input and one output channel are needed, got in_channels="
                f"{spec.in_channels}, out_channels={spec.out_channels}")
    if spec.kind == "transpose":
        return "a transposed layer is not circulant here (it has no circular padding)"
    if spec.padding_mode != "circular":
        return f"circular padding is needed, got padding_mode={spec.padding_mode!r}"
    if any(v != 1 for v in spec.stride):
        return f"stride 1 is needed, got stride={spec.stride}"
    if spec.out_size != spec.in_size:
        return (f"the output must be the size of the input, got {spec.out_size} from "
                f"{spec.in_size}")
    return None


def diagonalize(d: Derivation) -> Diagonalization:
    """The DFT diagonalisation of a circulant layer matrix (the convolution theorem).

    Parameters
    ----------
    d : Derivation
        A convolution with circular padding (``mode="circular"`` or
        ``padding_mode="circular"``), stride 1, one channel, and an output the
        size of its input.

    Returns
    -------
    Diagonalization
        ``dft`` (``F``), ``eigenvalues`` (``F c``), ``first_column`` (``c``).

    Raises
    ------
    TypeError
        When ``d`` is not a symconv Derivation.
    ValueError
        When ``T`` is not circulant (the message says which condition fails),
        or ``F`` would have more than ``DFT_LIMIT`` entries.

    Notes
    -----
    ``T[o, i] = c[(o - i) mod n]``, so ``T = sum_r c[r] P^r`` with ``P`` the
    cyclic shift; ``F P F^{-1} = diag(exp(-2 pi i a / n))``, hence
    ``F T F^{-1} = diag(F c)``.  In N-D, ``T`` is block circulant with
    circulant blocks and ``F = F_{n_1} (x) ... (x) F_{n_N}``.  The identity is
    proved exactly (in the cyclotomic field) by
    ``symconv.checks._structure_checks.prove_diagonalization``.

    Examples
    --------
    >>> import symconv as sc, numpy as np
    >>> d = sc.convolve([1, 2, 3, 4], [1, 1, 0], mode="circular")
    >>> dg = sc.diagonalize(d)
    >>> np.allclose([complex(v) for v in dg.eigenvalues], np.fft.fft([1, 1, 0, 0]))
    True
    """
    _require_derivation(d)
    s = d.spec
    why = circulant_reason(s)
    if why is not None:
        raise ValueError(f"`d` has no circulant layer matrix: {why}")
    n_total = int(np.prod(s.in_size))
    if n_total * n_total > DFT_LIMIT:
        raise ValueError(
            f"`d` is too large for a symbolic DFT matrix: {n_total} x {n_total} entries "
            f"exceeds {DFT_LIMIT}; use a smaller instance"
        )
    t = d.matrix
    c = tuple(sympy.expand(t[r, 0]) for r in range(n_total))
    dg0 = Diagonalization(tuple(s.in_size), c, ())
    e = dg0.exponents()
    n = dg0.order
    roots = [_root(v, n) for v in range(n)]
    eig = tuple(
        sympy.expand(sympy.Add(*[roots[int(e[a, r])] * c[r] for r in range(n_total)]))
        for a in range(n_total)
    )
    return Diagonalization(tuple(s.in_size), c, eig)
