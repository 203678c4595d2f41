"""General sizes: LaTeX of the general formulas, theorems and proofs (rendering layer).

``to_latex`` gives the general law in math mode (output size with floors, the
output as a sum over taps, the matrix entry as cases, the gradients);
``latex_document`` a complete document: the conventions, the formulas, and the
theorems (a)-(h) with their proofs, each step saying whether SymPy proved it
or it was checked on N instances (GBC eqs. 9.8, 9.11-9.13 and the D&V
relationships cited).  Options as for instances: ``names`` (``{"x": ..., "w":
..., "b": ..., "g": ...}``, plain names only) and ``index_base`` (0 or 1).
Deterministic: the same call gives the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import sympy
from sympy import Indexed, IndexedBase, Sum

from ._names import check_index_base
from ._tex import command, environment, escape, group, join, symbol_name

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,15}$")
_KEYS = ("x", "w", "b", "g")


def _options(names: Any, index_base: Any) -> tuple[dict[str, str], int]:
    base = check_index_base(index_base)  # the one rule (rendering/_names)
    out = {k: k for k in _KEYS}
    if names is None:
        return out, base
    if not isinstance(names, Mapping):
        raise TypeError(f"`names` must be a mapping like {{'x': 'u'}}, got {names!r}")
    for key, val in names.items():
        if key not in _KEYS:
            raise ValueError(f"`names` keys must be among {', '.join(_KEYS)}; got {key!r}")
        if not isinstance(val, str) or not _NAME.match(val):
            raise ValueError(f"`names`[{key!r}] must be a plain name (a letter, then letters "
                             f"or digits), got {val!r}")
        out[key] = val
    return out, base


class _Printer:
    """SymPy's LaTeX printer with renamed bases and, optionally, 1-based indices."""

    def __init__(self, names: dict[str, str], index_base: int, free: tuple[Any, ...]) -> None:
        self.names, self.base, self.free = names, index_base, free
        self._done: dict[Any, str] = {}  # a step's rhs is the next step's lhs: print once

    def prepare(self, e: Any) -> Any:
        e = sympy.sympify(e)
        if self.base == 1:
            e = _one_based(e, self.free)
        reps = {}
        for ind in e.atoms(Indexed):
            label = str(ind.base.label)
            if label in self.names and self.names[label] != label:
                reps[ind.base] = IndexedBase(self.names[label])
        return e.xreplace(reps) if reps else e

    def __call__(self, e: Any) -> str:
        if e not in self._done:
            self._done[e] = self._print(e)
        return self._done[e]

    def _print(self, e: Any) -> str:
        e = self.prepare(e)
        names = {s: symbol_name(s.name) for s in e.atoms(sympy.Symbol)
                 if len(s.name) > 1 and "'" not in s.name}
        return sympy.latex(e, symbol_names=names) if names else sympy.latex(e)


def _one_based(e: Any, free: tuple[Any, ...]) -> Any:
    """Show 0-based formulas 1-based: every read ``a[v]`` as ``a[v+1]``, indices shifted."""
    e = e.subs({v: v - 1 for v in free if v in e.free_symbols}, simultaneous=True)

    def shift_sum(s: Sum) -> Any:
        f, lims = s.function, []
        for v, lo, hi in s.limits:
            f = f.xreplace({v: v - 1})
            lims.append((v, lo + 1, hi + 1))
        return Sum(f, *lims)

    e = e.replace(lambda a: isinstance(a, Sum), shift_sum)
    e = e.replace(lambda a: isinstance(a, Indexed),
                  lambda a: a.base[tuple(v + 1 for v in a.indices)])
    return e


