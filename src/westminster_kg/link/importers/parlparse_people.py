"""parlparse's ``people.xml``: every person TheyWorkForYou knows, by id and latest name, as a persons file.

parlparse (``mysociety/parlparse``) kept its people in ``members/people.xml`` until 2015, when it
moved them to ``people.json``; its ministers file (``members/ministers.json``) names them by the same
ids. The file is one ``<publicwhip>`` of ``<person id="uk.org.publicwhip/person/10001"
latestname="Diane Abbott">`` elements, each listing the ``<office>`` ids the person held. It knows
some 13,000 people, from every parliament and assembly since 1918; an import keeps only those its
memberships name (``dataset`` chooses them), or all of them when the file is imported on its own.

Each person is minted as the Popolo importer mints it (``person/<id>``, percent-encoded), so the
memberships of a Popolo ministers file find their people: ``foaf:Person``, ``person:Person``, the id
as ``dcterms:identifier``, ``latestname`` as ``foaf:name`` and ``rdfs:label``. An id given twice
becomes one person with both names (the later a ``skos:altLabel``), with a warning when it is imported.
The UK Parliament member ids in a person's office ids (``uk.parliament.data/Member/172/…``) become
``skos:exactMatch`` links to their members.parliament.uk pages, as a positions CSV's ``parliament``
column does, so link candidates match people by a shared identifier before their names.

The XML is read with the standard library's expat, a piece at a time. A document type declaration
is refused before anything in it is read: it is where entities are declared, and entity expansion
is how a few kilobytes of XML become gigabytes (parlparse's file has none). Malformed XML is an
error naming the file, line and column.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.parsers import expat

import pyoxigraph as ox

from westminster_kg.errors import InputError
from westminster_kg.link.importers.popolo import (
    ALT_LABEL,
    IDENTIFIER,
    IMPORT_BASE,
    LABEL,
    MAX_BYTES,
    MAX_TEXT,
    A,
    quote_id,
)
from westminster_kg.link.importers.problems import Problems

ROOT = "publicwhip"
_FOAF_PERSON = ox.NamedNode("http://xmlns.com/foaf/0.1/Person")
_PERSON_PERSON = ox.NamedNode("http://www.w3.org/ns/person#Person")
_FOAF_NAME = ox.NamedNode("http://xmlns.com/foaf/0.1/name")
_SNIFF_BYTES = 64 * 1024
_SKOS_EXACT_MATCH = ox.NamedNode("http://www.w3.org/2004/02/skos/core#exactMatch")
# An office id "uk.parliament.data/Member/172/Committee/158" names the UK Parliament's member 172
# (members.parliament.uk/member/172: David Cameron's offices carry 1467, the id our links verified).
_PARLIAMENT_MEMBER = re.compile(r"uk\.parliament\.data/Member/(\d{1,9})(?:/|$)")
_PARLIAMENT_PAGE = "https://members.parliament.uk/member/{}"


@dataclass
class XmlPerson:
    """One person of the file: the id, the names in the order the file gives them, and where."""

    ident: str
    line: int
    names: list[str] = field(default_factory=list)
    again: list[int] = field(default_factory=list)  # lines where the same id is given again
    parliament_ids: set[str] = field(default_factory=set)  # UK Parliament member ids of their offices


@dataclass
class PeopleXml:
    """What one ``people.xml`` holds: its persons by id, and how many ``<person>`` elements it has."""

    path: Path
    persons: dict[str, XmlPerson]
    records: int
    _iris: dict[tuple[str, str], ox.NamedNode] = field(default_factory=dict, repr=False)

    def iri(self, name: str, ident: str) -> ox.NamedNode:
        """The person's IRI in import ``name``, as ``popolo`` mints it (the id one path segment)."""
        # Kept: an import asks for every person's twice (to check the file, to choose its people).
        found = self._iris.get((name, ident))
        if found is None:
            found = self._iris[(name, ident)] = ox.NamedNode(f"{IMPORT_BASE}{name}/person/{quote_id(ident)}")
        return found


