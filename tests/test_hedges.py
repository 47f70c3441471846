"""The article's hedge goes wherever a claim is shown: entity pages, the explorer, the timeline, named queries.

A claim is never shown more certain than its words: where its modality is not wm:Asserted, the
reader sees the modality and the hedge cue (the words that hedge) next to the quote.
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pyoxigraph as ox
import pytest
from support import REPO, InProcessApp, wmkg

from westminster_kg import KnowledgeGraph
from westminster_kg.catalogue import load_catalogue
from westminster_kg.network import build_network
from westminster_kg.view import page_data
from westminster_kg.view.facts import hedge_note
from westminster_kg.view.timeline import timeline_svg

WMR = "https://w3id.org/westminster-kg/id/"
HEDGED = """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX wm: <https://w3id.org/westminster-kg/ontology#>
SELECT ?subject ?object ?label ?cue ?quote ?subjectLabel ?objectLabel WHERE {
  ?claim a wm:Claim ; wm:modality ?modality ; wm:hedgeCue ?cue ; rdf:subject ?subject ; rdf:object ?object ;
         prov:wasDerivedFrom/oa:hasSelector/oa:exact ?quote .
  ?modality skos:prefLabel ?label .
  ?subject rdfs:label ?subjectLabel .
  ?object rdfs:label ?objectLabel .
  FILTER(?modality != wm:Asserted)
}"""


@pytest.fixture(scope="module")
def kg(real_app: InProcessApp) -> KnowledgeGraph:
    """The repository's graph, as the run's ``real_app`` loaded it (read here, never changed)."""
    return real_app.kg


@pytest.fixture(scope="module")
def hedged(kg) -> list[tuple[str, ...]]:
    rows = [tuple(map(str, row)) for row in kg.store.query(HEDGED).rows]
    assert len(rows) >= 10, "the article hedges more claims than that"
    return rows


def test_hedge_note_words():
    assert hedge_note("wm:Possible", "possible", "potentially") == "possible — hedge: “potentially”"
    assert hedge_note("https://w3id.org/westminster-kg/ontology#Hedged") == "hedged"
    assert hedge_note("wm:Asserted", "asserted") == "" and hedge_note(None) == ""


class _Rows(HTMLParser):
    """The text of each row of the entity page's relations table."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[str] = []
        self.inside = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "table" and ("class", "wmkg-relations-table") in attrs:
            self.inside = True
        elif tag == "tr" and self.inside:
            self.rows.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.inside = False

    def handle_data(self, data: str) -> None:
        if self.inside and self.rows:
            self.rows[-1] += data


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def server(real_app: InProcessApp) -> InProcessApp:
    """The app over the repository's graph, asked in this process (the run's ``real_app``)."""
    return real_app


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_an_entity_page_shows_the_hedge_next_to_each_hedged_quote(server, hedged):
    pages: dict[str, list[str]] = {}
    for subject, obj, label, cue, quote, subject_label, object_label in hedged:
        for entity, other in ((subject, object_label), (obj, subject_label)):
            if not entity.startswith(WMR):
                continue
            if entity not in pages:
                response = server.get(f"/id/{entity[len(WMR) :]}")
                assert response.status_code == 200
                parser = _Rows()
                parser.feed(response.text)
                pages[entity] = [_plain(row) for row in parser.rows]
            # The claim's row: its quote and the entity at its other end (another claim may quote the same words).
            rows = [row for row in pages[entity] if _plain(quote) in row and _plain(other) in row]
            assert rows, f"{entity}: no row shows {quote!r}"
            assert all(f"{label} — hedge: “{cue}”" in row for row in rows), (entity, rows)
    # An asserted quote carries no note: the table stays readable.
    haldane = _Rows()
    haldane.feed(server.get("/id/haldane-convention").text)
    assert haldane.rows and not any("hedge:" in row for row in haldane.rows)


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_the_explorer_and_the_timeline_show_the_hedge_with_the_quote(kg, hedged):
    graph = build_network(kg)
    shown = {(e["from"], e["to"], q): e["hedge"] for e in page_data(graph)["edgeInfo"].values() for q in e["quotes"]}
    for subject, obj, label, cue, quote, *_labels in hedged:
        if (subject, obj, quote) in shown:
            assert shown[(subject, obj, quote)] == f"{label} — hedge: “{cue}”"
    titles = [t.text or "" for t in ET.fromstring(timeline_svg(kg, graph)).iter("{http://www.w3.org/2000/svg}title")]
    notes = {f"“{quote}” ({label} — hedge: “{cue}”)" for _s, _o, label, cue, quote, *_labels in hedged}
    hedged_titles = [t for t in titles if "hedge: “" in t]
    assert any("Digitisation" in t for t in hedged_titles), "the timeline shows 'has the potential to' as certain"
    assert all(any(note in title for note in notes) for title in hedged_titles), hedged_titles


def _projected(sparql: str) -> list[str]:
    # The variables a SELECT projects, as Oxigraph reads them (over an empty store: instant).
    return [v.value for v in ox.Store().query(sparql).variables]


def test_every_named_query_that_lists_claims_gives_their_modality_and_hedge_cue():
    missing = {}
    for name, named in load_catalogue(REPO / "queries").items():
        if "GROUP BY" in named.sparql:
            continue  # counts, not claims
        variables = _projected(named.sparql)
        quotes = [v for v in variables if v.lower().endswith("quote")]
        lists_claims = "wm:Claim" in named.sparql or "?about prov:wasDerivedFrom" in named.sparql
        if not quotes or not lists_claims:
            continue
        lower = [v.lower() for v in variables]
        want = len(quotes)  # one modality and one cue per quote shown
        if sum(v.endswith("modality") for v in lower) < want or sum(v.endswith("hedgecue") for v in lower) < want:
            missing[name] = variables
    assert missing == {}


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_wmkg_query_csv_and_json_carry_the_modality_and_the_hedge_words(kg):
    # The command's answer is the subject, not the process: the CLI in this process over the module's graph.
    done = wmkg("query", "reforms-eroding-conventions", "-p", "convention=weberian-bureaucracy", "-f", "csv", kg=kg)
    assert done.returncode == 0, done.stderr
    rows = [r for r in csv.DictReader(io.StringIO(done.stdout)) if "digitisation" in r["reform"]]
    assert rows and all(r["modality_label"] == "possible" and r["hedgeCue"] == "has the potential to" for r in rows)
    done = wmkg("query", "reforms-eroding-conventions", "-p", "convention=weberian-bureaucracy", "-f", "json", kg=kg)
    assert done.returncode == 0, done.stderr
    bindings = json.loads(done.stdout)["results"]["bindings"]
    hedged = [b for b in bindings if "digitisation" in b["reform"]["value"]]
    assert hedged and all(b["hedgeCue"]["value"] == "has the potential to" for b in hedged)
    assert all(b["modality"]["value"].endswith("#Possible") for b in hedged)
