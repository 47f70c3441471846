"""The query catalogue against the real graph: each answer pinned to what the article says.

Every expected value below was written by hand from ``graph/sources/westminster-model-article.txt``
(the quoted words are the article's), never copied from a query's output. Where the answer is small
and closed (Table 1, Table 2, the seven pathologies, the totals check) the test asks for exact
equality; elsewhere it asks that the article's facts are among the rows, so that curators can keep
adding. A fact the article states but the graph does not yet hold has a test
marked ``xfail(strict=True)``: it turns red the day the data arrives, and the mark goes.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
from rdflib import Literal, URIRef

from westminster_kg import KnowledgeGraph
from westminster_kg.catalogue import catalogue_markdown, load_catalogue
from westminster_kg.namespaces import WMR
from westminster_kg.vocab import WM

REPO = Path(__file__).resolve().parents[1]
ARTICLE = (REPO / "graph" / "sources" / "westminster-model-article.txt").read_text(encoding="utf-8")
CATALOGUE = load_catalogue(REPO / "queries")
DATA_GAP = "data gap: the article states it, the graph does not hold it yet"


@pytest.fixture(scope="module")
def kg() -> KnowledgeGraph:
    """The repository's own graph in the default store (Oxigraph)."""
    return KnowledgeGraph.load(REPO, backend="oxigraph")


def ask(kg: KnowledgeGraph, name: str, **params: Any) -> list[dict[str, Any]]:
    """The rows of a named query as dictionaries of rdflib terms (``None`` when unbound)."""
    return kg.query(name, **params).to_dicts()


def w(slug: str) -> URIRef:
    """The ``wmr:`` IRI of an entity."""
    return WMR[slug]


def value(term: Any) -> Any:
    """A literal as a Python value (``None`` stays ``None``)."""
    return term.toPython() if isinstance(term, Literal) else term


def year(term: Any) -> str | None:
    """The year of a date or gYear literal, as text."""
    return None if term is None else str(term)[:4]


def pairs(rows: list[dict[str, Any]], left: str, right: str) -> set[tuple[Any, Any]]:
    return {(row[left], row[right]) for row in rows}


# --- the catalogue as a whole -------------------------------------------------------------------


def test_the_catalogue_answers_at_least_25_competency_questions() -> None:
    assert len(CATALOGUE) >= 25
    for named in CATALOGUE.values():
        assert named.title and named.description, named.name


def _examples() -> list[tuple[str, dict[str, str]]]:
    """Every documented example of every query, as its parameter values."""
    examples = []
    for name, named in sorted(CATALOGUE.items()):
        for example in named.examples:
            words = shlex.split(example)
            params = dict(words[i + 1].split("=", 1) for i, word in enumerate(words) if word in ("-p", "--param"))
            examples.append((name, params))
    return examples


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_every_declared_parameter_is_used_by_its_query(name: str) -> None:
    # A parameter the body never mentions would be bound by VALUES and silently ignored.
    named = CATALOGUE[name]
    body = "\n".join(line for line in named.sparql.splitlines() if not line.lstrip().startswith("#"))
    for parameter in named.parameters:
        assert re.search(rf"\?{parameter.name}\b", body), f"{name} never uses ?{parameter.name}"


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
@pytest.mark.parametrize(
    ("name", "params"),
    [
        (name, params)
        for name, params in _examples()
        if params and not any(p.required for p in CATALOGUE[name].parameters)
    ],
)
def test_an_optional_parameter_only_narrows_the_answer(kg: KnowledgeGraph, name: str, params: dict[str, str]) -> None:
    everything = set(kg.query(name).canonical())
    narrowed = set(kg.query(name, **params).canonical())
    assert narrowed and narrowed <= everything


@pytest.mark.docs
def test_docs_queries_md_is_generated_from_the_catalogue() -> None:
    written = (REPO / "docs" / "queries.md").read_text(encoding="utf-8")
    assert written == catalogue_markdown(CATALOGUE), (
        "docs/queries.md is out of date: run `wmkg queries --markdown > docs/queries.md`"
    )


@pytest.mark.docs
def test_the_markdown_lists_every_query_with_its_parameters_and_an_example() -> None:
    text = catalogue_markdown(CATALOGUE)
    for name, named in CATALOGUE.items():
        assert f"## {name}\n" in text
        assert f"wmkg query {name}" in text
        for parameter in named.parameters:
            assert f"| `{parameter.name}` | {parameter.kind} |" in text


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
@pytest.mark.docs
def test_wmkg_queries_markdown_prints_the_same_document() -> None:
    from support import wmkg

    done = wmkg("--root", str(REPO), "queries", "--markdown")  # in process: the command's output is the subject
    assert done.returncode == 0, done.stderr
    assert done.stdout == catalogue_markdown(CATALOGUE)


# --- erosion and the paradox of continuity ------------------------------------------------------


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_reforms_eroding_conventions_include_the_erosions_the_article_names(kg: KnowledgeGraph) -> None:
    erosions = pairs(ask(kg, "reforms-eroding-conventions"), "reform", "convention")
    assert {
        # "a combination of NPM and the politicisation of policy making ... has eroded the core symbiotic element"
        (w("npm"), w("haldane-convention")),
        # "NPM ushered in a series of politicised reforms that undermined the traditional Whitehall model"
        (w("npm"), w("whitehall-model")),
        # "performance objectives for individual Permanent Secretaries in 2012 challenged the WM's conception
        #  of individual ministerial accountability"
        (w("permanent-secretary-objectives"), w("ministerial-responsibility")),
        # "an increased role for the private sector ... so eroding the senior Civil Service's monopoly on policy advice"
        (w("pluralisation"), w("monopoly-over-policy-advice")),
        # "Thatcherism politicised the minister-civil servant relationship by a shift from mutual dependence
        #  to conflict"
        (w("thatcherism"), w("haldane-convention")),
    } <= erosions


