"""The command line at its edges: registration of subcommands, options that do not
apply, big layers, size guards, unwritable paths, value syntax and LaTeX style."""

from __future__ import annotations

import argparse
import gc
import re
import tracemalloc
from pathlib import Path
from typing import TextIO

import numpy as np
import pytest
import scipy.signal
import sympy

from symconv.shell import _cli
from symconv.shell._cli import Command, main


def test_a_registered_subcommand_runs_and_is_listed(capsys, monkeypatch):
    monkeypatch.setattr(_cli, "COMMANDS", dict(_cli.COMMANDS))

    def add(p: argparse.ArgumentParser) -> None:
        p.add_argument("--n", type=int, default=2)

    def run(args: argparse.Namespace, out: TextIO) -> int:
        out.write(f"hello {args.n}\n")
        return 0

    _cli.register("hello", Command("say hello", add, run))
    assert main(["hello", "--n", "3"]) == 0
    assert capsys.readouterr().out == "hello 3\n"
    with pytest.raises(SystemExit):
        _cli.build_parser().parse_args(["--help"])
    assert "hello" in capsys.readouterr().out
    with pytest.raises(ValueError, match="already registered"):
        _cli.register("hello", Command("again", add, run))


def _fails(argv: list[str], capsys, pattern: str) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert err.count("\n") == 0, err  # one line
    assert err.startswith("symconv: error: ")
    assert re.search(pattern, err), err


# ----------------------------------------------------- options that do not apply


@pytest.mark.parametrize(("argv", "pattern"), [
    (["derive", "--x", "1,2,3", "--w", "1,1", "--stride", "2"], r"--stride applies to layers"),
    (["derive", "--x", "1,2,3", "--w", "1,1", "--padding", "1"], r"--padding applies to layers"),
    (["derive", "--layer", "conv1d", "--kernel-size", "3", "--input-size", "5", "--x", "1,2"],
     r"--x applies to signals, not to a layer"),
    (["derive", "--layer", "conv1d", "--kernel-size", "3", "--input-size", "5", "--op",
      "convolve"], r"--op applies to signals"),
    (["derive", "--layer", "conv1d", "--kernel-size", "3", "--input-size", "5", "--mode",
      "full"], r"--mode applies to signals"),
    (["derive", "--layer", "conv1d", "--kernel-size", "3", "--input-size", "5",
      "--output-padding", "1"], r"--output-padding applies to ConvTranspose layers only"),
    (["derive", "--layer", "convtranspose1d", "--kernel-size", "3", "--input-size", "5",
      "--padding-mode", "reflect"], r"--padding-mode applies to Conv layers only"),
    (["derive", "--x", "3", "--w", "2", "--nonlinearity", "f"],
     r"--nonlinearity applies to LaTeX output"),
    (["derive", "--x", "3", "--w", "2", "--no-color"], r"--no-color applies to LaTeX output"),
    (["derive", "--x", "3", "--w", "2", "--latex", "--limit", "3"],
     r"--limit applies to the text report"),
    (["derive", "--x", "3", "--w", "2", "--stats", "--gradient"],
     r"--gradient does not combine with --stats"),
    (["plot", "--x", "3", "--w", "2", "-o", "p.tex", "--dpi", "300"],
     r"--dpi does not apply to TikZ"),
])
def test_options_that_do_not_apply_exit_2_with_one_line(argv, pattern, capsys, tmp_path,
                                                        monkeypatch):
    monkeypatch.chdir(tmp_path)
    _fails(argv, capsys, pattern)


def test_gradient_with_document_alone_is_refused_but_with_latex_is_shown(capsys, tmp_path):
    doc = tmp_path / "d.tex"
    _fails(["derive", "--x", "3", "--w", "2", "--document", str(doc), "--gradient"], capsys,
           r"--gradient does not apply to --document alone")
    assert not doc.exists()
    assert main(["derive", "--x", "3", "--w", "2", "--latex", "--gradient"]) == 0
    out = capsys.readouterr().out
    assert "y_{0}" in out and "g_{0}" in out  # the backward pass is no longer dropped


# ------------------------------------------------------------ big layers, guards


