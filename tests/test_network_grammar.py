"""The stack grammar: valid stacks parse as Python's own literal reader would; junk never runs.

The reference for what a valid argument list means is ``ast.literal_eval``
(Python's safe literal parser), used here in the test only.  Junk text must
give a ``ValueError`` naming a position, or a ``TypeError``/``ValueError`` from
a layer constructor naming the layer -- and never evaluate anything.
"""

from __future__ import annotations

import ast
import builtins
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symconv.shell._network_grammar import LAYER_NAMES, build_stack, parse_stack, tokenize

ints = st.integers(min_value=-50, max_value=500)
values = st.recursive(
    st.one_of(ints, st.sampled_from([True, False, None, "same", "valid", "zeros"])),
    lambda inner: st.lists(inner, max_size=3).map(tuple), max_leaves=6)


def _literal(v: object) -> str:
    if isinstance(v, tuple):
        return "(" + "".join(_literal(a) + "," for a in v) + ")"
    if isinstance(v, str):
        return repr(v)
    return str(v)


@settings(max_examples=40)
@given(st.lists(st.tuples(st.sampled_from(LAYER_NAMES), st.lists(values, max_size=4),
                          st.dictionaries(st.sampled_from(["stride", "padding", "bias", "k"]),
                                          values, max_size=2)),
                min_size=1, max_size=4),
       st.sampled_from([" ", "  ", " -> ", " | ", "\n"]))
def test_valid_stacks_parse_like_literal_eval(layers, sep):
    parts = []
    for name, args, kwargs in layers:
        inner = [_literal(a) for a in args] + [f"{k}={_literal(v)}" for k, v in kwargs.items()]
        parts.append(f"{name}({', '.join(inner)})" if inner or args else name)
    calls = parse_stack(sep.join(parts))
    assert [c.name for c in calls] == [name for name, _, _ in layers]
    for call, (_, args, kwargs) in zip(calls, layers):
        text = "(" + "".join(_literal(a) + "," for a in args) + ")"
        assert call.args == ast.literal_eval(text)
        assert dict(call.kwargs) == kwargs


JUNK = [
    ("", 0, "empty stack"),
    ("Conv1d(1,2,3", 12, "expected ',' or '\\)'"),
    ("Conv1d(1,,3)", 9, "expected a value"),
    ("Conv1d(1, 2, 3) Foo", 16, "unknown layer 'Foo'"),
    ("__import__('os').system('ls')", 16, "unexpected character '\\.'"),
    ("__import__('os')", 0, "unknown layer '__import__'"),
    ("Conv1d(1, 2, eval('3'))", 18, "unexpected character"),
    ("Conv1d(1, 2, eval(3))", 13, "expected a value"),
    ("ReLU; Linear(2, 3)", 4, "unexpected character ';'"),
    ("Linear(2, 3.5)", 11, "unexpected character '.'"),
    ("Linear(in_features=2, 3)", 22, "positional argument after a keyword"),
    ("Linear(bias=True, bias=False)", 18, "keyword 'bias' given twice"),
    ("Conv1d(1, 2, 3)(4)", 15, "expected a layer name"),
    ("Linear(2, -)", 11, "expected an integer after '-'"),
    ("Conv1d(1, 2, 'a b')", 13, "unexpected character"),
    ("MaxPool1d(2) ->", 15, "expected a layer name"),
    ("Linear(2, 3) x.__class__", 14, "unexpected character '\\.'"),
    ("Linear(2, 3) x", 13, "unknown layer 'x'"),
    ("Conv1d(1, 2, [3])", 13, "unexpected character '\\['"),
]


@pytest.mark.parametrize("text,pos,what", JUNK)
def test_junk_names_the_position(text, pos, what):
    with pytest.raises(ValueError, match=rf"`stack`: .*{what}.* at position {pos}\b"):
        parse_stack(text)


@settings(max_examples=60)
@given(st.text(max_size=40))
def test_any_text_parses_or_raises_value_error(text):
    try:
        calls = parse_stack(text)
    except ValueError as exc:
        assert re.search(r"`stack`", str(exc))
    else:
        assert all(c.name in LAYER_NAMES for c in calls)


@settings(max_examples=60)
@given(st.text(alphabet="Conv1dReLUMaxPool(),=-> 0123'\"Truex_", max_size=30))
def test_building_junk_raises_only_value_or_type_errors(text):
    try:
        build_stack(text)
    except (ValueError, TypeError) as exc:
        assert "`stack`" in str(exc)


