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


def test_general_document_follows_names_and_index_base(capsys, tmp_path):
    path = tmp_path / "g.tex"
    assert main(["general", "correlate", "--x-shape", "n", "--w-shape", "k", "-o", str(path),
                 "--names", "aWz", "--index-base", "1"]) == 0
    text = path.read_text()
    assert r"\sum_{j=1}^{k} {W}_{j}" in text  # W for w, sums from 1
    assert "{w}_{" not in text and "{x}_{" not in text and r"\sum_{j=0}" not in text
    assert "{g}_{" in text  # g is not renamed delta (the Kronecker delta's letter)


def test_general_names_need_the_document(capsys):
    assert main(["general", "correlate", "--x-shape", "n", "--w-shape", "k",
                 "--names", "aWz"]) == 2
    assert "--names applies to the LaTeX document (-o FILE.tex)" in capsys.readouterr().err
    assert main(["general", "correlate", "--x-shape", "n", "--w-shape", "k", "-o", "g.tex",
                 "--index-base", "2"]) == 2
    assert "--index-base: must be an integer from 0 to 1, got '2'" in capsys.readouterr().err


def test_the_documented_general_commands_run(capsys, tmp_path):
    """The commands of docs/general.md's command-line section (any case for the layer)."""
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "docs" / "general.md").read_text()
    block = text.split("## Command line", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    commands = [line.split()[1:] for line in block.splitlines() if line.startswith("symconv ")]
    assert len(commands) >= 2
    for argv in commands:
        argv = [str(tmp_path / a) if a.endswith(".tex") else a for a in argv]
        assert main(argv) == 0, argv
        assert re.search(r"output size: \(", capsys.readouterr().out)
