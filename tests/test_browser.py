"""The view, entity pages and query page in headless Chromium (Debian's), with the network cut off.

Every request that is not file:, data:, blob: or loopback is aborted and recorded; each test asserts
that nothing was attempted. Needs /usr/bin/chromium (``apt-get install -y chromium``); Playwright
must never download a browser.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import DATA, RunningServer, make_project
from support.browser import NEEDS_CHROMIUM, OfflinePage, borrowed, click_edge

from westminster_kg import KnowledgeGraph
from westminster_kg.network import build_network
from westminster_kg.view import write_view

pytestmark = NEEDS_CHROMIUM
WMR = "https://w3id.org/westminster-kg/id/"
COALITION = WMR + "coalition-government-2010-2015"


@pytest.fixture
def offline(shared_page) -> Iterator[OfflinePage]:
    with borrowed(shared_page) as page:
        yield page


@pytest.fixture(scope="module")
def mini_kg(tmp_path_factory) -> KnowledgeGraph:
    return KnowledgeGraph.load(make_project(tmp_path_factory.mktemp("browser") / "mini", DATA / "valid" / "slice.ttl"))


@pytest.fixture(scope="module")
def mini_view(mini_kg, tmp_path_factory) -> Path:
    return write_view(mini_kg, tmp_path_factory.mktemp("view") / "view.html")


def test_the_view_renders_every_node_on_a_non_empty_canvas(offline, mini_view, mini_kg):
    offline.open_view(mini_view.as_uri())
    expected = build_network(mini_kg).number_of_nodes()
    assert offline.page.evaluate("wmkgView.nodesView.length") == expected
    assert offline.page.evaluate("Object.keys(wmkgView.network.body.nodes).length") >= expected
    painted = offline.page.evaluate(
        """() => { const c = document.querySelector('#wmkg-network canvas');
                   const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                   let n = 0; for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) n++; }
                   return {w: c.width, h: c.height, painted: n}; }"""
    )
    assert painted["w"] > 100 and painted["h"] > 100 and painted["painted"] > 500
    assert f"{expected} of {expected} nodes" in offline.page.inner_text("#wmkg-status")


def test_a_relation_filter_hides_exactly_its_edges(offline, mini_view):
    offline.open_view(mini_view.as_uri())
    before = offline.page.evaluate("wmkgView.edgesView.length")
    erodes = offline.page.evaluate("Object.values(wmkgView.edgeInfo).filter(e => e.relation === 'wm:erodes').length")
    assert erodes == 2
    offline.page.uncheck("#wmkg-relations input[value='wm:erodes']")
    assert offline.page.evaluate("wmkgView.edgesView.length") == before - erodes
    relations = offline.page.evaluate("wmkgView.edgesView.get().map(e => wmkgView.edgeInfo[e.id].relation)")
    assert "wm:erodes" not in relations
    offline.page.check("#wmkg-relations input[value='wm:erodes']")
    assert offline.page.evaluate("wmkgView.edgesView.length") == before


def test_clicking_an_edge_shows_its_quote_section_and_stance(offline, mini_view):
    offline.open_view(mini_view.as_uri())
    edge_id = offline.page.evaluate(
        "Object.keys(wmkgView.edgeInfo).find(id => wmkgView.edgeInfo[id].quotes[0] && "
        "wmkgView.edgeInfo[id].quotes[0].startsWith('This change raises'))"
    )
    assert click_edge(offline.page, edge_id) == edge_id
    details = offline.page.inner_text("#wmkg-details")
    assert "This change raises questions over the principle of neutrality" in details
    assert "author's argument" in details and "Coalition Government (2010-15)" in details


def test_search_focuses_a_node_and_lists_its_relations(offline, mini_view):
    offline.open_view(mini_view.as_uri())
    offline.page.fill("#wmkg-search-input", "impartiality")
    offline.page.click("#wmkg-search button")
    assert offline.page.evaluate("wmkgView.network.getSelectedNodes()") == [WMR + "impartiality"]
    assert "claims continuity" in offline.page.inner_text("#wmkg-details")


def test_a_new_user_filters_erodes_under_the_coalition_and_reads_a_quote(offline, real_server):
    offline.open_view(real_server.url + "/network")
    offline.page.select_option("#wmkg-government", COALITION)
    for box in offline.page.query_selector_all("#wmkg-relations input"):
        if box.get_attribute("value") != "wm:erodes":
            box.uncheck()
    expected = build_network(real_server.kg, relations="erodes", government=COALITION)
    shown = offline.page.evaluate(
        "wmkgView.edgesView.get().map(e => [wmkgView.edgeInfo[e.id].from, wmkgView.edgeInfo[e.id].to])"
    )
    assert sorted(map(tuple, shown)) == sorted(expected.edges())
    assert shown, "the Coalition eroded nothing?"
    for edge_id in offline.page.evaluate("wmkgView.edgesView.getIds()"):
        if click_edge(offline.page, edge_id) == edge_id:
            break
    else:
        pytest.fail("no edge could be clicked on its own")
    quote = offline.page.evaluate(f"wmkgView.edgeInfo['{edge_id}'].quotes[0]")
    assert quote and quote in offline.page.inner_text("#wmkg-details blockquote")


def test_every_parallel_edge_between_two_entities_can_be_clicked_on_its_own(offline, real_server):
    # The pair with most edges between them (the principal-agent model and the Haldane convention:
    # erodes four times, replaces three): drawn on top of each other, a click on one opened another.
    offline.open_view(real_server.url + "/network")
    crowded = offline.page.evaluate(
        """() => { const groups = {};
                   for (const [id, e] of Object.entries(wmkgView.edgeInfo)) {
                     const key = [e.from, e.to].sort().join(' ');
                     (groups[key] = groups[key] || []).push(id); }
                   return Object.values(groups).sort((a, b) => b.length - a.length)[0]; }"""
    )
    assert len(crowded) >= 3
    # Zoomed in on the two, as a reader picking one of seven edges would.
    offline.page.evaluate(
        """ids => { const e = wmkgView.edgeInfo[ids[0]];
                    wmkgView.network.fit({nodes: [e.from, e.to], maxZoomLevel: 4, animation: false}); }""",
        crowded,
    )
    assert {edge_id: click_edge(offline.page, edge_id) for edge_id in crowded} == {e: e for e in crowded}


def test_an_entity_page_shows_its_quotes_in_the_browser(offline, real_server):
    offline.page.goto(real_server.url + "/id/haldane-convention")
    rows = real_server.kg.query("entity", entity="haldane-convention").to_dicts()
    text = offline.page.inner_text("main")
    assert rows and all(re.sub(r"\s+", " ", str(r["quote"])) in re.sub(r"\s+", " ", text) for r in rows)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, hostile_server) -> tuple[KnowledgeGraph, Path, RunningServer]:
    """The hostile graph, its standalone view (with a hostile title) and the run's ``hostile_server``."""
    kg = hostile_server.kg
    folder = tmp_path_factory.mktemp("hostile-view")
    view = write_view(kg, folder / "view.html", title="<img src=x onerror=window.__pwned=1>")
    return kg, view, hostile_server


