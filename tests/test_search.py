"""Search by words: whole words in order (a half-typed last word may begin a longer one), plurals and
a leading "the" folded, every match ranked: names that are the needle, then names, then quotes."""

from __future__ import annotations

import pytest

from westminster_kg import KnowledgeGraph
from westminster_kg.view.entity import local_runner
from westminster_kg.view.search import SearchIndex, phrase_at, text_words

WMR = "https://w3id.org/westminster-kg/id/"


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return SearchIndex.build(local_runner(KnowledgeGraph.load()))


@pytest.mark.parametrize(
    ("needle", "text", "found"),
    [
        ("Sir Humphrey", "a collective desire to sustain", False),
        ("sir", "a collective desire", False),
        ("desire", "a collective desire to sustain", True),
        ("haldan", "the Haldane Report", True),  # a half-typed name
        ("hal", "the Haldane Report", False),  # too short to stand for a word
        ("special advisers", "Special adviser", True),
        ("the Delivery Unit", "Prime Minister’s Delivery Unit", True),
        ("unit delivery", "Prime Minister’s Delivery Unit", False),  # words in order
        ("Whitehall’s “buggeration factor”", 'Cameron spoke of Whitehall\'s "buggeration factor"', True),
    ],
)
def test_a_needle_matches_whole_words_in_order(needle, text, found):
    assert (phrase_at(text_words(text), text_words(needle)) >= 0) is found


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_an_exact_alias_comes_first_and_every_other_match_is_still_listed(index):
    result = index.search("NPM")
    assert result.entities[0].iri == WMR + "npm"
    assert len(result.entities) > 1 and result.quotes  # the NPM reforms, the sections, the quotes


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_quotes_are_found_with_the_claim_they_are_evidence_of(index):
    result = index.search("buggeration")
    statements = [q.statement for q in result.quotes if q.statement]
    assert (
        WMR + "rhetoric-cameron-buggeration-factor",
        "https://w3id.org/westminster-kg/ontology#evidenceFor",
        WMR + "rubber-lever-syndrome",
    ) in statements
