"""Timings of the structure views and the textbook (python benchmarks/bench_structure.py).

Not a test: numbers for docs, measured on whatever machine runs it.
"""

from __future__ import annotations

import time

import sympy

import symconv as sc
from symconv.checks._structure_checks import check_kronecker, prove_diagonalization


def timed(label: str, fn, repeat: int = 3) -> None:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    print(f"{label:<60} {best * 1e3:9.1f} ms")


def main() -> None:
    d = sc.Conv2d(2, 3, 3, padding=1).derive(input_size=(6, 6))
    timed("kronecker_form, Conv2d(2, 3, 3) on 6x6 (54 terms, 108x72)",
          lambda: sc.kronecker_form(d))
    timed("check_kronecker (exact, every entry), same layer",
          lambda: check_kronecker(sc.Conv2d(2, 3, 3, padding=1).derive(input_size=(6, 6))))
    for n in (8, 16):
        c = sc.convolve(sympy.symarray("x", n), sympy.symarray("w", 3), mode="circular")
        timed(f"diagonalize + cyclotomic proof, circular n={n}",
              lambda c=c: prove_diagonalization(c, sc.diagonalize(c)))
    t = sc.ConvTranspose2d(2, 2, 3, stride=2, padding=1).derive(input_size=(4, 4))
    timed("stretched_input output, ConvTranspose2d(2, 2, 3, s=2) on 4x4",
          lambda: sc.stretched_input(t).output)
    from symconv.checks._structure_general import (
        prove_convolution_theorem,
        prove_stretched_kernel,
    )

    for dims in (1, 2):  # __wrapped__: past symconv's cache (SymPy's own cache still warms)
        timed(f"convolution theorem proved for general sizes, {dims}-D",
              lambda dims=dims: prove_convolution_theorem.__wrapped__(dims))
    n, k, s, dil = sympy.symbols("n k s d", integer=True, positive=True)
    p = sympy.Symbol("p", integer=True, nonnegative=True)
    g = sc.Conv1d(1, 1, kernel_size=k, stride=s, padding=p, dilation=dil,
                  bias=False).derive(input_size=(n,))
    timed("stretched kernel proved for general sizes (engine's Conv1d)",
          lambda: prove_stretched_kernel(g, sympy.Symbol("o", integer=True)))
    timed("block_partition, Conv2d(2, 3, 3) on 6x6", lambda: sc.block_partition(d))
    timed("textbook() (every claim checked, general-size engine)", sc.textbook, repeat=1)


if __name__ == "__main__":
    main()
