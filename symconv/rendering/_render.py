"""The fragment renderer: a derivation's sums, T and P as LaTeX, read from the tap table.

Layer: rendering.

It reads the tap table for structure (which entries are tied, which are
structural zeros, which rows to elide) and the derivation's SymPy values for
what each entry holds, so a fragment of a large layer costs only what it shows.
Its :class:`Printer` also prints proofs, through
:class:`symconv.rendering._notation.Notation` (each typed quantity by its type).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from sympy import Add, Basic, Mul, Symbol

from . import _tex as tex
from ._latex_options import Options
from ._names import Names
from ._notation import Notation

if TYPE_CHECKING:
    from ..core._derivation import Derivation

# ------------------------------------------------------------------ printer


class Printer:
    """Turns symconv's values, indices and symbols into LaTeX under fixed options."""

    def __init__(self, options: Options) -> None:
        self.o = options
        self.names = Names(options.names, options.index_base)  # the one printer of names
        self.letter = {role: self.names.letter(role) for role in options.names}
        self.latex = Notation(self)
        self._symbols: dict[str, str] = {}  # name -> LaTeX: a document prints each many times

    # names
    def index(self, idx: Sequence[Any]) -> str:
        return self.names.index(idx)

    def indexed(self, role: str, idx: Sequence[Any]) -> str:
        return self.names.indexed(role, idx)

    def grad(self, body: str) -> str:
        r"""``\frac{\partial L}{\partial body}``."""
        return tex.command("frac", r"\partial " + self.letter["L"], r"\partial " + body)

    def symbol(self, s: Basic) -> str:
        """A symbol: ``x_1_2`` -> ``x_{1,2}`` (renamed, index base applied), else escaped."""
        name = str(getattr(s, "name", s))
        out = self._symbols.get(name)
        if out is None:
            out = self._symbols[name] = self.names.symbol(name)
        return out

    # values
    def value(self, v: Any) -> str:
        """One SymPy value (symbol, number, expression or a proof's typed quantity)."""
        if type(v) is Symbol:
            return self.symbol(v)
        return str(self.latex.doprint(v))

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
        """``body`` in weight ``k``'s colour; past the palette uncoloured (its label says)."""
        if not self.o.color or k >= len(self.o.palette):
            return body
        c = self.o.palette[k]
        if c.startswith("#"):
            return tex.command("textcolor", c[1:], body, options=["HTML"])
        return tex.command("textcolor", c, body)

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
            args = v.args
            n, limit = len(args), self.o.max_terms
            if n <= limit:
                return self.terms([self._term(t) for t in args], wrap=wrap)
            # Only the terms that :meth:`terms` shows are rendered (the rest it elides).
            head = range(n)[: limit - 2]
            pieces = [""] * n
            for j in (*head, n - 1):
                pieces[j] = self._term(args[j])
            return self.terms(pieces, wrap=wrap)
        return self._term(v)

    def _term(self, t: Any) -> str:
        if isinstance(t, Mul) and len(t.args) == 2 and all(type(a) is Symbol for a in t.args):
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
        self.xs, self.ws, self.bs = d.flat_input, d.flat_weight, d.flat_bias
        #: None: notes go beside the displays; a list: collected for the text (documents).
        self.notes: list[str] | None = None

    # helpers
    def _out_name(self, o: int) -> str:
        return self.p.indexed("y", np.unravel_index(o, self.out_shape))

    def _act_name(self, o: int) -> str:
        return self.p.indexed("a", np.unravel_index(o, self.out_shape))

    def x_of(self, i: int) -> Any:
        """Input ``i`` (flat)."""
        return self.xs[i]

    def w_of(self, k: int) -> Any:
        """Weight ``k`` (flat)."""
        return self.ws[k]

    def _bias_of(self, o: int) -> Any:
        if self.bs is None:
            return None
        per = int(np.prod(self.out_shape[1:]))
        return self.bs[o // per]

    def _numeric(self) -> bool:
        vals = [*self.xs, *self.ws, *(self.bs or [])]
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
        values = self.d.flat_output if self._numeric() else None
        lines = []
        shown = pick(t.n_out, self.o.max_rows)
        starts = t.starts
        for o in shown:
            if o is None:
                lines.append(r"&\;\vdots")
                continue
            lo, hi = int(starts[o]), int(starts[o + 1])
            pieces = [
                self.p.product(self.w_of(k), self.x_of(i), paint=k)
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
        return {pos: self._cell([self.p.paint(k, self.p.value(self.w_of(k))) for k in sorted(ks)])
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
        if self.bs is not None:
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
        x = self._vector([None if c is None else self.p.value(self.x_of(c)) for c in cols])
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
                cell[(r, k)] = " + ".join(self.p.value(self.x_of(i)) for i in ins)
        grid = self._grid(rows, cols, cell)
        w = self._vector([None if c is None else self.p.paint(c, self.p.value(self.w_of(c)))
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
