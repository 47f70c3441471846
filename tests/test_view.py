"""The network view as a file: self-contained, graph text kept as data, large graphs laid out in Python."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import networkx as nx
import pytest
from support import DATA, make_project

from westminster_kg import KnowledgeGraph
from westminster_kg.errors import ParameterError
from westminster_kg.view import InlineView, json_for_script, page_data, render_html, show, write_requested

HOSTILE_LABEL = "<img src=x onerror=window.__pwned=1>"


@pytest.fixture
def hostile_root(tmp_path: Path) -> Path:
    """A project whose labels, quotes, sections and cited works all try to run script."""
    return make_project(tmp_path / "hostile", DATA / "hostile" / "hostile.ttl")


@pytest.fixture(scope="module")
def mini_kg(shared_root: Path) -> KnowledgeGraph:
    """The small valid slice, loaded once for the tests that only read it."""
    return KnowledgeGraph.load(shared_root)


def embedded_data(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="wmkg-data">(.*?)</script>', page, re.S)
    assert match, "the page has no data block"
    return json.loads(match.group(1))


def test_the_page_loads_nothing_from_the_network(mini_kg):
    page = render_html(mini_kg.to_networkx(), title="mini")
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert "<link" not in page.lower() and "@import" not in page.lower()
    css_urls = [u.strip("'\" ") for u in re.findall(r"url\(([^)]*)\)", page)]
    # vis-network's button icons (data: URLs) are dropped: the buttons are off. Any other URL is a request.
    assert all(u.startswith("data:") for u in css_urls), "only data: URLs may appear in CSS"
    assert "bootstrap.min" not in page and "cdn.jsdelivr" not in page
    assert "vis.Network" in page  # vis-network itself is inlined


def test_graph_text_is_json_data_that_cannot_leave_its_script_block(hostile_root):
    page = render_html(KnowledgeGraph.load(hostile_root).to_networkx(), title=HOSTILE_LABEL)
    assert HOSTILE_LABEL not in page
    assert "<script>window.__pwned" not in page
    # Our three script elements, and no other closing tag: nothing from the graph ended a script.
    assert len(re.findall(r"^<script", page, re.M)) == page.count("</script>") == 3
    data = embedded_data(page)
    labels = {info["label"] for info in data["nodeInfo"].values()}
    assert HOSTILE_LABEL in labels  # the text survives exactly, as data
    [quote] = [q for info in data["edgeInfo"].values() for q in info["quotes"] if "quote" in q]
    assert quote.startswith("</script><img") and "\u2028" in quote
    assert "&lt;img src=x" in page  # the title went through autoescape


def test_json_for_script_escapes_markup_and_line_separators():
    text = json_for_script({"a": "</script><!-- & \u2028\u2029"})
    assert not set("<>&\u2028\u2029") & set(text)
    assert json.loads(text) == {"a": "</script><!-- & \u2028\u2029"}


def test_relations_get_distinct_styles_and_classes_a_legend(mini_kg):
    data = page_data(mini_kg.to_networkx())
    styles = {r["curie"]: (r["color"], str(r["dashes"]), r["arrow"]) for r in data["relations"]}
    assert len({styles["wm:erodes"], styles["wm:claimsContinuity"]}) == 2
    assert {c["curie"] for c in data["classes"]} >= {"wm:Reform", "wm:Convention", "wm:Government"}
    assert [g["label"] for g in data["governments"]] == ["Coalition Government (2010-15)"]
    # Laid out in Python, physics off: the same picture on every load (it changed on each one).
    assert data["options"]["physics"]["enabled"] is False
    assert all("x" in n and "y" in n for n in data["nodes"])


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_the_network_layout_is_the_same_every_time_and_gives_each_node_a_cell_of_its_own():
    from westminster_kg.view.network_layout import CELL_HEIGHT, CELL_WIDTH, readable_layout

    graph = KnowledgeGraph.load().to_networkx()
    first, second = readable_layout(graph), readable_layout(graph.copy())
    assert first == second and set(first) == set(graph)
    cells = {(round(x / CELL_WIDTH * 2), round(y / CELL_HEIGHT * 2)) for x, y in first.values()}
    assert len(cells) == len(first)  # no two nodes (and so no two labels) share a cell


@pytest.mark.slow
def test_more_than_a_thousand_nodes_are_laid_out_in_python_with_physics_off():
    graph = nx.MultiDiGraph()
    for i in range(3000):
        graph.add_node(str(i), iri=str(i), label=f"n{i}", cls="wm:Reform", definition="", links=[], governments=[])
    for i in range(3000):
        graph.add_edge(
            str(i),
            str((i * 7 + 1) % 3000),
            relation="wm:erodes",
            relation_label="erodes",
            claim=None,
            quotes=[],
            section="",
            stance="",
            stance_label="",
            cites=[],
            governments=[],
        )
    # How long this takes is measured in benchmarks/view_time.py, not asserted here.
    page = render_html(graph, title="big")
    data = embedded_data(page)
    assert data["options"]["physics"]["enabled"] is False
    assert all("x" in n and "y" in n for n in data["nodes"])
    assert len({(round(n["x"]), round(n["y"])) for n in data["nodes"]}) > 2900  # spread, not piled up


def test_show_gives_jupyter_an_iframe_with_the_page(mini_kg):
    shown = show(mini_kg, relations="erodes")
    html_text = shown._repr_html_() if isinstance(shown, InlineView) else shown.data
    assert html_text.startswith("<iframe srcdoc=") and "&lt;script" in html_text


def _shown_page(shown) -> str:
    """The page a notebook shows: the frame's document, unpacked as its loader unpacks it (gzip, base64)."""
    import base64
    import gzip

    text = html.unescape(shown._repr_html_() if isinstance(shown, InlineView) else shown.data)
    packed = re.search(r'atob\("([A-Za-z0-9+/=]+)"\)', text)
    assert packed, "the frame carries its page packed"
    return gzip.decompress(base64.b64decode(packed.group(1))).decode("utf-8")


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_kg_view_shows_the_picture_wmkg_view_writes(mini_root, tmp_path):
    # The README's first picture is the overview; kg.view() showed the explorer instead.
    kg = KnowledgeGraph.load(mini_root)
    written = write_requested(kg, tmp_path / "default.html").read_text(encoding="utf-8")
    assert '<body class="wmkg-overview-page">' in written  # what `wmkg view` writes by default
    assert '<body class="wmkg-overview-page">' in _shown_page(kg.view())
    for explorer in (kg.view(network=True), kg.view(relations="erodes")):
        page = _shown_page(explorer)
        assert 'id="wmkg-network"' in page and '<body class="wmkg-overview-page">' not in page
    assert "wmkg-timeline-figure" in _shown_page(kg.view(timeline=True))
    with pytest.raises(ParameterError, match="--timeline takes no"):
        kg.view(timeline=True, focus="impartiality")