def test_erosions_grouped_by_government_put_the_permanent_secretary_reforms_under_the_coalition(
    kg: KnowledgeGraph,
) -> None:
    rows = ask(kg, "reforms-eroding-conventions", government="Coalition")
    reforms = {row["reform"] for row in rows}
    # "There has also been an increased role for ministers in appointing Permanent Secretaries";
    # "the introduction of performance objectives for individual Permanent Secretaries in 2012"
    assert {w("ministers-appointing-permanent-secretaries"), w("permanent-secretary-objectives")} <= reforms
    assert all(row["reformGovernment"] == w("coalition-government-2010-2015") for row in rows)
    assert w("npm-reforms-1979-1997") not in reforms


def test_the_continuity_paradox_finds_the_coalition_and_the_thatcher_government(kg: KnowledgeGraph) -> None:
    rows = ask(kg, "continuity-paradox")
    governments = {row["government"] for row in rows}
    # "Crucially, throughout this period ministerial rhetoric reinforced the notion that the WM remained intact"
    # (1979-97, while NPM "undermined the traditional Whitehall model"), and the 2012 plan under the Coalition.
    assert {w("thatcher-government-1979-1990"), w("coalition-government-2010-2015")} <= governments
    coalition = w("coalition-government-2010-2015")
    coalition_quotes = [str(r["continuityQuote"]) for r in rows if r["government"] == coalition]
    assert any("will remain unchanged" in quote for quote in coalition_quotes)


def test_claims_of_continuity_are_the_actors_rhetoric(kg: KnowledgeGraph) -> None:
    rows = ask(kg, "continuity-claims")
    quotes = {(row["actor"], str(row["quote"])) for row in rows}
    assert any("will remain unchanged" in quote for _, quote in quotes)
    # "These changes were presented as occurring within the context of the existing Whitehall model"
    assert any(
        actor == w("new-labour-government-1997-2010") and "presented as occurring within the context" in quote
        for actor, quote in quotes
    )
    # "throughout this period ministerial rhetoric reinforced the notion that the WM remained intact"
    assert any("rhetoric reinforced the notion that the WM remained intact" in quote for _, quote in quotes)
    assert {row["stance"] for row in rows} == {WM.ActorClaim}


def test_the_haldane_convention_is_the_most_eroded(kg: KnowledgeGraph) -> None:
    rows = ask(kg, "erosion-counts")
    assert rows[0]["eroded"] == w("haldane-convention")
    assert value(rows[0]["eroders"]) >= 3  # NPM, Thatcherism, the principal-agent approach at least


# --- the Haldane convention, its conventions, its legal form ---------------------------------------


def test_the_haldane_convention_story_runs_from_1918_through_carltona_to_its_erosion(kg: KnowledgeGraph) -> None:
    rows = ask(kg, "convention-story", convention="haldane-convention")
    steps = {(str(row["role"]), row["actor"]) for row in rows}
    assert {
        # "Such an approach was established as a convention by Lord Haldane's 1918 Report"
        ("established by", w("haldane-report-1918")),
        # "It was a convention that was to receive legal clarification in the 1944 Carltona doctrine."
        ("legally clarified by", w("carltona-doctrine")),
        # "The Haldane convention forms the cornerstone of the Whitehall model."
        ("underpins", w("whitehall-model")),
        ("eroded by", w("npm")),
        # "the eschewing of symbiotic minister-civil servant relationship to be replaced by a principal-agent approach"
        ("replaced by", w("principal-agent-model")),
        # "It is the antithesis of the US 'Wilsonian model'"
        ("contrasted with", w("wilsonian-model")),
    } <= steps
    order = [str(row["role"]) for row in rows]
    assert order.index("established by") < order.index("legally clarified by") < order.index("eroded by")


def test_the_carltona_doctrine_legally_clarifies_the_haldane_convention(kg: KnowledgeGraph) -> None:
    rows = ask(kg, "legal-doctrines", doctrine="carltona-doctrine")
    found = {(str(row["direction"]), row["relation"], row["other"]) for row in rows}
    assert ("out", WM.legallyClarifies, w("haldane-convention")) in found
    # "The principle was established in a 1943 ruling ... in the case of Carltona Ltd v Commissioners of Works"
    assert ("in", WM.establishes, w("carltona-case-1943")) in found
    quotes = " ".join(str(row["quote"]) for row in rows)
    assert "receive legal clarification in the 1944 Carltona doctrine" in quotes


def test_the_carltona_doctrine_establishes_that_officials_act_as_their_ministers(kg: KnowledgeGraph) -> None:
    # Endnote 2: "The Carltona Doctrine establishes the principle that the actions of civil servants are
    # synonymous with the actions of departmental ministers."
    rows = ask(kg, "legal-doctrines", doctrine="carltona-doctrine")
    assert any(
        str(row["direction"]) == "out"
        and row["relation"] in (WM.establishes, WM.underpins)
        and "synonymous with the actions of departmental ministers" in str(row["quote"])
        for row in rows
    )


def test_the_whitehall_model_rests_on_the_conventions_the_article_lists(kg: KnowledgeGraph) -> None:
    rows = ask(kg, "model-conventions", model="whitehall-model")
    norms = {row["norm"] for row in rows}
    # "the norms underpinning the senior civil service included: political neutrality; ... loyalty to the minister
    #  but being afforded the deliberative space to [critically] advise; to serve all governments equally; a monopoly
    #  over policy advice; and accountability to the minister ... they were anonymous. It is on these conventions that
    #  the Whitehall model was established"; "The Whitehall model is based on the idea that officials operate
    #  according to the public service ethos"
    assert {
        w("haldane-convention"),
        w("political-neutrality"),
        w("loyalty-with-deliberative-space"),
        w("serving-all-governments-equally"),
        w("monopoly-over-policy-advice"),
        w("anonymity"),
        w("public-service-ethos"),
    } <= norms
    origins = {row["origin"] for row in rows if row["norm"] == w("haldane-convention")}
    assert w("haldane-report-1918") in origins


