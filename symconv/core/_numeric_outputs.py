"""All-numeric outputs at NumPy speed, exact where the input is exact (core layer).

Layer 2 (core).  When the input, weight and bias are all numbers, every output
``y[o] = sum of w[k] x[i]`` over the taps of ``o`` (plus the bias) is a number:
it is computed from the tap table with vectorised NumPy and only the results
become SymPy numbers.  Integers stay integers (``int64`` when the sums provably
fit, Python integers otherwise), fractions are scaled to integers over one
common denominator (no float round trip), floats use ``float64``, and complex
numbers are split into real and imaginary parts (Gaussian rationals stay
exact).  The products themselves stay visible through ``Derivation.terms``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import sympy
from sympy import Add, Float, I, Integer, Mul, Rational, S

from ._gc import without_gc
from ._symbolic import complex_float_numbers, complex_numbers, float_numbers, rational_numbers
from ._taps import TapTable

#: Taps multiplied per NumPy step (bounds the temporary arrays).
CHUNK = 1 << 22

_INT64_SAFE = 2**62
_NUMBER = (Integer, Rational, Float)


class _Part:
    """The real or imaginary parts of one operand: integers over a denominator, or floats."""

    def __init__(self, values: np.ndarray, denominator: int) -> None:
        self.values = values  # int64, object (Python int) or float64
        self.denominator = denominator

    @property
    def exact(self) -> bool:
        return self.values.dtype != np.float64

    def as_float(self) -> np.ndarray:
        if not self.exact:
            return self.values
        return self.values.astype(np.float64) / self.denominator

    def bound(self) -> int:
        if not self.values.size:
            return 0
        return int(max(abs(int(self.values.max())), abs(int(self.values.min()))))


def _read(raw: np.ndarray) -> tuple[_Part, _Part] | None:
    """``(real, imaginary)`` parts of a numeric array, or None if an entry is not a number."""
    flat = raw.reshape(-1)
    kind = flat.dtype.kind
    if kind in "iu":
        vals = flat.astype(np.int64) if flat.dtype != np.uint64 else flat.astype(object)
        return _Part(vals, 1), _Part(np.zeros(flat.size, dtype=np.int64), 1)
    if kind == "f":
        return _Part(flat.astype(np.float64), 1), _Part(np.zeros(flat.size), 1)
    if kind == "c":
        c = flat.astype(np.complex128)
        return _Part(c.real.copy(), 1), _Part(c.imag.copy(), 1)
    if kind != "O":
        return None
    zero = S.Zero
    re: list[Any] = []
    im: list[Any] = []
    for e in flat.tolist():
        if isinstance(e, _NUMBER):
            re.append(e)
            im.append(zero)
            continue
        if type(e) is Add:  # a + n*I, the common complex entry, read inline
            args = e.args
            if len(args) == 2 and isinstance(args[0], _NUMBER) and type(args[1]) is Mul:
                margs = args[1].args
                if len(margs) == 2 and margs[1] is I and isinstance(margs[0], _NUMBER):
                    re.append(args[0])
                    im.append(margs[0])
                    continue
        r, j = _real_imag(e)
        if not (isinstance(r, _NUMBER) and isinstance(j, _NUMBER)):
            return None
        re.append(r)
        im.append(j)
    both = re + im
    if any(isinstance(v, Float) for v in both):
        return (_Part(np.array([float(v) for v in re]), 1),
                _Part(np.array([float(v) for v in im]), 1))
    den = math.lcm(*{v.q for v in both}) if both else 1
    if den == 1:
        return _Part(_ints([v.p for v in re]), 1), _Part(_ints([v.p for v in im]), 1)
    return (_Part(_ints([v.p * (den // v.q) for v in re]), den),
            _Part(_ints([v.p * (den // v.q) for v in im]), den))


def _imaginary(e: Any) -> Any:
    """``n`` for ``I`` or ``n*I`` with a number ``n``, else None."""
    if e is I:
        return S.One
    if type(e) is Mul:
        args = e.args
        if len(args) == 2 and args[1] is I and isinstance(args[0], _NUMBER):
            return args[0]
    return None


def _real_imag(e: Any) -> tuple[Any, Any]:
    """The parts of a complex number; ``a + n*I`` read directly (``as_real_imag`` is slow)."""
    if type(e) is Add:
        args = e.args
        if len(args) == 2 and isinstance(args[0], _NUMBER):
            j = _imaginary(args[1])
            if j is not None:
                return args[0], j
    else:
        j = _imaginary(e)
        if j is not None:
            return S.Zero, j
    if not isinstance(e, sympy.Expr) or not e.is_number or e.free_symbols:
        return None, None  # not a number: the symbolic path
    return e.as_real_imag()


def _ints(values: list[int]) -> np.ndarray:
    if all(-_INT64_SAFE < v < _INT64_SAFE for v in values):
        return np.array(values, dtype=np.int64)
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _sum_products(a: np.ndarray, b: np.ndarray, taps: TapTable, starts: np.ndarray,
                  dtype: Any) -> np.ndarray:
    """``out[o] = sum of a[k] * b[i]`` over the taps of output ``o``, in chunks of taps."""
    n_out = taps.n_out
    out = np.zeros(n_out, dtype=dtype)
    o = 0
    while o < n_out:
        lo = int(starts[o])
        o2 = int(np.searchsorted(starts, lo + CHUNK, side="right")) - 1
        o2 = min(max(o2, o + 1), n_out)
        hi = int(starts[o2])
        if hi > lo:
            prod = a[taps.k[lo:hi]] * b[taps.i[lo:hi]]
            nonempty = starts[o + 1:o2 + 1] > starts[o:o2]  # an output may have no taps
            out[o:o2][nonempty] = np.add.reduceat(prod, starts[o:o2][nonempty] - lo)
        o = o2
    return out


def _conv(a: _Part, b: _Part, taps: TapTable, starts: np.ndarray, exact: bool, n_max: int
          ) -> np.ndarray:
    if not exact:
        return _sum_products(a.as_float(), b.as_float(), taps, starts, np.float64)
    fits = a.bound() * b.bound() * max(n_max, 1) * 2 < _INT64_SAFE
    av = a.values if fits else a.values.astype(object)
    bv = b.values if fits else b.values.astype(object)
    return _sum_products(av, bv, taps, starts, np.int64 if fits else object)


@without_gc
def numeric_outputs(x: Any, w: Any, b: Any, per_channel: int, taps: TapTable
                    ) -> list[sympy.Expr] | None:
    """Every output as a SymPy number, or None unless ``x``, ``w`` (and ``b``) are all numbers.

    ``x``, ``w``, ``b`` are the arrays as given (None: symbols; ``b`` None also
    means no bias); ``per_channel`` outputs share one bias.

    Examples
    --------
    >>> import numpy as np, symconv as sc
    >>> d = sc.correlate([1, 2, 3, 4], [5, 6, 7])
    >>> numeric_outputs(np.array([1, 2, 3, 4]), np.array([5, 6, 7]), None, 2, d.taps)
    [38, 56]
    """
    if x is None or w is None:
        return None
    parts = [_read(np.asarray(x)), _read(np.asarray(w))]
    if b is not None:
        parts.append(_read(np.asarray(b)))
    if any(p is None for p in parts):
        return None
    xi, wi = parts[0][1], parts[1][1]  # type: ignore[index]
    exact = all(p.exact for pair in parts for p in pair)  # type: ignore[union-attr]
    is_complex = any(p.values.any() for p in (xi, wi)) or (
        b is not None and bool(parts[2][1].values.any()))  # type: ignore[index]
    with np.errstate(all="ignore"):  # inf * 0 is nan here as in SymPy (oo * 0 = nan)
        return _combine(parts, b, per_channel, taps, exact, is_complex)


def _combine(parts: list[Any], b: Any, per_channel: int, taps: TapTable, exact: bool,
             is_complex: bool) -> list[sympy.Expr]:
    (xr, xi), (wr, wi) = parts[0], parts[1]
    starts = taps.starts
    n_max = int(np.max(np.diff(starts))) if taps.n_out else 0
    im = None
    if is_complex and not exact:  # complex128 products, one pass
        c = _sum_products(wr.as_float() + 1j * wi.as_float(), xr.as_float() + 1j * xi.as_float(),
                          taps, starts, np.complex128)
        re, im = c.real.copy(), c.imag.copy()
    else:
        re = _conv(wr, xr, taps, starts, exact, n_max)
        if is_complex:  # exact: four real convolutions of integers
            re = re - _conv(wi, xi, taps, starts, exact, n_max)
            im = _conv(wr, xi, taps, starts, exact, n_max) + _conv(wi, xr, taps, starts, exact,
                                                                   n_max)
    den = xr.denominator * wr.denominator if exact else 1
    if b is not None:
        br, bi = parts[2]
        channel = np.arange(taps.n_out) // max(per_channel, 1)
        if exact:
            scale = br.denominator
            if scale != 1 or den != 1:  # Python integers: no int64 overflow when rescaling
                re = re.astype(object)
                im = None if im is None else im.astype(object)
            re = re * scale + br.values[channel] * den
            if im is not None:
                im = im * scale + bi.values[channel] * den
            den *= scale
        else:
            re = re + br.as_float()[channel]
            if im is not None:
                im = im + bi.as_float()[channel]
    return _to_sympy(re, im, den, exact)


def _to_sympy(re: np.ndarray, im: np.ndarray | None, den: int, exact: bool
              ) -> list[sympy.Expr]:
    """The results as SymPy numbers, made in bulk (``core/_symbolic``)."""
    if exact:
        real: list[Any] = rational_numbers(re.tolist(), den)
        if im is None:
            return real
        imag = rational_numbers(im.tolist(), den)
    else:
        if im is None:
            return float_numbers(re)
        return complex_float_numbers(re, im)
    return complex_numbers(real, imag)
