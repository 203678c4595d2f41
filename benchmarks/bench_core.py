"""Speed of the symbolic views on LeNet-5's first layer, beside same-run baselines.

    python benchmarks/bench_core.py          # every symconv figure + the fast baselines
    python benchmarks/bench_core.py --all    # also the slow baselines (about 2 minutes)

Case: ``Conv2d(1, 6, 5, bias=False)`` on a 32x32 input: T is 4704 x 1024 with
117,600 products.  Each symconv figure is the best of ``--repeat`` runs on a
fresh Derivation (its views are cached, so every run starts cold); baselines
build the same object the obvious ways, once.  Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import sympy
from _timing import best, best_or_once, cpu_once, fmt, once
from sympy.polys.domains import EXRAW
from sympy.polys.matrices import DomainMatrix
from sympy.polys.matrices.sdm import SDM

import symconv as sc

#: The tree the symconv imported here comes from; the fresh processes import the same.
ROOT = Path(sc.__file__).resolve().parent.parent


def fresh() -> sc.Derivation:
    return sc.Conv2d(1, 6, 5, bias=False).derive(input_size=(32, 32))


def numpy_coo() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The practical floor: the same COO structure by NumPy fancy indexing."""
    oy, ox, ky, kx = np.meshgrid(np.arange(28), np.arange(28), np.arange(5), np.arange(5),
                                 indexing="ij")
    rows = (np.arange(6)[:, None] * 784 + (oy * 28 + ox).reshape(1, -1, 25)[0].ravel())
    cols = np.broadcast_to(((oy + ky) * 32 + (ox + kx)).ravel(), (6, 19600))
    ks = np.arange(6)[:, None] * 25 + (ky * 5 + kx).ravel()
    return rows.ravel(), cols.ravel(), ks.ravel()