def test_conventions_the_article_never_says_are_eroded_survive_untouched(kg: KnowledgeGraph) -> None:
    untouched = {row["norm"] for row in ask(kg, "untouched-conventions")}
    assert {w("anonymity"), w("serving-all-governments-equally")} <= untouched
    # Eroded in the article's words, so never "untouched":
    assert (
        not {
            w("haldane-convention"),
            w("monopoly-over-policy-advice"),  # "so eroding the senior Civil Service's monopoly on policy advice"
            w(
                "ministerial-responsibility"
            ),  # "challenged the WM's conception of individual ministerial accountability"
        }
        & untouched
    )


def test_institutionalisations_include_thatcherism_through_npm(kg: KnowledgeGraph) -> None:
    rows = ask(kg, "institutionalisations")
    found = pairs(rows, "institutionaliser", "practice")
    # "Thatcherism's instincts were institutionalised through NPM." (the instincts, not Thatcherism: issue 21)
    assert (w("npm"), w("thatcherite-instincts")) in found and (w("npm"), w("thatcherism")) not in found
    # "What the 1979 Conservative administration established and was subsequently embedded by the New Labour
    #  administration and the 2010-15 Coalition has been a late-modern conception of the role of the state"
    assert (w("new-labour-government-1997-2010"), w("late-modern-conception-of-the-state")) in found
    assert (w("coalition-government-2010-2015"), w("late-modern-conception-of-the-state")) in found
    # "these changes have inculcated an accountability-based, principal-agent relationship ... as the norm"
    assert any(row["practice"] == w("principal-agent-model") and "inculcated" in str(row["quote"]) for row in rows)


# --- what replaced, abolished, led to what ---------------------------------------------------------


def test_what_replaced_what(kg: KnowledgeGraph) -> None:
    found = pairs(ask(kg, "replacements"), "successor", "predecessor")
    assert {
        # "Public Service Agreements and Departmental Strategic Objectives were replaced by Departmental Business Plans"
        (w("departmental-business-plans"), w("public-service-agreements")),
        (w("departmental-business-plans"), w("departmental-strategic-objectives")),
        # "its abandonment of New Labour's Delivery Unit to be replaced by an Implementation Unit"
        (w("implementation-unit"), w("prime-ministers-delivery-unit")),
        # "symbiotic minister-civil servant relationship to be replaced by a principal-agent approach"
        (w("principal-agent-model"), w("haldane-convention")),
    } <= found


def test_new_techniques_replace_weberian_bureaucracy(kg: KnowledgeGraph) -> None:
    # "The last two decades have witnessed a shift from Weberian forms of bureaucracy as the central mechanism
    #  for delivery of government goals to an increasing reliance on new techniques such as surveillance,
    #  behavioural norms [including "nudge"], regulation and incentives (Smith 2009)."
    rows = ask(kg, "replacements", replaced="weberian-bureaucracy")
    assert any("shift from Weberian forms of bureaucracy" in str(row["quote"]) for row in rows)


def test_the_coalition_built_on_new_labour_and_the_big_society_parallels_the_third_way(kg: KnowledgeGraph) -> None:
    rows = ask(kg, "reform-lineage")
    found = {(row["later"], row["relation"], row["earlier"]) for row in rows}
    # "The 2010 government sought both to build on and adapt the New Labour reform agenda"
    assert any(
        later == w("coalition-government-2010-2015")
        and relation == WM.buildsOn
        and earlier in (w("new-labour-whitehall-reforms"), w("new-labour-government-1997-2010"))
        for later, relation, earlier in found
    )
    # "There are clear parallels with New Labour's Third Way approach to welfare reform."
    assert {frozenset((a, b)) for a, r, b in found if r == WM.parallels} >= {
        frozenset((w("big-society"), w("third-way")))
    }
    coalition = ask(kg, "reform-lineage", agenda="Coalition")
    assert coalition and all(w("coalition-government-2010-2015") in (r["later"], r["earlier"]) for r in coalition)


def test_the_coalition_abolished_targets_and_the_delivery_unit(kg: KnowledgeGraph) -> None:
    quotes = " | ".join(str(row["quote"]) for row in ask(kg, "abolitions"))
    assert "formally abolished the use of targets" in quotes
    assert "abandonment of New Labour’s Delivery Unit" in quotes


def test_consequences_include_the_blunders_of_our_governments(kg: KnowledgeGraph) -> None:
    found = pairs(ask(kg, "consequences"), "antecedent", "consequence")
    # "Such a shift has further exacerbated this dimension of the model, leading to what Anthony King and Ivor
    #  Crewe (2013) refer to as growth in the "blunders of our governments.""
    assert (w("principal-agent-model"), w("blunders-of-our-governments")) in found
    # "Frustration over issues of both implementation and delivery, the so-called "rubber lever syndrome", has led
    #  to ministers seeking to hold Whitehall to account ... The use of targets ("objectives") for both departments
    #  and permanent secretaries is the most obvious manifestation"
    assert (w("rubber-lever-syndrome"), w("permanent-secretary-objectives")) in found


def test_criticisms_the_article_reports(kg: KnowledgeGraph) -> None:
    found = pairs(ask(kg, "criticisms"), "critic", "criticised")
    # "One term in, Tony Blair complained of having "scars on my back""
    assert (w("tony-blair"), w("civil-service")) in found
    # "This drew criticism from certain quarters of the New Right who argued Thatcherism had failed"
    assert (w("new-right"), w("thatcherism")) in found
    # "Critics argued elements of the Big Society were rhetorical ... (Kerr, Byrne, and Foster 2011)"
    assert (w("ref-kerr-byrne-foster-2011"), w("big-society")) in found


