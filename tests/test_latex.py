"""LaTeX fragments: golden strings, options, escaping, determinism, Jupyter display."""

from __future__ import annotations

import subprocess
import sys

import pytest
import sympy

import symconv as sc


def seed() -> sc.Derivation:
    return sc.correlate(sympy.symarray("x", 4), sympy.symarray("w", 3))


# ------------------------------------------------------------ golden strings


def test_golden_seed_sums_coloured() -> None:
    assert seed().to_latex(view="sums") == (
        "\\begin{aligned}\n"
        r"y_{0} &= \textcolor[HTML]{0072B2}{w_{0}} x_{0} + \textcolor[HTML]{D55E00}{w_{1}} x_{1} "
        r"+ \textcolor[HTML]{009E73}{w_{2}} x_{2} \\" "\n"
        r"y_{1} &= \textcolor[HTML]{0072B2}{w_{0}} x_{1} + \textcolor[HTML]{D55E00}{w_{1}} x_{2} "
        r"+ \textcolor[HTML]{009E73}{w_{2}} x_{3}" "\n"
        "\\end{aligned}"
    )


def test_golden_seed_matrix_is_seed_json() -> None:
    # seed.json: matrix [[w_0, w_1, w_2, 0], [0, w_0, w_1, w_2]]
    assert seed().to_latex(view="matrix", color=False) == (
        "\\begin{bmatrix}\ny_{0} \\\\\ny_{1}\n\\end{bmatrix} = "
        "\\underbrace{\\begin{bmatrix}\n"
        "w_{0} & w_{1} & w_{2} & 0 \\\\\n"
        "0 & w_{0} & w_{1} & w_{2}\n"
        "\\end{bmatrix}}_{T} "
        "\\begin{bmatrix}\nx_{0} \\\\\nx_{1} \\\\\nx_{2} \\\\\nx_{3}\n\\end{bmatrix}"
    )


def test_golden_one_based_aWz_names() -> None:
    assert seed().to_latex(view="sums", index_base=1, names="aWz", color=False) == (
        "\\begin{aligned}\n"
        "z_{1} &= W_{1} a_{1} + W_{2} a_{2} + W_{3} a_{3} \\\\\n"
        "z_{2} &= W_{1} a_{2} + W_{2} a_{3} + W_{3} a_{4}\n"
        "\\end{aligned}"
    )


def test_golden_numeric_seed_sums_show_the_values() -> None:
    # seed.json: correlate/valid = [38, 56]
    assert sc.correlate([1, 2, 3, 4], [5, 6, 7]).to_latex(view="sums", color=False) == (
        "\\begin{aligned}\n"
        "y_{0} &= 5 \\cdot 1 + 6 \\cdot 2 + 7 \\cdot 3 = 38 \\\\\n"
        "y_{1} &= 5 \\cdot 2 + 6 \\cdot 3 + 7 \\cdot 4 = 56\n"
        "\\end{aligned}"
    )


def test_golden_patches() -> None:
    assert seed().to_latex(view="patches", color=False) == (
        "\\begin{bmatrix}\ny_{0} \\\\\ny_{1}\n\\end{bmatrix} = "
        "\\underbrace{\\begin{bmatrix}\n"
        "x_{0} & x_{1} & x_{2} \\\\\n"
        "x_{1} & x_{2} & x_{3}\n"
        "\\end{bmatrix}}_{P} "
        "\\begin{bmatrix}\nw_{0} \\\\\nw_{1} \\\\\nw_{2}\n\\end{bmatrix}"
    )


def test_golden_nonlinearity() -> None:
    assert seed().to_latex(view="sums", nonlinearity="ReLU", color=False) == (
        "\\begin{aligned}\n"
        "a_{0} &= \\operatorname{ReLU}\\bigl( w_{0} x_{0} + w_{1} x_{1} + w_{2} x_{2} \\bigr) "
        "\\\\\n"
        "a_{1} &= \\operatorname{ReLU}\\bigl( w_{0} x_{1} + w_{1} x_{2} + w_{2} x_{3} \\bigr)\n"
        "\\end{aligned}"
    )


def test_nonlinearity_in_matrix_form_is_a_of_Tx_plus_b() -> None:
    d = sc.Conv1d(1, 1, 2).derive(input_size=3)
    out = d.to_latex(view="matrix", nonlinearity="f", color=False)
    assert out.startswith("\\begin{bmatrix}\na_{0,0} \\\\\na_{0,1}\n\\end{bmatrix} = f\\left( ")
    assert out.endswith("\\begin{bmatrix}\nb_{0} \\\\\nb_{0}\n\\end{bmatrix} \\right)")


