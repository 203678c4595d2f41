"""Progress of long symbolic work, on a terminal only.

Layer: core.

Building SymPy objects for hundreds of thousands of products takes seconds to
minutes; :func:`track` then reports how far it got on ``stderr`` -- but only
when ``stderr`` is an interactive terminal (never in pipes, logs or tests), and
only for work of at least :data:`PROGRESS_THRESHOLD` products.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import IO, TypeVar

from ..boundary._limits import PROGRESS_THRESHOLD

T = TypeVar("T")


def track(
    items: Iterable[T],
    total: int,
    what: str,
    *,
    size: int,
    stream: IO[str] | None = None,
) -> Iterator[T]:
    """Yield ``items`` unchanged, reporting progress on a terminal for large work.

    Parameters
    ----------
    items : iterable
        The work, one item per step.
    total : int
        Number of items (the 100% mark).
    what : str
        What is being built, e.g. ``"outputs"``.
    size : int
        Products involved; below :data:`PROGRESS_THRESHOLD` nothing is reported.
    stream : file-like, optional
        Where to report; ``sys.stderr`` by default.  Reports are written only
        when ``stream.isatty()`` is true.

    Yields
    ------
    The items of ``items``.

    Notes
    -----
    A report is one line rewritten in place (``\\r``) at every whole percent,
    ``symconv: building outputs  42% (420,000 / 1,000,000)``, ended by a newline.

    Examples
    --------
    >>> list(track(range(3), 3, "outputs", size=10**9))  # stderr is not a terminal here
    [0, 1, 2]
    """
    out = sys.stderr if stream is None else stream
    if size < PROGRESS_THRESHOLD or total <= 0 or not _is_tty(out):
        yield from items
        return
    shown = -1
    for n, item in enumerate(items):
        percent = 100 * n // total
        if percent != shown:
            shown = percent
            out.write(f"\rsymconv: building {what} {percent:3d}% ({n:,} / {total:,})")
            out.flush()
        yield item
    out.write(f"\rsymconv: building {what} 100% ({total:,} / {total:,})\n")
    out.flush()


def _is_tty(stream: IO[str]) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty()) if callable(isatty) else False
    except (ValueError, OSError):  # a closed or detached stream
        return False
