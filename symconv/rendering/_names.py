"""Symbol names, printed one way everywhere: the ``names`` and ``index_base`` options.

Layer: rendering.  The one printer of symbol names: LaTeX fragments and documents
(:class:`symconv.rendering._render.Printer`), pictures (:mod:`symconv.rendering._plot`,
:mod:`symconv.rendering._network_plot`), the text report, the command line and the
hand checker all turn ``x_0_1`` into a name through :class:`Names`, in one of two
flavours: ``latex`` (``a_{1,2}``) and ``text`` (``a_1_2``).

``names`` gives each *role* a letter (``x`` input, ``w`` weight, ``b`` bias, ``y``
output, ``g`` upstream gradient, ``a`` activation, ``T`` layer matrix, ``P`` patch
matrix, ``L`` loss): a preset (``"xwb"``, ``"aWz"``) or a mapping of roles to names.
``index_base`` (0 or 1) is added to every printed index; the values and their
SymPy symbols keep 0-based names.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from ..boundary._values import SYMARRAY_NAME
from . import _tex as tex

#: The roles a name can be given to (``names=`` option).
ROLES: tuple[str, ...] = ("x", "w", "b", "y", "g", "a", "T", "P", "L")

#: Name presets: plain text names (LaTeX by :func:`symconv.rendering._tex.symbol_name`).
PRESETS: dict[str, dict[str, str]] = {
    "xwb": {"x": "x", "w": "w", "b": "b", "y": "y", "g": "g", "a": "a", "T": "T", "P": "P",
            "L": "L"},
    "aWz": {"x": "a", "w": "W", "b": "b", "y": "z", "g": "delta", "a": "a'", "T": "T",
            "P": "P", "L": "L"},
}

#: Symbol names whose letter follows the ``names`` option.
RENAMED: tuple[str, ...] = ("x", "w", "b", "y", "g", "a", "T", "P")

Flavour = Literal["latex", "text"]
FLAVOURS: tuple[str, ...] = ("latex", "text")


def parse_names(names: object) -> dict[str, str]:
    """Every role's name: a preset's, or the default's overridden by a mapping.

    Examples
    --------
    >>> parse_names("aWz")["w"], parse_names({"x": "u"})["x"], parse_names({"x": "u"})["w"]
    ('W', 'u', 'w')
    """
    if isinstance(names, str):
        if names not in PRESETS:
            raise ValueError(
                f"`names` must be one of the presets {', '.join(map(repr, PRESETS))} "
                f"or a mapping of roles to names, got {names!r}"
            )
        return dict(PRESETS[names])
    if not isinstance(names, Mapping):
        raise TypeError(f"`names` must be a preset name or a mapping, got {names!r}")
    out = dict(PRESETS["xwb"])
    for role, name in names.items():
        if role not in ROLES:
            raise ValueError(
                f"`names` has an unknown role {role!r}; the roles are {', '.join(ROLES)}"
            )
        if not isinstance(name, str) or not name:
            raise ValueError(f"`names` must map {role!r} to a non-empty name, got {name!r}")
        out[role] = name
    return out


def check_index_base(index_base: object) -> int:
    """``index_base`` as an int, 0 or 1.

    Not an integer (``1.0``, ``"1"``) or a bool (``True == 1`` in Python) is a
    TypeError; another integer a ValueError.

    >>> check_index_base(1)
    1
    >>> check_index_base(1.0)
    Traceback (most recent call last):
    ...
    TypeError: `index_base` must be an int, 0 or 1 (not a bool or a float), got 1.0 (float)
    """
    if isinstance(index_base, bool) or not isinstance(index_base, numbers.Integral):
        raise TypeError(f"`index_base` must be an int, 0 or 1 (not a bool or a float), "
                        f"got {index_base!r} ({type(index_base).__name__})")
    if index_base not in (0, 1):
        raise ValueError(f"`index_base` must be 0 or 1, got {index_base!r}")
    return int(index_base)


@dataclass(frozen=True)
class Names:
    """Validated ``names`` and ``index_base``: how every symbol name is printed.

    Examples
    --------
    >>> import sympy
    >>> n = Names.of("aWz", 1)
    >>> n.symbol(sympy.Symbol("w_0_2")), n.symbol(sympy.Symbol("w_0_2"), "text")
    ('W_{1,3}', 'W_1_3')
    >>> n.indexed("y", (0,)), n.indexed("g", (4,), "text"), n.indexed("g", (4,))
    ('z_{1}', 'delta_5', '\\\\delta_{5}')
    >>> Names.of().symbol(sympy.Symbol("x_3")), Names.of().plain
    ('x_{3}', True)
    """

    names: Mapping[str, str] = field(default_factory=lambda: dict(PRESETS["xwb"]))
    index_base: int = 0

    @classmethod
    def of(cls, names: object = "xwb", index_base: object = 0) -> Names:
        """Check ``names`` (preset or mapping) and ``index_base`` (0 or 1) once.

        ``names`` may already be a :class:`Names` (as the CLI passes it on): it is
        kept, with ``index_base`` applied only when that is 1.
        """
        if isinstance(names, Names):
            base = 0 if index_base is None else check_index_base(index_base)
            return names if base == 0 else cls(names.names, base)
        return cls(parse_names("xwb" if names is None else names),
                   check_index_base(0 if index_base is None else index_base))

    @cached_property
    def plain(self) -> bool:
        """The default names, 0-based: every symbol prints as its own name."""
        return self.index_base == 0 and dict(self.names) == PRESETS["xwb"]

    @cached_property
    def _latex_letters(self) -> dict[str, str]:
        return {role: tex.symbol_name(name) for role, name in self.names.items()}

    def letter(self, role: str, flavour: Flavour = "latex") -> str:
        """The name of ``role`` (``"w"`` -> ``W`` under ``aWz``)."""
        return self._latex_letters[role] if flavour == "latex" else self.names[role]

    def index(self, idx: Sequence[Any], flavour: Flavour = "latex") -> str:
        """Indices with the base added: ``1,2`` (LaTeX) or ``1_2`` (text)."""
        sep = "," if flavour == "latex" else "_"
        return sep.join(str(int(v) + self.index_base) for v in idx)

    def indexed(self, role: str, idx: Sequence[Any], flavour: Flavour = "latex") -> str:
        """``W_{1,2}`` (LaTeX) or ``W_1_2`` (text): ``role``'s element ``idx`` (0-based)."""
        return self._join(self.letter(role, flavour), idx, flavour)

    def symbol(self, s: Any, flavour: Flavour = "latex") -> str:
        """A symbol's name: ``x_1_2`` -> ``x_{1,2}``, renamed and shifted; else itself.

        A name such as ``x_1_2`` (as :func:`symconv.symbols` and ``sympy.symarray``
        make them) is an element: its letter follows ``names`` when it is a role's
        default letter, and its indices follow ``index_base``.  A bare role letter
        (``b``) is renamed; any other name is printed as it is (escaped in LaTeX).
        """
        name = str(getattr(s, "name", s))
        m = SYMARRAY_NAME.match(name)
        if m:
            prefix, digits = m.group(1), m.group(2)
            letter = self.letter(prefix, flavour) if prefix in RENAMED else (
                tex.symbol_name(prefix) if flavour == "latex" else prefix)
            return self._join(letter, [int(v) for v in digits[1:].split("_")], flavour)
        if name in RENAMED:
            return self.letter(name, flavour)
        return tex.symbol_name(name) if flavour == "latex" else name

    def value(self, v: Any, flavour: Flavour = "latex") -> str:
        """One SymPy value (symbol, number or expression) with its symbols renamed."""
        if flavour == "latex":
            return tex.latex(v, name=self.symbol)
        if getattr(v, "is_Symbol", False):
            return self.symbol(v, "text")
        if self.plain or not hasattr(v, "free_symbols"):
            return str(v)
        from sympy import Symbol

        # str() prints a renamed copy; SymPy may reorder the terms of the renamed names
        return str(v.xreplace({s: Symbol(self.symbol(s, "text"))
                               for s in v.free_symbols if isinstance(s, Symbol)}))

    def _join(self, letter: str, idx: Sequence[Any], flavour: Flavour) -> str:
        if flavour == "latex":
            return tex.sub(letter, self.index(idx, "latex"))
        return letter + "".join(f"_{int(v) + self.index_base}" for v in idx)


#: The default names, 0-based.
DEFAULT = Names()