def test_golden_dot_zeros_and_escaped_names() -> None:
    out = seed().to_latex(view="matrix", zero=r"\cdot", color=False,
                          names={"x": "x&y", "w": "theta"})
    assert "\\theta_{0} & \\theta_{1} & \\theta_{2} & \\cdot \\\\\n" in out
    assert "\\text{x\\&y}_{0} \\\\\n" in out


@pytest.mark.parametrize(("name", "latex"), [
    ("x_1", r"\text{x\_1}"),
    ("50%", r"\text{50\%}"),
    ("a#b", r"\text{a\#b}"),
    ("a^b", r"\text{a\textasciicircum{}b}"),
    ("{x}", r"\text{\{x\}}"),
    ("$", r"\text{\$}"),
    ("~", r"\text{\textasciitilde{}}"),
    ("back\\slash", r"\text{back\textbackslash{}slash}"),
    ("delta", r"\delta"),
    ("act", r"\mathrm{act}"),
])
def test_special_characters_in_names_are_escaped(name: str, latex: str) -> None:
    out = seed().to_latex(view="sums", names={"y": name}, color=False)
    assert out.split("\n")[1].startswith(latex + "_{0} &= ")


def test_user_symbols_with_special_characters_are_escaped() -> None:
    x = [sympy.Symbol("p&q"), sympy.Symbol("r_s"), sympy.Integer(2)]
    out = sc.correlate(x, [sympy.Symbol("w_0")], mode="valid").to_latex(view="sums",
                                                                       color=False)
    assert r"w_{0} \text{p\&q}" in out and r"w_{0} \text{r\_s}" in out
    assert r"w_{0} \cdot 2" in out


def test_mixed_values_are_parenthesised() -> None:
    a, b = sympy.symbols("a b")
    out = sc.correlate([a + b, -3], [2], mode="valid").to_latex(view="sums", color=False)
    assert r"2 \cdot \left( a + b \right)" in out
    assert r"2 \cdot \left( -3 \right)" in out


def test_folded_entries_show_a_sum_of_weights_each_in_its_colour() -> None:
    d = sc.Conv1d(1, 1, 3, padding=1, padding_mode="reflect", bias=False).derive(input_size=3)
    out = d.to_latex(view="matrix")
    # reflect: y_0 reads x_1, x_0, x_1, so T[0, 1] = w_0 + w_2
    # (the sum stacked in its cell, so the column stays narrow)
    assert (r"\textcolor[HTML]{D55E00}{w_{0,0,1}} & \begin{gathered} \textcolor[HTML]{0072B2}{w_{0,0,0}} "
            r"\\ {}+ \textcolor[HTML]{009E73}{w_{0,0,2}} \end{gathered} & 0") in out


def test_colour_is_fixed_by_weight_index() -> None:
    d = sc.Conv1d(1, 1, 12, bias=False).derive(input_size=12)
    out = d.to_latex(view="patches", max_cols=20)
    # ten colours, then no repeat: w_10 and w_11 are black, told apart by their labels
    assert r"\textcolor[HTML]{0072B2}{w_{0,0,0}}" in out
    assert r"\textcolor[HTML]{D55E00}{w_{0,0,1}}" in out
    assert r"w_{0,0,10}" in out and r"}{w_{0,0,10}}" not in out
    assert r"w_{0,0,11}" in out and r"}{w_{0,0,11}}" not in out


# ----------------------------------------------------------------- elision


def test_elided_matrix_states_the_omitted_size() -> None:
    d = sc.correlate(sympy.symarray("x", 30), sympy.symarray("w", 3))
    assert d.to_latex(view="matrix", max_rows=4, max_cols=5, color=False) == (
        "\\begin{bmatrix}\ny_{0} \\\\\ny_{1} \\\\\n\\vdots \\\\\ny_{27}\n\\end{bmatrix} = "
        "\\underbrace{\\begin{bmatrix}\n"
        "w_{0} & w_{1} & w_{2} & \\cdots & 0 \\\\\n"
        "0 & w_{0} & w_{1} & \\cdots & 0 \\\\\n"
        "\\vdots & \\vdots & \\vdots & \\ddots & \\vdots \\\\\n"
        "0 & 0 & 0 & \\cdots & w_{2}\n"
        "\\end{bmatrix}}_{T} "
        "\\begin{bmatrix}\nx_{0} \\\\\nx_{1} \\\\\nx_{2} \\\\\n\\vdots \\\\\nx_{29}\n"
        "\\end{bmatrix} \\quad \\text{(}T\\text{ is }28 \\times 30"
        "\\text{; 25 rows and 26 columns not shown)}"
    )


