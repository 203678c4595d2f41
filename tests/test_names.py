"""One printer of names: ``names``/``index_base`` in pictures, text, CLI and hand checks.

Every expected string here is written by hand (or built from the index law
``y[o] = sum_{i + k = o} w[k] x[i]`` of numpy.convolve), never read from symconv.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
import sympy

import symconv as sc
from symconv.shell._cli import main

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _sig():
    """correlate, valid: x_0..x_3 with w_0, w_1 (y_o = w_0 x_o + w_1 x_{o+1})."""
    return sc.correlate(sympy.symarray("x", 4), sympy.symarray("w", 2))


# ----------------------------------------------------------------- pictures


def test_matrix_picture_labels_follow_names_and_index_base():
    ax = sc.plot_matrix(_sig(), names="aWz", index_base=1)
    cols = [t.get_text() for t in ax.get_xticklabels()]
    rows = [t.get_text() for t in ax.get_yticklabels()]
    assert cols == ["$a_{1}$", "$a_{2}$", "$a_{3}$", "$a_{4}$"]
    assert rows == ["$z_{1}$", "$z_{2}$", "$z_{3}$"]
    cells = sorted(t.get_text() for t in ax.texts)
    assert cells == sorted(["$W_{1}$", "$W_{2}$"] * 3)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["$W_{1}$", "$W_{2}$"]
    assert "$T$" in ax.get_title() and r"\mathrm{vec}(z)" in ax.get_title()


def test_default_picture_labels_are_unchanged():
    ax = sc.plot_matrix(_sig())
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "$x_{0}$", "$x_{1}$", "$x_{2}$", "$x_{3}$"]


def test_patches_and_gradient_pictures_follow_names():
    ax = sc.plot_matrix(_sig(), "patches", names="aWz", index_base=1)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["$W_{1}$", "$W_{2}$"]
    ax = sc.plot_matrix(_sig(), "gradient", names="aWz", index_base=1)
    texts = {t.get_text() for t in ax.texts}
    # G = g x^T: entry (o, i) is delta_{o+1} a_{i+1}, for the taps i = o + k
    expected = {rf"$\delta_{{{o + 1}}}\,a_{{{o + k + 1}}}$" for o in range(3) for k in range(2)}
    assert texts == expected


def test_connectivity_and_tikz_follow_names():
    d = _sig()
    ax = sc.plot_connectivity(d, names="aWz", index_base=1)
    texts = {t.get_text() for t in ax.texts}
    assert {"$a_{1}$", "$a_{4}$", "$z_{1}$", "$z_{3}$"} <= texts
    assert "$x_{0}$" not in texts
    code = sc.to_tikz(d, names="aWz", index_base=1)
    assert "{$W_{1}$}" in code and "{$a_{4}$}" in code and "{$z_{3}$}" in code
    assert "w_{0}" not in code and "x_{" not in code
    graph = sc.to_tikz(d, "connectivity", names={"x": "u"}, index_base=1)
    assert "{$u_{1}$}" in graph and "{$w_{2}$}" in graph


def test_dense_overlay_legend_follows_names():
    ax = sc.plot_dense_overlay(_sig(), names="aWz", index_base=1)
    assert [t.get_text() for t in ax.get_legend().get_texts()][1:] == ["$W_{1}$", "$W_{2}$"]


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    (dict(names="abc"), ValueError, r"`names` must be one of the presets 'xwb', 'aWz'"),
    (dict(names={"q": "u"}), ValueError, r"`names` has an unknown role 'q'"),
    (dict(names={"x": ""}), ValueError, r"`names` must map 'x' to a non-empty name"),
    (dict(names=3), TypeError, r"`names` must be a preset name or a mapping, got 3"),
    (dict(index_base=2), ValueError, r"`index_base` must be 0 or 1, got 2"),
    # a bool or a float is not an index base, though True == 1 == 1.0 in Python
    (dict(index_base=True), TypeError, r"`index_base` must be an int, 0 or 1 \(not a bool or "
                                       r"a float\), got True \(bool\)"),
    (dict(index_base=False), TypeError, r"`index_base` must be an int.*got False \(bool\)"),
    (dict(index_base=1.0), TypeError, r"`index_base` must be an int.*got 1\.0 \(float\)"),
    (dict(index_base=np.float64(0)), TypeError, r"`index_base` must be an int.*\(float64\)"),
])
def test_invalid_names_are_refused_everywhere(kwargs, error, match):
    d = _sig()
    for call in (lambda: sc.plot_matrix(d, **kwargs), lambda: sc.to_tikz(d, **kwargs),
                 lambda: sc.plot_connectivity(d, **kwargs),
                 lambda: sc.plot_dense_overlay(d, **kwargs),
                 lambda: sc.check_hand([1, 2, 3], [1, 1], [3, 5], **kwargs),
                 lambda: d.to_latex(**kwargs)):
        with pytest.raises(error, match=match):
            call()


def test_index_base_a_numpy_integer_is_an_int_and_a_passed_on_printer_is_rechecked():
    from symconv.rendering._names import Names

    d = _sig()
    assert d.to_latex(index_base=np.int64(1)) == d.to_latex(index_base=1)
    nm = Names.of("aWz")
    assert Names.of(nm, None) is nm and Names.of(nm, 0) is nm
    assert Names.of(nm, 1).index_base == 1
    for bad in (0.0, False, 1.0, True):  # 0.0 and False once slipped through as "0"
        with pytest.raises(TypeError, match=r"`index_base` must be an int, 0 or 1"):
            Names.of(nm, bad)


# ---------------------------------------------------------------- LaTeX


def test_latex_and_pictures_print_one_name_for_each_symbol():
    d = _sig()
    tex = d.to_latex(names="aWz", index_base=1)
    for name in ("W_{1}", "W_{2}", "a_{1}", "a_{4}", "z_{3}"):
        assert name in tex
    assert "w_{0}" not in tex and "x_{0}" not in tex


# ------------------------------------------------------------ text and CLI


def _products(line: str) -> set[tuple[int, int]]:
    """``{(k, i)}`` of a text line ``z_o = W_k*a_i + ...`` (1-based names)."""
    rhs = line.split(" = ", 1)[1]
    return {(int(k), int(i)) for k, i in re.findall(r"W_(\d+)\*a_(\d+)", rhs)}


def test_cli_derive_text_follows_names_and_index_base(capsys):
    assert main(["derive", "--x", "4", "--w", "2", "--names", "aWz", "--index-base", "1"]) == 0
    out = capsys.readouterr().out
    lines = [s.strip() for s in out.splitlines() if s.strip().startswith("z_")]
    # numpy.convolve's index law (full mode): y[o] = sum_{i + k = o} w[k] x[i], 1-based here
    expected = {o: {(k + 1, o - k + 1) for k in range(2) if 0 <= o - k < 4} for o in range(5)}
    assert [int(s.split(" ")[0][2:]) for s in lines] == [1, 2, 3, 4, 5]
    for o, line in enumerate(lines):
        assert _products(line) == expected[o], line
    assert lines[0] == "z_1 = W_1*a_1"
    assert "T (vec(z) = T vec(a)):" in out
    assert "x_" not in out and "w_" not in out and "y_" not in out


def test_cli_derive_gradient_text_names(capsys):
    assert main(["derive", "--x", "3", "--w", "2", "--op", "correlate", "--gradient",
                 "--names", "aWz", "--index-base", "1"]) == 0
    out = capsys.readouterr().out
    assert "input gradient (dL/da):" in out and "weight gradient (dL/dW):" in out
    # dL/dw_k = sum_o g_o x_{o+k}: dW_1 = delta_1 a_1 + delta_2 a_2
    assert "  dW_1 = delta_1*a_1 + delta_2*a_2" in out
    assert "  da_1 = delta_1*W_1" in out


def test_cli_check_and_handcheck_text_follow_names(capsys):
    argv = ["check", "--x", "1,2,3,4", "--w", "5,6,7", "--claimed", "38,56",
            "--names", "aWz", "--index-base", "1"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "z_1 = 1*5 + 2*6 + 3*7 = 38" in out and "z_2 = 2*5 + 3*6 + 4*7 = 56" in out
    rep = sc.check_hand([1, 2, 3, 4], [5, 6, 7], [38, 57], op="correlate", mode="valid",
                        names="aWz", index_base=1)
    assert "First wrong element: z_2 = 2*5 + 3*6 + 4*7 = 56, not 57." in str(rep)
    assert rep.index == (1,)  # the data stay 0-based
    grad = sc.check_hand([1, 2, 3], [4, 5], [3, 5], grad_output=[1, 1], op="correlate",
                         mode="valid", names="aWz", index_base=1)
    assert "dW_1 = 1*1 + 1*2 = 3" in str(grad)


def test_cli_plot_tikz_follows_names(tmp_path, capsys):
    out = tmp_path / "p.tex"
    assert main(["plot", "--x", "4", "--w", "2", "--op", "correlate", "-o", str(out),
                 "--names", "x=u,w=k", "--index-base", "1"]) == 0
    code = out.read_text()
    assert "{$k_{1}$}" in code and "{$u_{4}$}" in code and "{$y_{3}$}" in code


@pytest.mark.parametrize(("argv", "match"), [
    (["--names", "abc"], r"^symconv: error: --names: `names` must be one of the presets"),
    (["--names", "x=a,w"], r"--names: each item must be role=name .*'w'"),
    (["--names", "q=a"], r"^symconv: error: --names: `names` has an unknown role 'q'"),
    (["--names", "x=a,w=W,x=u"], r"--names: each role may be named once, got 'x' twice"),
    (["--index-base", "2"], r"--index-base: must be an integer from 0 to 1, got '2'"),
    (["--index-base", "1.0"], r"--index-base: must be an integer from 0 to 1, got '1.0'"),
    (["--index-base", "True"], r"--index-base: must be an integer from 0 to 1, got 'True'"),
])
@pytest.mark.parametrize("command", [
    ["derive", "--x", "3", "--w", "2"],
    ["check", "--x", "1,2", "--w", "1", "--claimed", "1,2"],
    ["plot", "--x", "3", "--w", "2", "-o", "OUT.tex"],
])
def test_cli_refuses_bad_names_with_one_line(command, argv, match, capsys, tmp_path):
    command = [str(tmp_path / c) if c == "OUT.tex" else c for c in command]
    assert main([*command, *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and re.search(match, err), err
    assert not (tmp_path / "OUT.tex").exists()


# ------------------------------------------------------------------ circular


def _fft_circular(x, w, op):
    """numpy.fft: circular convolution ifft(fft(x) fft(w, n)); correlation with conj."""
    x, w = np.asarray(x, float), np.asarray(w, float)
    fx = np.fft.fftn(x)
    fw = np.fft.fftn(w, s=x.shape, axes=tuple(range(x.ndim)))
    prod = fx * (fw if op == "convolve" else np.conj(fw))
    return np.rint(np.real(np.fft.ifftn(prod))).astype(int)


@pytest.mark.parametrize("op", ["convolve", "correlate"])
@pytest.mark.parametrize(("x", "w"), [
    ([1, 2, 3, 4, 5], [2, -1, 3]),
    ([3, 1, 4, 1, 5, 9], [2, 7]),
    ([[1, 2, 3], [4, 5, 6], [7, 8, 10]], [[1, -1], [2, 3]]),
])
def test_circular_claims_computed_with_numpy_fft_are_named(op, x, w):
    claim = _fft_circular(x, w, op)
    rep = sc.check_hand(x, w, claim.tolist())
    assert rep.matches == [(op, "circular")]
    assert f"{op}, mode='circular'" in str(rep) and "wrap around" in str(rep)
    rep = sc.check_hand(x, w, claim.tolist(), op=op, mode="circular")
    assert rep.matches == [(op, "circular")]


def test_circular_claim_under_another_mode_is_the_wrapped_slip():
    x, w = [1, 2, 3, 4, 5], [2, -1, 3]
    claim = _fft_circular(x, w, "convolve")
    rep = sc.check_hand(x, w, claim.tolist(), mode="same", names="aWz", index_base=1)
    assert not rep and rep.slip == "wrapped" and rep.closest == ("convolve", "same")
    text = str(rep)
    assert "Likely slip: indices wrapped around" in text
    assert "the claim is convolve, mode='circular'" in text
    assert "First wrong element: z_1 = " in text


def test_circular_mode_refusals():
    with pytest.raises(ValueError, match=r"`mode`='circular' needs `w` no larger than `x`"):
        sc.check_hand([1, 2], [1, 2, 3], [1, 2], mode="circular")
    with pytest.raises(ValueError, match=r"`mode`='circular' applies to a signal without "
                       r"`stride`"):
        sc.check_hand([1, 2, 3, 4], [1, 2], [1, 2], mode="circular", stride=2)


def test_circular_is_not_tried_with_a_stride():
    x, w = [1, 2, 3, 4, 5, 6], [1, 2]
    claim = _fft_circular(x, w, "convolve")[::2]
    rep = sc.check_hand(x, w, claim.tolist(), stride=2)
    assert all(m != "circular" for _, m in rep.matches)
