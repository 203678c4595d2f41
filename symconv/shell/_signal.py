"""Signal-processing style: `convolve` and `correlate` with NumPy/SciPy semantics.

Layer: shell.
"""

from __future__ import annotations

from ..boundary._spec import Mode, signal_spec
from ..boundary._values import to_array
from ..core._derivation import Derivation
from ..core._general_build import derive_signal, is_indexed


def convolve(x: object, w: object, mode: Mode = "full") -> Derivation:
    """True convolution of ``x`` with ``w`` (kernel flipped), any number of dimensions.

    Parameters
    ----------
    x, w : array_like
        Nested lists, NumPy arrays (numbers or SymPy objects) or SymPy Arrays,
        with the same number of dimensions; numbers, symbols or a mix.
    mode : {"full", "valid", "same"}
        As ``scipy.signal.convolve``: ``full`` has ``n + K - 1`` entries per axis,
        ``valid`` only the positions where the arrays overlap completely
        (``|n - K| + 1``), ``same`` the ``n`` central ones of ``full``, starting at
        ``(K - 1) // 2``.  The default is NumPy's, ``"full"``.

    Returns
    -------
    Derivation

    Raises
    ------
    ValueError
        Unknown ``mode``, empty or 0-d arrays, different numbers of dimensions,
        or ``valid`` with neither array at least as large as the other in every axis.
    TypeError
        Text or other non-numeric entries.

    Notes
    -----
    ``y[m] = sum_k x[m - k] w[k]`` over the ``k`` where ``0 <= m - k < n`` (per
    axis, ``m`` indexing the full result).  Convolution is correlation with the
    kernel reversed in every axis.

    Examples
    --------
    >>> import symconv as sc, sympy
    >>> sc.convolve([1, 2, 3, 4], [5, 6, 7]).output
    [5, 16, 34, 52, 45, 28]
    >>> d = sc.convolve(sympy.symarray("x", 3), sympy.symarray("w", 2))
    >>> d.output
    [w_0*x_0, w_0*x_1 + w_1*x_0, w_0*x_2 + w_1*x_1, w_1*x_2]

    The layer matrix reproduces NumPy, in every mode:

    >>> import numpy as np
    >>> x, w = np.array([1, 2, 3, 4]), np.array([5, 6, 7])
    >>> T = sc.convolve(x, w, mode="same").matrix
    >>> T
    Matrix([
    [6, 5, 0, 0],
    [7, 6, 5, 0],
    [0, 7, 6, 5],
    [0, 0, 7, 6]])
    >>> list(T * sympy.Matrix(x)) == np.convolve(x, w, mode="same").tolist()
    True
    """
    return _signal("convolve", x, w, mode)


def correlate(x: object, w: object, mode: Mode = "valid") -> Derivation:
    """Cross-correlation of ``x`` with ``w`` (no flip, no conjugation), any dimensions.

    Parameters
    ----------
    x, w : array_like
        As for :func:`convolve`.
    mode : {"full", "valid", "same"}
        As ``scipy.signal.correlate``; the default is NumPy's, ``"valid"``.

    Returns
    -------
    Derivation

    Raises
    ------
    ValueError, TypeError
        As for :func:`convolve`.

    Notes
    -----
    ``y[m] = sum_k x[m - (K - 1) + k] w[k]`` over the ``k`` where the input index
    lies in ``[0, n)`` (per axis, ``m`` indexing the full result).  This is what
    deep-learning libraries call convolution.

    Examples
    --------
    >>> import symconv as sc, sympy
    >>> sc.correlate([1, 2, 3, 4], [5, 6, 7]).output
    [38, 56]
    >>> sc.correlate(sympy.symarray("x", 4), sympy.symarray("w", 3)).matrix
    Matrix([
    [w_0, w_1, w_2,   0],
    [  0, w_0, w_1, w_2]])
    """
    return _signal("correlate", x, w, mode)


def _signal(op: str, x: object, w: object, mode: object) -> Derivation:
    if is_indexed(x, w):  # IndexedBase operands (symbolic shapes): general sizes
        return derive_signal(op, x, w, mode)  # type: ignore[arg-type]
    xa, wa = to_array("x", x), to_array("w", w)
    spec = signal_spec(xa.shape, wa.shape, op, mode)  # type: ignore[arg-type]
    return Derivation(spec, xa, wa)