class _StopParsingError(Exception):
    """Raised from an expat handler to end the parse: a refusal, or the sniff has seen enough."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


def is_people_xml(path: Path) -> bool:
    """Whether ``path`` looks like parlparse's ``people.xml``: XML whose root element (or document
    type) is ``<publicwhip>``. Only the first few kilobytes are read; anything else is left to the
    RDF/XML parser."""
    parser = expat.ParserCreate()

    def root(name: str, *_: Any) -> None:
        raise _StopParsingError(name)

    parser.StartElementHandler = root
    parser.StartDoctypeDeclHandler = root  # a declared root: the reader refuses it, RDF/XML may have one
    try:
        with path.open("rb") as handle:
            parser.Parse(handle.read(_SNIFF_BYTES), False)
    except _StopParsingError as stop:
        return stop.message == ROOT
    except (OSError, expat.ExpatError):
        return False
    return False


def read_people_xml(path: Path, problems: Problems, *, max_bytes: int = MAX_BYTES) -> PeopleXml:
    """Every ``<person>`` of a ``people.xml``; a person without an id is left out and listed.

    Raises:
        InputError: a file too big, unreadable, malformed, or with a document type declaration,
            naming the file and line.
    """
    persons: dict[str, XmlPerson] = {}
    records = 0
    parser = expat.ParserCreate()

    def refuse(*_: Any) -> None:
        raise _StopParsingError(
            f"{path}:{parser.CurrentLineNumber}: a document type declaration (<!DOCTYPE or <!ENTITY) is refused: "
            "its entities could expand without bound (parlparse's people.xml has none)"
        )

    current: XmlPerson | None = None  # the <person> an <office> belongs to

    def start(tag: str, attributes: dict[str, str]) -> None:
        nonlocal records, current
        if tag == "office" and current is not None:
            if match := _PARLIAMENT_MEMBER.match(attributes.get("id", "")):
                current.parliament_ids.add(str(int(match.group(1))))
            return
        if tag != "person":
            return
        current = None
        records += 1
        line = parser.CurrentLineNumber
        ident, name = (attributes.get(key, "").strip() for key in ("id", "latestname"))
        if not ident or len(ident) > MAX_TEXT or len(name) > MAX_TEXT:
            why = "no id" if not ident else f"a value over {MAX_TEXT:,} characters"
            problems.skip(f"{path}:{line}: <person> with {why}")
            return
        person = persons.get(ident)
        if person is None:
            person = persons[ident] = XmlPerson(ident, line)
        else:
            person.again.append(line)
        if name and name not in person.names:
            person.names.append(name)
        current = person

    def end(tag: str) -> None:
        nonlocal current
        if tag == "person":
            current = None

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(f"{path}: {size:,} bytes is more than the {max_bytes:,} a people XML import reads")
        with path.open("rb") as handle:
            parser.ParseFile(handle)
    except _StopParsingError as stop:
        raise InputError(stop.message) from None
    except expat.ExpatError as exc:
        raise InputError(
            f"{path}:{exc.lineno}: not well-formed XML: {expat.ErrorString(exc.code)} (column {exc.offset + 1})"
        ) from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if not records:
        raise InputError(f"{path}: no <person> elements: is it parlparse's people.xml?")
    return PeopleXml(path, persons, records)


def person_triples(
    people: PeopleXml, name: str, chosen: Iterable[str] | None, problems: Problems
) -> list[tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]]:
    """The triples of the persons ``chosen`` (ids; ``None``: every person), in import ``name``.

    The first name a person is given is their ``foaf:name``; an id given twice keeps its other name
    as an alias, with a warning naming both lines.
    """
    triples: list[tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]] = []
    wanted = people.persons if chosen is None else {i: people.persons[i] for i in chosen if i in people.persons}
    for ident in sorted(wanted):
        person = wanted[ident]
        subject = people.iri(name, ident)
        triples += [(subject, A, _FOAF_PERSON), (subject, A, _PERSON_PERSON), (subject, IDENTIFIER, ox.Literal(ident))]
        for index, label in enumerate(person.names):
            triples.append((subject, ALT_LABEL if index else _FOAF_NAME, ox.Literal(label)))
            triples.append((subject, LABEL, ox.Literal(label)))
        for member in sorted(person.parliament_ids, key=int):
            triples.append((subject, _SKOS_EXACT_MATCH, ox.NamedNode(_PARLIAMENT_PAGE.format(member))))
        for line in person.again:
            problems.warn(
                "duplicate id(s) merged into one resource, every name kept",
                f"{people.path}:{line}: person {ident!r} again (first at line {person.line})",
            )
    return triples


__all__ = ["ROOT", "PeopleXml", "XmlPerson", "is_people_xml", "person_triples", "read_people_xml"]
