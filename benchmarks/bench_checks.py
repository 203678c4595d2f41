"""check() and gradient().check(): CPU time beside same-run baselines, and sizes that crashed.

    python benchmarks/bench_checks.py          # LeNet C1 + the long-sum cases
    python benchmarks/bench_checks.py --quick  # LeNet C1 only

LeNet-5's first layer, ``Conv2d(1, 6, 5, bias=False)`` on 32x32 (117,600
products), with its symbolic views already built.  Baselines, timed in the same
run: ``sympy.lambdify`` of the 4,704 outputs as one list (the obvious way, and
what check() did before, one giant expression), and the NumPy reference's VJP
built column by column from unit vectors (what gradient().check() did before).
CPU seconds (``time.process_time``), best of ``--repeat``.  Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import platform
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import sympy

import symconv as sc
from symconv.checks import _reference


def cpu(fn: Callable[[], Any], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.process_time()
        fn()
        best = min(best, time.process_time() - t)
    return best


def lenet() -> sc.Derivation:
    d = sc.Conv2d(1, 6, 5, bias=False).derive(input_size=(32, 32))
    d.output, d.matrix, d.patches  # noqa: B018 - the views are not what is measured
    return d


def unit_vector_vjp(d: sc.Derivation, g: np.ndarray) -> np.ndarray:
    """dL/dx of the NumPy reference, one forward pass per input element."""
    s = d.spec
    w = np.random.default_rng(0).integers(-9, 10, size=s.weight_shape).astype(float)
    size = int(np.prod(s.input_shape))
    out = np.empty(size)
    for j in range(size):
        e = np.zeros(size)
        e[j] = 1.0
        y = _reference.conv_nd(e.reshape(s.input_shape), w, None, stride=s.stride,
                               padding=s.padding, dilation=s.dilation, groups=s.groups)
        out[j] = np.dot(y.reshape(-1), g)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    r = args.repeat
    rows: list[tuple[str, str, str]] = []
    d = lenet()
    d.check(trials=1)  # imports torch and scipy once
    ours = cpu(lambda: d.check(), r)
    free = sorted(d.input.free_symbols | d.weight.free_symbols, key=str)
    t0 = time.process_time()
    sympy.lambdify(free, list(d.flat_output))
    lam = time.process_time() - t0
    rows.append(("LeNet C1 `check()` (3 trials)", f"{ours:.3f} s",
                 f"`lambdify` of the 4,704 outputs as one list: {lam:.2f} s"))
    g = lenet().gradient()
    g.input, g.weight  # noqa: B018
    ours = cpu(lambda: g.check(trials=1), r)
    gv = np.random.default_rng(1).integers(-9, 10, size=len(g.flat_output)).astype(float)
    base = cpu(lambda: unit_vector_vjp(d, gv), 1)
    rows.append(("LeNet C1 `g.check(trials=1)`", f"{ours:.3f} s",
                 f"NumPy VJP from unit vectors (dL/dx only): {base:.2f} s"))
    if not args.quick:
        for label, make in (
            ("`Conv1d(1,1,3)` on 3000: `g.check()`",
             lambda: sc.Conv1d(1, 1, 3).derive(input_size=3000).gradient()),
            ("`correlate(x[4010], w[4000])`: `check()`",
             lambda: sc.correlate(sympy.symarray("x", 4010), sympy.symarray("w", 4000))),
            ("`Conv2d(2,2,3,padding=1)` on 64x64: `g.check(trials=1)`",
             lambda: sc.Conv2d(2, 2, 3, padding=1).derive(input_size=(64, 64)).gradient()),
        ):
            obj = make()
            t0 = time.process_time()
            ok = bool(obj.check(trials=1))
            rows.append((label, f"{time.process_time() - t0:.2f} s ({'passes' if ok else 'FAILS'})",
                         "RecursionError in lambdify before issue 13"))
    print(f"Python {platform.python_version()}, SymPy {sympy.__version__}, "
          f"NumPy {np.__version__}; CPU seconds, best of {r}\n")
    print("| check | symconv | same-run baseline |")
    print("| --- | --- | --- |")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
