"""The explorer in a real browser (headless Chromium via Selenium): hover, focus, highlight.

Expected highlights come from an independent enumeration: the seed's valid
cross-correlation is ``scipy.linalg.convolution_matrix`` of the flipped unit
kernel; the reflect-padded layer is a NumPy ``np.pad(mode="reflect")`` probe.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg
import sympy

import symconv as sc

pytestmark = pytest.mark.browser

LIT = """return Array.from(document.querySelectorAll('.sc-hl')).map(function (e) {
  return [e.getAttribute('data-role'), e.getAttribute('data-o'), e.getAttribute('data-i'),
          e.getAttribute('data-k')];
});"""


def lit(browser) -> set[tuple[str, int | None, int | None, str | None]]:
    out = set()
    for role, o, i, k in browser.execute_script(LIT):
        out.add((role, None if o is None else int(o), None if i is None else int(i), k))
    return out


def seed_tk() -> np.ndarray:
    """``Tk[k]``: positions of weight k in T for correlate(x[4], w[3], 'valid')."""
    tk = []
    for k in range(3):
        e = np.zeros(3)
        e[k] = 1
        tk.append(scipy.linalg.convolution_matrix(e[::-1], 4, mode="valid"))
    return np.rint(np.array(tk)).astype(int)


def load(browser, tmp_path, page: str, name: str = "page.html") -> None:
    path = tmp_path / name
    path.write_text(page, encoding="utf-8")
    browser.get(path.as_uri())
    assert browser.execute_script(
        "return document.querySelector('.symconv-explorer').getAttribute('data-bound')") == "1"


def seed_page() -> str:
    d = sc.correlate(sympy.symarray("x", 4), sympy.symarray("w", 3), mode="valid")
    return d.to_html(gradient=True)


def expected_weight(tk: np.ndarray, k: int) -> set:
    kk = str(k)
    pos = list(zip(*np.nonzero(tk[k])))
    want = {("w", None, None, kk), ("gw", None, None, kk)}
    for o, i in pos:
        o, i = int(o), int(i)
        for role in ("t", "e", "term", "g", "gterm"):
            want.add((role, o, i, kk))
    for o in range(tk.shape[1]):
        ins = [i for i in range(tk.shape[2]) if tk[k, o, i]]
        want.add(("p", o, ins[0] if ins else None, kk))
    return want


def test_hover_and_focus_a_weight(browser, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    tk = seed_tk()
    load(browser, tmp_path, seed_page())
    chip = browser.find_element(By.CSS_SELECTOR, 'button[data-role="w"][data-k="1"]')
    ActionChains(browser).move_to_element(chip).perform()
    assert lit(browser) == expected_weight(tk, 1)
    info = browser.find_element(By.CSS_SELECTOR, ".sc-info").text
    assert "w[1]" in info and "2 entries" in info
    # Leaving clears every highlight.
    ActionChains(browser).move_to_element(browser.find_element(By.TAG_NAME, "h2")).perform()
    assert lit(browser) == set()
    # Keyboard: Tab from the top of the page to the chip of w[2].
    browser.find_element(By.TAG_NAME, "h2").click()  # the focus navigation starts at the top
    for _ in range(10):
        ActionChains(browser).send_keys(Keys.TAB).perform()
        active = browser.switch_to.active_element
        if active.get_attribute("data-role") == "w" and active.get_attribute("data-k") == "2":
            break
    else:
        pytest.fail("Tab never reached the weight w[2]")
    assert lit(browser) == expected_weight(tk, 2)
    ActionChains(browser).send_keys(Keys.ESCAPE).perform()
    assert lit(browser) == set()


def test_focus_an_output_lights_its_row_and_receptive_field(browser, tmp_path):
    from selenium.webdriver.common.by import By

    tk = seed_tk()
    load(browser, tmp_path, seed_page())
    browser.execute_script(
        "document.querySelector('button[data-role=\"y\"][data-o=\"1\"]').focus()")
    got = lit(browser)
    rf = {i for i in range(4) if tk[:, 1, i].any()}
    assert rf == {1, 2, 3}
    row_t = {(r, o, i) for r, o, i, _ in got if r in ("t", "t0")}
    assert row_t == {("t" if tk[:, 1, i].any() else "t0", 1, i) for i in range(4)}
    assert {(o, i) for r, o, i, _ in got if r == "e"} == {(1, i) for i in rf}
    assert {(o, i) for r, o, i, _ in got if r == "term"} == {(1, i) for i in rf}
    assert {o for r, o, _, _ in got if r == "p"} == {1}
    assert len([1 for r, *_ in got if r == "p"]) == 3  # the whole row of P
    inputs = {(r, i) for r, o, i, _ in got if r == "x"}
    assert {i for _, i in inputs} == rf
    nodes = browser.execute_script(
        "return document.querySelectorAll('.sc-hl[data-role=\"x\"]').length")
    assert nodes == 2 * len(rf)  # the input's chip and its node in the diagram
    assert {r for r, *_ in got} == {"y", "t", "t0", "p", "e", "term", "x", "g", "g0", "gterm"}
    assert all(o == 1 for r, o, _, _ in got if r != "x")
    assert "y[1]" in browser.find_element(By.CSS_SELECTOR, ".sc-info").text


def reflect_tk() -> np.ndarray:
    """Positions of each weight in T for Conv1d(1, 1, 3, padding=1, reflect) on 3 inputs."""
    tk = np.zeros((3, 3, 3), dtype=int)
    for k in range(3):
        for i in range(3):
            x = np.zeros(3)
            x[i] = 1
            xp = np.pad(x, 1, mode="reflect")
            tk[k, :, i] = [xp[o + k] for o in range(3)]
    return tk


def test_entry_of_t_shows_its_folded_taps(browser, tmp_path):
    from selenium.webdriver.common.by import By

    tk = reflect_tk()
    folded = [(o, i) for o in range(3) for i in range(3) if tk[:, o, i].sum() > 1]
    assert folded  # reflect padding folds two weights onto one input
    d = sc.Conv1d(1, 1, 3, padding=1, padding_mode="reflect", bias=False).derive(input_size=3)
    load(browser, tmp_path, d.to_html())
    o, i = folded[0]
    browser.execute_script(
        f"document.querySelector('td[data-role=\"t\"][data-o=\"{o}\"][data-i=\"{i}\"]').focus()")
    got = lit(browser)
    ks = {str(k) for k in range(3) if tk[k, o, i]}
    assert {k for r, _, _, k in got if r == "w"} == ks
    assert {(oo, ii, k) for r, oo, ii, k in got if r == "e"} == {(o, i, k) for k in ks}
    assert {(oo, ii, k) for r, oo, ii, k in got if r == "term"} == {(o, i, k) for k in ks}
    assert {(r, oo, ii) for r, oo, ii, _ in got if r in ("x", "y", "t")} == {
        ("x", None, i), ("t", o, i), ("y", o, None)}
    info = browser.find_element(By.CSS_SELECTOR, ".sc-info").text
    assert "fold" in info and "reflect" in info


def test_two_explorers_on_one_page_are_independent(browser, tmp_path):
    from selenium.webdriver.common.by import By

    a = sc.correlate(sympy.symarray("x", 4), sympy.symarray("w", 3))
    page = "<!DOCTYPE html><html><body>" + a._repr_html_() + a._repr_html_() + "</body></html>"
    load(browser, tmp_path, page)
    roots = browser.find_elements(By.CSS_SELECTOR, ".symconv-explorer")
    assert [r.get_attribute("data-bound") for r in roots] == ["1", "1"]
    browser.execute_script(
        "document.querySelectorAll('.symconv-explorer')[1]"
        ".querySelector('button[data-role=\"w\"][data-k=\"0\"]').focus()")
    in_first = browser.execute_script(
        "return document.querySelectorAll('.symconv-explorer')[0]"
        ".querySelectorAll('.sc-hl').length")
    in_second = browser.execute_script(
        "return document.querySelectorAll('.symconv-explorer')[1]"
        ".querySelectorAll('.sc-hl').length")
    assert in_first == 0 and in_second > 0


def take_screenshot(browser, path) -> None:
    """The seed explorer with the weight w[1] under the pointer (docs/img/explorer.png)."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    browser.set_window_size(1100, 1250)
    chip = browser.find_element(By.CSS_SELECTOR, 'button[data-role="w"][data-k="1"]')
    ActionChains(browser).move_to_element(chip).perform()
    browser.save_screenshot(str(path))


