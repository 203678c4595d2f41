"""The fast ``str`` of ``d.output``, ``g.input``, ``g.weight``, ``g.bias`` (issue 13, item 3).

The arrays are :class:`symconv.core._derivation.SumArray`: SymPy arrays in every
respect but ``str``/``repr``, which skip SymPy's sorting printer.  The text is
checked against SymPy itself: parsed back (``sympy.parse_expr`` on symconv's
own generated text, never on user text) it gives the same expressions as SymPy's
sums, and it equals ``sympy.sstr`` up to the order of the terms of each sum.
"""

from __future__ import annotations

import pickle
import re

import numpy as np
import pytest
import sympy
from sympy.parsing.sympy_parser import parse_expr

import symconv as sc


def _cases() -> list[tuple[str, sc.Derivation]]:
    a, b, c = sympy.symbols("a b c")
    return [
        ("conv1d bias", sc.Conv1d(2, 3, 3, stride=2).derive(input_size=9)),
        ("conv2d dilation", sc.Conv2d(1, 2, 2, dilation=2, padding=1).derive(input_size=(5, 6))),
        ("conv2d reflect", sc.Conv2d(1, 1, 3, padding=1, padding_mode="reflect",
                                     bias=False).derive(input_size=(4, 4))),
        ("transpose", sc.ConvTranspose2d(2, 1, 3, stride=2).derive(input_size=(3, 3))),
        ("wide kernel", sc.Conv1d(1, 1, 12, bias=False).derive(input_size=14)),
        ("numbers and symbols", sc.correlate([1, -2, a, 4], [b, 3], mode="full")),
        ("rationals, negative", sc.convolve([sympy.Rational(1, 3), -a, 2], [-1, c])),
        ("complex", sc.correlate([1 + 2j, 3, 1j], [a, -b])),
        ("user names out of order", sc.correlate([c, b, a], [b, a], mode="full")),
        ("numeric only", sc.correlate([1, 2, 3, 4], [5, 6, 7])),
    ]


CASES = _cases()


def _arrays(d: sc.Derivation) -> list[tuple[str, sympy.Array]]:
    g = d.gradient()
    out = [("output", d.output), ("g.input", g.input), ("g.weight", g.weight)]
    if g.bias is not None:
        out.append(("g.bias", g.bias))
    return out


def _names(arr: sympy.Array) -> dict[str, sympy.Symbol]:
    """Every symbol by name, so parsing the text cannot confuse ``I``, ``E`` or ``S``."""
    return {s.name: s for s in arr.free_symbols}


def _top_level_terms(text: str) -> list[str]:
    """Split SymPy-style text of a sum into its signed terms (outside parentheses)."""
    terms, depth, start, sign = [], 0, 0, ""
    i = 0
    while i < len(text):
        ch = text[i]
        depth += ch in "(["
        depth -= ch in ")]"
        if depth == 0 and text.startswith((" + ", " - "), i):
            terms.append(sign + text[start:i])
            sign = "-" if text[i + 1] == "-" else ""
            i += 3
            start = i
            continue
        i += 1
    terms.append(sign + text[start:])
    return terms


def _entries_text(text: str, shape: tuple[int, ...]) -> list[str]:
    """The entry texts of an array's text, in C order (entries hold no commas or brackets)."""
    inner = re.sub(r"[\[\]]", "", text)
    parts = [p.strip() for p in inner.split(",")]
    assert len(parts) == int(np.prod(shape))
    return parts


@pytest.mark.parametrize(("label", "d"), CASES, ids=[c[0] for c in CASES])
def test_text_parses_back_to_sympys_sums(label: str, d: sc.Derivation) -> None:
    for what, arr in _arrays(d):
        text = str(arr)
        names = _names(arr)
        flat = list(sympy.flatten(arr.tolist()))
        parsed = [parse_expr(t, local_dict=names) for t in _entries_text(text, arr.shape)]
        assert [sympy.expand(p - e) for p, e in zip(parsed, flat)] == [0] * len(flat), what
        assert parsed == flat, (label, what)  # the same canonical SymPy objects


@pytest.mark.parametrize(("label", "d"), CASES, ids=[c[0] for c in CASES])
def test_text_is_sympys_up_to_term_order(label: str, d: sc.Derivation) -> None:
    for what, arr in _arrays(d):
        ours = _entries_text(str(arr), arr.shape)
        theirs = _entries_text(sympy.sstr(arr), arr.shape)
        for a, b in zip(ours, theirs):
            assert sorted(_top_level_terms(a)) == sorted(_top_level_terms(b)), (label, what, a, b)


def test_layout_matches_sympy_for_every_rank() -> None:
    d = sc.Conv3d(1, 2, (1, 2, 1)).derive(input_size=(2, 3, 2))
    for arr in (d.output, d.gradient().weight, d.gradient().bias):
        ours, theirs = str(arr), sympy.sstr(arr)
        assert re.sub(r"[^\[\], ]", "", ours.replace(" + ", "")) == \
            re.sub(r"[^\[\], ]", "", theirs.replace(" + ", ""))
        assert len(ours) == len(theirs)
    one = sc.correlate([sympy.Symbol("a")], [2]).output
    assert str(one) == sympy.sstr(one) == "[2*a]"


def test_outputs_are_sympy_arrays_in_every_other_respect() -> None:
    d = sc.Conv2d(1, 2, 2).derive(input_size=(3, 3))
    y = d.output
    plain = sympy.ImmutableDenseNDimArray(list(sympy.flatten(y.tolist())), y.shape)
    assert type(plain) is sympy.ImmutableDenseNDimArray
    assert isinstance(y, sympy.Array) and isinstance(y, sympy.ImmutableDenseNDimArray)
    assert y == plain and plain == y and not (y != plain)
    assert hash(y) == hash(plain)
    assert {y, plain} == {plain}
    assert y.tolist() == plain.tolist() and y.shape == plain.shape
    assert y[1, 0, 1] == plain[1, 0, 1] and y[1].tolist() == plain[1].tolist()
    assert sympy.srepr(y[0, 1, 1]) == sympy.srepr(plain[0, 1, 1])
    x00 = sympy.Symbol("x_0_0_0")
    assert y.subs(x00, 0) == plain.subs(x00, 0)
    assert (y + y) == 2 * plain
    assert pickle.loads(pickle.dumps(y)) == plain
    assert repr(y) == str(y)
    assert sympy.sstr(y) == sympy.sstr(plain)  # SymPy's own printer is unchanged


def test_derived_arrays_keep_the_fast_text_correct() -> None:
    a = sympy.Symbol("a")
    y = sc.correlate(sympy.symarray("x", 4), sympy.symarray("w", 2)).output
    z = y.subs(sympy.Symbol("x_1"), -3 * a)
    names = _names(z)
    parsed = [parse_expr(t, local_dict=names) for t in _entries_text(str(z), z.shape)]
    assert parsed == list(z)


def test_terms_print_in_kernel_order_past_single_digit_indices():
    """w_2 before w_10 (SymPy's sort puts w_10 first): the expected text is written by hand."""
    x, w = sympy.symarray("x", 14), sympy.symarray("w", 12)
    d = sc.correlate(x, w, mode="valid")
    expected = ["[" + ", ".join(" + ".join(f"w_{j}*x_{o + j}" for j in range(12))
                                for o in range(3)) + "]"]
    assert str(d.output) == expected[0]
    # a numeric kernel (PyTorch-style floats): ordered by the input's index
    d = sc.correlate(x[:3], [5.0, 6.0], mode="valid")
    assert str(d.output) == "[5.0*x_0 + 6.0*x_1, 5.0*x_1 + 6.0*x_2]"
