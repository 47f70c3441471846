"""What the pictures look like in headless Chromium (Debian's), measured from the rendered page: the
overview's labels never overlap at 1440×900 or 1024×768, its arrows are drawn as its data says, a
click opens the line the tooltip named; /network is the same on every load with no label over
another; the query page's quote column is on screen.

vis-network draws labels on a canvas, so their boxes are read from the rendered network
(``labelModule.size``, canvas coordinates, mapped to the page with ``canvasToDOM``).
"""

from __future__ import annotations

import pytest
from support import RunningServer
from support.browser import LABEL_BOXES, NEEDS_CHROMIUM, borrowed, overlapping_pairs

pytestmark = NEEDS_CHROMIUM
READABLE_PX = 9.0  # the smallest label height (px on screen) that counts as readable


@pytest.fixture(scope="module")
def server(real_server: RunningServer) -> RunningServer:
    """The repository's graph on loopback: the run's ``real_server``."""
    return real_server


@pytest.mark.parametrize(("width", "height"), [(1440, 900), (1024, 768)])
def test_no_overview_label_overlaps_another_and_each_is_readable(shared_page, server, width, height):
    with borrowed(shared_page, width, height) as page:
        page.open_view(server.url + "/")
        boxes = page.page.evaluate(LABEL_BOXES)
        assert len(boxes) >= 25
        _pairs, overlapping = overlapping_pairs(boxes)
        assert overlapping == [], overlapping
        small = [b["id"] for b in boxes if b["y1"] - b["y0"] < READABLE_PX]
        assert small == [], f"labels under {READABLE_PX} px: {small}"


DRAWN_EDGES = """() => {
  const n = wmkgOverview.network;
  return wmkgOverview.visibleEdgeIds().map(id => ({id, from: n.body.edges[id].fromId, to: n.body.edges[id].toId,
    arrow: n.body.edges[id].options.arrows.to.enabled}));
}"""


def test_the_overview_draws_each_line_from_its_datas_from_to_its_to(shared_page, server):
    with borrowed(shared_page, 1440, 900) as page:
        page.open_view(server.url + "/")
        data = {e["id"]: e for e in page.page.evaluate("wmkgOverview.data.edges")}
        for drawn in page.page.evaluate(DRAWN_EDGES):
            edge = data[drawn["id"]]
            assert (drawn["from"], drawn["to"], drawn["arrow"]) == (edge["from"], edge["to"], True)
            if edge["relation"] == "wm:introducedBy":  # drawn government → reform, the way the picture reads
                assert edge["inverse"] and edge["label"] == "introduces" and edge["from"] == edge["object"]


# Where the mouse goes to hover each drawn line: near its middle, on it and on no node (null: nowhere).
# Read once: hovering, clicking and Escape neither move nor zoom the view.
HOVER_POINTS = """() => {
  const n = wmkgOverview.network, box = document.getElementById('wmkg-network').getBoundingClientRect();
  return wmkgOverview.visibleEdgeIds().map(id => {
    const e = n.body.edges[id];
    for (let k = 0; k <= 16; k++) {
      const t = 0.5 + (k % 2 ? 1 : -1) * Math.ceil(k / 2) * 0.05;
      const d = n.canvasToDOM(e.edgeType.getPoint(t));
      if (d.x < 5 || d.y < 5 || d.x > box.width - 5 || d.y > box.height - 5) continue;
      if (n.getNodeAt(d) === undefined && n.getEdgeAt(d) !== undefined) return {x: d.x + box.left, y: d.y + box.top};
    }
    return null;
  });
}"""
# The tooltip's words at each mouse press, recorded by the page itself (null while it is hidden): the
# reader's click lands where the hover put the tooltip, and the test reads both after one round trip.
RECORD_TOOLTIP = """() => document.addEventListener('mousedown', () => {
  const tip = document.getElementById('wmkg-tooltip');
  window.__tooltipAtPress = tip.hidden || getComputedStyle(tip).display === 'none' ? null : tip.innerText;
}, true)"""
# What the click opened and the tooltip it was made under; then Escape (the page's own key handler)
# closes the panel for the next line.
AFTER_CLICK = """() => {
  const opened = [window.__tooltipAtPress, document.querySelector('#wmkg-details').getAttribute('data-edge')];
  window.__tooltipAtPress = undefined;
  document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape', bubbles: true}));
  return opened;
}"""


def test_a_click_on_a_line_opens_the_line_its_tooltip_names(shared_page, server):
    # Each line is clicked where it is hovered; the mouse press reads the tooltip as the reader sees it
    # then. Two round trips a line (a click, then one read), not five: ~50 lines, ~4 s of CPU less.
    with borrowed(shared_page, 1440, 900) as page:
        page.open_view(server.url + "/")
        data = {e["id"]: e for e in page.page.evaluate("wmkgOverview.data.edges")}
        labels = {n["id"]: n["label"] for n in page.page.evaluate("wmkgOverview.data.nodes")}
        page.page.evaluate(RECORD_TOOLTIP)
        checked = 0
        for point in page.page.evaluate(HOVER_POINTS):
            if point is None:
                continue
            page.page.mouse.click(point["x"], point["y"])  # moves there first: the hover, then the press
            named, edge = page.page.evaluate(AFTER_CLICK)
            if named is None:
                continue
            opened = data[edge]
            sentence = f"{labels[opened['from']]} — {opened['label']} → {labels[opened['to']]}"
            assert named.startswith(sentence), (named, sentence)
            checked += 1
        assert checked >= 20


NETWORK_POSITIONS = "() => wmkgView.network.getPositions()"


def test_the_network_is_laid_out_the_same_on_every_load_with_no_label_over_another(shared_page, server):
    with borrowed(shared_page, 1440, 900) as page:
        page.open_view(server.url + "/network")
        first = page.page.evaluate(NETWORK_POSITIONS)
        boxes = page.page.evaluate(LABEL_BOXES.replace("wmkgOverview", "wmkgView"))
        page.open_view(server.url + "/network")
        assert page.page.evaluate(NETWORK_POSITIONS) == first  # the layout changed on every load
        _pairs, overlapping = overlapping_pairs(boxes)
        assert len(boxes) > 100 and overlapping == [], overlapping
        small = [b["id"] for b in boxes if b["y1"] - b["y0"] < READABLE_PX]
        assert small == [], f"labels under {READABLE_PX} px: {small}"


def test_the_query_pages_quote_column_is_on_screen(shared_page, server):
    with borrowed(shared_page, 1440, 900) as page:
        page.page.goto(
            server.url + "/query?name=reforms-eroding-conventions&p.government=Coalition&run=1", timeout=120_000
        )
        box = page.page.evaluate("document.querySelector('th.wmkg-quote-column').getBoundingClientRect().toJSON()")
        assert box["x"] >= 0 and box["x"] + box["width"] <= 1440 and box["width"] >= 300
