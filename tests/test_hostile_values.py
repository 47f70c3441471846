"""Values that arrive in a request are bound as terms or refused: never query text, never a 5xx.

Every endpoint that takes a value — a catalogue parameter (``/api``, ``/query``), an ``/id/`` slug, a
search string, ``/reconcile``'s query, type and property ids and preview id, the Protocol's graph IRIs —
gets values built to close an IRI, a string or a group and append a ``SERVICE`` call to a recording
server on loopback. Each answer is a 4xx (or, for free text, an ordinary answer), the recorder is never
called, and the server still answers its pages afterwards.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest
from support import REPO, Recording, RunningServer, recording_server, start_server

from westminster_kg import KnowledgeGraph
from westminster_kg.web import Settings

pytestmark = pytest.mark.slow  # a real server with its workers

CLIENT_TIMEOUT = 60  # a bound on a hang, not a speed requirement


@pytest.fixture(scope="module")
def recorder() -> Iterator[Recording]:
    with recording_server() as recording:
        yield recording


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    yield from start_server(KnowledgeGraph.load(REPO), Settings(workers=1, query_timeout=10))


def hostile_values(recorder: Recording) -> list[str]:
    call = f"SERVICE <{recorder.url}/hit> {{ ?a ?b ?c }}"
    return [
        f"https://w3id.org/westminster-kg/id/x> ?p ?o }} {call} {{ <x",  # closes an IRI
        f'x" }} {call} {{ ?s ?p "',  # closes a string and a group
        f"wm:erodes }} {call} #",  # a CURIE, a brace and a comment
        f"x\n}} {call}\n# ",  # new lines around a group
        "x\\u003e } SERVICE <" + recorder.url + "/escaped> { ?a ?b ?c }",  # an escape that reads as '>'
    ]


def get(server: RunningServer, path: str, **params: object) -> httpx.Response:
    return httpx.get(server.url + path, params=params, timeout=CLIENT_TIMEOUT)


def reconcile(server: RunningServer, query: dict) -> httpx.Response:
    return get(server, "/reconcile", queries=json.dumps({"q": query}))


def test_hostile_values_get_a_4xx_everywhere_and_call_nobody(server: RunningServer, recorder: Recording) -> None:
    for value in hostile_values(recorder):
        answers = {
            "api": get(server, "/api/queries/reforms-eroding-conventions", government=value),
            "query page": get(server, "/query", name="reforms-eroding-conventions", run="1", **{"p.government": value}),
            "entity page": httpx.get(server.url + "/id/" + quote(value, safe=""), timeout=CLIENT_TIMEOUT),
            "reconcile property": reconcile(server, {"query": "Treasury", "properties": [{"pid": value, "v": "x"}]}),
            "reconcile type": reconcile(server, {"query": "Treasury", "type": value}),
            "reconcile preview": get(server, "/reconcile/preview", id=value),
            "sparql graph": get(server, "/sparql", query="ASK { ?s ?p ?o }", **{"default-graph-uri": value}),
        }
        for where, answer in answers.items():
            assert 400 <= answer.status_code < 500, (where, value, answer.status_code, answer.text[:300])
        # Free text is only ever looked up, never read as a query: an ordinary answer.
        for path, params in (
            ("/search", {"q": value}),
            ("/reconcile/suggest/entity", {"prefix": value}),
            ("/reconcile", {"queries": json.dumps({"q": {"query": value}})}),
        ):
            answer = get(server, path, **params)
            assert answer.status_code == 200, (path, value, answer.text[:300])
    assert recorder.hits == []
    assert get(server, "/api/queries/governments", format="json").status_code == 200  # still answering


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"query": "Treasury", "type": [1]}, "queries.q.type[0]"),
        ({"query": "Treasury", "type": [["wm:Department"]]}, "queries.q.type[0]"),
        ({"query": "Treasury", "limit": 0.0001}, "queries.q.limit"),
        ({"query": "Treasury", "limit": 0}, "queries.q.limit"),
        ({"query": "Treasury", "limit": 2.5}, "queries.q.limit"),
        ({"query": "Treasury", "properties": [{"pid": "wm:noSuchProperty", "v": "x"}]}, "queries.q.properties[0].pid"),
        ({"query": "Treasury", "properties": [{"pid": "wm:primeMinister", "v": [[1]]}]}, "queries.q.properties[0].v"),
        ({"query": "Treasury", "type": "wm:NoSuchClass"}, "queries.q.type[0]"),
        ({"query": ["Treasury"]}, "queries.q.query"),
    ],
)
def test_a_malformed_reconciliation_query_is_a_400_naming_its_field(
    server: RunningServer, query: dict, field: str
) -> None:
    answer = reconcile(server, query)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"].startswith(field), answer.json()


def test_deeply_nested_json_is_a_400_not_a_crash(server: RunningServer) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    for answer in (
        get(server, "/reconcile", queries=deep[:20_000]),
        httpx.post(server.url + "/reconcile", data={"queries": deep}, timeout=CLIENT_TIMEOUT),
    ):
        assert answer.status_code in (400, 413), answer.text[:300]
        assert "error" in answer.json()


def test_an_integral_limit_and_a_known_property_still_work(server: RunningServer) -> None:
    answer = reconcile(
        server,
        {
            "query": "Government",
            "limit": 5.0,
            "properties": [{"pid": "wm:primeMinister", "v": {"id": "margaret-thatcher"}}],
        },
    )
    assert answer.status_code == 200, answer.text
    assert [r["id"] for r in answer.json()["q"]["result"]] == ["thatcher-government-1979-1990"]


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ("", 400, "the query is empty"),
        ("  \n ", 400, "the query is empty"),
        ("DESCRIBE *", 200, ""),
        ("SELECT " + " ".join(f"?v{i}" for i in range(5000)) + " WHERE {}", 200, ""),
        ("DROP ALL", 403, "updates are refused"),
    ],
    ids=["empty", "blank", "describe-star", "5000-variables", "update"],
)
def test_odd_queries_get_their_own_one_line_answer(server: RunningServer, body: str, status: int, message: str) -> None:
    # Once: an empty body was refused as an update (403), DESCRIBE * was a 400 "'NoneType' object is not
    # iterable" and a 5,000-variable SELECT a 400 naming an internal exception (_ParseBudgetError).
    answer = httpx.post(
        server.url + "/sparql",
        content=body.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json, text/turtle"},
        timeout=CLIENT_TIMEOUT,
    )
    assert answer.status_code == status, answer.text[:300]
    if status != 200:
        assert message in answer.text and len(answer.text.strip().splitlines()) == 1


def test_a_time_out_is_a_503_on_every_route_that_asks_the_workers() -> None:
    # A time limit no query can meet: every route that asks the workers must say 503, never 500 or 400.
    html, turtle = "text/html", "text/turtle"
    asks = [
        ("/api/queries/governments", html),
        ("/query?name=governments&run=1", html),
        ("/query?name=governments&run=1&sparql=SELECT%20*%20WHERE%20%7B%7D", html),  # client-written
        ("/id/haldane-convention", html),
        ("/id/haldane-convention", turtle),
        ("/ontology", turtle),  # its HTML is rendered once per data generation, without the workers
        ("/reconcile?queries=" + quote(json.dumps({"q": {"query": "Treasury"}})), html),
        ("/reconcile/preview?id=hm-treasury", html),
        ("/sparql?query=ASK%20%7B%7D", "application/sparql-results+json"),
        ("/sparql", turtle),  # the service description counts the graphs
    ]
    for running in start_server(KnowledgeGraph.load(REPO), Settings(workers=1, query_timeout=0.000_001)):
        for path, accept in asks:
            answer = httpx.get(running.url + path, headers={"Accept": accept}, timeout=CLIENT_TIMEOUT)
            assert answer.status_code == 503, (path, accept, answer.status_code, answer.text[:200])
