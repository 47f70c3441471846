"""Entity pages say what the graph says: every claim naming the entity in the graph's own direction,
with its quotes, stance, voice and certainty, every quote attributed to it, and a neighbourhood
picture whose every line is a relation the graph holds.

The expected content comes from ``tests/support/oracle.py`` (SPARQL on rdflib's reference store); the pages
are rendered by the web app's own handler over the Oxigraph store, for every entity that a claim
names or that has words of its own.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from typing import Any

import pytest
from support.oracle import (
    WMR,
    Oracle,
    by_class,
    expected_claim_rows,
    expected_statement,
    one,
    parse_html,
    plain,
    shown_claim_rows,
    shown_statement,
    text_of,
)

from westminster_kg import KnowledgeGraph
from westminster_kg.bound import run
from westminster_kg.view.entity import argument_rows, entity_claims, entity_words, local_runner
from westminster_kg.view.neighbourhood import neighbourhood_svg
from westminster_kg.web.base import Settings, Site
from westminster_kg.web.pages import Pages

SVG = "{http://www.w3.org/2000/svg}"


class InProcess(Site):
    """The web app's site with each bound query answered from the same Oxigraph store in this
    process: the worker hop left out, so the fast tier can read every page (test_oracle_web.py reads
    a sample over real HTTP, through the workers)."""

    def ask(self, query, **_options):  # noqa: ANN001, ANN201 - Site.ask's signature
        return run(self.kg.store, query)


@pytest.fixture(scope="module")
def web() -> Pages:
    return Pages(InProcess(KnowledgeGraph.load(), Settings(workers=1)))


def entities_with_something_to_show(oracle: Oracle) -> list[str]:
    ends = {e for c in oracle.claims.values() for e in (c.subject, c.object)}
    return sorted(e for e in ends | set(oracle.words) if e.startswith(WMR))


def entity_page(web: Pages, iri: str) -> str:
    return web.entity_html(iri).body.decode("utf-8")


def expected_words(oracle: Oracle, iri: str) -> Counter:
    found: Counter = Counter()
    for item, info in oracle.words.get(iri, {}).items():
        supports = frozenset(
            (expected_statement(oracle, c), "" if c.subject else c.label, oracle.label(c.stance), oracle.certainty(c))
            for c in oracle.supported_by(item)
        )
        found[(frozenset(plain(q) for q in info["quotes"]), supports)] += 1
    return found


def kinds_allowed(oracle: Oracle, iri: str) -> dict[frozenset[str], set[str]]:
    """Quotes → the words that may name what they are: the claim's stance, or a class of the quotation."""
    allowed = {}
    for info in oracle.words.get(iri, {}).values():
        names = {oracle.label(info["stance"])} if info["stance"] else set()
        names |= {oracle.label(t) for t in info["types"] if t.startswith(oracle_wm()) and not t.endswith("#Claim")}
        allowed.setdefault(frozenset(plain(q) for q in info["quotes"]), set()).update(names)
    return allowed


def oracle_wm() -> str:
    return "https://w3id.org/westminster-kg/ontology#"


def shown_words(page: str, iri: str) -> tuple[Counter, dict[frozenset[str], str]]:
    root = parse_html(page)
    listing = one(root, "wmkg-words")
    found: Counter = Counter()
    kinds: dict[frozenset[str], str] = {}
    if listing is None:
        return found, kinds
    for item in listing.findall("li"):
        quotes = frozenset(text_of(q) for q in item.findall("blockquote"))
        supports = frozenset(
            (
                shown_statement(li, iri),
                text_of(one(li, "wmkg-proposition")),
                text_of(one(li, "wmkg-stance")),
                text_of(one(li, "wmkg-modality")),
            )
            for box in by_class(item, "wmkg-supports")
            for li in box.findall("li")
        )
        found[(quotes, supports)] += 1
        kinds[quotes] = text_of(one(one(item, "wmkg-kind") or item, "wmkg-stance"))
    return found, kinds


def difference(shown: Counter, expected: Counter) -> dict[str, Any]:
    return {"shown, not in the graph": shown - expected, "in the graph, not shown": expected - shown}


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_every_entity_page_shows_each_claim_naming_it_as_the_graph_states_it(oracle, web):
    wrong = {}
    for iri in entities_with_something_to_show(oracle):
        shown, expected = shown_claim_rows(entity_page(web, iri), iri), expected_claim_rows(oracle, iri)
        if shown != expected:
            wrong[iri] = difference(shown, expected)
    assert not wrong, f"{len(wrong)} entity pages differ from the graph, e.g. {next(iter(wrong.items()))}"


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_the_pages_index_gives_each_entity_what_its_own_bound_queries_give(web):
    # Pages look their entity up in one index of the whole graph (built once per loaded graph); the
    # queries with the entity bound must find the same claims, words and argument, in the same order.
    index, ask = web.entity_index(), local_runner(web.kg)
    compared: Counter = Counter()
    for slug in ("haldane-convention", "david-cameron", "article-authors", "claim-critical-gap-emerges", "npm"):
        iri = WMR + slug
        alone = {
            "claims": entity_claims(ask, iri),
            "words": entity_words(ask, iri),
            "argument": argument_rows(ask, iri),
        }
        assert index.context(iri) == alone, slug
        compared.update(part for part, found in alone.items() if found)
    assert set(compared) == {"claims", "words", "argument"}, f"nothing compared in some part: {compared}"


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_relations_on_entity_pages_read_in_the_graphs_direction_not_all_inwards(oracle, web):
    # Every relation was drawn "←" (the template compared an rdflib Literal with "out"): the
    # Haldane convention underpins the Westminster Model, not the other way round.
    page = parse_html(entity_page(web, WMR + "haldane-convention"))
    statements = {shown_statement(row, WMR + "haldane-convention")[::2] for row in by_class(page, "wmkg-statement")}
    assert (WMR + "haldane-convention", "wm:underpins", WMR + "westminster-model") in statements
    assert (WMR + "carltona-doctrine", "wm:legallyClarifies", WMR + "haldane-convention") in statements
    assert "←" not in text_of(one(page, "wmkg-relations-table"))


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_every_entity_page_lists_the_words_attributed_to_it_with_the_claims_they_support(oracle, web):
    wrong = {}
    for iri in sorted(oracle.words):
        if not iri.startswith(WMR):
            continue
        page = entity_page(web, iri)
        (shown, kinds), expected = shown_words(page, iri), expected_words(oracle, iri)
        allowed = kinds_allowed(oracle, iri)
        bad_kinds = {q: k for q, k in kinds.items() if k not in allowed.get(q, set())}
        if shown != expected or bad_kinds:
            wrong[iri] = {**difference(shown, expected), "kinds": bad_kinds}
    assert not wrong, f"{len(wrong)} pages differ from the graph's attributions, e.g. {next(iter(wrong.items()))}"


