"""The textbook: GBC ch. 9 (eqs. 9.4-9.13) and Dumoulin & Visin (relationships 1-15), regenerated.

Layer: rendering.  :func:`build_textbook` runs every claim's checks
(``checks/_textbook_checks.py``), refuses to write a claim whose check fails
(:class:`~symconv.checks._proofs.ProofError`), and writes one LaTeX document
that compiles with pdflatex: each equation or relationship numbered and
labelled, stated for general sizes, its proof steps marked *proved* (SymPy,
symbolic sizes) / *checked on N size combinations* / *definition*, the number
of instance checks and their references, and one TikZ figure per D&V
relationship drawn from a symconv derivation.  Same inputs, same bytes.
"""

from __future__ import annotations

import re
from typing import Any

import sympy

from ..checks._proofs import ProofError
from ..checks._textbook_checks import GBC, RELATIONSHIPS, Evidence, Makers, run_all
from ._structure_latex import structure_latex
from ._structure_plot import arithmetic_tikz
from ._tex import command, environment, escape, join

GBC_TEX: dict[str, tuple[str, str]] = {
    "9.4": ("Convolution (full, 2-D)",
            r"S(i,j) = (I*K)(i,j) = \sum_m\sum_n I(m,n)\,K(i-m,j-n)"),
    "9.5": ("Convolution is commutative",
            r"S(i,j) = (K*I)(i,j) = \sum_m\sum_n I(i-m,j-n)\,K(m,n)"),
    "9.6": ("Cross-correlation",
            r"S(i,j) = (K*I)(i,j) = \sum_m\sum_n I(i+m,j+n)\,K(m,n)"),
    "9.7": ("Multi-channel convolution",
            r"Z_{i,j,k} = \sum_{l,m,n} V_{l,\,j+m-1,\,k+n-1}\,K_{i,l,m,n}"),
    "9.8": ("Strided convolution",
            r"Z_{i,j,k} = c(\mathsf{K},\mathsf{V},s)_{i,j,k} = \sum_{l,m,n} "
            r"V_{l,\,(j-1)s+m,\,(k-1)s+n}\,K_{i,l,m,n}"),
    "9.9": ("Locally connected layer",
            r"Z_{i,j,k} = \sum_{l,m,n} V_{l,\,j+m-1,\,k+n-1}\,w_{i,j,k,l,m,n}"),
    "9.10": ("Tiled convolution",
             r"Z_{i,j,k} = \sum_{l,m,n} V_{l,\,j+m-1,\,k+n-1}\,"
             r"K_{i,l,m,n,\,j\,\%\,t+1,\,k\,\%\,t+1}"),
    "9.11": ("Gradient with respect to the kernel",
             r"g(\mathsf{G},\mathsf{V},s)_{i,j,k,l} = \frac{\partial J}{\partial K_{i,j,k,l}} "
             r"= \sum_{m,n} G_{i,m,n}\,V_{j,\,(m-1)s+k,\,(n-1)s+l}"),
    "9.12": ("Gradient with respect to the input",
             r"h(\mathsf{K},\mathsf{G},s)_{i,j,k} = \frac{\partial J}{\partial V_{i,j,k}}"),
    "9.13": ("The input gradient written out",
             r"h(\mathsf{K},\mathsf{G},s)_{i,j,k} = "
             r"\sum_{\substack{l,m\\(l-1)s+m=j}}\ \sum_{\substack{n,p\\(n-1)s+p=k}}\ "
             r"\sum_q K_{q,i,m,p}\,G_{q,l,n}"),
}

#: What GBC states in the text after eq. 9.13, without an equation number.
RECON_TEX = ("Reconstruction by the transpose (GBC's text after eq.~9.13, unnumbered there)",
             r"\mathsf{R} = h(\mathsf{K},\mathsf{H},s)")

