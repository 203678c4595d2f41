"""The explorer's ``names=`` and ``index_base=`` options: every label through ``Names``.

The expected fragments are written by hand from the definition of the layer:
``correlate(x[4], w[2], "valid")`` is ``y[o] = w[0] x[o] + w[1] x[o + 1]`` for
``o = 0, 1, 2``; under ``names="aWz"`` (``x -> a``, ``w -> W``, ``y -> z``,
``g -> delta``) and ``index_base=1`` every printed index is one more.  Data
attributes (``data-o``, ``data-i``, ``data-k``) stay 0-based flat indices.
"""

from __future__ import annotations

import re

import pytest
import sympy

import symconv as sc


def seed() -> sc.Derivation:
    return sc.correlate(sympy.symarray("x", 4), sympy.symarray("w", 2), mode="valid")


def msub(letter: str, sub: str) -> str:
    return f"<msub><mi>{letter}</mi><mn>{sub}</mn></msub>"


def test_awz_one_based_labels_text_and_mathml():
    page = seed().to_html(names="aWz", index_base=1, gradient=True)
    assert page == sc.to_html(seed(), names="aWz", index_base=1, gradient=True)  # deterministic
    # Chips, products, T, P and G: text labels (aria) and headers.
    for fragment in [
        'aria-label="weight W[1] = W_1: occupies 3 entries of T"',
        'aria-label="input a[4] = a_4"',
        'aria-label="output z[2]: reads inputs 2 3"',
        'aria-label="W[2] times a[3] in z[2]"',
        'aria-label="T[2, 3] = W_2; one tap: z[2] receives W[2] times a[3]"><i>W</i><sub>2</sub>',
        'aria-label="T[1, 3] = 0: structural zero (z[1] never reads a[3])"',
        'aria-label="P[3, 1] = a_3"',
        'aria-label="G[1, 2] = delta_1 * a_2: summed into dL/dW[2]"',
        '<th scope="col">a[4]</th>', '<th scope="col">W[2]</th>', '<th scope="row">z[3]</th>',
        "<caption>T, rows z, columns a</caption>",
        "<caption>G = delta a<sup>T</sup>, rows z, columns a</caption>",
        ">\u2202L/\u2202W[1]</span>",
        'aria-label="input a[1] = a_1"><title>input a[1] = a_1</title>',
    ]:
        assert fragment in page, fragment
    # MathML: the product W_2 a_3 of z[2], and delta_1 a_1 in the gradient sums.
    assert ("<math><mrow>" + msub("W", "2") + "<mo>&#x2062;</mo>" + msub("a", "3")
            + "</mrow></math>") in page
    assert msub("\u03b4", "1") + "<mo>&#x2062;</mo>" + msub("a", "1") in page
    # No 0-based or default-letter label is left.
    for old in ("x[", "w[", "y[", "x_0", "w_0", "<mi>x</mi>", "<mi>w</mi>", "<i>x</i>",
                "<i>w</i>", "<mi>g</mi>"):
        assert old not in page, old
    # The links stay 0-based flat indices: weight 1 sits at T[o, o + 1].
    assert re.findall(r'data-role="t" data-act="1" tabindex="0" data-o="(\d)" data-i="(\d)" '
                      r'data-k="1"', page) == [("0", "1"), ("1", "2"), ("2", "3")]


def test_default_labels_and_explicit_defaults():
    page = seed().to_html(gradient=True)
    assert page == seed().to_html(gradient=True, names="xwb", index_base=0)
    for fragment in ['aria-label="w[1] times x[2] in y[1]"', '<th scope="col">x[3]</th>',
                     "<caption>T, rows y, columns x</caption>", msub("w", "1"),
                     'aria-label="output y[1]: reads inputs 1 2"']:
        assert fragment in page, fragment


def test_mapping_and_2d_layer():
    page = seed().to_html(names={"x": "u"})  # 0-based, only x renamed
    assert 'aria-label="w[1] times u[2] in y[1]"' in page and msub("u", "2") in page
    d = sc.Conv2d(1, 1, 2, bias=False).derive(input_size=(3, 3))
    page = d.to_html(names="aWz", index_base=1)
    # weight w[0, 0, 1, 0] meets input x[0, 1, 0] in output y[0, 0, 0]
    assert 'aria-label="W[1, 1, 2, 1] times a[1, 2, 1] in z[1, 1, 1]"' in page
    assert msub("W", "1,1,2,1") in page and "W[" in page and "w[" not in page


def test_network_and_general_pages():
    from symconv.core._sequential import Flatten, Sequential
    from symconv.shell._network_layers import Linear, ReLU

    nd = Sequential(sc.Conv1d(1, 1, 2), ReLU(), Flatten(), Linear(3, 1)).derive(
        input_size=(1, 4))
    page = nd.to_html(names="aWz", index_base=1, gradient=True)
    assert "<mtext>z[1, 1]</mtext>" in page  # the ReLU's first output
    assert "<mtext>dL/dz[1]</mtext>" in page and "<mtext>dL/dW[1, 1, 1]</mtext>" in page
    assert "dL/dy[" not in page and "<mtext>y[" not in page
    n, k = sympy.symbols("n k", integer=True, positive=True)
    g = sc.correlate(sympy.IndexedBase("x", shape=(n,)), sympy.IndexedBase("w", shape=(k,)),
                     mode="valid")
    page = g.to_html(names="aWz", gradient=True)
    assert "<mi>a</mi><mo>[</mo>" in page and "<mi>W</mi><mo>[</mo>" in page
    assert "<mi>\u2202L/\u2202W</mi>" in page and "<mi>x</mi>" not in page


@pytest.mark.parametrize("bad, exc, match", [
    ({"names": "abc"}, ValueError, "`names` must be one of the presets"),
    ({"names": {"q": "u"}}, ValueError, "`names` has an unknown role 'q'"),
    ({"names": {"x": ""}}, ValueError, "`names` must map 'x'"),
    ({"names": 3}, TypeError, "`names` must be a preset name or a mapping"),
    ({"index_base": 2}, ValueError, "`index_base` must be 0 or 1, got 2"),
    ({"index_base": True}, TypeError, "`index_base` must be an int"),
    ({"index_base": 1.0}, TypeError, "`index_base` must be an int"),
])
def test_bad_names_refused(bad, exc, match):
    with pytest.raises(exc, match=re.escape(match)):
        seed().to_html(**bad)
    with pytest.raises(exc):
        sc.to_html(sc.correlate([1, 2, 3], [1, 2]), **bad)


@pytest.mark.browser
def test_browser_info_shows_renamed_labels(browser, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    path = tmp_path / "names.html"
    path.write_text(seed().to_html(names="aWz", index_base=1), encoding="utf-8")
    browser.get(path.as_uri())
    chip = browser.find_element(By.CSS_SELECTOR, 'button[data-role="w"][data-k="1"]')
    ActionChains(browser).move_to_element(chip).perform()
    info = browser.find_element(By.CSS_SELECTOR, ".sc-info").text
    assert info == "weight W[2] = W_2: occupies 3 entries of T"
    lit = browser.execute_script(
        "return Array.from(document.querySelectorAll('[data-role=\"t\"].sc-hl'))"
        ".map(function (e) { return e.getAttribute('aria-label'); });")
    assert sorted(lit) == [f"T[{o}, {o + 1}] = W_2; one tap: z[{o}] receives W[2] times a[{o + 1}]"
                           for o in (1, 2, 3)]
