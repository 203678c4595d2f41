"""Rendering: LaTeX fragments and documents of a derivation, its gradient and proofs.

This is the only module that knows LaTeX (through the value layer
:mod:`symconv._tex`).  It reads the tap table for structure (which entries are
tied, which are structural zeros, which rows to elide) and the derivation's
SymPy values for what each entry holds, so a fragment of a large layer costs
only what it shows.  The same call always gives byte-identical LaTeX.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy
from sympy import Add, Basic, Mul, Symbol

from . import _tex as tex

if TYPE_CHECKING:
    from ._derivation import Derivation

#: The roles a name can be given to (``names=`` option).
ROLES: tuple[str, ...] = ("x", "w", "b", "y", "g", "a", "T", "P", "L")

#: Name presets: plain text names, turned into LaTeX by :func:`symconv._tex.symbol_name`.
PRESETS: dict[str, dict[str, str]] = {
    "xwb": {"x": "x", "w": "w", "b": "b", "y": "y", "g": "g", "a": "a", "T": "T", "P": "P",
            "L": "L"},
    "aWz": {"x": "a", "w": "W", "b": "b", "y": "z", "g": "delta", "a": "a'", "T": "T",
            "P": "P", "L": "L"},
}

#: Colours of tied weights in fragments: xcolor's predefined names (no definitions needed).
BASE_PALETTE: tuple[str, ...] = (
    "blue", "red", "teal", "orange", "violet", "olive", "magenta", "brown", "cyan", "purple",
)

#: The palette the documents define with ``\definecolor`` (RGB), colour-blind friendly.
DOCUMENT_PALETTE: tuple[tuple[str, str], ...] = (
    ("scA", "0,114,178"), ("scB", "213,94,0"), ("scC", "0,158,115"), ("scD", "204,121,167"),
    ("scE", "86,180,233"), ("scF", "230,159,0"), ("scG", "117,112,179"), ("scH", "166,86,40"),
)

VIEWS: tuple[str, ...] = ("all", "sums", "matrix", "patches")
ZEROS: tuple[str, ...] = ("0", r"\cdot")

_INDEXED = re.compile(r"^([A-Za-z]+)((?:_\d+)+)$")

#: Symbol names whose letter follows the ``names`` option.
_RENAMED = ("x", "w", "b", "y", "g", "a", "T", "P")

#: Names the proofs use for displayed quantities (``@T``: the layer matrix's letter).
_DISPLAY = {
    "n_out": r"n_{\mathrm{out}}",
    "dim_T": r"\dim \{ @T(@w) \}",
    "rank_A": r"\operatorname{rank} A",
    "w_flipped": r"\operatorname{flip}(@w)",
    "m": "m",
}


# ------------------------------------------------------------------ options


@dataclass(frozen=True)
class Options:
    """Validated rendering options (see :func:`to_latex` for their meaning)."""

    index_base: int = 0
    names: Mapping[str, str] = field(default_factory=lambda: dict(PRESETS["xwb"]))
    color: bool = True
    zero: str = "0"
    max_rows: int = 12
    max_cols: int = 10
    max_terms: int = 8
    nonlinearity: str | None = None
    view: str = "all"
    terms_per_line: int | None = None
    palette: tuple[str, ...] = BASE_PALETTE


_OPTION_NAMES = ("index_base", "names", "color", "zero", "max_rows", "max_cols", "max_terms",
                 "nonlinearity", "view", "terms_per_line")


def parse_options(options: Mapping[str, Any], palette: tuple[str, ...] = BASE_PALETTE) -> Options:
    """Check every rendering option once; unknown names and bad values raise."""
    for key in options:
        if key not in _OPTION_NAMES:
            allowed = ", ".join(f"`{k}`" for k in _OPTION_NAMES)
            raise TypeError(f"unknown LaTeX option `{key}`; the options are {allowed}")
    base = options.get("index_base", 0)
    if isinstance(base, bool) or base not in (0, 1):
        raise ValueError(f"`index_base` must be 0 or 1, got {base!r}")
    color = options.get("color", True)
    if not isinstance(color, bool):
        raise TypeError(f"`color` must be True or False, got {color!r}")
    zero = options.get("zero", "0")
    if zero not in ZEROS:
        raise ValueError(f"`zero` must be '0' or r'\\cdot', got {zero!r}")
    view = options.get("view", "all")
    if view not in VIEWS:
        raise ValueError(f"`view` must be one of {', '.join(map(repr, VIEWS))}; got {view!r}")
    limits = {}
    for key, default in (("max_rows", 12), ("max_cols", 10), ("max_terms", 8)):
        v = options.get(key, default)
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise TypeError(f"`{key}` must be an integer, got {v!r}")
        if v < 3:
            raise ValueError(f"`{key}` must be at least 3 (first rows, a gap, the last), got {v!r}")
        limits[key] = int(v)
    per_line = options.get("terms_per_line")
    if per_line is not None:
        if isinstance(per_line, bool) or not isinstance(per_line, (int, np.integer)):
            raise TypeError(f"`terms_per_line` must be an integer or None, got {per_line!r}")
        if per_line < 1:
            raise ValueError(f"`terms_per_line` must be positive, got {per_line!r}")
        per_line = int(per_line)
    f = options.get("nonlinearity")
    if f is not None and (not isinstance(f, str) or not f):
        raise ValueError(f"`nonlinearity` must be a non-empty name such as 'f', got {f!r}")
    return Options(
        index_base=int(base),
        names=_parse_names(options.get("names", "xwb")),
        color=color,
        zero=zero,
        nonlinearity=f,
        view=view,
        terms_per_line=per_line,
        palette=palette,
        **limits,
    )


def _parse_names(names: object) -> dict[str, str]:
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


# ------------------------------------------------------------------ printer


class Printer:
    """Turns symconv's values, indices and symbols into LaTeX under fixed options."""

    def __init__(self, options: Options) -> None:
        self.o = options
        self.letter = {role: tex.symbol_name(name) for role, name in options.names.items()}

    # names
    def index(self, idx: Sequence[Any]) -> str:
        return ",".join(str(int(v) + self.o.index_base) for v in idx)

    def indexed(self, role: str, idx: Sequence[Any]) -> str:
        return tex.sub(self.letter[role], self.index(idx))

    def grad(self, body: str) -> str:
        r"""``\frac{\partial L}{\partial body}``."""
        return tex.command("frac", r"\partial " + self.letter["L"], r"\partial " + body)

    def symbol(self, s: Basic) -> str:
        """A symbol: ``x_1_2`` -> ``x_{1,2}`` (renamed, index base applied), else escaped."""
        name = str(getattr(s, "name", s))
        if name in _DISPLAY:
            return _DISPLAY[name].replace("@T", self.letter["T"]).replace("@w", self.letter["w"])
        if name.startswith("grad_"):
            return self.grad(self.symbol(Symbol(name[5:])))
        if name.startswith("n_out_") and name[6:].isdigit():
            return tex.sub("n", r"\mathrm{out}," + name[6:])
        m = _INDEXED.match(name)
        if m:
            prefix, digits = m.group(1), m.group(2)
            letter = self.letter[prefix] if prefix in _RENAMED else tex.symbol_name(prefix)
            return tex.sub(letter, self.index([int(v) for v in digits[1:].split("_")]))
        if name in _RENAMED:
            return self.letter[name]
        return tex.symbol_name(name)

    # values
    def value(self, v: Any) -> str:
        """One SymPy value (symbol, number or expression)."""
        if isinstance(v, Symbol):
            return self.symbol(v)
        if isinstance(v, Basic) and v.is_Number:
            return sympy.latex(v)
        names = {s: self.symbol(s) for s in _atoms(v)}
        return sympy.latex(v, symbol_names=names)

    def factor(self, v: Any) -> str:
        """A value as a factor of a product, parenthesised when it needs to be."""
        out = self.value(v)
        if isinstance(v, Add) or (isinstance(v, Basic) and v.could_extract_minus_sign()):
            return tex.paren(out)
        return out

    def product(self, a: Any, b: Any, paint: int | None = None) -> str:
        """``a b`` (``a \\cdot b`` with a number), ``a`` coloured as weight ``paint``."""
        left = self.factor(a) if paint is None else self.paint(paint, self.factor(a))
        if isinstance(a, Basic) and isinstance(b, Basic) and not (a.is_Number or b.is_Number):
            return left + " " + self.factor(b)
        return left + r" \cdot " + self.factor(b)

    def paint(self, k: int, body: str) -> str:
        if not self.o.color:
            return body
        return tex.command("textcolor", self.o.palette[k % len(self.o.palette)], body)

    def terms(self, pieces: list[str], wrap: bool = False) -> str:
        """A sum of rendered terms, elided past ``max_terms`` (``+ \\cdots +``)."""
        n, limit = len(pieces), self.o.max_terms
        if n == 0:
            return "0"
        if n > limit:
            pieces = [*pieces[: limit - 2], r"\cdots", pieces[-1]]
        k = self.o.terms_per_line
        if not wrap or k is None or len(pieces) <= 1:
            return " + ".join(pieces).replace("+ -", "- ")
        # A line takes at most k terms, and fewer when they are long (a rough width in
        # printed characters), so that wide terms such as g (w_a + w_b) still fit.
        chunks: list[list[str]] = [[]]
        for piece in pieces:
            line = chunks[-1]
            if line and (len(line) == k or _width(line) + _width([piece]) > LINE_WIDTH):
                chunks.append([])
            chunks[-1].append(piece)
        return " \\\\\n&\\qquad + ".join(" + ".join(c) for c in chunks).replace("+ -", "- ")

    def expression(self, v: Any, wrap: bool = False) -> str:
        """A SymPy value; a sum is rendered term by term, elided past ``max_terms``.

        ``wrap``: break the sum after ``terms_per_line`` terms (inside ``aligned``).
        """
        if isinstance(v, Add):
            return self.terms([self._term(t) for t in v.args], wrap=wrap)
        return self._term(v)

    def _term(self, t: Any) -> str:
        if isinstance(t, Mul) and len(t.args) == 2 and all(isinstance(a, Symbol) for a in t.args):
            return self.symbol(t.args[0]) + " " + self.symbol(t.args[1])
        return self.value(t)


