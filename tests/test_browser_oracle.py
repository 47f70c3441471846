"""What the pictures look like in headless Chromium (Debian's), measured from the rendered page: the
overview's labels never overlap at 1440×900 or 1024×768, its arrows are drawn as its data says, a
click opens the line the tooltip named; /network is the same on every load with no label over
another; the query page's quote column is on screen.

vis-network draws labels on a canvas, so their boxes are read from the rendered network
(``labelModule.size``, canvas coordinates, mapped to the page with ``canvasToDOM``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support import RunningServer, start_server
from support.browser import LABEL_BOXES, NEEDS_CHROMIUM, OfflinePage, overlapping_pairs

from westminster_kg import KnowledgeGraph
from westminster_kg.web import Settings

pytestmark = NEEDS_CHROMIUM
READABLE_PX = 9.0  # the smallest label height (px on screen) that counts as readable


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    yield from start_server(KnowledgeGraph.load(), Settings(workers=1))


def page_at(browser, width: int, height: int) -> OfflinePage:
    page = OfflinePage(browser, width=width)
    page.page.set_viewport_size({"width": width, "height": height})
    return page


@pytest.mark.parametrize(("width", "height"), [(1440, 900), (1024, 768)])
def test_no_overview_label_overlaps_another_and_each_is_readable(browser, server, width, height):
    page = page_at(browser, width, height)
    try:
        page.open_view(server.url + "/")
        boxes = page.page.evaluate(LABEL_BOXES)
        assert len(boxes) >= 25
        _pairs, overlapping = overlapping_pairs(boxes)
        assert overlapping == [], overlapping
        small = [b["id"] for b in boxes if b["y1"] - b["y0"] < READABLE_PX]
        assert small == [], f"labels under {READABLE_PX} px: {small}"
    finally:
        page.close()


DRAWN_EDGES = """() => {
  const n = wmkgOverview.network;
  return wmkgOverview.visibleEdgeIds().map(id => ({id, from: n.body.edges[id].fromId, to: n.body.edges[id].toId,
    arrow: n.body.edges[id].options.arrows.to.enabled}));
}"""


def test_the_overview_draws_each_line_from_its_datas_from_to_its_to(browser, server):
    page = page_at(browser, 1440, 900)
    try:
        page.open_view(server.url + "/")
        data = {e["id"]: e for e in page.page.evaluate("wmkgOverview.data.edges")}
        for drawn in page.page.evaluate(DRAWN_EDGES):
            edge = data[drawn["id"]]
            assert (drawn["from"], drawn["to"], drawn["arrow"]) == (edge["from"], edge["to"], True)
            if edge["relation"] == "wm:introducedBy":  # drawn government → reform, the way the picture reads
                assert edge["inverse"] and edge["label"] == "introduces" and edge["from"] == edge["object"]
    finally:
        page.close()


HOVER_POINT = """id => {
  const n = wmkgOverview.network, e = n.body.edges[id];
  const box = document.getElementById('wmkg-network').getBoundingClientRect();
  for (let k = 0; k <= 16; k++) {
    const t = 0.5 + (k % 2 ? 1 : -1) * Math.ceil(k / 2) * 0.05;
    const d = n.canvasToDOM(e.edgeType.getPoint(t));
    if (d.x < 5 || d.y < 5 || d.x > box.width - 5 || d.y > box.height - 5) continue;
    if (n.getNodeAt(d) === undefined && n.getEdgeAt(d) !== undefined) return {x: d.x + box.left, y: d.y + box.top};
  }
  return null;
}"""


def test_a_click_on_a_line_opens_the_line_its_tooltip_names(browser, server):
    page = page_at(browser, 1440, 900)
    try:
        page.open_view(server.url + "/")
        data = {e["id"]: e for e in page.page.evaluate("wmkgOverview.data.edges")}
        labels = {n["id"]: n["label"] for n in page.page.evaluate("wmkgOverview.data.nodes")}
        checked = 0
        for edge_id in page.page.evaluate("wmkgOverview.visibleEdgeIds()"):
            point = page.page.evaluate(HOVER_POINT, edge_id)
            if point is None:
                continue
            page.page.mouse.move(point["x"], point["y"])
            page.page.wait_for_timeout(60)
            if page.page.is_hidden("#wmkg-tooltip"):
                continue
            named = page.page.inner_text("#wmkg-tooltip")
            page.page.mouse.click(point["x"], point["y"])
            opened = data[page.page.get_attribute("#wmkg-details", "data-edge")]
            sentence = f"{labels[opened['from']]} — {opened['label']} → {labels[opened['to']]}"
            assert named.startswith(sentence), (named, sentence)
            checked += 1
            page.page.keyboard.press("Escape")
        assert checked >= 20
    finally:
        page.close()


NETWORK_POSITIONS = "() => wmkgView.network.getPositions()"


def test_the_network_is_laid_out_the_same_on_every_load_with_no_label_over_another(browser, server):
    page = page_at(browser, 1440, 900)
    try:
        page.open_view(server.url + "/network")
        first = page.page.evaluate(NETWORK_POSITIONS)
        boxes = page.page.evaluate(LABEL_BOXES.replace("wmkgOverview", "wmkgView"))
        page.open_view(server.url + "/network")
        assert page.page.evaluate(NETWORK_POSITIONS) == first  # the layout changed on every load
        _pairs, overlapping = overlapping_pairs(boxes)
        assert len(boxes) > 100 and overlapping == [], overlapping
        small = [b["id"] for b in boxes if b["y1"] - b["y0"] < READABLE_PX]
        assert small == [], f"labels under {READABLE_PX} px: {small}"
    finally:
        page.close()


def test_the_query_pages_quote_column_is_on_screen(browser, server):
    page = page_at(browser, 1440, 900)
    try:
        page.page.goto(
            server.url + "/query?name=reforms-eroding-conventions&p.government=Coalition&run=1", timeout=120_000
        )
        box = page.page.evaluate("document.querySelector('th.wmkg-quote-column').getBoundingClientRect().toJSON()")
        assert box["x"] >= 0 and box["x"] + box["width"] <= 1440 and box["width"] >= 300
    finally:
        page.close()
