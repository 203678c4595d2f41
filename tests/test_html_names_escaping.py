"""User text in the explorer (renamed letters via ``names=``, Symbol names) is HTML-escaped.

Reference: Python's ``html.escape``; the raw text must never appear in the page."""

from __future__ import annotations

import html

import pytest
import sympy

import symconv as sc

BAD = '<b onmouseover="alert(1)">'


@pytest.mark.parametrize("kw", [
    {"names": {"x": BAD}},
    {"names": {"w": BAD, "y": "a}\\input{x"}, "index_base": 1, "gradient": True},
    {"gradient": True},
])
def test_user_text_is_escaped(kw):
    d = sc.correlate([sympy.Symbol("<i>q</i>"), sympy.Symbol("r"), 2],
                     sympy.symarray("w", 2))
    page = d.to_html(**kw)
    assert BAD not in page and "<i>q</i>" not in page
    assert html.escape("<i>q</i>", quote=False) in page
    if "names" in kw:
        assert html.escape(BAD, quote=False) in page or html.escape(BAD) in page
