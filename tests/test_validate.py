"""`wmkg validate`: the valid slice passes; each invalid example trips exactly its check, and nothing else."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH
from support import DATA, REPO, make_project

from westminster_kg.project import Project
from westminster_kg.validate import ValidationReport, validate


@pytest.fixture(scope="module")
def slice_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The valid slice as a project, made once: each test puts its files in and takes them out again
    (``files_in``), so every validation reads the slice plus that test's files and nothing else."""
    return make_project(tmp_path_factory.mktemp("slice") / "p", DATA / "valid" / "slice.ttl")


def _graph_files(root: Path) -> dict[Path, bytes]:
    return {path: path.read_bytes() for path in sorted((root / "graph").rglob("*")) if path.is_file()}


@contextmanager
def files_in(root: Path, files: dict[str, bytes]) -> Iterator[Project]:
    """The project at ``root`` with ``files`` (path relative to it: content) written in; afterwards each
    file is as it was (a file put in beside the slice is removed; one put in place of another restored)."""
    before = _graph_files(root)
    kept = {relative: (root / relative).read_bytes() if (root / relative).exists() else None for relative in files}
    try:
        for relative, content in files.items():
            (root / relative).write_bytes(content)
        yield Project.open(root)
    finally:
        for relative, content in kept.items():
            if content is None:
                (root / relative).unlink()
            else:
                (root / relative).write_bytes(content)
    assert _graph_files(root) == before, "a test's files were not taken out again"


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_the_valid_slice_passes(slice_root: Path) -> None:
    report = validate(Project.open(slice_root))
    assert report.ok, [str(f) for f in report.violations]
    assert report.quotes_checked == 5


INVALID = sorted((DATA / "invalid").glob("*.ttl"))
SHAPES = REPO / "ontology" / "shapes.ttl"
# Checks written in Python rather than as queries or shapes.
PYTHON_CHECKS = {
    "article-hash",
    "quote-verbatim",
    "quote-offsets",
    "quote-section",
    "quote-shown",
    "sentence-untriaged",
    "passage-not-a-sentence",
    "passage-claim-overlap",
}


@dataclass(frozen=True)
class Fixture:
    """An invalid example and what it must trip, from its header lines.

    ``# expect: CHECK`` is the one check ``wmkg validate`` must report, and nothing else.
    ``# shacl: shacl:X ...`` lists the shapes that fire, including those shown under the name of
    the check query they restate (``wmsh:mirrors``). ``# replace: PATH`` puts the file at PATH
    in the project instead of in graph/claims/.
    """

    path: Path
    expect: str
    shacl: frozenset[str]
    target: str

    @classmethod
    def read(cls, path: Path) -> Fixture:
        header = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.startswith("#"):
                break
            key, _, value = line[1:].partition(":")
            header[key.strip()] = value.strip()
        expect = header["expect"]
        shacl = set(header.get("shacl", "").split())
        if expect.startswith("shacl:"):
            shacl.add(expect)
        return cls(path, expect, frozenset(shacl), header.get("replace", f"graph/claims/{path.name}"))


FIXTURES = [Fixture.read(p) for p in INVALID]


def validate_with(root: Path, fixture: Fixture) -> ValidationReport:
    """The report on the slice with the fixture put in (beside it, or in place of the file it names)."""
    with files_in(root, {fixture.target: fixture.path.read_bytes()}) as project:
        return validate(project)


@pytest.mark.slow
@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.path.stem for f in FIXTURES])
def test_each_invalid_example_trips_exactly_its_check(slice_root: Path, fixture: Fixture) -> None:
    report = validate_with(slice_root, fixture)
    # The whole set: a fixture that also tripped another check would not prove which one bites.
    assert {f.check for f in report.findings} == {fixture.expect}, [str(f) for f in report.findings]
    assert all(f.file == fixture.target for f in report.findings), [str(f) for f in report.findings]
    fired_shapes = {f.check for f in report.findings + report.shadowed if f.check.startswith("shacl:")}
    assert fired_shapes == fixture.shacl, [str(f) for f in report.findings + report.shadowed]


def test_every_check_query_shape_and_python_check_has_a_fixture_that_trips_it() -> None:
    expected = {f.expect for f in FIXTURES}
    queries = {p.stem for p in (REPO / "queries" / "checks").glob("*.rq")}
    assert queries | PYTHON_CHECKS <= expected, sorted(queries | PYTHON_CHECKS - expected)
    shapes = Graph().parse(SHAPES)
    named = {
        "shacl:" + str(s).rsplit("#", 1)[-1]
        for kind in (SH.PropertyShape, SH.SPARQLConstraint)
        for s in shapes.subjects(RDF.type, kind)
    }
    tripped = set().union(*(f.shacl for f in FIXTURES))
    assert named <= tripped, sorted(named - tripped)
    # Every constraint in the shapes file is one of the named shapes counted above.
    anonymous = [o for p in (SH.property, SH.sparql) for o in shapes.objects(None, p) if not isinstance(o, URIRef)]
    assert not anonymous


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_a_shape_that_restates_a_check_is_shown_once_under_the_checks_name(slice_root: Path) -> None:
    fixture = Fixture.read(DATA / "invalid" / "edge-without-claim.ttl")
    report = validate_with(slice_root, fixture)
    assert [f.check for f in report.findings] == ["edge-without-claim-violation"]
    assert [f.check for f in report.shadowed] == ["shacl:relation-has-claim"]


