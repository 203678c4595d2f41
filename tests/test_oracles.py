"""Optional oracles skip when missing, and fail only with ``SYMCONV_REQUIRE_ORACLES=1``.

Each case runs pytest in a subprocess on a small test file next to a copy of
``tests/conftest.py``, with PyTorch made unimportable and ``PATH`` emptied (no
pdflatex, chromium or chromedriver): ``CI=true`` alone, as every hosted CI sets
it, must skip; the project variable must fail.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent

SAMPLE = '''
import pytest


def test_torch_fixture(torch):
    pass


def test_pdflatex_fixture(pdflatex):
    pass


def test_browser_fixture(browser):
    pass


@pytest.mark.torch
def test_torch_marker():
    pass


@pytest.mark.latex
def test_latex_marker():
    pass


@pytest.mark.browser
def test_browser_marker():
    pass


def test_plain():
    pass
'''


def _run(tmp_path: Path, **env: str) -> tuple[dict[str, int], str]:
    shutil.copy(HERE / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "test_sample.py").write_text(SAMPLE)
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\nmarkers =\n    torch: t\n    latex: l\n    browser: b\n")
    blocked = tmp_path / "blocked"
    (blocked / "torch").mkdir(parents=True)
    (blocked / "torch" / "__init__.py").write_text("raise ImportError('torch is blocked')\n")
    empty = tmp_path / "empty-path"
    empty.mkdir()
    base = {k: v for k, v in os.environ.items()
            if k not in ("CI", "SYMCONV_REQUIRE_ORACLES", "PYTHONPATH")}
    base.update(PATH=str(empty), PYTHONPATH=str(blocked), **env)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rA",
         "test_sample.py"],
        cwd=tmp_path, env=base, capture_output=True, text=True, timeout=300,
    )
    tail = run.stdout.strip().splitlines()[-1]
    counts = {word: int(n) for n, word in re.findall(r"(\d+) (\w+)", tail)}
    return counts, run.stdout


@pytest.mark.parametrize("ci", [{"CI": "true"}, {}])
def test_missing_oracles_skip_even_with_ci_true(tmp_path, ci):
    counts, out = _run(tmp_path, **ci)
    assert counts == {"passed": 1, "skipped": 6}, out
    assert "PyTorch is not installed" in out and "pdflatex is not installed" in out
    assert "chromium is not installed" in out


def test_missing_oracles_fail_with_the_project_variable(tmp_path):
    counts, out = _run(tmp_path, CI="true", SYMCONV_REQUIRE_ORACLES="1")
    assert counts.get("passed") == 1, out
    assert counts.get("failed", 0) + counts.get("errors", counts.get("error", 0)) == 6, out
    assert "skipped" not in counts, out
    assert "PyTorch is required with SYMCONV_REQUIRE_ORACLES=1" in out
