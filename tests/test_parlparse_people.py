"""parlparse's people.xml as a persons file: only the people the memberships name are imported, each
named, and XML that is malformed or declares entities is refused with its file and line.

The real file is tested end to end in test_published_data.py; these small files, written in its
shape (``<publicwhip><person id=... latestname=...><office id=.../></person>``), show what the real
one cannot: bad input, and a file imported on its own.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from support import DATA, make_project

from westminster_kg.errors import InputError
from westminster_kg.link import import_dataset
from westminster_kg.link.importers.popolo import IMPORT_BASE
from westminster_kg.project import Project

POPOLO = DATA / "popolo" / "ministers.json"
FOAF_NAME = "http://xmlns.com/foaf/0.1/name"
ALT_LABEL = "http://www.w3.org/2004/02/skos/core#altLabel"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
PERSON = "uk.org.publicwhip/person/"


def people_xml(tmp_path: Path, persons: list[tuple[str, str]], name: str = "people.xml", head: str = "") -> Path:
    """A file in people.xml's shape, ISO-8859-1 as parlparse wrote it, one person per (id, latestname)."""
    body = "".join(
        f'<person id="{ident}" latestname="{latest}">\n    <office id="uk.org.publicwhip/member/{n}"/>\n</person>\n'
        for n, (ident, latest) in enumerate(persons)
    )
    path = tmp_path / name
    path.write_bytes(
        f'<?xml version="1.0" encoding="ISO-8859-1"?>\n{head}<publicwhip>{body}</publicwhip>\n'.encode("iso-8859-1")
    )
    return path


def ministers_without_persons(tmp_path: Path) -> Path:
    data = json.loads(POPOLO.read_text(encoding="utf-8"))
    del data["persons"]
    path = tmp_path / "ministers.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def said(result_path: Path, graph: str) -> dict[str, dict[str, set[str]]]:
    """person id → predicate → values, from the written import."""
    found: dict[str, dict[str, set[str]]] = {}
    prefix = f"{IMPORT_BASE}{graph}/person/"
    for quad in ox.parse(path=str(result_path), format=ox.RdfFormat.N_QUADS):
        if quad.subject.value.startswith(prefix):
            ident = quad.subject.value.removeprefix(prefix).replace("%2F", "/")
            found.setdefault(ident, {}).setdefault(quad.predicate.value, set()).add(quad.object.value)
    return found


