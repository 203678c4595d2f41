"""The package only looks down: boundary → core → backward → checks → rendering → shell.

Three rules, read from the sources with :mod:`ast` (nothing is imported):

1. **Layers.** A module imports only from its own layer or a layer below.
   ``symconv/__init__.py`` (and ``__main__``) is the top.  The one exception is
   :data:`DELEGATIONS`: the lazy convenience methods of the derivation and
   gradient views, which import upward *inside the method body* (so importing
   the module never loads the layer above).  Imports under
   ``if TYPE_CHECKING:`` are annotations only and are not counted.
2. **No import cycle** between modules (module-level, run-time imports).
4. **Docstrings.**  Each module's docstring names its layer ("Layer: core",
   "(layer: core)" or "(core)"), and a module over ``MAX_LINES`` lines says
   why it is not split ("Over 400 lines: ...").
3. **No private reads across modules.**  ``obj._name`` (a single-underscore
   attribute) is read only by the module that defines ``_name`` (assigns it,
   declares it or defines it as a method), or through ``self``/``cls``.  SymPy's
   own private names (``_from_args``, ``_fromrep``...) count too: only
   ``core/_symbolic.py``, the one module that owns SymPy internals, reads them.

:data:`ALLOWED` lists today's violations; it shrinks to empty as they are fixed,
and an entry that is no longer a violation fails the test (the list cannot go
stale).  The same exception list is documented in ``docs/architecture.md``.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "symconv"

#: The layers, bottom to top.  ``symconv/__init__.py`` and ``__main__.py`` sit above all.
LAYERS: tuple[str, ...] = ("boundary", "core", "backward", "checks", "rendering", "shell")
TOP = len(LAYERS)

#: THE declared exception to rule 1 (documented in docs/architecture.md): these methods
#: of the views (classes in core/, backward/; display hooks in checks/) may import upward,
#: inside their body.  Nothing else may.
DELEGATIONS: frozenset[str] = frozenset({
    "verify", "check", "gradient", "to_latex", "latex_document", "_repr_latex_",
    "to_html", "_repr_html_", "proofs", "__str__",
})
#: Where the delegating methods may live: the views (core, backward) and the results of
#: checks (Proof, Verification, CheckReport: their display hooks call rendering).
DELEGATING_LAYERS = ("core", "backward", "checks")

#: Names that look private but are protocols (IPython display hooks, namedtuple API).
PROTOCOL = frozenset({"_repr_latex_", "_repr_html_", "_repr_png_", "_repr_svg_",
                      "_repr_pretty_", "_asdict", "_replace", "_fields", "_make",
                      "_ipython_display_"})

#: The one module allowed to read SymPy's private names (rule 3).
SYMPY_INTERNALS = "symconv.core._symbolic"

#: Today's violations, as strings (see :func:`violations`).  Shrinks to empty.
ALLOWED: frozenset[str] = frozenset()


# ------------------------------------------------------------------ reading


@dataclass(frozen=True)
class Import:
    target: str  # absolute module name (``symconv.core._taps``) or name within a module
    line: int
    function: str | None  # the enclosing function's name, None at module level
    type_only: bool  # under ``if TYPE_CHECKING:``
    name: str = ""  # the imported name (``from m import name``), "" for a module


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer_of(name: str) -> int:
    parts = name.split(".")
    if len(parts) >= 2 and parts[1] in LAYERS:
        return LAYERS.index(parts[1])
    return TOP


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports(module: str, path: Path, known: set[str]) -> Iterator[Import]:
    """Every import of a symconv module by ``module``, resolved to the module it loads."""
    tree = ast.parse(path.read_text(), str(path))
    is_package = path.name == "__init__.py"

    def visit(node: ast.AST, function: str | None, type_only: bool) -> Iterator[Import]:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            function = function or node.name
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                yield from visit(child, function, True)
            for child in node.orelse:
                yield from visit(child, function, type_only)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "symconv":
                    yield Import(alias.name, node.lineno, function, type_only)
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(module, is_package, node)
            if base.split(".")[0] == "symconv":
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    if full in known:
                        yield Import(full, node.lineno, function, type_only)
                    else:
                        yield Import(base, node.lineno, function, type_only, alias.name)
        for child in ast.iter_child_nodes(node):
            yield from visit(child, function, type_only)

    yield from visit(tree, None, False)


def _defined_private_names(tree: ast.AST) -> set[str]:
    """Underscore names a module defines: attributes it assigns, class fields, methods."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.attr)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id == "setattr" and len(node.args) >= 2 \
                and isinstance(node.args[1], ast.Constant):
            names.add(str(node.args[1].value))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr == "__setattr__" and len(node.args) >= 2 \
                and isinstance(node.args[1], ast.Constant):
            names.add(str(node.args[1].value))
    return names


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__") and name not in PROTOCOL


def private_reads(module: str, path: Path) -> Iterator[tuple[str, int]]:
    """``(expression, line)`` of each read of another module's private attribute."""
    tree = ast.parse(path.read_text(), str(path))
    own = _defined_private_names(tree)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        attr = node.attr
        if not _private(attr):
            continue
        if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
            continue
        if attr in own and module != SYMPY_INTERNALS:
            continue
        if module == SYMPY_INTERNALS:
            continue
        yield ast.unparse(node), node.lineno


