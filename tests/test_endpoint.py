"""/sparql and /api/queries as clients meet them: predeclared prefixes, the service description,
one query per request, charsets, format names, gzip, HEAD, and flat rows for spreadsheets."""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Iterator

import httpx
import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SH, VOID
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, SPARQLWrapper
from support import REPO, RunningServer, start_server

from westminster_kg import KnowledgeGraph
from westminster_kg.catalogue import load_catalogue
from westminster_kg.namespaces import GRAPH_ARTICLE, PREFIXES
from westminster_kg.web import Settings

pytestmark = pytest.mark.slow  # a real server on loopback, or the CLI in subprocesses
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
CATALOGUE = load_catalogue(REPO / "queries")
COALITION = "https://w3id.org/westminster-kg/id/coalition-government-2010-2015"


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    yield from start_server(KnowledgeGraph.load(REPO), Settings(query_timeout=30, workers=1))


def sparql(server: RunningServer) -> str:
    return server.url + "/sparql"


# --- prefixes -------------------------------------------------------------------------------------


def test_a_query_without_prefix_lines_uses_the_predeclared_prefixes(server: RunningServer) -> None:
    response = httpx.get(sparql(server), params={"query": "SELECT ?s WHERE { ?s a wm:Convention }"})
    assert response.status_code == 200, response.text
    assert response.json()["results"]["bindings"]


def test_the_sparql_pages_own_example_runs(server: RunningServer) -> None:
    page = httpx.get(sparql(server), headers={"Accept": "text/html"})
    assert page.status_code == 200 and "wm:" in page.text and "rdfs:" in page.text
    example = "SELECT ?s ?label WHERE { ?s rdfs:label ?label } LIMIT 10"
    assert example in page.text
    assert httpx.post(sparql(server), data={"query": example}).status_code == 200


def test_a_querys_own_prefix_wins(server: RunningServer) -> None:
    query = "PREFIX wm: <http://example.org/other#> SELECT ?s WHERE { ?s a wm:Convention }"
    response = httpx.get(sparql(server), params={"query": query})
    assert response.status_code == 200 and response.json()["results"]["bindings"] == []


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_every_catalogue_query_runs_verbatim_through_sparqlwrapper_and_sparqlstore(
    server: RunningServer, name: str
) -> None:
    shown = {q["name"]: q["sparql"] for q in httpx.get(server.url + "/api/queries").json()["queries"]}
    text = (REPO / "queries" / f"{name}.rq").read_text(encoding="utf-8")
    assert shown[name] == text
    client = SPARQLWrapper(sparql(server))
    client.setQuery(text)
    client.setReturnFormat(JSON)
    answer = client.queryAndConvert()
    # The same rows as the store answers in process, by both clients (blank nodes aside: their labels are local).
    expected = sorted(
        tuple(sorted((k, str(v)) for k, v in row.items() if v is not None and not isinstance(v, BNode)))
        for row in server.kg.run(text).to_dicts()
    )
    by_wrapper = sorted(
        tuple(sorted((k, v["value"]) for k, v in binding.items() if v["type"] != "bnode"))
        for binding in answer["results"]["bindings"]
    )
    assert by_wrapper == expected
    store = SPARQLStore(sparql(server), returnFormat="json")
    by_store = sorted(
        tuple(sorted((str(k), str(v)) for k, v in row.asdict().items() if v is not None and not isinstance(v, BNode)))
        for row in store.query(text)
    )
    assert by_store == expected


# --- the service description ------------------------------------------------------------------------


@pytest.mark.parametrize(("accept", "fmt"), [("text/turtle", "turtle"), ("application/ld+json", "json-ld")])
def test_get_sparql_without_a_query_describes_the_service(server: RunningServer, accept: str, fmt: str) -> None:
    response = httpx.get(sparql(server), headers={"Accept": accept})
    assert response.status_code == 200 and response.headers["content-type"].startswith(accept)
    graph = Graph().parse(data=response.text, format=fmt)
    service = URIRef(sparql(server))
    assert (service, SD.endpoint, service) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (service, SD.feature, SD.UnionDefaultGraph) in graph
    names = {str(n) for n in graph.objects(None, SD.name)}
    assert GRAPH_ARTICLE in names
    article = next(graph.subjects(SD.name, URIRef(GRAPH_ARTICLE)))
    assert int(graph.value(graph.value(article, SD.graph), VOID.triples)) > 1000
    declared = {
        (str(graph.value(d, SH.prefix)), str(graph.value(d, SH.namespace))) for d in graph.objects(service, SH.declare)
    }
    assert declared == set(PREFIXES.items())


def test_the_description_names_the_address_the_client_used(server: RunningServer) -> None:
    via_localhost = sparql(server).replace("127.0.0.1", "localhost")
    graph = Graph().parse(data=httpx.get(via_localhost, headers={"Accept": "text/turtle"}).text, format="turtle")
    assert (URIRef(via_localhost), SD.endpoint, URIRef(via_localhost)) in graph


def test_head_works_wherever_get_does(server: RunningServer) -> None:
    for path in ("/sparql", "/sparql?query=ASK%7B%7D", "/api/queries", "/api/queries/governments", "/query"):
        response = httpx.head(server.url + path)
        assert response.status_code == 200, path
        assert response.content == b""


# --- protocol: what is refused ----------------------------------------------------------------------


def test_two_query_parameters_are_refused_even_split_between_url_and_form(server: RunningServer) -> None:
    assert httpx.get(sparql(server) + "?query=ASK%7B%7D&query=ASK%7B%7D").status_code == 400
    split = httpx.post(sparql(server) + "?query=ASK%7B%7D", data={"query": "ASK {}"})
    assert split.status_code == 400 and "exactly one" in split.text


