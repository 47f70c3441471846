"""The web app on a real loopback port (uvicorn, as ``wmkg serve`` runs it), for what only a real
connection shows: real SPARQL clients (SPARQLWrapper, rdflib's SPARQLStore), a slow query stopped while
other clients are answered, request paths no client would normalise, and SERVICE calling another
server. What the app answers is asked in process in tests/test_web.py.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, SPARQLWrapper
from support import DATA, RunningServer, make_project, pool_answer, start_server

from westminster_kg import KnowledgeGraph
from westminster_kg.catalogue import with_prefixes
from westminster_kg.web import Settings

WMR = "https://w3id.org/westminster-kg/id/"
TIME_LIMIT = 1.5
# Four copies of every triple joined with each other: far more work than any time limit allows.
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"

# A real HTTP server with worker processes, and queries stopped at their time limit: the slow tier.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def mini(tmp_path_factory) -> Iterator[RunningServer]:
    root = make_project(tmp_path_factory.mktemp("web") / "mini", DATA / "valid" / "slice.ttl")
    yield from start_server(KnowledgeGraph.load(root), Settings(query_timeout=TIME_LIMIT, max_rows=50, workers=2))


def sparql_rows(result: dict) -> set[tuple[str, ...]]:
    variables = result["head"]["vars"]
    return {tuple(b.get(v, {}).get("value", "") for v in variables) for b in result["results"]["bindings"]}


def kg_rows(kg: KnowledgeGraph, sparql: str) -> set[tuple[str, ...]]:
    return {tuple("" if t is None else str(t) for t in row) for row in kg.run(sparql).rows}


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
