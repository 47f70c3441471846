"""Parameters of a kind, governments within governments, empty answers that say so, and notebook displays.

Each expectation is computed from the graph by SPARQL of its own (the classes of an entity, what the
article attributes to a government), not read off the surface under test.
"""

from __future__ import annotations

import re

import pytest
from rdflib import URIRef
from support import REPO

from westminster_kg import KnowledgeGraph
from westminster_kg.catalogue import ANY_CLASS, load_catalogue, parse_named_query
from westminster_kg.errors import QueryError
from westminster_kg.namespaces import WM, WMR
from westminster_kg.resolve import ResolveError, kind_name, plural

CATALOGUE = load_catalogue(REPO / "queries")
NEW_LABOUR = str(WMR["new-labour-government-1997-2010"])
BLAIR = str(WMR["blair-government-1997-2007"])
BROWN = str(WMR["brown-government-2007-2010"])


@pytest.fixture(scope="module")
def kg() -> KnowledgeGraph:
    return KnowledgeGraph.load(REPO)


def sparql_set(kg: KnowledgeGraph, sparql: str) -> set[tuple[str, ...]]:
    return {tuple(str(t) for t in row) for row in kg.run(sparql).rows}


# --- the header ---------------------------------------------------------------------------------------


def test_a_param_line_declares_the_classes_it_takes_and_old_lines_still_read(tmp_path) -> None:
    path = tmp_path / "q.rq"
    path.write_text(
        "# title: T\n"
        "# param: government iri optional wm:Government|wm:Period The government.\n"
        "# param: convention iri required The convention (an old line, no class).\n"
        "# param: word literal required wm:Idea is not a class here: a literal takes none.\n"
        "SELECT * WHERE { ?s ?p ?o }\n"
    )
    with pytest.raises(QueryError, match=r"q\.rq:4: only an iri parameter takes a class"):
        parse_named_query(path)
    path.write_text(
        path.read_text().replace("# param: word literal required wm:Idea is", "# param: word literal required It")
    )
    government, convention, _word = parse_named_query(path).parameters
    assert government.takes == (str(WM.Government), str(WM.Period)) and government.description == "The government."
    assert convention.classes == () and convention.required and convention.description.startswith("The convention")


def test_an_unknown_prefix_in_a_class_names_the_file_and_line(tmp_path) -> None:
    path = tmp_path / "q.rq"
    path.write_text("# title: T\n# param: x iri optional zz:Thing X.\nSELECT * WHERE { ?s ?p ?o }\n")
    with pytest.raises(QueryError, match=r"q\.rq:2: unknown prefix 'zz'"):
        parse_named_query(path)


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_every_iri_parameter_of_the_catalogue_says_what_it_takes(kg: KnowledgeGraph) -> None:
    for named in CATALOGUE.values():
        for parameter in named.parameters:
            if parameter.kind == "iri":
                assert parameter.classes, f"{named.name}: {parameter.name} declares no class (rdfs:Resource: any)"
                # A class nothing in the graph belongs to would refuse every value (a typo, most likely).
                empty = [c for c in parameter.takes if not kg.resolver.members_of([c])]
                assert not empty, f"{named.name}: {parameter.name} takes classes without members: {empty}"


# --- a value of another kind --------------------------------------------------------------------------


def kinds_of(kg: KnowledgeGraph, iri: str) -> set[str]:
    """The classes (with superclasses) and schemes of ``iri``, by SPARQL of its own."""
    rows = kg.run(
        "SELECT DISTINCT ?k WHERE { { ?e a/rdfs:subClassOf* ?k } UNION { ?e skos:inScheme ?k } }", {"e": URIRef(iri)}
    ).rows
    return {str(row[0]) for row in rows}


CASES = [(named.name, p.name) for named in CATALOGUE.values() for p in named.parameters if p.kind == "iri" and p.takes]


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
@pytest.mark.parametrize(("query", "parameter"), CASES, ids=[f"{q}-{p}" for q, p in CASES])
def test_a_value_of_another_kind_is_refused_with_values_of_the_right_kind(
    kg: KnowledgeGraph, query: str, parameter: str
) -> None:
    takes = set(CATALOGUE[query].parameter(parameter).takes)
    # The first of a few entities of different kinds that the parameter does not take.
    kinds = {slug: kinds_of(kg, str(WMR[slug])) for slug in ("npm", "coalition-government-2010-2015", "david-cameron")}
    wrong = next(slug for slug, its in kinds.items() if not its & takes)
    with pytest.raises(ResolveError) as caught:
        kg.query(query, **{parameter: wrong})
    message = str(caught.value)
    kind = {"npm": "an idea", "coalition-government-2010-2015": "a government", "david-cameron": "a person"}[wrong]
    assert message.startswith(f"{parameter}: '{wrong}' is {kind}"), message
    assert caught.value.candidates, message
    assert all(kinds_of(kg, iri) & takes for iri, _ in caught.value.candidates), message


