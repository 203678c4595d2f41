"""Shared test helpers.

Optional oracles (PyTorch, pdflatex, a headless Chromium driven by selenium) skip
locally when missing but *fail* when the project variable
``SYMCONV_REQUIRE_ORACLES=1`` is set, as ``.ci/run`` does after installing them:
a skipped oracle must never pass silently there.  ``CI=true``, which every hosted
CI sets, does not matter: the README's test command in someone else's pipeline
skips what it lacks.

Use the fixtures (``torch``, ``pdflatex``, ``browser``) or the markers of the
same names (``@pytest.mark.torch`` ...): a test carrying a marker gets the same
skip-or-fail rule before it runs, and a test using a fixture carries its marker,
so ``-m "not browser"`` deselects it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from types import ModuleType
from typing import Any, NoReturn

import pytest
from hypothesis import settings

#: The one switch that turns a missing oracle from a skip into a failure.
REQUIRE_ORACLES_VAR = "SYMCONV_REQUIRE_ORACLES"
REQUIRE_ORACLES = os.environ.get(REQUIRE_ORACLES_VAR) == "1"
#: Old name, kept for test modules that still import it; it means REQUIRE_ORACLES.
IN_CI = REQUIRE_ORACLES

# Property tests draw the same examples on every run: CI never depends on a lucky draw.
settings.register_profile("symconv", derandomize=True)
settings.load_profile("symconv")


def missing_oracle(what: str, install: str) -> NoReturn:
    """Skip (locally) or fail (``SYMCONV_REQUIRE_ORACLES=1``): ``what`` is missing."""
    if REQUIRE_ORACLES:
        pytest.fail(f"{what} is required with {REQUIRE_ORACLES_VAR}=1 ({install})",
                    pytrace=False)
    pytest.skip(f"{what} is not installed ({install})")


def require_torch() -> ModuleType:
    """``torch``, or skip / fail (see :func:`missing_oracle`) when it is not installed."""
    try:
        import torch
    except ImportError:
        missing_oracle("PyTorch", "pip install torch==2.13.0")
    return torch


def require_pdflatex() -> str:
    """Path of ``pdflatex``, or skip / fail when it is missing."""
    path = shutil.which("pdflatex")
    if path is None:
        missing_oracle("pdflatex", "apt-get install texlive-latex-base texlive-latex-recommended")
    return path


def require_tikz() -> None:
    """Skip / fail unless TikZ is installed for pdflatex (``kpsewhich tikz.sty``)."""
    import subprocess

    kpsewhich = shutil.which("kpsewhich")
    found = kpsewhich is not None and subprocess.run(
        [kpsewhich, "tikz.sty"], capture_output=True, text=True
    ).stdout.strip()
    if not found:
        missing_oracle("tikz.sty", "apt-get install texlive-pictures")


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path is not None:
            return path
    return None


def require_browser() -> tuple[str, str]:
    """Paths of ``(chromium, chromedriver)`` with selenium importable, or skip / fail."""
    install = "apt-get install chromium chromium-driver; pip install selenium"
    chromium, driver = _chromium(), shutil.which("chromedriver")
    if chromium is None:
        missing_oracle("chromium", install)
    if driver is None:
        missing_oracle("chromedriver", install)
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing_oracle("selenium", install)
    return chromium, driver


def start_browser() -> Any:
    """A headless Chromium ``selenium`` WebDriver (the caller quits it)."""
    chromium, driver = require_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,1024",
                # no traffic of its own: pages under test are self-contained
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run"):
        options.add_argument(arg)
    return webdriver.Chrome(options=options, service=Service(driver))


@pytest.fixture
def torch() -> ModuleType:
    """The ``torch`` module (see :func:`require_torch`)."""
    return require_torch()


@pytest.fixture
def pdflatex() -> str:
    """The ``pdflatex`` executable (see :func:`require_pdflatex`)."""
    return require_pdflatex()


@pytest.fixture(scope="session")
def _browser_session() -> Iterator[Any]:
    driver = start_browser()
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def browser(_browser_session: Any) -> Any:
    """A headless Chromium WebDriver shared by the session (see :func:`require_browser`).

    Open pages with ``browser.get("file://...")`` or a ``data:`` URL; the driver
    starts once (about 3 s) and quits at the end of the session.
    """
    return _browser_session


_REQUIREMENTS = {"torch": require_torch, "latex": require_pdflatex, "browser": require_browser}
_FIXTURE_MARKERS = {"torch": "torch", "pdflatex": "latex", "browser": "browser"}


def _torch_available() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark tests by the oracle fixtures they use; docstring examples that import
    torch follow the same rule as the torch tests."""
    torch_ok = REQUIRE_ORACLES or _torch_available()
    skip_torch = pytest.mark.skip(reason="PyTorch is not installed")
    for item in items:
        for fixture, marker in _FIXTURE_MARKERS.items():
            if fixture in getattr(item, "fixturenames", ()):
                item.add_marker(marker)
        dtest = getattr(item, "dtest", None)
        if (not torch_ok and dtest is not None
                and any("import torch" in ex.source for ex in dtest.examples)):
            item.add_marker(skip_torch)


def pytest_runtest_setup(item: pytest.Item) -> None:
    """A test marked ``torch``, ``latex`` or ``browser`` needs that oracle."""
    for marker, require in _REQUIREMENTS.items():
        if item.get_closest_marker(marker) is not None:
            require()
