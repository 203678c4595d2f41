"""Pausing Python's cyclic garbage collector during bulk construction (layer: core).

Building a derivation's views allocates hundreds of thousands of SymPy
objects and tuples, none of them in reference cycles.  Each allocation burst
triggers collections that walk every tracked object, which for a LeNet-sized
layer costs as much as the work itself.  Reference counting still frees
everything as usual; only the cycle detector waits until the block ends.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


@contextmanager
def paused_gc() -> Iterator[None]:
    """Disable the cyclic collector inside the block (re-entrant; restores the state).

    Examples
    --------
    >>> import gc
    >>> with paused_gc():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def without_gc(fn: F) -> F:
    """Decorator form of :func:`paused_gc`."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with paused_gc():
            return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