@pytest.mark.parametrize(
    ("typed", "lead", "offered"),
    [
        ("NPM", "'NPM' is an idea (New Public Management), not a government; the governments are", "all"),
        ("Thatcherism", "'Thatcherism' is an ideology, not a government", "all"),
        (
            "Tory",
            "'Tory' is a political party (Conservative Party), not a government; governments linked to it",
            "tory",
        ),
        ("Cameron", "'Cameron' is a person (David Cameron), not a government; governments linked to it", "cameron"),
        (
            "Cameron government",
            "nothing is labelled 'Cameron government'; governments linked to David Cameron",
            "cameron",
        ),
    ],
)
def test_a_government_parameter_names_the_kind_given_and_offers_the_right_governments(
    kg: KnowledgeGraph, typed: str, lead: str, offered: str
) -> None:
    governments = {str(g) for (g,) in kg.run("SELECT ?g WHERE { ?g a wm:Government }").rows}
    expected = {
        "all": governments,
        "tory": {
            str(g) for (g,) in kg.run("SELECT ?g WHERE { ?g a wm:Government ; wm:party wmr:conservative-party }").rows
        },
        "cameron": {
            str(g)
            for (g,) in kg.run("SELECT ?g WHERE { ?g a wm:Government ; wm:primeMinister wmr:david-cameron }").rows
        },
    }[offered]
    with pytest.raises(ResolveError) as caught:
        kg.query("reforms-eroding-conventions", government=typed)
    assert str(caught.value).startswith(f"government: {lead}"), str(caught.value)
    assert {iri for iri, _ in caught.value.candidates} == expected


def test_a_term_from_python_code_is_checked_for_its_kind_too(kg: KnowledgeGraph) -> None:
    with pytest.raises(ResolveError, match="is an idea"):
        kg.query("reforms-eroding-conventions", government=WMR.npm)


def test_a_parameter_that_takes_anything_takes_anything(kg: KnowledgeGraph) -> None:
    assert CATALOGUE["entity"].parameter("entity").classes == (ANY_CLASS,)
    assert kg.query("entity", entity="npm").rows and kg.query("entity", entity="Coalition").rows


def test_kinds_read_as_words() -> None:
    assert kind_name(str(WM.ModelOfGovernment)) == "model of government"
    assert kind_name(str(WM.ModalityScheme)) == "modality"
    assert [plural(n) for n in ("government", "political party", "model of government", "class")] == [
        "governments",
        "political parties",
        "models of government",
        "classes",
    ]


# --- governments within governments -------------------------------------------------------------------


def test_blair_and_brown_are_parts_of_new_labour_as_a_background_fact(kg: KnowledgeGraph) -> None:
    rows = sparql_set(
        kg,
        "SELECT ?part ?source ?note WHERE { ?part wm:partOfGovernment wmr:new-labour-government-1997-2010 ; "
        "dcterms:source ?source ; skos:note ?note }",
    )
    assert {row[0] for row in rows} == {BLAIR, BROWN}
    assert all("Background fact" in note and "New Labour" in note for _, _, note in rows)
    # Not the article's claim: no claim node, no quote for it.
    assert not kg.run("ASK { ?c rdf:predicate wm:partOfGovernment }").boolean


def attributed(kg: KnowledgeGraph, governments: list[str]) -> set[tuple[str, str]]:
    """(reform, convention) of each erosion by a reform the article attributes to one of ``governments``:
    a claim in the authors' voice (of any modality), or another's where the authors assert it too."""
    rows = kg.run(
        "SELECT DISTINCT ?r ?c WHERE { ?claim rdf:subject ?r ; rdf:predicate wm:erodes ; rdf:object ?c ; "
        "wm:stance ?s . FILTER(?s IN (wm:AuthorArgument, wm:ArticleData) || EXISTS { ?r wm:erodes ?c }) "
        "?r wm:introducedBy ?g . VALUES ?g { " + " ".join(f"<{g}>" for g in governments) + " } }"
    ).rows
    return {(str(r), str(c)) for r, c in rows}


