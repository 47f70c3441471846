"""The package's shape: modules of at most 600 lines, functions of at most 80, imports that flow one way, no cycles.

Every module under ``src/westminster_kg`` is parsed with ``ast`` by ``scripts/module_graph.py``;
every import counts, including those inside functions (a lazy import is still a dependency), except
those under ``if TYPE_CHECKING:``, which never run. docs/architecture.md carries the same graph.
"""

from __future__ import annotations

import ast
import re
import sys
from functools import cache
from pathlib import Path

import networkx as nx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

import module_graph as scan  # noqa: E402 - the scripts folder is not a package
from module_graph import DOC, generated_part, imports_of, layer_of, short  # noqa: E402

# The package is parsed once per run, not once per test: the graph and the file list do not change
# while the tests run. markdown() scans on its own, so the doc test still sees the files as they are.
module_graph = cache(scan.module_graph)
modules = cache(scan.modules)
markdown = scan.markdown

MAX_LINES = 600
MAX_FUNCTION_LINES = 80


def test_the_scan_sees_function_level_imports_and_skips_type_checking(tmp_path: Path) -> None:
    source = tmp_path / "mod.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "from westminster_kg.errors import X\n"
        "if TYPE_CHECKING:\n    from westminster_kg.cli import Y\n"
        "def f():\n    from westminster_kg import store\n    import westminster_kg.web\n"
        "    from .turtle import canonical_turtle\n",
        encoding="utf-8",
    )
    known = {f"westminster_kg.{m}" for m in ("errors", "cli", "store", "web", "turtle")} | {"westminster_kg"}
    assert imports_of("westminster_kg.mod", source, known) == {
        "westminster_kg.errors",
        "westminster_kg.store",
        "westminster_kg.web",
        "westminster_kg.turtle",
    }


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_the_scan_sees_the_real_packages_lazy_imports() -> None:
    graph = module_graph()
    # cli's commands import these only inside their functions (start-up speed): still dependencies.
    cli = [m for m in graph if m == "westminster_kg.cli" or m.startswith("westminster_kg.cli.")]
    imported = {target for module in cli for target in graph.successors(module)}
    assert {"westminster_kg.web", "westminster_kg.link", "westminster_kg.validate"} <= imported


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_no_import_cycles() -> None:
    cycles = list(nx.simple_cycles(module_graph()))
    assert not cycles, "import cycles: " + "; ".join(" -> ".join([*c, c[0]]) for c in cycles)


def test_lower_layers_never_import_higher_ones() -> None:
    upward = [f"{a} -> {b}" for a, b in sorted(module_graph().edges) if layer_of(b) < layer_of(a)]
    assert not upward, "imports against the layering: " + ", ".join(upward)


def test_store_imports_neither_its_backends_nor_the_catalogue() -> None:
    imported = set(module_graph().successors("westminster_kg.store"))
    assert not {m for m in imported if m.startswith("westminster_kg.store.") or m == "westminster_kg.catalogue"}


def test_nothing_below_the_api_imports_the_catalogue_users_above_it() -> None:
    graph = module_graph()
    for low in ("westminster_kg.store", "westminster_kg.catalogue", "westminster_kg.evidence"):
        above = {m for m in nx.descendants(graph, low) if layer_of(m) <= layer_of("westminster_kg.knowledge_graph")}
        assert not above, f"{low} reaches {above}"


def test_no_module_is_over_600_lines() -> None:
    sizes = {name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in modules().items()}
    over = {name: lines for name, lines in sizes.items() if lines > MAX_LINES}
    assert not over, f"over {MAX_LINES} lines (split by job): {over}"


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_no_function_is_over_80_lines() -> None:
    # From the def line (decorators aside) to the last line of the body; nested functions count on
    # their own and inside the function that holds them.
    over = sorted(
        f"{short(name)}.{node.name} ({node.end_lineno - node.lineno + 1} lines, line {node.lineno})"
        for name, path in modules().items()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and (node.end_lineno or node.lineno) - node.lineno + 1 > MAX_FUNCTION_LINES
    )
    assert not over, f"functions over {MAX_FUNCTION_LINES} lines (split by what each part does): " + ", ".join(over)


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
@pytest.mark.docs
def test_architecture_doc_shows_the_graph_as_it_is() -> None:
    assert generated_part(DOC.read_text(encoding="utf-8")) == markdown(), (
        "docs/architecture.md is out of date: run python scripts/module_graph.py --write"
    )


