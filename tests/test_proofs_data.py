"""Proofs are pure data (issue 9, item 5): SymPy objects, typed quantities and rule names.

No LaTeX and no magic Symbol names in a proof; the renderers print every quantity
by its type and know no table of names.  Rendered notation is compared with
expectations written out here by hand (the textbook notation), never with
symconv's own output.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy
from sympy import Basic, MatrixSymbol, Symbol
from sympy.core.function import AppliedUndef

import symconv as sc
from symconv.checks import _proof_terms as terms
from symconv.rendering import _latex_options

#: The Symbol names the renderer used to decode (issue 9): none may appear in a proof.
OLD_NAMES = {"n_out", "dim_T", "rank_A", "w_flipped", "grad_w", "grad_x"}
OLD_PREFIXES = ("grad_", "n_out_", "dim_", "rank_")

LAYERS = {
    "signal-1d": lambda: sc.correlate(sympy.symarray("x", 4), sympy.symarray("w", 3)),
    "convolve-same-2d": lambda: sc.convolve(sympy.symarray("x", (3, 4)),
                                            sympy.symarray("w", (2, 3)), mode="same"),
    "circular": lambda: sc.correlate(sympy.symarray("x", 5), sympy.symarray("w", 3),
                                     mode="circular"),
    "numeric": lambda: sc.convolve([1, 2, 3, 4], [5, 6, 7]),
    "conv1d-strided-dilated": lambda: sc.Conv1d(1, 2, 3, stride=2, padding=1,
                                                dilation=2).derive(input_size=9),
    "conv2d-channels-bias": lambda: sc.Conv2d(2, 3, 2).derive(input_size=(3, 3)),
    "groups": lambda: sc.Conv2d(4, 4, 3, stride=2, padding=1, groups=2,
                                bias=False).derive(input_size=(5, 4)),
    "reflect": lambda: sc.Conv1d(1, 1, 3, padding=2, padding_mode="reflect").derive(
        input_size=5),
    "transposed": lambda: sc.ConvTranspose2d(2, 1, 3, stride=2, padding=1,
                                             output_padding=1).derive(input_size=(2, 2)),
    "long-kernel": lambda: sc.correlate(sympy.symarray("x", 16), sympy.symarray("w", 13)),
}


def _parts(proof: sc.Proof) -> list[object]:
    """Every object a proof holds: statement, steps, and the math of each justification."""
    out: list[object] = [proof.lhs, proof.rhs]
    for s in proof.steps:
        out += [s.lhs, s.rhs]
        out += [s.justification] if isinstance(s.justification, str) else list(s.justification)
    return out


def _nodes(v: object) -> list[Basic]:
    if isinstance(v, Basic):
        return list(sympy.preorder_traversal(v))
    if isinstance(v, sympy.MatrixBase):
        return [n for e in v for n in sympy.preorder_traversal(e)]
    return []


def _values(d: sc.Derivation) -> set[Basic]:
    """The symbols of the derivation's own values (inputs, weights, bias, upstream g)."""
    vals = [*d.flat_input, *d.flat_weight, *(d.flat_bias or []), *d.gradient().flat_output]
    return {s for v in vals if isinstance(v, Basic) for s in v.free_symbols}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_proofs_hold_no_magic_names_and_no_text(name: str) -> None:
    d = LAYERS[name]()
    values = _values(d)
    ps = sc.proofs(d)
    assert len(ps) == 7
    for proof in ps:
        assert proof, proof.title  # still a closed, checked chain
        for part in _parts(proof):
            if isinstance(part, str):  # words only: no LaTeX, no inline math
                assert "$" not in part and "\\" not in part, (proof.title, part)
                continue
            for node in _nodes(part):
                assert not isinstance(node, AppliedUndef), (proof.title, node)  # typed only
                name_ = getattr(node, "name", None)
                if isinstance(node, (Symbol, MatrixSymbol)):
                    assert str(name_) not in OLD_NAMES, (proof.title, node)
                    assert not str(name_).startswith(OLD_PREFIXES), (proof.title, node)
                if type(node) is Symbol:  # a plain symbol is one of the derivation's values
                    assert node in values, (proof.title, node)
                if type(node) is MatrixSymbol:  # not a role: never renamed by `names`
                    assert str(node.name) not in terms.ROLES, (proof.title, node)
                if isinstance(node, sympy.Indexed):  # entries of a role or of a letter
                    assert isinstance(node.base.label, (terms.Role, terms.Letter))
        for s in proof.steps:
            assert s.rule in sc.checks._proofs.RULES and s.rule != "stated"