@pytest.mark.parametrize("typed", ["Blair government", "Blair", "Brown", "wmr:blair-government-1997-2007"])
def test_asking_for_a_part_answers_what_the_article_attributes_to_the_whole_and_says_so(
    kg: KnowledgeGraph, typed: str
) -> None:
    result = kg.query("reforms-eroding-conventions", government=typed)
    answer = {(str(row["reform"]), str(row["convention"])) for row in result.to_dicts()}
    part = BLAIR if "laur" not in typed and "Brown" not in typed else BROWN
    assert answer == attributed(kg, [part, NEW_LABOUR]) and answer  # not empty: New Labour's erosions
    assert result.notes == [
        f"government: {kg.label(part)} is part of New Labour Government (1997-2010): the article attributes "
        "these to New Labour Government (1997-2010) as a whole, and they are included"
    ]
    assert result.filters == [("government", kg.label(part))]


def test_asking_for_the_whole_includes_its_parts(kg: KnowledgeGraph) -> None:
    result = kg.query("reforms-eroding-conventions", government="New Labour")
    answer = {(str(row["reform"]), str(row["convention"])) for row in result.to_dicts()}
    assert answer == attributed(kg, [NEW_LABOUR, BLAIR, BROWN])
    assert result.notes and "includes Blair Government (1997-2007) and Brown Government (2007-2010)" in result.notes[0]


def test_a_government_with_no_parts_has_no_note(kg: KnowledgeGraph) -> None:
    result = kg.query("reforms-eroding-conventions", government="Coalition")
    assert result.notes == [] and result.rows


def test_the_continuity_paradox_of_a_part_is_the_wholes(kg: KnowledgeGraph) -> None:
    whole = {tuple(map(str, r)) for r in kg.query("continuity-paradox", government="New Labour").rows}
    part = kg.query("continuity-paradox", government="Brown")
    assert {tuple(map(str, r)) for r in part.rows} == whole and part.notes


# --- empty answers ------------------------------------------------------------------------------------


def test_a_legitimately_empty_answer_says_0_rows_and_its_filters(kg: KnowledgeGraph) -> None:
    # The Major government introduced no reform the article says eroded the impartiality principle.
    assert not kg.run("ASK { ?r wm:introducedBy wmr:major-government-1990-1997 ; wm:erodes wmr:impartiality }").boolean
    result = kg.query("reforms-eroding-conventions", government="Major", convention="impartiality")
    assert result.rows == []
    assert result.summary() == "0 rows with government = Major Government (1990-1997), convention = impartiality"


# --- notebooks ----------------------------------------------------------------------------------------


def test_a_result_displays_in_jupyter_with_its_row_count_and_quotes(kg: KnowledgeGraph) -> None:
    formatters = pytest.importorskip("IPython.core.formatters")
    result = kg.query("reforms-eroding-conventions", government="Brown")
    shown = formatters.DisplayFormatter().format(result)[0]["text/html"]
    assert f"{len(result.rows)} rows with government = Brown Government (2007-2010)" in shown
    assert "the article attributes these to New Labour Government (1997-2010) as a whole" in shown
    import html

    for row in result.to_dicts():
        assert html.escape(" ".join(str(row["quote"]).split())) in shown


def test_an_empty_result_displays_0_rows_in_jupyter(kg: KnowledgeGraph) -> None:
    formatters = pytest.importorskip("IPython.core.formatters")
    result = kg.query("reforms-eroding-conventions", government="Major", convention="impartiality")
    shown = formatters.DisplayFormatter().format(result)[0]["text/html"]
    assert "0 rows with government = Major Government (1990-1997), convention = impartiality" in shown
    assert "<table" not in shown


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
@pytest.mark.parametrize("options", [{}, {"network": True}, {"timeline": True}, {"government": "Coalition"}])
def test_a_view_in_a_notebook_stays_under_300_kb(kg: KnowledgeGraph, options: dict) -> None:
    formatters = pytest.importorskip("IPython.core.formatters")
    shown = formatters.DisplayFormatter().format(kg.view(**options))[0]["text/html"]
    assert len(shown.encode("utf-8")) < 300_000
    assert re.search(r"<iframe srcdoc=", shown)


# --- view filters -------------------------------------------------------------------------------------


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_the_view_filter_refuses_a_government_of_another_kind(kg: KnowledgeGraph) -> None:
    with pytest.raises(ResolveError, match=r"'NPM' is an idea \(New Public Management\), not a government or period"):
        kg.view(government="NPM")


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_the_view_filter_keeps_the_wholes_edges_for_a_part(kg: KnowledgeGraph) -> None:
    from westminster_kg.network import build_network

    part = build_network(kg, government="Brown")
    whole = build_network(kg, government="New Labour Government (1997-2010)")
    assert part.number_of_edges() and set(part.edges(keys=True)) <= set(whole.edges(keys=True))
    assert {k for *_, k in build_network(kg, government=NEW_LABOUR).edges(keys=True)} >= {
        k for *_, k in part.edges(keys=True)
    }
    assert part.graph["notes"] and "as a whole" in part.graph["notes"][0]