def test_david_camerons_page_shows_his_three_quotes(web):
    # His page said "No evidenced relation names this entity", though the article quotes him three times.
    page = parse_html(entity_page(web, WMR + "david-cameron"))
    quotes = [text_of(q) for q in one(page, "wmkg-words").iter("blockquote")]
    # The three passages the article quotes him in (a passage may also stand as a claim of his own).
    for words in ("buggeration factor", "new culture of voluntarism", "to enable the public to hold politicians"):
        assert any(words in q for q in quotes), words
    supports = [shown_statement(li, WMR + "david-cameron") for li in one(page, "wmkg-supports").findall("li")]
    assert supports[0][2:] == ("wm:evidenceFor", "evidence for", WMR + "rubber-lever-syndrome", "rubber lever syndrome")


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_a_claim_only_in_an_actors_voice_is_shown_as_theirs_and_not_asserted(oracle, web):
    claim = oracle.claims[WMR + "claim-direct-access-of-advice-underpins-loyalty-with-deliberative-space"]
    assert not claim.asserted  # the graph keeps Donnelly's words as a claim node only
    rows = shown_claim_rows(entity_page(web, claim.subject), claim.subject)
    [row] = [r for r in rows if r[0] == expected_statement(oracle, claim)]
    assert row[2] == "actor's claim" and row[3] == "Martin Donnelly" and row[5] is False


def neighbourhood_lines(svg: str) -> Counter:
    """(sentence, quotes) of every line of a neighbourhood picture, from its tooltips."""
    lines: Counter = Counter()
    if not svg:
        return lines
    for path in ET.fromstring(svg).iter(SVG + "path"):
        title = path.find(SVG + "title")
        match = re.fullmatch(r"(.*) \((\d+) quotes?\)", title.text or "") if title is not None else None
        assert match, f"a line without a tooltip that names its relation: {ET.tostring(path)[:200]!r}"
        lines[(match.group(1), int(match.group(2)))] += 1
    return lines


def expected_neighbourhood(oracle: Oracle, iri: str) -> dict[str, Counter]:
    """Other end → (sentence, quotes) of each plain triple naming ``iri`` (not a self-loop)."""
    quotes: Counter = Counter()
    for claim in oracle.naming(iri):
        # Claims are the evidence of lines, never points of the picture (a claim about a claim is not drawn).
        if oracle.drawn(claim) and claim.subject != claim.object:
            quotes[(claim.subject, claim.relation, claim.object)] += len(claim.quotes)
    by_end: dict[str, Counter] = {}
    for (s, p, o), count in quotes.items():
        sentence = f"{oracle.label(s)} {oracle.label(p)} {oracle.label(o)}"
        by_end.setdefault(o if s == iri else s, Counter())[(sentence, count)] += 1
    return by_end


def hidden_count(svg: str) -> int:
    """How many neighbours the picture says it leaves out ("and 7 more")."""
    match = re.search(r"and (\d+) more", svg)
    return int(match.group(1)) if match else 0


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_every_line_of_a_neighbourhood_picture_is_a_relation_of_the_graph_in_its_direction(oracle, web):
    network = web.network()
    wrong = {}
    for iri in entities_with_something_to_show(oracle):
        if iri not in network:
            continue
        svg = neighbourhood_svg(network, iri)
        shown, by_end = neighbourhood_lines(svg), expected_neighbourhood(oracle, iri)
        expected = sum(by_end.values(), Counter())
        # The picture keeps the neighbours with most quotes and names how many it leaves out.
        left_out = [end for end, lines in by_end.items() if not lines & shown]
        drawn = sum((by_end[end] for end in by_end if end not in left_out), Counter())
        if shown != drawn or len(left_out) != hidden_count(svg):
            wrong[iri] = {**difference(shown, expected), "left out": len(left_out), "says": hidden_count(svg)}
    assert not wrong, f"{len(wrong)} neighbourhoods differ from the graph, e.g. {next(iter(wrong.items()))}"
