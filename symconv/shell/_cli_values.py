"""Values typed on the command line: arrays, integers, sizes, paths (layer: shell).

Arrays are written ``1,2,3`` (rows split by ``;``, a trailing ``;`` makes one
row of a 2-D array) or with brackets, ``[1,2,3]`` and ``[[1,2,3]]``; every
entry goes through :func:`symconv.parse_value` (numbers, exact decimals,
fractions, symbol names -- never ``eval``).  A bad value raises
:class:`UsageError`, which the command line reports on one line (exit 2).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from ..boundary._values import parse_value

_SIZE = re.compile(r"^\d+(x\d+)*$")
_NEGATIVE_VALUE = re.compile(r"^-[\d.]")


class UsageError(Exception):
    """A bad option or value: reported on one line, exit code 2."""


def parse_values(option: str, text: str) -> list[Any]:
    """``"1,2,3"`` -> a list; ``"1,2;3,4"`` or ``"[[1,2],[3,4]]"`` -> rows.

    Examples
    --------
    >>> parse_values("--x", "1, 1/2; 0.5, a")
    [[1, 1/2], [1/2, a]]
    >>> parse_values("--x", "[1, 2, 3, 4]"), parse_values("--x", "1,2,3;")
    ([1, 2, 3, 4], [[1, 2, 3]])
    >>> parse_values("--x", "[[1, -2]]")
    [[1, -2]]
    """
    text = text.strip()
    if text.startswith("["):
        value, rest = _bracketed(option, text, text)
        if rest.strip():
            raise UsageError(f"{option}: unexpected {rest.strip()!r} after the closing ']' "
                             f"(in {text!r})")
        _rectangular(option, value, text)
        return value if isinstance(value, list) else [value]
    one_row = text.endswith(";")
    rows = text[:-1].split(";") if one_row else text.split(";")
    parsed = [[_value(option, item, text) for item in row.split(",")] for row in rows]
    if len(parsed) == 1 and not one_row:
        return parsed[0]
    if len({len(r) for r in parsed}) != 1:
        raise UsageError(f"{option}: rows must have the same length, got {text!r}")
    return parsed


def _value(option: str, item: str, text: str) -> Any:
    try:
        return parse_value(item)
    except ValueError as exc:
        raise UsageError(f"{option}: {exc} (in {text!r})") from None


def _bracketed(option: str, s: str, text: str) -> tuple[Any, str]:
    """One value or ``[...]`` list from the front of ``s``; returns it and the rest."""
    s = s.lstrip()
    if not s.startswith("["):
        m = re.match(r"[^,\[\]]*", s)
        item = m.group(0) if m else ""
        return _value(option, item, text), s[len(item):]
    items: list[Any] = []
    s = s[1:]
    if s.lstrip().startswith("]"):
        raise UsageError(f"{option}: an empty list [] has no values (in {text!r})")
    while True:
        item, s = _bracketed(option, s, text)
        items.append(item)
        s = s.lstrip()
        if s.startswith(","):
            s = s[1:]
        elif s.startswith("]"):
            return items, s[1:]
        else:
            raise UsageError(f"{option}: a list must close with ']' (in {text!r})")


def _rectangular(option: str, value: Any, text: str) -> tuple[int, ...]:
    if not isinstance(value, list):
        return ()
    shapes = {_rectangular(option, v, text) for v in value}
    if len(shapes) != 1:
        raise UsageError(f"{option}: rows must have the same length, got {text!r}")
    return (len(value), *shapes.pop())


def parse_ints(option: str, text: str, minimum: int = 1) -> int | tuple[int, ...]:
    """``"3"`` -> 3, ``"3,3"`` -> (3, 3); every entry an integer >= ``minimum``.

    Examples
    --------
    >>> parse_ints("--kernel-size", "3,3")
    (3, 3)
    """
    out = []
    for item in text.split(","):
        item = item.strip()
        if not re.fullmatch(r"-?\d+", item) or int(item) < minimum:
            rule = "positive integers" if minimum == 1 else f"integers >= {minimum}"
            raise UsageError(f"{option}: must be {rule} separated by commas, got {text!r}")
        out.append(int(item))
    return out[0] if len(out) == 1 else tuple(out)


def parse_int_in(option: str, text: str, lo: int, hi: int) -> int:
    """One integer in ``lo .. hi``.

    Examples
    --------
    >>> parse_int_in("--dpi", "100000", 10, 1200)
    Traceback (most recent call last):
    ...
    symconv.shell._cli_values.UsageError: --dpi: must be an integer from 10 to 1200, got '100000'
    """
    text = text.strip()
    if not re.fullmatch(r"\d+", text) or not lo <= int(text) <= hi:
        raise UsageError(f"{option}: must be an integer from {lo} to {hi}, got {text!r}")
    return int(text)


def size_of(text: str) -> tuple[int, ...] | None:
    """The shape a size such as ``4`` or ``3x3`` asks for, or None for values.

    Examples
    --------
    >>> size_of("3x3"), size_of("1,2")
    ((3, 3), None)
    """
    text = text.strip()
    if not _SIZE.fullmatch(text):
        return None
    return tuple(int(v) for v in text.split("x"))


def writable(option: str, path: Path) -> Path:
    """``path`` if a file can be written there, else :class:`UsageError` (before any work).

    Examples
    --------
    >>> writable("--document", Path("/nonexistent/x.tex"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    symconv.shell._cli_values.UsageError: --document: ... the folder '/nonexistent' does not exist
    """
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise UsageError(f"{option}: cannot write {str(path)!r}: it is a folder")
    if not folder.is_dir():
        raise UsageError(f"{option}: cannot write {str(path)!r}: the folder {str(folder)!r} "
                         "does not exist")
    if not os.access(folder, os.W_OK):
        raise UsageError(f"{option}: cannot write {str(path)!r}: no permission to write in "
                         f"{str(folder)!r}")
    return path


def write_text(option: str, path: Path, text: str) -> None:
    """Write ``text`` to ``path`` (UTF-8), an OSError reported as a :class:`UsageError`."""
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{option}: cannot write {str(path)!r}: {exc.strerror}") from None


def join_negative_values(argv: list[str], options: tuple[str, ...]) -> list[str]:
    """``["--x", "-1,2"]`` -> ``["--x=-1,2"]``: a value may start with a minus sign.

    argparse reads ``-1,2`` as an option; glued with ``=`` it is the option's value.

    Examples
    --------
    >>> join_negative_values(["derive", "--x", "-1,2", "--w", "3"], ("--x", "--w"))
    ['derive', '--x=-1,2', '--w', '3']
    """
    out: list[str] = []
    j = 0
    while j < len(argv):
        if argv[j] in options and j + 1 < len(argv) and _NEGATIVE_VALUE.match(argv[j + 1]):
            out.append(f"{argv[j]}={argv[j + 1]}")
            j += 2
        else:
            out.append(argv[j])
            j += 1
    return out
