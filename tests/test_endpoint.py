"""/sparql and /api/queries as clients meet them: predeclared prefixes, the service description,
one query per request, charsets, format names, gzip, HEAD, and flat rows for spreadsheets."""

from __future__ import annotations

import csv
import gzip
import io
import json

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import SH, VOID
from support import REPO, InProcessApp

from westminster_kg.catalogue import load_catalogue
from westminster_kg.namespaces import GRAPH_ARTICLE, PREFIXES

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
CATALOGUE = load_catalogue(REPO / "queries")
COALITION = "https://w3id.org/westminster-kg/id/coalition-government-2010-2015"


@pytest.fixture(scope="module")
def server(real_app: InProcessApp) -> InProcessApp:
    """The app over the repository's graph, answered in this process (the run's ``real_app``)."""
    return real_app


# --- prefixes -------------------------------------------------------------------------------------


def test_a_query_without_prefix_lines_uses_the_predeclared_prefixes(server: InProcessApp) -> None:
    response = server.get("/sparql", params={"query": "SELECT ?s WHERE { ?s a wm:Convention }"})
    assert response.status_code == 200, response.text
    assert response.json()["results"]["bindings"]


def test_the_sparql_pages_own_example_runs(server: InProcessApp) -> None:
    page = server.get("/sparql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "wm:" in page.text and "rdfs:" in page.text
    example = "SELECT ?s ?label WHERE { ?s rdfs:label ?label } LIMIT 10"
    assert example in page.text
    assert server.post("/sparql", data={"query": example}).status_code == 200


def test_a_querys_own_prefix_wins(server: InProcessApp) -> None:
    query = "PREFIX wm: <http://example.org/other#> SELECT ?s WHERE { ?s a wm:Convention }"
    response = server.get("/sparql", params={"query": query})
    assert response.status_code == 200 and response.json()["results"]["bindings"] == []


# Every catalogue query through real SPARQL clients: tests/test_query_matrix.py (a sample; engines: all).


# --- the service description ------------------------------------------------------------------------


@pytest.mark.parametrize(("accept", "fmt"), [("text/turtle", "turtle"), ("application/ld+json", "json-ld")])
def test_get_sparql_without_a_query_describes_the_service(server: InProcessApp, accept: str, fmt: str) -> None:
    response = server.get("/sparql", headers={"Accept": accept})
    assert response.status_code == 200 and response.headers["content-type"].startswith(accept)
    graph = Graph().parse(data=response.text, format=fmt)
    service = URIRef(server.url + "/sparql")
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


def test_the_description_names_the_address_the_client_used(server: InProcessApp) -> None:
    via_localhost = (server.url + "/sparql").replace("127.0.0.1", "localhost")
    graph = Graph().parse(data=server.get(via_localhost, headers={"Accept": "text/turtle"}).text, format="turtle")
    assert (URIRef(via_localhost), SD.endpoint, URIRef(via_localhost)) in graph


def test_head_works_wherever_get_does(server: InProcessApp) -> None:
    for path in ("/sparql", "/sparql?query=ASK%7B%7D", "/api/queries", "/api/queries/governments", "/query"):
        response = server.head(path)
        assert response.status_code == 200, path
        assert response.content == b""


# --- protocol: what is refused ----------------------------------------------------------------------


def test_two_query_parameters_are_refused_even_split_between_url_and_form(server: InProcessApp) -> None:
    assert server.get("/sparql" + "?query=ASK%7B%7D&query=ASK%7B%7D").status_code == 400
    split = server.post("/sparql" + "?query=ASK%7B%7D", data={"query": "ASK {}"})
    assert split.status_code == 400 and "exactly one" in split.text


def test_query_plus_update_is_refused(server: InProcessApp) -> None:
    response = server.post("/sparql", data={"query": "ASK {}", "update": "CLEAR ALL"})
    assert response.status_code == 403 and "read-only" in response.text


def test_a_body_in_another_charset_is_refused_clearly(server: InProcessApp) -> None:
    utf16 = server.post(
        "/sparql",
        content="ASK {}".encode("utf-16"),
        headers={"Content-Type": "application/sparql-query; charset=UTF-16"},
    )
    assert utf16.status_code == 415 and "UTF-8" in utf16.text
    latin1 = server.post(
        "/sparql",
        content='SELECT ("café" AS ?x) {}'.encode("latin-1"),
        headers={"Content-Type": "application/sparql-query"},
    )
    assert latin1.status_code == 400 and "not UTF-8" in latin1.text
    fine = server.post(
        "/sparql",
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
def test_format_takes_short_names_and_full_media_types(server: InProcessApp, value: str, media: str) -> None:
    for key in ("format", "output"):
        response = server.get("/sparql", params={"query": "SELECT (1 AS ?x) {}", key: value})
        assert response.status_code == 200 and response.headers["content-type"].startswith(media)


def test_an_unknown_format_is_400_never_json(server: InProcessApp) -> None:
    response = server.get("/sparql", params={"query": "ASK {}", "format": "yaml"})
    assert response.status_code == 400 and "unknown format 'yaml'" in response.text


def test_relative_iris_resolve_against_the_endpoint(server: InProcessApp) -> None:
    response = server.post(
        "/sparql",
        content="CONSTRUCT { <s> <p> 1 } WHERE {}",
        headers={"Content-Type": "application/sparql-query", "Accept": "application/n-triples"},
    )
    assert response.status_code == 200
    assert f"<{server.url}/s> <{server.url}/p>" in response.text


def test_large_answers_are_gzipped_when_the_client_accepts_it(server: InProcessApp) -> None:
    query = "SELECT ?s ?label WHERE { ?s rdfs:label ?label }"
    response = server.get("/sparql", params={"query": query}, headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert json.loads(response.content)["results"]["bindings"]  # the client decodes it
    raw = server.get("/sparql", params={"query": query}, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in raw.headers
    small = server.get("/sparql", params={"query": "ASK {}"}, headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers
    assert gzip.compress(raw.content)  # the uncompressed body is there too


# --- /api/queries for people and spreadsheets -------------------------------------------------------


def test_api_flat_json_rows_with_labels(server: InProcessApp) -> None:
    response = server.get("/api/queries/governments", params={"format": "json"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    rows = response.json()
    assert isinstance(rows, list) and rows and all(isinstance(row, dict) for row in rows)
    coalition = [row for row in rows if COALITION in row.values()]
    assert coalition, rows[:2]


def test_api_csv_is_plain(server: InProcessApp) -> None:
    response = server.get(
        "/api/queries/reforms-eroding-conventions", params={"format": "csv", "government": "coalition"}
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows and {row["reformGovernment"] for row in rows} == {COALITION}
    assert not any(cell.startswith('"') or cell.startswith("<") for row in rows for cell in row.values())


def test_api_sparql_json_stays_the_default(server: InProcessApp) -> None:
    response = server.get("/api/queries/governments")
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
def test_api_bad_values_are_400_with_the_reason(server: InProcessApp, params: dict[str, str], needle: str) -> None:
    response = server.get("/api/queries/reforms-eroding-conventions", params=params)
    assert response.status_code == 400 and needle in response.json()["error"]


def test_the_query_page_refuses_an_unknown_value_with_400(server: InProcessApp) -> None:
    response = server.get(
        "/query",
        params={"name": "reforms-eroding-conventions", "p.government": "tory", "run": "1"},
    )
    assert response.status_code == 400 and "not a government" in response.text


def test_openapi_documents_the_formats(server: InProcessApp) -> None:
    document = server.get("/openapi.json").json()
    operation = document["paths"]["/api/queries/governments"]["get"]
    assert any(p["name"] == "format" for p in operation["parameters"])
    assert {"application/json", "text/csv", "application/sparql-results+json"} <= set(
        operation["responses"]["200"]["content"]
    )
    assert Literal  # rdflib terms above are the ones the description is checked with


def test_errors_point_into_the_users_own_text(server: InProcessApp) -> None:
    bad = "SELECT ?s\nWHERE { ?s ?p }"
    endpoint = server.get("/sparql", params={"query": bad})
    assert endpoint.status_code == 400 and "line 2" in endpoint.text
    page = server.get("/query", params={"sparql": bad, "run": "1"})
    assert page.status_code == 400 and "line 2" in page.text
