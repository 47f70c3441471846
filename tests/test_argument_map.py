"""The argument map (/argument), the claim pages' argument block and the reader's sentence states, in
headless Chromium (Debian's), compared with the graph as SPARQL reads it.

What is drawn is read back from the page: each relation's ``<li>`` and, from where it sits in the
outline, the claim drawn there and the claim drawn above it. A supports, attacks or restates edge
is drawn with its source under its target; a concession with the point granted under the claim that
grants it. A graph with one relation flipped must fail the comparison.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Namespace, URIRef
from support import REPO, RunningServer
from support.browser import NEEDS_CHROMIUM, OfflinePage, borrowed

from westminster_kg import KnowledgeGraph
from westminster_kg.evidence import sections_from
from westminster_kg.sentences import body_sentences, content_offsets

pytestmark = [*NEEDS_CHROMIUM, pytest.mark.slow]
WM = Namespace("https://w3id.org/westminster-kg/ontology#")
WMR = "https://w3id.org/westminster-kg/id/"
ARTICLE = (REPO / "graph" / "sources" / "westminster-model-article.txt").read_text(encoding="utf-8")

# Every argument relation in the graph, read without the page's code (its own text, not an internal query).
RELATIONS_SPARQL = """
PREFIX wm: <https://w3id.org/westminster-kg/ontology#>
SELECT ?from ?relation ?to WHERE {
  VALUES ?relation { wm:supports wm:attacks wm:concedes wm:restates }
  ?from ?relation ?to .
}"""

# For each drawn relation: its attributes, the claim drawn in its box and the claim drawn above it.
DRAWN_JS = """() => [...document.querySelectorAll('li.wmkg-arg-item')].map(li => {
  const above = li.parentElement.closest('li.wmkg-arg-item, section.wmkg-arg-tree');
  return [li.dataset.from, li.dataset.relation, li.dataset.to,
          li.querySelector(':scope > .wmkg-arg-claim').dataset.claim,
          above.querySelector(':scope > .wmkg-arg-claim').dataset.claim];
})"""


@pytest.fixture(scope="module")
def server(real_server: RunningServer) -> RunningServer:
    """The repository's graph on loopback: the run's ``real_server``."""
    return real_server


@pytest.fixture
def wide(shared_page) -> Iterator[OfflinePage]:
    with borrowed(shared_page, width=1440) as page:
        yield page


def relations_in(kg: KnowledgeGraph) -> set[tuple[str, str, str]]:
    return {(str(a), str(r).rsplit("#", 1)[-1], str(b)) for a, r, b in kg.run(RELATIONS_SPARQL).rows}


def check_drawing(drawn: list[list[str]], expected: set[tuple[str, str, str]]) -> None:
    """Every relation drawn once, in its direction, and nothing else drawn."""
    edges = [(source, relation, target) for source, relation, target, _own, _above in drawn]
    assert len(edges) == len(set(edges)), "a relation is drawn twice"
    assert set(edges) == expected, {"missing": expected - set(edges), "extra": set(edges) - expected}
    for source, relation, target, own, above in drawn:
        if relation == "concedes":  # the point granted, under the claim that grants it
            assert (own, above) == (target, source), (source, relation, target)
        else:  # the premise (attacker, restatement) under the claim it bears on
            assert (own, above) == (source, target), (source, relation, target)


def check_roots(page, kg: KnowledgeGraph) -> None:
    """The thesis and the verdict head their trees, and two relations the article words are under them."""
    roots = {
        str(r[0]): str(r[1])
        for r in kg.run(
            "SELECT ?name ?c WHERE { VALUES (?p ?name) { (wm:thesis 'thesis') (wm:verdict 'verdict') } ?a ?p ?c }"
        ).rows
    }
    assert roots == {"thesis": WMR + "claim-thesis", "verdict": WMR + "claim-verdict"}
    for name, claim in roots.items():
        assert page.get_attribute(f"#root-{name} > .wmkg-arg-claim", "data-claim") == claim
    # 'What is important is when ... a critical gap emerges' supports the thesis; the paradox, the verdict.
    for name, premise in (
        ("thesis", "claim-critical-gap-emerges"),
        ("verdict", "claim-paradox-new-connexion-yet-rhetoric-of-continuity"),
    ):
        selector = (
            f"#root-{name} > ul > li[data-from='{WMR}{premise}'][data-relation='supports'][data-to='{roots[name]}']"
        )
        assert page.query_selector(selector) is not None, (name, premise)


def test_every_argument_relation_is_drawn_once_in_its_direction(wide, server):
    wide.page.goto(server.url + "/argument")
    check_drawing(wide.page.evaluate(DRAWN_JS), relations_in(server.kg))
    check_roots(wide.page, server.kg)


def flipped_project(target: Path, source: str, relation: str, obj: str) -> Path:
    """A copy of the project with one relation turned round in its claims file."""
    for folder in ("ontology", "queries", "graph"):
        shutil.copytree(REPO / folder, target / folder)
    edge = (URIRef(WMR + source), WM[relation], URIRef(WMR + obj))
    for path in (target / "graph" / "claims").glob("*.ttl"):
        graph = Graph().parse(path, format="turtle")
        if edge in graph:
            graph.remove(edge)
            graph.add((edge[2], edge[1], edge[0]))
            graph.serialize(path, format="turtle")
            return target
    raise AssertionError(f"{edge} is in no claims file")


def test_a_relation_flipped_in_the_data_fails_the_comparison(wide, server, tmp_path):
    from westminster_kg.view.argument_map import render_argument

    flipped = KnowledgeGraph.load(
        flipped_project(tmp_path / "flipped", "claim-critical-gap-emerges", "supports", "claim-thesis")
    )
    wide.page.set_content(render_argument(flipped))
    drawn = wide.page.evaluate(DRAWN_JS)
    # The page is true to its own (flipped) data ...
    check_drawing(drawn, relations_in(flipped))
    # ... and so it fails against the article's graph, and the reading of the article it breaks is caught.
    with pytest.raises(AssertionError):
        check_drawing(drawn, relations_in(server.kg))
    with pytest.raises(AssertionError):
        check_roots(wide.page, flipped)


def test_the_map_is_readable_at_1440_by_900(wide, server):
    wide.page.goto(server.url + "/argument")
    page = wide.page
    assert page.evaluate("document.documentElement.scrollWidth") <= 1440, "the map scrolls sideways"
    thesis = page.query_selector("#root-thesis > .wmkg-arg-claim").bounding_box()
    assert thesis["y"] + thesis["height"] <= 900, "the thesis is not on the first screen"
    boxes = page.evaluate(
        "[...document.querySelectorAll('.wmkg-arg-claim')].map(b => { const r = b.getBoundingClientRect();"
        " return [r.left, r.right]; })"
    )
    assert boxes and all(left >= 0 and right <= 1440 for left, right in boxes)
    sizes = page.evaluate(
        "[...document.querySelectorAll('.wmkg-arg-quote, .wmkg-arg-label')]"
        ".map(e => parseFloat(getComputedStyle(e).fontSize))"
    )
    assert min(sizes) >= 14, "text below a readable size"


def test_every_node_links_to_its_place_in_the_article(wide, server):
    wide.page.goto(server.url + "/argument")
    links = wide.page.evaluate(
        "[...document.querySelectorAll('.wmkg-arg-claim > a.wmkg-arg-label')]"
        ".map(a => [a.parentElement.dataset.claim, a.getAttribute('href')])"
    )
    assert links
    wide.page.goto(server.url + "/article")
    wide.page.wait_for_selector("body[data-ready=true]")
    anchors = dict(wide.page.evaluate("[...document.querySelectorAll('mark[id]')].map(m => [m.id, m.dataset.claim])"))
    for claim, href in links:
        assert href.startswith("/article#"), href
        assert anchors.get(href.split("#", 1)[1]) == claim, (claim, href)


def expected_sentence_states(kg: KnowledgeGraph) -> dict[tuple[int, int], tuple[str, str, str]]:
    """(start, end) → (state, role, reason) from the graph: claims' spans and passages read by SPARQL."""
    spans = [
        (int(s), int(e))
        for s, e in kg.run(
            "SELECT ?s ?e WHERE { ?c a wm:Claim ; prov:wasDerivedFrom ?ev ."
            " ?ev oa:hasSelector ?x . ?x oa:start ?s ; oa:end ?e }"
        ).rows
    ]
    passages = {
        (int(s), int(e)): (str(role), str(reason))
        for s, e, role, reason in kg.run(
            "SELECT ?s ?e ?role ?reason WHERE { ?p a wm:Passage ; wm:passageRole ?role ; wm:roleReason ?reason ;"
            " oa:hasSelector ?x . ?x oa:start ?s ; oa:end ?e }"
        ).rows
    }
    sections = sections_from(Graph().parse(REPO / "graph" / "sources" / "article.ttl"))
    states = {}
    for sentence in body_sentences(ARTICLE, sections):
        letters = content_offsets(ARTICLE, sentence)
        key = (sentence.start, sentence.end)
        if letters and all(any(s <= o < e for s, e in spans) for o in letters):
            states[key] = ("claim", "", "")
        elif key in passages:
            role, reason = passages[key]
            states[key] = ("role", "wm:" + role.rsplit("#", 1)[-1], reason)
        else:
            states[key] = ("untriaged", "", "")
    return states


