"""Every store answers the whole catalogue alike; the disk store reopens without parsing; endpoints fail clearly.

The Virtuoso tests run against a real ``virtuoso-t`` started once for the session on loopback
(scripts/virtuoso.sh); they are skipped only when Virtuoso is not installed.
"""

from __future__ import annotations

import http.server
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import BNode
from rdflib.namespace import RDFS, XSD
from support import REPO, http_server_on_loopback, run_wmkg

from westminster_kg import KnowledgeGraph
from westminster_kg.errors import InputError, StoreError
from westminster_kg.project import Project
from westminster_kg.store.disk import PersistentOxigraphStore
from westminster_kg.store.endpoint import EndpointStore

VIRTUOSO_SCRIPT = REPO / "scripts" / "virtuoso.sh"


# Where Virtuoso 7.2 answers differently from rdflib and Oxigraph, and the normalisation that
# shows the rest of the answer is the same. Applied to both sides, so a query rewritten to avoid
# the quirk still passes.
# Every catalogue query on three stores and on Virtuoso: the slow tier.
pytestmark = pytest.mark.slow


def _boolean_columns_as_integers(variables: list[str], row: tuple[str, ...]) -> tuple[str, ...]:
    # Virtuoso returns the value of a comparison (BIND(?a = ?b AS ?ok)) as xsd:integer 1/0.
    true, false = f'"true"^^<{XSD.boolean}>', f'"false"^^<{XSD.boolean}>'
    one, zero = f'"1"^^<{XSD.integer}>', f'"0"^^<{XSD.integer}>'
    return tuple(one if cell == true else zero if cell == false else cell for cell in row)