def test_nothing_is_ever_evaluated(monkeypatch, tmp_path):
    def refuse(*args, **kwargs):
        raise AssertionError("evaluated")

    monkeypatch.setattr(builtins, "eval", refuse)
    monkeypatch.setattr(builtins, "exec", refuse)
    flag = tmp_path / "pwned"
    for payload in [f"__import__('os').system('touch {flag}')",
                    f"Conv1d(1, 1, __import__('os').system('touch {flag}'))",
                    "Conv1d(1, 1, 3) ReLU " + "(" * 500]:
        with pytest.raises(ValueError, match=r"`stack`"):
            build_stack(payload)
    assert not flag.exists()
    source = (Path(__file__).resolve().parents[1] / "symconv" / "shell" /
              "_network_grammar.py").read_text()
    called = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Name):
                called.add(f.id)
            elif isinstance(f, ast.Attribute) and not (
                    isinstance(f.value, ast.Name) and f.value.id == "re"):  # re.compile is fine
                called.add(f.attr)
    assert not called & {"eval", "exec", "sympify", "lambdify", "compile", "__import__",
                         "literal_eval", "parse_expr"}


def test_constructor_errors_name_the_layer_and_position():
    with pytest.raises(ValueError, match=r"`stack`: Conv1d at position 5: .*kernel_size"):
        build_stack("ReLU Conv1d(1, 2, 0)")
    with pytest.raises(TypeError, match=r"`stack`: Linear at position 0: .*"):
        build_stack("Linear(3)")


def test_built_stack_derives_like_the_classes():
    import symconv as sc
    from symconv.core._sequential import Sequential

    net = build_stack("Conv1d(1, 2, 3, padding='same', bias=False) -> ReLU MaxPool1d(2)")
    by_hand = Sequential(sc.Conv1d(1, 2, 3, padding="same", bias=False),
                         type(net.layers[1])(), type(net.layers[2])(2))
    assert net.derive(input_size=(1, 6)).output == by_hand.derive(input_size=(1, 6)).output
    assert repr(net.layers[0]) == repr(by_hand.layers[0])


def test_tokens_carry_positions():
    toks = tokenize("Linear(2,3)  ReLU")
    assert [(t.kind, t.text, t.pos) for t in toks] == [
        ("name", "Linear", 0), ("punct", "(", 6), ("int", "2", 7), ("punct", ",", 8),
        ("int", "3", 9), ("punct", ")", 10), ("name", "ReLU", 13), ("end", "", 17)]
    with pytest.raises(TypeError, match=r"`stack` must be a string, got bytes"):
        tokenize(b"ReLU")
    with pytest.raises(ValueError, match=r"`stack` must be at most 10,000 characters"):
        tokenize("ReLU " * 3000)


# ------------------------------------------------------------------ the CLI


def _cli(*argv: str) -> tuple[int, str, str]:
    import contextlib
    import io

    from symconv.shell._cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_cli_network_prints_each_layer_and_checks_against_torch(torch):
    code, out, _ = _cli("network", "Conv1d(1, 1, 3, bias=False) ReLU MaxPool1d(2)",
                        "--x", "1,2,3,4,5,6", "--input-size", "1x6")
    assert code == 0
    # layer 1 on numbers: symbols only for the weight (x_0..x_2 = 1, 2, 3 by hand).
    assert "y1_0_0 = w1_0_0_0 + 2*w1_0_0_1 + 3*w1_0_0_2" in out
    assert "layer 3: MaxPool1d" in out and "output (1, 2):" in out
    assert "receptive field: each output depends on 4 inputs" in out
    code, out, _ = _cli("network", "Conv1d(1, 1, 3, bias=False) ReLU MaxPool1d(2)",
                        "--input-size", "1x6", "--check")
    assert code == 0 and "torch" in out and "agrees" in out and "DIFFERS" not in out


def test_cli_network_errors_exit_2_with_the_position():
    code, _, err = _cli("network", "Conv1d(1, 2, 3) Dropout", "--input-size", "1x8")
    assert code == 2 and "unknown layer 'Dropout'" in err and "position 16" in err
    code, _, err = _cli("network", "ReLU", "--input-size", "1x0")
    assert code == 2 and "--input-size" in err
    code, _, err = _cli("network", "ReLU", "--x", "1,2,3", "--input-size", "1x4")
    assert code == 2 and "do not fill" in err
    code, _, err = _cli("network", "ReLU")
    assert code == 2 and "--input-size" in err


def test_cli_network_latex_and_gradient(tmp_path):
    code, out, _ = _cli("network", "Conv1d(1, 1, 2) Tanh", "--input-size", "1x3", "--latex")
    assert code == 0 and out.startswith(r"\begin{aligned}") and r"\tanh" in out
    code, out, _ = _cli("network", "Conv1d(1, 1, 2) Tanh", "--input-size", "1x3", "--gradient")
    assert code == 0 and "layer 1 weight gradient dL/dw1" in out
    doc = tmp_path / "net.tex"
    code, out, _ = _cli("network", "Conv1d(1, 1, 2) Tanh", "--input-size", "1x3",
                        "--document", str(doc))
    assert code == 0 and doc.read_text().startswith(r"\documentclass")