def test_the_renderer_has_no_table_of_names() -> None:
    """No string in the LaTeX or text printers of proofs names an old magic symbol."""
    import ast
    from pathlib import Path

    from symconv.rendering import _latex, _names, _notation, _render, _tex

    assert not hasattr(_latex_options, "DISPLAY")
    # (the plain-text printer writes ``n_out`` for an OutputSize: notation, not a name read)
    for module in (_render, _notation, _latex, _tex, _latex_options, _names):
        tree = ast.parse(Path(str(module.__file__)).read_text())
        docs = {id(n.body[0].value) for n in ast.walk(tree)
                if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef)) and n.body
                and isinstance(n.body[0], ast.Expr)}
        strings = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)
                   and isinstance(n.value, str) and id(n) not in docs]
        for s in strings:
            assert not any(old in s for old in (*OLD_NAMES, *OLD_PREFIXES, "flipped")), \
                (module.__name__, s)


def test_user_symbols_named_like_the_old_magic_names_print_as_themselves() -> None:
    x = [Symbol("grad_x"), Symbol("n_out_1"), Symbol("dim_T")]
    tex = sc.correlate(x, [Symbol("w_flipped")], mode="full").to_latex(view="sums", color=False)
    # underscores in a non-indexed name are escaped text (docs/latex.md: names are escaped)
    for expected in (r"\text{grad\_x}", r"\text{n\_out\_1}", r"\text{dim\_T}",
                     r"\text{w\_flipped}"):
        assert expected in tex
    assert r"\partial" not in tex and r"\dim" not in tex and r"\operatorname" not in tex


def test_plain_text_prints_user_symbols_as_they_are() -> None:
    a, b = Symbol("grad_x"), Symbol("n_out_1")
    proof = sc.Proof("names", a + b, b + a, (sc.Step(a + b, b + a, "commute", [a], [a]),))
    assert str(proof).startswith("names: grad_x + n_out_1 = grad_x + n_out_1\n")


def test_roles_are_the_renderer_roles() -> None:
    from symconv.rendering._names import ROLES

    assert set(terms.ROLES) == set(ROLES)


# ----------------------------------------------------------- notation, by type


def _latex(proof: sc.Proof, **options: object) -> str:
    from symconv.rendering._latex import proof_math
    from symconv.rendering._render import Printer

    return proof_math(proof, Printer(_latex_options.parse_options(options)))


def test_notation_follows_names_and_index_base() -> None:
    ps = sc.proofs(LAYERS["signal-1d"]())
    opts = {"names": "aWz", "index_base": 1}
    # the most tied weight is w_0 and the most read input x_1 (0-based): W_1 and a_2
    assert r"\frac{\partial L}{\partial W_{1}}" in _latex(ps[4], **opts)
    assert r"\frac{\partial L}{\partial a_{2}}" in _latex(ps[5], **opts)
    assert r"\frac{\partial L}{\partial a} = T^{T} \delta" in _latex(ps[5], **opts)
    assert r"\operatorname{flip}{\left(W \right)}" in _latex(ps[2], **opts)
    # proposition 3: the kernel w_0, w_1, w_2 reversed, 1-based and renamed
    assert r"\begin{matrix}W_{3}\\W_{2}\\W_{1}\end{matrix}" in _latex(ps[2], **opts)
    assert r"\dim \{ T(W) \} < 8" in _latex(ps[6], **opts)
    assert r"\operatorname{rank} A" in _latex(ps[6], **opts)
    assert r"z_{1} &= W_{1} a_{1} + W_{2} a_{2} + W_{3} a_{3}" in _latex(ps[0], **opts)
    # the tie group of w_0 is entries (0, 0) and (1, 1) of G: 1-based G_{1,1} + G_{2,2}
    assert r"G_{1,1} + G_{2,2}" in _latex(ps[4], **opts)
    # the loss letter is a role too
    assert r"\frac{\partial J}{\partial w_{0}}" in _latex(ps[4], names={"L": "J"})


def test_output_size_notation_per_axis() -> None:
    d = sc.Conv2d(1, 1, (3, 2), stride=(2, 1)).derive(input_size=(7, 5))
    out = _latex(sc.proofs(d)[3])
    assert r"n_{\mathrm{out},0} &= 3" in out  # floor((7 - 3) / 2) + 1 = 3
    assert r"n_{\mathrm{out},1} &= 4" in out  # 5 - 2 + 1 = 4
    assert r"n_{\mathrm{out}} &=" in out