def test_elided_outputs_and_terms() -> None:
    d = sc.correlate(sympy.symarray("x", 30), sympy.symarray("w", 3))
    out = d.to_latex(view="sums", max_rows=4, color=False)
    assert "\\\\\n&\\;\\vdots \\\\\ny_{27} &= " in out
    assert out.endswith(r"\quad \text{(28 outputs in all, 25 not shown)}")
    long = sc.Conv1d(1, 1, 12, bias=False).derive(input_size=12)
    assert long.to_latex(view="sums", max_terms=4, color=False) == (
        "\\begin{aligned}\n"
        "y_{0,0} &= w_{0,0,0} x_{0,0} + w_{0,0,1} x_{0,1} + \\cdots + w_{0,0,11} x_{0,11} "
        "\\quad \\text{(12 products)}\n"
        "\\end{aligned}"
    )


def test_large_2d_fragment_is_small_and_fast() -> None:
    d = sc.Conv2d(3, 8, 5).derive(input_size=(32, 32))  # 7 200 x 3 072 matrix
    out = d.to_latex(view="matrix", color=False)
    assert out.count("\\\\\n") < 60
    assert r"T\text{ is }6{,}272 \times 3{,}072" in out


def test_terms_per_line_wraps_inside_aligned() -> None:
    out = sc.Conv1d(1, 1, 5, bias=False).derive(input_size=5).to_latex(
        view="sums", terms_per_line=2, color=False)
    assert out == (
        "\\begin{aligned}\n"
        "y_{0,0} &= w_{0,0,0} x_{0,0} + w_{0,0,1} x_{0,1} \\\\\n"
        "&\\qquad + w_{0,0,2} x_{0,2} + w_{0,0,3} x_{0,3} \\\\\n"
        "&\\qquad + w_{0,0,4} x_{0,4}\n"
        "\\end{aligned}"
    )


# ------------------------------------------------------------------ options


@pytest.mark.parametrize(("options", "error", "match"), [
    ({"colour": True}, TypeError, r"unknown LaTeX option `colour`; the options are `index_base`"),
    ({"index_base": 2}, ValueError, r"`index_base` must be 0 or 1, got 2"),
    ({"index_base": True}, TypeError,
     r"`index_base` must be an int, 0 or 1 \(not a bool or a float\), got True \(bool\)"),
    ({"index_base": 1.0}, TypeError,
     r"`index_base` must be an int, 0 or 1 \(not a bool or a float\), got 1\.0 \(float\)"),
    ({"color": "yes"}, TypeError, r"`color` must be True or False, got 'yes'"),
    ({"zero": "o"}, ValueError, r"`zero` must be '0' or r'\\cdot', got 'o'"),
    ({"view": "dense"}, ValueError, r"`view` must be one of 'all', .*; got 'dense'"),
    ({"max_rows": 2}, ValueError, r"`max_rows` must be at least 3 .*, got 2"),
    ({"max_cols": "9"}, TypeError, r"`max_cols` must be an integer, got '9'"),
    ({"max_terms": 1}, ValueError, r"`max_terms` must be at least 3"),
    ({"terms_per_line": 0}, ValueError, r"`terms_per_line` must be positive, got 0"),
    ({"terms_per_line": 1.5}, TypeError, r"`terms_per_line` must be an integer or None"),
    ({"nonlinearity": ""}, ValueError, r"`nonlinearity` must be a non-empty name"),
    ({"names": "abc"}, ValueError, r"`names` must be one of the presets 'xwb', 'aWz' .*'abc'"),
    ({"names": {"q": "z"}}, ValueError, r"`names` has an unknown role 'q'; the roles are x"),
    ({"names": {"x": ""}}, ValueError, r"`names` must map 'x' to a non-empty name, got ''"),
    ({"names": 3}, TypeError, r"`names` must be a preset name or a mapping, got 3"),
])
def test_bad_options_are_refused(options: dict, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        seed().to_latex(**options)
    with pytest.raises(error, match=match):
        seed().latex_document(**options)


def test_repr_latex_refuses_other_objects() -> None:
    with pytest.raises(TypeError, match="`obj` must be a Derivation, a Gradient or a Proof, "
                                        "got int"):
        sc.repr_latex(3)


# ------------------------------------------------------------ determinism


def test_same_call_gives_byte_identical_latex() -> None:
    d = sc.Conv2d(2, 2, 2, padding=1, padding_mode="circular").derive(input_size=(3, 3))
    one = d.to_latex(index_base=1)
    assert one == d.to_latex(index_base=1)
    assert one == sc.Conv2d(2, 2, 2, padding=1, padding_mode="circular").derive(
        input_size=(3, 3)).to_latex(index_base=1)


def test_documents_are_identical_across_processes_and_hash_seeds() -> None:
    code = ("import symconv as sc, sys; d = sc.Conv1d(2, 2, 2, padding=1, padding_mode='reflect')"
            ".derive(input_size=3); sys.stdout.write(d.latex_document(nonlinearity='f'))")
    outs = [
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                       env={"PYTHONHASHSEED": str(h), "PATH": ""}).stdout
        for h in (1, 2)
    ]
    assert outs[0] == outs[1]
    assert outs[0].startswith("\\documentclass")


