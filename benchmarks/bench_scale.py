"""The exact matrix of real layers: symconv's numeric views against the alternatives.

    python benchmarks/bench_scale.py            # full run: table + docs/img/scaling.png
    python benchmarks/bench_scale.py --quick    # fewer repeats, sweep to 10**6, no naive SymPy

Every (case, method) pair runs in its own subprocess, so peak memories do not
mix: after one untimed warm-up run, the child reports the median of ``--repeat``
timed runs (a single timed run when the warm-up took over 5 s), each from a fresh
start: a new Derivation, whose table is not yet built) and its peak resident
memory (``ru_maxrss``) above the baseline it had after imports and inputs.
``--only memory`` measures ``to_scipy()`` of the large layer in a fresh
process against the size of its result (issue 13, item 7); ``--only sweep``
runs the linear-scaling sweep alone.  Methods that cannot run say why instead
of running (a dense float64 Jacobian of the large layer needs 32 GiB).  Prints
a Markdown table, the memory of ``to_scipy()``, then the linear-scaling sweep,
and saves the sweep's plot to ``docs/img/scaling.png``.

Cases (all zero padding, stride 1, float64):

- ``1-D``      Conv1d(1, 1, 9) on length 1000 (valid)
- ``LeNet C1`` Conv2d(1, 6, 5) on 1x32x32
- ``CIFAR``    Conv2d(3, 16, 3, padding=1) on 3x32x32
- ``large``    Conv2d(64, 64, 3, padding=1) on 64x32x32 (36.2 million products)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# name: (ndim, in_channels, out_channels, kernel, padding, spatial size)
CASES: dict[str, tuple[int, int, int, int, int, tuple[int, ...]]] = {
    "1-D": (1, 1, 1, 9, 0, (1000,)),
    "LeNet C1": (2, 1, 6, 5, 0, (32, 32)),
    "CIFAR": (2, 3, 16, 3, 1, (32, 32)),
    "large": (2, 64, 64, 3, 1, (32, 32)),
}

METHODS = [
    "symconv to_scipy",
    "symconv to_numpy (dense)",
    "symconv stats",
    "symconv d.matrix (SymPy)",
    "NumPy COO (floor)",
    "NumPy COO -> CSR",
    "scipy convolution_matrix",
    "sympy.Matrix(lambda)",
    "SymPy SparseMatrix (dict)",
    "torch.func.jacrev",
    "torch.func.jacfwd",
    "autograd jacobian (vectorize)",
]

SWEEP = [  # (channels, size) of Conv2d(c, c, 3, padding=1) on c x n x n: (3n - 2)**2 c**2 products
    (1, 11), (1, 19), (1, 34), (2, 30), (2, 53), (4, 48), (8, 42), (16, 37), (32, 34),
    (64, 32),
]


def torch_available() -> bool:
    """Whether PyTorch can be imported (its Jacobian methods are skipped without it)."""
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


# ----------------------------------------------------------------- inputs


def products(case: str) -> int:
    _, cin, cout, k, pad, size = CASES[case]
    per = 1
    for n in size:
        n_out = n + 2 * pad - k + 1
        per *= sum(min(o + k, n + pad) - max(o, pad) for o in range(n_out))
    return cin * cout * per


def weight(case: str) -> np.ndarray:
    nd, cin, cout, k, _, _ = CASES[case]
    return np.random.default_rng(0).standard_normal((cout, cin) + (k,) * nd)


def layer(case: str) -> Any:
    import symconv as sc

    nd, cin, cout, k, pad, _ = CASES[case]
    return getattr(sc, f"Conv{nd}d")(cin, cout, k, padding=pad, bias=False)


def numpy_coo(case: str, w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The floor: (rows, cols, data) of T by NumPy broadcasting and one fancy index.

    Per axis, input position ``o + j - pad`` of output ``o`` and kernel offset
    ``j``; the grid ``(c_out, *out, c_in, *k)`` is broadcast, masked to valid
    positions and flattened in int32 -- what a careful NumPy user would write.
    """
    nd, cin, cout, k, pad, size = CASES[case]
    outs = [n + 2 * pad - k + 1 for n in size]
    shape = (cout, *outs, cin, *([k] * nd))
    ndim = len(shape)
    rows = np.arange(cout, dtype=np.int32).reshape((-1,) + (1,) * (ndim - 1)) * int(np.prod(outs))
    cols = np.arange(cin, dtype=np.int32).reshape((1,) * (nd + 1) + (-1,) + (1,) * nd) * int(
        np.prod(size)
    )
    valid = np.ones((1,) * ndim, dtype=bool)
    out_stride, in_stride = 1, 1
    for d in reversed(range(nd)):
        o = np.arange(outs[d], dtype=np.int32).reshape(
            [outs[d] if a == 1 + d else 1 for a in range(ndim)])
        j = np.arange(k, dtype=np.int32).reshape([k if a == nd + 2 + d else 1 for a in range(ndim)])
        pos = o + j - pad
        valid = valid & (pos >= 0) & (pos < size[d])
        rows = rows + o * out_stride
        cols = cols + pos * in_stride
        out_stride *= outs[d]
        in_stride *= size[d]
    rows, cols = np.broadcast_arrays(rows, cols)
    mask = np.broadcast_to(valid, shape)
    # weight (cout, cin, *k) seen on the grid (cout, *out, cin, *k)
    wv = w.reshape((cout,) + (1,) * nd + (cin,) + (k,) * nd)
    data = np.broadcast_to(wv, shape)[mask]
    return rows[mask], cols[mask], data


