"""The catalogue: headers, parameters bound as terms, clear errors, same answers on both stores."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Literal, URIRef

from westminster_kg import KnowledgeGraph
from westminster_kg.catalogue import bind, load_catalogue
from westminster_kg.errors import ParameterError, QueryError
from westminster_kg.namespaces import WMR

REPO = Path(__file__).resolve().parents[1]
CATALOGUE = load_catalogue(REPO / "queries")
BACKENDS = ("oxigraph", "memory")


@pytest.fixture(scope="module")
def graphs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, KnowledgeGraph]:
    from support import DATA, make_project

    root = make_project(tmp_path_factory.mktemp("cat") / "mini", DATA / "valid" / "slice.ttl")
    return {b: KnowledgeGraph.load(root, backend=b) for b in ("oxigraph", "memory")}


def test_every_catalogue_query_has_a_title_and_description() -> None:
    catalogue = load_catalogue(REPO / "queries")
    assert {"reforms-eroding-conventions", "continuity-paradox", "entity"} <= set(catalogue)
    for named in catalogue.values():
        assert named.title and named.description, named.name


def test_reforms_eroding_conventions_lists_npm_eroding_the_haldane_convention_with_its_quote(
    graphs: dict[str, KnowledgeGraph],
) -> None:
    rows = graphs["oxigraph"].query("reforms-eroding-conventions").to_dicts()
    npm = [r for r in rows if r["reform"] == WMR.npm]
    assert npm and npm[0]["convention"] == WMR["haldane-convention"]
    assert "has eroded the core symbiotic element" in str(npm[0]["quote"])


def test_a_government_parameter_restricts_the_reforms(graphs: dict[str, KnowledgeGraph]) -> None:
    rows = graphs["oxigraph"].query("reforms-eroding-conventions", government="Coalition").to_dicts()
    assert [r["reform"] for r in rows] == [WMR["ministers-appointing-permanent-secretaries"]]


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_the_continuity_paradox_pairs_a_claim_of_continuity_with_an_erosion(
    graphs: dict[str, KnowledgeGraph],
) -> None:
    rows = graphs["memory"].query("continuity-paradox").to_dicts()
    assert len(rows) == 1
    assert rows[0]["government"] == WMR["coalition-government-2010-2015"]
    assert "will remain unchanged" in str(rows[0]["continuityQuote"])


@pytest.mark.slow  # rdflib's engine on every query: the slow tier
@pytest.mark.parametrize("name", sorted(load_catalogue(REPO / "queries")))
def test_every_named_query_answers_the_same_on_both_stores(graphs: dict[str, KnowledgeGraph], name: str) -> None:
    named = graphs["oxigraph"].named_query(name)
    # The small slice lacks most examples' entities: bind required parameters to ones it has, of their kind.
    by_kind = {"iri": "haldane-convention", "literal": "Haldane", "integer": "1", "year": "2010"}
    resolver = graphs["oxigraph"].resolver
    params = {
        p.name: min(resolver.members_of(p.takes), default=by_kind[p.kind]) if p.takes else by_kind[p.kind]
        for p in named.parameters
        if p.required
    }
    answers = [graphs[b].query(name, **params).canonical() for b in ("oxigraph", "memory")]
    assert answers[0] == answers[1]


# Values for required parameters when the empty graph's test runs every query.
SAMPLE_PARAMS = {
    "convention": "haldane-convention",
    "entity": "haldane-convention",
    "section": "section-understanding-haldane",
    "word": "symbiosis",
}


@pytest.fixture(scope="module")
def empty_graphs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, KnowledgeGraph]:
    """The ontology and the article with no curated data: where engines most often part ways."""
    from support import make_project

    root = make_project(tmp_path_factory.mktemp("empty") / "project")
    return {backend: KnowledgeGraph.load(root, backend=backend) for backend in BACKENDS}


# Every query on every store against rdflib's, with the real graph: tests/test_query_matrix.py. Here, beside the
# slice's comparison above: the queries' texts are the same, so rdflib parses each once for both (MemoryStore).


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_every_query_answers_the_same_on_both_stores_over_an_empty_graph(
    empty_graphs: dict[str, KnowledgeGraph], name: str
) -> None:
    # rdflib answers an aggregate over no solutions with one all-unbound group; a query that then binds the
    # group key in an OPTIONAL would return the whole graph there and nothing on Oxigraph.
    named = CATALOGUE[name]
    # The entities are not in an empty graph, so slugs would not resolve: pass their IRIs as terms.
    params = {
        p.name: URIRef(WMR[SAMPLE_PARAMS[p.name]]) if p.kind == "iri" else SAMPLE_PARAMS[p.name]
        for p in named.parameters
        if p.required
    }
    answers = [empty_graphs[b].query(name, **params).canonical() for b in BACKENDS]
    assert answers[0] == answers[1]


def test_an_unknown_query_name_lists_the_known_ones(graphs: dict[str, KnowledgeGraph]) -> None:
    with pytest.raises(QueryError, match="known queries: .*reforms-eroding-conventions"):
        graphs["oxigraph"].query("no-such-query")


def test_a_missing_required_parameter_is_named(graphs: dict[str, KnowledgeGraph]) -> None:
    with pytest.raises(ParameterError, match="needs parameter 'entity'"):
        graphs["oxigraph"].query("entity")


def test_an_unknown_parameter_is_named(graphs: dict[str, KnowledgeGraph]) -> None:
    with pytest.raises(ParameterError, match="no parameter 'colour'"):
        graphs["oxigraph"].query("entity", colour="red")


def test_a_label_that_matches_nothing_is_a_clear_error(graphs: dict[str, KnowledgeGraph]) -> None:
    with pytest.raises(ParameterError, match="nothing is labelled 'Walpole'"):
        graphs["oxigraph"].query("entity", entity="Walpole")


def test_bind_puts_values_inside_the_outer_where_group_only() -> None:
    query = '# WHERE { in a comment\nSELECT ?x WHERE { ?x <http://ex/p> "WHERE {" }'
    bound = bind(query, {"x": URIRef("http://ex/a")})
    assert bound.index("VALUES ?x { <http://ex/a> }") > bound.index("SELECT ?x WHERE {")
    assert bound.startswith("# WHERE { in a comment\n")


def test_an_iri_with_a_space_is_refused() -> None:
    with pytest.raises(ParameterError, match="not a valid IRI"):
        bind("SELECT * WHERE { ?x ?p ?o }", {"x": URIRef("http://ex/a b> } DROP ALL #")})


hostile = st.text(
    alphabet=st.sampled_from(list("\"'}{#\n\\<> ?DROPALLSELECT*;.:") + ["é", "\u202e", "😀"]),
    max_size=40,
)


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=hostile)
def test_hostile_literal_values_never_change_the_query(graphs: dict[str, KnowledgeGraph], value: str) -> None:
    kg = graphs["oxigraph"]
    query = "SELECT ?label WHERE { ?entity rdfs:label ?label }"
    result = kg.run(query, {"label": Literal(value)})
    # Either no row, or exactly the rows whose label is that very string.
    assert all(str(row[0]) == value for row in result.rows)


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    value=st.one_of(
        hostile,
        st.sampled_from(
            [
                "<http://ex/a> } DROP ALL #",
                "wmr:npm> } ; DELETE WHERE { ?s ?p ?o",
                "http://ex/a b",
                "a\nb",
                '" } UNION { ?s ?p ?o } #',
                "DROP ALL",
            ]
        ),
    )
)
def test_hostile_entity_parameters_give_a_clean_error_or_the_entitys_own_rows(
    graphs: dict[str, KnowledgeGraph], value: str
) -> None:
    kg = graphs["oxigraph"]
    try:
        result = kg.query("entity", entity=value)
    except (ParameterError, QueryError):
        return
    # It resolved to one well-formed IRI, and the answer is exactly that entity's own answer.
    entity = kg.resolve(kg.named_query("entity").parameter("entity"), value)
    assert isinstance(entity, URIRef) and not any(c in str(entity) for c in ' <>"{}\n')
    assert result.canonical() == kg.query("entity", entity=entity).canonical()


def test_every_required_parameter_has_an_example_value() -> None:
    for named in load_catalogue(REPO / "queries").values():
        examples = named.example_parameters()
        assert all(p.name in examples for p in named.parameters if p.required), named.name


def test_the_plain_prefixes_are_rdflibs_namespaces_of_the_same_names() -> None:
    # iris.PREFIXES is written out as strings so cold commands need no rdflib; it must not drift from rdflib.
    from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, QB, RDF, RDFS, SDO, SH, SKOS, TIME, VOID, XSD

    from westminster_kg.iris import PREFIXES
    from westminster_kg.namespaces import CITO, FABIO, OA, VANN, WD, WM, WMR

    expected = {
        "cito": CITO, "dcat": DCAT, "dcterms": DCTERMS, "fabio": FABIO, "foaf": FOAF, "oa": OA, "org": ORG,
        "owl": OWL, "prov": PROV, "qb": QB, "rdf": RDF, "rdfs": RDFS, "schema": SDO, "sh": SH, "skos": SKOS,
        "time": TIME, "vann": VANN, "void": VOID, "wd": WD, "wm": WM, "wmr": WMR, "xsd": XSD,
    }  # fmt: skip
    assert PREFIXES == {prefix: str(namespace) for prefix, namespace in expected.items()}
