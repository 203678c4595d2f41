"""Speed of networks: LeNet-5 C1 + ReLU + MaxPool2d(2) symbolic, and full LeNet-5 through torch.

    python benchmarks/bench_network.py              # both cases, best of three
    python benchmarks/bench_network.py --repeat 1   # one run each
    python benchmarks/bench_network.py --small      # a 16x16 input for C1 (a quick look)

Targets of issue 12 (wall clock on the machine at hand; a benchmark, never a timed test):

1. ``Sequential(Conv2d(1, 6, 5), ReLU(), MaxPool2d(2)).derive(input_size=(1, 32, 32))``
   and its ``check()`` (forward and backward vs torch): under 3 s.
2. The full LeNet-5 ``nn.Sequential`` through ``from_torch`` with a numeric input,
   forward and backward (``gradient(grad_output=...)``) compared with torch: under 5 s.

Each phase is timed on its own (wall clock and CPU time of this process,
``time.process_time``, best of ``--repeat``), so the report says where the time
goes; torch's own forward + backward of the same network, timed in the same run,
stands beside it as the baseline.  torch is imported before any timing (its
import, a few seconds cold, is reported on its own line).  The machine is shared:
the load average is printed with the figures.  Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import symconv as sc
from symconv.core._sequential import entries

Row = tuple[str, float, float]


def best(fn: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """The fastest of ``repeat`` runs of ``fn()``: (wall seconds, CPU seconds of that run)."""
    runs = []
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        fn()
        runs.append((time.perf_counter() - w, time.process_time() - c))
    return min(runs)


def fmt(seconds: float) -> str:
    """Milliseconds below 0.1 s, seconds above."""
    if seconds != seconds:
        return "skipped"
    return f"{seconds * 1e3:.1f} ms" if seconds < 0.1 else f"{seconds:.3f} s"


def torch_baseline(torch: Any, net: Any, x: Any, g: Any, repeat: int) -> tuple[float, float]:
    """torch's own forward + backward of ``net`` on a batch of one (float64)."""

    def run() -> None:
        xt = x.clone()[None].requires_grad_(True)
        net.zero_grad()
        net(xt).backward(g[None])

    return best(run, max(repeat, 3))


def c1_case(torch: Any, size: int, repeat: int) -> list[Row]:
    net = sc.Sequential(sc.Conv2d(1, 6, 5), sc.ReLU(), sc.MaxPool2d(2))
    holder: dict[str, Any] = {}

    def derive() -> None:
        holder["nd"] = net.derive(input_size=(1, size, size))
        _ = holder["nd"].output  # every layer's output is built inside derive

    def check() -> None:
        assert holder["nd"].check(trials=1)

    t_derive = best(derive, repeat)
    t_check = best(check, repeat)
    nn = torch.nn
    ref = nn.Sequential(nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2)).double()
    out = (size - 4) // 2
    base = torch_baseline(torch, ref, torch.randn(1, size, size, dtype=torch.float64),
                          torch.randn(6, out, out, dtype=torch.float64), repeat)
    name = f"C1 + ReLU + MaxPool2d(2), symbolic, {size}x{size}"
    total = (t_derive[0] + t_check[0], t_derive[1] + t_check[1])
    return [(f"{name}: derive", *t_derive), (f"{name}: check() vs torch", *t_check),
            (f"**{name}: total** (target < 3 s)", *total),
            ("baseline: torch forward + backward of the same layers", *base)]


def lenet_case(torch: Any, repeat: int) -> list[Row]:
    nn = torch.nn
    torch.manual_seed(0)
    lenet = nn.Sequential(
        nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(400, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10)).double()
    x = torch.randn(1, 32, 32, dtype=torch.float64)
    g = torch.randn(10, dtype=torch.float64)
    holder: dict[str, Any] = {}

    def forward() -> None:
        holder["nd"] = sc.from_torch(lenet, x=x)

    def backward() -> None:
        holder["gn"] = holder["nd"].gradient(grad_output=g.numpy())

    def compare() -> None:
        xt = x.clone()[None].requires_grad_(True)
        lenet.zero_grad()
        y = lenet(xt)
        y.backward(g[None])
        nd, gn = holder["nd"], holder["gn"]
        got_y = np.array(entries(nd.output), dtype=float)
        got_dx = np.array(entries(gn.input), dtype=float)
        assert np.allclose(got_y, y.detach()[0].numpy().reshape(-1))
        assert np.allclose(got_dx, xt.grad[0].numpy().reshape(-1))
        for gl, m in zip(gn.layers, lenet):
            if gl.weight is not None:
                assert np.allclose(np.array(entries(gl.weight), dtype=float),
                                   m.weight.grad.numpy().reshape(-1))
                assert np.allclose(np.array(entries(gl.bias), dtype=float),
                                   m.bias.grad.numpy().reshape(-1))

    t_fwd = best(forward, repeat)
    t_bwd = best(backward, repeat)
    t_cmp = best(compare, repeat)
    total = tuple(a + b + c for a, b, c in zip(t_fwd, t_bwd, t_cmp))
    base = torch_baseline(torch, lenet, x, g, repeat)
    return [("LeNet-5 from_torch, numeric: forward (derive)", *t_fwd),
            ("LeNet-5: backward (chain rule)", *t_bwd),
            ("LeNet-5: read outputs and gradients, compare with torch autograd", *t_cmp),
            ("**LeNet-5: total** (target < 5 s)", *total),
            ("baseline: torch forward + backward of LeNet-5", *base)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--small", action="store_true", help="C1 on 16x16 instead of 32x32")
    args = ap.parse_args()
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    w = time.perf_counter()
    try:
        import torch
    except ImportError:
        print("torch is not installed: the benchmark compares with torch, nothing to do")
        return
    rows: list[Row] = [("import torch (once, before the timings)", time.perf_counter() - w,
                        float("nan"))]
    rows += c1_case(torch, 16 if args.small else 32, args.repeat)
    rows += lenet_case(torch, args.repeat)
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    print(f"Python {platform.python_version()}, {os.cpu_count()} cores, best of "
          f"{args.repeat}; load average {load_before:.1f} before, "
          f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1/5/15 min) after\n")
    print("| case | wall | CPU (this process) |\n| --- | --- | --- |")
    for name, wall, cpu in rows:
        print(f"| {name} | {fmt(wall)} | {fmt(cpu) if cpu == cpu else '-'} |")


if __name__ == "__main__":
    main()
