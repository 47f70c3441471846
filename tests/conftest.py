"""Shared fixtures: a small project built from the real ontology, queries and article."""

from __future__ import annotations

import http.server
import json
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TESTS = Path(__file__).resolve().parent
DATA = TESTS / "data"
MODULE_SECONDS: dict[str, float] = json.loads((TESTS / "module_seconds.json").read_text(encoding="utf-8"))


def make_project(target: Path, *claim_files: Path) -> Path:
    """A project folder with the real ontology, queries and article, and the given data files."""
    for folder in ("ontology", "queries"):
        shutil.copytree(REPO / folder, target / folder)
    shutil.copytree(REPO / "graph" / "sources", target / "graph" / "sources")
    (target / "graph" / "claims").mkdir(parents=True)
    for path in claim_files:
        shutil.copy(path, target / "graph" / "claims" / path.name)
    return target


@pytest.fixture
def mini_root(tmp_path: Path) -> Path:
    """The small valid slice (tests/data/valid/slice.ttl) as a whole project."""
    return make_project(tmp_path / "mini", DATA / "valid" / "slice.ttl")


def run_wmkg(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run the real ``wmkg`` command in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "westminster_kg.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
    )


@contextmanager
def http_server_on_loopback(handler: type[http.server.BaseHTTPRequestHandler]) -> Iterator[str]:
    """A real HTTP server on a free 127.0.0.1 port, serving ``handler``; yields its base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def pool_answer(pool: object, sparql: str, *, timeout: float, max_rows: int, lane: str = "any") -> tuple:
    """``(result, truncated)`` of ``sparql`` answered by a ``QueryPool`` under these limits."""
    from westminster_kg.web.jobs import Limits, QueryJob

    answer = pool.run(QueryJob(sparql, limits=Limits(timeout=timeout, max_rows=max_rows)), lane=lane)  # type: ignore[attr-defined]
    return answer.result(), answer.truncated


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
