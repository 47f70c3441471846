"""The guard's reading of a query against what the engines really do with it.

``sparql_reading`` reads a query as Oxigraph will, to find every ``SERVICE`` before it runs. Here that
reading is compared with the engines themselves: generated queries — strings, IRIs and comments with
every escape and line break that parsers treat differently, and ``SERVICE`` clauses in between — are run
by Oxigraph and by rdflib (the memory store) against a recording HTTP server on loopback. Whenever the
guard finds no ``SERVICE``, neither engine may call out. The cases that once got past a guard are kept
as a fixed corpus.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from support import Recording, recording_server

from westminster_kg.errors import QueryError
from westminster_kg.sparql_reading import read_query, tokens

pytestmark = pytest.mark.slow  # hundreds of queries through two engines and a loopback server


@pytest.fixture(scope="module")
def recorder() -> Iterator[Recording]:
    with recording_server() as recording:
        yield recording


_counter = itertools.count()


def fragments(url: str) -> list[str]:
    """Pieces of queries: every construct whose boundaries parsers may read differently."""
    return [
        " ",
        "\n",
        "\r",
        ".",
        "{",
        "}",
        "?s ?p ?o .",
        "?s ?p ?o",
        "FILTER(?o != <http://x/b>)",
        "FILTER(?a < ?b)",
        '"a"',
        "'b'",
        '"\\""',
        "'\\''",
        '"\\u0022"',
        "'\\u0027'",
        '"""x"y"""',
        "'''x'y'''",
        '"open',
        "# comment\n",
        "# comment\r",
        "# comment\u2028",
        "# comment\x85",
        "#",
        "\\u0022",
        "\\u0053ERVICE",
        "\\u003e",
        "\\u007d",
        "<http://x/a>",
        "<http://x/a\\u003e",
        "ex:SERVICE",
        "?service",
        '"x"@SERVICE',
        "_:SERVICE",
        "SERVICE",
        f"SERVICE <{url}/{{n}}> {{{{ ?a ?b ?c }}}}",
        f"service<{url}/{{n}}>{{{{?a ?b ?c}}}}",
        "SERVICE SILENT x:{n} { ?a ?b ?c }",
        f"SERVICE <{url}/\\u0041{{n}}> {{{{ ?a ?b ?c }}}}",
    ]


def generated_queries(url: str, count: int, seed: int) -> list[str]:
    """``count`` queries made of random fragments inside ``SELECT * WHERE { ... }`` (seeded: the same every run)."""
    pieces = fragments(url)
    chance = random.Random(seed)
    queries = []
    for _ in range(count):
        body = "".join(chance.choice(pieces) for _ in range(chance.randint(2, 9)))
        body = body.replace("{n}", f"q{next(_counter)}")
        queries.append(f"PREFIX ex: <http://x/> PREFIX x: <{url}/> SELECT * WHERE {{ ?s ?p ?o . {body} }}")
    return queries


def guard_admits(query: str) -> bool:
    """Whether the guard would let the query run without an allowed SERVICE."""
    try:
        return not read_query(query).services
    except QueryError:
        return False


def oxigraph_calls(query: str, recorder: Recording) -> bool:
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://x/a"), ox.NamedNode("http://x/p"), ox.Literal("o")))
    before = len(recorder.hits)
    try:
        list(store.query(query))
    except Exception:  # noqa: BLE001, S110 - a refused or failing query: only whether it called out counts
        pass
    return len(recorder.hits) > before


def rdflib_calls(query: str, recorder: Recording) -> bool:
    graph = Graph()
    graph.add((URIRef("http://x/a"), URIRef("http://x/p"), Literal("o")))
    before = len(recorder.hits)
    try:
        list(graph.query(query))
    except Exception:  # noqa: BLE001, S110 - as above
        pass
    return len(recorder.hits) > before


def test_whatever_the_guard_admits_neither_engine_sends_anywhere(recorder: Recording) -> None:
    queries = generated_queries(recorder.url, 500, seed=20261206)
    called_but_admitted = []
    caught = 0
    for query in queries:
        admitted = guard_admits(query)
        if not admitted and caught >= 10:
            continue  # a refused query can only add to `caught`, which has shown what it must
        if oxigraph_calls(query, recorder) or rdflib_calls(query, recorder):
            if admitted:
                called_but_admitted.append(query)
            else:
                caught += 1
    assert called_but_admitted == []
    # The harness can see a call at all: generated queries did call out, and the guard caught each.
    assert caught >= 10


