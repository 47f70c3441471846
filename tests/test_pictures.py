"""The pictures as data and markup: overview, timeline, article reader, ontology docs, downloads.

The browser tests (test_browser.py) look at the same pages in Chromium; these check what the
pages are made of, on the real graph and on the hostile one.
"""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest
from support import DATA, make_project, run_wmkg, wmkg

from westminster_kg import KnowledgeGraph
from westminster_kg.network import build_network
from westminster_kg.view.article import article_context, render_article
from westminster_kg.view.downloads import DumpSet, favicon_ico
from westminster_kg.view.facts import distinct_labels
from westminster_kg.view.neighbourhood import neighbourhood_svg
from westminster_kg.view.ontology_docs import ontology_context, render_ontology_docs
from westminster_kg.view.overview import overview_data
from westminster_kg.view.timeline import timeline_svg

WMR = "https://w3id.org/westminster-kg/id/"
HOSTILE = "<img src=x onerror=window.__pwned=1>"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def kg() -> KnowledgeGraph:
    return KnowledgeGraph.load()


@pytest.fixture(scope="module")
def network(kg):
    return build_network(kg)


@pytest.fixture(scope="module")
def hostile_kg(tmp_path_factory) -> KnowledgeGraph:
    return KnowledgeGraph.load(make_project(tmp_path_factory.mktemp("h") / "p", DATA / "hostile" / "hostile.ttl"))


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_the_overview_draws_no_claim_and_names_families_for_people(kg, network):
    data = overview_data(kg, network)
    classes = {network.nodes[n["id"]]["cls"] for n in data["nodes"]}
    assert "wm:Claim" in {c for _, c in network.nodes(data="cls")}, "the fixture lost its claim-as-object edges"
    assert "wm:Claim" not in classes and "wm:Evidence" not in classes
    names = [f["name"] for f in data["families"]] + [r["label"] for r in data["relations"]]
    assert not [n for n in names if re.search(r"\w:\w", n)], "a CURIE in the legend"
    assert {"Government", "Reform or plan", "Convention or principle"} <= {f["name"] for f in data["families"]}


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_the_overview_merges_parallel_claims_into_one_edge_with_its_quote_count(kg, network):
    data = overview_data(kg, network)
    keys = [(e["from"], e["relation"], e["to"]) for e in data["edges"]]
    assert len(keys) == len(set(keys))
    erodes = [e for e in data["edges"] if e["relation"] == "wm:erodes"]
    distinct = {(u, v) for u, v, r in network.edges(data="relation") if r == "wm:erodes"}
    assert len(erodes) == len(distinct)  # the number wmkg stats calls "erodes" triples
    principal = next(
        e for e in erodes if e["from"] == WMR + "principal-agent-model" and e["to"] == WMR + "haldane-convention"
    )
    assert len(principal["claims"]) > 1
    assert principal["quotes"] == sum(len(c["quotes"]) for c in principal["claims"])


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_the_overview_layout_is_layered_and_the_same_every_time(kg, network):
    first, second = overview_data(kg, network), overview_data(kg, network)
    assert first == second
    placed = {n["id"]: (n["x"], n["y"]) for n in first["nodes"] if "x" in n}
    governments = [
        WMR + g
        for g in (
            "thatcher-government-1979-1990",
            "major-government-1990-1997",
            "new-labour-government-1997-2010",
            "coalition-government-2010-2015",
        )
    ]
    assert [placed[g][1] for g in governments] == sorted(placed[g][1] for g in governments)  # time order
    assert (
        placed[WMR + "haldane-convention"][0]
        > placed[WMR + "principal-agent-model"][0]
        > placed[WMR + "thatcher-government-1979-1990"][0]
    )
    assert len(set(placed.values())) == len(placed)  # no two nodes on one spot


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_the_timeline_is_svg_with_origins_bands_and_linked_marks(kg, network):
    svg = timeline_svg(kg, network, entity_base="/id/", article="/article")
    root = ET.fromstring(svg)
    texts = " ".join(t.text or "" for t in root.iter(SVG + "text"))
    assert "Haldane Report (1918)" in texts and "Carltona" in texts and "Thatcher Government" in texts
    assert "(undated)" in texts and "Haldane convention" in texts
    anchors = list(root.iter(SVG + "a"))
    assert anchors and all(a.get("href", "").startswith(("/id/", "/article#")) for a in anchors)
    assert all(a.find(SVG + "title") is not None for a in anchors)  # every mark says what it is
    erosion = [a for a in anchors if a.find(SVG + "rect[@class='erosion']") is not None]
    assert erosion and all(a.get("href").startswith("/article#claim-") for a in erosion)
    assert root.iter(SVG + "circle") and any(c.get("class") == "continuity" for c in root.iter(SVG + "circle"))


