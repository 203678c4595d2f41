"""All-numeric inputs: ``d.output`` beside "scipy.signal's result converted to SymPy".

    python benchmarks/bench_numeric.py             # 10^3 .. 10^6 output elements
    python benchmarks/bench_numeric.py --max 5     # up to 10^5 only

Case: ``sc.correlate(x, w, mode="same")`` with integer ``x`` of n x n and a 3x3
integer kernel.  The baseline, timed in the same run, is what a user would
write: ``scipy.signal.correlate`` followed by a SymPy array of the result
(``ImmutableDenseNDimArray`` of ``sympy.Integer``).  The target (issue 13,
item 1): ``d.output`` within 3x of that baseline.  Fractions ``x/7`` are shown
beside the same baseline made exact (``scipy.signal`` on the numerators, then
``sympy.Rational(v, 7)``).

Complex input (issue 13, item 5: complex <= 2x real) is compared with real
input of the same size and the same kind, 100 x 100, in alternating rounds (best
CPU time of each):

* symbolic numbers: Gaussian integers ``a + b*I`` (SymPy objects) against the
  SymPy ``Integer`` array of their real parts -- both exact;
* NumPy numbers: ``complex128`` against ``float64`` (both give SymPy Floats).

Each figure is the best CPU time of ``--repeat`` (or more, for small sizes)
runs on a fresh derivation, the baseline run alternately with it.  Prints
Markdown tables and the load average.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Callable
from fractions import Fraction

import numpy as np
import scipy
import scipy.signal
import sympy
from _timing import fmt

import symconv as sc


def baseline(x: np.ndarray, w: np.ndarray, den: int = 1) -> sympy.Array:
    y = scipy.signal.correlate(x, w, mode="same", method="direct")
    make = sympy.Integer if den == 1 else (lambda v: sympy.Rational(v, den))
    return sympy.ImmutableDenseNDimArray([make(v) for v in y.reshape(-1).tolist()], y.shape)


def output(x: object, w: np.ndarray) -> sympy.Array:
    return sc.correlate(x, w, mode="same").output


def alternate(a: object, b: object, w: np.ndarray, rounds: int) -> tuple[float, float]:
    """Best CPU times of ``output(a, w)`` and ``output(b, w)``, timed in alternating rounds."""
    return paired(lambda: output(a, w), lambda: output(b, w), rounds)


def paired(fa: Callable[[], object], fb: Callable[[], object], rounds: int
           ) -> tuple[float, float]:
    """Best CPU times of ``fa()`` and ``fb()``, run in alternating rounds.

    CPU time (``time.process_time``) rather than wall time: on a shared machine
    the wall clock also counts the time other jobs hold the processor.
    """
    ta: list[float] = []
    tb: list[float] = []
    for _ in range(rounds):
        for fn, times in ((fa, ta), (fb, tb)):
            t = time.process_time()
            fn()
            times.append(time.process_time() - t)
    return min(ta), min(tb)


def _products(n: int) -> int:
    """Products of ``correlate(x, 3x3, 'same')`` on n x n: (3n - 2)^2 (border taps fall off)."""
    return (3 * n - 2) ** 2


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--max", type=int, default=6, help="largest size, as a power of ten")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    w = rng.integers(-9, 10, size=(3, 3))
    rows = []
    sizes: list[int] = []
    for e in range(3, args.max + 1):
        n = round(10 ** (e / 2))
        x = rng.integers(-9, 10, size=(n, n))
        r = {3: 10 * args.repeat, 4: 3 * args.repeat, 5: args.repeat}.get(e, 1)
        ours, base = paired(lambda x=x: output(x, w), lambda x=x: baseline(x, w), r)
        rows.append((f"{n}x{n} integers ({n * n:,} outputs)", ours, base))
        sizes.append(n)
    n = 100
    x = rng.integers(-9, 10, size=(n, n))
    xf = np.array([[Fraction(int(v), 7) for v in row] for row in x], dtype=object)
    rows.append(("100x100 fractions x/7 (baseline: Rational(v, 7))",
                 *paired(lambda: output(xf, w), lambda: baseline(x, w, 7), 3 * args.repeat)))
    print(f"correlate(x, 3x3 kernel, 'same'), all numeric; Python {platform.python_version()}, "
          f"SymPy {sympy.__version__}, NumPy {np.__version__}, SciPy {scipy.__version__}; "
          f"load average {os.getloadavg()[0]:.2f}\n")
    print("| input | `d.output` (CPU) | baseline: scipy.signal + SymPy array (CPU) | ratio |")
    print("| --- | --- | --- | --- |")
    for label, ours, b in rows:
        print(f"| {label} | {fmt(ours)} | {fmt(b)} | {ours / b:.2f} |")
    if len(sizes) >= 2:  # products of a 3x3 'same' correlation: 9 n^2 minus the border's
        prods = [_products(n) for n in sizes]
        times = [r[1] for r in rows[:len(sizes)]]
        base = [r[2] for r in rows[:len(sizes)]]
        fit = np.polyfit(np.log10(prods), np.log10(times), 1)[0]
        fit_base = np.polyfit(np.log10(prods), np.log10(base), 1)[0]
        print(f"\nfitted exponent of d.output's time against products, {prods[0]:,} to "
              f"{prods[-1]:,}: {fit:.2f} (baseline {fit_base:.2f}; 1 = linear)")

    xi = rng.integers(-9, 10, size=(n, n))
    gauss = np.array([[sympy.Integer(int(a)) + sympy.Integer(int(b)) * sympy.I
                       for a, b in zip(ra, rb)] for ra, rb in zip(x, xi)], dtype=object)
    integers = np.array([[sympy.Integer(int(a)) for a in ra] for ra in x], dtype=object)
    real = x + 0.5
    cplx = real + 1j * (xi + 0.25)
    rounds = 10 * args.repeat
    print(f"\ncomplex vs real input, 100x100, 3x3 integer kernel, best CPU time of {rounds} "
          f"alternating rounds; load average {os.getloadavg()[0]:.2f}\n")
    print("| kind | complex | real | ratio (target 2) |")
    print("| --- | --- | --- | --- |")
    for label, a, b in (("SymPy numbers: Gaussian integers vs Integers", gauss, integers),
                        ("NumPy: complex128 vs float64", cplx, real)):
        tc, tr = alternate(a, b, w, rounds)
        print(f"| {label} | {fmt(tc)} | {fmt(tr)} | {tc / tr:.2f} |")


if __name__ == "__main__":
    main()
