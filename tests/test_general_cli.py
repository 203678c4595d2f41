"""`symconv general`: sizes given as letters, parsed (never evaluated), formulas printed."""

from __future__ import annotations

from symconv.shell._cli import main


def test_general_signal_prints_the_formulas(capsys):
    assert main(["general", "correlate", "--x-shape", "n", "--w-shape", "k"]) == 0
    out = capsys.readouterr().out
    assert "output size: (-k + n + 1,)" in out
    assert "y[o] = Sum(w[j]*x[j + o], (j, 0, k - 1))" in out


def test_general_layer_writes_the_document(capsys, tmp_path):
    path = tmp_path / "g.tex"
    assert main(["general", "conv1d", "--kernel-size", "k", "--stride", "2", "--padding", "p",
                 "--input-size", "n", "--no-bias", "-o", str(path)]) == 0
    out = capsys.readouterr().out
    assert "output size: (p + floor(-k/2 + n/2) + 1,)" in out
    assert path.read_text().startswith(r"\documentclass")


def test_general_cli_refuses_code_and_wrong_options(capsys):
    assert main(["general", "conv1d", "--kernel-size", "__import__('os')",
                 "--input-size", "n"]) == 2
    assert "--kernel-size: " in capsys.readouterr().err
    assert main(["general", "correlate", "--x-shape", "n", "--w-shape", "k",
                 "--stride", "s"]) == 2
    assert "does not apply" in capsys.readouterr().err
    assert main(["general", "conv1d", "--kernel-size", "3", "--input-size", "5"]) == 2
    assert "every size is a number" in capsys.readouterr().err
