"""Popolo JSON (persons, organizations, memberships, posts) as W3C ORG / FOAF / schema.org triples.

Popolo (https://www.popoloproject.com) is how EveryPolitician, TheyWorkForYou's parlparse and Open
Civic Data publish who held which office when. Its files are plain JSON without a ``@context``, so
they are read here, not by the JSON-LD parser. The terms follow Popolo's own JSON-LD contexts
(``popolo-spec/contexts/*.jsonld``) with two departures, both for this project's queries: schema.org
is ``https://schema.org/`` (as everywhere in this graph, Popolo writes ``http:``), and membership
dates are ``schema:startDate``/``schema:endDate`` plus an OWL-Time ``org:memberDuring`` interval
(Popolo: ``schema:validFrom``/``validThrough``). docs/popolo.md has the whole mapping table.

Files are taken as published: an id given twice becomes one resource with every name kept, a
record that cannot be read is left out and listed (``Problems``), people may come from another file
(parlparse keeps them in ``people.json``, with their names in a ``names`` list). Every resource is
minted under the import's own namespace ``https://w3id.org/westminster-kg/import/NAME/`` from its
Popolo id, percent-encoded (``uk.org.publicwhip/person/10001`` keeps its slashes as ``%2F``).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox

from westminster_kg.errors import InputError
from westminster_kg.link.importers.problems import Problems

IMPORT_BASE = "https://w3id.org/westminster-kg/import/"
POPOLO_KEYS = ("persons", "organizations", "memberships", "posts")
# Bigger files are refused before they are read: a Popolo file of every UK minister since 1979 is
# a few MB; 50 MB of JSON would take Python over a GB of memory to hold.
MAX_BYTES = 40_000_000
# An id or name longer than this is not an id or a name; it is refused rather than minted into an IRI.
MAX_TEXT = 2_000

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_ORG = "http://www.w3.org/ns/org#"
_FOAF = "http://xmlns.com/foaf/0.1/"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_SCHEMA = "https://schema.org/"
_TIME = "http://www.w3.org/2006/time#"
_OPENGOV = "http://www.w3.org/ns/opengov#"
_PERSON = "http://www.w3.org/ns/person#"
_ADMS = "http://www.w3.org/ns/adms#"
_DCTERMS = "http://purl.org/dc/terms/"

_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_DATE_TYPES = {1: "gYear", 2: "gYearMonth", 3: "date"}
_TIME_PROPERTY = {1: "inXSDgYear", 2: "inXSDgYearMonth", 3: "inXSDDate"}


@lru_cache(maxsize=1 << 16)
def quote_id(value: str, safe: str = "") -> str:
    """``urllib.parse.quote(value, safe=safe)``, kept: a file names the same ids on many rows."""
    return quote(value, safe=safe)


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


A = _n(_RDF + "type")
LABEL = _n(_RDFS + "label")
PREF_LABEL = _n(_SKOS + "prefLabel")
ALT_LABEL = _n(_SKOS + "altLabel")
IDENTIFIER = _n(_DCTERMS + "identifier")


class UnreadableRecordError(Exception):
    """A record that cannot be read, with where and why (caught per record, see ``Problems.skip``)."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where, self.message = where, message


@dataclass(frozen=True)
class PartialDate:
    """A Popolo date: ``2001``, ``2001-06`` or ``2001-06-30``."""

    text: str
    parts: int  # 1, 2 or 3

    def literal(self) -> ox.Literal:
        """``xsd:gYear``, ``xsd:gYearMonth`` or ``xsd:date``."""
        return ox.Literal(self.text, datatype=_n(_XSD + _DATE_TYPES[self.parts]))

    def before(self, other: PartialDate) -> bool:
        """Certainly earlier than ``other`` (compared at the coarser of the two precisions)."""
        width = min(len(self.text), len(other.text))
        return self.text[:width] < other.text[:width]