def test_ministers_praise_the_rolls_royce_machine_then_blame_it(kg: KnowledgeGraph) -> None:
    # Introduction: "ministers still invoke the somewhat hackneyed analogy of Whitehall as a "Rolls-Royce-like"
    # machine ... They are then swift to blame it for multiple policy failures"
    rows = ask(kg, "criticisms", target="civil-service")
    assert any("Rolls-Royce" in str(row["quote"]) for row in rows)


# --- reforms over time -----------------------------------------------------------------------------


def test_the_timeline_puts_reforms_in_the_order_the_article_dates_them(kg: KnowledgeGraph) -> None:
    rows = ask(kg, "reform-timeline")
    first = {}
    for position, row in enumerate(rows):
        first.setdefault(row["reform"], position)
    dated = {row["reform"]: year(row["date"]) for row in rows}
    # "The reforms introduced between 1979-97"; "After May 2010 ... Departmental Business Plans";
    # "performance objectives for individual Permanent Secretaries in 2012"; task-forces after 2015.
    assert dated[w("npm-reforms-1979-1997")] == "1979"
    assert dated[w("departmental-business-plans")] == "2010"
    assert dated[w("permanent-secretary-objectives")] == "2012"
    assert dated[w("implementation-task-forces-2015")] == "2015"
    sequence = [
        w("npm-reforms-1979-1997"),
        w("departmental-business-plans"),
        w("permanent-secretary-objectives"),
        w("implementation-task-forces-2015"),
    ]
    assert [first[r] for r in sequence] == sorted(first[r] for r in sequence)


def test_new_labours_reforms_are_the_four_highlights_the_article_lists(kg: KnowledgeGraph) -> None:
    reforms = {row["reform"] for row in ask(kg, "reform-timeline", government="new-labour-government-1997-2010")}
    # "significant increases in special advisers; a much greater focus on implementation through the Prime
    #  Minister's Delivery Unit; increased use of private suppliers ...; a greater use of targets and market mechanisms"
    assert {
        w("growth-of-special-advisers"),
        w("pmdu-focus-on-implementation"),
        w("private-suppliers-in-public-services"),
        w("targets-and-market-mechanisms"),
    } <= reforms


def test_the_coalition_introduced_the_most_reforms(kg: KnowledgeGraph) -> None:
    counts = {row["reformer"]: value(row["reforms"]) for row in ask(kg, "reforms-per-government")}
    # "A process that started in the late 1970s, continued after 1997, but has notably accelerated since 2010"
    assert max(counts, key=counts.get) == w("coalition-government-2010-2015")
    assert counts[w("new-labour-government-1997-2010")] >= 4
    assert counts[w("thatcher-government-1979-1990")] >= 1
    assert counts[w("conservative-government-2015")] >= 1  # the ten Implementation Task-Forces


def test_what_the_article_places_in_each_government_or_period(kg: KnowledgeGraph) -> None:
    found = pairs(ask(kg, "in-period"), "member", "interval")
    assert {
        # "It drew on a loose set of ideas organised under the "Big Society" motif" (after 2010, in the Coalition)
        (w("big-society"), w("coalition-government-2010-2015")),
        # "There are clear parallels with New Labour's Third Way approach to welfare reform."
        (w("third-way"), w("new-labour-government-1997-2010")),
        # "The reforms introduced between 1979-97"
        (w("npm-reforms-1979-1997"), w("period-1979-1997")),
        # Table 2's columns: "New Labour [PSA] Targets (2010)", "Coalition Objectives (Average for 2011 and 2012)"
        (w("period-table2-new-labour-psa-2010"), w("new-labour-government-1997-2010")),
        (w("period-table2-coalition-2011-2012"), w("coalition-government-2010-2015")),
    } <= found
    coalition = ask(kg, "in-period", period="Coalition")
    assert coalition and {row["interval"] for row in coalition} == {w("coalition-government-2010-2015")}


def test_governments_start_in_the_years_the_article_gives(kg: KnowledgeGraph) -> None:
    starts = {row["administration"]: year(row["start"]) for row in ask(kg, "governments")}
    assert starts[w("thatcher-government-1979-1990")] == "1979"  # "the 1979 Conservative administration"
    assert starts[w("new-labour-government-1997-2010")] == "1997"  # "continued after 1997"
    assert starts[w("coalition-government-2010-2015")] == "2010"  # "The last Coalition Government's (2010-15)"
    assert starts[w("conservative-government-2015")] == "2015"  # "a majority Conservative Government in 2015"


# --- the article's numbers -------------------------------------------------------------------------

# Table 2 as printed, typed by hand from the article: (New Labour PSA 2010, Coalition 2011-12, live June 2015).
TABLE_2 = {
    "department-for-education": (6, 25, 11),
    "hm-treasury": (2, 24, 15),
    "home-office": (7, 35, 19),
    "ministry-of-defence": (3, 24, 26),
    "ministry-of-justice": (5, 36, 15),
    "hm-revenue-customs": (3, 5, 8),
    "foreign-commonwealth-office": (10, 17, 9),
    "department-of-health": (3, 33, 15),
    "department-of-energy-climate-change": (7, 18, 9),
    "department-for-work-pensions": (8, 37, 12),
    "department-for-transport": (4, 17, 16),
    "department-for-international-development": (7, 21, 2),
    "department-for-environment-food-rural-affairs": (8, 17, 9),
    "department-for-culture-media-sport": (4, 27, 11),
    "department-for-communities-and-local-government": (6, 37, 5),
    "department-for-business-innovation-skills": (6, 49, 7),
    "cabinet-office": (6, 35, 31),
}


def test_table_2_holds_seventeen_departments_in_three_periods_as_printed(kg: KnowledgeGraph) -> None:
    rows = ask(kg, "table-2-targets")
    assert len(rows) == 17 * 3
    assert len({row["period"] for row in rows}) == 3
    table: dict[URIRef, list[int]] = {}
    for row in rows:  # ordered by department, then by the period's start
        table.setdefault(row["dept"], []).append(value(row["targets"]))
    assert table == {w(slug): list(counts) for slug, counts in TABLE_2.items()}