@pytest.mark.slow
def test_cli_view_writes_a_file_and_names_unknown_options(mini_root, tmp_path):
    from support import run_wmkg, wmkg

    # What the command writes, asked in this process; the refusal (its exit status and one-line error as
    # the shell sees them) of the real command.
    target = tmp_path / "out" / "view.html"
    target.parent.mkdir()  # -o never creates folders (issue 12)
    done = wmkg(
        "--root",
        str(mini_root),
        "view",
        "-o",
        str(target),
        "--relations",
        "erodes,claimsContinuity",
        "--government",
        "Coalition Government (2010-15)",
    )
    assert done.returncode == 0, done.stderr
    data = embedded_data(target.read_text(encoding="utf-8"))
    assert {e["relation"] for e in data["edgeInfo"].values()} == {"wm:erodes", "wm:claimsContinuity"}
    failed = run_wmkg("--root", str(mini_root), "view", "-o", str(target), "--focus", "Atlantis")
    assert failed.returncode != 0 and "Atlantis" in failed.stderr and len(failed.stderr.strip().splitlines()) == 1


def test_parallel_edges_get_distinct_curves_in_each_pairs_own_frame():
    graph = nx.MultiDiGraph()
    for node in "abc":
        graph.add_node(node, label=node, cls="wm:Convention", iri=node, definition="", links=(), governments=())
    claim = {"claim": "", "quotes": (), "section": "", "stance": "", "stance_label": "", "cites": (), "governments": ()}
    for u, v in [("a", "b"), ("a", "b"), ("b", "a"), ("b", "a"), ("a", "b"), ("a", "c")]:
        graph.add_edge(u, v, relation="wm:erodes", relation_label="erodes", **claim)
    edges = page_data(graph)["edges"]
    # The signed bend seen from the pair's first end "a": clockwise from b to a bends like
    # counter-clockwise from a to b.
    bends = [
        e["smooth"]["roundness"] * (1 if (e["smooth"]["type"] == "curvedCW") == (e["from"] == "a") else -1)
        for e in edges
        if {e["from"], e["to"]} == {"a", "b"}
    ]
    assert sorted(bends) == [-0.4, -0.2, 0.0, 0.2, 0.4]  # a symmetric fan: no two drawn on top of each other
    assert "smooth" not in next(e for e in edges if e["to"] == "c")  # a lone edge keeps the global style
