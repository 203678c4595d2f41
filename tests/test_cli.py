"""The command line as a user runs it: help, each subcommand, bad values, exit codes."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.signal

from symconv.shell._cli import main

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """``python -m symconv ARGS`` in a fresh interpreter, as a user would."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "symconv", *args], capture_output=True,
                          text=True, timeout=120, cwd=cwd, env=env)


def test_console_script_declared():
    text = (ROOT / "pyproject.toml").read_text()
    scripts = text.split("[project.scripts]", 1)[1].split("\n[", 1)[0]
    assert 'symconv = "symconv.shell._cli:main"' in scripts


def test_help_lists_subcommands_and_exit_codes():
    r = run("--help")
    assert r.returncode == 0
    for word in ("derive", "check", "plot", "Exit codes"):
        assert word in r.stdout
    r = run("check", "--help")
    assert r.returncode == 0 and "--claimed" in r.stdout


def test_check_seed_match_and_mismatch_exit_codes():
    r = run("check", "--x", "1,2,3,4", "--w", "5,6,7", "--claimed", "5,16,34,52,45,28")
    assert r.returncode == 0
    assert "convolve, mode='full'" in r.stdout
    r = run("check", "--x", "1,2,3,4", "--w", "5,6,7", "--claimed", "38,56",
            "--op", "convolve", "--mode", "valid")
    assert r.returncode == 1
    assert "y_0 = 1*7 + 2*6 + 3*5 = 34, not 38" in r.stdout
    assert "kernel not flipped" in r.stdout


def test_derive_signal_values_as_numpy(capsys):
    assert main(["derive", "--x", "1,2,3,4", "--w", "5,6,7", "--op", "correlate",
                 "--mode", "valid"]) == 0
    out = capsys.readouterr().out
    ref = np.correlate([1, 2, 3, 4], [5, 6, 7], "valid")
    assert f"y_0 = 1*5 + 2*6 + 3*7 = {ref[0]}\n" in out
    assert f"y_1 = 2*5 + 3*6 + 4*7 = {ref[1]}\n" in out
    assert "[5  6  7  0]" in out and "[0  5  6  7]" in out


def test_derive_symbolic_sizes_and_gradient(capsys):
    assert main(["derive", "--x", "4", "--w", "3", "--op", "correlate", "--gradient"]) == 0
    out = capsys.readouterr().out
    # the seed's symbolic outputs, matrix and gradients (shared/cases/seed.json)
    assert "y_0 = w_0*x_0 + w_1*x_1 + w_2*x_2" in out
    assert "[w_0  w_1  w_2    0]" in out
    assert "dw_0 = g_0*x_0 + g_1*x_1" in out
    assert "dx_1 = g_0*w_1 + g_1*w_0" in out


def test_derive_2d_signal_rows_match_scipy(capsys):
    assert main(["derive", "--x", "1,2;3,4", "--w", "1,0;0,2", "--mode", "full"]) == 0
    out = capsys.readouterr().out
    ref = scipy.signal.convolve2d([[1, 2], [3, 4]], [[1, 0], [0, 2]], "full")
    lines = {ln.split(" = ", 1)[0].strip(): ln for ln in out.splitlines() if " = " in ln}
    for (r, c), v in np.ndenumerate(ref):
        assert lines[f"y_{r}_{c}"].endswith(f" = {v}")


def test_derive_layer_subprocess():
    r = run("derive", "--layer", "conv2d", "--in-channels", "1", "--out-channels", "2",
            "--kernel-size", "3", "--input-size", "5,5", "--stride", "2", "--no-bias")
    assert r.returncode == 0, r.stderr
    assert "output (2, 2, 2)" in r.stdout  # (5 - 3) // 2 + 1 = 2
    assert "y_1_1_1 = " in r.stdout
    assert "products           72" in r.stdout  # 2 channels * 4 outputs * 9 taps


def test_derive_latex_and_document(tmp_path, capsys):
    import symconv as sc

    try:
        sc.convolve([1], [1]).latex_document()
    except ImportError as exc:  # the LaTeX modules are another issue's
        pytest.skip(f"LaTeX documents unavailable: {exc}")
    assert main(["derive", "--x", "2", "--w", "2", "--latex"]) == 0
    assert "y_{0}" in capsys.readouterr().out
    doc = tmp_path / "out.tex"
    assert main(["derive", "--x", "2", "--w", "2", "--document", str(doc)]) == 0
    text = doc.read_text()
    assert text.startswith("\\documentclass") and "\\end{document}" in text


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf", ".tex"])
def test_plot_writes_each_format(tmp_path, capsys, suffix):
    pytest.importorskip("matplotlib")
    path = tmp_path / f"t{suffix}"
    assert main(["plot", "--x", "4", "--w", "3", "--kind", "connectivity", "-o",
                 str(path)]) == 0
    data = path.read_bytes()
    magic = {".png": b"\x89PNG", ".svg": b"<?xml", ".pdf": b"%PDF", ".tex": b"\\document"}
    assert data.startswith(magic[suffix])
    if suffix == ".tex":
        assert data.count(b"\\draw[scw") == 12  # one edge per product of the full convolution