def test_table_2_for_education_is_6_25_11(kg: KnowledgeGraph) -> None:
    rows = ask(kg, "table-2-targets", department="Education")
    assert [value(row["targets"]) for row in rows] == [6, 25, 11]
    assert [year(row["periodStart"]) for row in rows] == ["2010", "2011", "2015"]


def test_target_changes_put_the_three_periods_side_by_side(kg: KnowledgeGraph) -> None:
    rows = {row["dept"]: row for row in ask(kg, "table-2-target-changes")}
    assert len(rows) == 17
    for slug, (psa, coalition, live) in TABLE_2.items():
        row = rows[w(slug)]
        assert (value(row["psa2010"]), value(row["coalition2011to2012"]), value(row["live2015"])) == (
            psa,
            coalition,
            live,
        )
        assert value(row["changeOverall"]) == live - psa
    education = rows[w("department-for-education")]
    assert (value(education["changeTo2011to2012"]), value(education["changeTo2015"])) == (19, -14)


def test_the_totals_check_shows_453_printed_against_457_recomputed(kg: KnowledgeGraph) -> None:
    rows = ask(kg, "table-2-totals-check")
    got = [
        (
            year(row["periodStart"]),
            value(row["printedTotal"]),
            value(row["recomputedTotal"]),
            value(row["difference"]),
            value(row["totalAgrees"]),
            value(row["printedAverage"]),
            value(row["recomputedAverage"]),
            value(row["departments"]),
        )
        for row in rows
    ]
    # TOTALS 95, 453, 220 and DEPT. AVERAGES 6, 27, 13 as printed; the Coalition cells add up to 457.
    assert got == [
        ("2010", 95, 95, 0, True, 6, 6, 17),
        ("2011", 453, 457, -4, False, 27, 27, 17),
        ("2015", 220, 220, 0, True, 13, 13, 17),
    ]
    # The three column headings, as printed
    assert [str(row["periodLabel"]) for row in rows] == [
        "New Labour [PSA] Targets (2010)",
        "Coalition Objectives (Average for 2011 and 2012)",
        "Current ‘Live’ Objectives (June 15)",
    ]


def test_special_advisers_grew_from_38_to_74_to_107(kg: KnowledgeGraph) -> None:
    rows = ask(kg, "special-advisers")
    # "The rise in political advisors – 38 in 1997, 74 in 2010 and 107 by 2015 (Maer and Faulkner 2015)"
    assert [(year(r["year"]), value(r["advisers"]), value(r["increase"])) for r in rows] == [
        ("1997", 38, None),
        ("2010", 74, 36),
        ("2015", 107, 33),
    ]
    assert {row["citedWork"] for row in rows} == {w("ref-maer-faulkner-2015")}


def test_civil_service_reductions_are_15_per_cent_since_2010_and_25_since_2005(kg: KnowledgeGraph) -> None:
    rows = ask(kg, "civil-service-reductions")
    # "Between 2010-15, there has been a 15 per cent reduction in civil servants with a 25 per cent cut since 2005"
    assert {(year(r["startYear"]), year(r["endYear"]), value(r["percentReduction"])) for r in rows} == {
        ("2010", "2015", 15),
        ("2005", None, 25),
    }


def test_the_government_established_ten_implementation_task_forces(kg: KnowledgeGraph) -> None:
    rows = ask(kg, "implementation-task-forces")
    # "The Government established ten Implementation Task-Forces ... (Cabinet Office 2015)", after 2015
    assert {(value(r["number"]), year(r["year"]), r["establishedBy"]) for r in rows} == {
        (10, "2015", w("conservative-government-2015"))
    }


def test_table_1_lists_five_requirements_with_their_old_and_new_skills(kg: KnowledgeGraph) -> None:
    rows = ask(kg, "table-1-skills")
    assert [
        (str(r["requirementLabel"]), str(r["traditionalSkill"]), str(r["postBureaucraticSkill"])) for r in rows
    ] == [
        ("Overall ethos", "Generalist policy skills", "Specialized skills"),
        ("Policy Role", "Policy advice and making", "Policy implementation and delivery"),
        ("Management", "Political management", "Project and implementation management"),
        ("Relationships", "Networking/bureaucratic infighting", "Management of external relations - contracts"),
        ("Function", "Problem solving", "Delivering"),
    ]


def test_what_the_article_offers_as_evidence(kg: KnowledgeGraph) -> None:
    rows = ask(kg, "evidence-offered")
    found = pairs(rows, "evidenceItem", "target")
    assert {
        # "Yet, evidence suggests that reforms ... is constraining the latter's veto-playing function. A National
        #  Audit Office (2016: 4) report on accountability concludes"
        (w("nao-report-2016"), w("pathology-6-constrained-veto-playing-function")),
        # "As one example from many, the upgrading of London Underground, officials lacked the skills"
        (w("london-underground"), w("pathology-4-new-skills-for-a-post-bureaucratic-civil-service")),
        # "This was how the now defunct Implementation Unit operated"
        (w("implementation-unit"), w("cybernetic-squad-bureaucracy")),
    } <= found
    # "Yet targets in all but name soon remerged (see Table 2)."
    assert w("table-2-targets") in {item for item, _ in found}


# --- pathologies and lessons -----------------------------------------------------------------------


def test_the_seven_pathologies_in_the_articles_order(kg: KnowledgeGraph) -> None:
    rows = ask(kg, "pathologies")
    assert [value(row["order"]) for row in rows] == [1, 2, 3, 4, 5, 6, 7]
    definitions = [str(row["definition"]) for row in rows]
    # One phrase of each numbered paragraph, in order.
    for number, phrase in enumerate(
        [
            "nineteenth century entities",
            "expectations of implementation",
            "problem of accountability",
            "Northcote-Trevelyan paradigm",
            "overseer",
            "veto-playing function",
            "problem-focused approach",
        ]
    ):
        assert phrase in definitions[number], (number + 1, phrase)


