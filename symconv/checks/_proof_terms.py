"""The quantities a proof displays, as typed SymPy objects (layer: checks).

A proof's statements and steps hold SymPy objects only: the operands as the
derivation's own values, the role matrices as ``MatrixSymbol`` s (``x``, ``w``,
``T``...), single entries as ``Indexed`` elements of a role (``y[0, 1]``), and
every other displayed quantity as one of the typed nodes below.  Nothing here
knows notation: the renderers (:mod:`symconv.rendering._render` for LaTeX,
:mod:`symconv.rendering._proof_text` for plain text) print each node by its
*type*, honouring the ``names`` and ``index_base`` options; no Symbol name is
ever decoded.

Each node is an unevaluated SymPy ``Function`` (or ``Basic``): it compares
structurally (``Grad(w[0]) == Grad(w[0])``), so a proof's chain of steps is
followed with ``==``, and it never simplifies itself.

Examples
--------
>>> import sympy
>>> w = sympy.MatrixSymbol("w", 3, 1)
>>> Flip(w), Grad(sympy.IndexedBase("x")[1]), OutputSize(), OutputSize(1)
(Flip(w), Grad(x[1]), OutputSize(), OutputSize(1))
>>> Flip(w) == Flip(w), Flip(w).args
(True, (w,))
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sympy
from sympy import Basic, Function, Integer, MatrixSymbol, Symbol, Tuple
from sympy.core.symbol import Str

#: The roles a letter of a proof can stand for (the rendering's ``names`` option gives
#: each its printed name): input, weight, bias, output, upstream gradient, activation,
#: layer matrix, patch matrix, loss.
ROLES: tuple[str, ...] = ("x", "w", "b", "y", "g", "a", "T", "P", "L")


def _check_role(role: object) -> str:
    name = str(getattr(role, "name", role))
    if name not in ROLES:
        raise ValueError(f"`role` must be one of {', '.join(ROLES)}; got {role!r}")
    return name


class Role(Symbol):
    """The letter of a role (``Role("w")``: the weights), printed under ``names``.

    A typed symbol: the renderers print it by its type and role, never by parsing a
    name, so ``names="aWz"`` prints ``Role("w")`` as ``W``.  Its name is the role.

    Examples
    --------
    >>> Role("T"), Role("T") == Role("T"), Role("T") == Symbol("T")
    (T, True, False)
    """

    def __new__(cls, role: str) -> Role:
        return Symbol.__new__(cls, _check_role(role))

    @property
    def role(self) -> str:
        return str(self.name)


class RoleMatrix(MatrixSymbol):
    """A role as a matrix (``RoleMatrix("T", M, N)``; vectors have one column).

    Examples
    --------
    >>> T, x = RoleMatrix("T", 2, 4), RoleMatrix("x", 4, 1)
    >>> T * x, (T * x).shape
    (T*x, (2, 1))
    """

    def __new__(cls, role: Any, rows: Any, cols: Any = 1) -> RoleMatrix:
        _check_role(role)
        return MatrixSymbol.__new__(cls, role, rows, cols)

    @property
    def role(self) -> str:
        return str(self.name)


class Letter(Symbol):
    """A letter of a formula (a size ``n``, an index ``o``, the map ``A``), printed as it
    is: never renamed by ``names``, never re-indexed by ``index_base``.

    Examples
    --------
    >>> a = Letter("a", integer=True)
    >>> a, a.is_integer, a == Symbol("a", integer=True)
    (a, True, False)
    """


def entry(role: str, index: Sequence[Any]) -> Any:
    """Element ``index`` (0-based) of a role: ``entry("y", (0, 2))`` is ``y[0, 2]``.

    Examples
    --------
    >>> entry("y", (0, 2)), entry("x", [3])
    (y[0, 2], x[3])
    """
    return sympy.IndexedBase(Role(role))[tuple(sympy.sympify(int(v)) for v in index)]


class Term(Function):
    """A displayed quantity of a proof: unevaluated, printed by its type."""

    @classmethod
    def eval(cls, *args: Any) -> None:
        return None  # never evaluates: the node is what the proof shows


class Grad(Term):
    """``dL/dv``: the gradient of the loss ``L`` with respect to ``v``.

    ``v`` is an entry of a role (``IndexedBase("w")[0, 2]``) or a whole role
    vector (``MatrixSymbol("w", K, 1)``); the loss is the role ``L``.
    """

    nargs = 1


class Flip(Term):
    """``flip(w)``: the kernel reversed in every spatial axis."""

    nargs = 1


class Convolve(Term):
    """``conv(x, w)``: true convolution (the kernel flipped) of ``x`` by ``w``."""

    nargs = 2


class Correlate(Term):
    """``corr(x, w)``: cross-correlation (no flip) of ``x`` by ``w``."""

    nargs = 2


class TransposedConv(Term):
    """``convT(g, w)``: the transposed convolution of ``g`` by ``w`` (the taps with input
    and output swapped): the adjoint of the layer."""

    nargs = 2


class Vec(Term):
    """``vec(T)``: the entries of a matrix as one column."""

    nargs = 1


class Dim(Term):
    """``dim {T(w)}``: the dimension of the space of layer matrices ``T(w)`` that the
    weights ``w`` reach (first argument the layer matrix, second the weights)."""

    nargs = 2


class Rank(Term):
    """``rank A``: the rank of a matrix."""

    nargs = 1


class OutputSize(Term):
    """``n_out``: the output size of a layer; ``OutputSize(a)`` that of axis ``a`` (0-based)."""

    nargs = (0, 1)


def _basic(v: Any) -> Basic:
    """A parameter value as SymPy data: ints, strings and (nested) tuples."""
    if isinstance(v, Basic):
        return v
    if isinstance(v, str):
        return Str(v)
    if isinstance(v, (tuple, list)):
        return Tuple(*(_basic(e) for e in v))
    if isinstance(v, bool) or not isinstance(v, int):
        raise TypeError(f"an operation parameter must be an int, a str or a tuple, got {v!r}")
    return Integer(v)


class Operation(Basic):
    """A call of a reference operation, as data: its name, operands and parameters.

    ``Operation(Str("convolve"), Tuple(g, w), Tuple(Tuple(Str("mode"), Str("full"))),
    Tuple())``; build one with :meth:`of`.  ``window`` (per axis ``(lo, hi)``, 0-based,
    ``hi`` excluded) selects a block of the result; empty for the whole result.

    Examples
    --------
    >>> import sympy
    >>> g, w = sympy.MatrixSymbol("g", 2, 1), sympy.MatrixSymbol("w", 3, 1)
    >>> op = Operation.of("convolve", (g, w), {"mode": "full"}, [(1, 3)])
    >>> op.name, op.operands, op.params, op.window
    ('convolve', (g, w), {'mode': 'full'}, ((1, 3),))
    >>> op == Operation.of("convolve", (g, w), {"mode": "full"}, [(1, 3)])
    True
    """

    def __new__(cls, name: Str, operands: Tuple, params: Tuple, window: Tuple) -> Operation:
        if not isinstance(name, Str):
            raise TypeError(f"`name` of an Operation must be a Str, got {name!r}")
        return Basic.__new__(cls, name, operands, params, window)

    @classmethod
    def of(cls, name: str, operands: Sequence[Any], params: Mapping[str, Any] | None = None,
           window: Sequence[tuple[int, int]] = ()) -> Operation:
        """Build an operation from Python values (ints, strings, tuples, SymPy objects)."""
        pairs = [Tuple(Str(k), _basic(v)) for k, v in (params or {}).items()]
        return cls(Str(name), Tuple(*operands), Tuple(*pairs), _basic(tuple(window)))

    @property
    def name(self) -> str:
        return str(self.args[0].name)

    @property
    def operands(self) -> tuple[Any, ...]:
        return tuple(self.args[1])

    @property
    def params(self) -> dict[str, Any]:
        """Parameter name -> value (``str``, ``int`` or tuple of them)."""
        return {str(k.name): _python(v) for k, v in self.args[2]}

    @property
    def window(self) -> tuple[tuple[int, int], ...]:
        return tuple((int(lo), int(hi)) for lo, hi in self.args[3])


def _python(v: Any) -> Any:
    if isinstance(v, Str):
        return str(v.name)
    if isinstance(v, Tuple):
        return tuple(_python(e) for e in v)
    return int(v) if isinstance(v, sympy.Integer) else v


#: Every typed node a proof may display (the renderers print each of these by type).
TERMS: tuple[type, ...] = (Role, RoleMatrix, Letter, Grad, Flip, Convolve, Correlate,
                           TransposedConv, Vec, Dim, Rank, OutputSize, Operation)

__all__ = ["ROLES", "TERMS", "Convolve", "Correlate", "Dim", "Flip", "Grad", "Letter", "Operation",
           "OutputSize", "Rank", "Role", "RoleMatrix", "Term", "TransposedConv", "Vec", "entry"]