def naive_sympy(case: str) -> Any:
    """``sympy.Matrix(rows, cols, lambda i, j: ...)``: every entry decoded and tested."""
    import sympy

    nd, cin, cout, k, pad, size = CASES[case]
    outs = [n + 2 * pad - k + 1 for n in size]
    w = sympy.symarray("w", (cout, cin) + (k,) * nd)
    n_out, n_in = cout * int(np.prod(outs)), cin * int(np.prod(size))

    def unravel(flat: int, shape: tuple[int, ...]) -> list[int]:
        idx = []
        for n in reversed(shape):
            flat, r = divmod(flat, n)
            idx.append(r)
        return idx[::-1]

    def entry(r: Any, c: Any) -> Any:
        co, *o = unravel(int(r), (cout, *outs))
        ci, *i = unravel(int(c), (cin, *size))
        j = tuple(a - b + pad for a, b in zip(i, o))
        if all(0 <= v < k for v in j):
            return w[(co, ci, *j)]
        return 0

    return sympy.Matrix(n_out, n_in, entry)


def dok_sympy(case: str) -> Any:
    """A SymPy SparseMatrix from a dict of keys filled by a Python loop over taps."""
    import sympy

    nd, cin, cout, k, pad, size = CASES[case]
    outs = [n + 2 * pad - k + 1 for n in size]
    w = sympy.symarray("w", (cout, cin) + (k,) * nd)
    entries = {}
    for co in range(cout):
        for o in np.ndindex(*outs):
            r = int(np.ravel_multi_index((co, *o), (cout, *outs)))
            for ci in range(cin):
                for j in np.ndindex(*([k] * nd)):
                    i = tuple(a + b - pad for a, b in zip(o, j))
                    if all(0 <= v < n for v, n in zip(i, size)):
                        c = int(np.ravel_multi_index((ci, *i), (cin, *size)))
                        entries[r, c] = w[(co, ci, *j)]
    n_out, n_in = cout * int(np.prod(outs)), cin * int(np.prod(size))
    return sympy.SparseMatrix(n_out, n_in, entries)


