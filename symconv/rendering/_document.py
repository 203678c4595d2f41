"""A complete LaTeX document of a derivation: setting, definitions, views, proofs.

Layer: rendering.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..core._gc import without_gc
from . import _tex as tex
from ._latex import gradient_math, justification, proof_lines, proof_statement
from ._latex_options import DOCUMENT_PALETTE, Options, parse_options
from ._render import Printer, Renderer, pick

if TYPE_CHECKING:
    from ..core._derivation import Derivation

# ---------------------------------------------------------------- documents


def _preamble(options: Options) -> str:
    colours = "\n".join(tex.command("definecolor", name, "HTML", rgb)
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
    from ..boundary._formulas import FORMULAS, convolution_element, formula_latex

    formulas = tex.environment("gather*", " \\\\\n".join(formula_latex(f) for _, f in FORMULAS))
    if not d.spec.flip:
        return "\n".join(parts) + "\n" + formulas
    flipped = ("This is a true convolution: it reads the kernel reversed ($m$ indexes the "
               "full result), which is the correlation above with the flipped kernel:")
    return ("\n".join(parts) + "\n" + formulas + "\n" + flipped + "\n"
            + tex.environment("gather*", formula_latex(convolution_element)))


@without_gc  # the proofs build ~10^5 SymPy objects: collections would walk them all
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
    from ..checks._proofs import proofs

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
                  f" The first {len(opts.palette)} weights have a colour each; the others "
                  "are black, told apart by their labels (a colour never stands for two "
                  "weights)."
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
        r"\dots" if k is None else _m(p.paint(k, p.value(r.w_of(k)))) + f" in {int(ties[k])}"
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
        f"so they stay zero ({st.structural_zeros:,} entries of "
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
        items = "\n".join(r"\item[" + f"({k})" + "] " + justification(w, p)
                          for k, w in enumerate(why, 1))
        out.append(tex.environment("itemize", items) + "\n" + r"\hfill$\square$")
    out.append(tex.command("end", "document"))
    return "\n\n".join(out) + "\n"