def test_screenshot(browser, tmp_path):
    load(browser, tmp_path, seed_page())
    out = tmp_path / "explorer.png"
    try:
        take_screenshot(browser, out)
    finally:
        browser.set_window_size(1280, 1024)
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


def test_general_sizes_page_with_an_instance(browser, tmp_path):
    n, k = sympy.symbols("n k", integer=True, positive=True)
    g = sc.correlate(sympy.IndexedBase("x", shape=(n,)), sympy.IndexedBase("w", shape=(k,)),
                     mode="valid")
    load(browser, tmp_path, g.to_html(sizes={n: 4, k: 3}))
    assert browser.execute_script(
        "return Array.from(document.querySelectorAll('.symconv-explorer'))"
        ".map(function (r) { return r.getAttribute('data-mode') + ':' +"
        " r.getAttribute('data-bound'); })") == ["general:1", "full:1"]
    # MathML lays out (a Sum is taller than a line of text).
    height = browser.execute_script(
        "return document.querySelector('.sc-formula munderover').closest('math')"
        ".getBoundingClientRect().height")
    assert height > 30
    browser.execute_script(
        "document.querySelector('button[data-role=\"w\"][data-k=\"0\"]').focus()")
    assert expected_weight_plain(seed_tk(), 0) == lit(browser)