def test_only_the_people_the_memberships_name_are_imported_each_with_its_latest_name(
    mini_root: Path, tmp_path: Path
) -> None:
    named = [(f"{PERSON}{90001 + n}", f"Exämple Minister {n + 1}") for n in range(7)]
    strangers = [(f"{PERSON}{10001 + n}", f"Someone Else {n}") for n in range(5)]
    xml = people_xml(tmp_path, strangers[:2] + named + strangers[2:])
    result = import_dataset(Project.open(mini_root), ministers_without_persons(tmp_path), "ministers", persons=[xml])
    found = said(result.path, "ministers")
    assert set(found) == {ident for ident, _ in named}
    for ident, latest in named:
        assert found[ident][FOAF_NAME] == found[ident][LABEL] == {latest}  # read as ISO-8859-1
        assert found[ident]["http://purl.org/dc/terms/identifier"] == {ident}
    assert f"{xml}: 12 persons read (12 <person> elements); the memberships name 7 persons, 7 of them" in "\n".join(
        result.notes
    )
    assert "the other 5 left out" in "\n".join(result.notes)
    assert not any("described by no file" in w or "reference(s) to persons" in w for w in result.warnings)


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_an_id_given_twice_is_one_person_with_both_names_and_a_warning_naming_both_lines(
    mini_root: Path, tmp_path: Path
) -> None:
    persons = [(f"{PERSON}{90001 + n}", f"Minister {n + 1}") for n in range(7)]
    xml = people_xml(tmp_path, [*persons, (f"{PERSON}90002", "Lord Minister of Two")])
    result = import_dataset(Project.open(mini_root), ministers_without_persons(tmp_path), "ministers", persons=[xml])
    found = said(result.path, "ministers")[f"{PERSON}90002"]
    assert found[FOAF_NAME] == {"Minister 2"} and found[ALT_LABEL] == {"Lord Minister of Two"}
    assert found[LABEL] == {"Minister 2", "Lord Minister of Two"}
    lines = [n for n, text in enumerate(xml.read_text(encoding="iso-8859-1").splitlines(), 1) if "90002" in text]
    assert f"  {xml}:{lines[1]}: person '{PERSON}90002' again (first at line {lines[0]})" in result.warnings


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_a_people_file_alone_imports_every_person_and_given_as_a_file_it_is_still_a_persons_file(
    mini_root: Path, tmp_path: Path
) -> None:
    xml = people_xml(tmp_path, [(f"{PERSON}{10001 + n}", f"Person {n}") for n in range(4)])
    alone = import_dataset(Project.open(mini_root), [], "people", persons=[xml])
    assert len(said(alone.path, "people")) == 4
    assert any("4 persons read (4 <person> elements), all imported" in n for n in alone.notes)
    named = people_xml(tmp_path, [(f"{PERSON}{90001 + n}", f"Minister {n}") for n in range(7)], "named.xml")
    both = import_dataset(Project.open(mini_root), [ministers_without_persons(tmp_path), named], "both")
    assert len(said(both.path, "both")) == 7


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_a_people_file_that_names_no_one_the_memberships_name_is_refused(mini_root: Path, tmp_path: Path) -> None:
    xml = people_xml(tmp_path, [(f"{PERSON}10001", "Diane Abbott")])
    with pytest.raises(InputError, match=r"people\.xml: none of its 1 persons is named by a membership"):
        import_dataset(Project.open(mini_root), ministers_without_persons(tmp_path), "ministers", persons=[xml])
    assert not (mini_root / "imports").exists()


@pytest.fixture(scope="module")
def previous_import(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    """A project with an import of three people, made once for the module, and the bytes it wrote."""
    folder = tmp_path_factory.mktemp("previous")
    root = make_project(folder / "mini", DATA / "valid" / "slice.ttl")
    good = people_xml(folder, [(f"{PERSON}{10001 + n}", f"Person {n}") for n in range(3)], "good.xml")
    return root, import_dataset(Project.open(root), [], "people", persons=[good]).path.read_bytes()


BOMB = (
    '<!DOCTYPE publicwhip [\n <!ENTITY a "aaaaaaaaaa">\n <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">\n'
    ' <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">\n]>\n'
)


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(
            None, r"bomb\.xml:2: a document type declaration \(<!DOCTYPE or <!ENTITY\) is refused", id="entities"
        ),
        pytest.param(
            '<?xml version="1.0"?>\n<publicwhip><person id="a" latestname="A">\n<office id="b">\n</person>\n',
            r"bad\.xml:4: not well-formed XML: mismatched tag \(column 3\)",
            id="malformed",
        ),
        pytest.param(
            '<?xml version="1.0"?>\n<publicwhip>\n<person id="a" latestname="A & B"/>\n</publicwhip>\n',
            r"bad\.xml:3: not well-formed XML: not well-formed \(invalid token\)",
            id="bare-ampersand",
        ),
        pytest.param(
            '<?xml version="1.0"?>\n<publicwhip>\n<member id="a"/>\n</publicwhip>\n',
            r"bad\.xml: no <person> elements",
            id="no-persons",
        ),
    ],
)
def test_bad_xml_is_refused_naming_file_and_line_and_the_previous_import_stays(
    previous_import: tuple[Path, bytes], tmp_path: Path, content: str | None, message: str
) -> None:
    mini_root, before = previous_import
    assert (mini_root / "imports" / "people.nq").read_bytes() == before  # as the import wrote it
    if content is None:
        bad = people_xml(tmp_path, [(f"{PERSON}10001", "&c;")], "bomb.xml", head=BOMB)
    else:
        bad = tmp_path / "bad.xml"
        bad.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        import_dataset(Project.open(mini_root), [], "people", persons=[bad])
    assert (mini_root / "imports" / "people.nq").read_bytes() == before


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_a_person_without_an_id_is_left_out_and_listed_or_with_strict_stops_the_import(
    mini_root: Path, tmp_path: Path
) -> None:
    xml = people_xml(tmp_path, [(f"{PERSON}10001", "Kept"), ("", "No Id")])
    result = import_dataset(Project.open(mini_root), [], "people", persons=[xml])
    assert set(said(result.path, "people")) == {f"{PERSON}10001"}
    line = next(n for n, text in enumerate(xml.read_text(encoding="iso-8859-1").splitlines(), 1) if "No Id" in text)
    assert f"  {xml}:{line}: <person> with no id" in result.warnings
    with pytest.raises(InputError, match=rf"people\.xml:{line}: <person> with no id \(--strict"):
        import_dataset(Project.open(mini_root), [], "strict", persons=[xml], strict=True)