GBC_NOTE: dict[str, str] = {
    "9.4": r"symconv: \texttt{convolve(x, w)} in mode \texttt{full}, "
           r"$y[m] = \sum_k x[m-k]\,w[k]$ over $0 \le m-k < n$ per axis, for any sizes.",
    "9.5": r"The same sum as \eqref{gbc:9.4} after $m \mapsto i-m$, $n \mapsto j-n$.",
    "9.6": r"symconv: \texttt{correlate(x, w)} and every layer; no kernel flip.",
    "9.7": r"symconv: \texttt{Conv2d}, "
           r"$y[q,o] = \sum_c\sum_j w[q,c,j]\,\tilde x[c,\,s o + d j - p]$ (0-based; "
           r"$\tilde x$ is $x$ inside $0..n-1$ and $0$ outside).",
    "9.8": r"\eqref{gbc:9.7} with stride $s$: the stride-1 output of \eqref{gbc:9.7} read at "
           r"every $s$-th position (Theorem~\ref{thm:stretch}).",
    "9.9": r"symconv: \texttt{LocallyConnected2d}: the taps of \eqref{gbc:9.7}, "
           r"one weight per tap.",
    "9.10": r"symconv: \texttt{TiledConv2d}: $t$ kernels cycled; $t=1$ is \eqref{gbc:9.7}.",
    "9.11": r"symconv: \texttt{d.gradient().weight}: each weight sums $G$ times the inputs it "
            r"multiplies (its tie group in $T$).",
    "9.12": r"symconv: \texttt{d.gradient().input} $= T^\top g$, the derivative of "
            r"$J = \mathsf{G}\cdot c(\mathsf{K},\mathsf{V},s)$ with respect to $\mathsf{V}$.",
    "9.13": r"The sum of \eqref{gbc:9.12} written out: $T^\top g$, the transposed convolution.",
    "recon": r"symconv: \texttt{ConvTranspose2d} applied to $\mathsf{H}$ is \eqref{gbc:9.13} "
             r"with $\mathsf{G} = \mathsf{H}$; Relationships~\ref{rel:8}--\ref{rel:14} give "
             r"its sizes.",
}

DV_TEX: dict[int, tuple[str, str]] = {
    1: (r"No zero padding, unit strides", r"o = (i - k) + 1"),
    2: (r"Zero padding, unit strides", r"o = (i - k) + 2p + 1"),
    3: (r"Half (same) padding: $k = 2q + 1$, $p = q$, $s = 1$", r"o = i"),
    4: (r"Full padding: $p = k - 1$, $s = 1$", r"o = i + (k - 1)"),
    5: (r"No zero padding, non-unit strides",
        r"o = \left\lfloor \frac{i - k}{s} \right\rfloor + 1"),
    6: (r"Zero padding, non-unit strides",
        r"o = \left\lfloor \frac{i + 2p - k}{s} \right\rfloor + 1"),
    7: (r"Pooling", r"o = \left\lfloor \frac{i - k}{s} \right\rfloor + 1"),
    8: (r"Transposed: no padding, unit strides", r"o' = i' + (k - 1)"),
    9: (r"Transposed: zero padding, unit strides", r"o' = i' + (k - 1) - 2p"),
    10: (r"Transposed: half padding", r"o' = i'"),
    11: (r"Transposed: full padding", r"o' = i' - (k - 1)"),
    12: (r"Transposed: no padding, non-unit strides, $s \mid i - k$", r"o' = s(i' - 1) + k"),
    13: (r"Transposed: zero padding, non-unit strides, $s \mid i + 2p - k$",
         r"o' = s(i' - 1) + k - 2p"),
    14: (r"Transposed: general, $a = (i + 2p - k) \bmod s$", r"o' = s(i' - 1) + a + k - 2p"),
    15: (r"Dilated convolution",
         r"o = \left\lfloor \frac{i + 2p - k - (k - 1)(d - 1)}{s} \right\rfloor + 1"),
}

#: The instance each figure draws: (i, k, s, p, d) of the forward convolution.
FIGURES: dict[int, tuple[int, int, int, int, int]] = {
    1: (4, 3, 1, 0, 1), 2: (5, 4, 1, 2, 1), 3: (5, 3, 1, 1, 1), 4: (5, 3, 1, 2, 1),
    5: (5, 3, 2, 0, 1), 6: (5, 3, 2, 1, 1), 7: (5, 3, 1, 0, 1), 8: (4, 3, 1, 0, 1),
    9: (5, 4, 1, 2, 1), 10: (5, 3, 1, 1, 1), 11: (5, 3, 1, 2, 1), 12: (5, 3, 2, 0, 1),
    13: (5, 3, 2, 1, 1), 14: (6, 3, 2, 1, 1), 15: (7, 3, 1, 0, 2),
}