def test_every_pathology_follows_from_a_shift(kg: KnowledgeGraph) -> None:
    rows = ask(kg, "pathology-causes")
    # "A number of pathologies emerge from a strategy emphasising the fundamental reform of Whitehall while
    #  claiming constitutional conventions are unaffected": each of the seven has a cause.
    caused = {value(row["order"]) for row in rows if row["cause"] is not None}
    assert caused == {1, 2, 3, 4, 5, 6, 7}
    sixth = {row["cause"] for row in rows if value(row["order"]) == 6}
    # NAO (2016): ministers "have sought greater involvement in top civil service appointments, while appointing
    # increasingly influential special advisers"
    assert {w("ministers-appointing-permanent-secretaries"), w("growth-of-special-advisers")} <= sixth


def test_the_conclusion_draws_four_lessons(kg: KnowledgeGraph) -> None:
    rows = ask(kg, "lessons")
    labels = {str(row["lessonLabel"]).lower() for row in rows}
    assert len({row["lesson"] for row in rows}) == 4
    # "greater anomalies"; "further fragmentation"; "assigning responsibility and obtaining redress become more
    # difficult"; "a real danger of a loss of expertise and of objective policy making"
    for word in ("anomalies", "fragmentation", "redress", "expertise"):
        assert any(word in label for label in labels), word
    expertise = {row["cause"] for row in rows if "expertise" in str(row["lessonLabel"]).lower()}
    assert w("principal-agent-model") in expertise


# --- voices, sources and evidence ------------------------------------------------------------------

# Who said what, typed from the article: (speaker, words of the quote).
SAYINGS = [
    ("tony-blair", "scars on my back"),
    ("tony-blair", "policy chimneys"),
    ("tony-blair", "to do nothing"),
    ("margaret-hodge", "the old convention of civil servants being accountable to ministers"),
    ("francis-maude", "Publishing the objectives of Permanent Secretaries"),
    ("martin-donnelly", "official advice is seen directly by the Minister"),
    ("mike-bracken", "departments and structures"),
    ("chris-mullin", "deep dive"),
    ("david-cameron", "buggeration factor"),
    ("coalition-government-2010-2015", "will remain unchanged"),
]


@pytest.mark.parametrize(("speaker", "words"), SAYINGS)
def test_who_said_what(kg: KnowledgeGraph, speaker: str, words: str) -> None:
    rows = ask(kg, "rhetorical-claims", speaker=speaker)
    assert any(words in str(row["quote"]) for row in rows), (speaker, words)


def test_the_conservatives_claimed_the_inherited_economy_left_few_options(kg: KnowledgeGraph) -> None:
    # "The Conservatives, in this period of Coalition Government, claimed the inherited economic situation
    #  rendered few options beyond cutting public spending."
    rows = ask(kg, "rhetorical-claims", speaker="conservative-party")
    assert any("inherited economic situation" in str(row["quote"]) for row in rows)


def test_what_speakers_said_carries_the_dates_the_article_cites(kg: KnowledgeGraph) -> None:
    dates = {(row["saidBy"], year(row["date"])) for row in ask(kg, "rhetorical-claims")}
    assert {
        (w("margaret-hodge"), "2016"),  # "Margaret Hodge (2016)"
        (w("martin-donnelly"), "2014"),  # "Martin Donnelly (2014)"
        (w("francis-maude"), "2012"),  # "(Cabinet Office 2012)"
        (w("tony-blair"), "2010"),  # "(Blair 2010, 205)"
        (w("coalition-government-2010-2015"), "2012"),  # "(HM Government 2012, 8)"
    } <= dates


def test_hodge_speaks_about_ministerial_accountability(kg: KnowledgeGraph) -> None:
    rows = ask(kg, "rhetorical-claims", speaker="margaret-hodge", subject="ministerial-responsibility")
    # "the old convention of civil servants being accountable to ministers who are accountable to parliament is broken"
    assert rows and all(row["about"] == w("ministerial-responsibility") for row in rows)


def test_cited_works_support_the_claims_the_article_cites_them_for(kg: KnowledgeGraph) -> None:
    rows = ask(kg, "cited-works-per-claim")
    found = {(row["claimSubject"], row["relation"], row["claimObject"], row["citedWork"]) for row in rows}
    # "NPM undermined the traditional understanding of the role of the civil service (Rhodes 2005; Page 2010,
    #  Aucoin 2012)"
    for work in ("ref-rhodes-2005", "ref-page-2010", "ref-aucoin-2012"):
        assert (w("npm"), WM.erodes, w("whitehall-model"), w(work)) in found
    # "Thatcherism, partly informed by public-choice accounts of bureaucracy ... (Hood 1990, Dowding 1995,
    #  Richards 1997)"
    for work in ("ref-hood-1990", "ref-dowding-1995", "ref-richards-1997"):
        assert (w("public-choice"), WM.influences, w("thatcherism"), w(work)) in found
    # "established as a convention by Lord Haldane's 1918 Report (Ministry of Reconstruction 1918)"
    haldane_1918 = (w("haldane-report-1918"), WM.establishes, w("haldane-convention"))
    assert (*haldane_1918, w("ref-ministry-of-reconstruction-1918")) in found


def test_the_bibliography_holds_works_the_text_cites(kg: KnowledgeGraph) -> None:
    works = {row["work"]: value(row["citedBy"]) for row in ask(kg, "bibliography")}
    for work in ("ref-rhodes-2005", "ref-page-2010", "ref-huber-2000", "ref-theakston-1995", "ref-maer-faulkner-2015"):
        assert w(work) in works, work
    assert works[w("ref-page-2010")] >= 1
    of_2010 = ask(kg, "bibliography", year="2010")
    assert {w("ref-page-2010"), w("ref-blair-2010")} <= {row["work"] for row in of_2010}
    assert all(year(row["workYear"]) == "2010" for row in of_2010)