@pytest.fixture(scope="module")
def every_invalid_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The slice with every invalid example beside it in graph/claims/ (none in place of another file)."""
    return make_project(tmp_path_factory.mktemp("every") / "p", DATA / "valid" / "slice.ttl", *INVALID)


def test_findings_come_in_the_order_of_the_checks(every_invalid_root: Path) -> None:
    # The article's hash and quotes, then its sentences, then the check queries, then SHACL.
    phases = [
        {"article-hash", "quote-verbatim", "quote-offsets", "quote-section", "quote-shown", "hedge-cue-in-quote"},
        {"sentence-untriaged", "passage-not-a-sentence", "passage-claim-overlap"},
        {p.stem for p in (REPO / "queries" / "checks").glob("*.rq")},
    ]
    report = validate(Project.open(every_invalid_root))
    order = [next((i for i, names in enumerate(phases) if f.check in names), len(phases)) for f in report.findings]
    assert order == sorted(order) and set(order) == {0, 1, 2, 3}, [f.check for f in report.findings]


def test_a_second_recorded_hash_of_the_article_that_is_not_its_own_is_a_violation(slice_root: Path) -> None:
    stale = "0" * 64
    triple = (
        f'<https://w3id.org/westminster-kg/id/article> <https://w3id.org/westminster-kg/ontology#sha256> "{stale}" .\n'
    )
    with files_in(slice_root, {"graph/claims/stale.ttl": triple.encode()}) as project:
        report = validate(project)
    assert [(f.check, f.entity) for f in report.findings] == [("article-hash", "wmr:article")]
    assert stale in report.findings[0].message


CUBE = """
@prefix qb: <http://purl.org/linked-data/cube#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix wm: <https://w3id.org/westminster-kg/ontology#> .
@prefix wmr: <https://w3id.org/westminster-kg/id/> .

wmr:cube a qb:DataSet ; rdfs:label "cube"@en .
wmr:period-x a wm:Period ; rdfs:label "x"@en .
wmr:cell-a a wm:StatisticalObservation ; rdfs:label "a"@en ; qb:dataSet wmr:cube ;
    wm:refPeriod wmr:period-x ; wm:count 2 .
wmr:cell-b a wm:StatisticalObservation ; rdfs:label "b"@en ; qb:dataSet wmr:cube ;
    wm:refPeriod wmr:period-x ; wm:count 5 .
wmr:total a wm:StatisticalObservation ; rdfs:label "total"@en ; qb:dataSet wmr:cube ; wm:refPeriod wmr:period-x ;
    wm:printedAggregate wm:PrintedTotal ; wm:count PRINTED .
"""


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
@pytest.mark.parametrize(("printed", "warned"), [(7, False), (9, True)])
def test_a_printed_total_that_disagrees_with_its_cells_is_a_warning_not_a_violation(
    slice_root: Path, printed: int, warned: bool
) -> None:
    with files_in(slice_root, {"graph/claims/cube.ttl": CUBE.replace("PRINTED", str(printed)).encode()}) as project:
        report = validate(project)
    totals = [f for f in report.warnings if f.check == "printed-total-warning"]
    assert bool(totals) == warned
    if warned:
        assert "printed=9" in totals[0].message and "recomputed=7" in totals[0].message
        assert totals[0].entity == "wmr:total"
    assert not [f for f in report.violations if f.check.startswith("printed")]


@pytest.mark.slow
def test_every_check_query_answers_the_same_on_rdflib_and_oxigraph(every_invalid_root: Path) -> None:
    from westminster_kg import KnowledgeGraph
    from westminster_kg.catalogue import parse_named_query

    root = every_invalid_root
    stores = {b: KnowledgeGraph.load(root, backend=b) for b in ("oxigraph", "memory")}
    for path in sorted((root / "queries" / "checks").glob("*.rq")):
        sparql = parse_named_query(path).sparql
        answers = {b: kg.run(sparql).canonical() for b, kg in stores.items()}
        assert answers["oxigraph"] == answers["memory"], path.name


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_any_claim_whose_object_becomes_the_article_fails_its_range() -> None:
    """Every evidenced relation has a range that excludes the article (a fabio:JournalArticle)."""
    import pyoxigraph as ox
    from rdflib.namespace import RDF

    from westminster_kg import KnowledgeGraph
    from westminster_kg.catalogue import parse_named_query, with_prefixes
    from westminster_kg.namespaces import WM

    # The repository's graph in a pyoxigraph store of this test's own (loaded for it, changed below).
    store = KnowledgeGraph.load(backend="oxigraph").store.store  # type: ignore[attr-defined]
    is_claim = (None, ox.NamedNode(str(RDF.type)), ox.NamedNode(str(WM.Claim)))
    is_proposition = (None, ox.NamedNode(str(RDF.type)), ox.NamedNode(str(WM.Proposition)))
    # A proposition reifies no triple: it has no object to change.
    claims = {quad.subject.value for quad in store.quads_for_pattern(*is_claim)} - {
        quad.subject.value for quad in store.quads_for_pattern(*is_proposition)
    }
    store.update(
        "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n"
        "PREFIX wm: <https://w3id.org/westminster-kg/ontology#>\n"
        "DELETE { GRAPH ?g { ?c rdf:object ?o } }\n"
        "INSERT { GRAPH ?g { ?c rdf:object <https://w3id.org/westminster-kg/id/article> } }\n"
        "WHERE { GRAPH ?g { ?c a wm:Claim ; rdf:object ?o } }"
    )
    check = parse_named_query(Path(__file__).parents[1] / "queries" / "checks" / "domain-range-violation.rq")
    answer = store.query(with_prefixes(check.sparql), use_default_graph_as_union=True)
    flagged = {str(solution["entity"].value) for solution in answer}
    assert len(claims) > 200 and claims <= flagged, sorted(claims - flagged)[:5]