THEOREM_LABELS = {"kronecker": "kron", "circulant": "circ", "stretching": "stretch"}

STATUS = {"proved": r"\textsc{proved}", "checked": r"\textsc{checked}",
          "definition": r"\textsc{definition}"}

PREAMBLE = r"""\documentclass[10pt]{article}
\usepackage[margin=2cm]{geometry}
\usepackage{amsmath,amssymb,amsthm}
\usepackage{tikz}
\usepackage[hidelinks]{hyperref}
\newtheorem{relationship}{Relationship}
\newtheorem{theorem}{Theorem}
\setlength{\parindent}{0pt}
\setlength{\parskip}{4pt}
\allowdisplaybreaks
\sloppy
\title{Convolution as matrix multiplication:\\ Goodfellow et al.\ ch.\ 9 and
Dumoulin \& Visin, regenerated}
\author{symconv}
\date{}
"""

INTRO = r"""Every numbered statement below is stated for general sizes, with the steps of its
proof marked \textsc{proved} (SymPy establishes the step with symbolic sizes),
\textsc{checked} (the step is evaluated on every combination of a grid of sizes, whose
number is given) or \textsc{definition}; a few \textsc{proved} steps join SymPy's
certificates by a link argued in symconv's code rather than by SymPy (monotonicity of a
linear index, the induction principle, a slack reaching every case), and their text says
``hand-coded''; and each is backed by instance checks run while
this document was built: a concrete convolution derived by symconv compared with an
independent reference (loops written from the textbook formula, NumPy, SciPy, and PyTorch
when installed).  Steps marked ``general-size engine'' are theorems of symconv's
general-size engine: \texttt{Conv1d} and \texttt{ConvTranspose1d} derived with every size
symbolic ($n, k, s, d, p$) and verified step by step, each step \textsc{proved} by SymPy or
\textsc{checked} on a grid, each statement compared with a brute-force enumeration of the
index law.  A failing check stops the build, so a claim printed here held at every
instance listed.  Indices in symconv are 0-based and flattening is C order; the textbook
equations keep their authors' 1-based notation.  References: I.~Goodfellow, Y.~Bengio,
A.~Courville, \emph{Deep Learning}, MIT Press, 2016, ch.~9 (GBC); V.~Dumoulin, F.~Visin,
\emph{A guide to convolution arithmetic for deep learning}, arXiv:1603.07285 (D\&V)."""


_SIGNS = {"<=": r"$\le$", ">=": r"$\ge$", "->": r"$\to$", "<": "$<$", ">": "$>$"}
_SIGN = re.compile("(<=|>=|->|<|>)")


def _prose(text: str) -> str:
    r"""Plain text from the checks, escaped, with comparison signs as math.

    The signs are split out before escaping (``escape`` writes ``<`` as ``\textless{}``):

    >>> print(_prose("0 <= p < k -> y_1 & done"))
    0 $\le$ p $<$ k $\to$ y\_1 \& done
    """
    pieces = _SIGN.split(text)  # odd positions are the signs
    return "".join(_SIGNS[p] if n % 2 else escape(p) for n, p in enumerate(pieces))


def _evidence(ev: Evidence) -> str:
    items = []
    for step in ev.steps:
        tag = STATUS[step.status]
        if step.status == "checked":
            tag += f" (on {step.count} size combinations)"
        items.append(command("item") + " " + tag + ": " + _prose(step.text))
    refs = ", ".join(_prose(r) for r in sorted(ev.references))
    proof = environment("itemize", "\n".join(items)) if items else ""
    checks = (r"\textit{Checks.} " + f"{ev.checks} instance comparisons, all agreeing: "
              + refs + ".")
    return r"\textit{Proof.}" + "\n" + proof + "\n" + checks + "\n"


def _equation(tag: str, label: str, body: str) -> str:
    return environment("equation*", body + "\n" + command("tag", tag) + command("label", label))


def _titled(name: str, title: str, body: str) -> str:
    """``\\begin{name}[title]`` ... ``\\end{name}`` (an environment with an optional argument)."""
    return environment(name, body).replace("\\begin{" + name + "}",
                                           "\\begin{" + name + "}[" + title + "]", 1)


