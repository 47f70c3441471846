"""Every ``queries/**/*.rq`` runs anywhere: it declares the prefixes it uses, and only those.

A catalogue query copied into another store, SPARQLWrapper or a ``/sparql`` form must run as it
is. So each file is parsed with no prefix handed over (rdflib), run on a bare pyoxigraph store
(no ``prefixes=``), and its ``PREFIX`` lines are compared with the prefixed names it uses.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import DATA, make_project
from rdflib import URIRef
from rdflib.plugins.sparql import prepareQuery

from westminster_kg import KnowledgeGraph
from westminster_kg.catalogue import parse_named_query
from westminster_kg.errors import QueryError
from westminster_kg.namespaces import PREFIXES
from westminster_kg.project import Project
from westminster_kg.sparql_text import declared_prefixes, used_prefixes, with_prefixes

REPO = Path(__file__).resolve().parents[1]
FILES = sorted((REPO / "queries").rglob("*.rq"))
IDS = [str(p.relative_to(REPO / "queries")) for p in FILES]


def test_there_are_query_files_to_check() -> None:
    assert len(FILES) >= 40 and any(p.parent.name == "checks" for p in FILES)


@pytest.mark.slow  # rdflib's parser takes a tenth of a second a query; the Oxigraph tests below are the fast check
@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_the_file_parses_in_rdflib_with_no_prefix_handed_over(path: Path) -> None:
    prepareQuery(path.read_text(encoding="utf-8"), initNs={})


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_the_file_declares_exactly_the_prefixes_it_uses_with_the_standard_iris(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert declared_prefixes(text) == used_prefixes(text)
    for prefix in declared_prefixes(text):
        assert f"PREFIX {prefix}: <{PREFIXES[prefix]}>" in text, prefix


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_every_prefix_line_is_needed(path: Path) -> None:
    # Independent of the regular expressions above: without any one PREFIX line, Oxigraph refuses
    # the query (rdflib cannot tell: it predeclares rdf, rdfs, owl, xsd and more by itself).
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    prefix_lines = [i for i, line in enumerate(lines) if line.startswith("PREFIX ")]
    for i in prefix_lines:
        with pytest.raises(SyntaxError):
            ox.Store().query("".join(lines[:i] + lines[i + 1 :]))


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_the_header_still_parses_above_the_prefix_lines(path: Path) -> None:
    named = parse_named_query(path)
    assert named.title and not named.title.startswith("PREFIX")
    assert named.sparql.startswith("# title:")


@pytest.fixture(scope="module")
def bare_oxigraph(tmp_path_factory: pytest.TempPathFactory) -> ox.Store:
    """The valid slice in a pyoxigraph store used directly: nothing of ours between query and store."""
    root = make_project(tmp_path_factory.mktemp("bare") / "p", DATA / "valid" / "slice.ttl")
    store = ox.Store()
    for source in Project.open(root).source_files(include_imports=False):
        store.load(path=str(source.path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(source.graph))
    return store


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_the_file_runs_on_a_bare_pyoxigraph_store(bare_oxigraph: ox.Store, path: Path) -> None:
    answer = bare_oxigraph.query(path.read_text(encoding="utf-8"), use_default_graph_as_union=True)
    list(answer) if not isinstance(answer, ox.QueryBoolean) else bool(answer)


# --- predeclared prefixes: handed over, not pasted in ---------------------------------------------


@pytest.mark.parametrize("backend", ["oxigraph", "memory"])
def test_ad_hoc_queries_still_get_the_standard_prefixes(mini_root: Path, backend: str) -> None:
    kg = KnowledgeGraph.load(mini_root, backend=backend)
    assert kg.run("SELECT ?r WHERE { ?r a wm:Reform }").rows
    # The query's own declaration wins over the predeclared one.
    assert not kg.run("PREFIX wm: <http://example.org/> SELECT ?r WHERE { ?r a wm:Reform }").rows
    # And a store asked for no prefixes has none.
    with pytest.raises(QueryError, match="syntax error"):
        kg.store.query("SELECT ?r WHERE { ?r a wm:Reform }", prefixes={})


@pytest.mark.parametrize("backend", ["oxigraph", "memory"])
def test_a_syntax_error_is_reported_at_the_users_own_line_and_column(mini_root: Path, backend: str) -> None:
    kg = KnowledgeGraph.load(mini_root, backend=backend)
    with pytest.raises(QueryError, match=r"at line 3, column \d+"):
        kg.run("SELECT ?s WHERE {\n  ?s a wm:Reform .\n  ?s ?p }")
    # Parameters are bound on the WHERE line itself, so they move no line either.
    with pytest.raises(QueryError, match=r"at line 3, column \d+"):
        # A term from code is bound as it is (typed text would go through the resolver and be refused).
        kg.run("SELECT ?s WHERE {\n  ?s a wm:Reform .\n  ?s ?p }", {"s": URIRef(PREFIXES["wmr"] + "x")})


def test_with_prefixes_adds_only_missing_used_prefixes_and_keeps_line_numbers() -> None:
    query = "PREFIX wm: <http://example.org/>\nSELECT ?s WHERE {\n  ?s a wm:X ; rdfs:label ?l }"
    written = with_prefixes(query)
    assert written.count("\n") == query.count("\n")
    assert "PREFIX rdfs:" in written and written.count("PREFIX wm:") == 1 and "skos" not in written
    prepareQuery(written, initNs={})


def test_used_prefixes_ignore_strings_comments_and_iris() -> None:
    query = 'SELECT ?s WHERE { ?s <http://x/y> "a:b" ; ex:p ?o ; :q 1 } # skos:x'
    assert used_prefixes(query) == {"ex", ""}
