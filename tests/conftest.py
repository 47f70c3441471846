"""Shared fixtures: a small project built from the real ontology, queries and article."""

from __future__ import annotations

import http.server
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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Chromium and Virtuoso tests belong to the slow tier.

    Under pytest-xdist scripts/test.sh runs ``--dist loadfile``: every module on one worker, so a
    module's costly fixture (a server, Chromium, Virtuoso, a loaded store) is built once. (Not
    ``loadgroup``: with pytest 9.2 its ``xdist_group`` marks are silently ignored,
    pytest-dev/pytest-xdist#1386, and Virtuoso was started on both workers.)
    """
    for item in items:
        if item.get_closest_marker("browser") or item.get_closest_marker("virtuoso"):
            item.add_marker(pytest.mark.slow)