def expected_weight_plain(tk: np.ndarray, k: int) -> set:
    """:func:`expected_weight` without the gradient's elements."""
    return {e for e in expected_weight(tk, k) if e[0] not in ("g", "gterm", "gw")}


def test_large_layer_drill_down_selection(browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    d = sc.Conv2d(1, 1, 3, padding=1, bias=False).derive(input_size=(40, 40))
    load(browser, tmp_path, d.to_html(focus_output=(0, 5, 7)))

    def shown():
        return [h.get_attribute("data-hood")
                for h in browser.find_elements(By.CSS_SELECTOR, ".sc-hood") if h.is_displayed()]

    assert shown() == ["0"]
    pick = Select(browser.find_element(By.CSS_SELECTOR, ".sc-pick"))
    assert pick.first_selected_option.text == "output y[0, 5, 7]"
    n = len(pick.options)
    pick.select_by_index(n - 1)
    assert shown() == [str(n - 1)]
    chip = browser.find_elements(By.CSS_SELECTOR, f'.sc-hood[data-hood="{n - 1}"] button')[0]
    k = chip.get_attribute("data-k")
    browser.execute_script("arguments[0].focus()", chip)
    visible_cells = [e for e in browser.find_elements(By.CSS_SELECTOR, '.sc-hl[data-role="t"]')
                     if e.is_displayed()]
    assert visible_cells and all(e.get_attribute("data-k") == k for e in visible_cells)


def test_pointer_leaving_returns_to_the_keyboard_selection(browser, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    tk = seed_tk()
    load(browser, tmp_path, seed_page())
    browser.execute_script(
        "document.querySelector('button[data-role=\"w\"][data-k=\"0\"]').focus()")
    assert lit(browser) == expected_weight(tk, 0)
    chip = browser.find_element(By.CSS_SELECTOR, 'button[data-role="w"][data-k="2"]')
    ActionChains(browser).move_to_element(chip).perform()
    assert lit(browser) == expected_weight(tk, 2)
    ActionChains(browser).move_to_element(browser.find_element(By.TAG_NAME, "h2")).perform()
    assert lit(browser) == expected_weight(tk, 0)
