"""Both stores load the same files and answer the same; bad files are named with their line."""

from __future__ import annotations

import io
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib.query import Result
from support import DATA, make_project

from westminster_kg import KnowledgeGraph
from westminster_kg.errors import InputError, QueryError
from westminster_kg.project import Project
from westminster_kg.store.memory import MemoryStore
from westminster_kg.store.oxigraph import OxigraphStore

BACKENDS = ["oxigraph", "memory"]


class Loaded(dict):
    """backend → the valid slice loaded into that store, on first use (rdflib's takes a while)."""

    def __init__(self, root: Path) -> None:
        super().__init__()
        self.root = root

    def __missing__(self, backend: str) -> KnowledgeGraph:
        self[backend] = KnowledgeGraph.load(self.root, backend=backend)
        return self[backend]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Loaded:
    """The slice in each store, loaded once for the module, for the tests that only read it."""
    return Loaded(make_project(tmp_path_factory.mktemp("loaded") / "mini", DATA / "valid" / "slice.ttl"))


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
@pytest.mark.parametrize("backend", BACKENDS)
def test_a_malformed_turtle_file_is_named_with_its_line_and_nothing_is_loaded(mini_root: Path, backend: str) -> None:
    bad = mini_root / "graph" / "claims" / "zz-bad.ttl"
    bad.write_text('@prefix ex: <http://ex/> .\nex:a ex:b ex:c .\nex:a ex:b "unterminated .\n')
    store = OxigraphStore() if backend == "oxigraph" else MemoryStore()
    project = Project.open(mini_root)
    with pytest.raises(InputError) as caught:
        store.load(project.source_files(), project)
    assert "graph/claims/zz-bad.ttl:3" in str(caught.value)
    assert len(store) == 0


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_exports_made_together_are_each_what_export_gives_alone(loaded: Loaded) -> None:
    # KnowledgeGraph.exports (the downloads' dumps) shares the sorted statements between the RDF formats
    # and the relation network between GraphML and CSV: no format may use up or change what the next reads.
    kg = loaded["oxigraph"]
    formats = ["nquads", "graphml", "turtle", "trig", "csv", "nt", "jsonld"]
    together = kg.exports(formats)
    assert list(together) == formats and all(together.values())
    for fmt in formats:
        assert together[fmt] == kg.export(fmt), fmt


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_both_stores_hold_the_same_quads(loaded: Loaded) -> None:
    assert len(loaded["oxigraph"].store) == len(loaded["memory"].store) > 100


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
@pytest.mark.parametrize("backend", BACKENDS)
def test_updates_are_refused(loaded: Loaded, backend: str) -> None:
    kg = loaded[backend]
    before = len(kg.store)
    with pytest.raises(QueryError, match="updates are refused"):
        kg.run("DELETE WHERE { ?s ?p ?o }")
    assert len(kg.store) == before


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
@pytest.mark.parametrize("backend", BACKENDS)
def test_a_syntax_error_reports_its_position(loaded: Loaded, backend: str) -> None:
    kg = loaded[backend]
    with pytest.raises(QueryError, match=r"syntax error at line \d+, column \d+"):
        kg.store.query("SELECT ?s WHERE { ?s ?p }")


def test_the_nquads_export_parses_in_oxigraph_to_the_same_number_of_quads(loaded: Loaded, tmp_path: Path) -> None:
    kg = loaded["oxigraph"]
    target = tmp_path / "all.nq"
    kg.export("nquads", target)
    reparsed = list(ox.parse(path=str(target), format=ox.RdfFormat.N_QUADS))
    assert len(reparsed) == len(kg.store)
    graphs = {q.graph_name.value for q in reparsed}
    assert "https://w3id.org/westminster-kg/graph/ontology" in graphs
    assert "https://w3id.org/westminster-kg/graph/article" in graphs


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
@pytest.mark.parametrize("backend", BACKENDS)
def test_a_query_nested_thousands_deep_is_refused_not_a_crash(loaded: Loaded, backend: str) -> None:
    # Oxigraph's parser overflows its stack (a segfault) near 2,200 levels.
    kg = loaded[backend]
    with pytest.raises(QueryError, match="too many brackets, path steps or operators"):
        kg.store.query("SELECT * WHERE " + "{" * 3000 + "}" * 3000)
    assert kg.store.query("SELECT * WHERE " + "{" * 20 + "}" * 20).kind == "select"


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
@pytest.mark.parametrize("backend", BACKENDS)
def test_sparql_tsv_keeps_a_literal_with_tabs_and_line_breaks_in_one_cell(loaded: Loaded, backend: str) -> None:
    # Read back by rdflib's own TSV results parser, and compared with Oxigraph's TSV writer's reading.
    query = 'SELECT ?x ?n WHERE { BIND("a\\nb\\tc\\"d\\\\e" AS ?x) BIND("m\\nn"@en AS ?n) }'
    kg = loaded[backend]
    text = kg.query(query).serialize("tsv")
    assert len(text.splitlines()) == 2, text
    rows = list(Result.parse(source=io.StringIO(text), format="tsv"))
    assert [(str(r[0]), str(r[1]), r[1].language) for r in rows] == [('a\nb\tc"d\\e', "m\nn", "en")]
    reference = ox.Store().query(query).serialize(format=ox.QueryResultsFormat.TSV).decode()
    assert text == reference