def test_no_label_in_the_timeline_names_two_things(kg, network):
    # "Non-executive boards" is both a reform and the unit (the boards) it set up: under the same
    # words, the timeline listed "Non-executive boards (undated)" twice.
    root = ET.fromstring(timeline_svg(kg, network, entity_base="/id/"))
    shown = [(t.text, a.get("href")) for a in root.iter(SVG + "a") for t in a.iter(SVG + "text")]
    assert [text for text, count in Counter(text for text, _ in shown).items() if count > 1] == []
    boards = {
        href: text for text, href in shown if href in ("/id/non-executive-boards", "/id/non-executive-boards-reform")
    }
    assert len(boards) == 2 and len(set(boards.values())) == 2 and all("undated" in t for t in boards.values())


def test_distinct_labels_qualify_only_labels_that_collide():
    graph = nx.MultiDiGraph()
    graph.add_node(WMR + "a", label="Boards", cls="wm:Reform")
    graph.add_node(WMR + "b", label="boards", cls="wm:Unit")
    graph.add_node(WMR + "c", label="Boards", cls="wm:Unit")
    graph.add_node(WMR + "d", label="Haldane convention", cls="wm:Convention")
    assert distinct_labels(graph) == {
        WMR + "a": "Boards — reform",
        WMR + "b": "boards — b",
        WMR + "c": "Boards — c",
        WMR + "d": "Haldane convention",
    }


def test_hostile_text_stays_text_in_the_svg_pictures(hostile_kg):
    graph = build_network(hostile_kg)
    for svg in (timeline_svg(hostile_kg, graph, entity_base="/id/"), neighbourhood_svg(graph, WMR + "evil-reform")):
        root = ET.fromstring(svg)  # well-formed: nothing broke out of its element
        assert not [e for e in root.iter() if e.tag.split("}")[-1] in ("script", "img", "iframe", "foreignObject")]
        assert not [a for a in root.iter(SVG + "a") if a.get("href", "").lower().startswith("javascript")]
        assert HOSTILE in " ".join((e.text or "") for e in root.iter())


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_every_claim_quote_of_the_article_is_a_mark_and_uncovered_paragraphs_are_flagged(kg):
    page = render_article(kg)
    marked = set(re.findall(r'<mark data-claim="([^"]+)"', page))
    every = "SELECT ?c WHERE { ?c a <https://w3id.org/westminster-kg/ontology#Claim> }"
    claims = {str(r[0]) for r in kg.store.query(every).rows}
    assert marked == claims
    context = article_context(kg)
    flagged = [b for b in context["blocks"] if b.get("uncovered")]
    assert len(flagged) == context["total"] - context["covered"]
    assert page.count('wmkg-no-evidence"') + page.count("wmkg-no-evidence ") >= len(flagged)
    assert not context["unplaced"]  # every claim of the real graph has offsets


def test_the_article_reader_escapes_hostile_quotes(hostile_kg):
    page = render_article(hostile_kg)
    assert HOSTILE not in page and "&lt;img src=x onerror" in page
    assert "<script>window.__pwned" not in page


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_the_ontology_documentation_has_metadata_hierarchy_counts_and_real_examples(kg):
    context = ontology_context(kg)
    assert context["header"]["title"] == "Westminster KG ontology" and context["header"]["license"]
    convention = next(c for c in context["classes"] if c["curie"] == "wm:Convention")
    assert convention["instances"] >= 2 and convention["supers"]
    erodes = next(p for p in context["object_properties"] if p["curie"] == "wm:erodes")
    assert erodes["inverse"] and erodes["evidenced"] and erodes["domain"] is not None
    article = kg.project.article_text()
    assert erodes["example"]["quote"] and erodes["example"]["quote"].split()[0] in article
    stance = next(s for s in context["schemes"] if s["curie"] == "wm:StanceScheme")
    claims = kg.store.query("SELECT (COUNT(?c) AS ?n) WHERE { ?c a <https://w3id.org/westminster-kg/ontology#Claim> }")
    assert sum(c["claims"] for c in stance["concepts"]) == int(claims.rows[0][0])  # every claim has one stance
    page = render_ontology_docs(kg)
    assert 'id="erodes"' in page and 'id="Convention"' in page and "Example from the graph" in page


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_the_ontology_documentation_is_the_same_on_every_load(kg):
    # Blank nodes are named anew on each load: an example picked by ordering them would change.
    assert render_ontology_docs(KnowledgeGraph.load()) == render_ontology_docs(kg)


