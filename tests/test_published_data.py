"""Real governance data as it is published (tests/data/published/): parlparse's ministers file with its
people.xml, and the Institute for Government ministers database, imported, linked and asked, end to end.

Every expectation is computed here from the published files themselves (json, csv, ElementTree for
the XML), not from what the importer or the queries made of them.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import xml.etree.ElementTree as ET
from collections import defaultdict
from functools import cache
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from support import DATA, REPO, wmkg

from westminster_kg import KnowledgeGraph
from westminster_kg.link import review_candidates, review_tsv, stored_links
from westminster_kg.namespaces import GRAPH_IMPORT, WMR

pytestmark = pytest.mark.slow  # imports through the CLI

PUBLISHED = DATA / "published"
PARLPARSE = PUBLISHED / "parlparse" / "ministers.json"
PARLPARSE_PEOPLE = PUBLISHED / "parlparse" / "people.xml"
IFG = PUBLISHED / "ifg"
IFG_TABLES = [IFG / "appointment.csv", IFG / "post.csv", IFG / "organisation.csv"]
BASE = "https://w3id.org/westminster-kg/import/"
WM = "https://w3id.org/westminster-kg/ontology#"
# Words that mark a post as not a government office, independent of the importer's own rules.
OPPOSITION = re.compile(r"shadow|spokes", re.I)
NOT_MINISTERIAL = re.compile(r"shadow|spokes|opposition|\bpps\b|parliamentary private|committee", re.I)


# Read once a run (people.xml is 3.7 MB): the tests only read what these return.
@cache
def published_ministers() -> dict:
    return json.loads(PARLPARSE.read_text(encoding="utf-8"))


@cache
def parlparse_people() -> tuple[dict[str, str], int]:
    """people.xml's latest name of every person id (the first, where an id is given twice), and how
    many <person> elements it has."""
    names: dict[str, str] = {}
    elements = ET.parse(PARLPARSE_PEOPLE).getroot().findall("person")
    for person in elements:
        names.setdefault(person.get("id"), person.get("latestname"))
    return names, len(elements)


@cache
def table(name: str) -> list[dict[str, str]]:
    with (IFG / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def names_by_person() -> dict[str, set[str]]:
    names: dict[str, set[str]] = defaultdict(set)
    for row in table("person"):
        names[row["id"]].add(row["name"])
    return names


def overlaps(start: str, end: str, when: str) -> bool:
    """Whether [start, end] touches the period ``when`` (a year, a month or a day)."""
    return start[: len(when)] <= when and (not end or end[: len(when)] >= when)


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("published")
    for folder in ("ontology", "queries", "graph"):
        shutil.copytree(REPO / folder, target / folder)
    return target


@pytest.fixture(scope="module")
def parlparse(root: Path) -> tuple[str, str]:
    people = ("--persons", str(PARLPARSE_PEOPLE))
    done = wmkg("--root", str(root), "import", str(PARLPARSE), *people, "--graph", "parlparse")
    assert done.returncode == 0, done.stderr
    return done.stdout, done.stderr


@pytest.fixture(scope="module")
def ifg(root: Path) -> tuple[str, str]:
    tables = [str(p) for p in IFG_TABLES]
    done = wmkg("--root", str(root), "import", *tables, "--persons", str(IFG / "person.csv"), "--graph", "ifg")
    assert done.returncode == 0, done.stderr
    return done.stdout, done.stderr


@pytest.fixture(scope="module")
def linked(root: Path, parlparse: tuple[str, str], ifg: tuple[str, str]) -> KnowledgeGraph:
    for name in ("parlparse", "ifg"):
        done = wmkg("--root", str(root), "link", "--candidates", "--graph", name, "--accept-above", "0.97")
        assert done.returncode == 0, done.stderr
    return KnowledgeGraph.load(root)


def import_quads(root: Path, name: str) -> ox.Store:
    store = ox.Store()
    store.bulk_load(path=str(root / "imports" / f"{name}.nq"), format=ox.RdfFormat.N_QUADS)
    return store


# --- parlparse's ministers file, as published --------------------------------------------------------


def test_the_ministers_file_imports_as_published_with_both_duplicate_ids_reported_by_place(
    root: Path, parlparse: tuple[str, str]
) -> None:
    data = published_ministers()
    first: dict[str, int] = {}
    repeats = []
    for index, organisation in enumerate(data["organizations"]):
        if organisation["id"] in first:
            repeats.append((organisation["id"], first[organisation["id"]], index))
        first.setdefault(organisation["id"], index)
    assert len(repeats) == 2
    stdout, stderr = parlparse
    assert stdout.startswith("wrote imports/parlparse.nq: ")
    assert "warning: 2 duplicate id(s) merged into one resource, every name kept:" in stderr
    for ident, was, again in repeats:
        assert f"organizations[{again}].id: {ident!r} again (first at organizations[{was}])" in stderr
    store = import_quads(root, "parlparse")
    memberships = store.query(
        "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { GRAPH ?g { ?m a <http://www.w3.org/ns/org#Membership> } }"
    )
    assert int(next(iter(memberships))["n"].value) == len(data["memberships"]) == 2890
    for ident, was, again in repeats:
        labels = {
            q.object.value
            for q in store.quads_for_pattern(
                ox.NamedNode(f"{BASE}parlparse/organization/{quote(ident, safe='')}"),
                ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                None,
            )
        }
        assert labels == {data["organizations"][was]["name"], data["organizations"][again]["name"]}


def test_every_membership_is_typed_once_and_no_shadow_post_or_committee_seat_is_a_government_office(
    root: Path, parlparse: tuple[str, str]
) -> None:
    store = import_quads(root, "parlparse")
    kinds: dict[str, list[str]] = defaultdict(list)
    for quad in store.quads_for_pattern(None, ox.NamedNode(WM + "postKind"), None):
        kinds[quad.subject.value].append(quad.object.value)
    names = {o["id"]: o["name"] for o in published_ministers()["organizations"]}
    for membership in published_ministers()["memberships"]:
        found = kinds[f"{BASE}parlparse/membership/{quote(membership['id'], safe='')}"]
        assert len(found) == 1, membership
        role = membership.get("role") or ""
        if NOT_MINISTERIAL.search(role) or (not role and "committee" in names[membership["organization_id"]].lower()):
            assert found != [WM + "GovernmentOffice"], membership
        if re.search(r"\bshadow\b|spokesperson", role, re.I):
            assert found == [WM + "OppositionPost"], membership


def test_people_xml_names_every_person_the_memberships_name_and_no_one_else_and_says_how_many(
    root: Path, parlparse: tuple[str, str]
) -> None:
    latest, elements = parlparse_people()
    named = {m["person_id"] for m in published_ministers()["memberships"]}
    assert named <= set(latest) and len(named) == 617 and elements == 13217
    _, stderr = parlparse
    assert (
        f"people.xml: {len(latest):,} persons read ({elements:,} <person> elements); the memberships name "
        f"{len(named):,} persons, {len(named):,} of them described here: those imported, the other "
        f"{len(latest) - len(named):,} left out"
    ) in stderr
    assert "described by no file" not in stderr and "reference(s) to persons" not in stderr
    store = import_quads(root, "parlparse")
    found: dict[str, set[str]] = defaultdict(set)
    for quad in store.quads_for_pattern(None, ox.NamedNode("http://xmlns.com/foaf/0.1/name"), None):
        found[quad.subject.value].add(quad.object.value)
    assert found == {f"{BASE}parlparse/person/{quote(p, safe='')}": {latest[p]} for p in named}
    # A known membership, read from both files here: the Prime Minister in May 1997.
    [prime_minister] = {
        m["person_id"]
        for m in published_ministers()["memberships"]
        if m.get("role") == "Prime Minister" and m["start_date"] == "1997-05-02"
    }
    assert latest[prime_minister] == "Tony Blair"
    assert found[f"{BASE}parlparse/person/{quote(prime_minister, safe='')}"] == {"Tony Blair"}


def test_candidates_set_aside_opposition_portfolios_named_like_our_departments_and_say_why(
    root: Path, parlparse: tuple[str, str]
) -> None:
    data = published_ministers()
    roles: dict[str, set[str]] = defaultdict(set)
    for membership in data["memberships"]:
        roles[membership["organization_id"]].add(membership.get("role") or "")

    def ministerial(role: str) -> bool:
        return bool(re.search(r"secretary of state|minister|under-secretary", role, re.I)) and not OPPOSITION.search(
            role
        )

    # Organisations whose members hold opposition posts and no ministerial title: shadow portfolios
    # (a party is a party, whoever its members are).
    names = {o["id"]: o["name"] for o in data["organizations"]}
    shadow_only = {
        o
        for o, found in roles.items()
        if any(OPPOSITION.search(r) for r in found)
        and not any(map(ministerial, found))
        and "party" not in names[o].lower()
    }
    review = review_candidates(KnowledgeGraph.load(root), "parlparse")
    for candidate in review.proposed:
        ident = str(candidate.theirs).rsplit("/", 1)[-1]
        assert not (ident in shadow_only and "/organization/" in str(candidate.theirs)), candidate
    aside = {(str(c.ours), str(c.theirs).rsplit("/", 1)[-1]): c for c in review.set_aside}
    for ours, theirs in (
        ("department-of-health", "health"),
        ("hm-treasury", "treasury"),
        ("ministry-of-defence", "defence"),
    ):
        assert theirs in shadow_only
        assert "opposition portfolio" in aside[(str(WMR[ours]), theirs)].reasons
    text = review_tsv(review)
    assert "\n# set aside, never proposed" in text and text.rstrip().splitlines()[-1].startswith("# summary: ")


# --- the Institute for Government ministers database ----------------------------------------------------


def test_the_ifg_tables_import_without_a_mapping_and_say_what_each_column_became(
    root: Path, ifg: tuple[str, str], tmp_path: Path
) -> None:
    stdout, stderr = ifg
    assert "appointment.csv: read as memberships (well-known column names; no --mapping given)" in stderr
    assert "  person_id → org:member, the person's id" in stderr
    assert "  id_parliament → skos:exactMatch a UK Parliament member page (its id)" in stderr
    renamed = sum(1 for names in names_by_person().values() if len(names) > 1)
    assert f"warning: {renamed} resource(s) named differently on different rows" in stderr
    for name in ("appointment", "post", "organisation", "person"):
        assert f"the mapping used is in imports/ifg.{name}.mapping.json" in stderr
    # The mappings written beside the import give the same graph when passed back.
    mappings = [root / "imports" / f"ifg.{p.stem}.mapping.json" for p in [IFG / "person.csv", *IFG_TABLES]]
    copies = []
    for mapping in mappings:
        copies.append(tmp_path / mapping.name)
        shutil.copy(mapping, copies[-1])
    again = wmkg(
        "--root", str(root), "import", *map(str, IFG_TABLES), "--persons", str(IFG / "person.csv"),
        *[arg for c in copies for arg in ("--mapping", str(c))], "--graph", "ifg-again",
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    triples = int(re.search(r": (\d+) triples", stdout).group(1))
    assert f": {triples} triples" in again.stdout
    wmkg("--root", str(root), "import", "--drop", "ifg-again")


def test_people_are_proposed_by_their_verified_parliament_ids_with_the_evidence(
    root: Path, ifg: tuple[str, str]
) -> None:
    kg = KnowledgeGraph.load(root)
    ids_in_file = {row["id_parliament"].split(".")[0]: row["id"] for row in table("person") if row["id_parliament"]}
    ours = {
        str(link.entity): str(link.target)
        for link in stored_links(kg)
        if str(link.target).startswith("https://members.parliament.uk/member/")
    }
    review = review_candidates(kg, "ifg")
    proposed = {(str(c.ours), str(c.theirs)): c for c in review.proposed}
    assert ours
    for entity, page in ours.items():
        person = ids_in_file[page.rsplit("/", 1)[-1]]
        candidate = proposed[(entity, f"{BASE}ifg/person/{person}")]
        assert candidate.score == 1.0 and f"same UK Parliament members id {page}" in candidate.reasons
    # The IfG's Chris Mullin (a minister 1999-2005) is not the article's (quoted in 2014): a near miss.
    mullin = [c for c in review.near_misses if str(c.ours) == str(WMR["chris-mullin"])]
    assert mullin and "covers a date the article gives for ours (2014)" in mullin[0].reasons
    assert review.summary().startswith(
        f"{len(review.proposed):,} proposed at or above 0.85, {len(review.near_misses):,} below"
    )


def test_a_persons_file_alone_imports(root: Path) -> None:
    done = wmkg("--root", str(root), "import", "--persons", str(IFG / "person.csv"), "--graph", "ifg-people")
    assert done.returncode == 0, done.stderr
    store = import_quads(root, "ifg-people")
    persons = store.query(
        "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { GRAPH ?g { ?p a <http://xmlns.com/foaf/0.1/Person> } }"
    )
    assert int(next(iter(persons))["n"].value) == len(names_by_person())
    wmkg("--root", str(root), "import", "--drop", "ifg-people")


# --- the questions, after the links are accepted -----------------------------------------------------------


def test_ministers_in_office_at_reform_lists_government_offices_only_each_with_a_name_and_its_source(
    linked: KnowledgeGraph,
) -> None:
    rows = linked.query("ministers-in-office-at-reform").to_dicts()
    assert rows
    assert not [r for r in rows if NOT_MINISTERIAL.search(str(r.get("roleLabel") or ""))]
    # Each parlparse row is one of the file's memberships, named from people.xml: (name, role, start).
    latest, _ = parlparse_people()
    held = {
        (latest[m["person_id"]], m.get("role") or "", m["start_date"]) for m in published_ministers()["memberships"]
    }
    every_name = {n for names in names_by_person().values() for n in names}
    parlparse_rows = 0
    for row in rows:
        name, source = str(row["ministerName"]), str(row["source"])
        assert source in (GRAPH_IMPORT + "parlparse", GRAPH_IMPORT + "ifg")
        assert name.strip() and not name.startswith("(no name in the import"), row
        if source.endswith("parlparse"):
            parlparse_rows += 1
            assert (name, str(row.get("roleLabel") or ""), str(row["start"])) in held, row
        else:
            assert name in every_name
    assert parlparse_rows
    shadows = linked.query("ministers-in-office-at-reform", postKind="opposition post").to_dicts()
    assert shadows and all(re.search(r"shadow|spokes|opposition", str(r["roleLabel"]), re.I) for r in shadows)


def test_the_minister_for_the_cabinet_office_when_the_civil_service_reform_plan_was_published(
    linked: KnowledgeGraph,
) -> None:
    found = linked.store.query("SELECT ?d WHERE { wmr:civil-service-reform-plan-2012-reforms dcterms:date ?d }")
    [published] = [str(row[0]) for row in found.rows]
    posts = {row["id"]: row["name"] for row in table("post")}
    names = names_by_person()
    expected: dict[str, set[str]] = defaultdict(set)
    for row in table("appointment"):
        post = posts[row["post_id"]]
        if post in ("Minister for the Cabinet Office", "Prime Minister") and overlaps(
            row["start_date"], row["end_date"], published
        ):
            expected[post] |= names[row["person_id"]]
    rows = linked.query("office-holders-at-dated-events", event="civil-service-reform-plan-2012-reforms").to_dicts()
    found: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        if str(row["source"]).endswith("/ifg"):
            found[str(row["officeLabel"])].add(str(row["holderName"]))
    assert expected["Minister for the Cabinet Office"] & {"Francis Maude"}  # the IfG's own answer
    for office, holders in found.items():
        assert holders <= expected[office] and holders, office
    assert set(found) == set(expected)


def test_the_offices_each_quoted_person_held_at_the_time_of_the_quote_come_back(linked: KnowledgeGraph) -> None:
    quotes = linked.store.query("SELECT ?d WHERE { ?q prov:wasAttributedTo wmr:francis-maude ; dcterms:date ?d }").rows
    dates = {str(row[0]) for row in quotes}
    maude = next(p for p, names in names_by_person().items() if "Francis Maude" in names)
    posts = {row["id"]: row["name"] for row in table("post")}
    expected = {
        (when, posts[row["post_id"]])
        for row in table("appointment")
        for when in dates
        if row["person_id"] == maude and overlaps(row["start_date"], row["end_date"], when)
    }
    rows = linked.query("offices-held-at-quotes", person="francis-maude").to_dicts()
    found = {(str(r["quoteDate"]), str(r["roleLabel"])) for r in rows if str(r["source"]).endswith("/ifg")}
    assert expected and found == expected
    assert ("2012-10", "Minister for the Cabinet Office") in found


def test_a_name_both_ours_and_an_accepted_links_other_end_means_ours(linked: KnowledgeGraph) -> None:
    # IfG's "Francis Maude" is linked to ours as the same person: typing the name is not an ambiguity.
    theirs = {
        str(row[0])
        for row in linked.store.query(
            'SELECT ?p WHERE { wmr:francis-maude skos:exactMatch ?p . ?p rdfs:label "Francis Maude" }'
        ).rows
    }
    assert theirs, "the fixture lost the accepted link between the two Francis Maudes"
    assert linked.resolver.resolve("Francis Maude", "person") == WMR["francis-maude"]
    rows = linked.query("offices-held-at-quotes", person="Francis Maude").to_dicts()
    assert rows and {str(r["person"]) for r in rows} == {str(WMR["francis-maude"])}