def test_plain_text_notation() -> None:
    ps = sc.proofs(LAYERS["signal-1d"]())
    text = "\n".join(str(p) for p in ps)
    for expected in ("Gradient of a tied weight: dL/dw[0] = G[0, 0] + G[1, 1]",
                     "1. dL/dx[1] = g_0*w_1 + g_1*w_0",
                     "Output size: n_out = ", "dim{T(w)} = rank(A)",
                     "corr(x, w) = conv(x, flip(w))", "T.T*g = convT(g, w)",
                     "1. y[0] = w_0*x_0 + w_1*x_1 + w_2*x_2"):
        assert expected in text


# ------------------------------------------------ the adjoint step, as data


def _adjoint_call(d: sc.Derivation) -> terms.Operation:
    step = sc.proofs(d)[5].steps[2]
    assert step.rule == "adjoint"
    calls = [p for p in step.justification if isinstance(p, terms.Operation)]
    assert len(calls) == 1
    return calls[0]


def test_adjoint_of_a_strided_conv_names_torch_conv_transpose() -> None:
    d = sc.Conv1d(1, 1, 3, stride=2, padding=1).derive(input_size=6)
    call = _adjoint_call(d)
    # torch: conv_transpose1d's output size (m-1)s - 2p + d(k-1) + op + 1 must give back
    # n = 6 from m = floor((6 + 2 - 3) / 2) + 1 = 3: (3-1)*2 - 2 + 2 + op + 1 = 6, op = 1
    assert call.name == "conv_transpose1d"
    assert call.params == {"stride": (2,), "padding": (1,), "output_padding": (1,),
                           "dilation": (1,), "groups": 1}
    assert [str(o) for o in call.operands] == ["g", "w"]
    assert r"conv\_transpose1d($g$, $w$, stride=(2,), padding=(1,), output\_padding=(1,)" \
        in _latex(sc.proofs(d)[5])


def test_adjoint_of_a_signal_is_the_other_operation() -> None:
    # correlate(mode="valid") of 4 and 3 entries: dL/dx (4 entries) is convolve(g, w, "full")
    # of 2 and 3 entries, 4 entries: the whole result, no window
    call = _adjoint_call(LAYERS["signal-1d"]())
    assert (call.name, call.params, call.window) == ("convolve", {"mode": "full"}, ())
    # correlate(mode="same") of 5 and 3: its window starts at 1 in the full result of 7, so
    # the adjoint is entries 1..5 of convolve(g, w, "full") of 5 and 3 (7 entries)
    same = sc.correlate(sympy.symarray("x", 5), sympy.symarray("w", 3), mode="same")
    call = _adjoint_call(same)
    assert (call.name, call.params, call.window) == ("convolve", {"mode": "full"}, ((1, 6),))
    assert r"\{2, \ldots, 6\}" in _latex(sc.proofs(same)[5], index_base=1)
    assert "convolve(g, w, mode='full')[1:6]" in str(sc.proofs(same)[5])


def test_long_kernel_flip_is_the_reversal_operation() -> None:
    step = sc.proofs(LAYERS["long-kernel"]())[2].steps[0]
    assert isinstance(step.lhs, terms.Flip)
    assert isinstance(step.rhs, terms.Operation)
    assert (step.rhs.name, step.rhs.params) == ("numpy.flip", {"axis": (0,)})
    # the compared values are the reversed kernel: w_12, ..., w_0, both sides
    assert [str(v) for v in step.left] == [f"w_{12 - k}" for k in range(13)]
    assert [str(v) for v in step.right] == [f"w_{12 - k}" for k in range(13)]


def test_step_rule_is_validated() -> None:
    a = Symbol("a")
    assert sc.Step(a, a, "x", [a], [a]).rule == "stated"
    assert sc.Step(a, a, "x", [a], [a], rule="definition").rule == "definition"
    with pytest.raises(ValueError, match=r"`rule` must be one of 'stated', .*got 'magic'"):
        sc.Step(a, a, "x", [a], [a], rule="magic")


def test_operation_and_roles_are_structural_data() -> None:
    g, w = terms.RoleMatrix("g", 2), terms.RoleMatrix("w", 3)
    one = terms.Operation.of("convolve", (g, w), {"mode": "full"}, [(1, 3)])
    assert one == terms.Operation.of("convolve", (g, w), {"mode": "full"}, [(1, 3)])
    assert one != terms.Operation.of("convolve", (g, w), {"mode": "same"}, [(1, 3)])
    assert terms.Role("w") != Symbol("w")  # a user's symbol w is not the weight role
    with pytest.raises(ValueError, match="`role` must be one of"):
        terms.Role("q")
    with pytest.raises(TypeError, match="operation parameter"):
        terms.Operation.of("f", (g,), {"bad": 1.5})
    np.testing.assert_equal(one.window, ((1, 3),))