def test_the_ontology_page_escapes_hostile_examples(hostile_kg):
    page = render_ontology_docs(hostile_kg)
    assert HOSTILE not in page


@pytest.mark.slow
def test_dumps_have_the_size_and_checksum_of_their_bytes(kg):
    dumps = DumpSet(kg).all()
    assert {d.format for d in dumps.values()} == {"nquads", "trig", "turtle", "jsonld", "csv", "graphml"}
    for dump in dumps.values():
        assert dump.size == len(dump.data) > 1000
        assert dump.sha256 == hashlib.sha256(dump.data).hexdigest()
    assert favicon_ico()[:4] == b"\x00\x00\x01\x00" and b"PNG" in favicon_ico()[:40]
    # The same graph loaded again (its blank nodes freshly labelled) gives the same bytes and checksum.
    again = DumpSet(KnowledgeGraph.load()).all()
    assert "_:" in dumps["westminster-kg.nq"].data.decode()
    assert {name: d.sha256 for name, d in again.items()} == {name: d.sha256 for name, d in dumps.items()}
    # A set shares its work (blank nodes named once for the quad formats, once for the triple formats):
    # a triple format made alone is the same bytes as in the set.
    assert kg.export("turtle").encode() == dumps["westminster-kg.ttl"].data


def test_an_entity_neighbourhood_is_a_small_svg_linking_its_neighbours(network):
    svg = neighbourhood_svg(network, WMR + "haldane-convention")
    assert len(svg.encode()) < 40_000
    root = ET.fromstring(svg)
    hrefs = {a.get("href") for a in root.iter(SVG + "a")}
    assert "/id/principal-agent-model" in hrefs and "/id/thatcher-government-1979-1990" in hrefs


@pytest.mark.slow
def test_cli_writes_the_timeline_and_the_docs_and_refuses_mixed_options(tmp_path: Path, kg):
    # What the commands write, asked in this process of the module's graph; the refusal (its exit status
    # and one-line error as the shell sees them) of the real command.
    svg = tmp_path / "t.svg"
    done = wmkg("view", "--timeline", "-o", str(svg), kg=kg)
    assert done.returncode == 0, done.stderr
    assert ET.parse(svg).getroot().tag == SVG + "svg"
    docs = tmp_path / "docs"
    done = wmkg("docs", "-o", str(docs), kg=kg)
    assert done.returncode == 0, done.stderr
    assert "Westminster KG ontology" in (docs / "index.html").read_text(encoding="utf-8")
    assert (docs / "ontology.ttl").stat().st_size > 1000
    failed = run_wmkg("view", "--timeline", "--focus", "Haldane convention", "-o", str(svg))
    assert failed.returncode != 0 and len(failed.stderr.strip().splitlines()) == 1 and "--timeline" in failed.stderr


def test_hedged_claims_are_drawn_weaker_when_the_graph_records_modality(tmp_path: Path, hostile_kg):
    # The slice marks "raises questions over" as wm:Questioned and its other claims wm:Asserted.
    kg = KnowledgeGraph.load(make_project(tmp_path / "slice", DATA / "valid" / "slice.ttl"))
    data = overview_data(kg, build_network(kg))
    edge = next(
        e
        for e in data["edges"]
        if e["from"] == WMR + "ministers-appointing-permanent-secretaries" and e["to"] == WMR + "impartiality"
    )
    assert edge["relation"] == "wm:erodes" and edge["weak"]
    assert edge["claims"][0]["cue"] == "raises questions over" and edge["claims"][0]["modality"] == "questioned"
    others = [e for e in data["edges"] if e is not edge]
    assert others and not any(e["weak"] for e in others)  # asserted claims keep full strength
    # A graph without modality at all (the hostile one has none) draws every edge at full strength.
    assert not any(e["weak"] for e in overview_data(hostile_kg, build_network(hostile_kg))["edges"])