def test_query_plus_update_is_refused(server: RunningServer) -> None:
    response = httpx.post(sparql(server), data={"query": "ASK {}", "update": "CLEAR ALL"})
    assert response.status_code == 403 and "read-only" in response.text


def test_a_body_in_another_charset_is_refused_clearly(server: RunningServer) -> None:
    utf16 = httpx.post(
        sparql(server),
        content="ASK {}".encode("utf-16"),
        headers={"Content-Type": "application/sparql-query; charset=UTF-16"},
    )
    assert utf16.status_code == 415 and "UTF-8" in utf16.text
    latin1 = httpx.post(
        sparql(server),
        content='SELECT ("café" AS ?x) {}'.encode("latin-1"),
        headers={"Content-Type": "application/sparql-query"},
    )
    assert latin1.status_code == 400 and "not UTF-8" in latin1.text
    fine = httpx.post(
        sparql(server),
        content='SELECT ("café" AS ?x) {}'.encode(),
        headers={"Content-Type": "application/sparql-query; charset=utf-8"},
    )
    assert fine.json()["results"]["bindings"][0]["x"]["value"] == "café"


@pytest.mark.parametrize(
    ("value", "media"),
    [
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("tsv", "text/tab-separated-values"),
        ("srj", "application/sparql-results+json"),
    ],
)
def test_format_takes_short_names_and_full_media_types(server: RunningServer, value: str, media: str) -> None:
    for key in ("format", "output"):
        response = httpx.get(sparql(server), params={"query": "SELECT (1 AS ?x) {}", key: value})
        assert response.status_code == 200 and response.headers["content-type"].startswith(media)


def test_an_unknown_format_is_400_never_json(server: RunningServer) -> None:
    response = httpx.get(sparql(server), params={"query": "ASK {}", "format": "yaml"})
    assert response.status_code == 400 and "unknown format 'yaml'" in response.text


def test_relative_iris_resolve_against_the_endpoint(server: RunningServer) -> None:
    response = httpx.post(
        sparql(server),
        content="CONSTRUCT { <s> <p> 1 } WHERE {}",
        headers={"Content-Type": "application/sparql-query", "Accept": "application/n-triples"},
    )
    assert response.status_code == 200
    assert f"<{server.url}/s> <{server.url}/p>" in response.text


def test_large_answers_are_gzipped_when_the_client_accepts_it(server: RunningServer) -> None:
    query = "SELECT ?s ?label WHERE { ?s rdfs:label ?label }"
    with httpx.Client(headers={"Accept-Encoding": "gzip"}) as client:
        response = client.get(sparql(server), params={"query": query})
    assert response.headers["content-encoding"] == "gzip"
    assert json.loads(response.content)["results"]["bindings"]  # httpx decodes it
    raw = httpx.get(sparql(server), params={"query": query}, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in raw.headers
    small = httpx.get(sparql(server), params={"query": "ASK {}"}, headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers
    assert gzip.compress(raw.content)  # the uncompressed body is there too


# --- /api/queries for people and spreadsheets -------------------------------------------------------


def test_api_flat_json_rows_with_labels(server: RunningServer) -> None:
    response = httpx.get(server.url + "/api/queries/governments", params={"format": "json"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    rows = response.json()
    assert isinstance(rows, list) and rows and all(isinstance(row, dict) for row in rows)
    coalition = [row for row in rows if COALITION in row.values()]
    assert coalition, rows[:2]


def test_api_csv_is_plain(server: RunningServer) -> None:
    response = httpx.get(
        server.url + "/api/queries/reforms-eroding-conventions", params={"format": "csv", "government": "coalition"}
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows and {row["reformGovernment"] for row in rows} == {COALITION}
    assert not any(cell.startswith('"') or cell.startswith("<") for row in rows for cell in row.values())


def test_api_sparql_json_stays_the_default(server: RunningServer) -> None:
    response = httpx.get(server.url + "/api/queries/governments")
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    assert "results" in response.json()


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"government": "coalitoin"}, "did you mean"),
        ({"government": "Tory"}, "not a government"),
        ({"convention": "https://example.org/nothing"}, "IRI of nothing"),
        ({"format": "yaml"}, "unknown format"),
    ],
)
def test_api_bad_values_are_400_with_the_reason(server: RunningServer, params: dict[str, str], needle: str) -> None:
    response = httpx.get(server.url + "/api/queries/reforms-eroding-conventions", params=params)
    assert response.status_code == 400 and needle in response.json()["error"]


def test_the_query_page_refuses_an_unknown_value_with_400(server: RunningServer) -> None:
    response = httpx.get(
        server.url + "/query",
        params={"name": "reforms-eroding-conventions", "p.government": "tory", "run": "1"},
    )
    assert response.status_code == 400 and "not a government" in response.text


def test_openapi_documents_the_formats(server: RunningServer) -> None:
    document = httpx.get(server.url + "/openapi.json").json()
    operation = document["paths"]["/api/queries/governments"]["get"]
    assert any(p["name"] == "format" for p in operation["parameters"])
    assert {"application/json", "text/csv", "application/sparql-results+json"} <= set(
        operation["responses"]["200"]["content"]
    )
    assert Literal  # rdflib terms above are the ones the description is checked with


def test_errors_point_into_the_users_own_text(server: RunningServer) -> None:
    bad = "SELECT ?s\nWHERE { ?s ?p }"
    endpoint = httpx.get(sparql(server), params={"query": bad})
    assert endpoint.status_code == 400 and "line 2" in endpoint.text
    page = httpx.get(server.url + "/query", params={"sparql": bad, "run": "1"})
    assert page.status_code == 400 and "line 2" in page.text