def torch_setup(case: str, w: np.ndarray) -> tuple[Any, Any, Any]:
    import torch

    nd, cin, cout, k, pad, size = CASES[case]
    module = getattr(torch.nn, f"Conv{nd}d")(cin, cout, k, padding=pad, bias=False).double()
    with torch.no_grad():
        module.weight.copy_(torch.from_numpy(w))
    x = torch.zeros((cin, *size), dtype=torch.float64)
    return torch, module, x


# -------------------------------------------------------- what runs where


def reason_not_run(case: str, method: str) -> str | None:
    """Why a method is not run on a case, or None."""
    nd, cin, cout, k, pad, size = CASES[case]
    outs = [n + 2 * pad - k + 1 for n in size]
    n_out, n_in = cout * int(np.prod(outs)), cin * int(np.prod(size))
    dense_gib = n_out * n_in * 8 / 2**30
    if method == "scipy convolution_matrix" and nd != 1:
        return "1-D only"
    if method.startswith(("torch", "autograd")) and not torch_available():
        return "not run: torch is not installed"
    if method.startswith(("torch", "autograd")) and dense_gib > 4:
        return f"not run: dense Jacobian needs {dense_gib:.0f} GiB"
    if method == "symconv to_numpy (dense)" and n_out * n_in > 2**28:
        return f"refused: dense T needs {dense_gib:.0f} GiB"
    if method in ("symconv d.matrix (SymPy)", "SymPy SparseMatrix (dict)") and (
        products(case) > 2_000_000
    ):
        return f"not run: {products(case) / 1e6:.0f} M SymPy products (over SYMBOLIC_LIMIT)"
    if method == "sympy.Matrix(lambda)" and n_out * n_in > 6_000_000:
        return f"not run: {n_out * n_in / 1e6:.0f} M entries to evaluate"
    return None


def job(case: str, method: str) -> Callable[[], Any]:
    """A zero-argument function doing the work of ``method`` on ``case`` once."""
    w = weight(case)
    size = CASES[case][5]
    if method == "symconv to_scipy":
        lay = layer(case)
        return lambda: lay.derive(input_size=size, weight=w).to_scipy()
    if method == "symconv to_numpy (dense)":
        lay = layer(case)
        return lambda: lay.derive(input_size=size, weight=w).to_numpy()
    if method == "symconv stats":
        lay = layer(case)
        return lambda: lay.derive(input_size=size).stats()
    if method == "symconv d.matrix (SymPy)":
        lay = layer(case)
        return lambda: lay.derive(input_size=size).matrix
    if method == "NumPy COO (floor)":
        import scipy.sparse

        def coo() -> Any:
            r, c, v = numpy_coo(case, w)
            return scipy.sparse.coo_array((v, (r, c)))

        return coo
    if method == "NumPy COO -> CSR":
        import scipy.sparse

        def csr() -> Any:
            r, c, v = numpy_coo(case, w)
            return scipy.sparse.coo_array((v, (r, c))).tocsr()

        return csr
    if method == "scipy convolution_matrix":
        import scipy.linalg

        n = size[0]
        # correlation of a length-n input with w (valid) = convolution with w reversed
        return lambda: scipy.linalg.convolution_matrix(w.reshape(-1)[::-1], n, mode="valid")
    if method == "sympy.Matrix(lambda)":
        return lambda: naive_sympy(case)
    if method == "SymPy SparseMatrix (dict)":
        return lambda: dok_sympy(case)
    torch, module, x = torch_setup(case, w)
    if method == "torch.func.jacrev":
        return lambda: torch.func.jacrev(module)(x)
    if method == "torch.func.jacfwd":
        return lambda: torch.func.jacfwd(module)(x)
    if method == "autograd jacobian (vectorize)":
        return lambda: torch.autograd.functional.jacobian(module, x, vectorize=True)
    raise ValueError(f"unknown method {method!r}")


def rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def child(case: str, method: str, repeat: int) -> None:
    """Run one (case, method) in this process and print JSON: times and memory."""
    fn = job(case, method)
    base = rss_mib()
    t = time.perf_counter()
    fn()  # warm-up: lazy imports, first-touch memory
    first = time.perf_counter() - t
    times: list[float] = []
    while len(times) < (repeat if first <= 5 else 1):  # slow: one timed run after warm-up
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
        del out
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"times": times, "peak_mib": peak, "base_mib": base}))


def memory_child(case: str) -> None:
    """One ``to_scipy()`` from the spec in this fresh process: its peaks beside its result."""
    import tracemalloc

    lay, size, w = layer(case), CASES[case][5], weight(case)
    import scipy.sparse  # noqa: F401  (imported before the baseline, as in `child`)

    base = rss_mib()  # resident now (the peak so far may be higher: imports)
    tracemalloc.start()
    t = time.perf_counter()
    m = lay.derive(input_size=size, weight=w).to_scipy()
    elapsed = time.perf_counter() - t
    traced = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - base
    result = (m.data.nbytes + m.indices.nbytes + m.indptr.nbytes) / 2**20
    print(json.dumps({"time": elapsed, "rss_mib": rss, "traced_mib": traced,
                      "result_mib": result, "dtypes": [str(m.data.dtype), str(m.indices.dtype)]}))


def memory(case: str) -> None:
    """Item 7 of issue 13: peak memory of ``to_scipy()`` against its result (target 2x)."""
    cmd = [sys.executable, __file__, "--memory-child", case]
    r = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True)
                   .stdout.strip().splitlines()[-1])
    print(f"\n### Memory of to_scipy(), {case} ({products(case):,} products), fresh process\n")
    print("| result (data + indices + indptr) | peak RSS above baseline | tracemalloc peak "
          "| time |")
    print("| ---: | ---: | ---: | ---: |")
    print(f"| {r['result_mib']:,.0f} MiB ({'/'.join(r['dtypes'])}) | {r['rss_mib']:,.0f} MiB "
          f"({r['rss_mib'] / r['result_mib']:.2f}x) | {r['traced_mib']:,.0f} MiB "
          f"({r['traced_mib'] / r['result_mib']:.2f}x) | {fmt_time(r['time'])} |")
    print("\ntarget (issue 13, item 7): peak <= 2x the result; the peak includes the tap "
          "table, which stays cached on the derivation")


def run(case: str, method: str, repeat: int, timeout: float) -> dict[str, Any]:
    why = reason_not_run(case, method)
    if why:
        return {"note": why}
    cmd = [sys.executable, __file__, "--child", case, method, "--repeat", str(repeat)]
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return {"note": f"> {timeout:.0f} s (stopped)"}
    except subprocess.CalledProcessError as exc:
        return {"note": "failed: " + exc.stderr.strip().splitlines()[-1]}
    return json.loads(res.stdout.strip().splitlines()[-1])


def fmt_time(t: float) -> str:
    if t < 1e-3:
        return f"{t * 1e6:.0f} µs"
    if t < 1:
        return f"{t * 1e3:.1f} ms"
    return f"{t:.2f} s"


# ------------------------------------------------------------------ sweep


def sweep_child(c: int, n: int, method: str, repeat: int) -> None:
    import scipy.sparse

    import symconv as sc

    w = np.random.default_rng(0).standard_normal((c, c, 3, 3))
    lay = sc.Conv2d(c, c, 3, padding=1, bias=False)
    CASES["sweep"] = (2, c, c, 3, 1, (n, n))
    if method == "to_scipy":
        def fn() -> Any:
            return lay.derive(input_size=(n, n), weight=w).to_scipy()
    else:
        def fn() -> Any:
            r, cc, v = numpy_coo("sweep", w)
            return scipy.sparse.coo_array((v, (r, cc)))
    fn()  # warm-up
    times = []
    for _ in range(repeat if (3 * n - 2) ** 2 * c * c > 10**6 else max(repeat, 15)):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    print(json.dumps({"times": times}))


