"""The typed network projection: nodes with classes, edges with their evidence, filters, exports."""

from __future__ import annotations

import csv
import io
import json

import networkx as nx
import pytest
from support import DATA, make_project

from westminster_kg import KnowledgeGraph, network
from westminster_kg.errors import ParameterError
from westminster_kg.internal_queries import internal_query
from westminster_kg.network import _claim_facts, build_network, to_edge_csv, to_graphml

WMR = "https://w3id.org/westminster-kg/id/"
COALITION = WMR + "coalition-government-2010-2015"


@pytest.fixture(scope="module")
def mini_kg(tmp_path_factory) -> KnowledgeGraph:
    """The small valid slice loaded once for the module: every test here only reads it."""
    return KnowledgeGraph.load(make_project(tmp_path_factory.mktemp("network") / "mini", DATA / "valid" / "slice.ttl"))


def test_every_evidenced_relation_in_the_slice_becomes_one_edge(mini_kg):
    graph = mini_kg.to_networkx()
    assert isinstance(graph, nx.MultiDiGraph)
    assert graph.number_of_nodes() == 6
    assert sorted(d["relation"] for _, _, d in graph.edges(data=True)) == [
        "wm:claimsContinuity",
        "wm:erodes",
        "wm:erodes",
        "wm:introducedBy",
        "wm:introducedBy",
    ]


def test_nodes_carry_label_most_specific_class_and_definition(mini_kg):
    graph = build_network(mini_kg)
    npm = graph.nodes[WMR + "npm"]
    assert npm["label"] == "New Public Management"
    assert npm["cls"] == "wm:Idea"
    assert npm["definition"].startswith("An alternative form of governance")
    assert graph.nodes[WMR + "haldane-convention"]["cls"] == "wm:Convention"
    assert graph.nodes[COALITION]["cls"] == "wm:Government"
    assert COALITION in graph.nodes[WMR + "ministers-appointing-permanent-secretaries"]["governments"]


def test_an_edge_carries_its_quote_section_stance_and_government(mini_kg):
    graph = build_network(mini_kg)
    [(_, _, edge)] = [
        (u, v, d)
        for u, v, d in graph.edges(data=True)
        if u == WMR + "ministers-appointing-permanent-secretaries" and d["relation"] == "wm:erodes"
    ]
    assert edge["quotes"] == ["This change raises questions over the principle of neutrality"]
    assert edge["relation_label"] == "erodes"
    assert edge["claim"] == WMR + "claim-ministers-appointing-permanent-secretaries-erodes-impartiality"
    assert edge["stance"] == "wm:AuthorArgument"
    assert edge["stance_label"] == "author's argument"
    assert edge["section_iri"] == WMR + "section-increased-political-control"
    assert edge["government"] == COALITION


def test_the_erodes_edges_under_the_coalition_match_the_catalogue_query(mini_kg):
    graph = build_network(mini_kg, relations="erodes", government="Coalition Government (2010-15)")
    shown = {(u, v) for u, v in graph.edges()}
    rows = mini_kg.query("reforms-eroding-conventions", government=COALITION).to_dicts()
    assert shown == {(str(r["reform"]), str(r["convention"])) for r in rows}
    assert shown == {(WMR + "ministers-appointing-permanent-secretaries", WMR + "impartiality")}


def test_relation_and_class_filters_drop_what_they_leave_unconnected(mini_kg):
    graph = build_network(mini_kg, relations=["wm:claimsContinuity"])
    assert set(graph) == {WMR + "civil-service-reform-plan-2012", WMR + "impartiality"}
    graph = build_network(mini_kg, classes="Reform,wm:Principle,wm:Government")
    assert {d["cls"] for _, d in graph.nodes(data=True)} == {"wm:Reform", "wm:Principle", "wm:Government"}


