"""The query page and /api, asked of the app in process: empty answers say so, notes reach the page and
the JSON, values of another kind are 400s; CORS as the README says it, and from a page of another origin
in Chromium (a real server on loopback); a notebook's picture unpacks itself in Chromium."""

from __future__ import annotations

import http.server
import json
from collections.abc import Iterator
from urllib.parse import urlencode

import httpx
import pytest
from support import REPO, InProcessApp, RunningServer, http_server_on_loopback, start_server

from westminster_kg import KnowledgeGraph
from westminster_kg.web import Settings

EMPTY = {"government": "Major", "convention": "impartiality"}
EMPTY_SUMMARY = "0 rows with government = Major Government (1990-1997), convention = impartiality"


@pytest.fixture(scope="module")
def kg() -> KnowledgeGraph:
    return KnowledgeGraph.load(REPO)


@pytest.fixture(scope="module")
def server(real_app: InProcessApp) -> InProcessApp:
    """The app with the default CORS (any origin), asked in this process (the run's ``real_app``)."""
    return real_app


@pytest.fixture(scope="module")
def http_server(kg: KnowledgeGraph) -> Iterator[RunningServer]:
    """The app on a real loopback port, for a page of another origin in Chromium to read."""
    yield from start_server(kg, Settings(workers=1, reload_interval=0))  # the default CORS: any origin


def query_page(server: InProcessApp, name: str, params: dict[str, str]) -> httpx.Response:
    query = {"name": name, "run": "1", **{f"p.{k}": v for k, v in params.items()}}
    return server.get(f"/query?{urlencode(query)}")


def row_count(page: httpx.Response) -> str:
    """The text of the page's row count, as a reader reads it."""
    import html
    import re

    found = re.search(r'<p [^>]*id="wmkg-row-count"[^>]*>(.*?)</p>', page.text, re.S)
    assert found, "no row count on the page"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).split())


# --- the query page -----------------------------------------------------------------------------------


def test_the_query_page_says_0_rows_and_the_values_it_was_asked_with(server: InProcessApp) -> None:
    page = query_page(server, "reforms-eroding-conventions", EMPTY)
    assert page.status_code == 200
    assert row_count(page).startswith(
        "0 rows with government = Major Government (1990-1997) (wmr:major-government-1990-1997), "
        "convention = impartiality (wmr:impartiality): the graph holds nothing that matches"
    )
    assert "<table" not in page.text.split('id="wmkg-results"')[1]


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_the_query_page_notes_the_whole_for_a_part_and_shows_its_rows(server: InProcessApp, kg) -> None:
    page = query_page(server, "reforms-eroding-conventions", {"government": "Blair"})
    rows = kg.query("reforms-eroding-conventions", government="Blair").rows
    assert page.status_code == 200 and rows
    assert row_count(page).startswith(f"{len(rows)} rows with government = Blair Government (1997-2007)")
    assert "the article attributes these to New Labour Government (1997-2010) as a whole" in page.text
    assert page.text.count("<tr>") == len(rows) + 1


def test_the_query_page_refuses_a_value_of_another_kind_with_400(server: InProcessApp) -> None:
    page = query_page(server, "reforms-eroding-conventions", {"government": "NPM"})
    assert page.status_code == 400
    assert "&#39;NPM&#39; is an idea (New Public Management), not a government; the governments are" in page.text


# --- /api ---------------------------------------------------------------------------------------------


def test_api_json_says_0_rows_with_its_filters(server: InProcessApp) -> None:
    answer = server.get("/api/queries/reforms-eroding-conventions", params=EMPTY)
    assert answer.status_code == 200
    body = answer.json()
    assert body["results"]["bindings"] == []
    assert body["wmkg"] == {
        "rows": 0,
        "summary": EMPTY_SUMMARY,
        "filters": {"government": "Major Government (1990-1997)", "convention": "impartiality"},
        "notes": [],
    }
    assert answer.headers["X-Result-Rows"] == "0" and answer.headers["X-Result-Note"] == EMPTY_SUMMARY


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_api_flat_formats_carry_the_count_and_notes_in_headers(server: InProcessApp, fmt: str, kg) -> None:
    answer = server.get(
        "/api/queries/reforms-eroding-conventions",
        params={"government": "Brown", "format": fmt},
    )
    rows = kg.query("reforms-eroding-conventions", government="Brown").rows
    assert answer.status_code == 200 and answer.headers["X-Result-Rows"] == str(len(rows))
    assert "as a whole" in answer.headers["X-Result-Note"]
    if fmt == "json":
        assert len(answer.json()) == len(rows)


def test_api_notes_a_part_of_a_government_in_its_json(server: InProcessApp) -> None:
    body = server.get("/api/queries/continuity-paradox", params={"government": "Brown"}).json()
    assert body["wmkg"]["rows"] == len(body["results"]["bindings"]) > 0
    assert body["wmkg"]["notes"] == [
        "government: Brown Government (2007-2010) is part of New Labour Government (1997-2010): the article "
        "attributes these to New Labour Government (1997-2010) as a whole, and they are included"
    ]


