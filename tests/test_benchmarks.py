"""The benchmark scripts run on a machine without the optional oracles (no torch)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import sys
sys.path.insert(0, {bench!r})
import bench_scale as b
assert not b.torch_available()
print(b.versions_line())
for case in b.CASES:
    for method in b.METHODS:
        why = b.reason_not_run(case, method)
        if method.startswith(("torch", "autograd")):
            assert why == "not run: torch is not installed", (case, method, why)
print(b.run("1-D", "torch.func.jacrev", 1, 60.0))
"""


def test_bench_scale_does_not_need_torch(tmp_path):
    blocked = tmp_path / "blocked"  # a torch that cannot be imported
    (blocked / "torch").mkdir(parents=True)
    (blocked / "torch" / "__init__.py").write_text("raise ImportError('torch is blocked')\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(blocked)
    run = subprocess.run(
        [sys.executable, "-c", PROBE.format(bench=str(ROOT / "benchmarks"))],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "torch not installed" in run.stdout
    assert "{'note': 'not run: torch is not installed'}" in run.stdout
