"""The picture pages in headless Chromium (Debian's), with every non-loopback request blocked.

The overview's labels are drawn on a canvas by vis-network, so their boxes are read from the
rendered network: each node's label box (``labelModule.size``, in canvas coordinates, filled in
when vis-network draws it) is mapped to the page with ``canvasToDOM``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from support import RunningServer
from support.browser import LABEL_BOXES, NEEDS_CHROMIUM, OfflinePage, borrowed, click_edge, overlapping_pairs

pytestmark = NEEDS_CHROMIUM
WMR = "https://w3id.org/westminster-kg/id/"
HOSTILE = "<img src=x onerror=window.__pwned=1>"


@pytest.fixture
def wide(shared_page) -> Iterator[OfflinePage]:
    with borrowed(shared_page, width=1440) as page:
        yield page


@pytest.fixture(scope="module")
def server(real_server: RunningServer) -> RunningServer:
    """The repository's graph on loopback: the run's ``real_server``."""
    return real_server


def test_the_overview_labels_do_not_overlap_at_the_default_zoom(wide, server):
    wide.open_view(server.url + "/")
    boxes = wide.page.evaluate(LABEL_BOXES)
    assert len(boxes) >= 30
    assert all(b["y1"] - b["y0"] >= 9 for b in boxes), "labels shrunk below a readable size"
    pairs, overlapping = overlapping_pairs(boxes)
    assert len(overlapping) / pairs < 0.02, overlapping
    # And the check can fail: the same boxes moved onto each other do overlap.
    assert overlapping_pairs([{**b, "x0": 0, "x1": 50, "y0": 0, "y1": 20} for b in boxes[:3]])[1]


def test_the_overview_legend_speaks_words_and_draws_no_claim(wide, server):
    wide.open_view(server.url + "/")
    legend = wide.page.inner_text("#wmkg-controls")
    assert not re.search(r"\b(wm|foaf|org|qb|skos):[A-Za-z]", legend), legend
    assert "Government" in legend and "Convention or principle" in legend and "erodes" in legend
    drawn = wide.page.evaluate("wmkgOverview.network.body.nodeIndices")
    claims = {str(r[0]) for r in server.kg.run("SELECT ?c WHERE { ?c a wm:Claim }").rows}
    assert drawn and not claims & set(drawn)
    assert "Haldane convention" in wide.page.evaluate("wmkgOverview.data.nodes.filter(n => n.core).map(n => n.label)")


def test_an_edge_click_shows_every_quote_with_stance_and_section(wide, server):
    wide.open_view(server.url + "/")
    edge = wide.page.evaluate(
        "wmkgOverview.data.edges.find(e => e.from.endsWith('/principal-agent-model') && "
        "e.to.endsWith('/haldane-convention') && e.relation === 'wm:erodes')"
    )
    assert click_edge(wide.page, edge["id"], view="wmkgOverview") == edge["id"]
    text = wide.page.inner_text("#wmkg-details")
    assert f"{edge['quotes']} quotes" in text and "Stance" in text and "Section" in text
    for claim in edge["claims"]:
        assert claim["quotes"][0] in text


def test_only_this_relation_government_filters_and_empty_filters_say_so(wide, server):
    wide.open_view(server.url + "/")
    before = wide.page.inner_text("#wmkg-status")
    wide.page.click("#wmkg-relations .wmkg-legend-row:first-child .wmkg-only")
    relations = wide.page.evaluate(
        "wmkgOverview.visibleEdgeIds().map(id => wmkgOverview.data.edges.find(e => e.id === id).relation)"
    )
    assert relations and set(relations) == {"wm:erodes"}
    assert wide.page.inner_text("#wmkg-status") != before
    counted = wide.page.inner_text("#wmkg-relations .wmkg-legend-row:first-child .wmkg-count")
    assert counted.startswith(f"{len(relations)} edges")
    wide.page.select_option("#wmkg-government", WMR + "coalition-government-2010-2015")
    coalition = wide.page.evaluate("wmkgOverview.visibleEdgeIds().length")
    assert 0 < coalition < len(relations)
    assert wide.page.is_hidden("#wmkg-empty")
    wide.page.evaluate("wmkgOverview.setRelations(['wm:legallyClarifies'])")
    assert wide.page.is_visible("#wmkg-empty")
    assert "Nothing matches" in wide.page.inner_text("#wmkg-empty")
    wide.page.click("#wmkg-reset")
    assert wide.page.is_hidden("#wmkg-empty") and wide.page.inner_text("#wmkg-status") == before


def test_a_node_expands_to_its_neighbours(wide, server):
    wide.open_view(server.url + "/")
    before = len(wide.page.evaluate("wmkgOverview.visibleNodeIds()"))
    wide.page.evaluate(f"wmkgOverview.showNode('{WMR}npm')")
    wide.page.click("#wmkg-details .wmkg-expand")
    after = wide.page.evaluate("wmkgOverview.visibleNodeIds()")
    assert len(after) > before and WMR + "skills-gap" in after


def test_the_timeline_is_selectable_svg_and_exports_svg_and_png(wide, server):
    wide.page.goto(server.url + "/timeline")
    assert "Haldane Report" in wide.page.inner_text("figure")  # real text, selectable and searchable
    assert wide.page.evaluate("document.querySelectorAll('figure svg a').length") > 40
    with wide.page.expect_download() as svg_download:
        wide.page.click("#wmkg-export-svg")
    assert svg_download.value.suggested_filename.endswith(".svg")
    with wide.page.expect_download() as png_download:
        wide.page.click("#wmkg-export-png")
    path = png_download.value.path()
    assert png_download.value.suggested_filename.endswith(".png")
    with open(path, "rb") as handle:
        assert handle.read(8) == b"\x89PNG\r\n\x1a\n"


def test_the_article_marks_every_claim_and_a_mark_opens_its_claim(wide, server):
    wide.page.goto(server.url + "/article")
    wide.page.wait_for_selector("body[data-ready=true]")
    marked = set(wide.page.evaluate("[...document.querySelectorAll('mark[data-claim]')].map(m => m.dataset.claim)"))
    claims = {str(r[0]) for r in server.kg.run("SELECT ?c WHERE { ?c a wm:Claim }").rows}
    assert marked == claims
    wide.page.click(f"mark[data-claim='{WMR}claim-npm-erodes-whitehall-model']")
    panel = wide.page.inner_text("#wmkg-claim")
    assert "New Public Management" in panel and "erodes" in panel and "author's argument" in panel
    assert wide.page.query_selector("#wmkg-claim a[href='/id/npm']") is not None
    assert wide.page.evaluate("document.querySelectorAll('.wmkg-no-evidence').length") >= 1


def test_keyboard_reaches_a_mark_and_focus_is_visible(wide, server):
    wide.page.goto(server.url + "/article")
    wide.page.wait_for_selector("body[data-ready=true]")
    wide.page.focus("mark[data-claim][tabindex='0']")
    wide.page.keyboard.press("Enter")
    assert wide.page.get_attribute("#wmkg-claim", "data-claim")
    outline = wide.page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")
    wide.page.goto(server.url + "/")
    wide.page.keyboard.press("Tab")  # the skip link comes first
    assert wide.page.evaluate("document.activeElement.className") == "wmkg-skip"
    assert wide.page.evaluate("getComputedStyle(document.activeElement).outlineStyle") not in ("none", "")


def test_every_page_is_linked_from_the_overview(wide, server):
    pages = ["/timeline", "/article", "/argument", "/download", "/ontology", "/network"]
    wide.open_view(server.url + "/")
    assert set(pages) <= set(wide.page.eval_on_selector_all("nav a", "links => links.map(a => a.getAttribute('href'))"))
    # Then through the pages by their navigation links, one overview layout for all five.
    for path in pages:
        wide.page.click(f"nav a[href='{path}']")
        wide.page.wait_for_load_state("load", timeout=120_000)
        assert wide.page.url == server.url + path
        assert wide.page.title()


@pytest.mark.parametrize(
    "path", ["/", "/network", "/timeline", "/article", "/argument", "/download", "/ontology", "/id/evil-reform"]
)
def test_hostile_labels_stay_text_on_every_new_page(wide, hostile_server, path):
    wide.page.goto(hostile_server.url + path)
    wide.page.wait_for_timeout(300)
    if path == "/":
        wide.page.wait_for_selector("body[data-ready=true]")
        wide.page.evaluate("wmkgOverview.data.nodes.forEach(n => wmkgOverview.showNode(n.id))")
        wide.page.evaluate("wmkgOverview.data.edges.forEach(e => wmkgOverview.showEdge(e.id))")
        wide.page.evaluate("wmkgOverview.showEdge(wmkgOverview.data.edges.find(e => e.relation === 'wm:erodes').id)")
        assert "</script><img" in wide.page.inner_text("#wmkg-details")
    if path == "/article":
        wide.page.evaluate("Object.keys(wmkgArticle.claims).forEach(c => wmkgArticle.show([c]))")
        wide.page.click("mark[data-claim]")
        assert HOSTILE in wide.page.inner_text("body")
    assert wide.pwned() == [None] * len(wide.page.frames)
    assert wide.page.query_selector("a[href^='javascript']") is None


def test_the_network_explorer_says_when_its_filters_match_nothing(wide, server):
    wide.open_view(server.url + "/network")
    assert "Nothing matches" not in wide.page.inner_text("#wmkg-status")
    for box in wide.page.query_selector_all("#wmkg-relations input"):
        box.uncheck()
    assert wide.page.evaluate("wmkgView.edgesView.length") == 0
    assert "Nothing matches these filters" in wide.page.inner_text("#wmkg-status")
