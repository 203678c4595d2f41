"""Numeric matrices of a convolution, straight from the tap table (no SymPy; layer: core).

``T`` (the layer matrix) and ``P`` (the im2col matrix) of numeric weights or
inputs, as a ``scipy.sparse`` CSR array or a dense NumPy array.  The tap table
already lists the non-zeros row by row, so the CSR arrays are its columns plus
one gather of the values: ``indptr = starts``, ``indices = i`` (or ``k``),
``data = w[k]`` (or ``x[i]``).  Folded entries (several taps on one entry, from
reflect/replicate/circular padding) are summed by SciPy's ``sum_duplicates``.
This is the path for layers far too large to print (``SYMBOLIC_LIMIT``).
"""

from __future__ import annotations

import math
import numbers
from typing import TYPE_CHECKING, Literal

import numpy as np

from ..boundary._limits import EXPORT_DENSE_LIMIT as DENSE_LIMIT
from ..boundary._spec import check_choice

if TYPE_CHECKING:
    import scipy.sparse

    from ._derivation import Derivation

Which = Literal["matrix", "patches"]
WHICH: tuple[str, ...] = ("matrix", "patches")



def to_scipy(d: Derivation, which: Which = "matrix") -> scipy.sparse.csr_array:
    """The numeric layer matrix T (or patch matrix P) as a ``scipy.sparse`` CSR array.

    Parameters
    ----------
    d : Derivation
        A derivation whose weight (for T) or input (for P) is numeric.
    which : {"matrix", "patches"}
        ``"matrix"``: T with ``vec(y) = T vec(x) + b``, data = weight values;
        ``"patches"``: P with ``vec(y) = P vec(w) + b``, data = input values.

    Returns
    -------
    scipy.sparse.csr_array
        Shape ``(outputs, inputs)`` for T, ``(outputs, weights)`` for P, in
        canonical format (sorted indices, no duplicates).  Its stored entries
        are the structural non-zeros (``d.stats().nonzeros`` of them for T),
        kept even where the numeric value is 0.  dtype: ``int64`` for integer
        values, ``complex128`` for complex ones, ``float64`` otherwise.

    Raises
    ------
    ValueError
        If ``which`` is unknown, or the values it needs hold symbols.

    Notes
    -----
    ``T[o, i] = sum of w[k]`` and ``P[o, k] = sum of x[i]`` over the taps
    ``(o, i, k)``.  No SymPy object is created: the values are read from the
    arrays the derivation was given, so this scales to layers with tens of
    millions of products.

    Examples
    --------
    >>> import numpy as np, symconv as sc
    >>> T = sc.correlate([1, 2, 3, 4], [5, 6, 7]).to_scipy()
    >>> T.toarray()
    array([[5, 6, 7, 0],
           [0, 5, 6, 7]])
    >>> (T @ np.array([1, 2, 3, 4])).tolist() == np.correlate([1, 2, 3, 4], [5, 6, 7]).tolist()
    True
    """
    check_choice("which", which, WHICH)
    values = _numeric(d, "w" if which == "matrix" else "x")  # refusals before the table
    t = d.taps
    if which == "matrix":
        gather, columns, n_cols = t.k, t.i, t.n_in
    else:
        gather, columns, n_cols = t.i, t.k, t.n_weight
    n_rows = t.n_out
    idx = np.int32 if max(n_rows, n_cols, len(t)) < 2**31 else np.int64
    data = _gather(values.reshape(-1), gather)
    indices = columns.astype(idx)  # the table's narrow dtype widened once, into the result
    import scipy.sparse  # imported when used: `import symconv` stays light

    m = scipy.sparse.csr_array((data, indices, t.starts.astype(idx)), shape=(n_rows, n_cols))
    m.sum_duplicates()  # a no-op check for zero padding; sorts and sums folded entries
    return m


def _gather(values: np.ndarray, index: np.ndarray, chunk: int = 1 << 22) -> np.ndarray:
    """``values[index]`` written chunk by chunk into the result.

    NumPy widens a narrow (uint16/uint32) index array to ``intp`` before fancy
    indexing: for a 36-million-tap table that is a 290 MB temporary beside the
    result.  Chunks keep it at 32 MB.

    Examples
    --------
    >>> _gather(np.array([5, 6, 7]), np.array([2, 0, 1, 2], dtype=np.uint16), chunk=3).tolist()
    [7, 5, 6, 7]
    """
    out = np.empty(index.size, dtype=values.dtype)
    for start in range(0, index.size, chunk):
        out[start:start + chunk] = values[index[start:start + chunk]]
    return out