def test_lenet_c1_is_summarised(capsys):
    argv = ["derive", "--layer", "conv2d", "--out-channels", "6", "--kernel-size", "5",
            "--input-size", "32,32", "--no-bias"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert len(lines) < 80  # was 4,716 lines
    assert sum(ln.startswith("  y_") for ln in lines) == 50
    assert "... 4,654 more outputs (--limit N prints more, --limit 0 all)" in out
    assert "T is 4,704 x 1,024: too large to print" in out
    assert "products           117,600" in out
    # output (0, 0, 0) of the correlation, built here from the index law
    y = " + ".join(f"w_0_0_{a}_{b}*x_0_{a}_{b}" for a in range(5) for b in range(5))
    expected = str(sympy.sympify(y))
    assert f"  y_0_0_0 = {expected}" in out
    assert main([*argv, "--limit", "3"]) == 0
    assert sum(ln.startswith("  y_") for ln in capsys.readouterr().out.splitlines()) == 3


def test_stats_of_a_large_layer_and_a_refusal_that_names_stats(capsys):
    argv = ["derive", "--layer", "conv2d", "--in-channels", "64", "--out-channels", "64",
            "--kernel-size", "3", "--padding", "1", "--input-size", "32,32"]
    # 64 x 64 channel pairs, 32 x 32 outputs, 3 x 3 taps less the padded ones per axis
    n = 64 * 64 * (3 * 32 - 2) ** 2
    _fails(argv, capsys, rf"has {n:,} products, .* --stats shows its structure")
    assert main([*argv, "--stats"]) == 0
    assert f"products           {n:,}" in capsys.readouterr().out


def test_sizes_are_guarded_before_symbols_are_made(capsys):
    gc.collect()
    tracemalloc.start()
    _fails(["derive", "--x", "2000x2000", "--w", "3x3"], capsys,
           r"has 36,000,000 products, over the 2,000,000")
    _fails(["derive", "--x", "1000000000", "--w", "3"], capsys, r"3,000,000,000 products")
    _fails(["derive", "--x", "1000000000", "--w", "3", "--stats"], capsys,
           r"too large to build here")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 20 * 2**20  # no symbol, no table: was 1.1 GiB (35 s) and a MemoryError


def test_stats_needs_no_symbols_and_matches_the_counts(capsys):
    assert main(["derive", "--x", "300x300", "--w", "3x3", "--op", "correlate", "--stats"]) == 0
    out = capsys.readouterr().out
    assert "outputs" not in out
    n = 298 * 298 * 9  # valid correlation: every output reads 9 inputs
    assert f"products           {n:,}" in out


# ------------------------------------------------------------ paths and values


@pytest.mark.parametrize("argv", [
    ["derive", "--x", "3", "--w", "2", "--document", "/nonexistent/x.tex"],
    ["plot", "--x", "3", "--w", "2", "-o", "/nonexistent/p.png"],
    ["plot", "--x", "3", "--w", "2", "-o", "/nonexistent/p.tex"],
])
def test_unwritable_paths_are_a_clear_error(argv, capsys):
    _fails(argv, capsys, r"cannot write '/nonexistent/\w+\.\w+': the folder '/nonexistent' "
                         r"does not exist")


def test_a_folder_as_output_is_a_clear_error(capsys, tmp_path):
    (tmp_path / "d.tex").mkdir()
    _fails(["derive", "--x", "3", "--w", "2", "--document", str(tmp_path / "d.tex")], capsys,
           r"it is a folder")


@pytest.mark.parametrize("dpi", ["100000", "0", "-5", "abc"])
def test_dpi_range(dpi, capsys, tmp_path):
    _fails(["plot", "--x", "3", "--w", "2", "-o", str(tmp_path / "p.png"), "--dpi", dpi],
           capsys, r"--dpi: must be an integer from 10 to 1200")


def test_negative_first_values_and_bracket_arrays(capsys):
    assert main(["derive", "--x", "-1,2,-3", "--w", "[4,-5]", "--op", "correlate",
                 "--mode", "full"]) == 0
    out = capsys.readouterr().out
    ref = np.correlate([-1, 2, -3], [4, -5], "full")
    for j, v in enumerate(ref):
        assert re.search(rf"^  y_{j} = .* = {v}$", out, re.M), (j, v, out)
    assert "y_0 = (-1)*(-5) = 5" in out
    assert main(["check", "--x", "-1,2,-3", "--w", "4,-5", "--claimed",
                 ",".join(str(v) for v in ref)]) == 0


def test_one_row_2d_arrays(capsys):
    ref = scipy.signal.convolve2d([[1, 2, 3]], [[1, -1]], "full")
    for x in ("1,2,3;", "[[1,2,3]]"):
        assert main(["derive", "--x", x, "--w", "[[1,-1]]"]) == 0
        out = capsys.readouterr().out
        assert "input (1, 3) -> output (1, 4)" in out
        for (r, c), v in np.ndenumerate(ref):
            assert re.search(rf"^  y_{r}_{c} = .* = {v}$", out, re.M)


@pytest.mark.parametrize(("text", "pattern"), [
    ("[1,2", r"must close with '\]'"), ("[[1,2],[3]]", r"rows must have the same length"),
    ("[]", r"empty list"), ("[1,2]x", r"unexpected 'x'"), ("[1,a+b]", r"not a number"),
])
def test_bad_bracket_arrays(text, pattern, capsys):
    _fails(["derive", "--x", text, "--w", "1"], capsys, pattern)


def test_version_matches_pyproject(capsys):
    assert main(["--version"]) == 0
    pyproject = (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text()
    version = re.search(r'^version = "([^"]+)"', pyproject, re.M).group(1)
    assert capsys.readouterr().out.strip() == f"symconv {version}"


# ------------------------------------------------------------------ LaTeX style


def test_latex_style_options_reach_the_latex(capsys):
    import symconv as sc

    base = ["derive", "--x", "3", "--w", "2", "--op", "correlate", "--latex"]
    assert main(base) == 0
    plain = capsys.readouterr().out
    styled_argv = [*base, "--names", "aWz", "--index-base", "1", "--nonlinearity", "f",
                   "--no-color"]
    assert main(styled_argv) == 0
    styled = capsys.readouterr().out
    d = sc.correlate(sympy.symarray("x", 3), sympy.symarray("w", 2))
    assert plain.strip() == d.to_latex()
    assert styled.strip() == d.to_latex(names="aWz", index_base=1, nonlinearity="f",
                                        color=False)
    assert "textcolor" in plain and "textcolor" not in styled
    assert main([*base, "--names", "x=u,w=k"]) == 0
    assert capsys.readouterr().out.strip() == d.to_latex(names={"x": "u", "w": "k"})
    _fails([*base, "--names", "nope"], capsys, r"`names` must be one of the presets")


# ------------------------------------------------------ check: layer claims


def test_check_with_padding_dilation_and_channels(capsys):
    x, w = np.array([1, 2, 3, 4, 5]), np.array([1, 2])
    padded = np.correlate(np.pad(x, (0, 1)), w, "valid")
    assert main(["check", "--x", "1,2,3,4,5", "--w", "1,2", "--op", "correlate",
                 "--padding", "0:1", "--claimed", ",".join(map(str, padded))]) == 0
    assert "correlate, padding=(0, 1)" in capsys.readouterr().out
    tf = np.correlate(np.pad(x, (0, 1)), w, "valid")[::2]  # SAME, stride 2: pad (0, 1)
    assert main(["check", "--x", "1,2,3,4,5", "--w", "1,2", "--op", "correlate",
                 "--padding", "SAME", "--stride", "2", "--claimed",
                 ",".join(map(str, tf))]) == 0
    capsys.readouterr()
    dilated = np.correlate(x, [1, 0, 2], "valid")
    assert main(["check", "--x", "1,2,3,4,5", "--w", "1,2", "--dilation", "2", "--claimed",
                 ",".join(map(str, dilated))]) == 0
    capsys.readouterr()
    xc, wc = np.array([[1, 2, 3], [0, 1, 0]]), np.array([[[1, 1], [2, 0]]])
    ref = np.stack([sum(np.correlate(xc[c], wc[0, c], "valid") for c in range(2))])
    claim = "[[" + ",".join(map(str, ref[0])) + "]]"
    assert main(["check", "--x", "[[1,2,3],[0,1,0]]", "--w", "[[[1,1],[2,0]]]",
                 "--claimed", claim, "--channels"]) == 0
    assert f"y_0_1 = 2*1 + 3*1 + 1*2 + 0*0 = {ref[0, 1]}" in capsys.readouterr().out
    _fails(["check", "--x", "1,2,3", "--w", "1,2", "--claimed", "3", "--padding", "1",
            "--mode", "valid"], capsys, r"give `mode` or `padding`, not both")
