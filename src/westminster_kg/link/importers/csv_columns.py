"""Spreadsheets without a hand-written mapping: well-known column names turned into a ``CsvMapping``.

Popolo's field names (``id``, ``name``, ``given_name``, ``person_id``, ``organization_id``,
``start_date``...), EveryPolitician's CSVs (``group``, ``area``), Wikidata exports (``wikidata``,
``position``) and the Institute for Government ministers database (``id_parliament``, ``post_id``,
``organisation_id``) are recognised from the header, with their common spellings. The table is read
as memberships (a person id and a post or organisation per row), positions (a person and a position
per row), persons, organisations or posts. What each column became is said, and the mapping is
written beside the import so it can be reviewed, edited and passed back with ``--mapping``.

Only when a column the table needs is ambiguous (two columns that could both be the role, a table
that could list people or organisations) is the import refused, with the proposed mapping written
out for the user to settle.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from westminster_kg.errors import InputError

# Each need: its spellings, in groups of falling preference. Two columns from the first group
# present are ambiguous; a later group is used only when no earlier one is present.
_SPELLINGS: dict[str, list[list[str]]] = {
    "id": [["id"], ["uuid"]],
    "person_id": [["person_id", "member_id", "politician_id", "personid", "person_uuid", "minister_id"]],
    "membership_id": [["membership_id", "appointment_id"]],
    "name": [["name"], ["person_name", "full_name", "member_name", "politician", "minister_name", "person"], ["label"]],
    "given_name": [["given_name", "first_name", "forename", "givenname"]],
    "family_name": [["family_name", "last_name", "surname", "familyname"]],
    "sort_name": [["sort_name"]],
    "gender": [["gender", "sex"]],
    "birth_date": [["birth_date", "date_of_birth", "dob"]],
    "death_date": [["death_date", "date_of_death"]],
    "wikidata": [["wikidata", "wikidata_id", "wikidata_qid", "qid", "wikidata_item", "item"]],
    "parliament": [
        ["id_parliament", "parliament_id", "datadotparl_id", "identifier__datadotparl", "mnis_id", "parliament_uk_id"]
    ],
    "role": [["position", "role", "post", "office", "post_label", "position_label", "role_label"]],
    "organization": [
        ["organization", "organisation", "org", "department", "organization_name", "organisation_name", "org_name"]
    ],
    "organization_id": [["organization_id", "organisation_id", "org_id", "department_id"]],
    "post_id": [["post_id"]],
    "start": [["start_date", "start", "from", "date_start", "valid_from", "startdate", "begin_date"]],
    "end": [["end_date", "end", "to", "date_end", "valid_until", "enddate", "until"]],
    "founding": [["founding_date", "founded", "dissolution_date"]],
    "party": [["party", "group", "party_name", "group_name", "faction"]],
    "area": [["area", "constituency", "area_name"]],
    "type": [["type", "classification", "position_type", "role_type", "rank_equivalence", "rank"]],
    "short_name": [["short_name", "abbreviation", "acronym", "initialism"]],
}
_PERSON_ONLY = ("given_name", "family_name", "sort_name", "gender", "birth_date", "death_date", "parliament", "party")
_PERSON_ONLY += ("area",)
_ORGANISATION_ONLY = ("founding",)
_FILE_HINTS = (
    ("persons", re.compile(r"person|people|member|politician|minister|mps?\b", re.I)),
    ("organizations", re.compile(r"organi[sz]ation|department|ministr|bodies|\borgs?\b", re.I)),
)
_QID = re.compile(r"^Q[1-9]\d*$")
_DATE_NOTE = "partial dates (1997, 1997-05) kept at their precision"


def normalise_column(header: str) -> str:
    """A header as compared with the known spellings: lower case, spaces, hyphens and dots as ``_``."""
    return re.sub(r"[\s\-.]+", "_", header.strip().casefold())


class AmbiguousColumnsError(InputError):
    """A needed column could be one of several: the proposed mapping goes to the user to settle."""

    def __init__(self, message: str, proposal: Recognised) -> None:
        super().__init__(message)
        self.proposal = proposal


@dataclass
class Recognised:
    """What a CSV was read as: its kind, the mapping (as TOML/JSON data) and what each column became."""

    kind: str
    mapping: dict[str, Any]
    became: list[tuple[str, str]] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)

    def describe(self, path: Path) -> list[str]:
        """Lines for the user: the kind, then ``column → what it became``, then the columns not used."""
        lines = [f"{path.name}: read as {self.kind} (well-known column names; no --mapping given)"]
        lines += [f"  {column} → {what}" for column, what in self.became]
        if self.unused:
            lines.append(f"  not imported: {', '.join(self.unused)}")
        return lines


class _Header:
    """The header's columns by need, with ambiguity noted."""

    def __init__(self, path: Path, header: list[str]) -> None:
        self.path = path
        self.columns = [h.strip() for h in header]
        self.by_name = {normalise_column(h): h.strip() for h in header}
        self.used: set[str] = set()
        self.ambiguous: list[str] = []

    def find(self, need: str) -> str | None:
        for group in _SPELLINGS[need]:
            present = [self.by_name[s] for s in group if s in self.by_name]
            if len(present) > 1:
                self.ambiguous.append(
                    f"{' and '.join(repr(p) for p in present)} could each be the {need.replace('_', ' ')}"
                )
            if present:
                return present[0]
        return None

    def has(self, *needs: str) -> bool:
        return any(self.find(need) for need in needs)


