"""The house's shape, read from the code's own imports (every import, those inside functions too):
data flows files → Atlas → View → (the user's uploads) → map → outputs → ui, and nothing imports upward; no
module imports itself round a circle; only ``ui/`` imports Streamlit."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "strategic_sites"

# Lowest first: a subpackage may import its own modules and those of the subpackages before it.
ORDER = ["core", "data", "view", "uploads", "map", "outputs", "api", "ui"]


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_package(module: str) -> bool:
    return (PACKAGE.parent / module.replace(".", "/") / "__init__.py").exists()


MODULES = {module_name(path) for path in PACKAGE.rglob("*.py")}


def imports_of(path: Path) -> set[str]:
    """The modules a file imports: ``from a.b import c`` names ``a.b.c`` when that is a module
    of the atlas, else ``a.b``."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                inner = f"{node.module}.{alias.name}"
                found.add(inner if inner in MODULES else node.module)
    return found


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    files = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    return {name: {m for m in imports_of(path) if m in files and m != name} | _outside(path) for name, path in files.items()}


def _outside(path: Path) -> set[str]:
    return {m for m in imports_of(path) if m.split(".")[0] == "streamlit"}


def subpackage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[0] == "strategic_sites" else None


def test_every_module_lives_in_a_subpackage_of_the_flow(graph):
    loose = sorted(m for m in graph if m.count(".") == 1 and not is_package(m) and m != "strategic_sites.__main__")
    assert loose == [], f"modules outside the subpackages {ORDER}: {loose}"
    assert {subpackage(m) for m in graph if subpackage(m)} <= set(ORDER)


def test_nothing_imports_upward(graph):
    upward = []
    for module, imported in graph.items():
        here = subpackage(module)
        for other in imported:
            there = subpackage(other)
            if here and there and ORDER.index(there) > ORDER.index(here):
                upward.append(f"{module} → {other}")
    assert upward == [], "imports against the flow " + " → ".join(ORDER) + ":\n" + "\n".join(sorted(upward))


def test_no_import_circles(graph):
    inner = {m: {o for o in deps if o in graph} for m, deps in graph.items()}
    # Tarjan's strongly connected components: any with more than one module is a circle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in inner[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in sorted(inner):
        if node not in index:
            visit(node)
    assert circles == [], f"modules that import one another round a circle: {circles}"


def test_only_the_ui_imports_streamlit(graph):
    outside = sorted(m for m, deps in graph.items() if subpackage(m) != "ui" and any(d.startswith("streamlit") for d in deps))
    assert outside == [], f"Streamlit imported outside ui/: {outside}"


def test_the_graph_sees_imports_inside_functions(tmp_path):
    """The reader finds an import made inside a function (how circles hide)."""
    source = tmp_path / "m.py"
    source.write_text("def f():\n    from strategic_sites.ui import sidebar\n    import streamlit as st\n")
    assert {"strategic_sites.ui.sidebar", "streamlit"} <= imports_of(source)
