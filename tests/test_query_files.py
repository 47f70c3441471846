"""Every ``queries/**/*.rq`` runs anywhere: it declares the prefixes it uses, and only those.

A catalogue query copied into another store, SPARQLWrapper or a ``/sparql`` form must run as it
is. So each file is parsed with no prefix handed over (rdflib), run on a bare pyoxigraph store
(no ``prefixes=``), and its ``PREFIX`` lines are compared with the prefixed names it uses.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import URIRef
from rdflib.plugins.sparql import prepareQuery
from support import DATA, make_project

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


def test_the_rule_runner_names_a_broken_file() -> None:
    assert failing(lambda path: (_ for _ in ()).throw(ValueError("bad")) if path == FILES[0] else None) == [
        f"{IDS[0]}: bad"
    ]


# Each rule is one test over every file, naming every file that breaks it (not one test id per file).


def failing(check) -> list[str]:  # noqa: ANN001 - a function of a path that raises on a broken file
    """The files ``check(path)`` raises for, each with its error's first line."""
    broken = []
    for path, name in zip(FILES, IDS, strict=True):
        try:
            check(path)
        except Exception as exc:  # noqa: BLE001 - every failure is listed, whatever raised it
            broken.append(f"{name}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}")
    return broken


@pytest.mark.slow  # rdflib's parser takes a tenth of a second a query; the Oxigraph tests below are the fast check
def test_every_file_parses_in_rdflib_with_no_prefix_handed_over() -> None:
    # queries/internal/ is parsed so (prepareQuery with no prefixes) by tests/test_internal_queries.py's
    # test_every_file_parses_standalone_in_rdflib_and_runs_in_oxigraph: pyparsing's 2.4 s not spent twice.
    def check(path: Path) -> None:
        if path.parent.name != "internal":
            prepareQuery(path.read_text(encoding="utf-8"), initNs={})

    assert failing(check) == []


def test_every_file_declares_exactly_the_prefixes_it_uses_with_the_standard_iris() -> None:
    def check(path: Path) -> None:
        text = path.read_text(encoding="utf-8")
        if declared_prefixes(text) != used_prefixes(text):
            raise AssertionError(f"declares {sorted(declared_prefixes(text))}, uses {sorted(used_prefixes(text))}")
        for prefix in declared_prefixes(text):
            if f"PREFIX {prefix}: <{PREFIXES[prefix]}>" not in text:
                raise AssertionError(f"PREFIX {prefix}: is not <{PREFIXES[prefix]}>")

    assert failing(check) == []


def test_every_prefix_line_is_needed() -> None:
    # Independent of the regular expressions above: without any one PREFIX line, Oxigraph refuses
    # the query (rdflib cannot tell: it predeclares rdf, rdfs, owl, xsd and more by itself).
    def check(path: Path) -> None:
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        for i, line in enumerate(lines):
            if line.startswith("PREFIX "):
                try:
                    ox.Store().query("".join(lines[:i] + lines[i + 1 :]))
                except SyntaxError:
                    continue
                raise AssertionError(f"runs without its line {i + 1} ({line.strip()})")

    assert failing(check) == []


def test_every_header_still_parses_above_the_prefix_lines() -> None:
    def check(path: Path) -> None:
        named = parse_named_query(path)
        if not named.title or named.title.startswith("PREFIX") or not named.sparql.startswith("# title:"):
            raise AssertionError(f"title {named.title!r}")

    assert failing(check) == []


@pytest.fixture(scope="module")
def bare_oxigraph(tmp_path_factory: pytest.TempPathFactory) -> ox.Store:
    """The valid slice in a pyoxigraph store used directly: nothing of ours between query and store."""
    root = make_project(tmp_path_factory.mktemp("bare") / "p", DATA / "valid" / "slice.ttl")
    store = ox.Store()
    for source in Project.open(root).source_files(include_imports=False):
        store.load(path=str(source.path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(source.graph))
    return store


def _canonical(answer: object) -> object:
    if isinstance(answer, ox.QueryBoolean):
        return bool(answer)
    if isinstance(answer, ox.QuerySolutions):
        names = [v.value for v in answer.variables]
        return sorted(
            tuple("" if s[n] is None or isinstance(s[n], ox.BlankNode) else str(s[n]) for n in names) for s in answer
        )
    return sorted(tuple("_:b" if isinstance(t, ox.BlankNode) else str(t) for t in triple) for triple in answer)


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_every_file_answers_alike_on_a_bare_store_and_with_our_prefixes_predeclared(bare_oxigraph: ox.Store) -> None:
    # Its own PREFIX lines mean exactly the standard namespaces: the answer with nothing predeclared is the
    # answer our stores give with the project's prefixes handed over (and the slice gives answers to compare).
    answered = []

    def check(path: Path) -> None:
        text = path.read_text(encoding="utf-8")
        bare = _canonical(bare_oxigraph.query(text, use_default_graph_as_union=True))
        ours = _canonical(bare_oxigraph.query(text, use_default_graph_as_union=True, prefixes=PREFIXES))
        if bare != ours:
            raise AssertionError("answers differ with the standard prefixes predeclared")
        if bare:
            answered.append(path)

    assert failing(check) == []
    assert len(answered) > len(FILES) // 3  # the comparison compares answers, not only empty ones


# --- predeclared prefixes: handed over, not pasted in ---------------------------------------------


@pytest.fixture(scope="module")
def slice_graphs(shared_root: Path) -> dict[str, KnowledgeGraph]:
    """The slice in each store, loaded once for the tests below (which only read)."""
    return {backend: KnowledgeGraph.load(shared_root, backend=backend) for backend in ("oxigraph", "memory")}


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
@pytest.mark.parametrize("backend", ["oxigraph", "memory"])
def test_ad_hoc_queries_still_get_the_standard_prefixes(slice_graphs: dict[str, KnowledgeGraph], backend: str) -> None:
    kg = slice_graphs[backend]
    assert kg.run("SELECT ?r WHERE { ?r a wm:Reform }").rows
    # The query's own declaration wins over the predeclared one.
    assert not kg.run("PREFIX wm: <http://example.org/> SELECT ?r WHERE { ?r a wm:Reform }").rows
    # And a store asked for no prefixes has none.
    with pytest.raises(QueryError, match="syntax error"):
        kg.store.query("SELECT ?r WHERE { ?r a wm:Reform }", prefixes={})


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
@pytest.mark.parametrize("backend", ["oxigraph", "memory"])
def test_a_syntax_error_is_reported_at_the_users_own_line_and_column(
    slice_graphs: dict[str, KnowledgeGraph], backend: str
) -> None:
    kg = slice_graphs[backend]
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
