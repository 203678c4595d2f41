"""Speed of networks: LeNet-5 C1 + ReLU + MaxPool2d(2) symbolic, and full LeNet-5 through torch.

    python benchmarks/bench_network.py              # both cases, one run each
    python benchmarks/bench_network.py --repeat 3   # best of three
    python benchmarks/bench_network.py --small      # a 16x16 input for C1 (a quick look)

Targets of issue 12 (wall clock on the machine at hand; a benchmark, never a timed test):

1. ``Sequential(Conv2d(1, 6, 5), ReLU(), MaxPool2d(2)).derive(input_size=(1, 32, 32))``
   and its ``check()`` (forward and backward vs torch): under 3 s.
2. The full LeNet-5 ``nn.Sequential`` through ``from_torch`` with a numeric input,
   forward and backward (``gradient(grad_output=...)``) compared with torch: under 5 s.

Each phase is timed on its own, so the report says where the time goes.  Prints a
Markdown table.
"""

from __future__ import annotations

import argparse
import os
import platform
from typing import Any

import numpy as np
from _timing import best, fmt

import symconv as sc
from symconv.core._sequential import entries


def c1_case(size: int, repeat: int) -> list[tuple[str, float]]:
    net = sc.Sequential(sc.Conv2d(1, 6, 5), sc.ReLU(), sc.MaxPool2d(2))
    holder: dict[str, Any] = {}

    def derive() -> None:
        holder["nd"] = net.derive(input_size=(1, size, size))
        _ = holder["nd"].output  # every layer's output is built inside derive

    def check() -> None:
        assert holder["nd"].check(trials=1)

    t_derive = best(derive, repeat)
    t_check = best(check, repeat)
    name = f"C1 + ReLU + MaxPool2d(2), symbolic, {size}x{size}"
    return [(f"{name}: derive", t_derive), (f"{name}: check() vs torch", t_check),
            (f"{name}: total", t_derive + t_check)]


def lenet_case(repeat: int) -> list[tuple[str, float]]:
    import torch

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

    t_fwd = best(forward, repeat)
    t_bwd = best(backward, repeat)
    t_cmp = best(compare, repeat)
    return [("LeNet-5 from_torch, numeric: forward (derive)", t_fwd),
            ("LeNet-5: backward (chain rule)", t_bwd),
            ("LeNet-5: compare with torch autograd", t_cmp),
            ("LeNet-5: total", t_fwd + t_bwd + t_cmp)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--small", action="store_true", help="C1 on 16x16 instead of 32x32")
    args = ap.parse_args()
    rows = c1_case(16 if args.small else 32, args.repeat)
    try:
        rows += lenet_case(args.repeat)
    except ImportError:
        rows.append(("LeNet-5 via from_torch", float("nan")))
        print("torch is not installed: the LeNet-5 case was skipped")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"Python {platform.python_version()}, {os.cpu_count()} cores, "
          f"load average {load:.1f}, best of {args.repeat}\n")
    print("| case | time |\n| --- | --- |")
    for name, t in rows:
        print(f"| {name} | {fmt(t) if t == t else 'skipped'} |")


if __name__ == "__main__":
    main()
