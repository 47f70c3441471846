"""The picture pages: overview, network, timeline, article, ontology, downloads, VoID.

The app serves the real graph and is asked in this process (``support.app``); what a proxy's forwarded
headers do is asked of uvicorn on a real loopback port, as ``wmkg serve`` runs it.
"""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET

import httpx
import pytest
from rdflib import Graph, URIRef
from support import InProcessApp, app_in_process, start_server

from westminster_kg.web import Settings

# /download's dumps are made by a child process (seconds); the forwarded-header tests need uvicorn on a
# real port, a server each: the slow tier. The rest asks the app in process.
DUMPS = pytest.mark.slow

PAGES = ("/timeline", "/article", "/argument", "/network", "/ontology", "/download")


@pytest.fixture(scope="module")
def server(real_app: InProcessApp) -> InProcessApp:
    """The app over the repository's graph, asked in this process (the run's ``real_app``)."""
    return real_app


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_the_home_page_is_the_overview_and_links_every_picture(server):
    page = server.get("/").text
    assert "wmkgOverview" in page and 'id="wmkg-data"' in page
    for path in PAGES:
        assert f'href="{path}"' in page, f"/ does not link {path}"
    assert 'rel="icon" href="/favicon.ico"' in page


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
@pytest.mark.parametrize("path", [*PAGES[:-1], pytest.param("/download", marks=DUMPS)])
def test_every_picture_page_answers_and_links_the_downloads(server, path):
    response = server.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert 'href="/download"' in response.text and 'href="/favicon.ico"' in response.text
    # Nothing from another host: no src/href to http(s) or protocol-relative URLs in elements that load.
    assert not re.search(r"""<(script|link|img|iframe)[^>]+(src|href)\s*=\s*["']?(https?:)?//""", response.text, re.I)


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_entity_pages_are_light(server):
    for slug in ("haldane-convention", "coalition-government-2010-2015", "principal-agent-model"):
        response = server.get("/id/" + slug, headers={"Accept": "text/html"})
        assert response.status_code == 200
        assert len(response.content) < 150_000, f"/id/{slug} weighs {len(response.content)} bytes"
        assert "<svg" in response.text and "vis.Network" not in response.text


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_the_timeline_svg_and_page(server):
    svg = server.get("/timeline.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(svg.text)
    assert root.tag.endswith("svg")
    page = server.get("/timeline").text
    assert "wmkg-export-png" in page and "wmkg-export-svg" in page and "Haldane Report" in page


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_every_claim_is_a_mark_in_the_article_page(server):
    page = server.get("/article").text
    marked = set(re.findall(r'<mark data-claim="([^"]+)"', page))
    claims = {str(r[0]) for r in server.kg.run("SELECT ?c WHERE { ?c a wm:Claim }").rows}
    assert claims and marked == claims


@DUMPS
def test_downloads_match_their_checksums_and_unknown_names_get_404(server):
    page = server.get("/download").text
    rows = re.findall(r'href="/download/([^"]+)" download>.*?<code class="wmkg-hash">([0-9a-f]{64})</code>', page, re.S)
    # The six dumps, then the package and its citation (tests/test_scholarly_web.py reads those two).
    suffixes = {name.rsplit(".", 1)[-1] for name, _ in rows}
    assert suffixes == {"nq", "trig", "ttl", "jsonld", "csv", "graphml", "zip", "cff"}
    for name, digest in rows:
        body = server.get("/download/" + name).content
        assert hashlib.sha256(body).hexdigest() == digest, name
        assert f"({len(body)} bytes)" in page
    turtle = server.get("/download/westminster-kg.ttl").text
    graph = Graph().parse(data=turtle, format="turtle")
    assert (URIRef("https://w3id.org/westminster-kg/id/npm"), None, None) in graph
    missing = server.get("/download/passwords.txt")
    assert missing.status_code == 404 and "westminster-kg.ttl" in missing.text


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_void_and_favicon(server):
    void = server.get("/.well-known/void")
    assert void.status_code == 200 and void.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=void.text, format="turtle")
    assert (
        None,
        URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
        URIRef("http://rdfs.org/ns/void#Dataset"),
    ) in graph
    icon = server.get("/favicon.ico")
    assert (
        icon.status_code == 200 and icon.headers["content-type"] == "image/x-icon" and icon.content[:4] == b"\0\0\1\0"
    )


