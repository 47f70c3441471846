"""The one resolver of typed values: labels, aliases, slugs, CURIEs and IRIs, never a missing IRI."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import URIRef
from support import REPO, wmkg

from westminster_kg import KnowledgeGraph
from westminster_kg.namespaces import WMR
from westminster_kg.resolve import ResolveError, Resolver, normalise

COALITION = str(WMR["coalition-government-2010-2015"])


@pytest.fixture(scope="module")
def resolver_kg() -> KnowledgeGraph:
    return KnowledgeGraph.load(REPO)


@pytest.fixture(scope="module")
def resolver(resolver_kg: KnowledgeGraph) -> Resolver:
    return resolver_kg.resolver


def test_normalise_folds_case_accents_quotes_dashes_and_a_leading_the() -> None:
    assert normalise("  The   Coalition ") == "coalition"
    assert normalise("Actor’s claim") == normalise("actor's CLAIM")
    assert normalise("Whitehall-model") == "whitehall model"
    assert normalise("Pétain") == "petain"
    assert normalise("2010–15 Coalition") == normalise("2010-15 coalition")


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
@pytest.mark.parametrize(
    ("what", "value", "slug"),
    [
        ("government", "coalition", "coalition-government-2010-2015"),
        ("government", "COALITION", "coalition-government-2010-2015"),
        ("government", "the Coalition", "coalition-government-2010-2015"),
        ("government", "Labour", "new-labour-government-1997-2010"),
        ("government", "new labour", "new-labour-government-1997-2010"),
        ("convention", "haldane", "haldane-convention"),
        ("convention", "Whitehall model", "whitehall-model"),  # a model, where a convention is asked: both concepts
        ("period", "Coalition", "coalition-government-2010-2015"),  # exact beats a Table 2 period's partial label
        ("entity", "wmr:haldane-convention", "haldane-convention"),
        ("entity", "<https://w3id.org/westminster-kg/id/haldane-convention>", "haldane-convention"),
        ("entity", "haldane-convention", "haldane-convention"),
    ],
)
def test_what_people_type_resolves_to_the_entity_they_mean(
    resolver: Resolver, what: str, value: str, slug: str
) -> None:
    assert resolver.resolve(value, what) == URIRef(WMR[slug])


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_typographic_quotes_are_folded(resolver: Resolver) -> None:
    assert resolver.resolve("actor’s claim", "stance") == resolver.resolve("Actor's Claim", "stance")


def test_a_part_of_a_name_finds_labels_with_a_word_it_begins_never_letters_inside_a_word(resolver: Resolver) -> None:
    # Labels computed independently: every label with a word starting "haldan", none with "sir" only
    # inside a word ("collective desire …").
    labels = {resolver.label(str(i)) for i in resolver.find("haldan")}
    assert {"Haldane Report (1918)", "Haldane convention"} <= labels
    assert all(re.search(r"\bhaldan", label, re.IGNORECASE) for label in labels)
    inside = {resolver.label(str(i)) for i in resolver.find("sir")}
    assert not any(re.search(r"\Bsir", label, re.IGNORECASE) for label in inside), inside


@pytest.mark.parametrize(
    ("what", "typed", "meant"),
    [
        ("government", "coalitoin", "Coalition Government (2010-2015)"),
        ("convention", "haldain", "Haldane convention"),
        ("convention", "haldane convension", "Haldane convention"),
        ("reform", "departmental busines plans", "Departmental Business Plans"),
    ],
)
def test_a_misspelt_name_is_refused_with_did_you_mean(resolver: Resolver, what: str, typed: str, meant: str) -> None:
    with pytest.raises(ResolveError, match=f"nothing is labelled '{typed}'; did you mean '{re.escape(meant)}'"):
        resolver.resolve(typed, what)


@pytest.mark.parametrize("value", ["wmr:no-such-thing", "https://example.org/nothing", "<https://w3id.org/x>"])
def test_an_iri_of_nothing_in_the_graph_is_refused(resolver: Resolver, value: str) -> None:
    with pytest.raises(ResolveError, match="is an IRI of nothing in the graph"):
        resolver.resolve(value, "entity")


def test_a_slug_of_nothing_is_tried_as_a_label_and_never_becomes_an_iri(resolver: Resolver) -> None:
    with pytest.raises(ResolveError, match="nothing is labelled 'walpole'"):
        resolver.resolve("walpole", "entity")


def test_an_ambiguous_label_lists_its_candidates_with_labels(resolver: Resolver) -> None:
    with pytest.raises(ResolveError) as caught:
        resolver.resolve("Haldane", "entity")
    message = str(caught.value)
    assert "ambiguous" in message and "Viscount Haldane (wmr:viscount-haldane)" in message
    assert "Haldane convention (wmr:haldane-convention)" in message
    assert {iri for iri, _ in caught.value.candidates} == {
        str(WMR["viscount-haldane"]),
        str(WMR["haldane-convention"]),
    }


def test_a_party_where_a_government_is_asked_offers_the_partys_governments(resolver: Resolver) -> None:
    with pytest.raises(ResolveError, match=r"'Tory' is Conservative Party, not a government") as caught:
        resolver.resolve("Tory", "government")
    assert str(WMR["thatcher-government-1979-1990"]) in {iri for iri, _ in caught.value.candidates}
    assert COALITION in {iri for iri, _ in caught.value.candidates}


@pytest.fixture(scope="module")
def labelled(resolver: Resolver) -> list[tuple[str, str]]:
    """(IRI, rdfs:label or prefLabel) of every indexed entity."""
    return sorted((iri, label) for iri, label in resolver.labels.items() if normalise(label) in resolver.preferred)


@pytest.mark.slow  # hypothesis, 300 examples
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_every_entity_resolves_from_its_label_in_any_case_and_from_its_slug(
    resolver: Resolver, labelled: list[tuple[str, str]], data: st.DataObject
) -> None:
    iri, label = data.draw(st.sampled_from(labelled))
    flips = data.draw(st.lists(st.booleans(), min_size=len(label), max_size=len(label)))
    typed = "".join(c.swapcase() if flip else c for c, flip in zip(label, flips, strict=True))
    try:
        assert resolver.resolve(typed, "entity") == URIRef(iri)
    except ResolveError as exc:
        # Only a label that two entities share may be ambiguous, and then both are offered.
        sharing = resolver.preferred[normalise(label)]
        assert len(sharing) > 1 and iri in {c for c, _ in exc.candidates}, str(exc)
    if iri.startswith(str(WMR)):
        assert resolver.resolve(iri[len(str(WMR)) :], "entity") == URIRef(iri)


@pytest.mark.slow  # the CLI over the repository's graph
def test_the_cli_gives_the_coalitions_rows_and_refuses_a_misspelling_with_exit_2(resolver_kg: KnowledgeGraph) -> None:
    # In process (support.cli) over the module's graph: any exception but a user error would be raised here.
    ok = wmkg("query", "reforms-eroding-conventions", "-p", "government=coalition", "-f", "csv", kg=resolver_kg)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.count("\n") > 2 and COALITION in ok.stdout
    bad = wmkg("query", "reforms-eroding-conventions", "-p", "government=coalitoin", kg=resolver_kg)
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.strip().count("\n") == 0 and "did you mean" in bad.stderr


@pytest.mark.slow  # the CLI over the repository's graph
def test_the_view_refuses_a_government_that_names_a_party(tmp_path, resolver_kg: KnowledgeGraph) -> None:
    done = wmkg("view", "--government", "Tory", "-o", str(tmp_path / "view.html"), kg=resolver_kg)
    assert done.returncode == 2 and "not a government" in done.stderr
    assert not (tmp_path / "view.html").exists()
