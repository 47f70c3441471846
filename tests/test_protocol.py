"""The W3C SPARQL 1.1 Protocol test suite, run against ``wmkg serve`` on loopback.

The manifest (tests/data/w3c-protocol/, copied from w3c/rdf-tests) describes each test as HTTP
requests with the status class, result format and boolean expected. Every query test applies to
this read-only endpoint, and so does every ``bad_update_*`` test (an update must be refused); the
seven ``update_*`` tests that expect an update to succeed do not.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Graph, Namespace
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS
from support import DATA, RunningServer, make_project, start_server

from westminster_kg import KnowledgeGraph
from westminster_kg.web import Settings
from westminster_kg.web.media import GRAPH_TYPES, RESULT_TYPES

pytestmark = pytest.mark.slow  # a real server on loopback, or the CLI in subprocesses
SUITE = DATA / "w3c-protocol"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")

MANIFEST = Graph().parse(SUITE / "manifest.ttl", format="turtle", publicID="http://example.org/protocol/manifest.ttl")
TESTS = {
    str(test).rsplit("#", 1)[-1]: test
    for test in Collection(MANIFEST, next(MANIFEST.objects(None, MF.entries)))
    if not str(test).rsplit("#", 1)[-1].startswith("update_")
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The endpoint over the mini project plus the suite's data files in the graphs the manifest names."""
    root = make_project(tmp_path_factory.mktemp("protocol") / "mini", DATA / "valid" / "slice.ttl")
    kg = KnowledgeGraph.load(root)
    for data in sorted(set(MANIFEST.objects(None, UT.graphData))):
        name = str(MANIFEST.value(data, RDFS.label))
        path = SUITE / Path(str(MANIFEST.value(data, UT.graph))).name
        kg.store.store.load(path=str(path), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(name))
    yield from start_server(kg, Settings(query_timeout=20, workers=1))


def _requests(test: object) -> list[object]:
    action = MANIFEST.value(test, MF.action)
    return list(Collection(MANIFEST, MANIFEST.value(action, HT.requests)))


def _send(server: RunningServer, request: object) -> httpx.Response:
    path = str(MANIFEST.value(request, HT.absolutePath)).replace("/sparql/", "/sparql", 1)
    headers = {}
    header_list = MANIFEST.value(request, HT.headers)
    if header_list is not None:
        for header in Collection(MANIFEST, header_list):
            headers[str(MANIFEST.value(header, HT.fieldName))] = str(MANIFEST.value(header, HT.fieldValue))
    body = MANIFEST.value(request, HT.body)
    content = None
    if body is not None:
        encoding = str(MANIFEST.value(body, CNT.characterEncoding) or "UTF-8")
        content = str(MANIFEST.value(body, CNT.chars)).encode(encoding)
    method = str(MANIFEST.value(request, HT.methodName))
    return server.request(method, path, headers=headers, content=content, timeout=60)


def _boolean(response: httpx.Response) -> bool:
    media = response.headers["content-type"].split(";")[0]
    if RESULT_TYPES.get(media) == "json":
        return json.loads(response.text)["boolean"]
    assert RESULT_TYPES.get(media) == "xml", media
    return "<boolean>true</boolean>" in response.text


@pytest.mark.parametrize("name", sorted(TESTS))
def test_w3c_protocol(server: RunningServer, name: str) -> None:
    for request in _requests(TESTS[name]):
        response = _send(server, request)
        expected = MANIFEST.value(request, HT.resp)
        classes = {str(s).rsplit("#StatusCode", 1)[-1] for s in MANIFEST.objects(expected, MF.expectedStatus)}
        assert f"{response.status_code // 100}xx" in classes, (response.status_code, response.text[:300])
        media = response.headers.get("content-type", "").split(";")[0]
        form = MANIFEST.value(expected, MF.expectedFormat)
        if form is not None and str(form) in ("boolean", "tabular"):
            assert media in RESULT_TYPES, media
        elif form is not None and str(form) == "RDF":
            assert media in GRAPH_TYPES, media
            Graph().parse(data=response.text, format=GRAPH_TYPES[media])
        boolean = MANIFEST.value(expected, MF.expectedBoolean)
        if boolean is not None:
            assert _boolean(response) is boolean.toPython()


def test_the_suite_is_the_one_expected() -> None:
    # 34 tests in the manifest; the 7 update_* tests (updates that should succeed) do not apply here.
    assert len(list(Collection(MANIFEST, next(MANIFEST.objects(None, MF.entries))))) == 34
    assert len(TESTS) == 27
    assert RDF.type  # the namespaces above are the manifest's own
