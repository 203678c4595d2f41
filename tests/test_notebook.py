"""docs/examples/seed.ipynb is a valid nbformat-4 notebook whose code cells run, in order,
and whose displayed objects render (_repr_html_ / _repr_latex_) as Jupyter would ask."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import numpy as np

NOTEBOOK = Path(__file__).resolve().parents[1] / "docs" / "examples" / "seed.ipynb"


def _notebook() -> dict[str, Any]:
    return json.loads(NOTEBOOK.read_text(encoding="utf-8"))


def test_notebook_is_valid_nbformat_4():
    nb = _notebook()
    assert nb["nbformat"] == 4 and nb["nbformat_minor"] >= 5
    assert nb["metadata"]["kernelspec"]["language"] == "python"
    ids = [c["id"] for c in nb["cells"]]
    assert len(set(ids)) == len(ids)
    for cell in nb["cells"]:
        assert cell["cell_type"] in ("markdown", "code")
        assert isinstance(cell["source"], list) and all(isinstance(s, str) for s in cell["source"])
        assert isinstance(cell["metadata"], dict)
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None


def test_notebook_code_cells_run_and_display(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {"__name__": "__main__"}
    shown: list[Any] = []
    for cell in _notebook()["cells"]:
        if cell["cell_type"] != "code":
            continue
        tree = ast.parse("".join(cell["source"]))
        last = tree.body[-1] if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        body = ast.Module(body=tree.body[:-1] if last else tree.body, type_ignores=[])
        exec(compile(body, str(NOTEBOOK), "exec"), namespace)
        if last is not None:
            value = eval(compile(ast.Expression(last.value), str(NOTEBOOK), "eval"), namespace)
            if value is not None:
                shown.append(value)
                for method in ("_repr_html_", "_repr_latex_"):
                    if hasattr(value, method):
                        assert isinstance(getattr(value, method)(), str)
    out = capsys.readouterr().out
    ref = np.correlate([1, 2, 3, 4], [5, 6, 7], "valid")
    assert f"y_0 = 1*5 + 2*6 + 3*7 = {ref[0]}" in out
    assert namespace["st"].products == 6 * 28 * 28 * 25  # channels x outputs x taps
    assert "38 is y_0 of valid correlation = 1*5 + 2*6 + 3*7" in str(namespace["rep"])
    assert len(shown) >= 4
