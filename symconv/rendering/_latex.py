"""LaTeX of a derivation as math-mode fragments, and of its gradient and proofs.

The rendering layers: :mod:`symconv.rendering._tex` (LaTeX values: commands,
environments, escaping), :mod:`symconv.rendering._latex_options` (validated options),
:mod:`symconv.rendering._render` (sums, T and P read from the tap table), this module
(``to_latex``, proofs, gradients, Jupyter) and :mod:`symconv.rendering._document` (the
complete ``.tex`` document).  Only these modules know LaTeX, and the same call
always gives byte-identical output.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..checks._proof_terms import Operation
from . import _tex as tex
from ._latex_options import parse_options
from ._render import Printer, Renderer, pick

if TYPE_CHECKING:
    from ..core._derivation import Derivation

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


def justification(why: Any, p: Printer) -> str:
    """Text-mode LaTeX of a justification: words escaped, SymPy math through the printer.

    A plain ``str`` may carry ``$...$`` math (kept) in escaped prose.
    """
    if isinstance(why, str):
        return tex.prose(why)
    return "".join(tex.escape(part) if isinstance(part, str)
                   else p.latex.prose(part) if isinstance(part, Operation)
                   else "$" + p.value(part) + "$" for part in why)


def proof_statement(proof: Any, p: Printer) -> str:
    return f"{p.expression(proof.lhs)} {_RELATION[proof.relation]} {p.expression(proof.rhs)}"


def proof_math(proof: Any, p: Printer) -> str:
    """A proof as one math-mode block: title and statement, steps, justifications."""
    body, why = proof_lines(proof, p)
    head = tex.command("textbf", tex.escape(proof.title) + ".") + r"\quad " + \
        proof_statement(proof, p)
    notes = tex.environment("aligned", " \\\\\n".join(
        "&" + tex.command("text", tex.escape(f"({n}) ") + justification(w, p))
        for n, w in enumerate(why, 1)))
    return tex.environment("gathered", join_lines([head, body, notes]))


def join_lines(parts: list[str]) -> str:
    return " \\\\\n".join(parts)


def gradient_math(gr: Any, p: Printer) -> str:
    """The backward pass as aligned equations: dL/dx, dL/dw, dL/db (elided past ``max_rows``)."""
    d = gr.derivation
    s = d.spec
    blocks = []
    for role, flat, shape in (("x", gr.flat_input, s.input_shape),
                              ("w", gr.flat_weight, s.weight_shape),
                              ("b", gr.flat_bias, (s.bias_size,))):
        if flat is None:
            continue
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
    y_{0} &= \\textcolor[HTML]{0072B2}{3} \\cdot 1 = 3 \\\\
    y_{1} &= \\textcolor[HTML]{0072B2}{3} \\cdot 2 = 6
    \\end{aligned} \\\\[1ex]
    \\begin{bmatrix}
    y_{0} \\\\
    y_{1}
    \\end{bmatrix} = \\underbrace{\\begin{bmatrix}
    \\textcolor[HTML]{0072B2}{3} & 0 \\\\
    0 & \\textcolor[HTML]{0072B2}{3}
    \\end{bmatrix}}_{T} \\begin{bmatrix}
    1 \\\\
    2
    \\end{bmatrix}
    \\end{gathered}$$
    """
    from ..checks._proofs import Proof
    from ..core._derivation import Derivation

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