def print_exponents(xs: list[int], ns_sc: list[float], ns_np: list[float]) -> None:
    """The fitted exponent b of time ~ products**b (least squares on log-log), per range."""
    p = np.log10(np.array(xs, dtype=float))
    for lo, hi in ((9e2, 1.1e7), (9e2, np.inf), (1e5, np.inf)):  # "10^3 to 10^7"
        keep = (np.array(xs) >= lo) & (np.array(xs) <= hi)
        if keep.sum() < 2:
            continue
        fits = [np.polyfit(p[keep], np.log10(np.array(ns)[keep] * np.array(xs)[keep]), 1)[0]
                for ns in (ns_sc, ns_np)]
        span = f"{min(np.array(xs)[keep]):,} to {max(np.array(xs)[keep]):,}"
        print(f"\nfitted exponent from {span} products ({int(keep.sum())} points): "
              f"to_scipy {fits[0]:.2f}, NumPy floor {fits[1]:.2f} (1 = linear)")


def sweep(points: list[tuple[int, int]], repeat: int, plot: Path | None) -> None:
    print("\n### Linear scaling: Conv2d(c, c, 3, padding=1) on c x n x n\n")
    print("| c | n | products | to_scipy | ns / product | NumPy COO (floor) | ns / product |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    xs, ys_sc, ys_np = [], [], []
    for c, n in points:
        prods = (3 * n - 2) ** 2 * c * c
        row = []
        for method in ("to_scipy", "floor"):
            cmd = [sys.executable, __file__, "--sweep-child", str(c), str(n), method,
                   "--repeat", str(repeat)]
            out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
            row.append(statistics.median(json.loads(out.strip().splitlines()[-1])["times"]))
        xs.append(prods)
        ys_sc.append(row[0] / prods * 1e9)
        ys_np.append(row[1] / prods * 1e9)
        print(f"| {c} | {n} | {prods:,} | {fmt_time(row[0])} | {ys_sc[-1]:.1f} | "
              f"{fmt_time(row[1])} | {ys_np[-1]:.1f} |", flush=True)
    print_exponents(xs, ys_sc, ys_np)
    if plot is None:
        return
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8), dpi=110)
    t_sc = [y * x / 1e9 for x, y in zip(xs, ys_sc)]
    t_np = [y * x / 1e9 for x, y in zip(xs, ys_np)]
    left.loglog(xs, t_sc, "o-", label="symconv to_scipy (CSR, from spec)")
    left.loglog(xs, t_np, "s--", label="NumPy fancy-indexing COO (floor)")
    ref = t_sc[-1] / xs[-1]
    left.loglog(xs, [ref * x for x in xs], ":", color="gray", label="linear (slope 1)")
    left.set_xlabel("products (taps) of the layer")
    left.set_ylabel("time (s)")
    left.set_title("Total time")
    right.loglog(xs, ys_sc, "o-", label="symconv to_scipy")
    right.loglog(xs, ys_np, "s--", label="NumPy COO (floor)")
    right.set_xlabel("products (taps) of the layer")
    right.set_ylabel("time per product (ns)")
    right.set_title("Time per product")
    for ax in (left, right):
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle("Exact layer matrix of Conv2d(c, c, 3, padding=1) on c x n x n", fontsize=10)
    fig.tight_layout()
    plot.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(plot, metadata={"Software": None})
    print(f"\nplot saved to {plot.relative_to(ROOT)}")


# ------------------------------------------------------------------- main


