"""Shared test helpers.

Optional oracles (PyTorch, pdflatex) skip locally when missing but *fail* in CI
(``CI=true``), where ``.ci/run`` installs them: a skipped oracle must never
pass silently there.
"""

from __future__ import annotations

import os
import shutil
from types import ModuleType

import pytest
from hypothesis import settings

IN_CI = os.environ.get("CI") == "true"

# Property tests draw the same examples on every run: CI never depends on a lucky draw.
settings.register_profile("symconv", derandomize=True)
settings.load_profile("symconv")


def require_torch() -> ModuleType:
    """``torch``, or skip (locally) / fail (in CI) when it is not installed."""
    if IN_CI:
        import torch

        return torch
    return pytest.importorskip("torch")


def require_pdflatex() -> str:
    """Path of ``pdflatex``, or skip (locally) / fail (in CI) when it is missing."""
    path = shutil.which("pdflatex")
    if path is None:
        if IN_CI:
            pytest.fail("pdflatex is required in CI (.ci/run installs texlive)")
        pytest.skip("pdflatex is not installed")
    return path


@pytest.fixture
def torch() -> ModuleType:
    """The ``torch`` module (see :func:`require_torch`)."""
    return require_torch()


@pytest.fixture
def pdflatex() -> str:
    """The ``pdflatex`` executable (see :func:`require_pdflatex`)."""
    return require_pdflatex()


def _torch_available() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Docstring examples that import torch follow the same rule as the torch tests."""
    if IN_CI or _torch_available():
        return
    skip = pytest.mark.skip(reason="PyTorch is not installed")
    for item in items:
        dtest = getattr(item, "dtest", None)
        if dtest is not None and any("import torch" in ex.source for ex in dtest.examples):
            item.add_marker(skip)