def test_the_reader_shows_each_sentence_claim_backed_role_marked_or_untriaged(wide, server):
    wide.page.goto(server.url + "/article")
    wide.page.wait_for_selector("body[data-ready=true]")
    shown = wide.page.evaluate(
        "[...document.querySelectorAll('#wmkg-article .wmkg-s[data-start]')]"
        ".map(s => [+s.dataset.start, +s.dataset.end,"
        " s.dataset.state, s.dataset.role || '', s.dataset.reason || '', s.textContent,"
        " s.dataset.state === 'role' ? getComputedStyle(s, '::after').content : ''])"
    )
    expected = expected_sentence_states(server.kg)
    assert {(a, b): (state, role, reason) for a, b, state, role, reason, _t, _after in shown} == expected
    for start, end, state, _role, _reason, text, after in shown:
        assert text == ARTICLE[start:end]
        if state == "role":  # the role is drawn after the sentence, in words
            assert after.strip('"').startswith(" [") and after.strip('"')[2:-1] == wide.page.get_attribute(
                f".wmkg-s[data-start='{start}']", "data-role-label"
            )
    assert {s for s, *_ in expected.values()} >= {"claim", "role"}
    # A role-marked sentence, clicked, says its role and its reason.
    plain = wide.page.query_selector(".wmkg-s-role[data-start]:not(:has(mark))")
    plain.click()
    panel = wide.page.inner_text("#wmkg-claim")
    assert plain.get_attribute("data-reason") in panel and plain.get_attribute("data-role-label") in panel


def test_a_claim_page_says_what_the_claim_supports_and_what_supports_it(wide, server):
    claim = WMR + "claim-critical-gap-emerges"
    wide.page.goto(server.url + "/id/claim-critical-gap-emerges")
    shown = wide.page.evaluate(
        "[...document.querySelectorAll('#in-the-argument li[data-claim] li')]"
        ".map(li => [li.className, li.dataset.relation, li.dataset.other])"
    )
    out = {(r.rsplit("#", 1)[-1], str(b)) for a, r, b in server.kg.run(RELATIONS_SPARQL).rows if str(a) == claim}
    into = {(r.rsplit("#", 1)[-1], str(a)) for a, r, b in server.kg.run(RELATIONS_SPARQL).rows if str(b) == claim}
    assert {(rel, other) for kind, rel, other in shown if kind == "wmkg-arg-out"} == out
    inverse = {
        "supported by": "supports",
        "attacked by": "attacks",
        "conceded by": "concedes",
        "restated by": "restates",
    }
    assert {(inverse[rel], other) for kind, rel, other in shown if kind == "wmkg-arg-in"} == into
    assert ("supports", WMR + "claim-thesis") in out and into
