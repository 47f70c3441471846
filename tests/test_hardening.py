"""Guarantees against loss and injection at the command line: atomic rewrites, safe CSV, clear errors."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS
from support import run_wmkg, wmkg

HOSTILE = '=HYPERLINK("http://evil.example","click")'


# Subprocesses killed mid-write and whole CLI runs: the slow tier. The tests of what a command says (its
# output, its message and exit code) ask it in process (support.cli); those of what only a process shows
# (a kill mid-write, the traceback main prints or hides) run it.
pytestmark = pytest.mark.slow


def union_of(folder: Path) -> set:
    """Every triple of the folder's Turtle files, blank nodes named canonically (RDFC-1.0, Oxigraph):
    equal sets are isomorphic graphs, in a fraction of a second where rdflib took seconds."""
    quads = [q for path in sorted(folder.glob("**/*.ttl")) for q in ox.parse(path=path, format=ox.RdfFormat.TURTLE)]
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return set(dataset)


def _entries(folder: Path) -> dict[str, int]:
    """File name → inode: a rename over a file (``write_atomically``) or a temporary file beside it shows."""
    return {entry.name: entry.inode() for entry in os.scandir(folder)}


def test_kill_9_during_fmt_leaves_every_file_whole_and_the_graph_unchanged(mini_root: Path) -> None:
    claims = mini_root / "graph" / "claims"
    # Many non-canonical files, so the kill lands mid-run.
    for i in range(40):
        (claims / f"gen-{i:02}.ttl").write_text(
            "@prefix wmr: <https://w3id.org/westminster-kg/id/> .\n"
            "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
            + "".join(f'wmr:thing-{i}-{j} rdfs:comment "note {j}" .\n' for j in range(300, 0, -1))
        )
    before = union_of(mini_root / "graph")
    for delay in (0.0, 0.02, 0.05):
        process = subprocess.Popen(
            [sys.executable, "-m", "westminster_kg.cli", "--root", str(mini_root), "fmt"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # Killed once fmt has begun writing (plus a little), not at a wall-clock delay from the start: on a
        # busy machine that landed while the interpreter was still importing, before any file was touched.
        untouched, deadline = _entries(claims), time.monotonic() + 120
        while _entries(claims) == untouched:
            assert process.poll() is None, "fmt ended without writing a file"
            assert time.monotonic() < deadline, "fmt wrote nothing in 120 s"
            time.sleep(0.005)
        time.sleep(delay)
        os.kill(process.pid, signal.SIGKILL)
        assert process.wait() == -signal.SIGKILL, "fmt had finished: the kill did not land mid-run"
        assert union_of(mini_root / "graph") == before
    assert not [p for p in claims.glob("*.ttl") if p.stat().st_size == 0]


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised_unless_raw(mini_root: Path) -> None:
    extra = mini_root / "graph" / "claims" / "hostile.ttl"
    # rdflib writes the literal, so the Turtle quoting is right whatever the payload.
    graph = Graph()
    hostile = URIRef("https://w3id.org/westminster-kg/id/hostile")
    graph.add((hostile, RDF.type, URIRef("https://w3id.org/westminster-kg/ontology#Idea")))
    graph.add((hostile, RDFS.label, Literal(HOSTILE, lang="en")))
    extra.write_text(graph.serialize(format="turtle"))

    query = "SELECT ?label WHERE { wmr:hostile rdfs:label ?label }"
    safe = wmkg("--root", str(mini_root), "query", "--sparql", query, "-f", "csv")
    assert safe.returncode == 0, safe.stderr
    assert safe.stdout.splitlines()[1] == "\"'" + HOSTILE.replace('"', '""') + '"'
    raw = wmkg("--root", str(mini_root), "query", "--sparql", query, "-f", "csv", "--raw")
    assert raw.stdout.splitlines()[1] == '"' + HOSTILE.replace('"', '""') + '"'


def test_debug_shows_the_traceback_that_normal_runs_hide(mini_root: Path) -> None:
    normal = run_wmkg("--root", str(mini_root), "query", "no-such-query")
    debug = run_wmkg("--root", str(mini_root), "--debug", "query", "no-such-query")
    assert "Traceback" not in normal.stderr and normal.returncode == 3
    assert "Traceback" in debug.stderr


def test_a_missing_project_folder_is_a_clear_error(tmp_path: Path) -> None:
    done = wmkg("--root", str(tmp_path / "nowhere"), "stats")
    assert done.returncode == 2
    assert "not a westminster-kg folder" in done.stderr
    assert "Traceback" not in done.stderr
