"""Popolo JSON imports (persons, organizations, memberships, posts), their link candidates, and the
ministers queries joining any such import through the links a curator accepted."""

from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from support import DATA, REPO, wmkg

from westminster_kg import KnowledgeGraph
from westminster_kg.errors import InputError
from westminster_kg.link import accept_candidates, import_dataset, link_candidates
from westminster_kg.link.importers.popolo import IMPORT_BASE
from westminster_kg.namespaces import WMR
from westminster_kg.project import Project

POPOLO = DATA / "popolo" / "ministers.json"
BASE = IMPORT_BASE + "ministers/"


def repo_copy(target: Path) -> Path:
    """The real graph in a scratch folder, so imports and accepted links stay there."""
    for folder in ("ontology", "queries", "graph"):
        shutil.copytree(REPO / folder, target / folder)
    return target


def fixture() -> dict[str, Any]:
    return json.loads(POPOLO.read_text(encoding="utf-8"))


def write(tmp_path: Path, data: Any, name: str = "popolo.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def quads(path: Path) -> list[ox.Quad]:
    return list(ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS))


# --- the mapping -----------------------------------------------------------------------------------


def test_a_popolo_file_is_detected_by_its_keys_and_mapped_to_org_foaf_and_schema(mini_root: Path) -> None:
    result = import_dataset(Project.open(mini_root), POPOLO, "ministers")
    assert result.warnings[0] == "3 partial date(s) kept at their precision (a year or a month) and compared at it:"
    assert [w.split(": ", 1)[1] for w in result.warnings[1:]] == [
        "memberships[5].start_date: '1997'",
        "memberships[5].end_date: '1999-10'",
        "memberships[7].start_date: '1987-06'",
    ]
    found = {(q.subject.value, q.predicate.value, str(q.object)) for q in quads(result.path)}
    person = BASE + "person/uk.org.publicwhip%2Fperson%2F90001"  # the slashes of parlparse ids encoded
    membership = BASE + "membership/uk.org.publicwhip%2Fmoffice%2F90001"
    assert (person, "http://xmlns.com/foaf/0.1/name", '"Example Minister One"') in found
    assert (person, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", "<http://xmlns.com/foaf/0.1/Person>") in found
    assert (membership, "http://www.w3.org/ns/org#member", f"<{person}>") in found
    assert (
        membership,
        "http://www.w3.org/ns/org#organization",
        f"<{BASE}organization/department-for-work-and-pensions>",
    ) in found
    assert (
        membership,
        "https://schema.org/startDate",
        '"2010-05-12"^^<http://www.w3.org/2001/XMLSchema#date>',
    ) in found
    assert (membership, "http://www.w3.org/ns/org#memberDuring", f"<{membership}#during>") in found
    assert (
        f"{membership}#hasBeginning",
        "http://www.w3.org/2006/time#inXSDDate",
        '"2010-05-12"^^<http://www.w3.org/2001/XMLSchema#date>',
    ) in found
    # every subject is the import's own
    assert all(q.subject.value.startswith(BASE) for q in quads(result.path))


def test_partial_dates_become_gyear_and_gyearmonth(mini_root: Path) -> None:
    result = import_dataset(Project.open(mini_root), POPOLO, "ministers", fmt="popolo")
    dates = {
        str(q.object)
        for q in quads(result.path)
        if q.predicate.value in ("https://schema.org/startDate", "https://schema.org/endDate")
    }
    assert '"1997"^^<http://www.w3.org/2001/XMLSchema#gYear>' in dates
    assert '"1999-10"^^<http://www.w3.org/2001/XMLSchema#gYearMonth>' in dates


@pytest.mark.slow  # the CLI (in process), twice
def test_the_command_line_imports_popolo_by_detection_and_by_format(mini_root: Path) -> None:
    for extra in ([], ["--format", "popolo"]):
        done = wmkg("--root", str(mini_root), "import", str(POPOLO), "--graph", "ministers", *extra)
        assert done.returncode == 0, done.stderr
        assert "triples in <https://w3id.org/westminster-kg/graph/import/ministers>" in done.stdout


@pytest.mark.slow  # the CLI (in process)
def test_plain_json_that_is_not_popolo_names_the_three_ways_out(mini_root: Path, tmp_path: Path) -> None:
    plain = write(tmp_path, {"rows": [{"name": "x"}]}, "plain.json")
    done = wmkg("--root", str(mini_root), "import", str(plain), "--graph", "plain")
    assert done.returncode == 2
    message = done.stderr.strip()
    assert "plain.json" in message and "--format popolo" in message and "--mapping" in message
    assert "@context" in message and "Traceback" not in done.stderr
    assert not (mini_root / "imports").exists()


# --- bad input: the JSON path, and nothing half-written ---------------------------------------------


def broken(change: Any) -> dict[str, Any]:
    data = copy.deepcopy(fixture())
    change(data)
    return data


UNREADABLE = [
    (
        lambda d: d["memberships"][3].update(start_date="2010-13-01"),
        r"memberships\[3\]\.start_date: '2010-13-01' is not a date",
    ),
    (
        lambda d: d["memberships"][2].update(start_date="12/05/2010"),
        r"memberships\[2\]\.start_date: '12/05/2010' is not a date \(YYYY, YYYY-MM or YYYY-MM-DD\)",
    ),
    (
        lambda d: d["memberships"][0].update(start_date="2012-09-04", end_date="2010-05-12"),
        r"memberships\[0\]\.end_date: 2010-05-12 is before start_date 2012-09-04",
    ),
    (lambda d: d["persons"][2].pop("id"), r"persons\[2\]\.id: missing"),
    (lambda d: d["memberships"][5].update(person_id=None), r"memberships\[5\]\.person_id: missing"),
]


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
@pytest.mark.parametrize(("change", "message"), UNREADABLE)
def test_an_unreadable_record_stops_a_strict_import_naming_its_json_path_and_the_previous_import_stays(
    mini_root: Path, tmp_path: Path, change: Any, message: str
) -> None:
    project = Project.open(mini_root)
    first = import_dataset(project, POPOLO, "ministers")
    before = first.path.read_bytes()
    bad = write(tmp_path, broken(change))
    with pytest.raises(InputError, match=message):
        import_dataset(project, bad, "ministers", strict=True)
    assert first.path.read_bytes() == before
    assert [p.name for p in (mini_root / "imports").iterdir()] == ["ministers.nq"]


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
@pytest.mark.parametrize(("change", "message"), UNREADABLE)
def test_without_strict_an_unreadable_record_is_left_out_and_listed_with_its_position(
    mini_root: Path, tmp_path: Path, change: Any, message: str
) -> None:
    result = import_dataset(Project.open(mini_root), write(tmp_path, broken(change)), "ministers")
    assert result.warnings[0].startswith("1 unreadable record(s) left out")  # listed first, whatever else
    assert re.search(message, result.warnings[1]) and "popolo.json" in result.warnings[1]
    kind, index = re.match(r"(\w+)\\\[(\d+)", message).groups()
    record = BASE + ("membership/" if kind == "memberships" else "person/")
    left_out = record + quote(fixture()[kind][int(index)]["id"], safe="")
    said = {q.predicate.value for q in quads(result.path) if q.subject.value == left_out}
    # A person left out may still be named by memberships: it stays, by its id, without a name.
    assert not said if kind == "memberships" else "http://xmlns.com/foaf/0.1/name" not in said


def test_references_to_things_not_in_the_file_are_warnings_and_the_membership_stays(
    mini_root: Path, tmp_path: Path
) -> None:
    data = broken(lambda d: d["memberships"][1].update(organization_id="ministry-of-nowhere"))
    result = import_dataset(Project.open(mini_root), write(tmp_path, data), "ministers", strict=True)
    assert "1 reference(s) to organizations not in the import:" in result.warnings
    assert any("memberships[1].organization_id = 'ministry-of-nowhere'" in w for w in result.warnings)
    membership = BASE + "membership/" + quote(fixture()["memberships"][1]["id"], safe="")
    assert membership in {q.subject.value for q in quads(result.path)}


def test_a_repeated_id_becomes_one_resource_with_both_names_and_a_warning_naming_both_places(
    mini_root: Path, tmp_path: Path
) -> None:
    data = broken(lambda d: d["organizations"].append({"id": "cabinet-office", "name": "Cabinet Office again"}))
    result = import_dataset(Project.open(mini_root), write(tmp_path, data), "ministers", strict=True)
    assert "1 duplicate id(s) merged into one resource, every name kept:" in result.warnings
    assert any("organizations[9].id: 'cabinet-office' again (first at organizations[0])" in w for w in result.warnings)
    labels = {
        str(q.object.value)
        for q in quads(result.path)
        if q.subject.value == BASE + "organization/cabinet-office" and q.predicate.value.endswith("#label")
    }
    assert labels == {"Cabinet Office", "Cabinet Office again"}


def test_a_list_that_is_not_a_list_is_fatal_even_without_strict(refusing_root: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"popolo\.json: memberships: expected a list"):
        import_dataset(Project.open(refusing_root), write(tmp_path, broken(lambda d: d.update(memberships={}))), "m")
    assert not (refusing_root / "imports").exists()


def test_ids_with_spaces_are_kept_percent_encoded_with_a_warning(mini_root: Path, tmp_path: Path) -> None:
    data = broken(lambda d: d["organizations"].append({"id": "home affairs", "name": "Home Affairs"}))
    result = import_dataset(Project.open(mini_root), write(tmp_path, data), "ministers")
    assert "1 id(s) with white space kept, percent-encoded:" in result.warnings
    assert any("organizations[9].id: 'home affairs'" in w for w in result.warnings)
    subjects = {q.subject.value for q in quads(result.path)}
    assert BASE + "organization/home%20affairs" in subjects


@pytest.mark.slow  # the CLI (in process)
def test_a_ministers_file_without_persons_imports_with_one_warning(mini_root: Path, tmp_path: Path) -> None:
    # parlparse's ministers files name people defined in its separate people.json
    data = broken(lambda d: d.pop("persons"))
    bad = write(tmp_path, data)
    done = wmkg("--root", str(mini_root), "import", str(bad), "--graph", "ministers")
    assert done.returncode == 0, done.stderr
    assert "warning: 8 reference(s) to persons not in the import; the file has no persons list" in done.stderr
    assert "memberships[0].person_id = 'uk.org.publicwhip/person/90001'" in done.stderr


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_people_from_a_separate_file_in_parlparses_shape_name_the_memberships(mini_root: Path, tmp_path: Path) -> None:
    ministers = write(tmp_path, broken(lambda d: d.pop("persons")), "ministers.json")
    result = import_dataset(Project.open(mini_root), ministers, "ministers", persons=[DATA / "popolo" / "people.json"])
    found = quads(result.path)

    def said(person: str, predicate: str) -> set[str]:
        iri = BASE + "person/" + quote(f"uk.org.publicwhip/person/{person}", safe="")
        return {str(q.object.value) for q in found if q.subject.value == iri and q.predicate.value == predicate}

    name, alias = "http://xmlns.com/foaf/0.1/name", "http://www.w3.org/2004/02/skos/core#altLabel"
    assert said("90001", name) == {"Example Minister One"}  # given and family name of the main name
    # Two main names, one after the other: the earliest is the name, the later a Lords title, an alias.
    assert said("90002", name) == {"Example Minister Two"}
    assert said("90002", alias) == {"Baroness Minister Two of Exampleton"}
    assert said("90003", alias) == {"E. M. Three"}  # an alternate name
    # 90007 redirects to 90008: its membership names the person it now is.
    membership = BASE + "membership/" + quote(fixture()["memberships"][6]["id"], safe="")
    assert fixture()["memberships"][6]["person_id"] == "uk.org.publicwhip/person/90007"
    members = {q.object.value for q in found if q.subject.value == membership and q.predicate.value.endswith("#member")}
    assert members == {BASE + "person/" + quote("uk.org.publicwhip/person/90008", safe="")}
    assert not any("reference(s) to persons" in w for w in result.warnings)


def test_a_persons_file_that_names_no_one_the_memberships_name_is_refused(refusing_root: Path, tmp_path: Path) -> None:
    strangers = write(tmp_path, {"persons": [{"id": "someone-else", "name": "Someone Else"}]}, "strangers.json")
    with pytest.raises(InputError, match=r"strangers\.json: none of its 1 persons is named by a membership"):
        import_dataset(Project.open(refusing_root), POPOLO, "ministers", persons=[strangers])
    assert not (refusing_root / "imports").exists()


def test_a_file_beyond_the_size_limit_is_refused_before_it_is_read(refusing_root: Path, tmp_path: Path) -> None:
    huge = tmp_path / "huge.json"
    with huge.open("wb") as handle:  # a sparse 50 MB file: nothing is written to disk, nothing read
        handle.truncate(50 * 1024 * 1024)
    with pytest.raises(InputError, match=r"huge\.json: 52,428,800 bytes is more than the 40,000,000"):
        import_dataset(Project.open(refusing_root), huge, "huge", fmt="popolo")
    assert not (refusing_root / "imports").exists()


def test_malformed_json_names_its_line(refusing_root: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"persons": [\n {"id": "a",}\n]}', encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.json:2: not JSON"):
        import_dataset(Project.open(refusing_root), bad, "bad")


# --- candidates, accepted links and the ministers queries -----------------------------------------------


@pytest.fixture(scope="module")
def linked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = repo_copy(tmp_path_factory.mktemp("popolo"))
    done = wmkg("--root", str(root), "import", str(POPOLO), "--graph", "ministers")
    assert done.returncode == 0, done.stderr
    return root


@pytest.mark.slow  # its fixture imports through the CLI
def test_candidates_find_our_departments_under_their_names_and_ids(linked: Path) -> None:
    kg = KnowledgeGraph.load(linked)
    found = {(str(c.ours), str(c.theirs)): c for c in link_candidates(kg, "ministers")}
    bis = (
        str(WMR["department-for-business-innovation-skills"]),
        BASE + "organization/department-for-business-innovation-and-skills",
    )
    assert found[bis].score == 1.0 and found[bis].predicate.endswith("exactMatch")  # "&" = "and"
    treasury = found[(str(WMR["hm-treasury"]), BASE + "organization/hm-treasury")]
    assert "same GOV.UK organisations id https://www.gov.uk/government/organisations/hm-treasury" in treasury.reasons
    departments = {o for o, t in found if t.startswith(BASE + "organization/")}
    assert str(WMR["department-of-health"]) in departments
    assert not any(t.startswith(BASE + "person/") for _, t in found)  # synthetic people match no one


@pytest.mark.slow  # its fixture imports through the CLI
def test_before_links_are_accepted_the_queries_join_nothing(linked: Path) -> None:
    kg = KnowledgeGraph.load(linked)
    rows = kg.query("office-holders-during-government", government="coalition-government-2010-2015").to_dicts()
    assert not any(str(r["organisation"]).startswith(BASE) for r in rows)


@pytest.mark.slow  # the CLI (in process), twice
def test_after_accepting_links_both_queries_list_the_imports_office_holders(linked: Path) -> None:
    done = wmkg("--root", str(linked), "link", "--candidates", "--graph", "ministers", "--accept-above", "0.97")
    assert done.returncode == 0, done.stderr
    assert "into graph/links/import-ministers.ttl" in done.stdout
    again = wmkg("--root", str(linked), "link", "--candidates", "--graph", "ministers", "--accept-above", "0.97")
    assert "accepted 0 link(s)" in again.stdout  # never twice

    kg = KnowledgeGraph.load(linked)
    rows = kg.query("office-holders-during-government", government="coalition-government-2010-2015").to_dicts()
    popolo_rows = {
        (str(r["departmentLabel"]), str(r["holderName"]), str(r["start"]), str(r.get("end") or ""))
        for r in rows
        if str(r["organisation"]).startswith(BASE)
    }
    assert popolo_rows == {
        ("Cabinet Office", "Example Minister Three", "2010-05-12", "2015-05-08"),
        ("Department for Work and Pensions", "Example Minister One", "2010-05-12", "2012-09-04"),
        ("Department for Work and Pensions", "Example Minister Two", "2012-09-04", "2015-05-08"),
        ("HM Treasury", "Example Minister Four", "2010-05-12", "2010-05-29"),
    }
    # partial dates: "1997" to "1999-10" overlaps New Labour; "1987-06" to 1990-11-28 is Thatcher's only
    labour = kg.query("office-holders-during-government", government="new-labour-government-1997-2010").to_dicts()
    assert ("Example Minister Six", "1997") in {(str(r["holderName"]), str(r["start"])) for r in labour}
    thatcher = kg.query("office-holders-during-government", government="thatcher-government-1979-1990").to_dicts()
    assert {str(r["holderName"]) for r in thatcher} == {"Example Minister Four"}
    major = kg.query("office-holders-during-government", government="major-government-1990-1997").to_dicts()
    assert "Example Minister Four" not in {str(r["holderName"]) for r in major}

    reform = kg.query("ministers-in-office-at-reform", reform="departmental-business-plans").to_dicts()
    if reform:  # the curators' reform is in this checkout
        names = {str(r["ministerName"]) for r in reform}
        assert {"Example Minister One", "Example Minister Two", "Example Minister Three"} <= names
        assert "Example Minister Five" not in names  # left DfE the day the Coalition began
        cabinet = next(r for r in reform if str(r["ministerName"]) == "Example Minister Three")
        assert str(cabinet["departmentGovuk"]) == "https://www.gov.uk/government/organisations/cabinet-office"


@pytest.mark.slow  # its fixture imports through the CLI
def test_accepting_a_row_that_names_something_outside_the_import_is_refused(linked: Path, tmp_path: Path) -> None:
    reviewed = tmp_path / "reviewed.tsv"
    reviewed.write_text(
        "score\tours\ttheirs\taccept\n1.0\t" + str(WMR["cabinet-office"]) + "\thttps://example.org/elsewhere\tyes\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"is not in the import 'ministers'"):
        accept_candidates(KnowledgeGraph.load(linked), "ministers", reviewed)


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_later_and_royal_names_of_departments_find_ours(tmp_path: Path) -> None:
    root = repo_copy(tmp_path / "names")
    data = {
        "organizations": [
            {"id": "dhsc", "name": "Department of Health and Social Care"},  # D12's name from 2018
            {"id": "treasury", "name": "Her Majesty's Treasury"},
            {"id": "dfe", "name": "Department of Education"},
        ]
    }
    import_dataset(Project.open(root), write(tmp_path, data), "names")
    found = {
        (str(c.ours), str(c.theirs)[len(IMPORT_BASE + "names/organization/") :]): c
        for c in link_candidates(KnowledgeGraph.load(root), "names")
    }
    assert found[(str(WMR["department-of-health"]), "dhsc")].score == 1.0
    treasury = found[(str(WMR["hm-treasury"]), "treasury")]
    assert treasury.score == 0.97 and "HM/Her Majesty's" in treasury.reasons
    assert found[(str(WMR["department-for-education"]), "dfe")].score == 0.97  # "for" and "of" set aside