def _strut(cells: list[str | None], rows: list[int | None],
           struts: dict[int, str] | None) -> list[str | None]:
    """Cells of a vector beside T, each as tall as the tallest entry of its row of T."""
    if not struts:
        return cells
    return [c if c is None or r is None or r not in struts
            else tex.command("vphantom", struts[r]) + c for c, r in zip(cells, rows)]


#: Printed characters per line of a wrapped sum (a 345pt text width at 10-11pt).
LINE_WIDTH = 64
_INVISIBLE = re.compile(r"\\textcolor\{[^}]*\}|\\left|\\right|\\[a-zA-Z]+|[{}^_ ]")


def _width(pieces: list[str]) -> int:
    """Rough printed width of LaTeX terms: characters left once markup is removed."""
    return sum(len(_INVISIBLE.sub("", p)) for p in pieces) + 3 * (len(pieces) - 1)


def _atoms(v: Any) -> set[Any]:
    if not isinstance(v, Basic):
        return set()
    return set(v.atoms(Symbol, sympy.MatrixSymbol))


def pick(n: int, limit: int) -> list[int | None]:
    """Indices ``0..n-1`` to show, with ``None`` for an elided run (first ones and the last).

    Examples
    --------
    >>> pick(4, 12)
    [0, 1, 2, 3]
    >>> pick(100, 5)
    [0, 1, 2, None, 99]
    """
    if n <= limit:
        return list(range(n))
    return [*range(limit - 2), None, n - 1]