def to_numpy(d: Derivation, which: Which = "matrix") -> np.ndarray:
    """The numeric layer matrix T (or patch matrix P) as a dense NumPy array.

    Parameters
    ----------
    d : Derivation
        A derivation whose weight (for T) or input (for P) is numeric.
    which : {"matrix", "patches"}
        As for :func:`to_scipy`.

    Returns
    -------
    numpy.ndarray
        The dense matrix, dtype as for :func:`to_scipy`.

    Raises
    ------
    ValueError
        If ``which`` is unknown, the values it needs hold symbols, or the matrix
        would have more than ``DENSE_LIMIT`` (2**28) entries -- use
        :func:`to_scipy` for those.

    Examples
    --------
    >>> import symconv as sc
    >>> sc.convolve([1, 2, 3, 4], [5, 6, 7], mode="same").to_numpy()
    array([[6, 5, 0, 0],
           [7, 6, 5, 0],
           [0, 7, 6, 5],
           [0, 0, 7, 6]])
    >>> sc.correlate([1, 2, 3, 4], [5, 6, 7]).to_numpy("patches")
    array([[1, 2, 3],
           [2, 3, 4]])
    """
    check_choice("which", which, WHICH)
    s = d.spec  # sizes from the spec: the refusal comes before any table is built
    n_out = math.prod(s.output_shape)
    n_cols = math.prod(s.input_shape if which == "matrix" else s.weight_shape)
    if n_out * n_cols > DENSE_LIMIT:
        name = "T" if which == "matrix" else "P"
        raise ValueError(
            f"the dense {name} of this convolution would have {n_out:,} x {n_cols:,} = "
            f"{n_out * n_cols:,} entries (limit {DENSE_LIMIT:,}); use "
            f"to_scipy({which!r}) for a sparse array with only its non-zeros"
        )
    return to_scipy(d, which).toarray()


def _numeric(d: Derivation, which: Literal["x", "w"]) -> np.ndarray:
    """The raw input or weight as an int64, float64 or complex128 array, or raise."""
    spec = d.spec
    name = {"x": "x", "w": "w" if spec.kind == "signal" else "weight"}[which]
    shape = spec.input_shape if which == "x" else spec.weight_shape
    view, letter = ("matrix", "T") if which == "w" else ("patches", "P")
    raw = d.given(which)
    if raw is None:
        first = which + "".join("_0" for _ in shape)
        raise ValueError(
            f"`{name}` holds symbols ({first}...) -- give numeric {_plural(name)}, or use "
            f"d.{view} for the symbolic {letter}"
        )
    arr = np.asarray(raw)
    if arr.dtype.kind in "iub":
        return arr.astype(np.int64, copy=False)
    if arr.dtype.kind == "f":
        return arr.astype(np.float64, copy=False)
    if arr.dtype.kind == "c":
        return arr.astype(np.complex128, copy=False)
    return _from_objects(name, view, letter, arr)


def _from_objects(name: str, view: str, letter: str, arr: np.ndarray) -> np.ndarray:
    """SymPy numbers (already built by the user) to NumPy; symbols are refused."""
    flat = arr.reshape(-1).tolist()
    for v in flat:
        if not getattr(v, "is_number", isinstance(v, numbers.Number)):
            raise ValueError(
                f"`{name}` holds symbols ({v}...) -- give numeric {_plural(name)}, or use "
                f"d.{view} for the symbolic {letter}"
            )
    if all(getattr(v, "is_Integer", isinstance(v, numbers.Integral)) for v in flat):
        ints = [int(v) for v in flat]
        big = next((v for v in ints if not -(2**63) <= v < 2**63), None)
        if big is not None:
            raise ValueError(
                f"`{name}` holds the integer {big}, outside int64 (-2**63 <= v < 2**63): the "
                f"numeric {letter} stores machine integers; use d.{view} for exact values, or "
                "give floats"
            )
        return np.array(ints, dtype=np.int64).reshape(arr.shape)
    if all(getattr(v, "is_real", isinstance(v, numbers.Real)) for v in flat):
        return np.array([float(v) for v in flat], dtype=np.float64).reshape(arr.shape)
    return np.array([complex(v) for v in flat], dtype=np.complex128).reshape(arr.shape)


def _plural(name: str) -> str:
    return {"x": "inputs", "w": "weights", "weight": "weights"}[name]