def _without_column(name: str):  # noqa: ANN202 - a small factory of normalisers
    def drop(variables: list[str], row: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(cell for variable, cell in zip(variables, row, strict=True) if variable != name)

    return drop


VIRTUOSO_DIFFERENCES = {
    "table-2-totals-check": (
        "a comparison's value comes back as xsd:integer 1/0, not xsd:boolean; and integer / integer "
        "truncates (453 / 17 = 26) where SPARQL gives a decimal (26.6…, rounded to 27)",
        lambda variables, row: _without_column("recomputedAverage")(
            variables, _boolean_columns_as_integers(variables, row)
        ),
    ),
    "special-advisers": (
        "an OPTIONAL whose FILTER NOT EXISTS refers to a variable bound outside it stays unbound "
        "on Virtuoso, so the computed ?increase is empty",
        _without_column("increase"),
    ),
}

# Virtuoso 7.2 bugs that lose rows; the test checks that every row it does give is right.
VIRTUOSO_LOSES_ROWS = {
    "model-conventions": (
        "a FILTER EXISTS holding a property path (rdfs:subClassOf*) joined with more patterns drops "
        "rows, depending on the plan (a fresh database gave 2 of 29)"
    ),
}


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def project_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the real project, so every store in a test sees the same files."""
    root = tmp_path_factory.mktemp("snapshot")
    for folder in ("ontology", "graph", "queries", "imports"):
        if (REPO / folder).is_dir():
            shutil.copytree(REPO / folder, root / folder)
    return root


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A real Virtuoso on free loopback ports for the whole session; its URLs."""
    if shutil.which("virtuoso-t") is None:
        pytest.skip("virtuoso-t is not installed (apt-get install virtuoso-opensource-7; scripts/test.sh does)")
    folder = tmp_path_factory.mktemp("virtuoso")
    started = subprocess.run(
        ["bash", str(VIRTUOSO_SCRIPT), "start", str(folder)], capture_output=True, text=True, timeout=90
    )
    assert started.returncode == 0, started.stderr
    urls = dict(line.split("=", 1) for line in started.stdout.split())
    try:
        yield urls
    finally:
        subprocess.run(["bash", str(VIRTUOSO_SCRIPT), "stop", str(folder)], capture_output=True, timeout=60)


@pytest.fixture(scope="session")
def virtuoso_kg(virtuoso: dict[str, str], project_snapshot: Path) -> KnowledgeGraph:
    """The snapshot loaded into Virtuoso through SPARQL Update (digest auth, as Virtuoso asks)."""
    update = virtuoso["VIRTUOSO_UPDATE"].replace("http://", "http://dba:dba@")
    return KnowledgeGraph.load(project_snapshot, endpoint=virtuoso["VIRTUOSO_SPARQL"], update_endpoint=update)


@pytest.fixture(scope="session")
def reference_kg(project_snapshot: Path) -> KnowledgeGraph:
    """Oxigraph in memory: the reference every other store must match (test_queries.py shows that
    rdflib's memory store gives the same answer to every catalogue query)."""
    return KnowledgeGraph.load(project_snapshot)


@pytest.fixture(scope="session")
def disk_kg(project_snapshot: Path, tmp_path_factory: pytest.TempPathFactory) -> KnowledgeGraph:
    """Oxigraph on disk."""
    return KnowledgeGraph.load(project_snapshot, store_dir=tmp_path_factory.mktemp("disk") / "store")


def catalogue_names() -> list[str]:
    return sorted(KnowledgeGraph(None, Project.open(REPO)).catalogue)  # type: ignore[arg-type]


# --- the whole catalogue on every store --------------------------------------------------------


@pytest.mark.parametrize("name", catalogue_names())
def test_every_catalogue_query_answers_the_same_on_the_disk_store(
    name: str, reference_kg: KnowledgeGraph, disk_kg: KnowledgeGraph
) -> None:
    params = reference_kg.named_query(name).example_parameters()
    assert disk_kg.query(name, **params).canonical() == reference_kg.query(name, **params).canonical()


def test_the_stores_hold_the_same_number_of_quads(
    project_snapshot: Path, reference_kg: KnowledgeGraph, disk_kg: KnowledgeGraph
) -> None:
    rdflib_memory = KnowledgeGraph.load(project_snapshot, backend="memory")
    assert len(disk_kg.store) == len(reference_kg.store) == len(rdflib_memory.store)


@pytest.mark.virtuoso
@pytest.mark.parametrize("name", catalogue_names())
def test_every_catalogue_query_answers_the_same_on_virtuoso(
    name: str, reference_kg: KnowledgeGraph, virtuoso_kg: KnowledgeGraph
) -> None:
    params = reference_kg.named_query(name).example_parameters()
    expected = reference_kg.query(name, **params)
    got = virtuoso_kg.query(name, **params)
    assert got.variables == expected.variables
    if name in VIRTUOSO_LOSES_ROWS:
        assert set(got.canonical()) <= set(expected.canonical()), VIRTUOSO_LOSES_ROWS[name]
    elif name in VIRTUOSO_DIFFERENCES:
        _why, normalise = VIRTUOSO_DIFFERENCES[name]
        assert sorted(normalise(got.variables, r) for r in got.canonical()) == sorted(
            normalise(expected.variables, r) for r in expected.canonical()
        )
    else:
        assert got.canonical() == expected.canonical()


@pytest.mark.virtuoso
def test_virtuoso_holds_exactly_our_quads_in_our_named_graphs(
    reference_kg: KnowledgeGraph, virtuoso_kg: KnowledgeGraph
) -> None:
    # Virtuoso's union default graph also holds its own system graphs: len() counts only ours.
    assert len(virtuoso_kg.store) == len(reference_kg.store)
    graphs = virtuoso_kg.store.graphs()  # type: ignore[attr-defined]
    assert "https://w3id.org/westminster-kg/graph/article" in graphs
    assert not virtuoso_kg.store.graphs("urn:x-wmkg:staging:")  # type: ignore[attr-defined]


@pytest.mark.virtuoso
def test_a_load_through_the_graph_store_protocol_gives_the_same_graph(
    virtuoso: dict[str, str],
    project_snapshot: Path,
    reference_kg: KnowledgeGraph,
    virtuoso_kg: KnowledgeGraph,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Small chunks, so evidence nodes' blank nodes must be kept together across requests.
    monkeypatch.setattr("westminster_kg.store.endpoint.GSP_CHUNK_TRIPLES", 500)
    store = EndpointStore(
        virtuoso["VIRTUOSO_SPARQL"],
        virtuoso["VIRTUOSO_UPDATE"],
        graph_store_url=virtuoso["VIRTUOSO_GSP"],
        auth=("dba", "dba"),
        timeout=120,
    )
    project = Project.open(project_snapshot)
    store.load(project.source_files(), project)
    assert len(store) == len(reference_kg.store)
    assert len(list(store.quads())) == len(reference_kg.store)  # read back through the same protocol
    for name in ("reforms-eroding-conventions", "entity"):
        params = reference_kg.named_query(name).example_parameters()
        assert virtuoso_kg.query(name, **params).canonical() == reference_kg.query(name, **params).canonical()


@pytest.mark.virtuoso
def test_the_quads_read_back_from_virtuoso_page_by_page_are_the_quads_loaded(
    reference_kg: KnowledgeGraph, virtuoso_kg: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("westminster_kg.store.endpoint.PAGE_ROWS", 4000)

    def without_blank_nodes(quads: object) -> set[tuple[object, ...]]:
        return {q for q in quads if not any(isinstance(t, BNode) for t in q)}  # type: ignore[attr-defined]

    got = list(virtuoso_kg.store.quads())
    assert len(got) == len(reference_kg.store)
    assert without_blank_nodes(got) == without_blank_nodes(reference_kg.store.quads())


@pytest.mark.virtuoso
def test_a_malformed_file_is_named_before_anything_reaches_the_endpoint(
    virtuoso: dict[str, str],
    project_snapshot: Path,
    tmp_path: Path,
    reference_kg: KnowledgeGraph,
    virtuoso_kg: KnowledgeGraph,
) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(project_snapshot, broken)
    (broken / "graph" / "claims" / "zz-bad.ttl").write_text('@prefix ex: <http://ex/> .\nex:a ex:b "open .\n')
    store = EndpointStore(virtuoso["VIRTUOSO_SPARQL"], virtuoso["VIRTUOSO_UPDATE"], auth=("dba", "dba"))
    project = Project.open(broken)
    with pytest.raises(InputError, match=r"graph/claims/zz-bad\.ttl:2"):
        store.load(project.source_files(), project)
    assert len(store) == len(reference_kg.store)


@pytest.mark.virtuoso
def test_the_cli_queries_virtuoso_end_to_end(
    virtuoso: dict[str, str], project_snapshot: Path, reference_kg: KnowledgeGraph, virtuoso_kg: KnowledgeGraph
) -> None:
    done = run_wmkg(
        "--root",
        str(project_snapshot),
        "--endpoint",
        virtuoso["VIRTUOSO_SPARQL"],
        "query",
        "continuity-paradox",
        "--format",
        "sparql-csv",  # the SPARQL 1.1 CSV (plain csv adds label columns for spreadsheets)
    )
    assert done.returncode == 0, done.stderr
    expected = reference_kg.query("continuity-paradox").serialize("csv")
    assert sorted(done.stdout.splitlines()) == sorted(expected.splitlines())


@pytest.mark.virtuoso
def test_the_cli_loads_virtuoso_through_the_update_endpoint_replacing_what_was_there(
    virtuoso: dict[str, str], project_snapshot: Path, reference_kg: KnowledgeGraph, virtuoso_kg: KnowledgeGraph
) -> None:
    # virtuoso_kg has loaded the same files already: a second load replaces them instead of adding.
    update = virtuoso["VIRTUOSO_UPDATE"].replace("http://", "http://dba:dba@")
    done = run_wmkg(
        "--root",
        str(project_snapshot),
        "--endpoint",
        virtuoso["VIRTUOSO_SPARQL"],
        "--update-endpoint",
        update,
        "stats",
    )
    assert done.returncode == 0, done.stderr
    assert f"quads: {len(reference_kg.store)}" in done.stdout
    assert len(virtuoso_kg.store) == len(reference_kg.store)
    name = "reforms-eroding-conventions"
    assert virtuoso_kg.query(name).canonical() == reference_kg.query(name).canonical()


@pytest.mark.virtuoso
def test_an_update_sent_as_a_query_to_virtuoso_is_refused(virtuoso_kg: KnowledgeGraph) -> None:
    from westminster_kg.errors import QueryError

    with pytest.raises(QueryError, match="updates are refused"):
        virtuoso_kg.run("DELETE WHERE { ?s ?p ?o }")


@pytest.mark.virtuoso
def test_loading_without_credentials_fails_naming_the_update_url(
    virtuoso: dict[str, str], project_snapshot: Path
) -> None:
    with pytest.raises(StoreError) as caught:
        KnowledgeGraph.load(
            project_snapshot, endpoint=virtuoso["VIRTUOSO_SPARQL"], update_endpoint=virtuoso["VIRTUOSO_UPDATE"]
        )
    assert virtuoso["VIRTUOSO_UPDATE"] in str(caught.value)
    assert "401" in str(caught.value)


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
    done = run_wmkg("--root", str(mini_root), "--endpoint", url, "query", "governments")
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
    with big.open("w") as out:
        for i in range(400_000):
            out.write(f'<https://w3id.org/westminster-kg/id/n{i}> <{RDFS.label}> "n {i}" .\n')
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