# ------------------------------------------------------------------ Jupyter


@pytest.fixture(scope="module")
def formatter():
    pytest.importorskip("IPython")
    from IPython.core.interactiveshell import InteractiveShell

    return InteractiveShell.instance().display_formatter


def test_derivation_displays_as_math_in_ipython(formatter) -> None:
    data, _ = formatter.format(seed())
    assert data["text/latex"] == "$$" + seed().to_latex() + "$$"


def test_gradient_displays_as_math_in_ipython(formatter) -> None:
    data, _ = formatter.format(seed().gradient())
    latex = data["text/latex"]
    # seed.json: weight_gradient[0] = g_0*x_0 + g_1*x_1
    assert latex.startswith("$$\\begin{aligned}\n\\frac{\\partial L}{\\partial x_{0}} &= ")
    assert "\\frac{\\partial L}{\\partial w_{0}} &= g_{0} x_{0} + g_{1} x_{1} \\\\\n" in latex


def test_proof_displays_as_math_in_ipython(formatter) -> None:
    proof = sc.proofs(seed())[0]
    data, _ = formatter.format(proof)
    latex = data["text/latex"]
    assert latex.startswith("$$\\begin{gathered}\n\\textbf{Matrix form.}\\quad y = T x \\\\\n")
    assert "y &= T x && \\text{(3)}" in latex
    assert latex.endswith("\\end{gathered}$$")


# ---------------------------------------------------------------- documents


def test_document_has_every_part_the_issue_lists() -> None:
    doc = sc.Conv1d(2, 3, 2, stride=2, padding=1).derive(input_size=5).latex_document()
    for section in ("Setting", "Definitions", "Each output as a sum of products", "Matrix form",
                    "The im2col form", "Parameters: convolution versus dense layer",
                    "Backward pass", "Proofs"):
        assert f"\\section*{{{section}}}" in doc
    assert doc.count("\\paragraph{Proposition ") == 7
    # parameter counts read independently: 3*2*2 weights + 3 biases; dense 9*10 + 9
    assert "The convolution has 12 weights and 3 biases (15 parameters)" in doc
    assert "has 90 weights and 9 biases (99 parameters)" in doc
    assert "stride & (2,)" in doc and "padding (before, after) & (1, 1), mode zeros" in doc
    for name, rgb in (("scA", "0072B2"), ("scB", "D55E00")):
        assert f"\\definecolor{{{name}}}{{HTML}}{{{rgb}}}" in doc


def test_document_states_the_convention() -> None:
    conv = sc.convolve([1, 2, 3, 4], [5, 6, 7]).latex_document(color=False)
    corr = sc.correlate([1, 2, 3, 4], [5, 6, 7]).latex_document()
    assert "true convolution: the kernel is flipped" in conv
    assert "cross-correlation: no flip, no conjugation" in corr
    # seed.json: convolve/full = [5, 16, 34, 52, 45, 28]
    assert "y_{0} &= 5 \\cdot 1 = 5 \\\\\n" in conv
    assert "y_{5} &= 7 \\cdot 4 = 28\n" in conv
    assert "there are 12 products in all.\n" in conv


def test_document_proofs_follow_index_base_and_names() -> None:
    doc = seed().latex_document(index_base=1, names="aWz", color=False)
    # seed.json outputs[0] = w_0*x_0 + w_1*x_1 + w_2*x_2, in the a/W/z notation, 1-based
    assert "z_{1} &= W_{1} a_{1} + W_{2} a_{2} + W_{3} a_{3} && \\text{(1)} \\\\\n" in doc
    # seed.json input_gradient[1] = g_0*w_1 + g_1*w_0
    assert "\\frac{\\partial L}{\\partial a_{2}} &= W_{2} \\delta_{1} + W_{1} \\delta_{2} " in doc
    assert "\\[\nz = T a.\n\\]" in doc  # the statement, displayed


def test_true_convolution_documents_show_the_flipped_formula() -> None:
    x, w = sympy.symarray("x", 4), sympy.symarray("w", 3)
    conv = sc.convolve(x, w).latex_document()
    corr = sc.correlate(x, w).latex_document()
    assert r"\mathrm{convolution\_element}(x, w, m, K)" in conv
    assert "convolution\\_element" not in corr