def test_focus_keeps_the_neighbourhood_within_depth(mini_kg):
    near = build_network(mini_kg, focus="impartiality", depth=1)
    assert set(near) == {
        WMR + "impartiality",
        WMR + "civil-service-reform-plan-2012",
        WMR + "ministers-appointing-permanent-secretaries",
    }
    further = build_network(mini_kg, focus="impartiality", depth=2)
    assert COALITION in further and WMR + "npm" not in further


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"relations": "erodes,undermines"}, "undermines"),
        ({"government": "no such government"}, "government"),
        ({"focus": "nothing-of-the-kind"}, "focus"),
        ({"classes": "wm:Nonsense"}, "wm:Nonsense"),
        ({"depth": 2}, "focus"),
    ],
)
def test_unknown_option_values_raise_one_line_errors_naming_them(mini_kg, options, named):
    with pytest.raises(ParameterError) as error:
        build_network(mini_kg, **options)
    assert named in str(error.value) and "\n" not in str(error.value)


def test_graphml_export_reads_back_with_lists_as_json(mini_kg):
    graph = build_network(mini_kg)
    back = nx.read_graphml(io.BytesIO(to_graphml(graph).encode()), force_multigraph=True)
    assert back.number_of_edges() == graph.number_of_edges()
    quotes = [json.loads(d["quotes"]) for _, _, d in back.edges(data=True) if d["relation"] == "wm:erodes"]
    assert ["This change raises questions over the principle of neutrality"] in quotes


def test_edge_csv_has_one_row_per_edge_with_quotes(mini_kg):
    rows = list(csv.DictReader(io.StringIO(mini_kg.export("csv"))))
    assert len(rows) == 5
    assert any(r["quotes"].startswith("The current model of a permanent") for r in rows)


def test_csv_neutralises_formula_like_labels():
    graph = nx.MultiDiGraph()
    graph.add_node("a", label="=HYPERLINK(1)")
    graph.add_node("b", label="b")
    graph.add_edge(
        "a",
        "b",
        relation="wm:erodes",
        relation_label="erodes",
        claim=None,
        stance="",
        section="",
        governments=[],
        quotes=["-1"],
        cites=[],
    )
    row = list(csv.DictReader(io.StringIO(to_edge_csv(graph))))[0]
    assert row["source_label"] == "'=HYPERLINK(1)" and row["quotes"] == "'-1"


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_the_real_graph_projects_with_evidence_on_every_edge():
    kg = KnowledgeGraph.load()
    graph = kg.to_networkx()
    assert graph.number_of_nodes() > 20
    with_claims = [d for _, _, d in graph.edges(data=True) if d["claim"]]
    assert with_claims and all(d["quotes"] for d in with_claims)
    assert {"wm:erodes", "wm:institutionalises", "wm:claimsContinuity"} <= {
        d["relation"] for _, _, d in graph.edges(data=True)
    }


PLACED_QUOTES = """
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX wm: <https://w3id.org/westminster-kg/ontology#>
SELECT ?claim ?start ?section WHERE {
  ?claim a wm:Claim ; prov:wasDerivedFrom ?evidence .
  ?evidence wm:section ?section ; oa:hasSelector/oa:start ?start .
}
"""


@pytest.mark.slow  # the oracle's rdflib load (~2.5 s) and the app's workers
def test_a_claim_quoted_in_several_sections_is_placed_in_its_first_quotes_section_on_every_store(
    real_app, oracle, monkeypatch
):
    # Placed by the first row the store returned, the edge CSV's and GraphML's section of such a claim
    # differed between Oxigraph and rdflib (and between /download and `wmkg export`).
    first: dict[str, tuple[int, str]] = {}
    sections: dict[str, set[str]] = {}
    for claim, start, section in oracle.kg.store.query(PLACED_QUOTES).rows:
        candidate = (int(start), str(section))
        first[str(claim)] = min(first.get(str(claim), candidate), candidate)
        sections.setdefault(str(claim), set()).add(str(section))
    assert any(len(found) > 1 for found in sections.values()), "no claim spans two sections: the test proves nothing"
    expected = {claim: section for claim, (_, section) in first.items()}
    for kg in (real_app.kg, oracle.kg):
        placed = {claim: iri for claim, (iri, _) in _claim_facts(kg).sections.items() if claim in expected}
        assert placed == expected
    # rdflib's row order changes from load to load: the rows backwards must place every claim alike.
    forwards = _claim_facts(real_app.kg).sections
    monkeypatch.setattr(network, "_select", lambda kg, name: list(reversed(kg.store.query(internal_query(name)).rows)))
    assert _claim_facts(real_app.kg).sections == forwards