def partial_date(value: str) -> PartialDate | None:
    """``value`` as a partial date (``1997``, ``1997-05``, ``1997-05-02``), or ``None`` if it is none."""
    match = _PARTIAL_DATE.match(value.strip())
    if not match:
        return None
    parts = [int(p) for p in match.groups() if p is not None]
    try:
        dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        return None
    return PartialDate(value.strip(), len(parts))


@dataclass
class PopoloResult:
    """The triples of one Popolo file and what was noticed on the way."""

    triples: list[tuple[Any, Any, Any]]
    warnings: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    person_ids: set[str] = field(default_factory=set)
    referenced_persons: set[str] = field(default_factory=set)
    redirects: dict[str, str] = field(default_factory=dict)  # parlparse: old person id → the id it now is


def looks_like_popolo(data: Any) -> bool:
    """A JSON object without ``@context`` holding at least one of Popolo's top-level lists."""
    return isinstance(data, dict) and "@context" not in data and any(isinstance(data.get(k), list) for k in POPOLO_KEYS)


def looks_like_jsonld(data: Any) -> bool:
    """Whether plain JSON could mean anything as JSON-LD (a ``@context`` or ``@``-keywords)."""
    if isinstance(data, dict):
        return any(key.startswith("@") for key in data)
    if isinstance(data, list):
        return any(isinstance(item, dict) and any(k.startswith("@") for k in item) for item in data)
    return False


