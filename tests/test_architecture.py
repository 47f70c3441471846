"""The package's shape: modules of at most 600 lines, imports that flow one way, no cycles.

Every module under ``src/westminster_kg`` is parsed with ``ast``; every import counts, including
those inside functions (a lazy import is still a dependency), except those under
``if TYPE_CHECKING:``, which never run.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "westminster_kg"
ROOT = "westminster_kg"
MAX_LINES = 600

# High to low: a module may import its own layer (without a cycle) or any layer below it.
LAYERS: list[set[str]] = [
    {"cli"},
    {"web", "link", "view", "network"},
    {"knowledge_graph", ROOT},
    {"validate", "evidence"},
    {"catalogue"},
    {"store"},
    {"project", "namespaces", "vocab", "errors", "turtle", "sparql_text", "internal_queries"},
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that ``name`` imports anywhere, outside ``if TYPE_CHECKING:`` blocks."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                # ``from package import module`` imports the module; ``from module import name`` the module.
                submodule = f"{base}.{alias.name}"
                found.add(submodule if submodule in known else base)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
    return {m for m in found if m in known and m != name}


def module_graph() -> nx.DiGraph:
    """Modules of the package as nodes, an edge from each module to each module it imports."""
    found = modules()
    graph = nx.DiGraph()
    graph.add_nodes_from(found)
    for name, path in found.items():
        for target in imports_of(name, path, set(found)):
            graph.add_edge(name, target)
    return graph


def layer_of(module: str) -> int:
    parts = module.split(".")
    key = parts[1] if len(parts) > 1 else ROOT
    for index, members in enumerate(LAYERS):
        if key in members:
            return index
    raise AssertionError(f"{module} is in no layer: add it to LAYERS in tests/test_architecture.py")


def test_the_scan_sees_function_level_imports_and_skips_type_checking(tmp_path: Path) -> None:
    source = tmp_path / "westminster_kg" / "mod.py"
    source.parent.mkdir()
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "from westminster_kg.errors import X\n"
        "if TYPE_CHECKING:\n    from westminster_kg.cli import Y\n"
        "def f():\n    from westminster_kg import store\n    import westminster_kg.web\n",
        encoding="utf-8",
    )
    known = {
        "westminster_kg",
        "westminster_kg.errors",
        "westminster_kg.cli",
        "westminster_kg.store",
        "westminster_kg.web",
    }
    assert imports_of("westminster_kg.mod", source, known) == {
        "westminster_kg.errors",
        "westminster_kg.store",
        "westminster_kg.web",
    }


def test_no_import_cycles() -> None:
    graph = module_graph()
    cycles = list(nx.simple_cycles(graph))
    assert not cycles, "import cycles: " + "; ".join(" -> ".join([*c, c[0]]) for c in cycles)


def test_lower_layers_never_import_higher_ones() -> None:
    upward = [f"{a} -> {b}" for a, b in sorted(module_graph().edges) if layer_of(b) < layer_of(a)]
    assert not upward, "imports against the layering: " + ", ".join(upward)


def test_store_imports_none_of_its_backends() -> None:
    graph = module_graph()
    assert not [m for m in graph.successors("westminster_kg.store") if m.startswith("westminster_kg.store.")]


@pytest.mark.parametrize("name", sorted(modules()))
def test_module_size(name: str) -> None:
    lines = len(modules()[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines (at most {MAX_LINES}): split it by job"