def _figure(mk: Makers, number: int) -> str:
    i, k, s, p, d = FIGURES[number]
    rel = RELATIONSHIPS[number]
    if rel.kind == "transpose":
        from ..boundary._spec import conv_out_size

        ip = conv_out_size(i, k, s, d, p, p)
        a = (i + 2 * p - k) % s
        layer = mk.ConvTranspose2d(1, 1, k, stride=s, padding=p, output_padding=a, bias=False)
        dd = layer.derive(input_size=(1, ip, ip))
        what = (f"transposed convolution of $i'={ip}$, $k={k}$, $s={s}$, $p={p}$, $a={a}$ "
                f"(output ${i}\\times{i}$) as a direct convolution of the stretched input")
    else:
        dd = mk.Conv2d(1, 1, k, stride=s, padding=p, dilation=d, bias=False).derive(
            input_size=(1, i, i))
        what = f"$i={i}$, $k={k}$, $s={s}$, $p={p}$" + (f", $d={d}$" if d > 1 else "")
        if rel.kind == "pool":
            what += " (the pooling window slides as the kernel does)"
    caption = (f"Relationship~\\ref{{rel:{number}}}: {what}. Blue: input; dashed: zero "
               "padding; white: inserted zeros; shaded: the cells the first output reads.")
    body = "\\centering\n" + arithmetic_tikz(dd) + "\n" + command("caption", caption) + \
        command("label", f"fig:rel-{number}")
    return _titled("figure", "htbp", body)


def _structure_section(mk: Makers, evidence: dict[str, Evidence]) -> str:
    ex = mk.correlate(sympy.symarray("x", (3, 3)), sympy.symarray("w", (2, 2)))
    circ = mk.convolve(sympy.symarray("x", 4), sympy.symarray("w", 2), mode="circular")
    kron = _titled("theorem", "Kronecker form", (
        r"For a convolution with stride $s_a$, dilation $d_a$ and padding $p_a$ per axis, "
        r"$T = \sum_{q,c,j} w[q,c,j]\; E_{q,c} \otimes S^{(1)}_{j_1} \otimes \cdots \otimes "
        r"S^{(N)}_{j_N}$ with $S^{(a)}_j[o,i] = [\,i = s_a o + d_a j - p_a\,]$; with stride 1 "
        r"every $S_j$ is a shifted identity, so 2-D convolution is doubly block Toeplitz, "
        r"one such matrix $W^{(q,c)}$ per channel pair."
    ) + command("label", "thm:kron"))
    circ_thm = _titled("theorem", "Convolution theorem", (
        r"With circular padding, stride 1 and an output the size of the input, $T$ is "
        r"circulant ($T[o,i] = c[(o-i) \bmod n]$) and $F T F^{-1} = "
        r"\operatorname{diag}(F c)$, $F[a,b] = e^{-2\pi i ab/n}$; in 2-D $T$ is block "
        r"circulant with circulant blocks and $F = F_{n_1} \otimes F_{n_2}$."
    ) + command("label", "thm:circ"))
    stretch = _titled("theorem", "Zero-stretching", (
        r"A strided convolution is the stride-1 convolution read at every $s$-th output; a "
        r"dilated one is the undilated convolution with $d-1$ zeros between the kernel taps; "
        r"a transposed one is a direct convolution (stride 1) of the input with $s-1$ zeros "
        r"between its elements, padded by $d(k-1)-p$ (and $a$ more on the right), with the "
        r"kernel flipped (Relationships~\ref{rel:8}--\ref{rel:14})."
    ) + command("label", "thm:stretch"))
    example = (r"For example, $3\times 3$ input, $2\times 2$ kernel, valid correlation:"
               + "\n" + environment("equation*", structure_latex(ex)) + "\n"
               + r"and the circular convolution of length 4 with a 2-tap kernel:" + "\n"
               + environment("equation*", structure_latex(circ)))
    if mk.Conv1d is not None:  # a layer's blocks are labelled per channel pair
        layer = mk.Conv1d(2, 1, 2, bias=False).derive(input_size=(2, 3))
        example += ("\n" + r"A layer with two input channels (\texttt{Conv1d(2, 1, 2)} on "
                    r"$2\times 3$): one Toeplitz block $W^{(q,c)}$ per channel pair:" + "\n"
                    + environment("equation*", structure_latex(layer)))
    return join("\n", [
        command("section", "Structure theorems") + command("label", "sec:structure"),
        kron, _evidence(evidence["kronecker"]), example,
        circ_thm, _evidence(evidence["circulant"]),
        stretch, _evidence(evidence["stretching"]),
    ])