# The differentials that once got past a guard that read queries with rdflib (issue 23), and their kin.
CORPUS = [
    # rdflib expands \u0022 to a quote and sees SERVICE outside a string; Oxigraph sees one string.
    'SELECT * WHERE {{ ?s ?p "\\u0022 }} SERVICE <{url}/a> {{ ?x ?y ?z }} #" }}',
    # the reverse: Oxigraph reads a string that rdflib ends early
    'SELECT * WHERE {{ ?s ?p ?o FILTER(?o != "\\u0022") SERVICE <{url}/b> {{ ?x ?y ?z }} }}',
    # a keyword spelled with an escape outside any string
    "SELECT * WHERE {{ ?s ?p ?o \\u0053ERVICE <{url}/c> {{ ?x ?y ?z }} }}",
    # an IRI whose escaped '>' ends it for one parser and not the other
    "SELECT * WHERE {{ ?s ?p <http://x/\\u003e> . SERVICE <{url}/d> {{ ?x ?y ?z }} }}",
    # a comment that ends at a carriage return, a vertical tab or a Unicode line separator
    "SELECT * WHERE {{ ?s ?p ?o # c\r SERVICE <{url}/e> {{ ?x ?y ?z }} }}",
    "SELECT * WHERE {{ ?s ?p ?o # c\u2028 SERVICE <{url}/f> {{ ?x ?y ?z }} }}",
    # a triple's full stop glued to the keyword
    "SELECT * WHERE {{ ?s ?p ?o .SERVICE <{url}/g> {{ ?x ?y ?z }} }}",
    # the endpoint in a prefixed name, an escaped IRI, or a variable
    "PREFIX e: <{url}/> SELECT * WHERE {{ SERVICE SILENT e:h {{ ?x ?y ?z }} }}",
    "SELECT * WHERE {{ SERVICE <{url}/\\u0069> {{ ?x ?y ?z }} }}",
    "SELECT * WHERE {{ BIND(<{url}/j> AS ?e) SERVICE ?e {{ ?x ?y ?z }} }}",
    # inside EXISTS, inside a subquery
    "SELECT * WHERE {{ ?s ?p ?o FILTER EXISTS {{ SERVICE <{url}/k> {{ ?x ?y ?z }} }} }}",
    "SELECT * WHERE {{ {{ SELECT * {{ SERVICE <{url}/l> {{ ?x ?y ?z }} }} }} }}",
]


@pytest.mark.parametrize("template", CORPUS, ids=range(len(CORPUS)))
def test_the_corpus_is_refused_or_called_nowhere(recorder: Recording, template: str) -> None:
    query = template.format(url=recorder.url)
    if guard_admits(query):
        assert not oxigraph_calls(query, recorder) and not rdflib_calls(query, recorder), query


def test_every_spelling_of_service_in_the_corpus_is_seen() -> None:
    url = "http://127.0.0.1:9"
    refused = [t for t in CORPUS if not guard_admits(t.format(url=url))]
    assert len(refused) == len(CORPUS)


@pytest.mark.parametrize(
    ("query", "services"),
    [
        ("PREFIX ex: <http://ex/> SELECT * { ?s ex:SERVICE ?o . ?service ?p ?o }", ()),
        ('SELECT * { ?s ?p "SERVICE <http://a/> {}" }', ()),
        ("SELECT * { ?s ?p ?o } # SERVICE <http://a/> {}", ()),
        ("SELECT * { ?s ?p <http://x/SERVICE> }", ()),
        ('SELECT * { ?s ?p "x"@SERVICE }', ()),
        ("SELECT * { service<http://a/>{ ?s ?p ?o } }", ("http://a/",)),
        ("BASE <http://b/> SELECT * { SERVICE <sparql> { ?s ?p ?o } }", ("http://b/sparql",)),
    ],
)
def test_the_reading_sees_service_only_where_it_is_a_keyword(query: str, services: tuple[str, ...]) -> None:
    assert read_query(query).services == services


def test_tokens_of_a_megabyte_string_are_read_in_one_step() -> None:
    query = 'SELECT * WHERE { ?s ?p "' + "{ SERVICE <http://evil/> " * 40_000 + '" }'
    assert [t.kind for t in tokens(query)].count("string") == 1
    assert read_query(query).services == ()


def test_a_worker_without_its_network_wall_refuses_any_mention_of_service(monkeypatch) -> None:
    from westminster_kg.web import worker
    from westminster_kg.web.jobs import Answer, QueryJob, Refusal

    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://x/a"), ox.NamedNode("http://x/p"), ox.Literal("Civil Service")))
    mentions = [
        'SELECT * WHERE { ?s ?p "a service" }',
        "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://x/> {}",
        'SELECT * WHERE { ?s ?p "\\u0073ervice" }',
    ]
    monkeypatch.setattr(worker, "ISOLATED", False)
    for query in mentions:
        outcome = worker.answer(store, QueryJob(query))
        assert isinstance(outcome, Refusal) and outcome.kind == "forbidden" and "network" in outcome.message
    monkeypatch.setattr(worker, "ISOLATED", True)  # with the wall, the guard's reading decides: these run
    for query in mentions:
        assert isinstance(worker.answer(store, QueryJob(query)), Answer)