def _idx(gd: Any) -> tuple[list[Any], list[Any]]:
    """Symbolic output and input indices of the user's operation."""
    spec = gd.spec
    taken = {s.name for s in spec.symbols()}
    pos_o = [sympy.Symbol(n if n not in taken else n + "'", integer=True)
             for n in (["o"] if spec.ndim == 1 else [f"o{a + 1}" for a in range(spec.ndim)])]
    pos_i = [sympy.Symbol(n if n not in taken else n + "'", integer=True)
             for n in (["i"] if spec.ndim == 1 else [f"i{a + 1}" for a in range(spec.ndim)])]
    if spec.has_channels:
        return [sympy.Symbol("q", integer=True), *pos_o], [sympy.Symbol("c", integer=True),
                                                          *pos_i]
    return pos_o, pos_i


def _lines(gd: Any, pr: _Printer, gradient: bool) -> list[str]:
    out_idx, in_idx = _idx(gd)
    y = IndexedBase("y")
    lines = []
    for a, m in enumerate(gd.output_size):
        lines.append(f"m_{{{a + 1}}} &= {pr(m)}" if gd.spec.ndim > 1 else f"m &= {pr(m)}")
    lines.append(f"{pr(y[tuple(out_idx)])} &= {pr(gd.output[tuple(out_idx)])}")
    def label(idx: list[Any]) -> str:
        body = join(", ", (sympy.latex(v) for v in idx))
        return body if len(idx) == 1 else f"({body})"

    T = pr(gd.matrix[tuple(out_idx) if len(out_idx) > 1 else out_idx[0],
                     tuple(in_idx) if len(in_idx) > 1 else in_idx[0]])
    lines.append(f"T_{{{label(out_idx)}, {label(in_idx)}}} &= {T}")
    if gradient:
        gg = gd.gradient()
        ws = [sympy.Symbol(n, integer=True) for n in ("q", "c")] if gd.spec.has_channels else []
        ts = [sympy.Symbol("t" if gd.spec.ndim == 1 else f"t{a + 1}", integer=True)
              for a in range(gd.spec.ndim)]
        xi = pr(IndexedBase("x")[tuple(in_idx)])
        lines.append(rf"\frac{{\partial L}}{{\partial {xi}}} &= {pr(gg.input[tuple(in_idx)])}")
        wt = IndexedBase("w")[tuple(ws + ts)]
        lines.append(rf"\frac{{\partial L}}{{\partial {pr(wt)}}} &= "
                     f"{pr(gg.weight[tuple(ws + ts)])}")
        if gg.bias is not None:
            q = sympy.Symbol("q", integer=True)
            lines.append(rf"\frac{{\partial L}}{{\partial {pr(IndexedBase('b')[q])}}} &= "
                         f"{pr(gg.bias[q])}")
    return lines


def to_latex(gd: Any, *, names: Any = None, index_base: Any = 0, gradient: bool = True) -> str:
    r"""Math-mode LaTeX of a general derivation: sizes, output, matrix entry, gradients.

    Examples
    --------
    >>> import sympy, symconv as sc
    >>> n, k = sympy.symbols("n k", integer=True, positive=True)
    >>> g = sc.correlate(sympy.IndexedBase("x", shape=(n,)), sympy.IndexedBase("w", shape=(k,)))
    >>> print(g.to_latex(gradient=False).splitlines()[1])
    m &= - k + n + 1 \\
    """
    nm, base = _options(names, index_base)
    out_idx, in_idx = _idx(gd)
    pr = _Printer(nm, base, tuple(out_idx + in_idx) + _weight_free(gd))
    return environment("aligned", " \\\\\n".join(_lines(gd, pr, gradient)))


def _weight_free(gd: Any) -> tuple[Any, ...]:
    ws = [sympy.Symbol(n, integer=True) for n in ("q", "c")] if gd.spec.has_channels else []
    return tuple(ws + [sympy.Symbol("t" if gd.spec.ndim == 1 else f"t{a + 1}", integer=True)
                       for a in range(gd.spec.ndim)])


def gradient_latex(gg: Any, **options: Any) -> str:
    """Math-mode LaTeX of the general gradient formulas (``GeneralGradient.to_latex``)."""
    return to_latex(gg.derivation, **options)


def _status(step_status: Any) -> str:
    return str(step_status)