def test_rdf_xml_with_a_doctype_is_still_read_as_rdf_not_as_people(mini_root: Path, tmp_path: Path) -> None:
    # The sniff for people.xml reads the root (or the document type) and leaves RDF/XML to its parser.
    rdf = tmp_path / "organisations.xml"
    rdf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">\n'
        f'<rdf:Description rdf:about="{IMPORT_BASE}orgs/a"><rdfs:label>A</rdfs:label></rdf:Description>\n'
        "</rdf:RDF>\n",
        encoding="utf-8",
    )
    result = import_dataset(Project.open(mini_root), rdf, "orgs")
    labels = {q.object.value for q in ox.parse(path=str(result.path), format=ox.RdfFormat.N_QUADS)}
    assert labels == {"A"}


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_uk_parliament_member_ids_in_office_ids_become_links_to_their_member_pages(tmp_path: Path) -> None:
    # The real file: David Cameron's offices carry the member id our own link (graph/links/parliament.ttl,
    # read here by SPARQL) gives him; the office ids are parsed again here with ElementTree.
    import re
    import xml.etree.ElementTree as ET

    from westminster_kg import KnowledgeGraph
    from westminster_kg.link.importers.parlparse_people import person_triples, read_people_xml
    from westminster_kg.link.importers.problems import Problems

    real = DATA / "published" / "parlparse" / "people.xml"
    ours = KnowledgeGraph.load().store.query(
        "SELECT ?page WHERE { wmr:david-cameron skos:exactMatch ?page "
        'FILTER(STRSTARTS(STR(?page), "https://members.parliament.uk/member/")) }'
    )
    expected = {str(row[0]) for row in ours.rows}
    assert expected == {"https://members.parliament.uk/member/1467"}
    people = read_people_xml(real, Problems())
    cameron = next(ident for ident, p in people.persons.items() if p.names == ["David Cameron"])
    triples = person_triples(people, "pp", [cameron], Problems())
    exact = {o.value for _, p, o in triples if p.value == "http://www.w3.org/2004/02/skos/core#exactMatch"}
    assert exact == expected
    # Every person's ids, as ElementTree reads the offices (an id given twice: both elements' offices),
    # so no office of one person is lent to the next.
    member = re.compile(r"uk\.parliament\.data/Member/(\d+)/")
    by_person: dict[str, set[str]] = {}
    for element in ET.parse(real).getroot().iter("person"):
        ids = by_person.setdefault(element.get("id"), set())
        ids.update(m.group(1) for o in element.iter("office") if (m := member.match(o.get("id", ""))))
    assert {i: p.parliament_ids for i, p in people.persons.items()} == by_person
    assert sum(bool(ids) for ids in by_person.values()) > 600  # members sitting when the file was written