def test_plot_layer_tikz_counts_cells(tmp_path, capsys):
    out = tmp_path / "m.tex"
    assert main(["plot", "--layer", "conv1d", "--kernel-size", "3", "--input-size", "5",
                 "--kind", "matrix", "-o", str(out)]) == 0
    assert capsys.readouterr().out == f"wrote {out}\n"
    text = out.read_text()
    for k in range(3):  # 3 outputs, each weight once per output
        assert text.count(rf"\fill[scw{k}]") == 3


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["derive", "--x", "1,2,__import__('os')", "--w", "3"],
         r"symconv: error: --x: value .* is not a number, a fraction like 1/3, or a symbol name"),
        (["derive", "--x", "1,2;3", "--w", "3"], r"symconv: error: --x: rows must have the same"),
        (["derive", "--x", "4"], r"give a signal \(--x and --w\) or a layer"),
        (["derive", "--layer", "conv2d", "--kernel-size", "3"], r"--layer needs --kernel-size"),
        (["derive", "--layer", "conv2d", "--kernel-size", "3", "--input-size", "5,5",
          "--stride", "0"], r"symconv: error: --stride: must be positive integers"),
        (["derive", "--layer", "conv2d", "--kernel-size", "9", "--input-size", "3,3"],
         r"symconv: error: `kernel_size` \(=9"),
        (["derive", "--layer", "conv2d", "--in-channels", "3", "--groups", "2",
          "--kernel-size", "1", "--input-size", "2,2"],
         r"`in_channels` \(=3\) must be divisible by `groups` \(=2\)"),
        (["derive", "--layer", "dense", "--kernel-size", "1", "--input-size", "2"],
         r"argument --layer: invalid choice: 'dense'"),
        (["check", "--x", "1,2", "--w", "1", "--claimed", "1,x*y"],
         r"--claimed: value 'x\*y' is not a number"),
        (["check", "--x", "1,2", "--w", "1", "--claimed", "1,2", "--stride", "-1"],
         r"--stride: must be positive integers"),
        (["plot", "--x", "4", "--w", "3", "-o", "out.jpg"], r"--output: the file must end in"),
        (["frobnicate"], r"argument COMMAND: invalid choice: 'frobnicate'"),
    ],
)
def test_bad_values_one_line_exit_2(argv, match, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1  # one line
    import re

    assert re.search(match, err), err


def test_bad_value_subprocess_exit_2():
    r = run("check", "--x", "1,2", "--w", "1", "--claimed", "open('f')")
    assert r.returncode == 2
    assert r.stdout == ""
    assert r.stderr.startswith("symconv: error: --claimed:")
    assert len(r.stderr.splitlines()) == 1


def test_symbols_and_fractions_are_parsed_exactly(capsys):
    assert main(["check", "--x", "a,b", "--w", "1/2,0.5", "--claimed", "a/2"]) == 2
    capsys.readouterr()
    assert main(["check", "--x", "1/2,1/3", "--w", "3,6", "--claimed", "3/2,4,2"]) == 0
    assert "convolve, mode='full'" in capsys.readouterr().out


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("tty", [True, False])
def test_progress_only_on_a_terminal(tty, monkeypatch, capsys):
    import symconv.core._progress

    monkeypatch.setattr(symconv.core._progress, "PROGRESS_THRESHOLD", 1)  # any size is "long"
    err = _Terminal() if tty else io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    assert main(["derive", "--x", "5", "--w", "2"]) == 0
    assert "y_5 = w_1*x_4" in capsys.readouterr().out
    assert ("symconv: building output text 100%" in err.getvalue()) is tty
    assert (err.getvalue() == "") is not tty


def test_no_progress_in_pipes():
    r = run("derive", "--x", "300", "--w", "2", "--limit", "0")
    assert r.returncode == 0
    assert r.stderr == ""
    assert "y_300 = w_1*x_299" in r.stdout
