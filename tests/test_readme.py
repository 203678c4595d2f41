"""The README's two commands stay true: CI runs the test command, the main job works."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import sympy

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = re.findall(r"^```console\n(.*?)\n```", README, re.S | re.M)


def test_readme_has_the_two_commands():
    assert len(COMMANDS) == 2
    assert COMMANDS[0].startswith("pip install . && symconv ")
    assert "pytest" in COMMANDS[1]


def test_ci_runs_the_readme_test_command_verbatim():
    lines = [ln.strip() for ln in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert COMMANDS[1] in lines
    assert "python -m pip install -q torch==2.13.0" in lines  # exactly the CPU pin


def test_readme_main_command_derives_the_seed():
    args = COMMANDS[0].split("&& symconv ", 1)[1].split()
    out = subprocess.run([sys.executable, "-m", "symconv", *args], capture_output=True,
                         text=True, check=True, cwd=ROOT).stdout
    # The seed's valid correlation, derived independently with SymPy.
    x, w, g = sympy.symarray("x", 4), sympy.symarray("w", 3), sympy.symarray("g", 2)
    y = [sum(w[k] * x[o + k] for k in range(3)) for o in range(2)]
    for o, expr in enumerate(y):
        assert f"y_{o} = {expr}" in out
    for k in range(3):  # dL/dw_k = sum_o g_o x_{o+k}: the tied weight's summed gradient
        assert f"dw_{k} = {sum(g[o] * x[o + k] for o in range(2))}" in out
    assert "[w_0  w_1  w_2    0]" in out and "[  0  w_0  w_1  w_2]" in out
