"""The web app's answers, asked in this process (``support.app``: the routes, middleware, cache and query
workers of ``wmkg serve``, without a socket): formats and negotiation, refusals, caps, CORS, entity
pages, the ontology, the query page and the API, over the small valid slice.

What only a real connection shows (real SPARQL clients, a slow query among other clients, raw request
paths, SERVICE calling another server) is in tests/test_web_http.py.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF
from support import DATA, REPO, InProcessApp, app_in_process, make_project

from westminster_kg import KnowledgeGraph
from westminster_kg.catalogue import with_prefixes
from westminster_kg.web import (
    Settings,
    check_query,
    host_warning,
    is_loopback,
    negotiate,
    service_targets,
)

WMR = "https://w3id.org/westminster-kg/id/"
COALITION = WMR + "coalition-government-2010-2015"
MAX_ROWS = 100


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_project(tmp_path_factory.mktemp("web") / "mini", DATA / "valid" / "slice.ttl")


@pytest.fixture(scope="module")
def mini(root: Path) -> Iterator[InProcessApp]:
    settings = Settings(
        query_timeout=30, max_rows=MAX_ROWS, max_body=20_000, cors_origins=["https://allowed.example"], workers=1
    )
    with app_in_process(KnowledgeGraph.load(root), settings) as app:
        yield app


def kg_rows(kg: KnowledgeGraph, sparql: str) -> set[tuple[str, ...]]:
    return {tuple("" if t is None else str(t) for t in row) for row in kg.run(sparql).rows}


# --- every query file -----------------------------------------------------------------------------------


SPARQL_QUERY = {
    "Content-Type": "application/sparql-query",
    "Accept": "application/sparql-results+json, application/n-triples",
}


def answer_of(response_or_result: object) -> tuple[str, Counter]:
    """What an answer says, blank nodes aside (their labels are local): its kind and its rows or
    triples, from the endpoint's response (SPARQL JSON or N-Triples) or from a store's result."""

    def cell(term: object) -> str:
        return "" if term is None or isinstance(term, BNode) else str(term)

    if hasattr(response_or_result, "kind"):  # a store's QueryResult
        result = response_or_result
        if result.kind == "ask":
            return "ask", Counter([str(result.boolean)])
        if result.kind == "graph":
            return "graph", Counter(tuple(map(cell, triple)) for triple in result.graph)
        return "rows", Counter(tuple(sorted((k, cell(v)) for k, v in row.items())) for row in result.to_dicts())
    response = response_or_result
    if response.headers["content-type"].startswith("application/n-triples"):
        return "graph", Counter(tuple(map(cell, triple)) for triple in Graph().parse(data=response.text, format="nt"))
    body = response.json()
    if "boolean" in body:
        return "ask", Counter([str(body["boolean"])])
    rows = body["results"]["bindings"]
    names = body["head"]["vars"]
    return "rows", Counter(
        tuple(sorted((k, "" if k not in b or b[k]["type"] == "bnode" else b[k]["value"]) for k in names)) for b in rows
    )


def differences(app: InProcessApp, paths: list[Path], reference: KnowledgeGraph) -> tuple[dict[str, str], int]:
    """Each file sent as it is to ``/sparql``: where its answer is not ``reference``'s, and how many answers
    had rows. An answer cut at max-rows (an internal query with nothing bound) must be a part of the
    reference's; a LIMIT without ORDER BY may pick any rows: as many as the reference's."""
    wrong, answered = {}, 0
    for path in paths:
        text = path.read_text(encoding="utf-8")
        response = app.post("/sparql", content=text.encode(), headers=SPARQL_QUERY)
        if response.status_code != 200:
            wrong[path.name] = f"{response.status_code}: {response.text[:200]}"
            continue
        kind, got = answer_of(response)
        expected_kind, expected = answer_of(reference.run(text))
        capped = response.headers.get("X-Result-Truncated") == "true"
        if re.search(r"\bLIMIT\b", text) and not re.search(r"\bORDER\s+BY\b", text):
            got, expected = Counter([sum(got.values())]), Counter([sum(expected.values())])
        if kind != expected_kind or (got - expected if capped else got != expected):
            wrong[path.name] = f"{kind}: {sum(got.values())} differ from the reference's {sum(expected.values())}"
        answered += kind == "rows" and bool(got)
    return wrong, answered


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_every_query_file_is_admitted_as_it_is_and_answered_as_the_store_answers_it(mini, root):
    # Every file we ship (the catalogue, the checks, the internal queries), sent as it is: the guard
    # refuses nothing we publish, the endpoint predeclares no prefix (each file carries its own), and
    # the answer is the store's own, asked in this process.
    wrong, answered = differences(mini, sorted((REPO / "queries").rglob("*.rq")), KnowledgeGraph.load(root))
    assert wrong == {}
    assert answered > 10  # the comparison compared rows, not only empty answers


@pytest.mark.slow  # rdflib evaluates each catalogue query
def test_every_catalogue_file_is_answered_through_the_endpoint_as_rdflib_answers_it(mini, root):
    # rdflib's memory store, the reference, on the same slice (every engine against it on the whole
    # graph, with parameters: tests/test_query_matrix.py).
    reference = KnowledgeGraph.load(root, backend="memory")
    wrong, answered = differences(mini, sorted((REPO / "queries").glob("*.rq")), reference)
    assert wrong == {}
    assert answered > 10


# --- the endpoint's formats and refusals -------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("text/csv;q=0.5, application/sparql-results+json", "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
    ],
)
def test_select_results_come_in_the_accepted_format(mini, accept, media):
    response = mini.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 2"}, headers={"Accept": accept})
    assert response.status_code == 200 and response.headers["content-type"].startswith(media)


@pytest.mark.parametrize(
    ("fmt", "media"), [("turtle", "text/turtle"), ("nt", "application/n-triples"), ("jsonld", "application/ld+json")]
)
def test_construct_results_come_as_rdf(mini, fmt, media):
    query = with_prefixes("CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s rdfs:label ?l ; a wm:Reform }")
    response = mini.post(
        "/sparql",
        content=query,
        params={"format": fmt},
        headers={"Content-Type": "application/sparql-query"},
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith(media)
    graph = Graph().parse(data=response.text, format={"jsonld": "json-ld"}.get(fmt, fmt))
    assert len(graph) == len(kg_rows(mini.kg, "SELECT ?s ?l WHERE { ?s rdfs:label ?l ; a wm:Reform }"))


def test_malformed_queries_get_400_with_the_parser_position(mini):
    response = mini.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p "})
    assert response.status_code == 400
    assert "line 1, column" in response.text and "syntax error" in response.text


@pytest.mark.parametrize(
    "send",
    [
        lambda app: app.get("/sparql", params={"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}),
        lambda app: app.post("/sparql", data={"query": "PREFIX x: <urn:x> DELETE WHERE { ?s ?p ?o }"}),
        lambda app: app.post("/sparql", data={"update": "CLEAR ALL"}),
        lambda app: app.post("/sparql", content="DROP ALL", headers={"Content-Type": "application/sparql-update"}),
    ],
)
def test_updates_are_refused_with_403(mini, send):
    response = send(mini)
    assert response.status_code == 403 and "read-only" in response.text
    assert mini.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True


def test_service_is_refused_unless_allowed(mini):
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    response = mini.get("/sparql", params={"query": query})
    assert response.status_code == 403 and "SERVICE http://127.0.0.1:9/sparql is refused" in response.text


def test_service_targets_ignore_strings_and_comments_and_expand_prefixes():
    query = (
        "PREFIX ex: <http://ex.org/> # SERVICE <http://comment/>\n"
        'SELECT * WHERE { ?s ?p "SERVICE <http://string/>" . SERVICE SILENT ex:sparql { ?s ?p ?o } '
        "SERVICE ?where { ?a ?b ?c } }"
    )
    assert service_targets(query) == ["http://ex.org/sparql", "?where"]
    assert service_targets("SELECT * { SERVICE<http://a/>{ ?s ?p ?o } }") == ["http://a/"]
    assert service_targets("SELECT * { service\n#c\n<http://a\\u003ab/> { ?s ?p ?o } }") == ["http://a:b/"]
    assert service_targets("SELECT * { SERVICE {} }") == ["(no endpoint: {)"]  # refused as not allowed
    assert service_targets("PREFIX ex: <http://ex.org/> SELECT * { ?s ex:SERVICE ?o . ?service ?p ?o }") == []
    check_query(query.replace("SERVICE SILENT ex:sparql", "").replace("SERVICE ?where", ""), Settings())
    check_query("SELECT * WHERE { SERVICE <http://ok/> { ?s ?p ?o } }", Settings(allowed_services=["http://ok/"]))


def test_a_huge_result_is_capped_and_marked(mini):
    response = mini.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }", "format": "json"})
    assert response.status_code == 200
    assert response.headers["X-Result-Truncated"] == "true" and "max-rows" in response.headers["X-Result-Note"]
    assert len(response.json()["results"]["bindings"]) == MAX_ROWS
    small = mini.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 3"})
    assert "X-Result-Truncated" not in small.headers


def test_bodies_over_the_limit_are_refused(mini):
    query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 30_000
    response = mini.post("/sparql", content=query, headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 413


def test_cors_allows_only_the_configured_origin(mini):
    params = {"query": "ASK { ?s ?p ?o }"}
    allowed = mini.get("/sparql", params=params, headers={"Origin": "https://allowed.example"})
    assert allowed.headers["access-control-allow-origin"] == "https://allowed.example"
    other = mini.get("/sparql", params=params, headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


# --- entity pages and the ontology -------------------------------------------------------------------


def test_an_entity_iri_answers_turtle_json_ld_and_n_triples(mini):
    url = "/id/ministers-appointing-permanent-secretaries"
    for media, fmt in (("text/turtle", "turtle"), ("application/ld+json", "json-ld"), ("application/n-triples", "nt")):
        response = mini.get(url, headers={"Accept": media})
        assert response.status_code == 200 and response.headers["content-type"].startswith(media)
        graph = Graph().parse(data=response.text, format=fmt)
        subject = URIRef(WMR + "ministers-appointing-permanent-secretaries")
        erodes = URIRef("https://w3id.org/westminster-kg/ontology#erodes")
        # The article only "raises questions over" neutrality: the claim is there, its plain triple is not.
        claim = URIRef(WMR + "claim-ministers-appointing-permanent-secretaries-erodes-impartiality")
        assert (claim, RDF.subject, subject) in graph and (claim, RDF.predicate, erodes) in graph
        assert (subject, erodes, URIRef(WMR + "impartiality")) not in graph
        assert Literal("This change raises questions over the principle of neutrality") in set(graph.objects())


def test_an_entity_page_shows_its_relations_with_quotes(mini):
    response = mini.get("/id/impartiality", headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "This change raises questions over the principle of neutrality" in response.text
    assert 'href="/id/civil-service-reform-plan-2012"' in response.text
    assert ">claims continuity<" in response.text and "actor&#39;s claim" in response.text
    assert '<figure class="wmkg-neighbourhood"><svg' in response.text  # the neighbourhood, as static SVG
    assert "srcdoc=" not in response.text and "vis.Network" not in response.text


def test_unsupported_accept_gets_406(mini):
    assert mini.get("/id/npm", headers={"Accept": "image/png"}).status_code == 406
    assert mini.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": "image/png"}).status_code == 406


def test_unknown_entities_get_a_404_page_with_suggestions(mini):
    response = mini.get("/id/coalition", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert 'href="/id/coalition-government-2010-2015"' in response.text
    assert mini.get("/id/nothing-here", headers={"Accept": "text/turtle"}).status_code == 404


def test_the_ontology_is_documented_in_html_and_served_as_turtle(mini):
    page = mini.get("/ontology", headers={"Accept": "text/html"}).text
    terms = mini.kg.run(
        "SELECT ?t WHERE { GRAPH <https://w3id.org/westminster-kg/graph/ontology> { "
        # Anonymous class expressions (the owl:unionOf domains and ranges) have no anchor of their own.
        "?t a ?k . VALUES ?k { owl:Class owl:ObjectProperty owl:DatatypeProperty } FILTER(isIRI(?t)) } }"
    ).rows
    for (term,) in terms:
        assert f'id="{str(term).split("#")[1]}"' in page
    turtle = mini.get("/ontology", headers={"Accept": "text/turtle"})
    assert (None, None, None) in Graph().parse(data=turtle.text, format="turtle")


# --- the query page and the JSON API -----------------------------------------------------------------


def test_the_query_page_runs_a_catalogue_query_with_links_and_downloads(mini):
    response = mini.get(
        "/query",
        params={"name": "reforms-eroding-conventions", "run": "1", "p.government": "coalition-government-2010-2015"},
    )
    assert response.status_code == 200
    assert 'href="/id/ministers-appointing-permanent-secretaries"' in response.text
    assert "/sparql?query=" in response.text and "format=csv" in response.text
    assert "New Public Management" not in response.text.split("wmkg-results")[1]


def test_the_api_lists_and_runs_named_queries(mini):
    listing = mini.get("/api/queries").json()
    names = {q["name"] for q in listing["queries"]}
    assert {"reforms-eroding-conventions", "entity"} <= names
    answer = mini.get(
        "/api/queries/reforms-eroding-conventions", params={"government": "Coalition Government (2010-15)"}
    ).json()
    reforms = {b["reform"]["value"] for b in answer["results"]["bindings"]}
    assert reforms == {WMR + "ministers-appointing-permanent-secretaries"}
    assert mini.get("/api/queries/no-such-query").status_code == 404
    missing = mini.get("/api/queries/entity")
    assert missing.status_code == 400 and "entity" in missing.json()["error"]


def test_openapi_documents_every_named_query(mini):
    document = mini.get("/openapi.json").json()
    assert document["openapi"].startswith("3.")
    for name in mini.kg.catalogue:
        assert f"/api/queries/{name}" in document["paths"]
    assert json.dumps(document)


# --- small pieces -------------------------------------------------------------------------------------


def test_negotiation_honours_quality_and_wildcards():
    offered = {"text/turtle": "turtle", "application/ld+json": "json-ld"}
    assert negotiate("application/ld+json;q=0.9, text/turtle", offered, "turtle") == "turtle"
    assert negotiate("text/*", offered, "json-ld") == "turtle"
    assert negotiate("image/png", offered, "turtle") is None
    assert negotiate(None, offered, "json-ld") == "json-ld"


def test_only_loopback_hosts_count_as_private_and_others_get_a_warning():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.2")
    assert host_warning("127.0.0.1") is None
    assert "0.0.0.0" in host_warning("0.0.0.0") and "127.0.0.1" in host_warning("0.0.0.0")


def test_the_home_page_is_the_view_with_entity_links(mini):
    page = mini.get("/").text
    assert "wmkg-data" in page and '"page":"/id/npm"' in page


def test_templates_and_static_files_ship_inside_the_package():
    package = Path(__file__).resolve().parents[1] / "src" / "westminster_kg"
    for name in ("templates/view.html", "templates/entity.html", "templates/query.html", "static/view.js"):
        assert (package / name).is_file()


@pytest.mark.slow  # two apps' query workers start (a few seconds)
def test_a_graph_served_by_an_app_that_stopped_still_looks_up_in_the_app_serving_it_and_after(mini_root):
    # The resolver asks whether an IRI is known through the serving app's workers; an app that stopped
    # must hand that back, or the graph's look-ups ask workers that are gone (seen as "the data was
    # reloaded three times" on the app still serving the graph).
    kg = KnowledgeGraph.load(mini_root)
    unlabelled = "https://w3id.org/westminster-kg/id/no-such-entity"
    with app_in_process(kg, Settings(workers=1, reload_interval=0)) as outer:
        with app_in_process(kg, Settings(workers=1, reload_interval=0)):
            pass
        assert kg.resolver.runner == outer.site.ask
        assert kg.resolver.exists(unlabelled) is False
        assert kg.resolver.exists("https://w3id.org/westminster-kg/ontology#erodes") is True
    assert kg.resolver.runner is None  # in a notebook after the app: asked of the store in process
    assert kg.resolver.exists(unlabelled) is False