def _id_repeats(path: Path, column: str) -> tuple[bool, str]:
    """Whether ``column`` holds the same value on several rows (then it names a person, not a row)."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            counts = Counter(row.get(column, "") for row in csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error):
        return False, ""  # the reader proper reports an unreadable file, with its position
    value, times = max(counts.items(), key=lambda kv: kv[1], default=("", 0))
    return times > 1, f"{value!r} on {times} rows"


def _sample(path: Path, column: str, limit: int = 200) -> list[str]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            found = []
            for row in csv.DictReader(handle):
                if value := (row.get(column) or "").strip():
                    found.append(value)
                if len(found) >= limit:
                    break
            return found
    except (OSError, UnicodeDecodeError, csv.Error):
        return []


def _kind(path: Path, head: _Header) -> str:
    if head.has("person_id"):
        return "memberships"
    if head.has("role"):
        return "positions"
    if head.has("organization_id") and head.has("name") and not head.has(*_PERSON_ONLY):
        return "posts"
    if not head.has("name", "given_name", "family_name"):
        raise InputError(
            f"{path}: no well-known column names (such as person_id, name, position, organization, start_date): "
            "give --mapping FILE (docs/joining.md)"
        )
    person, organisation = head.has(*_PERSON_ONLY), head.has(*_ORGANISATION_ONLY)
    if person != organisation:
        return "persons" if person else "organizations"
    for kind, pattern in _FILE_HINTS:
        if pattern.search(path.stem):
            return kind
    head.ambiguous.append("the table could list persons or organisations (read as persons)")
    return "persons"


def _property(predicate: str, became: list[tuple[str, str]], column: str, what: str, **options: Any) -> dict:
    became.append((column, what))
    source = {"template": options.pop("template")} if "template" in options else {"column": column}
    return {"predicate": predicate, **source, **options}


def _link(predicate: str, became: list[tuple[str, str]], column: str, what: str, template: str, **options: Any) -> dict:
    """A property whose object is an IRI made from the cell by ``template`` (``{}`` is the cell)."""
    return _property(
        predicate, became, column, what, iri=True, template=template.replace("{}", f"{{{column}}}"), **options
    )


def _named_resource(kind: str, column: str, *predicates: str) -> dict[str, Any]:
    """A resource named by the text of ``column`` (``import:KIND/{column}``), labelled with it."""
    properties = [{"predicate": p, "column": column} for p in (*predicates, "rdfs:label")]
    return {"subject": f"import:{kind}/{{{column}}}", "class": [f"org:{kind.title()}"], "properties": properties}


def _person(path: Path, head: _Header, key: str, became: list[tuple[str, str]]) -> dict[str, Any]:
    """The person resource of a row: named, with its identifiers; ``key`` is the column naming it."""
    props: list[dict[str, Any]] = [{"predicate": "dcterms:identifier", "column": key}]
    if name := head.find("name"):
        props.append(_property("foaf:name", became, name, "foaf:name, the person's name", first_only=True))
        props.append({"predicate": "rdfs:label", "column": name})
    for need, term in (
        ("given_name", "foaf:givenName"),
        ("family_name", "foaf:familyName"),
        ("sort_name", "contact:sortName"),
        ("gender", "foaf:gender"),
    ):
        if column := head.find(need):
            props.append(_property(term, became, column, term))
    for need, term in (("birth_date", "schema:birthDate"), ("death_date", "schema:deathDate")):
        if column := head.find(need):
            props.append(_property(term, became, column, f"{term} ({_DATE_NOTE})", partial_date=True))
    if column := head.find("wikidata"):
        sample = _sample(path, column)
        if sample and sum(bool(_QID.match(v)) for v in sample) >= len(sample) / 2:
            wikidata = "owl:sameAs a Wikidata item (wd:Q…)"
            props.append(_link("owl:sameAs", became, column, wikidata, "http://www.wikidata.org/entity/{}"))
        else:
            props.append(_property("owl:sameAs", became, column, "owl:sameAs, the Wikidata IRI as given", iri=True))
    if column := head.find("parliament"):
        page, what = "https://members.parliament.uk/member/{}", "skos:exactMatch a UK Parliament member page (its id)"
        props.append(_link("skos:exactMatch", became, column, what, page, whole_number=True))
    if column := head.find("party"):
        what = "schema:affiliation, the party (an organisation)"
        props.append(_link("schema:affiliation", became, column, what, "import:organization/{}"))
    if column := head.find("area"):
        props.append(_property("dcterms:spatial", became, column, "dcterms:spatial, the area (as text)"))
    return {"subject": f"import:person/{{{key}}}", "class": ["foaf:Person"], "properties": props}


def _membership(path: Path, head: _Header, kind: str, became: list[tuple[str, str]]) -> list[dict[str, Any]]:
    resources: list[dict[str, Any]] = []
    row_id = head.find("membership_id") or (head.find("id") if kind == "memberships" else None)
    person = head.find("person_id")
    if person is None:  # a positions table: the row's person is named by its id column, else by name
        person = head.find("id") or head.find("name")
        if person is None:
            raise InputError(f"{path}: a table of positions needs a column naming the person (id or name)")
        repeats, example = _id_repeats(path, person) if person == head.find("id") else (False, "")
        why = f"it repeats ({example}), so it names the person" if repeats else "the person the row is about"
        became.append((person, f"the person's id ({why})"))
    else:
        became.append((person, "org:member, the person's id"))
    subject = f"import:membership/{{{row_id}}}" if row_id else "import:membership/{_file}-{_row}"
    props: list[dict[str, Any]] = [
        {"predicate": "org:member", "template": f"import:person/{{{person}}}", "iri": True, "required": True}
    ]
    if row_id:
        props.append(_property("dcterms:identifier", became, row_id, "the membership's id"))
    if column := head.find("role"):
        props.append(_link("org:role", became, column, "org:role, a role named by the text", "import:role/{}"))
        resources.append(_named_resource("role", column))
    if column := head.find("organization_id"):
        what = "org:organization, the organisation's id"
        props.append(_link("org:organization", became, column, what, "import:organization/{}"))
    elif column := head.find("organization"):
        what = "org:organization, an organisation named by the text"
        props.append(_link("org:organization", became, column, what, "import:organization/{}"))
        resources.append(_named_resource("organization", column, "skos:prefLabel"))
    if column := head.find("post_id"):
        props.append(_link("opengov:post", became, column, "opengov:post, the post's id", "import:post/{}"))
    for need, term in (("start", "schema:startDate"), ("end", "schema:endDate")):
        if column := head.find(need):
            props.append(_property(term, became, column, f"{term} ({_DATE_NOTE})", partial_date=True))
    if column := head.find("type"):
        props.append(_property("dcterms:type", became, column, "dcterms:type, kept as text"))
    resources.insert(0, {"subject": subject, "class": ["org:Membership"], "properties": props})
    if head.has("name", "given_name", "family_name", "wikidata", "parliament"):
        person_became: list[tuple[str, str]] = []
        resources.append(_person(path, head, person, person_became))
        became.extend((c, w) for c, w in person_became)
    return resources


def _organisation(head: _Header, key: str, became: list[tuple[str, str]]) -> dict[str, Any]:
    props: list[dict[str, Any]] = [{"predicate": "dcterms:identifier", "column": key}]
    if name := head.find("name"):
        props.append(
            _property("skos:prefLabel", became, name, "skos:prefLabel, the organisation's name", first_only=True)
        )
        props.append({"predicate": "rdfs:label", "column": name})
    if column := head.find("short_name"):
        props.append(_property("skos:altLabel", became, column, "skos:altLabel, a short name"))
    for need, term in (("start", "schema:foundingDate"), ("end", "schema:dissolutionDate")):
        if column := head.find(need):
            props.append(_property(term, became, column, f"{term} ({_DATE_NOTE})", partial_date=True))
    if column := head.find("type"):
        props.append(_property("dcterms:type", became, column, "dcterms:type, kept as text"))
    return {"subject": f"import:organization/{{{key}}}", "class": ["org:Organization"], "properties": props}


def _post(head: _Header, key: str, became: list[tuple[str, str]]) -> dict[str, Any]:
    props: list[dict[str, Any]] = [{"predicate": "dcterms:identifier", "column": key}]
    if name := head.find("name"):
        props.append(_property("skos:prefLabel", became, name, "skos:prefLabel, the post's name", first_only=True))
        props.append({"predicate": "rdfs:label", "column": name})
    if column := head.find("organization_id"):
        what = "org:postIn, the organisation's id"
        props.append(_link("org:postIn", became, column, what, "import:organization/{}"))
    if column := head.find("type"):
        props.append(_property("dcterms:type", became, column, "dcterms:type, kept as text (e.g. a rank)"))
    return {"subject": f"import:post/{{{key}}}", "class": ["org:Post"], "properties": props}


def recognise(path: Path, header: list[str]) -> Recognised:
    """The mapping for a CSV whose header has well-known column names.

    Raises:
        InputError: no column is recognised (give ``--mapping``).
        AmbiguousColumnsError: a needed column is ambiguous; ``.proposal`` is the mapping proposed.
    """
    head = _Header(path, header)
    kind = _kind(path, head)
    became: list[tuple[str, str]] = []
    key = head.find("id") or head.find("name")
    if kind in ("memberships", "positions"):
        resources = _membership(path, head, kind, became)
    elif key is None:
        raise InputError(f"{path}: a table of {kind} needs an id or a name column")
    else:
        became.append((key, f"the {kind[:-1].replace('organization', 'organisation')}'s id"))
        builder = {
            "persons": lambda: _person(path, head, key, became),
            "organizations": lambda: _organisation(head, key, became),
        }
        resources = [builder.get(kind, lambda: _post(head, key, became))()]
    used = {column for column, _ in became}
    unused = [c for c in head.columns if c not in used]
    mapping = {
        "about": f"Proposed by wmkg import from the header of {path.name} (read as {kind}); edit it and pass it "
        "back with --mapping. The prefix import: is the import's own namespace.",
        "prefixes": {
            "contact": "http://www.w3.org/2000/10/swap/pim/contact#",
            "opengov": "http://www.w3.org/ns/opengov#",
        },
        "resources": resources,
    }
    found = Recognised(kind, mapping, became, unused)
    if head.ambiguous:
        raise AmbiguousColumnsError(f"{path}: {'; '.join(dict.fromkeys(head.ambiguous))}", found)
    return found


__all__ = ["AmbiguousColumnsError", "Recognised", "normalise_column", "recognise"]