def versions_line() -> str:
    """The library versions of this run (torch only when it is installed)."""
    import scipy
    import sympy

    if torch_available():
        import torch

        torch_note = f"torch {torch.__version__} ({torch.get_num_threads()} threads)"
    else:
        torch_note = "torch not installed"
    return (f"Python {platform.python_version()}, NumPy {np.__version__}, SciPy "
            f"{scipy.__version__}, SymPy {sympy.__version__}, {torch_note}, "
            f"{os.cpu_count()} CPUs, {platform.machine()}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true",
                    help="3 repeats, no naive sympy.Matrix, sweep to 10**6 products")
    ap.add_argument("--repeat", type=int, default=None, help="timed runs per method (median)")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds per (case, method)")
    ap.add_argument("--no-plot", action="store_true")
    ap.add_argument("--child", nargs=2, metavar=("CASE", "METHOD"), help=argparse.SUPPRESS)
    ap.add_argument("--sweep-child", nargs=3, metavar=("C", "N", "METHOD"), help=argparse.SUPPRESS)
    ap.add_argument("--memory-child", metavar="CASE", help=argparse.SUPPRESS)
    ap.add_argument("--only", choices=["memory", "sweep"],
                    help="run only the to_scipy memory measurement (large layer) or the sweep")
    args = ap.parse_args()
    if args.memory_child:
        memory_child(args.memory_child)
        return
    repeat = args.repeat or (3 if args.quick else 5)
    if args.child:
        child(*args.child, repeat)
        return
    if args.sweep_child:
        c, n, method = args.sweep_child
        sweep_child(int(c), int(n), method, repeat)
        return

    if args.only:
        print(versions_line() + f"; load average {os.getloadavg()[0]:.2f}")
        if args.only == "memory":
            memory("large")
        else:
            sweep(SWEEP, repeat, None if args.no_plot else ROOT / "docs" / "img" / "scaling.png")
        print(f"\nload average at the end {os.getloadavg()[0]:.2f}")
        return

    print(versions_line())
    print(f"median of {repeat} runs after a warm-up run (1 run when the warm-up takes over "
          f"5 s); large layer: + peak RSS of the subprocess above its baseline; load average "
          f"at start {os.getloadavg()[0]:.2f}\n")
    header = "| method | " + " | ".join(f"{c} ({products(c):,} products)" for c in CASES) + " |"
    print(header)
    print("| --- |" + " ---: |" * len(CASES))
    results: dict[tuple[str, str], dict[str, Any]] = {}
    for method in METHODS:
        cells = []
        for case in CASES:
            if args.quick and method == "sympy.Matrix(lambda)" and case != "1-D":
                res: dict[str, Any] = {"note": "not run (--quick)"}
            else:
                res = run(case, method, repeat, args.timeout)
            results[case, method] = res
            if "note" in res:
                cells.append(res["note"])
            else:
                cell = fmt_time(statistics.median(res["times"]))
                if case == "large":
                    cell += f", +{res['peak_mib'] - res['base_mib']:,.0f} MiB"
                cells.append(cell)
        print(f"| {method} | " + " | ".join(cells) + " |", flush=True)

    def med(case: str, method: str) -> float | None:
        res = results.get((case, method), {})
        return statistics.median(res["times"]) if "times" in res else None

    print("\n### Targets\n")
    cifar = med("CIFAR", "symconv to_scipy")
    torch_best = min(
        (t for m in METHODS if m.startswith(("torch", "autograd"))
         if (t := med("CIFAR", m)) is not None),
        default=None,
    )
    if cifar and torch_best:
        print(f"- CIFAR: fastest torch Jacobian / to_scipy = {torch_best / cifar:.1f}x "
              f"(target >= 10x)")
    big, floor = med("large", "symconv to_scipy"), med("large", "NumPy COO (floor)")
    if big and floor:
        peak = results["large", "symconv to_scipy"]
        print(f"- large: to_scipy / NumPy floor = {big / floor:.2f}x (target <= 2x); "
              f"peak RSS {peak['peak_mib']:,.0f} MiB, {peak['peak_mib'] - peak['base_mib']:,.0f} "
              f"MiB above baseline (target < 2 GB)")

    memory("large")
    points = [p for p in SWEEP if not args.quick or (3 * p[1] - 2) ** 2 * p[0] ** 2 <= 2e6]
    sweep(points, repeat, None if args.no_plot else ROOT / "docs" / "img" / "scaling.png")


if __name__ == "__main__":
    main()
