"""docs/errors.md stays true: every row raises what it says, with the message it shows."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import sympy

import symconv as sc
from symconv.shell._cli import main

PAGE = (Path(__file__).resolve().parents[1] / "docs" / "errors.md").read_text(encoding="utf-8")
PY_ROW = re.compile(r"^\| `(sc\..*)` \| `(ValueError|TypeError)` \| `` (.*) `` \|$", re.M)
CLI_ROW = re.compile(r"^\| `(symconv .*)` \| `(\d)` \| `` (.*?) ?`` \|$", re.M)
PY_ROWS = PY_ROW.findall(PAGE)
CLI_ROWS = CLI_ROW.findall(PAGE)


def test_the_page_has_its_rows():
    table_lines = [ln for ln in PAGE.splitlines() if ln.startswith(("| `sc.", "| `symconv"))]
    assert len(table_lines) == len(PY_ROWS) + len(CLI_ROWS)  # no row escapes the parser
    assert len(PY_ROWS) >= 40 and len(CLI_ROWS) >= 12


@pytest.mark.parametrize(("call", "kind", "message"), PY_ROWS, ids=[r[0] for r in PY_ROWS])
def test_python_row(call, kind, message):
    expected = {"ValueError": ValueError, "TypeError": TypeError}[kind]
    with pytest.raises(Exception) as info:  # the exact type is checked below
        eval(call, {"sc": sc, "sympy": sympy})  # the documented call, from our own docs
    assert type(info.value) is expected, (call, type(info.value), info.value)
    assert message in str(info.value), (call, str(info.value))


@pytest.mark.parametrize(("command", "code", "message"), CLI_ROWS,
                         ids=[r[0] for r in CLI_ROWS])
def test_cli_row(command, code, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(shlex.split(command)[1:]) == int(code)
    err = capsys.readouterr().err
    assert message in err, (command, err)
    if code == "2":
        assert err.count("\n") == 1 and err.startswith("symconv: error: ")
