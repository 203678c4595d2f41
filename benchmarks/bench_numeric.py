"""All-numeric inputs: ``d.output`` beside "scipy.signal's result converted to SymPy".

    python benchmarks/bench_numeric.py             # 10^3 .. 10^6 output elements
    python benchmarks/bench_numeric.py --max 5     # up to 10^5 only

Case: ``sc.correlate(x, w, mode="same")`` with integer ``x`` of n x n and a 3x3
integer kernel.  The baseline, timed in the same run, is what a user would
write: ``scipy.signal.correlate`` followed by a SymPy array of the result
(``ImmutableDenseNDimArray`` of ``sympy.Integer``).  The target (issue 13):
``d.output`` within 3x of that baseline.  Also shown: Fractions (exact) and
complex input (Gaussian integers) beside the same-size integer case.  Each
figure is the best of ``--repeat`` runs on a fresh derivation.  Prints a
Markdown table.
"""

from __future__ import annotations

import argparse
import platform
from fractions import Fraction

import numpy as np
import scipy
import scipy.signal
import sympy
from _timing import best, fmt

import symconv as sc


def baseline(x: np.ndarray, w: np.ndarray) -> sympy.Array:
    y = scipy.signal.correlate(x, w, mode="same", method="direct")
    return sympy.ImmutableDenseNDimArray([sympy.Integer(v) for v in y.reshape(-1).tolist()],
                                         y.shape)


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--max", type=int, default=6, help="largest size, as a power of ten")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    w = rng.integers(-9, 10, size=(3, 3))
    rows = []
    for e in range(3, args.max + 1):
        n = round(10 ** (e / 2))
        x = rng.integers(-9, 10, size=(n, n))
        r = {3: 10 * args.repeat, 4: 3 * args.repeat, 5: args.repeat}.get(e, 1)
        ours = best(lambda x=x: sc.correlate(x, w, mode="same").output, r)
        base = best(lambda x=x: baseline(x, w), r)
        rows.append((f"{n}x{n} integers ({n * n:,} outputs)", ours, base))
    n = 100
    x = rng.integers(-9, 10, size=(n, n))
    xf = np.array([[Fraction(int(v), 7) for v in row] for row in x], dtype=object)
    xc = x + 1j * rng.integers(-9, 10, size=(n, n))
    xg = np.array([[sympy.Integer(int(v.real)) + sympy.Integer(int(v.imag)) * sympy.I
                    for v in row] for row in xc], dtype=object)
    base = best(lambda: baseline(x, w), args.repeat)
    for label, xx in (("fractions x/7", xf), ("Gaussian integers", xg),
                      ("complex128", xc)):
        rows.append((f"100x100 {label}",
                     best(lambda xx=xx: sc.correlate(xx, w, mode="same").output, args.repeat),
                     base))
    print(f"correlate(x, 3x3 kernel, 'same'), all numeric; Python {platform.python_version()}, "
          f"SymPy {sympy.__version__}, NumPy {np.__version__}, SciPy {scipy.__version__}\n")
    print("| input | `d.output` | baseline: scipy.signal + SymPy array | ratio |")
    print("| --- | --- | --- | --- |")
    for label, ours, b in rows:
        print(f"| {label} | {fmt(ours)} | {fmt(b)} | {ours / b:.2f} |")


if __name__ == "__main__":
    main()