# ----------------------------------------------------------------- fragments


class Renderer:
    """LaTeX of one derivation's views under one set of options."""

    def __init__(self, d: Derivation, options: Options) -> None:
        self.d = d
        self.t = d.taps
        self.p = Printer(options)
        self.o = options
        self.out_shape = d.spec.output_shape
        self.in_shape = d.spec.input_shape
        self.w_shape = d.spec.weight_shape
        #: None: notes go beside the displays; a list: collected for the text (documents).
        self.notes: list[str] | None = None

    # helpers
    def _out_name(self, o: int) -> str:
        return self.p.indexed("y", np.unravel_index(o, self.out_shape))

    def _act_name(self, o: int) -> str:
        return self.p.indexed("a", np.unravel_index(o, self.out_shape))

    def _x(self, i: int) -> Any:
        return self.d._x.reshape(-1)[i]

    def _w(self, k: int) -> Any:
        return self.d._w.reshape(-1)[k]

    def _bias_of(self, o: int) -> Any:
        if self.d._b is None:
            return None
        per = int(np.prod(self.out_shape[1:]))
        return self.d._b[o // per]

    def _numeric(self) -> bool:
        vals = [*self.d._x.reshape(-1), *self.d._w.reshape(-1)]
        if self.d._b is not None:
            vals += list(self.d._b)
        return all(isinstance(v, Basic) and v.is_Number for v in vals)

    def elision_note(self, what: str, shown: list[int | None], n: int, unit: str) -> str:
        hidden = n - sum(v is not None for v in shown)
        if not hidden:
            return ""
        words = f"({n:,} {what} {unit}, {hidden:,} not shown)"
        return self._note(tex.text(words), tex.escape(words))

    def _note(self, math: str, text: str) -> str:
        """A note beside a display (fragments), or kept for the text below it (documents)."""
        if self.notes is None:
            return r" \quad " + math
        self.notes.append(text)
        return ""

    # sums of products
    def sums(self) -> str:
        t = self.t
        values = self.d._output_flat if self._numeric() else None
        lines = []
        shown = pick(t.n_out, self.o.max_rows)
        starts = t.starts
        for o in shown:
            if o is None:
                lines.append(r"&\;\vdots")
                continue
            lo, hi = int(starts[o]), int(starts[o + 1])
            pieces = [
                self.p.product(self._w(k), self._x(i), paint=k)
                for i, k in zip(t.i[lo:hi].tolist(), t.k[lo:hi].tolist())
            ]
            if self._bias_of(o) is not None:
                pieces.append(self.p.factor(self._bias_of(o)))
            body = self.p.terms(pieces, wrap=True)
            if hi - lo > self.o.max_terms:
                body += r" \quad " + tex.text(f"({hi - lo} products)")
            name = self._out_name(o)
            if self.o.nonlinearity is not None:
                name = self._act_name(o)
                body = tex.function_name(self.o.nonlinearity) + r"\bigl( " + body + r" \bigr)"
            line = name + " &= " + body
            if values is not None:
                value = values[o]
                if self.o.nonlinearity is not None:
                    value = None
                if value is not None:
                    line += " = " + self.p.value(value)
            lines.append(line)
        note = self.elision_note("outputs", shown, t.n_out, "in all")
        return tex.environment("aligned", " \\\\\n".join(lines)) + note

    # the layer matrix
    def _vector(self, cells: list[str | None]) -> str:
        return tex.environment("bmatrix", tex.rows([[c if c is not None else r"\vdots"]
                                                    for c in cells]))

    def _grid(self, rows: list[int | None], cols: list[int | None],
              cell: dict[tuple[int, int], str]) -> str:
        grid = []
        for r in rows:
            line = []
            for c in cols:
                if r is None:
                    line.append(r"\ddots" if c is None else r"\vdots")
                elif c is None:
                    line.append(r"\cdots")
                else:
                    line.append(cell.get((r, c), self.o.zero))
            grid.append(line)
        return tex.environment("bmatrix", tex.rows(grid))

    def matrix_cells(self, rows: list[int | None], cols: list[int | None]
                     ) -> dict[tuple[int, int], str]:
        """The non-zero entries of T among the shown rows and columns."""
        t = self.t
        rs = np.array([r for r in rows if r is not None], dtype=np.int64)
        cs = np.array([c for c in cols if c is not None], dtype=np.int64)
        lo, hi = t.starts[rs], t.starts[rs + 1]
        sel = np.concatenate([np.arange(a, b) for a, b in zip(lo.tolist(), hi.tolist())]
                             ) if rs.size else np.array([], dtype=np.int64)
        sel = sel[np.isin(t.i[sel], cs)]
        found: dict[tuple[int, int], list[int]] = {}
        for o, i, k in zip(t.o[sel].tolist(), t.i[sel].tolist(), t.k[sel].tolist()):
            found.setdefault((o, i), []).append(k)
        return {pos: self._cell([self.p.paint(k, self.p.value(self._w(k))) for k in sorted(ks)])
                for pos, ks in found.items()}

    @staticmethod
    def _cell(weights: list[str]) -> str:
        """One entry of T: a weight, or a sum of weights stacked so the column stays narrow."""
        if len(weights) == 1:
            return weights[0]
        return tex.environment("gathered", " \\\\ {}+ ".join(weights)).replace("\n", " ")

    def _lhs(self, rows: list[int | None], struts: dict[int, str] | None = None) -> str:
        role = "a" if self.o.nonlinearity is not None else "y"
        cells = [None if r is None else self.p.indexed(role, np.unravel_index(r, self.out_shape))
                 for r in rows]
        return self._vector(_strut(cells, rows, struts))

    def _bias_vector(self, rows: list[int | None], struts: dict[int, str] | None = None) -> str:
        cells = [None if r is None else self.p.value(self._bias_of(r)) for r in rows]
        return self._vector(_strut(cells, rows, struts))

    def _wrap(self, lhs: str, product: str, rows: list[int | None],
              struts: dict[int, str] | None = None) -> str:
        rhs = product
        if self.d._b is not None:
            rhs += " + " + self._bias_vector(rows, struts)
        if self.o.nonlinearity is not None:
            rhs = tex.function_name(self.o.nonlinearity) + tex.paren(rhs)
        return lhs + " = " + rhs

    def matrix(self) -> str:
        t = self.t
        rows, cols = pick(t.n_out, self.o.max_rows), pick(t.n_in, self.o.max_cols)
        cells = self.matrix_cells(rows, cols)
        grid = self._grid(rows, cols, cells)
        # Rows holding a stacked sum are taller: give y and b the same height, row by row.
        struts: dict[int, str] = {}
        for (r, _), cell in cells.items():
            if cell.count(r"\\") > struts.get(r, "").count(r"\\"):
                struts[r] = cell
        x = self._vector([None if c is None else self.p.value(self._x(c)) for c in cols])
        product = tex.command("underbrace", grid) + "_" + tex.group(self.p.letter["T"]) + " " + x
        out = self._wrap(self._lhs(rows, struts), product, rows, struts)
        return out + self._shape_note("T", rows, cols, t.n_out, t.n_in)

    def _shape_note(self, name: str, rows: list[int | None], cols: list[int | None],
                    n_rows: int, n_cols: int) -> str:
        hidden_r = n_rows - sum(r is not None for r in rows)
        hidden_c = n_cols - sum(c is not None for c in cols)
        if not (hidden_r or hidden_c):
            return ""
        size = f"{n_rows:,} \\times {n_cols:,}".replace(",", "{,}")
        rest = f"; {hidden_r:,} rows and {hidden_c:,} columns not shown)"
        letter = self.p.letter[name]
        return self._note(tex.text("(") + letter + tex.text(" is ") + size + tex.text(rest),
                          "($" + letter + "$ is $" + size + "$" + tex.escape(rest))

    def patches(self) -> str:
        t = self.t
        rows, cols = pick(t.n_out, self.o.max_rows), pick(t.n_weight, self.o.max_cols)
        rs = [r for r in rows if r is not None]
        cs = set(c for c in cols if c is not None)
        cell: dict[tuple[int, int], str] = {}
        for r in rs:
            lo, hi = int(t.starts[r]), int(t.starts[r + 1])
            found: dict[int, list[int]] = {}
            for i, k in zip(t.i[lo:hi].tolist(), t.k[lo:hi].tolist()):
                if k in cs:
                    found.setdefault(k, []).append(i)
            for k, ins in found.items():
                cell[(r, k)] = " + ".join(self.p.value(self._x(i)) for i in ins)
        grid = self._grid(rows, cols, cell)
        w = self._vector([None if c is None else self.p.paint(c, self.p.value(self._w(c)))
                          for c in cols])
        product = tex.command("underbrace", grid) + "_" + tex.group(self.p.letter["P"]) + " " + w
        out = self._wrap(self._lhs(rows), product, rows)
        return out + self._shape_note("P", rows, cols, t.n_out, t.n_weight)

    def fragment(self) -> str:
        view = self.o.view
        if view == "sums":
            return self.sums()
        if view == "matrix":
            return self.matrix()
        if view == "patches":
            return self.patches()
        return tex.environment("gathered", self.sums() + r" \\[1ex]" + "\n" + self.matrix())


# ------------------------------------------------------------------ public


def to_latex(d: Derivation, **options: Any) -> str:
    r"""Math-mode LaTeX of a derivation: each output as a sum of products, and ``y = T x``.

    The result has no surrounding ``$``; put it inside ``equation*``, ``gather*``
    or ``align*`` (it is one ``gathered`` block).  It needs the packages
    ``amsmath`` and, with ``color=True``, ``xcolor``.

    Parameters
    ----------
    d : Derivation
    index_base : {0, 1}
        Show indices 0-based (the API's) or 1-based (the textbook habit).
    names : str or mapping
        ``"xwb"`` (x, w, b, y; the default) or ``"aWz"`` (a, W, b, z as in the
        seed notes), or a mapping from roles (``x w b y g a T P L``) to names;
        special characters are escaped, Greek names (``"delta"``) become letters.
    color : bool
        Colour each weight (the same weight, the same colour) with xcolor's
        predefined colours; ``False`` for black and white.
    zero : {"0", r"\cdot"}
        How the structural zeros of ``T`` are shown.
    max_rows, max_cols, max_terms : int
        Elide outputs/rows, columns and terms of a sum beyond these (with
        ``\vdots``, ``\cdots``, ``\ddots``), stating the omitted size.
    nonlinearity : str, optional
        Show an elementwise nonlinearity: ``a = f(T x + b)``.
    view : {"all", "sums", "matrix", "patches"}
        Which view to render.

    Returns
    -------
    str

    Raises
    ------
    TypeError
        An unknown option, or a value of the wrong type.
    ValueError
        An option value that is not allowed.

    Examples
    --------
    >>> import symconv as sc, sympy
    >>> d = sc.correlate(sympy.symarray("x", 4), sympy.symarray("w", 3))
    >>> print(d.to_latex(view="matrix", color=False))
    \begin{bmatrix}
    y_{0} \\
    y_{1}
    \end{bmatrix} = \underbrace{\begin{bmatrix}
    w_{0} & w_{1} & w_{2} & 0 \\
    0 & w_{0} & w_{1} & w_{2}
    \end{bmatrix}}_{T} \begin{bmatrix}
    x_{0} \\
    x_{1} \\
    x_{2} \\
    x_{3}
    \end{bmatrix}
    """
    return Renderer(d, parse_options(options)).fragment()



# ------------------------------------------------------- proofs, gradients


_RELATION = {"=": "=", "<": "<", "<=": r"\le"}


def proof_lines(proof: Any, p: Printer) -> tuple[str, list[str]]:
    """The aligned equations of a proof (each step numbered) and its justifications."""
    lines, why = [], []
    previous = None
    for n, step in enumerate(proof.steps, 1):
        rel = _RELATION[step.relation]
        rhs = p.expression(step.rhs, wrap=True)  # long sums break after terms_per_line
        if previous is not None and step.lhs == previous:
            line = f"&{rel} {rhs}"
        else:
            line = f"{p.expression(step.lhs)} &{rel} {rhs}"
        lines.append(line + r" && " + tex.text(f"({n})"))
        why.append(step.justification)
        previous = step.rhs
    return tex.environment("aligned", " \\\\\n".join(lines)), why


def proof_statement(proof: Any, p: Printer) -> str:
    return f"{p.expression(proof.lhs)} {_RELATION[proof.relation]} {p.expression(proof.rhs)}"


def proof_math(proof: Any, p: Printer) -> str:
    """A proof as one math-mode block: title and statement, steps, justifications."""
    body, why = proof_lines(proof, p)
    head = tex.command("textbf", tex.escape(proof.title) + ".") + r"\quad " + \
        proof_statement(proof, p)
    notes = tex.environment("aligned", " \\\\\n".join(
        "&" + tex.command("text", tex.prose(f"({n}) {w}")) for n, w in enumerate(why, 1)))
    return tex.environment("gathered", join_lines([head, body, notes]))


def join_lines(parts: list[str]) -> str:
    return " \\\\\n".join(parts)


def _flat(arr: Any) -> list[Any]:
    return list(np.array(arr.tolist(), dtype=object).reshape(-1)) if arr.shape else [arr]


def gradient_math(gr: Any, p: Printer) -> str:
    """The backward pass as aligned equations: dL/dx, dL/dw, dL/db (elided past ``max_rows``)."""
    d = gr.derivation
    s = d.spec
    blocks = []
    for role, values, shape in (("x", gr.input, s.input_shape), ("w", gr.weight, s.weight_shape),
                                ("b", gr.bias, (s.bias_size,))):
        if values is None:
            continue
        flat = _flat(values)
        lines = []
        shown = pick(len(flat), p.o.max_rows)
        for j in shown:
            if j is None:
                lines.append(r"&\;\vdots")
                continue
            name = p.grad(p.indexed(role, np.unravel_index(j, shape)))
            lines.append(f"{name} &= {p.expression(flat[j], wrap=True)}")
        blocks.extend(lines)
    return tex.environment("aligned", " \\\\\n".join(blocks))


def repr_latex(obj: Any) -> str:
    """``_repr_latex_`` of a Derivation, a gradient or a Proof: ``$$...$$`` for Jupyter.

    Examples
    --------
    >>> import symconv as sc
    >>> print(sc.repr_latex(sc.correlate([1, 2], [3], mode="full")))
    $$\\begin{gathered}
    \\begin{aligned}
    y_{0} &= \\textcolor{blue}{3} \\cdot 1 = 3 \\\\
    y_{1} &= \\textcolor{blue}{3} \\cdot 2 = 6
    \\end{aligned} \\\\[1ex]
    \\begin{bmatrix}
    y_{0} \\\\
    y_{1}
    \\end{bmatrix} = \\underbrace{\\begin{bmatrix}
    \\textcolor{blue}{3} & 0 \\\\
    0 & \\textcolor{blue}{3}
    \\end{bmatrix}}_{T} \\begin{bmatrix}
    1 \\\\
    2
    \\end{bmatrix}
    \\end{gathered}$$
    """
    from ._derivation import Derivation
    from ._proofs import Proof

    p = Printer(parse_options({}))
    if isinstance(obj, Derivation):
        body = Renderer(obj, p.o).fragment()
    elif isinstance(obj, Proof):
        body = proof_math(obj, p)
    elif hasattr(obj, "derivation") and hasattr(obj, "weight"):
        body = gradient_math(obj, p)
    else:
        raise TypeError(
            f"`obj` must be a Derivation, a Gradient or a Proof, got {type(obj).__name__}"
        )
    return "$$" + body + "$$"


# ---------------------------------------------------------------- documents


def _preamble(options: Options) -> str:
    colours = "\n".join(tex.command("definecolor", name, "RGB", rgb)
                        for name, rgb in DOCUMENT_PALETTE)
    return "\n".join([
        tex.command("documentclass", "article", options=["11pt"]),
        tex.command("usepackage", "amsmath"),
        tex.command("usepackage", "amssymb"),
        tex.command("usepackage", "xcolor"),
        tex.command("setlength", r"\textwidth", "16.5cm"),
        tex.command("setlength", r"\oddsidemargin", "0cm"),
        tex.command("setlength", r"\evensidemargin", "0cm"),
        tex.command("setlength", r"\topmargin", "-1.5cm"),
        tex.command("setlength", r"\textheight", "24cm"),
        tex.command("setcounter", "MaxMatrixCols", str(max(options.max_cols, 10) + 2)),
        tex.command("allowdisplaybreaks"),
        colours,
    ])


def _section(title: str) -> str:
    return tex.command("section*", tex.escape(title))


def _display(body: str) -> str:
    return r"\[" + "\n" + body + "\n" + r"\]"


def _breakable(body: str) -> str:
    """A display whose top-level ``aligned`` block becomes ``align*``, so pages can break it.

    ``\\[ \\begin{aligned} ... \\end{aligned} \\]`` is one unbreakable box: a long list
    of outputs or gradients would run off the page.
    """
    head, tail = r"\begin{aligned}", r"\end{aligned}"
    inner = body.strip()
    if inner.startswith(head) and inner.endswith(tail) and inner.count(head) == 1:
        return r"\begin{align*}" + inner[len(head):-len(tail)] + r"\end{align*}"
    return _display(body)


def _m(body: str) -> str:
    """Inline math."""
    return "$" + body + "$"


def _describe(d: Derivation) -> str:
    s = d.spec
    if s.kind == "signal":
        return f"{s.op}(x, w, mode={s.mode!r})"
    name = ("Conv" if s.kind == "conv" else "ConvTranspose") + f"{s.ndim}d"
    cin, cout = (s.in_channels, s.out_channels) if s.kind == "conv" else (
        s.out_channels, s.in_channels)
    args = [str(cin), str(cout), f"kernel_size={s.kernel_size}"]
    pads = [lo for lo, _ in s.padding] if all(lo == hi for lo, hi in s.padding) else s.padding
    for label, value, default in (
        ("stride", s.stride, (1,) * s.ndim),
        ("padding", tuple(pads), (0,) * s.ndim),
        ("output_padding", s.output_padding, (0,) * s.ndim),
        ("dilation", s.dilation, (1,) * s.ndim),
        ("groups", s.groups, 1),
        ("padding_mode", s.padding_mode, "zeros"),
        ("bias", s.bias, True),
    ):
        if value != default and not (label == "output_padding" and not value):
            args.append(f"{label}={value!r}")
    return f"{name}({', '.join(args)})"


def _setting(d: Derivation, p: Printer) -> str:
    s = d.spec
    if s.kind == "signal":
        convention = ("true convolution: the kernel is flipped (NumPy/SciPy convolve)"
                      if s.flip else "cross-correlation: no flip, no conjugation (SciPy correlate)")
    else:
        convention = ("cross-correlation, as PyTorch's Conv layers" if s.kind == "conv" else
                      "the transpose of a cross-correlation, as PyTorch's ConvTranspose layers")
    pads = ", ".join(f"({lo}, {hi})" for lo, hi in s.padding)
    rows_ = [
        ("operation", _describe(d)),
        ("convention", convention),
        ("input shape", str(s.input_shape)),
        ("weight shape", str(s.weight_shape)),
        ("output shape", str(s.output_shape)),
        ("stride", str(s.stride)),
        ("padding (before, after)", pads + (f", mode {s.padding_mode}" if s.kind != "signal"
                                            else "")),
        ("dilation", str(s.dilation)),
        ("groups", str(s.groups)),
        ("bias", "yes" if s.bias else "no"),
    ]
    if s.kind == "transpose":
        rows_.append(("output padding", str(s.output_padding)))
    body = tex.rows([[tex.escape(a), tex.escape(b)] for a, b in rows_]) + r" \\"
    # The value column wraps (a long layer call must not run into the margin).
    return tex.environment("tabular", body, r"@{}l p{0.62\linewidth}@{}")


def _definitions(d: Derivation, p: Printer) -> str:
    s = d.spec
    L = p.letter
    base = p.o.index_base
    size = f"{d.taps.n_out} " + r"\times" + f" {d.taps.n_in}"
    affine = L["y"] + " = " + L["T"] + " " + L["x"] + (" + " + L["b"] if s.bias else "")
    parts = [
        f"The input {_m(L['x'])}, the weight {_m(L['w'])}"
        + (f", the bias {_m(L['b'])}" if s.bias else "")
        + f" and the output {_m(L['y'])} are arrays indexed "
        + ("channel first, " if s.has_channels else "")
        + f"{base}-based; {_m(tex.sub(L['x'], 'i'))} is one entry. "
        "Vectors are flattened in C order (row-major), as NumPy's ravel and PyTorch's "
        f"reshape do, so that {_m(affine)}"
        f" with the layer matrix {_m(L['T'])} of size "
        f"{_m(size)}.",
        "",
        "Along each spatial axis, with input length $n$, kernel size $k$, stride $s$, "
        "dilation $d$, padding $p$ before and $q$ after the input, the index formulas are "
        "(0-based, one channel, zero padding; rendered by latexify-py from the Python "
        "functions in \\texttt{symconv.\\_formulas} that the test suite evaluates):",
    ]
    from ._formulas import FORMULAS, formula_latex

    formulas = tex.environment("gather*", " \\\\\n".join(formula_latex(f) for _, f in FORMULAS))
    return "\n".join(parts) + "\n" + formulas


def latex_document(d: Derivation, **options: Any) -> str:
    r"""A complete, standalone ``.tex`` document of a derivation that compiles with pdflatex.

    It uses the ``article`` class and only ``amsmath``, ``amssymb`` and
    ``xcolor``, and contains the setting, the definitions and index formulas,
    every output as a sum of products, the matrix form (tied weights in the
    same colour, structural zeros), the im2col form, parameter counts against
    the dense layer, the backward pass and the proofs (each step checked
    symbolically and numerically while the document is built).

    Parameters
    ----------
    d : Derivation
    **options
        As for :func:`to_latex` (``view`` is not used).

    Returns
    -------
    str

    Raises
    ------
    TypeError, ValueError
        For bad options, as :func:`to_latex`.
    ProofError
        If a proof step does not check (a bug in symconv).

    Examples
    --------
    >>> import symconv as sc
    >>> doc = sc.correlate([1, 2, 3, 4], [5, 6, 7]).latex_document()
    >>> doc.splitlines()[0], doc.rstrip().splitlines()[-1]
    ('\\documentclass[11pt]{article}', '\\end{document}')
    """
    from ._proofs import proofs

    # Entries of 2-D and 3-D layers carry four or five indices (w_{c,c,i,j,k}): fewer
    # columns fit a page.
    n_idx = len(d.spec.weight_shape)
    cols = {"max_cols": 7} if n_idx >= 5 else {"max_cols": 8} if n_idx == 4 else {}
    options = {"terms_per_line": 4, **cols, **options}
    opts = parse_options(options, palette=tuple(name for name, _ in DOCUMENT_PALETTE))
    p = Printer(opts)
    r = Renderer(d, opts)
    r.notes = []

    def display(body: str, size: str = "small", breakable: bool = False) -> str:
        """A display, followed by the elision notes its rendering collected."""
        assert r.notes is not None
        notes, r.notes[:] = " ".join(r.notes), []
        shown = "{" + tex.command(size) + "\n" + (_breakable if breakable else _display)(body) + "}"
        if not notes:
            return shown
        return shown + "\n" + tex.environment("center", tex.command("small") + " " + notes)

    L = p.letter
    st = d.stats()
    # \sloppy: justifications quote layer calls, long tokens that cannot hyphenate.
    out = [_preamble(opts), tex.command("begin", "document") + tex.command("sloppy")]
    subject = _describe(d) if d.spec.kind == "signal" else f"a {_describe(d).split('(')[0]} layer"
    title = f"How {subject} replaces a matrix multiplication"
    out.append(tex.command("section*", tex.escape(title)))
    out.append(_section("Setting") + "\n" + _setting(d, p))
    out.append(_section("Definitions") + "\n" + _definitions(d, p))

    out.append(_section("Each output as a sum of products"))
    out.append(f"Output {_m(tex.sub(L['y'], 'o'))} adds one product "
               f"{_m(tex.sub(L['w'], 'k') + ' ' + tex.sub(L['x'], 'i'))} per tap "
               f"$(o, i, k)$; there are {st.products:,} products in all."
               + (" Each weight has its own colour." if opts.color and
                  st.tie_counts.size <= len(opts.palette) else
                  f" Each weight has a colour; the {len(opts.palette)} colours repeat in "
                  f"order of the weight index, so one colour may stand for several weights."
                  if opts.color else ""))
    if opts.nonlinearity:
        f = tex.function_name(opts.nonlinearity)
        inner = L["T"] + " " + L["x"] + (" + " + L["b"] if d.spec.bias else "")
        out.append(f"An elementwise nonlinearity {_m(f)} follows: "
                   f"{_m(L['a'] + ' = ' + f + tex.paren(inner))}.")
    out.append(display(r.sums(), breakable=True))

    out.append(_section("Matrix form"))
    ties = st.tie_counts.reshape(-1)
    shown = pick(ties.size, opts.max_rows)
    n_entries = st.matrix_shape[0] * st.matrix_shape[1]
    tie_text = ", ".join(
        r"\dots" if k is None else _m(p.paint(k, p.value(r._w(k)))) + f" in {int(ties[k])}"
        for k in shown)
    out.append(
        f"Entry {_m(L['T'] + '_{o,i}')} holds the weight that output $o$ applies to input $i$ "
        f"(a sum of weights where padding folds several taps onto one input). "
        f"Tied weights: each weight fills many entries ({tie_text} entries). "
        f"Structural zeros: {st.structural_zeros:,} of the {n_entries:,} "
        f"entries are {_m(opts.zero)} for every value of the weights"
        + (f"; {st.folded_entries:,} entries hold a sum of weights." if st.folded_entries
           else "."))
    # Small matrices at text size; wide ones smaller so they fit the page, smallest
    # when every entry carries a multi-index (w_{c,c,i,j}).
    many_indices = len(d.spec.weight_shape) > 1 or len(d.spec.input_shape) > 1
    size = ("normalsize" if st.matrix_shape[1] <= 8
            else "scriptsize" if many_indices else "footnotesize")
    out.append(display(r.matrix(), size))

    out.append(_section("The im2col form"))
    out.append(f"Row $o$ of the patch matrix {_m(L['P'])} lists the inputs output $o$ reads, "
               f"each in the column of the weight that multiplies it, so the same outputs "
               f"are {_m(L['P'] + ' ' + L['w'])}:")
    out.append(display(r.patches(), size))

    out.append(_section("Parameters: convolution versus dense layer"))
    n_bias = d.spec.bias_size
    out.append(
        f"The convolution has {st.parameters - n_bias:,} weights"
        + (f" and {n_bias:,} biases" if n_bias else "")
        + f" ({st.parameters:,} parameters). A dense layer with the same "
        f"{st.matrix_shape[1]:,} inputs and {st.matrix_shape[0]:,} outputs has "
        f"{st.matrix_shape[0] * st.matrix_shape[1]:,} weights"
        + (f" and {st.matrix_shape[0]:,} biases" if n_bias else "")
        + f" ({st.dense_parameters:,} parameters), "
        f"{st.dense_parameters / st.parameters:.3g} times as many.")

    ps = proofs(d)
    gr = d.gradient()
    out.append(_section("Backward pass"))
    grad_y = p.grad(L["y"])
    top = "^{\\top} "
    out.append(
        f"With the upstream gradient {_m(L['g'] + ' = ' + grad_y)}, the chain rule through "
        f"{_m(L['y'] + ' = ' + L['T'] + ' ' + L['x'])} gives "
        f"{_m(p.grad(L['x']) + ' = ' + L['T'] + top + L['g'])}: a transposed "
        "convolution (the taps with input and output swapped). A tied weight collects the "
        f"entries of the dense gradient {_m('G = ' + L['g'] + ' ' + L['x'] + top)} at "
        f"every position of {_m(L['T'])} it occupies; the structural zeros of {_m(L['T'])} "
        "receive no gradient, "
        f"so they stay zero ({int(np.count_nonzero(gr.structural_zeros)):,} entries of "
        f"{_m('G')} are discarded).")
    out.append(_breakable(gradient_math(gr, p)))

    out.append(_section("Proofs"))
    out.append("Every step below was checked when this document was built: symbolically, "
               "and again at seeded random integers.")
    for n, proof in enumerate(ps, 1):
        body, why = proof_lines(proof, p)
        out.append(tex.command("paragraph", f"Proposition {n} ({tex.escape(proof.title)})."))
        out.append(r"\mbox{}" + "\n" + _display(proof_statement(proof, p) + "."))
        out.append(r"\noindent\textit{Proof.}")
        out.append(_display(body))
        items = "\n".join(r"\item[" + f"({k})" + "] " + tex.prose(w)
                          for k, w in enumerate(why, 1))
        out.append(tex.environment("itemize", items) + "\n" + r"\hfill$\square$")
    out.append(tex.command("end", "document"))
    return "\n\n".join(out) + "\n"