def fresh_document_cpu() -> float:
    """CPU seconds of ``latex_document()`` in a new interpreter, after ``import symconv``."""
    code = ("import time, symconv as sc\n"
            "d = sc.Conv2d(1, 6, 5, bias=False).derive(input_size=(32, 32))\n"
            "t = time.process_time(); d.latex_document(); print(time.process_time() - t)\n")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True, env={**os.environ, "PYTHONPATH": os.pathsep.join(
                             [str(ROOT), os.environ.get("PYTHONPATH", "")])})
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--all", action="store_true", help="also run the slow baselines")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    r = args.repeat
    load0 = f"{os.getloadavg()[0]:.2f}"

    d = fresh()
    x = d._x.reshape(-1).tolist()
    w = d._w.reshape(-1).tolist()
    t = d.taps
    o_, i_, k_ = t.o.tolist(), t.i.tolist(), t.k.tolist()
    starts = t.starts.tolist()
    assert numpy_coo()[0].size == len(t)
    entries = {(a, b): w[c] for a, b, c in zip(o_, i_, k_)}

    def floor_matrix() -> Any:
        elems: dict[int, dict[int, Any]] = {}
        for a, b, c in zip(o_, i_, k_):
            elems.setdefault(a, {})[b] = w[c]
        return sympy.SparseMatrix._fromrep(DomainMatrix.from_rep(SDM(elems, (4704, 1024), EXRAW)))

    def naive_outputs(evaluate: bool) -> list[Any]:
        return [
            sympy.Add(*[sympy.Mul(w[k_[j]], x[i_[j]], evaluate=evaluate)
                        for j in range(starts[n], starts[n + 1])], evaluate=evaluate)
            for n in range(4704)
        ]

    rows_out: list[tuple[str, str, str]] = []

    def row(what: str, ours: float | None, base: str) -> None:
        rows_out.append((what, "" if ours is None else fmt(ours), base))

    def cached(attr: str) -> Callable[[], Any]:
        def run() -> Any:
            e = fresh()
            e.taps  # noqa: B018 - the table is measured separately
            return getattr(e, attr)
        return run

    row("`derive()` (tap table, nothing symbolic)",
        best(lambda: fresh().taps, r),
        f"NumPy fancy-indexing COO: {best(numpy_coo, r) * 1e3:.1f} ms")

    base_floor = best(floor_matrix, r)
    base_dok = once(lambda: sympy.SparseMatrix(4704, 1024, entries))
    slow_imm = (f"; `ImmutableSparseMatrix(dict)`: "
                f"{once(lambda: sympy.ImmutableSparseMatrix(4704, 1024, entries)):.2f} s"
                if args.all else "")
    def naive_dense() -> Any:
        return sympy.Matrix(4704, 1024, lambda a, b: entries.get((a, b), 0))

    slow_dense = (f"; dense `Matrix(rows, cols, lambda)`: {once(naive_dense):.1f} s"
                  if args.all else "")
    row("`d.matrix` (T, sparse)", best(cached("matrix"), r),
        f"SymPy floor (`_fromrep`): {base_floor:.3f} s; dict-of-keys SparseMatrix: "
        f"{base_dok:.2f} s{slow_imm}{slow_dense}")
    row("`d.patches` (P, sparse)", best(cached("patches"), r), "")

    base_eval = once(lambda: naive_outputs(True)) if args.all else None
    base_uneval = once(lambda: naive_outputs(False))
    row("`d.output` (4,704 sums of 25 products)", best(cached("output"), r),
        (f"`Add`/`Mul` evaluated: {base_eval:.2f} s; " if base_eval is not None else "")
        + f"`evaluate=False`: {base_uneval:.2f} s")

    def verify_warm() -> float:
        e = fresh()
        e.output, e.matrix, e.patches  # noqa: B018
        return best(e.verify, r)

    def verify_cold() -> Any:
        return fresh().verify()

    def expand_rows() -> Any:
        e = fresh()
        y, T = e._output_flat, e._matrix_rep.rep
        return all(sympy.expand(y[o] - sum(v * x[c] for c, v in T[o].items())) == 0
                   for o in range(len(y)))

    base_expand = (f"`expand(y - T x)` row by row (T only): {once(expand_rows):.2f} s"
                   if args.all else "`expand` per row: run with --all")
    row("`verify()` (views already built)", verify_warm(), base_expand)
    row("`verify()` from scratch (builds output, T, P)", best(verify_cold, r), "")

    def check_warm() -> float:
        e = fresh()
        e.output, e.matrix, e.patches  # noqa: B018
        e.check(trials=1)  # imports torch, warms NumPy
        return best(e.check, r)

    if args.all:
        free = x + w
        base_lambdify = once(lambda: sympy.lambdify(free, list(fresh().output)))
        lam = f"`lambdify` of the 4,704 outputs as one list: {base_lambdify:.2f} s"
    else:
        lam = "`lambdify` as one list: run with --all"
    row("`check()` over every output (3 trials; views built)", check_warm(), lam)

    # Printing (issue 13): str(d.output) against building d.output, same run.
    def build_output() -> Any:
        e = fresh()
        e.taps  # noqa: B018
        return e.output

    built = best(build_output, r)
    y = build_output()
    printed = best_or_once(lambda: str(y), r)
    sympy_str = (f"; SymPy's sorting printer `sympy.sstr`: {once(lambda: sympy.sstr(y)):.2f} s"
                 if args.all else "")
    row("`str(d.output)` (every output as text)", printed,
        f"building `d.output`: {fmt(built)} (ratio {printed / built:.2f}, target 2)"
        f"{sympy_str}")
    # Jupyter's hook: the fast `_repr_latex_` against SymPy's printer on the same array.
    latex_first = once(y._repr_latex_)  # symbol LaTeX not yet cached
    latex_fast = min(latex_first, best(y._repr_latex_, r))
    if args.all:  # SymPy's printer takes about 30 s here
        plain = sympy.ImmutableDenseNDimArray(list(y.args[0]), y.shape)
        sympy_latex = once(plain._repr_latex_)
        latex_base = (f"SymPy's `_repr_latex_` (`sympy.latex`) on the same entries: "
                      f"{sympy_latex:.2f} s ({sympy_latex / latex_fast:.0f}x)")
    else:
        latex_base = "SymPy's `_repr_latex_` on the same entries: run with --all"
    row("`d.output._repr_latex_()` (Jupyter's LaTeX)", latex_fast,
        f"first call {fmt(latex_first)}; {latex_base}")
    doc_cpu = cpu_once(lambda: fresh().latex_document())
    row("`latex_document()` (CPU time, once, after the runs above; proofs included)", doc_cpu,
        "target 2 s")
    fresh_cpu = min(fresh_document_cpu() for _ in range(r))
    row(f"`latex_document()` in a fresh process (CPU time around the call, best of {r} "
        "processes)", fresh_cpu, "target 2 s; 2.13-2.79 s before 40f3015 and a3bc173 "
        "(load 1.5)")

    print(f"LeNet-5 C1, Conv2d(1, 6, 5) on 32x32 ({len(t):,} products); "
          f"Python {platform.python_version()}, SymPy {sympy.__version__}, "
          f"NumPy {np.__version__}; best of {r}\n")
    print(f"load average before/after: {load0} / {os.getloadavg()[0]:.2f}\n")
    print("| step | symconv | same-run baseline |")
    print("| --- | --- | --- |")
    for what, ours, base in rows_out:
        print(f"| {what} | {ours} | {base} |")


if __name__ == "__main__":
    main()