def _summary(evidence: dict[str, Evidence]) -> str:
    rows = []
    for key, ev in evidence.items():
        if key == "gbc-recon":
            name = "GBC, $\\mathsf{R} = h(\\mathsf{K},\\mathsf{H},s)$"
        elif key.startswith("gbc-"):
            name = f"GBC \\eqref{{{key.replace('gbc-', 'gbc:')}}}"
        elif key.startswith("dv-"):
            name = f"D\\&V Relationship~\\ref{{rel:{key[3:]}}}"
        else:
            name = f"Theorem~\\ref{{thm:{THEOREM_LABELS[key]}}}"
        proved = sum(s.status == "proved" for s in ev.steps)
        grid = sum(s.count for s in ev.steps if s.status == "checked")
        rows.append(f"{name} & {proved} & {grid} & {ev.checks} \\\\")
    total = sum(ev.checks for ev in evidence.values())
    table = environment("tabular", "\n".join([
        r"\hline claim & steps proved & size combinations checked & instance checks \\ \hline",
        *rows, r"\hline", f"all & & & {total} \\\\ \\hline"]), "lrrr")
    return command("section", "Summary") + "\n" + "{\\small\n" + table + "\n}\n"


def build_textbook(mk: Makers) -> str:
    """The whole document (a ``str``), every claim checked while it is built.

    Raises
    ------
    ProofError
        When a claim's check fails (symconv's own failure): no document states
        a claim that did not check.
    """
    evidence = run_all(mk)
    failed = {k: ev.failures for k, ev in evidence.items() if not ev}
    if failed:
        raise ProofError(f"textbook claims failed their checks: {failed}")
    parts: list[str] = [PREAMBLE, r"\begin{document}", r"\maketitle", INTRO]
    parts.append(command("section", "Goodfellow, Bengio \\& Courville, chapter 9")
                 + command("label", "sec:gbc"))
    for key in GBC:
        title, body = GBC_TEX[key]
        parts.append(command("paragraph", f"Eq.~{key}: {title}."))
        parts.append(_equation(key, f"gbc:{key}", body))
        parts.append(GBC_NOTE[key])
        parts.append(_evidence(evidence[f"gbc-{key}"]))
    title, body = RECON_TEX
    parts.append(command("paragraph", f"{title}."))
    parts.append(environment("equation*", body))
    parts.append(GBC_NOTE["recon"])
    parts.append(_evidence(evidence["gbc-recon"]))
    parts.append(command("section", "Dumoulin \\& Visin, relationships 1--15")
                 + command("label", "sec:dv"))
    parts.append(r"Notation: input size $i$, kernel $k$, stride $s$, padding $p$, dilation "
                 r"$d$, output $o$; a transposed convolution has input $i'$ and output $o'$. "
                 r"The general law is $o = \lfloor (i + 2p - d(k-1) - 1)/s \rfloor + 1$ and "
                 r"$o' = (i'-1)s - 2p + d(k-1) + a + 1$; each relationship is that law in its "
                 r"setting (Figure~\ref{fig:rel-1} onwards).")
    for number in RELATIONSHIPS:
        title, body = DV_TEX[number]
        stmt = "\\[ " + body + " \\]" + command("label", f"rel:{number}")
        parts.append(_titled("relationship", title, stmt))
        parts.append(f"See Figure~\\ref{{fig:rel-{number}}}.")
        parts.append(_evidence(evidence[f"dv-{number}"]))
        parts.append(_figure(mk, number))
    parts.append(r"\clearpage")
    parts.append(_structure_section(mk, evidence))
    parts.append(_summary(evidence))
    parts.append(r"\end{document}")
    return "\n\n".join(parts) + "\n"


def textbook_makers(**constructors: Any) -> Makers:
    """A :class:`Makers` from keyword constructors (the shell passes its own)."""
    return Makers(**constructors)
