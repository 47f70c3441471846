"""The web app, started for real with uvicorn on a loopback port and queried by real clients."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, SPARQLWrapper
from support import DATA, REPO, RunningServer, make_project, pool_answer, start_server

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
TIME_LIMIT = 1.5
MAX_ROWS = 50
# Four copies of every triple joined with each other: far more work than any time limit allows.
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


# A real HTTP server with worker processes: the slow tier.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def mini(tmp_path_factory) -> Iterator[RunningServer]:
    root = make_project(tmp_path_factory.mktemp("web") / "mini", DATA / "valid" / "slice.ttl")
    settings = Settings(
        query_timeout=TIME_LIMIT,
        max_rows=MAX_ROWS,
        max_body=20_000,
        cors_origins=["https://allowed.example"],
        workers=2,
    )
    yield from start_server(KnowledgeGraph.load(root), settings)


def sparql_rows(result: dict) -> set[tuple[str, ...]]:
    variables = result["head"]["vars"]
    return {tuple(b.get(v, {}).get("value", "") for v in variables) for b in result["results"]["bindings"]}


def kg_rows(kg: KnowledgeGraph, sparql: str) -> set[tuple[str, ...]]:
    return {tuple("" if t is None else str(t) for t in row) for row in kg.run(sparql).rows}


# --- real SPARQL clients ------------------------------------------------------------------------------


def test_every_query_file_runs_as_it_is_through_the_sparql_endpoint(mini):
    # The endpoint predeclares no prefix, like any SPARQL 1.1 endpoint: each file carries its own.
    failed = {}
    for path in sorted((REPO / "queries").rglob("*.rq")):
        response = httpx.post(
            mini.url + "/sparql",
            data={"query": path.read_text(encoding="utf-8")},
            headers={"Accept": "application/sparql-results+json, text/turtle"},
            timeout=60,
        )
        if response.status_code != 200:
            failed[path.name] = f"{response.status_code}: {response.text[:200]}"
    assert failed == {}


def test_sparqlwrapper_gets_the_same_json_and_csv_as_wmkg_query(mini):
    named = mini.kg.named_query("reforms-eroding-conventions")
    client = SPARQLWrapper(mini.url + "/sparql")
    client.setQuery(named.sparql)  # the .rq file as it is: it declares its own prefixes
    client.setReturnFormat(JSON)
    answer = client.query().convert()
    assert sparql_rows(answer) == kg_rows(mini.kg, named.sparql) != set()
    client.setReturnFormat(CSV)
    text = client.query().convert().decode("utf-8")
    assert text.splitlines()[0].split(",") == answer["head"]["vars"]
    assert len(text.strip().splitlines()) == len(answer["results"]["bindings"]) + 1
    client.setMethod("POST")
    client.setReturnFormat(JSON)
    assert sparql_rows(client.query().convert()) == sparql_rows(answer)


def test_sparqlwrapper_defaults_work_for_construct(mini):
    client = SPARQLWrapper(mini.url + "/sparql")  # its default return format is XML: RDF/XML for graphs
    client.setQuery(with_prefixes("CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s rdfs:label ?l ; a wm:Reform }"))
    graph = client.query().convert()
    assert len(graph) == len(kg_rows(mini.kg, "SELECT ?s ?l WHERE { ?s rdfs:label ?l ; a wm:Reform }")) > 0


def test_rdflib_sparqlstore_answers_like_the_local_store(mini):
    sparql = "SELECT ?s ?label WHERE { ?s rdfs:label ?label . ?s a wm:Reform }"
    remote = Graph(store=SPARQLStore(mini.url + "/sparql"))
    answer = {(str(s), str(label)) for s, label in remote.query(with_prefixes(sparql))}
    assert answer == kg_rows(mini.kg, sparql) != set()
    assert (
        URIRef(WMR + "npm"),
        URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
        Literal("New Public Management", lang="en"),
    ) in remote


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
    response = httpx.get(
        mini.url + "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 2"}, headers={"Accept": accept}
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith(media)


@pytest.mark.parametrize(
    ("fmt", "media"), [("turtle", "text/turtle"), ("nt", "application/n-triples"), ("jsonld", "application/ld+json")]
)
def test_construct_results_come_as_rdf(mini, fmt, media):
    query = with_prefixes("CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s rdfs:label ?l ; a wm:Reform }")
    response = httpx.post(
        mini.url + "/sparql",
        content=query,
        params={"format": fmt},
        headers={"Content-Type": "application/sparql-query"},
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith(media)
    graph = Graph().parse(data=response.text, format={"jsonld": "json-ld"}.get(fmt, fmt))
    assert len(graph) == len(kg_rows(mini.kg, "SELECT ?s ?l WHERE { ?s rdfs:label ?l ; a wm:Reform }"))


def test_malformed_queries_get_400_with_the_parser_position(mini):
    response = httpx.get(mini.url + "/sparql", params={"query": "SELECT * WHERE { ?s ?p "})
    assert response.status_code == 400
    assert "line 1, column" in response.text and "syntax error" in response.text


@pytest.mark.parametrize(
    "send",
    [
        lambda url: httpx.get(url, params={"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}),
        lambda url: httpx.post(url, data={"query": "PREFIX x: <urn:x> DELETE WHERE { ?s ?p ?o }"}),
        lambda url: httpx.post(url, data={"update": "CLEAR ALL"}),
        lambda url: httpx.post(url, content="DROP ALL", headers={"Content-Type": "application/sparql-update"}),
    ],
)
def test_updates_are_refused_with_403(mini, send):
    response = send(mini.url + "/sparql")
    assert response.status_code == 403 and "read-only" in response.text
    assert httpx.get(mini.url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True


def test_service_is_refused_unless_allowed(mini):
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    response = httpx.get(mini.url + "/sparql", params={"query": query})
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
    response = httpx.get(mini.url + "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }", "format": "json"})
    assert response.status_code == 200
    assert response.headers["X-Result-Truncated"] == "true" and "max-rows" in response.headers["X-Result-Note"]
    assert len(response.json()["results"]["bindings"]) == MAX_ROWS
    small = httpx.get(mini.url + "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 3"})
    assert "X-Result-Truncated" not in small.headers


def test_a_slow_query_is_stopped_while_other_clients_are_answered(mini):
    def slow() -> tuple[httpx.Response, float, float]:
        started = time.monotonic()
        response = httpx.get(mini.url + "/sparql", params={"query": ENDLESS}, timeout=60)
        return response, time.monotonic() - started, time.monotonic()

    with ThreadPoolExecutor(1) as pool:
        stuck = pool.submit(slow)
        time.sleep(0.3)
        quick = httpx.get(mini.url + "/sparql", params={"query": with_prefixes("ASK { ?s a wm:Reform }")}, timeout=30)
        quick_answered = time.monotonic()
        response, seconds, slow_answered = stuck.result()
    assert quick.status_code == 200 and quick.json()["boolean"] is True
    # An order, not a duration (the machine may be busy): had the quick query queued behind the slow
    # one, it would have been answered only after the slow one was stopped.
    assert quick_answered < slow_answered, "another client waited for the slow query"
    assert response.status_code == 503 and "time limit" in response.text
    # Not before its limit; how long after it depends on the machine's load (the endless query never ends).
    assert seconds >= TIME_LIMIT
    # The killed worker is replaced: both workers answer again.
    for _ in range(4):
        assert httpx.get(mini.url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30).status_code == 200


def test_bodies_over_the_limit_are_refused(mini):
    query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 30_000
    response = httpx.post(mini.url + "/sparql", content=query, headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 413


def test_cors_allows_only_the_configured_origin(mini):
    url = mini.url + "/sparql"
    params = {"query": "ASK { ?s ?p ?o }"}
    allowed = httpx.get(url, params=params, headers={"Origin": "https://allowed.example"})
    assert allowed.headers["access-control-allow-origin"] == "https://allowed.example"
    other = httpx.get(url, params=params, headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


# --- entity pages and the ontology -------------------------------------------------------------------


def test_an_entity_iri_answers_turtle_json_ld_and_n_triples(mini):
    url = mini.url + "/id/ministers-appointing-permanent-secretaries"
    for media, fmt in (("text/turtle", "turtle"), ("application/ld+json", "json-ld"), ("application/n-triples", "nt")):
        response = httpx.get(url, headers={"Accept": media})
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
    response = httpx.get(mini.url + "/id/impartiality", headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "This change raises questions over the principle of neutrality" in response.text
    assert 'href="/id/civil-service-reform-plan-2012"' in response.text
    assert ">claims continuity<" in response.text and "actor&#39;s claim" in response.text
    assert '<figure class="wmkg-neighbourhood"><svg' in response.text  # the neighbourhood, as static SVG
    assert "srcdoc=" not in response.text and "vis.Network" not in response.text


def test_unsupported_accept_gets_406(mini):
    assert httpx.get(mini.url + "/id/npm", headers={"Accept": "image/png"}).status_code == 406
    assert (
        httpx.get(mini.url + "/sparql", params={"query": "ASK {}"}, headers={"Accept": "image/png"}).status_code == 406
    )


def test_unknown_entities_get_a_404_page_with_suggestions(mini):
    response = httpx.get(mini.url + "/id/coalition", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert 'href="/id/coalition-government-2010-2015"' in response.text
    assert httpx.get(mini.url + "/id/nothing-here", headers={"Accept": "text/turtle"}).status_code == 404


def test_the_ontology_is_documented_in_html_and_served_as_turtle(mini):
    page = httpx.get(mini.url + "/ontology", headers={"Accept": "text/html"}).text
    terms = mini.kg.run(
        "SELECT ?t WHERE { GRAPH <https://w3id.org/westminster-kg/graph/ontology> { "
        # Anonymous class expressions (the owl:unionOf domains and ranges) have no anchor of their own.
        "?t a ?k . VALUES ?k { owl:Class owl:ObjectProperty owl:DatatypeProperty } FILTER(isIRI(?t)) } }"
    ).rows
    for (term,) in terms:
        assert f'id="{str(term).split("#")[1]}"' in page
    turtle = httpx.get(mini.url + "/ontology", headers={"Accept": "text/turtle"})
    assert (None, None, None) in Graph().parse(data=turtle.text, format="turtle")


# --- the query page and the JSON API -----------------------------------------------------------------


def test_the_query_page_runs_a_catalogue_query_with_links_and_downloads(mini):
    response = httpx.get(
        mini.url + "/query",
        params={"name": "reforms-eroding-conventions", "run": "1", "p.government": "coalition-government-2010-2015"},
    )
    assert response.status_code == 200
    assert 'href="/id/ministers-appointing-permanent-secretaries"' in response.text
    assert "/sparql?query=" in response.text and "format=csv" in response.text
    assert "New Public Management" not in response.text.split("wmkg-results")[1]


def test_the_api_lists_and_runs_named_queries(mini):
    listing = httpx.get(mini.url + "/api/queries").json()
    names = {q["name"] for q in listing["queries"]}
    assert {"reforms-eroding-conventions", "entity"} <= names
    answer = httpx.get(
        mini.url + "/api/queries/reforms-eroding-conventions", params={"government": "Coalition Government (2010-15)"}
    ).json()
    reforms = {b["reform"]["value"] for b in answer["results"]["bindings"]}
    assert reforms == {WMR + "ministers-appointing-permanent-secretaries"}
    assert httpx.get(mini.url + "/api/queries/no-such-query").status_code == 404
    missing = httpx.get(mini.url + "/api/queries/entity")
    assert missing.status_code == 400 and "entity" in missing.json()["error"]


def test_openapi_documents_every_named_query(mini):
    document = httpx.get(mini.url + "/openapi.json").json()
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
    page = httpx.get(mini.url + "/").text
    assert "wmkg-data" in page and '"page":"/id/npm"' in page


def test_templates_and_static_files_ship_inside_the_package():
    package = Path(__file__).resolve().parents[1] / "src" / "westminster_kg"
    for name in ("templates/view.html", "templates/entity.html", "templates/query.html", "static/view.js"):
        assert (package / name).is_file()


def test_the_time_limit_kills_the_worker_process_and_a_new_one_takes_its_place(mini):
    from westminster_kg.web import QueryPool, QueryTimeoutError

    pool = QueryPool(mini.kg, workers=1)
    try:
        [worker] = pool._all
        # The endless query never returns by itself: the timeout error is the proof it was stopped,
        # without a wall-clock bound that a busy machine could break.
        with pytest.raises(QueryTimeoutError):
            pool_answer(pool, ENDLESS, timeout=1.0, max_rows=10)
        assert worker.process.poll() is not None, "the runaway query's process is still running"
        assert pool.replaced == 1
        result, capped = pool_answer(pool, "ASK { ?s ?p ?o }", timeout=30, max_rows=10)
        assert result.boolean is True and not capped
    finally:
        pool.close()


def test_an_allowed_service_is_called_and_answers(mini):
    remote = mini.url + "/sparql"
    for federating in start_server(mini.kg, Settings(allowed_services=[remote], workers=1)):
        query = with_prefixes(f"SELECT ?label WHERE {{ SERVICE <{remote}> {{ wmr:npm rdfs:label ?label }} }}")
        response = httpx.get(federating.url + "/sparql", params={"query": query}, timeout=30)
        assert response.status_code == 200, response.text
        assert [b["label"]["value"] for b in response.json()["results"]["bindings"]] == ["New Public Management"]


@pytest.mark.parametrize(
    "path",
    [
        "/id/../../etc/passwd",
        "/id/%2e%2e/%2e%2e/etc/passwd",
        "/id/..%2f..%2fetc%2fpasswd",
        "/id/%252e%252e%252fetc",
        "/id/npm%00.ttl",
        "/id/..\\..\\windows",
        "/../../etc/passwd",
    ],
)
def test_entity_and_other_paths_refuse_traversal(mini, path):
    # A raw request, so no client normalises the path before it reaches the server.
    host, port = mini.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        reply = b""
        while chunk := connection.recv(65536):
            reply += chunk
    status = int(reply.split(b" ", 2)[1])
    assert status in (400, 404), reply[:200]
    assert b"root:" not in reply
