"""Lint and type checks run with the test suite, so one command runs every check."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import missing_oracle

ROOT = Path(__file__).resolve().parents[1]


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        missing_oracle(name, "pip install -e '.[test]'")
    return path


#: What ruff lints: the package, its tests, docs and benchmarks -- never a scratch file
#: someone keeps in the work tree.
LINT_PATHS = ("symconv", "tests", "docs", "benchmarks")


def ruff(root: Path) -> subprocess.CompletedProcess[str]:
    """``ruff check`` over the project's :data:`LINT_PATHS` that exist under ``root``."""
    paths = [p for p in LINT_PATHS if (root / p).exists()]
    return subprocess.run([_tool("ruff"), "check", *paths], cwd=root, capture_output=True,
                          text=True)


def test_ruff_is_clean():
    result = ruff(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_ignores_a_scratch_file_in_the_work_tree(tmp_path):
    (tmp_path / "symconv").mkdir()
    (tmp_path / "symconv" / "ok.py").write_text("X = 1\n")
    (tmp_path / "scratch.py").write_text("import os\n")  # unused import: F401
    assert ruff(tmp_path).returncode == 0
    (tmp_path / "symconv" / "bad.py").write_text("import os\n")
    assert ruff(tmp_path).returncode == 1  # the package itself is still linted


def test_lint_tools_are_pinned_to_the_versions_in_use():
    """The test extra pins ruff and mypy exactly: a new release cannot break the suite."""
    import re
    from importlib.metadata import version

    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    for tool in ("ruff", "mypy"):
        pins = re.findall(rf'"{tool}==([^"]+)"', pyproject)
        assert pins == [version(tool)], (tool, pins)


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

    for path in sorted((ROOT / "symconv").rglob("*.py")):
        ast.parse(path.read_text(encoding="utf-8"), filename=str(path), feature_version=(3, 10))


def test_every_public_object_has_a_runnable_example():
    """STYLE: every public object has a numpydoc docstring with an Examples section."""
    import inspect

    import symconv as sc

    lacking = [name for name in sc.__all__
               if "Examples\n--------" not in (inspect.getdoc(getattr(sc, name)) or "")]
    assert lacking == []
