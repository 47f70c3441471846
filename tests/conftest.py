"""Shared fixtures; the helpers themselves live in tests/support (imported as ``support``)."""

from __future__ import annotations

import ast
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.project import DATA, REPO, TESTS, make_project

MODULE_SECONDS: dict[str, float] = json.loads((TESTS / "module_seconds.json").read_text(encoding="utf-8"))


@pytest.fixture
def mini_root(tmp_path: Path) -> Path:
    """The small valid slice (tests/data/valid/slice.ttl) as a whole project."""
    return make_project(tmp_path / "mini", DATA / "valid" / "slice.ttl")


@pytest.fixture(scope="module")
def shared_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small valid slice as a project, made once per module for its refused imports."""
    return make_project(tmp_path_factory.mktemp("shared") / "mini", DATA / "valid" / "slice.ttl")


@pytest.fixture
def refusing_root(shared_root: Path) -> Iterator[Path]:
    """The module's project for a test whose import is refused: found with nothing imported, left so."""
    assert not (shared_root / "imports").exists()
    yield shared_root
    shutil.rmtree(shared_root / "imports", ignore_errors=True)  # a wrongly accepted import fails only its test


@pytest.fixture(scope="session")
def real_app() -> Iterator[Any]:
    """The web app over the repository's own graph, answered in this process (support.app), shared by
    every module of a run that asks for it: its workers start once. Limits as ``wmkg serve``'s, but a
    generous time limit (a busy machine) and no reloading (nothing changes the checkout's files)."""
    from support.app import app_in_process

    from westminster_kg import KnowledgeGraph
    from westminster_kg.web import Settings

    with app_in_process(KnowledgeGraph.load(REPO), Settings(workers=1, query_timeout=30, reload_interval=0)) as app:
        yield app


@pytest.fixture(scope="session")
def real_server(real_app: Any) -> Iterator[Any]:
    """The run's ``real_app`` also on a loopback port (support.app.on_loopback), for Chromium: the pages,
    the response cache and the downloads' dumps are made once for both."""
    from support.app import on_loopback

    with on_loopback(real_app) as server:
        yield server


@pytest.fixture(scope="session")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The hostile graph (tests/data/hostile/hostile.ttl: markup and script in every label and quote) served
    on a loopback port for the whole run, for Chromium to show."""
    from support.servers import start_server

    from westminster_kg import KnowledgeGraph
    from westminster_kg.web import Settings

    root = make_project(tmp_path_factory.mktemp("hostile") / "h", DATA / "hostile" / "hostile.ttl")
    yield from start_server(KnowledgeGraph.load(root), Settings(workers=1, reload_interval=0))


@pytest.fixture(scope="session")
def oracle() -> Any:
    """The surface oracle (support.oracle) over rdflib's reference store of the repository's graph."""
    from support.oracle import Oracle

    from westminster_kg import KnowledgeGraph

    return Oracle(KnowledgeGraph.load(REPO, backend="memory"))


@pytest.fixture(scope="session")
def project_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository's project, so every store of a run is built from the same files."""
    import shutil

    root = tmp_path_factory.mktemp("snapshot")
    for folder in ("ontology", "graph", "queries", "imports"):
        if (REPO / folder).is_dir():
            shutil.copytree(REPO / folder, root / folder)
    return root


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A real Virtuoso on free loopback ports for the whole run (support.virtuoso); its URLs."""
    from support.virtuoso import running_virtuoso

    with running_virtuoso(tmp_path_factory.mktemp("virtuoso")) as urls:
        yield urls


@pytest.fixture(scope="session")
def virtuoso_kg(virtuoso: dict[str, str], project_snapshot: Path) -> Any:
    """The snapshot loaded into the run's Virtuoso once, through the Graph Store Protocol (digest auth,
    as Virtuoso asks), then asked read-only through its query endpoint. Loading through SPARQL Update
    cost Virtuoso 9 s of CPU and half a minute here (its SPARQL compiler takes 1,000 triples a request);
    tests/test_query_matrix.py loads the small slice through SPARQL Update, in chunks small enough to
    split blank nodes' groups. Tests must not load anything else into it: tests of loading start a
    scratch Virtuoso."""
    from support.virtuoso import graph_store_client

    from westminster_kg import KnowledgeGraph
    from westminster_kg.project import Project

    store = graph_store_client(virtuoso)
    project = Project.open(project_snapshot)
    store.load(project.source_files(), project)
    return KnowledgeGraph.load(project_snapshot, endpoint=virtuoso["VIRTUOSO_SPARQL"])


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's headless Chromium, launched once per run (support.browser); each test opens its own context."""
    from support.browser import launch_chromium

    with launch_chromium() as chromium:
        yield chromium


@pytest.fixture(scope="session")
def shared_page(browser: Any) -> Iterator[Any]:
    """One page of the run's Chromium whose requests off this machine are aborted (support.browser.OfflinePage),
    for tests to take in turn through ``support.browser.borrowed`` (blank, at their size, nothing recorded)."""
    from support.browser import OfflinePage

    page = OfflinePage(browser, accept_downloads=True)
    yield page
    page.context.close()


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """The fast tier (``-m "not slow"``) does not import the modules whose every test is slow.

    Importing a module runs its imports and pytest's assertion rewriting (about a second for the 24
    such modules) only to deselect all of it. A module is all slow when its module-level ``pytestmark``
    names ``pytest.mark.slow`` itself; any other mark expression collects every module as usual.
    """
    if config.option.markexpr.strip() != "not slow" or not collection_path.name.startswith("test_"):
        return None
    if collection_path.suffix != ".py":
        return None
    return True if _marked_slow_as_a_whole(collection_path) else None


def _marked_slow_as_a_whole(path: Path) -> bool:
    for statement in ast.parse(path.read_text(encoding="utf-8")).body:
        targets = statement.targets if isinstance(statement, ast.Assign) else []
        if any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in targets):
            return any(ast.unparse(node) == "pytest.mark.slow" for node in ast.walk(statement.value))
    return False


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Chromium and Virtuoso tests belong to the slow tier; the longest modules run first.

    Under pytest-xdist scripts/test.sh runs ``--dist loadfile --no-loadscope-reorder``: every module
    on one worker (so a module's costly fixture, a server, Chromium, Virtuoso or a loaded store, is
    built once), in this order, longest first by tests/module_seconds.json (scripts/module_seconds.py),
    so no long module starts last on one worker while the other has finished. (Not ``loadgroup``:
    with pytest 9.2 its ``xdist_group`` marks are silently ignored, pytest-dev/pytest-xdist#1386.)
    """
    for item in items:
        if item.get_closest_marker("browser") or item.get_closest_marker("virtuoso"):
            item.add_marker(pytest.mark.slow)
    items.sort(key=lambda item: -MODULE_SECONDS.get(item.path.name, 0.0))  # stable: a module stays together