def read_json(path: Path, *, max_bytes: int = MAX_BYTES) -> Any:
    """The parsed JSON of ``path``; too big, unreadable or malformed files raise ``InputError``."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(
                f"{path}: {size:,} bytes is more than the {max_bytes:,} a JSON import reads; "
                "split the file (e.g. one per parliament) and import each under its own --graph"
            )
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}: not JSON: {exc.msg} (column {exc.colno})") from None
    except RecursionError:
        raise InputError(f"{path}: JSON nested too deeply to read (Popolo needs four levels at most)") from None
    except ValueError as exc:  # Python's guard against huge integers: "Exceeds the limit (4300 digits)"
        raise InputError(f"{path}: a number in the JSON is too long to read ({str(exc).split(';')[0]})") from None


class _Reader:
    """Walks one Popolo document, minting IRIs and checking values; errors carry the JSON path."""

    def __init__(
        self,
        path: Path,
        name: str,
        problems: Problems,
        known_persons: Iterable[str] = (),
        redirects: dict[str, str] | None = None,
    ) -> None:
        self.path = path
        self.base = IMPORT_BASE + name + "/"
        self.problems = problems
        self.triples: list[tuple[Any, Any, Any]] = []
        self.ids: dict[str, dict[str, str]] = {k: {} for k in POPOLO_KEYS}
        self.read: dict[str, int] = dict.fromkeys(POPOLO_KEYS, 0)  # records read, duplicates included
        self.names: dict[tuple[str, str], set[str]] = {}
        self.known_persons = set(known_persons)
        self.redirects: dict[str, str] = dict(redirects or {})
        self._roles: dict[str, ox.NamedNode] = {}
        self.pending: list[tuple[str, str, str]] = []  # (JSON path, list it must name, id)
        self.duplicate = False  # the record being read repeats an id already read

    def where(self, path: str) -> str:
        return f"{self.path}: {path}"

    def iri(self, kind: str, ident: str) -> ox.NamedNode:
        # quote(safe="") encodes "/" too: a parlparse id stays one path segment.
        return _n(f"{self.base}{kind}/{quote_id(ident)}")

    def add(self, s: Any, p: str | ox.NamedNode, o: Any) -> None:
        self.triples.append((s, _n(p) if isinstance(p, str) else p, o))

    def text(self, item: dict[str, Any], key: str, where: str) -> str | None:
        value = item.get(key)
        if value is None or value == "":
            return None
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise UnreadableRecordError(f"{where}.{key}", f"expected a string, got {type(value).__name__}")
        text = str(value)
        if len(text) > MAX_TEXT:
            raise UnreadableRecordError(
                f"{where}.{key}", f"{len(text):,} characters: more than the {MAX_TEXT:,} a value may have"
            )
        return text

    def date(self, item: dict[str, Any], key: str, where: str) -> PartialDate | None:
        value = self.text(item, key, where)
        if value is None:
            return None
        found = partial_date(value)
        if found is None:
            raise UnreadableRecordError(f"{where}.{key}", f"{value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
        if found.parts < 3:
            self.problems.warn(
                "partial date(s) kept at their precision (a year or a month) and compared at it",
                f"{self.where(where)}.{key}: {value!r}",
            )
        return found

    def dated(self, item: dict[str, Any], where: str, first: str, last: str) -> tuple[PartialDate | None, ...]:
        start, end = self.date(item, first, where), self.date(item, last, where)
        if start and end and end.before(start):
            raise UnreadableRecordError(f"{where}.{last}", f"{end.text} is before {first} {start.text}")
        return start, end

    def ident(self, item: Any, kind: str, index: int) -> str:
        where = f"{kind}[{index}]"
        if not isinstance(item, dict):
            raise UnreadableRecordError(where, f"expected an object, got {type(item).__name__}")
        ident = self.text(item, "id", where)
        if ident is None:
            raise UnreadableRecordError(
                f"{where}.id", "missing: every person, organization, post and membership needs an id"
            )
        self.duplicate = ident in self.ids[kind]
        if self.duplicate:
            self.problems.warn(
                "duplicate id(s) merged into one resource, every name kept",
                f"{self.where(where)}.id: {ident!r} again (first at {self.ids[kind][ident]})",
            )
        elif ident != ident.strip() or any(c.isspace() for c in ident):
            self.problems.warn("id(s) with white space kept, percent-encoded", f"{self.where(where)}.id: {ident!r}")
        self.ids[kind].setdefault(ident, where)
        return ident

    def name(self, subject: ox.NamedNode, kind: str, ident: str, name: str, *predicates: str) -> None:
        """The first name of a resource under ``predicates``; a different later one becomes an alias."""
        seen = self.names.setdefault((kind, ident), set())
        if name in seen:
            return
        if seen:
            self.add(subject, ALT_LABEL, ox.Literal(name))
        else:
            for predicate in predicates:
                self.add(subject, predicate, ox.Literal(name))
        self.add(subject, LABEL, ox.Literal(name))
        seen.add(name)

    def optional_list(self, item: dict[str, Any], key: str, where: str) -> list[Any]:
        """A list-valued field; anything else is left out with a warning (the record is kept)."""
        value = item.get(key)
        if value is None:
            return []
        if isinstance(value, list):
            return value
        self.problems.warn(
            "malformed optional field(s) left out", f"{self.where(where)}.{key}: expected a list, got {value!r:.40}"
        )
        return []

    def other_names(self, subject: Any, item: dict[str, Any], where: str) -> None:
        for j, other in enumerate(self.optional_list(item, "other_names", where)):
            name = self.text(other, "name", f"{where}.other_names[{j}]") if isinstance(other, dict) else None
            if name:
                self.add(subject, ALT_LABEL, ox.Literal(name))
                self.add(subject, LABEL, ox.Literal(name))

    def identifiers(self, subject: ox.NamedNode, item: dict[str, Any], where: str, predicate: str) -> None:
        for j, entry in enumerate(self.optional_list(item, "identifiers", where)):
            here = f"{where}.identifiers[{j}]"
            value = self.text(entry, "identifier", here) if isinstance(entry, dict) else None
            if value is None:
                self.problems.warn("malformed optional field(s) left out", f"{self.where(here)}: no identifier")
                continue
            node = _n(f"{subject.value}#identifier-{quote_id(value)}")
            self.add(subject, predicate, node)
            self.add(node, A, _n(_ADMS + "Identifier"))
            self.add(node, _SKOS + "notation", ox.Literal(value))
            scheme = self.text(entry, "scheme", here)
            if scheme:
                self.add(node, _ADMS + "schemeAgency", ox.Literal(scheme))

    def links(self, subject: Any, item: dict[str, Any], where: str) -> None:
        for j, link in enumerate(self.optional_list(item, "links", where)):
            url = self.text(link, "url", f"{where}.links[{j}]") if isinstance(link, dict) else None
            try:
                target = _n(url) if url and re.match(r"^https?://[^\s<>\"{}|^`\\]+$", url) else None
            except ValueError:
                target = None
            if target is None:
                self.problems.warn(
                    "malformed optional field(s) left out", f"{self.where(where)}.links[{j}]: not a web address"
                )
            else:
                self.add(subject, _RDFS + "seeAlso", target)

    def role(self, label: str) -> ox.NamedNode:
        if label not in self._roles:
            node = self.iri("role", label)
            self._roles[label] = node
            self.add(node, A, _n(_ORG + "Role"))
            self.add(node, LABEL, ox.Literal(label))
        return self._roles[label]

    def each(self, data: dict[str, Any], kind: str, read: Callable[[dict[str, Any], str, str], None]) -> None:
        items = data.get(kind)
        items = [] if items is None else items
        if not isinstance(items, list):
            raise InputError(f"{self.where(kind)}: expected a list, got {type(items).__name__}")
        for index, item in enumerate(items):
            mark, pending, known = len(self.triples), len(self.pending), set(self.ids[kind])
            try:
                read(item, self.ident(item, kind, index), f"{kind}[{index}]")
                self.read[kind] += 1
            except UnreadableRecordError as problem:
                del self.triples[mark:], self.pending[pending:]  # nothing of a skipped record stays
                for new in set(self.ids[kind]) - known:
                    del self.ids[kind][new]
                self.problems.skip(f"{self.where(problem.where)}: {problem.message}")
            except RecursionError:
                raise InputError(f"{self.where(f'{kind}[{index}]')}: nested too deeply to read") from None

    # --- the four kinds of record -------------------------------------------------------------

    def person(self, item: dict[str, Any], ident: str, where: str) -> None:
        if "redirect" in item and set(item) <= {"id", "redirect"}:
            target = self.text(item, "redirect", where)  # parlparse: an old id that now names another person
            if target:
                self.redirects[ident] = target
            return
        s = self.iri("person", ident)
        born, died = self.dated(item, where, "birth_date", "death_date")
        self.add(s, A, _n(_FOAF + "Person"))
        self.add(s, A, _n(_PERSON + "Person"))
        self.add(s, IDENTIFIER, ox.Literal(ident))
        for name in [self.text(item, "name", where), *self.parlparse_names(item, where)]:
            if name:
                self.name(s, "persons", ident, name, _FOAF + "name")
        for key, term in (
            ("given_name", _FOAF + "givenName"),
            ("family_name", _FOAF + "familyName"),
            ("sort_name", "http://www.w3.org/2000/10/swap/pim/contact#sortName"),
            ("gender", _FOAF + "gender"),
            ("honorific_prefix", _SCHEMA + "honorificPrefix"),
        ):
            value = self.text(item, key, where)
            if value and not self.duplicate:
                self.add(s, term, ox.Literal(value))
        if born:
            self.add(s, _SCHEMA + "birthDate", born.literal())
        if died:
            self.add(s, _SCHEMA + "deathDate", died.literal())
        self.other_names(s, item, where)
        self.identifiers(s, item, where, _ADMS + "identifier")
        self.links(s, item, where)

    def parlparse_names(self, item: dict[str, Any], where: str) -> list[str]:
        """Names from parlparse's ``names`` list: the earliest main name first, then the others."""
        found: list[tuple[int, str, str]] = []
        for j, entry in enumerate(self.optional_list(item, "names", where)):
            here = f"{where}.names[{j}]"
            if not isinstance(entry, dict):
                continue
            parts = [
                self.text(entry, key, here) for key in ("honorific_prefix", "given_name", "lordname", "family_name")
            ]
            name = self.text(entry, "name", here) or " ".join(p for p in parts if p)
            if lordof := self.text(entry, "lordofname", here):
                name = f"{name} of {lordof}"
            if name:
                main = (self.text(entry, "note", here) or "").casefold() == "main"
                found.append((0 if main else 1, self.text(entry, "start_date", here) or "", name))
        # The main name first, and of those the earliest: the name a person held office under in the
        # years this graph is about ("Francis Maude" before "Lord Maude of Horsham").
        found.sort(key=lambda x: (x[0], x[1]))
        return [name for _, _, name in found]

    def organization(self, item: dict[str, Any], ident: str, where: str) -> None:
        s = self.iri("organization", ident)
        founded, dissolved = self.dated(item, where, "founding_date", "dissolution_date")
        self.add(s, A, _n(_ORG + "Organization"))
        self.add(s, IDENTIFIER, ox.Literal(ident))
        name = self.text(item, "name", where)
        if name:
            self.name(s, "organizations", ident, name, PREF_LABEL.value)
        classification = self.text(item, "classification", where)
        if classification:
            self.add(s, _DCTERMS + "type", ox.Literal(classification))
        if founded:
            self.add(s, _SCHEMA + "foundingDate", founded.literal())
        if dissolved:
            self.add(s, _SCHEMA + "dissolutionDate", dissolved.literal())
        self.other_names(s, item, where)
        self.identifiers(s, item, where, _ORG + "identifier")
        self.links(s, item, where)

    def post(self, item: dict[str, Any], ident: str, where: str) -> None:
        s = self.iri("post", ident)
        start, end = self.dated(item, where, "start_date", "end_date")
        self.add(s, A, _n(_ORG + "Post"))
        label = self.text(item, "label", where)
        if label:
            self.name(s, "posts", ident, label, PREF_LABEL.value)
        role = self.text(item, "role", where)
        if role:
            self.add(s, _ORG + "role", self.role(role))
        self.reference(s, item, where, "organization_id", "organizations", "organization", _ORG + "postIn")
        for date, term in ((start, "startDate"), (end, "endDate")):
            if date:
                self.add(s, _SCHEMA + term, date.literal())

    def membership(self, item: dict[str, Any], ident: str, where: str) -> None:
        if self.duplicate:
            raise UnreadableRecordError(f"{where}.id", f"a second membership with id {ident!r}: the first is kept")
        s = self.iri("membership", ident)
        first, last = self.dated(item, where, "start_date", "end_date")
        if self.text(item, "person_id", where) is None:
            raise UnreadableRecordError(f"{where}.person_id", "missing: a membership names its person")
        self.add(s, A, _n(_ORG + "Membership"))
        self.add(s, IDENTIFIER, ox.Literal(ident))
        self.reference(s, item, where, "person_id", "persons", "person", _ORG + "member")
        self.reference(s, item, where, "organization_id", "organizations", "organization", _ORG + "organization")
        self.reference(s, item, where, "post_id", "posts", "post", _OPENGOV + "post")
        self.reference(s, item, where, "on_behalf_of_id", "organizations", "organization", _OPENGOV + "onBehalfOf")
        role = self.text(item, "role", where)
        if role:
            self.add(s, _ORG + "role", self.role(role))
        label = self.text(item, "label", where)
        if label:
            self.add(s, LABEL, ox.Literal(label))
        if first or last:
            interval = _n(s.value + "#during")
            self.add(s, _ORG + "memberDuring", interval)
            self.add(interval, A, _n(_TIME + "Interval"))
        for date, term, end in ((first, "startDate", "hasBeginning"), (last, "endDate", "hasEnd")):
            if date:
                self.add(s, _SCHEMA + term, date.literal())
                instant = _n(f"{s.value}#{end}")
                self.add(_n(s.value + "#during"), _TIME + end, instant)
                self.add(instant, A, _n(_TIME + "Instant"))
                self.add(instant, _TIME + _TIME_PROPERTY[date.parts], date.literal())

    # References are checked after every list is read, so their order in the file does not matter.
    def reference(
        self, s: ox.NamedNode, item: dict[str, Any], where: str, key: str, kind: str, iri_kind: str, predicate: str
    ) -> None:
        target = self.text(item, key, where)
        if target is None:
            return
        self.pending.append((f"{where}.{key}", kind, target))
        self.add(s, predicate, (kind, iri_kind, target))  # resolved in check_references (redirects)

    def check_references(self, data: dict[str, Any]) -> set[str]:
        """Resolve references (through parlparse's redirects); missing targets are warnings. Returns the
        person ids the memberships name."""
        missing: dict[str, list[tuple[str, str]]] = {}
        persons: set[str] = set()
        for where, kind, target in self.pending:
            target = self.redirects.get(target, target)
            if kind == "persons":
                persons.add(target)
            if target not in self.ids[kind] and not (kind == "persons" and target in self.known_persons):
                missing.setdefault(kind, []).append((where, target))
        self.triples = [
            (s, p, self.iri(o[1], self.redirects.get(o[2], o[2])) if isinstance(o, tuple) else o)
            for s, p, o in self.triples
        ]
        for kind, found in missing.items():
            where, target = found[0]
            unnamed = ", so they stay unnamed (give their file with --persons)" if kind == "persons" else ""
            if kind == "persons" and not data.get("persons") and not self.known_persons:
                unnamed = "; the file has no persons list" + unnamed
            self.problems.warn(
                f"reference(s) to {kind} not in the import{unnamed}", f"{self.where(where)} = {target!r}", len(found)
            )
        return persons