VOID_ENDPOINT = URIRef("http://rdfs.org/ns/void#sparqlEndpoint")


def void_endpoints(text: str) -> set[str]:
    return {str(o) for o in Graph().parse(data=text, format="turtle").objects(None, VOID_ENDPOINT)}


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_void_names_the_endpoint_the_request_came_to(server):
    # It said http://127.0.0.1:8000/sparql whatever address the server was reached at.
    assert void_endpoints(server.get("/.well-known/void").text) == {server.url + "/sparql"}
    port = server.url.rsplit(":", 1)[1]
    other = server.get("/.well-known/void", headers={"Host": f"localhost:{port}"})
    assert other.status_code == 200 and void_endpoints(other.text) == {f"http://localhost:{port}/sparql"}


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_void_behind_a_proxy_names_the_public_endpoint(real_app):
    kg = real_app.kg  # the run's graph, read by a second app with its own settings
    with app_in_process(kg, Settings(workers=1, base_url="https://kg.example.org/wm/")) as app:
        text = app.get("/.well-known/void").text
        assert void_endpoints(text) == {"https://kg.example.org/wm/sparql"}


@pytest.mark.slow  # uvicorn's proxy headers on a real loopback port
def test_a_forwarded_proto_from_an_untrusted_client_changes_nothing_for_anyone(real_app):
    # uvicorn trusted X-Forwarded-Proto from 127.0.0.1, and the answer cache kept what it produced: after one
    # such request the service description, the reconciliation manifest and VoID said https:// for everyone.
    from westminster_kg.web.connections import uvicorn_options

    kg = real_app.kg  # the run's graph, served by an app of its own on a real port
    for running in start_server(kg, Settings(workers=1), **uvicorn_options()):
        forged = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"}
        for path, accept in (("/.well-known/void", "text/turtle"), ("/reconcile", "*/*"), ("/sparql", "text/turtle")):
            httpx.get(running.url + path, headers={"Accept": accept, **forged}, timeout=60)
        void = httpx.get(running.url + "/.well-known/void", timeout=60).text
        assert void_endpoints(void) == {running.url + "/sparql"}
        manifest = httpx.get(running.url + "/reconcile", timeout=60).json()
        assert manifest["view"]["url"] == running.url + "/id/{{id}}"
        description = Graph().parse(
            data=httpx.get(running.url + "/sparql", headers={"Accept": "text/turtle"}, timeout=60).text, format="turtle"
        )
        endpoints = {
            str(o)
            for o in description.objects(None, URIRef("http://www.w3.org/ns/sparql-service-description#endpoint"))
        }
        assert endpoints == {running.url + "/sparql"}


@pytest.mark.slow  # uvicorn's proxy headers on a real loopback port
def test_a_named_proxy_is_trusted_and_each_scheme_gets_its_own_answer(real_app):
    from westminster_kg.web.connections import uvicorn_options

    kg = real_app.kg  # the run's graph, served by an app of its own on a real port
    settings = Settings(workers=1, forwarded_allow_ips=["127.0.0.1"])
    for running in start_server(kg, settings, **uvicorn_options(forwarded_allow_ips=settings.forwarded_allow_ips)):
        host = running.url.removeprefix("http://")
        secure = httpx.get(running.url + "/.well-known/void", headers={"X-Forwarded-Proto": "https"}, timeout=60)
        assert void_endpoints(secure.text) == {f"https://{host}/sparql"}
        plain = httpx.get(running.url + "/.well-known/void", timeout=60)
        assert void_endpoints(plain.text) == {f"http://{host}/sparql"}  # the cache keys on the scheme