def test_works_the_article_cites_as_support_support_a_claim(kg: KnowledgeGraph) -> None:
    # Each is cited as the authority for a statement: "(Mulgan 2003; Hyman 2005; Barber 2007)", "(Richards 2008;
    # Rhodes 2005; Diamond 2012)", "(see Seddon 2014; Hilton 2015; Hood and Dixon 2015)", "(Dunleavy et al 2006;
    # Margets 2015)", "(Smith 2009)", "the "smarter state" narrative (IPPR 2009)".
    cited_by = {row["work"]: value(row["citedBy"]) for row in ask(kg, "bibliography")}
    supporting = (
        "ref-mulgan-2003",
        "ref-barber-2007",
        "ref-diamond-2012",
        "ref-seddon-2014",
        "ref-dunleavy-et-al-2006",
        "ref-margets-2015",
        "ref-smith-2009",
        "ref-ippr-2009",
    )
    assert {work: cited_by.get(w(work), 0) >= 1 for work in supporting} == dict.fromkeys(supporting, True)


def test_contrasts_include_haldane_against_the_wilsonian_model(kg: KnowledgeGraph) -> None:
    rows = ask(kg, "contrasts")
    found = {frozenset((row["one"], row["other"])) for row in rows}
    # "It is the antithesis of the US 'Wilsonian model'"
    assert frozenset((w("haldane-convention"), w("wilsonian-model"))) in found
    # "NPM emerged in the early 1980s as an alternative form of governance seeking to eclipse traditional public
    #  administration"
    assert frozenset((w("npm"), w("traditional-public-administration"))) in found
    # Table 1: each traditional skill against its post-bureaucratic successor
    assert frozenset((w("skill-problem-solving"), w("skill-delivering"))) in found
    only_haldane = ask(kg, "contrasts", entity="wilsonian-model")
    assert only_haldane and all(w("wilsonian-model") in (r["one"], r["other"]) for r in only_haldane)


def test_the_french_cabinet_contrast_is_donnellys_claim_not_the_graphs(kg: KnowledgeGraph) -> None:
    # Re-derived for issue 10: the contrast is Martin Donnelly's (2014), quoted by the article: "In France or other
    # countries with a cabinet system, advice will go to the member of the Minister's cabinet ... The Whitehall model
    # ensures that official advice is seen directly by the Minister." The authors do not assert it in their own
    # voice, so it is no longer a plain contrast; it stays a wm:Claim attributed to Donnelly.
    found = {frozenset((row["one"], row["other"])) for row in ask(kg, "contrasts", entity="french-cabinet-system")}
    assert frozenset((w("whitehall-model"), w("french-cabinet-system"))) not in found
    claim = w("claim-whitehall-model-contrasts-with-french-cabinet-system")
    said = kg.run("SELECT ?by ?stance WHERE { ?c prov:wasAttributedTo ?by ; wm:stance ?stance }", {"c": claim})
    assert said.to_dicts() == [{"by": w("martin-donnelly"), "stance": WM.ActorClaim}]


def test_source_inconsistencies_keep_both_sides_quoted(kg: KnowledgeGraph) -> None:
    rows = ask(kg, "source-inconsistencies")
    quotes: dict[URIRef, set[str]] = {}
    for row in rows:
        quotes.setdefault(row["inconsistency"], set()).add(str(row["quote"]))
    assert all(len(sides) >= 2 for sides in quotes.values())
    every = " | ".join(" | ".join(sides) for sides in quotes.values())
    # Carltona dated 1944 in the text, 1943 in endnote 2
    assert "the 1944 Carltona doctrine" in every and "a 1943 ruling" in every
    # Table 2's printed TOTALS (95, 453, 220)
    assert "453" in every
    # "King and Crewe 2013" against "King and Crewe 2014, 379"; "Schuk 2014" against "Schuck 2014"
    assert "King and Crewe 2014" in every and "King and Crewe 2013" in every
    assert "Schuk 2014" in every and "Schuck 2014" in every


def test_claims_of_continuity_are_only_ever_an_actors_claim(kg: KnowledgeGraph) -> None:
    rows = ask(kg, "claims-by-stance")
    stances = {row["claimStance"] for row in rows}
    assert stances <= {
        WM.AuthorArgument,
        WM.ActorClaim,
        WM.CitedLiterature,
        WM.ArticleData,
        WM.OfficialFinding,
        WM.CourtRuling,
    }
    continuity = {row["claimStance"] for row in rows if row["relation"] == WM.claimsContinuity}
    assert continuity == {WM.ActorClaim}
    actors = ask(kg, "claims-by-stance", stance="wm:ActorClaim")
    assert actors and {row["claimStance"] for row in actors} == {WM.ActorClaim}


def _section_span(heading: str, next_heading: str) -> tuple[int, int]:
    return ARTICLE.index("\n" + heading + "\n"), ARTICLE.index("\n" + next_heading)


def test_evidence_for_a_section_lies_inside_that_section(kg: KnowledgeGraph) -> None:
    rows = ask(kg, "section-evidence", section="Understanding Haldane")
    quotes = [str(row["quote"]) for row in rows]
    assert "It was a convention that was to receive legal clarification in the 1944 Carltona doctrine." in quotes
    assert "The Haldane convention forms the cornerstone of the Whitehall model." in quotes
    begin, end = _section_span("Understanding Haldane", "The Erosion of Haldane")
    starts = [value(row["start"]) for row in rows if row["start"] is not None]
    assert starts == sorted(starts)
    assert all(begin <= start < end for start in starts)


def test_civil_servants_as_managers_work_in_project_management_with_a_skills_gap(kg: KnowledgeGraph) -> None:
    rows = ask(kg, "section-evidence", section="section-civil-servants-as-managers")
    quotes = " | ".join(str(row["quote"]) for row in rows)
    # "increasingly they work in management, contract negotiation, project management and implementation"
    assert "project management and implementation" in quotes
    # "The second is a skills gap, illustrated by a number of high profile policy failures"
    assert "skills gap" in quotes


