"""The web app's surfaces say what the graph says: entity pages in HTML and in every RDF format they
serve, search, the query page, ``/api`` and ``/reconcile/preview``.

The app is answered in this process (``support.app``: its routes, middleware and query workers, no
socket) over the real graph in Oxigraph; the expected answers come from ``tests/support/oracle.py``
(SPARQL on rdflib's reference store).
"""

from __future__ import annotations

import re

import pytest
from rdflib import BNode, Graph, URIRef
from support import InProcessApp
from support.oracle import (
    OA,
    WMR,
    by_class,
    erosion_rows,
    expected_claim_rows,
    one,
    page_iri,
    parse_html,
    plain,
    shown_claim_rows,
    shown_statement,
    text_of,
)
from support.rdf import canonical_triples

pytestmark = pytest.mark.slow  # every RDF format of eight entities parsed by rdflib, and the reference store

FORMATS = {"text/turtle": "turtle", "application/n-triples": "nt", "application/ld+json": "json-ld"}
FORMATS["application/rdf+xml"] = "xml"
SAMPLE = (
    "haldane-convention",
    "david-cameron",
    "coalition-government-2010-2015",
    "npm",
    "carltona-doctrine",
    "direct-access-of-advice",
    "national-audit-office",
    "ministers-appointing-permanent-secretaries",  # hedged claims: "raises questions over", "whether"
)


@pytest.fixture(scope="module")
def everything(oracle) -> Graph:
    """The whole graph (all named graphs as one), to tell what a description may hold."""
    graph = Graph()
    for s, p, o, _g in oracle.kg.store.quads():
        graph.add((s, p, o))
    return graph


