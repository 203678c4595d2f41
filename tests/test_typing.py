"""The public API as a type checker sees it: mypy catches misspelt layer arguments.

The layer classes are explicit subclasses with typed ``__init__`` signatures and
``Derivation.gradient()`` returns ``Gradient``; mypy, run here on small snippets
that use the installed package, must reject the bad call and accept the good one.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mypy")

ROOT = Path(__file__).resolve().parents[1]


def _mypy(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    snippet = tmp_path / "snippet.py"
    snippet.write_text(source)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--no-error-summary", "--cache-dir",
         str(tmp_path / ".mypy_cache"), "--follow-imports=silent", str(snippet)],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=600,
    )


def test_mypy_rejects_a_misspelt_keyword_and_types_the_gradient(tmp_path: Path) -> None:
    """One mypy run: line 2 is the bad call, the rest must type-check (and reveal)."""
    run = _mypy(tmp_path, (
        "import symconv as sc\n"
        "sc.Conv2d(1, 6, 5, paddin=1)\n"
        "d = sc.Conv2d(1, 6, 5, padding=1).derive(input_size=(8, 8))\n"
        "g = d.gradient()\n"
        "reveal_type(g)\n"
        "reveal_type(sc.ConvTranspose1d(1, 1, 3, output_padding=0))\n"
    ))
    errors = [line for line in run.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 1 and errors[0].startswith("snippet.py:2:"), run.stdout + run.stderr
    assert 'Unexpected keyword argument "paddin"' in errors[0]
    assert 'Revealed type is "symconv.backward._gradients.Gradient"' in run.stdout
    assert 'Revealed type is "symconv.shell._layers.ConvTranspose1d"' in run.stdout \
        or 'Revealed type is "symconv.ConvTranspose1d"' in run.stdout, run.stdout
