"""`import symconv` stays light: optional and heavy parts are imported when used.

Run in a fresh interpreter (a subprocess), since this test session has long
imported everything.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

LAZY = ["scipy.signal", "scipy.sparse", "matplotlib", "latexify", "torch"]


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
