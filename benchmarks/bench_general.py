"""Speed of the general-size engine: derive, verify (grid checks) and document.

    python benchmarks/bench_general.py

Cases: the general 1-D layer ``Conv1d(C, Q, k, stride=s, padding=p, dilation=d)``
on ``n`` (seven sizes free, 520 grid points), the general 2-D layer
``Conv2d(C, Q, (k1, k2), stride=s)`` on ``(h, w)``, and the general transposed
layer ``ConvTranspose1d(C, Q, k, stride=s, padding=p, output_padding=a)``.
``verify()`` and ``latex_document()`` are cached per geometry, so each figure
is a cold run in a fresh process-level cache (cleared before each run).
Issue 11's targets on a 2-core machine: ``verify()`` under 2 s,
``latex_document()`` under 1 s.  Prints a Markdown table.
"""

from __future__ import annotations

import platform
from collections.abc import Callable
from typing import Any

import sympy
from _timing import fmt, once

import symconv as sc
from symconv.checks import _general_theorems as _general_proofs

n, k, s, d, C, Q, h, w, k1, k2 = sympy.symbols("n k s d C Q h w k1 k2", integer=True,
                                               positive=True)
p, a = sympy.symbols("p a", integer=True, nonnegative=True)

CASES: dict[str, Callable[[], Any]] = {
    "Conv1d general (n, k, s, d, p, C, Q)": lambda: sc.Conv1d(
        C, Q, kernel_size=k, stride=s, padding=p, dilation=d).derive(input_size=(n,)),
    "Conv2d general ((h, w), (k1, k2), s, C, Q)": lambda: sc.Conv2d(
        C, Q, kernel_size=(k1, k2), stride=s).derive(input_size=(h, w)),
    "ConvTranspose1d general (n, k, s, p, a, C, Q)": lambda: sc.ConvTranspose1d(
        C, Q, kernel_size=k, stride=s, padding=p, output_padding=a).derive(input_size=(n,)),
}


def cold() -> None:
    _general_proofs._CACHE.clear()
    _general_proofs._VERIFIED.clear()


def main() -> None:
    print(f"python {platform.python_version()}, sympy {sympy.__version__}, "
          f"{platform.machine()}")
    print("| case | derive | verify (cold) | grid points | latex_document (after verify) |"
          " latex_document (cold) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, make in CASES.items():
        t_derive = once(make)
        g = make()
        cold()
        t_verify = once(g.verify)
        grid = g.verify().grid
        t_doc = once(g.latex_document)
        cold()
        t_doc_cold = once(g.latex_document)
        print(f"| {name} | {fmt(t_derive)} | {fmt(t_verify)} | {grid} | {fmt(t_doc)} | "
              f"{fmt(t_doc_cold)} |")


if __name__ == "__main__":
    main()