def test_quotes_mentioning_a_word_ignore_case(kg: KnowledgeGraph) -> None:
    lower = ask(kg, "quotes-mentioning", word="buggeration")
    upper = ask(kg, "quotes-mentioning", word="BUGGERATION")
    assert lower == upper
    # "Cameron spoke of Whitehall's "buggeration factor" constraining ministers"
    assert any("buggeration factor" in str(row["quote"]) for row in lower)
    assert all("buggeration" in str(row["quote"]).lower() for row in lower)


def test_a_reader_searching_for_mistrust_finds_the_articles_words(kg: KnowledgeGraph) -> None:
    quotes = " | ".join(str(row["quote"]) for row in ask(kg, "quotes-mentioning", word="mistrust"))
    # New Labour: "a growing mistrust between officials and ministers (although this was not universally the case)"
    assert "growing mistrust between officials and ministers" in quotes
    # "The accumulation of mistrust between officials and ministers has been reflected in the increased
    #  politicisation of policy advice"
    assert "accumulation of mistrust" in quotes


def test_the_entity_query_shows_both_directions_of_the_carltona_doctrine(kg: KnowledgeGraph) -> None:
    rows = ask(kg, "entity", entity="carltona-doctrine")
    found = {(str(row["direction"]), row["relation"], row["other"]) for row in rows}
    assert ("out", WM.legallyClarifies, w("haldane-convention")) in found
    assert ("in", WM.establishes, w("carltona-case-1943")) in found


# --- the argument's "why" (issue 10) -------------------------------------------------------------


def test_why_the_myth_persists(kg: KnowledgeGraph) -> None:
    rows = ask(kg, "why-the-myth-persists")
    found = {(row["subject"], row["relation"], row["object"], row["modality"]) for row in rows}
    myth = w("wm-as-legitimising-myth")
    assert found == {
        # "This paradox then is explained below in terms of a collective desire to sustain a particular set of
        #  elite power relations."
        (w("collective-desire-to-sustain-elite-power-relations"), WM.explains, myth, WM.Asserted),
        # "During this time, governments have avoided addressing questions on the constitutional implications
        #  implied by these reforms. ... Anything else would require the need to re-imagine the long-established
        #  constitutional certainties underpinning the British approach to governance."
        (w("successive-governments"), WM.sustains, myth, WM.Asserted),
        # "radical change is masked behind the rhetoric of stability and tradition" / "a phased but radical
        #  transformation of the civil service, disguised as continuity"
        (myth, WM.disguises, w("radical-transformation-of-the-civil-service"), WM.Asserted),
    }
    # The conclusion's "legitimising mythology for a way of governing that no longer exists" is not read as the
    # myth sustaining the model (circular; the independent audit found it wrong), so nothing here is hedged.
    assert ask(kg, "why-the-myth-persists", modality="wm:Hedged") == []
    assert len(ask(kg, "why-the-myth-persists", modality="wm:Asserted")) == len(rows)


def test_what_sustains_centralism(kg: KnowledgeGraph) -> None:
    rows = ask(kg, "what-sustains", entity="centralism")
    found = {(row["cause"], row["relation"]) for row in rows}
    assert found == {
        # "To explain this recurrent contradiction the focus lies with ministerial responsibility"
        (w("ministerial-responsibility"), WM.explains),
        # "the adversarial nature of the British political system combined with ministers being responsible for
        #  all they survey, ensures a resistance to download key policy decisions to localities or managers"
        (w("ministerial-responsibility"), WM.sustains),
        (w("adversarial-political-system"), WM.sustains),
    }
    assert {row["modality"] for row in rows} == {WM.Asserted}


def test_the_argument_records_its_contradictions_and_what_change_would_require(kg: KnowledgeGraph) -> None:
    found = {(row["subject"], row["relation"], row["object"]) for row in ask(kg, "the-argument")}
    # "Such reforms are not without contradiction. ... the desire for "delegated mission command" (PASC 2013)"
    assert (w("delegated-mission-command"), WM.contradicts, w("principal-agent-model")) in found
    # "No government has yet reconciled the desire for decentralised implementation beyond Whitehall with the
    #  desire to retain ministerial control."
    assert (w("localism-and-decentralisation"), WM.contradicts, w("centralism")) in found
    # "invokes a strong reflexive tendency in the British polity against any drift towards subsidiarity"
    assert (w("ministerial-responsibility"), WM.counteracts, w("subsidiarity")) in found
    # "It would, however, require ... an overhaul of the Westminster Model."
    assert (w("cybernetic-squad-bureaucracy"), WM.requires, w("overhaul-of-the-westminster-model")) in found
    # "The endurance of Weberian bureaucracy has stemmed from its capacity to deliver public goods."
    assert (w("capacity-to-deliver-public-goods"), WM.sustains, w("weberian-bureaucracy")) in found


def test_hedged_claims_keep_their_hedge(kg: KnowledgeGraph) -> None:
    rows = ask(kg, "reforms-eroding-conventions", modality="wm:Questioned")
    found = {(row["reform"], row["convention"]) for row in rows}
    # "This change raises questions over the principle of neutrality and whether senior officials ... would
    #  continue to "speak truth unto power""
    assert (w("ministers-appointing-permanent-secretaries"), w("political-neutrality")) in found
    assert (w("ministers-appointing-permanent-secretaries"), w("loyalty-with-deliberative-space")) in found
    assert all(row["modality"] == WM.Questioned for row in rows)
    # "Digitisation has the potential to challenge the original Weberian concept of functional departments"
    possible = ask(kg, "reforms-eroding-conventions", modality="wm:Possible")
    assert {(row["reform"], row["convention"]) for row in possible} == {(w("digitisation"), w("weberian-bureaucracy"))}
