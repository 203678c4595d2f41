"""Every ```python block in README.md and docs/*.md runs as a doctest: a doc that lies fails."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest
from conftest import require_torch

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def _blocks(page: Path) -> str:
    return "\n".join(m.group(1) for m in BLOCK.finditer(page.read_text(encoding="utf-8")) if ">>>" in m.group(1))


# Pages with runnable examples (performance.md only has measured tables).
PAGES = [p for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))] if _blocks(p)]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_page_examples_run(page, tmp_path, monkeypatch):
    text = _blocks(page)
    if "import torch" in text:
        require_torch()  # skip locally, fail in CI, like every torch oracle
    monkeypatch.chdir(tmp_path)  # examples that write files write them here
    parser = doctest.DocTestParser()
    test = parser.get_doctest(text, {"__name__": f"docs.{page.stem}"}, page.name, str(page), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.attempted > 0
    assert result.failed == 0, f"{result.failed} example(s) in {page.name} failed (see output above)"


def test_every_feature_page_is_checked():
    names = {p.name for p in PAGES}
    assert {"README.md", "index.md", "backward.md", "latex.md", "handcheck.md", "cli.md",
            "pictures.md", "scale.md"} <= names


def test_api_page_lists_every_public_name():
    import symconv as sc

    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    assert [n for n in sc.__all__ if f"| `{n}` |" not in text] == []
