"""`wmkg validate`: the valid slice passes; each invalid example trips exactly its check."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import DATA, make_project

from westminster_kg.project import Project
from westminster_kg.validate import validate


def test_the_valid_slice_passes(mini_root: Path) -> None:
    report = validate(Project.open(mini_root))
    assert report.ok, [str(f) for f in report.violations]
    assert report.quotes_checked == 5


INVALID = sorted((DATA / "invalid").glob("*.ttl"))


@pytest.mark.parametrize("example", INVALID, ids=[p.stem for p in INVALID])
def test_each_invalid_example_trips_its_check(tmp_path: Path, example: Path) -> None:
    root = make_project(tmp_path / "p", DATA / "valid" / "slice.ttl")
    shutil.copy(example, root / "graph" / "claims" / example.name)
    expected_check = example.read_text().splitlines()[0].removeprefix("# expect:").strip()
    report = validate(Project.open(root))
    checks = {f.check for f in report.violations}
    assert expected_check in checks, [str(f) for f in report.violations]
    named = [f for f in report.violations if f.check == expected_check]
    assert any(f.file == f"graph/claims/{example.name}" for f in named), [str(f) for f in named]


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


@pytest.mark.parametrize(("printed", "warned"), [(7, False), (9, True)])
def test_a_printed_total_that_disagrees_with_its_cells_is_a_warning_not_a_violation(
    tmp_path: Path, printed: int, warned: bool
) -> None:
    root = make_project(tmp_path / "p", DATA / "valid" / "slice.ttl")
    (root / "graph" / "claims" / "cube.ttl").write_text(CUBE.replace("PRINTED", str(printed)))
    report = validate(Project.open(root))
    totals = [f for f in report.warnings if f.check == "printed-total-warning"]
    assert bool(totals) == warned
    if warned:
        assert "printed=9" in totals[0].message and "recomputed=7" in totals[0].message
        assert totals[0].entity == "wmr:total"
    assert not [f for f in report.violations if f.check.startswith("printed")]


def test_every_check_query_answers_the_same_on_rdflib_and_oxigraph(tmp_path: Path) -> None:
    from westminster_kg import KnowledgeGraph
    from westminster_kg.catalogue import parse_named_query

    root = make_project(tmp_path / "p", DATA / "valid" / "slice.ttl", *INVALID)
    stores = {b: KnowledgeGraph.load(root, backend=b) for b in ("oxigraph", "memory")}
    for path in sorted((root / "queries" / "checks").glob("*.rq")):
        sparql = parse_named_query(path).sparql
        answers = {b: kg.run(sparql).canonical() for b, kg in stores.items()}
        assert answers["oxigraph"] == answers["memory"], path.name
