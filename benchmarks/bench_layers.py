"""Speed of the layer family's symbolic views on LeNet-5-sized layers, beside plain SymPy.

    python benchmarks/bench_layers.py            # symconv figures (best of --repeat)
    python benchmarks/bench_layers.py --all      # also the plain-SymPy baselines (slow)

Cases: ReLU and MaxPool2d(2) on C1's output (6, 28, 28), AvgPool2d(2) on the
same, Linear(400, 120) (LeNet-5's F5).  For each: derive + output, the symbolic
backward pass, and ``check(trials=1)`` (evaluated node by node, compared with
NumPy loops and, when installed, torch).  The baseline builds the same outputs
the obvious way (``Add(*[w * x ...])``, evaluated ``Max``/``Piecewise``).
Prints a Markdown table; wall-clock, so run it on an idle machine.
"""

from __future__ import annotations

import argparse
import platform
from collections.abc import Callable
from typing import Any

import sympy
from _timing import best, fmt, once

import symconv as sc

CASES: dict[str, Callable[[], Any]] = {
    "ReLU (6, 28, 28)": lambda: sc.ReLU().derive(input_size=(6, 28, 28)),
    "MaxPool2d(2) (6, 28, 28)": lambda: sc.MaxPool2d(2).derive(input_size=(6, 28, 28)),
    "AvgPool2d(2) (6, 28, 28)": lambda: sc.AvgPool2d(2).derive(input_size=(6, 28, 28)),
    "Linear(400, 120)": lambda: sc.Linear(400, 120).derive(input_size=400),
}


def _baseline(name: str) -> Callable[[], Any]:
    if name.startswith("ReLU"):
        zs = sympy.symbols("z0:4704")
        return lambda: [sympy.Max(0, z) for z in zs]
    if name.startswith("MaxPool"):
        xs = sympy.symbols("x0:4704")
        return lambda: [sympy.Max(*xs[4 * j:4 * j + 4]) for j in range(1176)]
    if name.startswith("Linear"):
        xs, ws = sympy.symbols("x0:400"), sympy.symbols("w0:48000")
        return lambda: [sympy.Add(*[ws[400 * o + i] * xs[i] for i in range(400)])
                        for o in range(120)]
    return lambda: None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--all", action="store_true", help="also time the plain-SymPy baselines")
    args = ap.parse_args()
    print(f"Python {platform.python_version()}, SymPy {sympy.__version__}\n")
    print("| case | derive + output | backward | check(trials=1) | baseline outputs |")
    print("| --- | --- | --- | --- | --- |")
    for name, make in CASES.items():
        t_out = best(lambda: make().output, args.repeat)  # noqa: B023
        d = make()
        _ = d.output
        t_back = best(lambda: d.gradient(grad_output=None).input, 1)  # noqa: B023
        t_check = once(lambda: d.check(trials=1))  # noqa: B023
        base = fmt(once(_baseline(name))) if args.all else "(--all)"
        print(f"| {name} | {fmt(t_out)} | {fmt(t_back)} | {fmt(t_check)} | {base} |")


if __name__ == "__main__":
    main()
