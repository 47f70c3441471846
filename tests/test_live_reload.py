"""A running ``wmkg serve`` sees ``wmkg import``, ``--drop`` and file edits without a restart, atomically."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import DATA, RunningServer, make_project, start_server, wmkg

from westminster_kg import KnowledgeGraph
from westminster_kg.namespaces import GRAPH_IMPORT
from westminster_kg.web import Settings

pytestmark = pytest.mark.slow  # a real server on loopback, reloading while it is queried
ROWS = 40  # triples in the import: a query must see all of them or none
VERSIONS = 30  # rewrites of an import, one every 0.1 s, in the storm
COUNT = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH_IMPORT}extra> {{ ?s ?p ?o }} }}"


def _import_file(folder: Path) -> Path:
    lines = ["@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> ."]
    lines += [f'<https://example.org/unit/{i}> rdfs:label "Zanzibar unit {i}" .' for i in range(ROWS - 1)]
    lines.append('<https://example.org/unit/hq> rdfs:label "Zanzibar headquarters" .')
    path = folder / "extra.ttl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[RunningServer, Path]]:
    root = make_project(tmp_path / "mini", DATA / "valid" / "slice.ttl")
    settings = Settings(workers=1, query_timeout=30, reload_interval=0.2)
    for server in start_server(KnowledgeGraph.load(root), settings):
        yield server, root


def _count(server: RunningServer) -> int:
    response = server.get("/sparql", params={"query": COUNT})  # one TLS context for all (support.servers.TLS)
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def _wait_for(server: RunningServer, wanted: int) -> None:
    # A liveness bound, not a speed test: the reload only has to happen.
    deadline = time.monotonic() + 180
    while _count(server) != wanted:
        assert time.monotonic() < deadline, f"the server never saw {wanted} triples"
        time.sleep(0.2)


def test_an_import_and_a_drop_go_live_atomically_while_queries_run(live: tuple[RunningServer, Path]) -> None:
    server, root = live
    assert _count(server) == 0
    seen: list[int] = []
    errors: list[str] = []
    stop = threading.Event()

    def hammer() -> None:
        while not stop.is_set():
            try:
                seen.append(_count(server))
            except AssertionError as exc:  # a failed request is recorded, never swallowed
                errors.append(str(exc))

    thread = threading.Thread(target=hammer, daemon=True)
    thread.start()
    try:
        # `wmkg import` in this process (support.cli): it writes the project's files as the command does,
        # and the server only ever sees those files.
        done = wmkg("--root", str(root), "import", str(_import_file(root.parent)), "--graph", "extra")
        assert done.returncode == 0, done.stderr
        _wait_for(server, ROWS)
        # The label index is new too: a name from the import now resolves in /api/queries.
        entity = server.get("/api/queries/entity", params={"entity": "Zanzibar headquarters"})
        assert entity.status_code == 200, entity.text
        dropped = wmkg("--root", str(root), "import", "--drop", "extra")
        assert dropped.returncode == 0, dropped.stderr
        _wait_for(server, 0)
    finally:
        stop.set()
        thread.join(60)
    assert not errors
    assert set(seen) <= {0, ROWS}, sorted(set(seen))


def test_the_rendered_pages_follow_an_import(live: tuple[RunningServer, Path]) -> None:
    # /download (and /, /timeline, /article, /ontology) are rendered once per data, not once per app.
    server, root = live
    before = server.get("/download", timeout=120)
    assert before.status_code == 200
    done = wmkg("--root", str(root), "import", str(_import_file(root.parent)), "--graph", "extra")
    assert done.returncode == 0, done.stderr
    _wait_for(server, ROWS)
    after = server.get("/download", timeout=120)
    assert after.status_code == 200 and after.text != before.text


def test_a_file_that_does_not_parse_leaves_the_old_data_serving(live: tuple[RunningServer, Path]) -> None:
    server, root = live
    before = server.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"}).json()
    broken = root / "graph" / "claims" / "half-written.ttl"
    broken.write_text("@prefix wm: <https://w3id.org/westminster-kg/ontology#> .\nwm:x wm:y ", encoding="utf-8")
    reloader = server_reloader(server)
    deadline = time.monotonic() + 180
    while reloader.failures == 0:
        assert time.monotonic() < deadline, "the watcher never looked at the broken file"
        time.sleep(0.2)
    after = server.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"}).json()
    assert after == before
    broken.unlink()


def server_reloader(server: RunningServer):  # noqa: ANN201 - the app's own Reloader
    """The Reloader of the app behind ``server`` (kept on the app's state by the lifespan)."""
    import gc

    from westminster_kg.web.reload import Reloader

    return next(
        o for o in gc.get_objects() if isinstance(o, Reloader) and o.web.kg.project.root == server.kg.project.root
    )


def _parent(pid: int) -> int:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    return int(stat[stat.rindex(")") + 2 :].split()[1])


def _worker_processes() -> set[int]:
    """Process ids of the query workers and spawners this test process started (its descendants only:
    other test modules may run servers of their own at the same time)."""
    me, found = os.getpid(), set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if b"westminster_kg.web" not in command:
            continue
        pid, ancestor = int(entry.name), int(entry.name)
        while ancestor > 1 and ancestor != me:
            ancestor = _parent(ancestor)
        if ancestor == me:
            found.add(pid)
    return found


def test_a_storm_of_file_changes_keeps_pools_and_processes_bounded(live: tuple[RunningServer, Path]) -> None:
    # Rewriting an import every 0.1 s once grew the tree from 6 to 46 processes and 0.35 to 2.6 GB: each
    # reload started a pool and the old one closed only after the time limit. Now reloads coalesce, an
    # old pool closes when its last query ends, and at most two pools (and so six workers) are alive.
    # Thirty rewrites (3 s, fifteen reload intervals of 0.2 s) are storm enough: the old code started a
    # pool at each reload and kept it for the 30 s time limit, far past seven workers by then.
    server, root = live
    before = _worker_processes()
    imports = root / "imports"
    imports.mkdir(exist_ok=True)
    most, seen, errors = 0, set(), []
    stop = threading.Event()

    def hammer() -> None:
        while not stop.is_set():
            try:
                seen.add(_count(server))
            except AssertionError as exc:
                errors.append(str(exc))

    thread = threading.Thread(target=hammer, daemon=True)
    thread.start()
    try:
        for version in range(VERSIONS):
            rows = 1 + version % 5
            lines = [
                f'<https://example.org/unit/{i}> <http://www.w3.org/2000/01/rdf-schema#label> "v{version}" '
                f"<{GRAPH_IMPORT}extra> ."
                for i in range(rows)
            ]
            staging = imports / "extra.tmp"
            staging.write_text("\n".join(lines) + "\n", encoding="utf-8")
            staging.replace(imports / "extra.nq")  # atomically, as wmkg import writes it
            most = max(most, len(_worker_processes() - before))
            time.sleep(0.1)
        _wait_for(server, 1 + (VERSIONS - 1) % 5)  # the last version goes live once the files stand still
    finally:
        stop.set()
        thread.join(60)
    assert not errors
    assert seen <= {0, 1, 2, 3, 4, 5}  # every answer one whole version
    # One server: 3 workers a pool (any, fast, api lanes), at most 2 pools, and the spawner.
    assert 3 <= most <= 2 * 3 + 1, most  # at least one new pool was seen: the count can see workers
