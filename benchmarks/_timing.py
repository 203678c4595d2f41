"""Timing helpers shared by the benchmark scripts (run as ``python benchmarks/<script>.py``)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def best(fn: Callable[[], Any], repeat: int) -> float:
    """The fastest of ``repeat`` wall-clock timings of ``fn()``, in seconds."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def once(fn: Callable[[], Any]) -> float:
    """One timing of ``fn()``: for baselines too slow to repeat."""
    return best(fn, 1)


def best_or_once(fn: Callable[[], Any], repeat: int, slow: float = 2.0) -> float:
    """:func:`best` of ``repeat``, but only one run when the first takes over ``slow`` seconds."""
    first = once(fn)
    return first if first > slow or repeat <= 1 else min(first, best(fn, repeat - 1))


def cpu_once(fn: Callable[[], Any]) -> float:
    """The CPU time of one call of ``fn()`` (less inflated than wall time on a loaded machine)."""
    t = time.process_time()
    fn()
    return time.process_time() - t


def fmt(seconds: float) -> str:
    """Milliseconds below 0.1 s, seconds above."""
    return f"{seconds * 1e3:.1f} ms" if seconds < 0.1 else f"{seconds:.3f} s"
