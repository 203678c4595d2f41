"""Lint and type checks run with the test suite, so one command runs every check."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import IN_CI

ROOT = Path(__file__).resolve().parents[1]


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if IN_CI:
            pytest.fail(f"{name} is required in CI (pip install -e '.[test]')")
        pytest.skip(f"{name} is not installed")
    return path


def test_ruff_is_clean():
    result = subprocess.run([_tool("ruff"), "check", "."], cwd=ROOT, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_is_clean():
    _tool("mypy")
    result = subprocess.run([sys.executable, "-m", "mypy", "symconv"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_sources_parse_as_python_3_10():
    """pyproject promises Python >= 3.10: no newer grammar (``except*``, PEP 695 generics).

    ``ast`` does not police every feature: star-unpacking in subscripts (``a[*idx]``,
    3.11) is caught by mypy instead, which checks with ``python_version = "3.10"``.
    """
    import ast

    for path in sorted((ROOT / "symconv").glob("*.py")):
        ast.parse(path.read_text(encoding="utf-8"), filename=str(path), feature_version=(3, 10))


def test_every_public_object_has_a_runnable_example():
    """STYLE: every public object has a numpydoc docstring with an Examples section."""
    import inspect

    import symconv as sc

    lacking = [name for name in sc.__all__
               if "Examples\n--------" not in (inspect.getdoc(getattr(sc, name)) or "")]
    assert lacking == []