def latex_document(gd: Any, *, names: Any = None, index_base: Any = 0,
                   title: str = "A convolution for general sizes") -> str:
    r"""A complete ``.tex`` document: conventions, formulas, theorems (a)-(h) with proofs.

    Runs ``gd.verify()`` (cached per geometry) so each step states whether SymPy
    proved it or it was checked on N instances.

    Examples
    --------
    >>> import sympy, symconv as sc
    >>> n, k = sympy.symbols("n k", integer=True, positive=True)
    >>> g = sc.correlate(sympy.IndexedBase("x", shape=(n,)), sympy.IndexedBase("w", shape=(k,)))
    >>> doc = g.latex_document()
    >>> doc.startswith(r"\documentclass"), "checked on" in doc, doc == g.latex_document()
    (True, True, True)
    """
    nm, base = _options(names, index_base)
    if not isinstance(title, str):
        raise TypeError(f"`title` must be a string, got {title!r}")
    ver = gd.verify()
    out_idx, in_idx = _idx(gd)
    pr = _Printer(nm, base, tuple(out_idx + in_idx) + _weight_free(gd))
    spec = gd.spec
    sizes = ", ".join(f"${pr(s)}$" for s in gd.sizes)
    what = (f"{spec.op} (mode {spec.mode})" if spec.kind == "signal" else
            {"conv": "a convolution layer", "transpose": "a transposed convolution layer"}
            [spec.kind])
    parts = [
        command("documentclass", "article", options=["10pt"]),
        command("usepackage", "geometry", options=["margin=0.8in"]),
        command("usepackage", "amsmath"), command("usepackage", "amssymb"),
        command("usepackage", "amsthm"), command("allowdisplaybreaks"),
        command("newtheorem", "theorem", "Theorem"),
        command("title", escape(title)), command("date", ""),
        command("begin", "document"), command("maketitle"),
        command("section*", "The layer and its conventions"),
        escape(f"The operation is {what}, for general sizes ") + sizes + escape(
            ". Indices are " + ("1-based" if base else "0-based") + "; flattening is C order "
            "over (channels, positions). A read of the input outside its range is the zero "
            "padding: it reads 0. Brackets [P] are 1 when P holds, else 0 (Iverson)."),
        command("section*", "The general formulas"),
        r"\[" + "\n" + to_latex(gd, names=names, index_base=index_base) + "\n" + r"\]",
        command("section*", "Theorems"),
        escape(f"Each step names its rule. 'Proved' means SymPy established the step for all "
               f"sizes; 'checked' means both sides agreed on every one of the grid's "
               f"{ver.grid} size combinations (random integer operands), not proved. "
               "Every statement was also compared with a brute-force enumeration of the "
               "index law. Theorems proved in every step: " +
               (", ".join(ver.proved()) or "none") + "; checked only: " +
               (", ".join(ver.checked_only()) or "none") + "."),
    ]
    for rep in ver.reports:
        pf = rep.proof
        head = escape(f"({pf.key}) {pf.title}" + (f" [{pf.cite}]" if pf.cite else ""))
        stmt = r"\[" + f"{pr(pf.lhs)} = {pr(pf.rhs)}" + r"\]"
        verdict = escape("Proved by SymPy in every step." if rep.proved else
                         f"Checked on {rep.reference} of {ver.grid} instances against "
                         "enumeration; not every step is proved.")
        steps = []
        for st, ss in zip(pf.steps, rep.steps):
            steps.append(r"\item " + escape(f"by {st.rule} ({_status(ss)}):") +
                         r"\[" + f"{pr(st.lhs)} = {pr(st.rhs)}" + r"\]")
        body = stmt + "\n" + verdict + "\n" + environment("proof", environment(
            "enumerate", "\n".join(steps)))
        parts.append(r"\begin{theorem}[" + group(head) + "]\n" + body + "\n" + r"\end{theorem}")
    parts.append(command("end", "document"))
    return "\n".join(parts) + "\n"
