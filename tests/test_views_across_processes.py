"""This session's new LaTeX/HTML views are byte-identical across processes.

Two interpreters with different ``PYTHONHASHSEED`` (set iteration order differs)
print the network explorer with its backward pass, the network document with
the general composition theorem, the composition proof with a kernel the case
analysis does not match (built afresh, not cached) and the structure LaTeX with
labelled channel-pair blocks; the digests must agree.  Run side by side (two
processes at once) to keep the test's wall time near one process's.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

CODE = """
import sys, sympy, symconv as sc
from symconv.checks import _composition as C
nd = sc.Sequential(sc.Conv1d(1, 2, 3), sc.ReLU(), sc.Conv1d(2, 1, 2)).derive(input_size=(1, 6))
two = sc.Sequential(sc.Conv1d(1, 1, 3, bias=False),
                    sc.Conv1d(1, 1, 2, bias=False)).derive(input_size=(1, 5))
other = C.composition_proof(lambda a, b, t, k1, k2: sympy.Sum(
    a[C.m] * b[t - C.m], (C.m, sympy.Max(0, t - k2 + 1), sympy.Min(t, k1 - 1))))
blocks = sc.Conv2d(2, 2, 2, bias=False).derive(input_size=(2, 3, 3))
for text in (nd.to_html(gradient=True), two.latex_document(), other.to_latex(),
             str(other), sc.structure_latex(blocks)):
    sys.stdout.write(text + "\\n=====\\n")
"""


def test_new_views_are_byte_identical_across_hash_seeds():
    runs = [subprocess.Popen([sys.executable, "-c", CODE], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=dict(os.environ, PYTHONHASHSEED=seed))
            for seed in ("1", "2")]
    outs = []
    for run in runs:
        out, err = run.communicate(timeout=300)
        assert run.returncode == 0, err.decode()[-2000:]
        outs.append(out)
    parts = [o.split(b"\n=====\n") for o in outs]
    assert len(parts[0]) == 6 and all(parts[0][:5])
    for k, (a, b) in enumerate(zip(*parts)):
        assert hashlib.sha256(a).digest() == hashlib.sha256(b).digest(), f"view {k} differs"
    assert b"Backward pass" in parts[0][0] and b"Composition, for general sizes" in parts[0][1]
    assert b"checked on 125 instances" in parts[0][2] and b"W^{(1,1)}" in parts[0][4]