@pytest.mark.parametrize("value", ["NPM", "Thatcherism", "Tory"])
def test_api_refuses_a_value_of_another_kind_with_400_and_candidates(server: InProcessApp, value: str) -> None:
    answer = server.get("/api/queries/reforms-eroding-conventions", params={"government": value})
    assert answer.status_code == 400
    assert f"'{value}' is a" in answer.json()["error"] and "not a government" in answer.json()["error"]


def test_the_catalogue_listing_says_what_each_parameter_takes(server: InProcessApp) -> None:
    listing = server.get("/api/queries").json()["queries"]
    takes = {(q["name"], p["name"]): p["takes"] for q in listing for p in q["parameters"]}
    assert takes[("reforms-eroding-conventions", "government")] == ["wm:Government"]
    assert takes[("entity", "entity")] == []


# --- CORS, as the README says -------------------------------------------------------------------------


def test_a_preflight_from_any_origin_is_answered_for_post_with_accept_and_content_type(server: InProcessApp) -> None:
    answer = server.options(
        "/sparql",
        headers={
            "Origin": "https://yasgui.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "accept, content-type",
        },
    )
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == "*"
    assert {"POST", "GET"} <= {m.strip() for m in answer.headers["access-control-allow-methods"].split(",")}
    assert {"accept", "content-type"} <= {
        h.strip().lower() for h in answer.headers["access-control-allow-headers"].split(",")
    }


def test_every_answer_to_a_cross_origin_request_says_any_origin(server: InProcessApp) -> None:
    for path in ("/sparql?query=ASK%7B%7D", "/api/queries/governments", "/id/haldane-convention"):
        answer = server.get(path, headers={"Origin": "https://any.example"})
        assert answer.headers["access-control-allow-origin"] == "*", path


def cross_origin_fetch(browser, page_url: str, target: str) -> dict:
    """What a page at ``page_url`` gets when its script POSTs a query to ``target`` (a preflighted request)."""
    page = browser.new_page()
    try:
        page.goto(page_url)
        return page.evaluate(
            """async (target) => {
                try {
                    const r = await fetch(target, {method: "POST", headers: {
                        "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
                        body: "SELECT ?g WHERE { ?g a <https://w3id.org/westminster-kg/ontology#Government> }"});
                    const body = await r.json();
                    return {ok: true, rows: body.results.bindings.length};
                } catch (error) { return {ok: false, error: String(error)}; }
            }""",
            target,
        )
    finally:
        page.close()


class _Blank(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        body = b"<!doctype html><title>another origin</title>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.browser
def test_a_page_of_another_origin_reads_the_endpoint_in_chromium(http_server: InProcessApp, browser, kg) -> None:
    governments = len(kg.run("SELECT ?g WHERE { ?g a wm:Government }").rows)
    with http_server_on_loopback(_Blank) as other:
        assert other.split(":")[-1] != http_server.url.split(":")[-1]  # another port: another origin
        seen = cross_origin_fetch(browser, other + "/", http_server.url + "/sparql")
        assert seen == {"ok": True, "rows": governments}


@pytest.mark.browser
def test_with_cors_none_chromium_keeps_the_answer_from_another_origin(kg, browser) -> None:
    from westminster_kg.web.settings import cors_origins

    settings = Settings(workers=1, reload_interval=0, cors_origins=cors_origins(["none"]))
    for closed in start_server(kg, settings):
        with http_server_on_loopback(_Blank) as other:
            seen = cross_origin_fetch(browser, other + "/", closed.url + "/sparql")
        assert seen["ok"] is False and "Failed to fetch" in seen["error"]


# --- a notebook's picture -----------------------------------------------------------------------------


@pytest.mark.browser
def test_a_notebook_view_unpacks_itself_in_chromium(kg, browser, tmp_path) -> None:
    formatters = pytest.importorskip("IPython.core.formatters")
    shown = formatters.DisplayFormatter().format(kg.view())[0]["text/html"]
    host = tmp_path / "notebook.html"
    host.write_text(f"<!doctype html><html><body>{shown}</body></html>", encoding="utf-8")
    page = browser.new_page()
    try:
        page.goto(host.as_uri())
        frame = page.frames[1]
        frame.wait_for_selector("#wmkg-search-input", timeout=120_000)
        frame.wait_for_selector("canvas", timeout=120_000)
        assert "Westminster" in frame.title()
    finally:
        page.close()


def test_the_api_body_is_still_sparql_json_for_sparql_clients(server: InProcessApp) -> None:
    from rdflib.plugins.sparql.results.jsonresults import JSONResultParser

    text = server.get("/api/queries/governments").text
    parsed = JSONResultParser().parse(__import__("io").StringIO(text))
    assert len(parsed.bindings) == len(json.loads(text)["results"]["bindings"]) > 0
