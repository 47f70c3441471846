"""`wmkg validate` on Oxigraph: the shapes give pyshacl's results; what Oxigraph does not check goes to pyshacl."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import DATA, REPO, make_project
from rdflib import Graph
from rdflib.namespace import RDF, RDFS, SH

from westminster_kg.namespaces import WM, WMR, curie
from westminster_kg.project import Project
from westminster_kg.validate import validate
from westminster_kg.validate.dataset import ProjectData
from westminster_kg.validate.shacl import UnsupportedShapesError, check_supported, pyshacl_results, shape_results

SHAPES = REPO / "ontology" / "shapes.ttl"
INVALID = sorted((DATA / "invalid").glob("*.ttl"))


def loaded(root: Path) -> ProjectData:
    project = Project.open(root)
    return ProjectData(project, project.source_files(include_imports=False))


def header(path: Path) -> dict[str, str]:
    """The ``# key: value`` lines an invalid example opens with (see tests/test_validate.py)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    pairs = (line[1:].partition(":") for line in lines[: next(i for i, x in enumerate(lines) if not x.startswith("#"))])
    return {key.strip(): value.strip() for key, _, value in pairs}


# The examples that trip shapes: between them, every shape fires.
SHAPE_EXAMPLES = [p for p in INVALID if "shacl:" in " ".join(header(p).values())]


@pytest.mark.slow
def test_the_shapes_on_oxigraph_give_pyshacls_results_on_every_invalid_example(tmp_path: Path) -> None:
    shapes = Graph().parse(SHAPES)
    fired = set()
    # One project; each example goes in (beside the slice, or in place of the file it names) and out again.
    root = make_project(tmp_path / "p", DATA / "valid" / "slice.ttl")
    slice_files = {path: path.read_bytes() for path in (root / "graph").rglob("*") if path.is_file()}
    for example in SHAPE_EXAMPLES:
        target = root / header(example).get("replace", f"graph/claims/{example.name}")
        kept = target.read_bytes() if target.exists() else None
        shutil.copy(example, target)
        data = loaded(root)
        ours = shape_results(shapes, data.merged())
        # pyshacl is the reference: the same results, result for result (focus, value, shape, message).
        assert ours == pyshacl_results(shapes, data.rdflib_graph()), example.name
        fired |= {r.source for r in ours}
        if kept is None:
            target.unlink()
        else:
            target.write_bytes(kept)
        now = {path: path.read_bytes() for path in (root / "graph").rglob("*") if path.is_file()}
        assert now == slice_files, f"{example.name} was not taken out again"
    named = {s for kind in (SH.PropertyShape, SH.SPARQLConstraint) for s in shapes.subjects(RDF.type, kind)}
    assert fired == named  # each shape fired, so each was compared


LABEL_PATTERN = """
wmsh:LabelShape a sh:NodeShape ;
    sh:targetClass wm:Claim ;
    sh:property wmsh:label-pattern .

wmsh:label-pattern a sh:PropertyShape ;
    sh:path rdfs:label ; sh:pattern "^Nobody says" ;
    sh:message "a claim's label starts with 'Nobody says'" .
"""


def test_shapes_using_what_oxigraph_does_not_check_go_to_pyshacl_whole(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p", DATA / "valid" / "slice.ttl")
    shapes = root / "ontology" / "shapes.ttl"
    shapes.write_text(shapes.read_text(encoding="utf-8") + LABEL_PATTERN, encoding="utf-8")
    with pytest.raises(UnsupportedShapesError, match="sh:pattern"):
        check_supported(Graph().parse(shapes))
    report = validate(Project.open(root))
    assert report.findings, "the pattern no claim label matches"
    assert {f.check for f in report.findings} == {"shacl:label-pattern"}
    assert all(f.file == "graph/claims/slice.ttl" and f.entity.startswith("wmr:claim-") for f in report.findings)


NOBODY = """
wmsh:NobodyShape a sh:NodeShape ;
    sh:targetClass wm:Claim ;
    sh:property wmsh:claim-nobody .

wmsh:claim-nobody a sh:PropertyShape ;
    sh:path wm:nobody ; sh:minCount 1 ;
    sh:message "a claim names nobody" .
"""


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_validate_reads_an_edited_shapes_file_afresh(tmp_path: Path) -> None:
    # validate keeps the parsed shapes between runs, by the file's content: an edit is seen at once.
    root = make_project(tmp_path / "p", DATA / "valid" / "slice.ttl")
    shapes = root / "ontology" / "shapes.ttl"
    original = shapes.read_text(encoding="utf-8")
    assert validate(Project.open(root)).ok
    shapes.write_text(original + NOBODY, encoding="utf-8")
    assert {f.check for f in validate(Project.open(root)).findings} == {"shacl:claim-nobody"}
    shapes.write_text(original, encoding="utf-8")
    assert validate(Project.open(root)).ok


@pytest.mark.parametrize(
    ("rules", "named"),
    [
        ('sh:path wm:x ; sh:minCount 1 ; sh:severity sh:Warning ; sh:message "m"', "sh:severity"),
        ("sh:path wm:x ; sh:minCount 1", "no sh:message"),
        ('sh:path [ sh:inversePath wm:x ] ; sh:minCount 1 ; sh:message "m"', "sh:inversePath"),
        ('sh:path wm:x ; sh:in ( "a" ) ; sh:message "m"', "literals in sh:in"),
    ],
)
def test_what_the_shapes_on_oxigraph_do_not_check_is_named(rules: str, named: str) -> None:
    prefixes = SHAPES.read_text(encoding="utf-8").split("\n\n", 1)[0]
    shapes = f"wmsh:S sh:targetClass wm:Claim ; sh:property wmsh:p .\nwmsh:p a sh:PropertyShape ; {rules} ."
    with pytest.raises(UnsupportedShapesError, match=named):
        check_supported(Graph().parse(data=f"{prefixes}\n\n{shapes}\n", format="turtle"))


def test_a_triple_two_folders_state_is_one_triple_of_the_data_shacl_reads(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p", DATA / "valid" / "slice.ttl")
    (root / "graph" / "links").mkdir()
    shutil.copy(root / "graph" / "claims" / "slice.ttl", root / "graph" / "links" / "slice.ttl")
    data = loaded(root)
    union = [quad.triple for quad in data.store.store]
    merged = data.merged()
    assert len(union) > len(set(union))  # the check queries see it twice, as `wmkg query` does
    assert sorted(map(str, (q.triple for q in merged))) == sorted(map(str, set(union)))


@pytest.mark.parametrize(
    ("folder", "named"), [("links", "graph/claims/slice.ttl"), ("entities", "graph/entities/more.ttl")]
)
def test_a_finding_names_the_first_file_in_the_projects_order_that_describes_its_entity(
    tmp_path: Path, folder: str, named: str
) -> None:
    # graph/entities/ comes before graph/claims/, graph/links/ after it (Project.source_files).
    root = make_project(tmp_path / "p", DATA / "valid" / "slice.ttl")
    claim = next(Graph().parse(root / "graph" / "claims" / "slice.ttl").subjects(RDF.type, WM.Claim))
    (root / "graph" / folder).mkdir()
    (root / "graph" / folder / "more.ttl").write_text(f'<{claim}> <{RDFS.comment}> "said again" .\n')
    data = loaded(root)
    assert data.where(claim) == (named, curie(claim, brackets=True))
    assert data.file_of(WMR["nothing-here"]) == ""
