"""Turning what users pass (lists, NumPy arrays, SymPy arrays) into values, safely.

Layer: boundary.

Text is never evaluated: strings are refused here (``symconv.parse_value``
parses user text for the command line without ``eval``/``sympify``).
"""

from __future__ import annotations

import numbers
import re
from fractions import Fraction

import numpy as np
import sympy
from sympy.core.sympify import SympifyError


def to_array(name: str, value: object) -> np.ndarray:
    """``value`` as a NumPy array: numeric dtype when possible, else ``object``.

    Accepts nested lists/tuples, NumPy arrays, SymPy N-dim arrays and matrices
    and scalars.  Raises a ``TypeError``/``ValueError`` naming ``name`` for text,
    ragged nesting, or entries that are not numbers or SymPy expressions.
    """
    if isinstance(value, (str, bytes)):
        raise TypeError(
            f"`{name}` must be numbers or SymPy expressions, got text {value!r} "
            "(symconv never evaluates strings; use symconv.parse_value for user text)"
        )
    if isinstance(value, sympy.NDimArray):
        # Iterating a SymPy array of rank >= 2 yields rows, so index every entry.
        arr = np.empty(value.shape, dtype=object)
        for idx in np.ndindex(*value.shape):
            arr[idx] = value[idx]
    elif isinstance(value, sympy.MatrixBase):
        arr = np.array(value.tolist(), dtype=object).reshape(value.shape)
    else:
        try:
            arr = np.asarray(value)
        except ValueError:  # ragged nesting
            raise ValueError(f"`{name}` must be a rectangular array (every row of the same "
                             "length), got ragged nesting") from None
    if arr.dtype.kind in "biuf":
        if arr.dtype.kind == "b":
            raise TypeError(f"`{name}` must hold numbers, got booleans")
        return arr
    if arr.dtype.kind == "c":
        return arr
    if arr.dtype.kind in "USa":
        sample = str(arr.reshape(-1)[0])
        raise TypeError(
            f"`{name}` must be numbers or SymPy expressions, got text such as {sample!r} "
            "(symconv never evaluates strings; use symconv.parse_value)"
        )
    if arr.dtype.kind != "O":
        raise TypeError(f"`{name}` must hold numbers or SymPy expressions, got dtype {arr.dtype}")
    out = np.empty(arr.shape, dtype=object)
    flat_out = out.reshape(-1)
    for j, v in enumerate(arr.reshape(-1)):
        flat_out[j] = _entry(name, v)
    return out


def _entry(name: str, v: object) -> sympy.Expr:
    if isinstance(v, sympy.Expr):
        if v.is_commutative is False:
            raise TypeError(
                f"`{name}` must hold commutative values (each output is a sum of products "
                f"w*x = x*w, and the proofs compare them as such), got the non-commutative {v}"
            )
        return v
    if isinstance(v, (str, bytes)):
        raise TypeError(
            f"`{name}` must be numbers or SymPy expressions, got text {v!r} "
            "(symconv never evaluates strings; use symconv.parse_value)"
        )
    if isinstance(v, (bool, np.bool_)) or v is None:
        raise TypeError(f"`{name}` must hold numbers or SymPy expressions, got {v!r}")
    if isinstance(v, Fraction):
        return sympy.Rational(v.numerator, v.denominator)
    if isinstance(v, (numbers.Number, np.number)):
        try:
            out = sympy.sympify(v, strict=True)
        except SympifyError:
            pass
        else:
            if isinstance(out, sympy.Expr):
                return out
    if isinstance(v, (list, tuple, np.ndarray)):
        raise ValueError(
            f"`{name}` must be a rectangular array (found a nested {type(v).__name__})"
        )
    raise TypeError(
        f"`{name}` must hold numbers or SymPy expressions, got {v!r} ({type(v).__name__})"
    )


def sympify_array(arr: np.ndarray) -> np.ndarray:
    """An object array of SymPy numbers/expressions from a numeric or object array."""
    if arr.dtype == object:
        return arr
    out = np.empty(arr.shape, dtype=object)
    flat = out.reshape(-1)
    if arr.dtype.kind in "iu":
        for j, v in enumerate(arr.reshape(-1).tolist()):
            flat[j] = sympy.Integer(v)
    else:
        for j, v in enumerate(arr.reshape(-1).tolist()):
            flat[j] = sympy.sympify(v, strict=True)
    return out


#: A name as :func:`symbols` (and ``sympy.symarray``) makes it: ``x_0_1`` -> ``("x", "_0_1")``.
SYMARRAY_NAME = re.compile(r"^([A-Za-z]+)((?:_\d+)+)$")


def require_finite(name: str, values: object, why: str) -> None:
    """Refuse ``nan``, ``oo``, ``-oo`` and ``zoo`` among ``values`` (a SymPy Array or list).

    Proofs and numeric checks compare sums: ``oo - oo`` is ``nan`` and ``nan``
    equals nothing, so a non-finite value would look like a failed proof.  The
    ``ValueError`` names the parameter, the first such entry and ``why``.

    Examples
    --------
    >>> require_finite("x", [1, sympy.oo], "proofs need finite values")
    Traceback (most recent call last):
    ...
    ValueError: `x` holds oo (entry 1): proofs need finite values
    """
    flat = values.tolist() if hasattr(values, "tolist") else values
    stack, j = [flat], 0
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
            continue
        v = sympy.sympify(item) if isinstance(item, (int, float, complex)) else item
        if isinstance(v, sympy.Basic) and (v.has(sympy.nan, sympy.oo, -sympy.oo, sympy.zoo)):
            raise ValueError(f"`{name}` holds {v} (entry {j}): {why}")
        j += 1


def symbols(prefix: str, shape: tuple[int, ...]) -> np.ndarray:
    """Symbols named like ``sympy.symarray``: ``x_0_1`` for index ``(0, 1)``."""
    out = np.empty(shape, dtype=object)
    flat = out.reshape(-1)
    for j, idx in enumerate(np.ndindex(*shape)):
        flat[j] = sympy.Symbol(prefix + "".join(f"_{v}" for v in idx))
    return out


def parse_value(text: str) -> sympy.Expr:
    """Parse one user-typed value without ``eval``: an integer, decimal, fraction or name.

    Parameters
    ----------
    text : str
        ``"3"``, ``"-2.5"`` (read exactly, as -5/2), ``"1/3"``, or an identifier
        such as ``"w_1"``.

    Returns
    -------
    sympy.Expr
        ``Integer``, ``Rational`` or ``Symbol``.

    Raises
    ------
    ValueError
        For anything else (operators, calls, attribute access...).

    Examples
    --------
    >>> parse_value("1/3"), parse_value("-4"), parse_value("0.25"), parse_value("w_0")
    (1/3, -4, 1/4, w_0)
    """
    s = text.strip()
    if not s:
        raise ValueError("value must not be empty")
    try:
        frac = Fraction(s)
    except (ValueError, ZeroDivisionError):
        pass
    else:
        # Decimals are read exactly (0.1 is 1/10): hand calculations compare exactly.
        return sympy.Rational(frac.numerator, frac.denominator)
    if s.isidentifier():
        return sympy.Symbol(s)
    raise ValueError(
        f"value {text!r} is not a number, a fraction like 1/3, or a symbol name"
    )
