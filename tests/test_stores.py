"""The disk store reopens without parsing and survives a killed rebuild; endpoints fail clearly.

Whether every store answers the catalogue alike (Oxigraph in memory and on disk, Virtuoso) is
tests/test_query_matrix.py's question.
"""

from __future__ import annotations

import http.server
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib.namespace import RDFS
from support import REPO, http_server_on_loopback, wmkg

from westminster_kg import KnowledgeGraph
from westminster_kg.errors import InputError, StoreError
from westminster_kg.project import Project
from westminster_kg.store.disk import PersistentOxigraphStore
from westminster_kg.store.endpoint import EndpointStore

# Disk stores built, rebuilt and killed mid-build, and the CLI in a subprocess: the slow tier.
pytestmark = pytest.mark.slow


# --- endpoint errors ---------------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Failing(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
        self.send_response(500)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"Virtuoso 42000 Error: the server broke\nsecond line\n")

    do_GET = do_POST  # noqa: N815

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def failing_endpoint() -> Iterator[str]:
    """A loopback HTTP server that answers every request with 500."""
    with http_server_on_loopback(_Failing) as url:
        yield url + "/sparql"


def test_a_closed_port_is_a_store_error_naming_the_url() -> None:
    url = f"http://127.0.0.1:{_closed_port()}/sparql"
    with pytest.raises(StoreError) as caught:
        EndpointStore(url, timeout=5).query("ASK {}")
    message = str(caught.value)
    assert url in message and "cannot connect" in message and "\n" not in message


def test_an_endpoint_answering_500_is_a_store_error_naming_the_url(failing_endpoint: str) -> None:
    with pytest.raises(StoreError) as caught:
        EndpointStore(failing_endpoint, timeout=5).query("SELECT * WHERE { ?s ?p ?o }")
    assert str(caught.value) == f"{failing_endpoint}: HTTP 500: Virtuoso 42000 Error: the server broke"


def test_the_cli_reports_a_down_endpoint_in_one_line_without_a_traceback(mini_root: Path) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/sparql"
    done = wmkg("--root", str(mini_root), "--endpoint", url, "query", "governments")  # in process: its message
    assert done.returncode == StoreError.exit_code
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and url in lines[0]


# --- the persistent store ----------------------------------------------------------------------


def _load_disk(root: Path, folder: Path) -> PersistentOxigraphStore:
    project = Project.open(root)
    store = PersistentOxigraphStore(folder)
    store.load(project.source_files(), project)
    return store


def test_reopening_an_unchanged_disk_store_does_not_parse_again(mini_root: Path, tmp_path: Path) -> None:
    first = _load_disk(mini_root, tmp_path / "store")
    assert first.rebuilt and first.builds == 1
    built = first.metadata
    assert built["fingerprint"] == Project.open(mini_root).fingerprint()
    del first
    second = _load_disk(mini_root, tmp_path / "store")
    assert not second.rebuilt and second.builds == 0
    assert second.metadata == built
    assert len(second) == built["quads"] > 100


def test_a_changed_graph_file_rebuilds_the_disk_store(mini_root: Path, tmp_path: Path) -> None:
    first = _load_disk(mini_root, tmp_path / "store")
    before, generation = len(first), first.generation
    del first
    extra = mini_root / "graph" / "claims" / "zz-extra.ttl"
    extra.write_text('<https://w3id.org/westminster-kg/id/x> <http://www.w3.org/2000/01/rdf-schema#label> "x" .\n')
    second = _load_disk(mini_root, tmp_path / "store")
    assert second.rebuilt
    assert second.generation != generation
    assert len(second) == before + 1


def test_a_malformed_file_leaves_the_disk_store_as_it_was(mini_root: Path, tmp_path: Path) -> None:
    first = _load_disk(mini_root, tmp_path / "store")
    before, generation = len(first), first.generation
    del first
    (mini_root / "graph" / "claims" / "zz-bad.ttl").write_text('@prefix ex: <http://ex/> .\nex:a ex:b "open .\n')
    with pytest.raises(InputError, match=r"graph/claims/zz-bad\.ttl:2"):
        _load_disk(mini_root, tmp_path / "store")
    again = PersistentOxigraphStore(tmp_path / "store")
    assert again.generation == generation and len(again) == before
    assert not list((tmp_path / "store").glob(".build-*"))


def test_the_disk_store_refuses_a_folder_holding_other_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(StoreError, match="not a wmkg store folder"):
        PersistentOxigraphStore(tmp_path)


REBUILD_SCRIPT = """
import sys
from westminster_kg.store.disk import PersistentOxigraphStore
from westminster_kg.project import Project
project = Project.open(sys.argv[1])
PersistentOxigraphStore(sys.argv[2]).load(project.source_files(), project)
"""


def test_killing_a_rebuild_leaves_the_old_disk_store_usable(mini_root: Path, tmp_path: Path) -> None:
    folder = tmp_path / "store"
    first = _load_disk(mini_root, folder)
    before, generation = len(first), first.generation
    expected = KnowledgeGraph(first, Project.open(mini_root)).query("reforms-eroding-conventions").canonical()
    del first
    # A file big enough that the rebuild is still running when it is killed.
    big = mini_root / "graph" / "claims" / "zz-big.ttl"
    label = str(RDFS.label)  # formatted once: an rdflib term formatted 400,000 times took most of a second
    big.write_text("".join(f'<https://w3id.org/westminster-kg/id/n{i}> <{label}> "n {i}" .\n' for i in range(400_000)))
    rebuild = subprocess.Popen(
        [sys.executable, "-c", REBUILD_SCRIPT, str(mini_root), str(folder)],
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
    )
    try:
        deadline = time.monotonic() + 60
        while not list(folder.glob(".build-*")):
            assert rebuild.poll() is None, "the rebuild finished before it could be killed"
            assert time.monotonic() < deadline, "no rebuild folder appeared"
            time.sleep(0.01)
        time.sleep(0.2)
        assert rebuild.poll() is None, "the rebuild finished before it could be killed"
        os.kill(rebuild.pid, signal.SIGKILL)
    finally:
        rebuild.wait(timeout=30)
    assert rebuild.returncode == -signal.SIGKILL
    survivor = PersistentOxigraphStore(folder)
    assert survivor.generation == generation and len(survivor) == before
    assert not list(folder.glob(".build-*")), "the abandoned build is cleaned up on open"
    kg = KnowledgeGraph(survivor, Project.open(mini_root))
    assert kg.query("reforms-eroding-conventions").canonical() == expected


def test_dropping_a_graph_from_the_disk_store_marks_it_for_a_rebuild(mini_root: Path, tmp_path: Path) -> None:
    store = _load_disk(mini_root, tmp_path / "store")
    before = len(store)
    store.drop_graph("https://w3id.org/westminster-kg/graph/ontology")
    assert 0 < len(store) < before
    project = Project.open(mini_root)
    assert not store.is_current(project.fingerprint())
    store.load(project.source_files(), project)
    assert store.rebuilt and len(store) == before
