"""`wmkg export -f aif`: the argument map as AIF JSON, read back without our writer's code."""

from __future__ import annotations

import json
import re

import pytest
from support import REPO

from westminster_kg import KnowledgeGraph

ARTICLE = (REPO / "graph" / "sources" / "westminster-model-article.txt").read_text(encoding="utf-8")
# The reader's own normalisation (not westminster_kg.evidence's): typographic quotes, runs of white space.
FOLD = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})


def folded(text: str) -> str:
    return re.sub(r"\s+", " ", text.translate(FOLD)).strip()


@pytest.fixture(scope="module")
def kg() -> KnowledgeGraph:
    return KnowledgeGraph.load()


@pytest.fixture(scope="module")
def aif(kg: KnowledgeGraph, tmp_path_factory: pytest.TempPathFactory) -> dict:
    path = tmp_path_factory.mktemp("aif") / "argument.json"
    kg.export("aif", path)
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_every_i_node_is_the_articles_own_words(aif: dict) -> None:
    article = folded(ARTICLE)
    i_nodes = [n for n in aif["nodes"] if n["type"] == "I"]
    assert i_nodes
    for node in i_nodes:
        parts = node["text"].split(" […] ")
        assert all(part and folded(part) in article for part in parts), node["nodeID"]


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_every_edge_joins_two_nodes_that_are_there_and_runs_through_an_s_node(aif: dict) -> None:
    kinds = {n["nodeID"]: n["type"] for n in aif["nodes"]}
    assert len(kinds) == len(aif["nodes"])  # node ids are unique
    assert set(aif) >= {"nodes", "edges", "locutions", "participants"}
    for edge in aif["edges"]:
        assert edge["fromID"] in kinds and edge["toID"] in kinds, edge
        # AIF: I → S → I, never I → I or S → S.
        assert {kinds[edge["fromID"]] == "I", kinds[edge["toID"]] == "I"} == {True, False}, edge
    assert {t for t in kinds.values()} <= {"I", "RA", "CA", "MA"}


def test_each_supports_relation_of_the_graph_is_an_ra_node_from_premise_to_conclusion(aif: dict, kg) -> None:
    supports = kg.run("SELECT ?a ?b WHERE { ?a <https://w3id.org/westminster-kg/ontology#supports> ?b }").rows
    slug = lambda iri: str(iri).rsplit("/", 1)[-1]  # noqa: E731
    into = {(e["fromID"], e["toID"]) for e in aif["edges"]}
    kinds = {n["nodeID"]: n["type"] for n in aif["nodes"]}
    for premise, conclusion in supports:
        middle = {t for f, t in into if f == slug(premise) and kinds[t] == "RA"}
        assert any((m, slug(conclusion)) in into for m in middle), (premise, conclusion)
    assert len(supports) >= 3
    # Flipping a supports edge's direction would make the thesis a premise: it never is one here.
    assert not any(f == "claim-thesis" and kinds[t] == "RA" for f, t in into)


def test_the_argument_pages_outline_draws_every_relation_of_the_graph_exactly_once(kg) -> None:
    from westminster_kg.view.argument_map import argument_map, drawn_edges, outline

    wm = "https://w3id.org/westminster-kg/ontology#"
    rows = kg.run(
        "SELECT ?a ?r ?b WHERE { VALUES ?r { wm:supports wm:attacks wm:concedes wm:restates } ?a ?r ?b }"
    ).rows
    expected = {(str(a), str(r)[len(wm) :], str(b)) for a, r, b in rows}
    drawn = [(e.source, e.relation, e.target) for e in drawn_edges(outline(argument_map(kg)))]
    assert len(drawn) == len(set(drawn)) and set(drawn) == expected


def test_a_circle_of_claims_is_drawn_once_round_and_ends() -> None:
    from westminster_kg.view.argument_map import ArgumentMap, ClaimInfo, Edge, drawn_edges, outline

    edges = [Edge("a", "supports", "b"), Edge("b", "supports", "a"), Edge("b", "concedes", "c")]
    amap = ArgumentMap({k: ClaimInfo(k) for k in "abc"}, edges, [("thesis", "a")], {})
    trees = outline(amap)
    assert sorted(drawn_edges(trees), key=str) == sorted(edges, key=str)
    # The claim drawn again is a link back to where it is drawn in full, with nothing under it.
    a_again = trees[0]["children"][0]["children"]
    assert [(i["claim"].iri, i["reference"]) for i in a_again] == [("a", True), ("c", False)]
