"""`import symconv` stays light: optional and heavy parts are imported when used.

Run in a fresh interpreter (a subprocess), since this test session has long
imported everything.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

LAZY = ["scipy", "scipy.signal", "scipy.sparse", "matplotlib", "latexify", "torch",
        "symconv.checks._textbook_checks", "symconv.rendering._textbook", "symconv.checks._proofs",
        "symconv.rendering._latex", "symconv.rendering._html", "symconv.backward._gradients",
        "symconv.core._sequential", "sympy.tensor.tensor"]


@pytest.mark.parametrize("module", LAZY)
def test_import_symconv_does_not_import(module):
    code = f"import sys, symconv; print({module!r} in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "False", f"`import symconv` imported {module}"


def test_the_lazy_parts_still_work_when_used():
    code = ("import sys, symconv as sc; d = sc.correlate([1, 2, 3, 4], [5, 6, 7]);"
            "m = d.to_scipy(); assert bool(d.check());"
            "print(type(m).__module__.startswith('scipy.sparse'), 'scipy.signal' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "True True"


def _run(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip()


def test_every_public_name_resolves_in_a_fresh_interpreter():
    """``__all__`` (the names DESIGN.md documents) all load through the lazy ``__getattr__``."""
    code = ("import symconv as sc, inspect\n"
            "missing = [n for n in sc.__all__ if getattr(sc, n, None) is None]\n"
            "assert not missing, missing\n"
            "assert set(sc.__all__) <= set(dir(sc))\n"
            "wrong = [n for n in sc.__all__ if getattr(getattr(sc, n), '__name__', n) != n]\n"
            "print(len(sc.__all__), wrong)")
    count, wrong = _run(code).split(" ", 1)
    assert int(count) >= 70 and wrong == "[]"


def test_star_import_gives_every_public_name():
    code = "from symconv import *\nimport symconv\nprint(all(n in globals() for n in symconv.__all__))"
    assert _run(code) == "True"


def test_unknown_names_raise_attribute_error():
    import symconv as sc

    with pytest.raises(AttributeError, match="no attribute 'nonexistent'"):
        sc.nonexistent  # noqa: B018
    assert "textbook" in dir(sc) and callable(sc.textbook)