# --------------------------------------------------------------- the rules


@functools.cache
def violations() -> frozenset[str]:
    """Every violation of the three rules, one string each (stable: no line numbers)."""
    mods = modules()
    known = set(mods)
    found: set[str] = set()
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for module, path in mods.items():
        mine = layer_of(module)
        for imp in imports(module, path, known):
            target = imp.target
            if target not in known:
                continue
            if imp.function is None and not imp.type_only:
                graph[module].add(target)
            if _private(imp.name) and target != module:
                found.add(f"private import: {module}: {imp.name} from {target}")
            if imp.type_only or layer_of(target) <= mine:
                continue
            if imp.function in DELEGATIONS and LAYERS[mine] in DELEGATING_LAYERS:
                continue
            found.add(f"upward import: {module} -> {target} (in {imp.function or 'module'})")
        for expr, _line in private_reads(module, path):
            found.add(f"private read: {module}: {expr}")
        found |= docstring_problems(module, path)
    for cycle in cycles(graph):
        found.add("import cycle: " + " -> ".join(cycle))
    return frozenset(found)


#: Modules longer than this state in their docstring why they are not split.
MAX_LINES = 400


def docstring_problems(module: str, path: Path) -> set[str]:
    """Rule 4: the docstring names the module's layer; a long module says why it is long."""
    text = path.read_text()
    doc = ast.get_docstring(ast.parse(text)) or ""
    out = set()
    layer = LAYERS[layer_of(module)] if layer_of(module) < TOP else "top"
    named = re.search(rf"(?i)\blayer\b[^.\n]{{0,12}}\b{layer}\b|\b{layer}\b layer|"
                      rf"\({layer}\)|\(layer: {layer}\)", doc)
    if not doc.strip() or not named:
        out.add(f"docstring: {module} does not name its layer ({layer})")
    if text.count("\n") > MAX_LINES and f"{MAX_LINES} lines" not in doc:
        out.add(f"docstring: {module} is over {MAX_LINES} lines without saying why")
    return out


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def strong(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            strong(v)
    return sorted(out)


# -------------------------------------------------------------------- tests


def test_the_package_only_looks_down() -> None:
    new = sorted(violations() - ALLOWED)
    assert not new, "layering violations (see tests/test_layering.py):\n" + "\n".join(new)


def test_the_allow_list_has_no_stale_entry() -> None:
    stale = sorted(ALLOWED - violations())
    assert not stale, "fixed: remove from ALLOWED in tests/test_layering.py:\n" + "\n".join(stale)


def test_the_declared_exceptions_are_documented() -> None:
    doc = (ROOT / "docs" / "architecture.md").read_text()
    missing = [m for m in sorted(DELEGATIONS) if f"`{m}`" not in doc]
    assert not missing, f"docs/architecture.md does not list the delegations {missing}"


def _write(tmp: Path, files: dict[str, str]) -> dict[str, Path]:
    out = {}
    for name, text in files.items():
        p = tmp / (name.replace(".", "/") + ".py")
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
        out[name] = p
    return out


def test_the_rules_catch_what_they_should(tmp_path: Path) -> None:
    """Each rule fires on a small hand-made module (the checks themselves can fail)."""
    global ROOT
    saved = ROOT
    ROOT = tmp_path
    try:
        files = _write(tmp_path, {
            "symconv.core._a": "from ..rendering._r import f\n",
            "symconv.core._b": ("class D:\n    def to_latex(self):\n"
                                "        from ..rendering._r import f\n        return f\n"
                                "    def other(self):\n"
                                "        from ..rendering._r import f\n        return f\n"),
            "symconv.rendering._r": ("from ..core._c import g\nfrom ..core._e import _h\n"
                                     "def f(d):\n    return d._x\n"),
            "symconv.core._c": "from ..core._e import h\ng = 1\n",
            "symconv.core._e": "from ..core._c import g\nh = 2\n",
            "symconv.core._t": ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                                "    from ..rendering._r import f\nclass V:\n"
                                "    def __init__(self):\n        self._x = 1\n"
                                "    def read(self, o):\n        return o._x\n"),
        })
        known = {module_name(p) for p in files.values()}
        ups = {(m, i.target, i.function) for m, p in files.items()
               for i in imports(m, p, known) if not i.type_only
               and layer_of(i.target) > layer_of(m)}
        assert ("symconv.core._a", "symconv.rendering._r", None) in ups
        assert ("symconv.core._b", "symconv.rendering._r", "to_latex") in ups
        assert ("symconv.core._b", "symconv.rendering._r", "other") in ups
        assert not any(m == "symconv.core._t" for m, _, _ in ups)  # type-only
        graph = {m: {i.target for i in imports(m, p, known) if i.function is None}
                 for m, p in files.items()}
        assert cycles(graph) == [["symconv.core._c", "symconv.core._e"]]
        reads = {m: [e for e, _ in private_reads(m, p)] for m, p in files.items()}
        assert reads["symconv.rendering._r"] == ["d._x"]
        assert reads["symconv.core._t"] == []  # defines _x itself
        private = [(m, i.name) for m, p in files.items() for i in imports(m, p, known)
                   if _private(i.name)]
        assert private == [("symconv.rendering._r", "_h")]
    finally:
        ROOT = saved
