"""Speed and size of the HTML explorer, from the seed to a VGG-sized first layer.

    python benchmarks/bench_html.py              # seed, LeNet C1 (large mode), a 3x3 layer
    python benchmarks/bench_html.py --big        # also Conv2d(3, 64, 3, padding=1) on 224x224

Each figure is the best of ``--repeat`` runs on a fresh Derivation (views are
cached); the tap table is built before timing only where the label says so.
Beyond ``HTML_MAX_ENTRIES`` entries of T the page shows structure and a
drill-down (large mode), so its size stays bounded.  Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import platform
from collections.abc import Callable

import sympy
from _timing import best, fmt

import symconv as sc


def cases(big: bool) -> list[tuple[str, Callable[[], sc.Derivation], dict]]:
    out: list[tuple[str, Callable[[], sc.Derivation], dict]] = [
        ("seed correlate(x[4], w[3]), gradient",
         lambda: sc.correlate(sympy.symarray("x", 4), sympy.symarray("w", 3)),
         {"gradient": True}),
        ("Conv2d(1, 1, 3, padding=1) on 8x8, reflect, gradient (full page, 4,096 entries)",
         lambda: sc.Conv2d(1, 1, 3, padding=1, padding_mode="reflect").derive(
             input_size=(8, 8)), {"gradient": True}),
        ("LeNet C1: Conv2d(1, 6, 5) on 32x32 (large mode), gradient",
         lambda: sc.Conv2d(1, 6, 5).derive(input_size=(32, 32)), {"gradient": True}),
    ]
    if big:
        out.append(("Conv2d(3, 64, 3, padding=1) on 224x224 (86 million products)",
                    lambda: sc.Conv2d(3, 64, 3, padding=1).derive(input_size=(224, 224)), {}))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--big", action="store_true", help="also the 224x224 layer (about 30 s)")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(f"Python {platform.python_version()}, sympy {sympy.__version__}\n")
    print("| page | time | size |")
    print("| --- | --- | --- |")
    pages: list[str] = []
    for what, make, options in cases(args.big):

        def run(make: Callable[[], sc.Derivation] = make, options: dict = options) -> None:
            pages.append(make().to_html(**options))

        seconds = best(run, 1 if "224" in what else args.repeat)
        print(f"| {what} | {fmt(seconds)} | {len(pages[-1]) / 1024:,.0f} KiB |")


if __name__ == "__main__":
    main()