@pytest.mark.parametrize("slug", SAMPLE)
def test_an_entity_page_served_over_http_shows_each_claim_as_the_graph_states_it(real_app, oracle, slug):
    response = real_app.get(f"/id/{slug}", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert shown_claim_rows(response.text, WMR + slug) == expected_claim_rows(oracle, WMR + slug)


def described(real_app: InProcessApp, slug: str) -> dict[str, Graph]:
    graphs = {}
    for media, fmt in FORMATS.items():
        response = real_app.get(f"/id/{slug}", headers={"Accept": media})
        assert response.status_code == 200 and response.headers["content-type"].startswith(media), (slug, media)
        graphs[media] = Graph().parse(data=response.text, format=fmt)
    return graphs


@pytest.mark.parametrize("slug", SAMPLE)
def test_every_rdf_format_of_an_entity_holds_its_triples_and_claims_and_nothing_the_graph_lacks(
    real_app, oracle, everything, slug
):
    iri = WMR + slug
    graphs = described(real_app, slug)
    turtle = graphs["text/turtle"]
    # Every format says the same thing (the same graph up to blank node names).
    canonical = canonical_triples(turtle)
    assert all(canonical_triples(g) == canonical for g in graphs.values()), f"{slug}: the formats disagree"
    shown = {(str(s), str(p), str(o)) for s, p, o in turtle if not any(isinstance(t, BNode) for t in (s, p, o))}
    # Nothing the graph lacks ...
    assert not [t for t in turtle if not any(isinstance(x, BNode) for x in t) and t not in everything]
    # ... and everything about it: its triples both ways, and each claim naming it with its quotes.
    assert oracle.triples_about(iri) <= shown
    quotes = {str(o) for o in turtle.objects(None, URIRef(OA + "exact"))}
    for claim in oracle.naming(iri):
        assert (claim.iri, "http://www.w3.org/1999/02/22-rdf-syntax-ns#subject", claim.subject) in shown
        assert (claim.iri, "http://www.w3.org/1999/02/22-rdf-syntax-ns#object", claim.object) in shown
        if claim.stance:
            assert (claim.iri, "https://w3id.org/westminster-kg/ontology#stance", claim.stance) in shown
        if claim.modality:
            assert (claim.iri, "https://w3id.org/westminster-kg/ontology#modality", claim.modality) in shown
        for cue in filter(None, claim.cue.split(" / ")):  # the hedge travels with the claim
            assert (claim.iri, "https://w3id.org/westminster-kg/ontology#hedgeCue", cue) in shown, claim.iri
        assert claim.quotes <= quotes, f"{claim.iri}: a quote is missing from the description"
    # Every quote it carries is evidence of it or of a claim naming it.
    allowed = {q for c in oracle.naming(iri) for q in c.quotes} | oracle.own_quotes(iri)
    assert quotes <= allowed, f"{slug}: quotes that are not evidence of it: {quotes - allowed}"


# --- search --------------------------------------------------------------------------------------------

# What each needle must find, as a pattern over labels, aliases and quotes: its words whole, in order,
# a plural "s" aside; the last word (of four letters or more) may begin a longer word, as a half-typed
# name does ("haldane" finds "Haldaneian symbiosis"; "sir" never finds "desire").
NEEDLES = {
    "Sir Humphrey": r"(^|\W)sirs?\W+humphreys?\w*",
    "haldane": r"(^|\W)haldanes?\w*",
    "the Delivery Unit": r"(^|\W)delivery\W+units?\w*",
    "buggeration": r"(^|\W)buggerations?\w*",
    "desire": r"(^|\W)desires?\w*",
    "spads": r"(^|\W)spads?\w*",
    "NPM": r"(^|\W)npms?(\W|$)",
    "special advisers": r"(^|\W)special\W+advisers?\w*",
}


def search_page(real_app: InProcessApp, needle: str) -> tuple[list[str], set[tuple[str, tuple]]]:
    response = real_app.get("/search", params={"q": needle}, follow_redirects=False)
    if response.status_code == 303:
        return [page_iri(response.headers["location"])], set()
    assert response.status_code == 200
    root = parse_html(response.text)
    listing = one(root, "wmkg-search-entities")
    entities = [page_iri(li.find("a").get("href")) for li in listing.findall("li")] if listing is not None else []
    quotes = set()
    for box in by_class(root, "wmkg-search-quotes"):
        for li in box.findall("li"):
            statement, proposition = one(li, "wmkg-statement"), one(li, "wmkg-proposition")
            said = shown_statement(statement, "")[::2] if statement is not None else ()
            quotes.add(
                (text_of(li.find("blockquote")), said or ((text_of(proposition),) if proposition is not None else ()))
            )
    return entities, quotes


@pytest.mark.parametrize("needle", NEEDLES)
def test_search_lists_every_entity_and_quote_with_the_words_names_first(real_app, oracle, needle):
    pattern = NEEDLES[needle]
    named = oracle.names_matching(pattern)  # entity → "label" or "alias"
    entities, quotes = search_page(real_app, needle)
    assert set(entities) == set(named), f"{needle!r}: {set(entities) ^ set(named)}"
    # Exactly the needle first (a label or an alias: "NPM" is New Public Management), then names that
    # have its words, labels before aliases.
    exact = oracle.names_matching(r"^(the\s+)?" + re.escape(needle.removeprefix("the ")) + "$")
    ranks = [0 if e in exact else (1 if named[e] == "label" else 2) for e in entities]
    assert ranks == sorted(ranks), f"{needle!r}: ranked {list(zip(entities, ranks, strict=True))}"
    # Each claim's quote with the claim: its subject, relation and object, or what a proposition says.
    expected_quotes = {
        (plain(q), (c.subject, "wm:" + c.relation.rsplit("#", 1)[-1], c.object) if c.subject else (c.label,))
        for c in oracle.claims.values()
        for q in c.quotes
        if re.search(pattern, q, re.IGNORECASE)
    }
    claim_quotes = {q for q in quotes if q[1]}
    assert claim_quotes == expected_quotes, f"{needle!r}: {claim_quotes ^ expected_quotes}"


def test_sir_humphrey_is_not_found_inside_desire_and_an_alias_does_not_jump_past_other_matches(real_app):
    entities, quotes = search_page(real_app, "Sir Humphrey")
    assert entities == [] and quotes == set()
    entities, _quotes = search_page(real_app, "haldane")
    # "haldane" is an alias of the convention and of the Viscount: the Report is listed too.
    assert {WMR + "haldane-convention", WMR + "haldane-report-1918", WMR + "viscount-haldane"} <= set(entities)


def test_a_quoted_word_finds_the_quote_and_the_claim_it_supports(real_app):
    _entities, quotes = search_page(real_app, "buggeration")
    assert any("buggeration factor" in q for q, _ in quotes)
    statements = [s for _q, s in quotes if s]
    assert (WMR + "rhetoric-cameron-buggeration-factor", "wm:evidenceFor", WMR + "rubber-lever-syndrome") in statements


# --- /reconcile/preview -----------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", SAMPLE)
def test_a_reconcile_preview_names_the_entity_its_classes_and_its_links_as_the_graph_does(real_app, oracle, slug):
    response = real_app.get("/reconcile/preview", params={"id": slug})
    assert response.status_code == 200
    card = parse_html(response.text)
    link = card.find(".//a")
    assert page_iri(link.get("href")) == WMR + slug and text_of(link) == oracle.label(WMR + slug)
    assert set(text_of(card.find(".//div/div")).split(", ")) == oracle.class_curies(WMR + slug)
    shown_links = {a.get("href") for a in card.iter("a")} - {link.get("href")}
    assert shown_links <= oracle.external_links(WMR + slug)


# --- the query page ---------------------------------------------------------------------------------------


def query_page_rows(html: str) -> tuple[list[str], list[dict[str, tuple[str, str]]]]:
    """The results table: its column names, and each row as column → (IRI or text, shown text)."""
    root = parse_html(html)
    table = one(root, "wmkg-results-table")
    if table is None:
        return [], []
    names = [text_of(th) for th in table.iter("th")]
    rows = []
    for tr in table.iter("tr"):
        cells = tr.findall("td")
        if not cells:
            continue
        row = {}
        for name, td in zip(names, cells, strict=True):
            link = td.find("a")
            tip = td.get("title", "")
            value = page_iri(link.get("href")) if link is not None and link.get("href", "").startswith("/id/") else tip
            row[name] = (value or text_of(td), text_of(td))
        rows.append(row)
    return names, rows


def test_the_query_page_shows_the_coalitions_erosions_as_the_graph_has_them_quote_third(real_app, oracle):
    government = WMR + "coalition-government-2010-2015"
    response = real_app.get(
        "/query",
        params={"name": "reforms-eroding-conventions", "p.government": "Coalition", "run": "1"},
    )
    names, rows = query_page_rows(response.text)
    assert names[:3] == ["reform", "convention", "quote"]  # the evidence among the first columns
    wm = "https://w3id.org/westminster-kg/ontology#"
    shown = {
        (
            r["reform"][0],
            r["convention"][0],
            r["reformGovernment"][0],
            r["modality"][0].replace("wm:", wm),
            r["hedgeCue"][1],
            r["stance"][0].replace("wm:", wm),
            r["quote"][1],
        )
        for r in rows
    }
    assert shown == erosion_rows(oracle, government)
    assert f"{len(rows)} rows" in text_of(parse_html(response.text).find(".//*[@id='wmkg-row-count']"))


def test_a_legitimately_empty_answer_says_0_rows_and_the_filters_applied(real_app, oracle):
    # The Coalition erodes many conventions, none of them "permanence": an answer, not an error.
    assert not {r for r in erosion_rows(oracle, WMR + "coalition-government-2010-2015") if r[1] == WMR + "permanence"}
    response = real_app.get(
        "/query",
        params={
            "name": "reforms-eroding-conventions",
            "p.government": "Coalition",
            "p.convention": "permanence",
            "run": "1",
        },
    )
    assert response.status_code == 200
    count = text_of(parse_html(response.text).find(".//*[@id='wmkg-row-count']"))
    assert count.startswith("0 rows with government = Coalition Government (2010-2015)")
    assert "convention = permanence" in count and "nothing that matches" in count