@pytest.mark.docs
def test_architecture_doc_names_every_module() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [short(m) for m in modules() if f"`{short(m)}`" not in text]
    assert not missing, missing


# --- values travel as terms, never as query text (westminster_kg.bound, sparql_text.bind) -----------

SPARQL_KEYWORDS = re.compile(
    r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE|WHERE|INSERT|DELETE|VALUES|FILTER|PREFIX|GRAPH|UNION|OPTIONAL|BIND|SERVICE)\b"
)
SPARQL_MARKS = re.compile(r"[{?<$]")  # a group, a variable or an IRI: query text, not a message about queries
BINDER = "westminster_kg.sparql_text"  # bind() and fill(): the one place values are written into SPARQL


def _constant_text(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def sparql_built_from_values(path: Path) -> list[int]:
    """Lines of ``path`` where SPARQL text is made from runtime values: an f-string, ``.format()``, ``%``
    or ``+`` whose constant text holds a SPARQL keyword and a group, variable or IRI."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        texts: list[str] = []
        if isinstance(node, ast.JoinedStr):
            texts.append("".join(_constant_text(v) or "" for v in node.values))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
            texts.append(_constant_text(node.func.value) or "")
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
            texts += [_constant_text(side) or "" for side in (node.left, node.right)]
        if any(SPARQL_KEYWORDS.search(t) and SPARQL_MARKS.search(t) for t in texts):
            found.append(node.lineno)
    return sorted(set(found))


def test_the_scan_finds_sparql_built_from_values(tmp_path: Path) -> None:
    source = tmp_path / "mod.py"
    source.write_text(
        "iri = 'x'\n"
        "a = f'SELECT ?s WHERE {{ <{iri}> ?p ?s }}'\n"
        "b = 'ASK {{ {} ?p ?o }}'.format(iri)\n"
        "c = 'SELECT * WHERE { ?s ?p %s }' % iri\n"
        "d = 'DESCRIBE <' + iri + '>'\n"
        "e = f'a SELECT result is {iri}, not a graph'\n"  # a message about queries: no group, variable or IRI
        "f = 'SELECT ?s WHERE { ?s ?p ?o }'\n",  # constant text: nothing built
        encoding="utf-8",
    )
    assert sparql_built_from_values(source) == [2, 3, 4, 5]


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_no_sparql_text_is_built_from_values_outside_the_binder() -> None:
    built = {
        f"{short(name)}:{line}"
        for name, path in modules().items()
        if name != BINDER
        for line in sparql_built_from_values(path)
    }
    assert not built, "SPARQL text built from values (bind them as terms: westminster_kg.bound): " + ", ".join(
        sorted(built)
    )


def _query_calls(path: Path) -> list[str]:
    """``X.store.query(...)``, ``kg.query/run/label(...)``: a query answered in the calling process."""
    calls = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        chain = ast.unparse(node.func.value)
        if (node.func.attr == "query" and chain.endswith("store")) or (
            chain.endswith("kg") and node.func.attr in ("query", "run", "label")
        ):
            calls.append(f"{path.name}:{node.lineno} {ast.unparse(node.func)}")
    return calls


def test_web_handlers_ask_the_query_workers_not_the_store() -> None:
    # Every query a request shapes runs in the time-limited, network-less workers (WebBase.ask), never in
    # the server process; only the worker itself queries its store.
    web = [p for n, p in modules().items() if n.startswith("westminster_kg.web.") and n != "westminster_kg.web.worker"]
    calls = [call for path in web for call in _query_calls(path)]
    assert not calls, calls