def popolo_triples(
    path: Path,
    name: str,
    data: Any | None = None,
    *,
    problems: Problems | None = None,
    known_persons: Iterable[str] = (),
    redirects: dict[str, str] | None = None,
) -> PopoloResult:
    """Read a Popolo file into triples under ``https://w3id.org/westminster-kg/import/NAME/``.

    Args:
        path: the JSON file (named in every message).
        name: the import's graph name (already checked).
        data: the parsed JSON, when the caller has read it already.
        problems: where skipped records and warnings go (``strict`` makes the first skip fatal).
        known_persons: person ids defined by another file of the same import (``--persons``).
        redirects: old person ids that another file of the import says now name other persons.

    Returns:
        The triples, warnings (usable oddities such as ids with spaces) and counts per list.

    Raises:
        InputError: malformed JSON, or (``strict``) the first unreadable record, naming its JSON path.
    """
    if data is None:
        data = read_json(path)
    if not isinstance(data, dict) or not any(k in data for k in POPOLO_KEYS):
        raise InputError(f"{path}: not Popolo JSON: expected an object with {', '.join(POPOLO_KEYS)}")
    problems = problems if problems is not None else Problems()
    reader = _Reader(path, name, problems, known_persons, redirects)
    reader.each(data, "persons", reader.person)
    reader.each(data, "organizations", reader.organization)
    reader.each(data, "posts", reader.post)
    reader.each(data, "memberships", reader.membership)
    referenced = reader.check_references(data)
    counts = {kind: len(reader.ids[kind]) for kind in POPOLO_KEYS}
    if not reader.read["memberships"] and data.get("memberships"):
        first = problems.skipped[0] if problems.skipped else ""
        raise InputError(f"{path}: none of its {len(data['memberships']):,} memberships could be read (first: {first})")
    found = set(reader.ids["persons"])
    return PopoloResult(reader.triples, problems.lines(), counts, found, referenced, reader.redirects)


def not_jsonld_message(path: Path) -> str:
    """The one line for plain JSON that is neither JSON-LD nor Popolo."""
    return (
        f"{path}: plain JSON without @context is not RDF: use --format popolo for Popolo "
        f"({'/'.join(POPOLO_KEYS)}), convert it to CSV (well-known columns need no --mapping), "
        "or add a @context to read it as JSON-LD"
    )


__all__ = [
    "IMPORT_BASE",
    "MAX_BYTES",
    "POPOLO_KEYS",
    "PartialDate",
    "PopoloResult",
    "looks_like_jsonld",
    "looks_like_popolo",
    "not_jsonld_message",
    "partial_date",
    "popolo_triples",
    "quote_id",
    "read_json",
]