def test_hostile_labels_and_quotes_stay_text_in_the_view(offline, hostile):
    _, view, _ = hostile
    offline.open_view(view.as_uri())
    offline.page.evaluate("Object.keys(wmkgView.nodeInfo).forEach(id => wmkgView.showNode(id))")
    offline.page.evaluate("Object.keys(wmkgView.edgeInfo).forEach(id => wmkgView.showEdge(id))")
    offline.page.select_option("#wmkg-government", WMR + "evil-government")
    offline.page.fill("#wmkg-search-input", "<img")
    offline.page.click("#wmkg-search button")
    details = offline.page.inner_text("#wmkg-details")
    assert "<img src=x onerror=window.__pwned=1>" in details  # shown literally
    assert offline.page.evaluate("document.querySelector('#wmkg-details a[href^=\"javascript\"]')") is None
    edge = offline.page.evaluate("Object.keys(wmkgView.edgeInfo).find(id => wmkgView.edgeInfo[id].cites.length)")
    offline.page.evaluate(f"wmkgView.showEdge('{edge}')")
    offline.page.hover("#wmkg-network")
    offline.page.wait_for_timeout(200)
    assert offline.pwned() == [None] * len(offline.page.frames)
    assert "</script><img" in offline.page.inner_text("#wmkg-details blockquote")


def test_hostile_text_stays_text_on_the_entity_page(offline, hostile):
    _, _, server = hostile
    offline.page.goto(server.url + "/id/evil-reform")
    assert "<img src=x onerror=window.__pwned=1>" in offline.page.inner_text("h2")
    assert offline.pwned() == [None] * len(offline.page.frames)
    assert offline.page.query_selector("a[href^='javascript']") is None


def test_hostile_text_stays_text_on_the_query_page(offline, hostile):
    _, _, server = hostile
    offline.page.goto(
        server.url
        + "/query?"
        + "run=1&sparql="
        + "SELECT%20%3Fs%20%3Fl%20WHERE%20%7B%20%3Fs%20%3Fp%20%3Fl%20FILTER(isLiteral(%3Fl))%20%7D"
    )
    text = offline.page.inner_text("#wmkg-results")
    assert "<img src=x onerror=window.__pwned=1>" in text and "</script><img" in text
    assert offline.pwned() == [None]


def test_hostile_text_stays_text_in_the_reconciliation_preview(offline, hostile):
    # The card OpenRefine frames beside a candidate: label and definition shown, never run.
    _, _, server = hostile
    offline.page.goto(server.url + "/reconcile/preview?id=evil-reform")
    assert "<img src=x onerror=window.__pwned=1>" in offline.page.inner_text("b")
    assert "<b onmouseover" in offline.page.inner_text("p")
    assert offline.pwned() == [None] * len(offline.page.frames)
    assert offline.page.query_selector("a[href^='javascript']") is None
