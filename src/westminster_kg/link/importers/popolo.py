"""Popolo JSON (persons, organizations, memberships, posts) as W3C ORG / FOAF / schema.org triples.

Popolo (https://www.popoloproject.com) is how EveryPolitician, TheyWorkForYou's parlparse and Open
Civic Data publish who held which office when. Its files are plain JSON without a ``@context``, so
they are read here, not by the JSON-LD parser. The terms follow Popolo's own JSON-LD contexts
(``popolo-spec/contexts/*.jsonld``) with two departures, both for this project's queries: schema.org
is ``https://schema.org/`` (as everywhere in this graph, Popolo writes ``http:``), and membership
dates are ``schema:startDate``/``schema:endDate`` plus an OWL-Time ``org:memberDuring`` interval
(Popolo: ``schema:validFrom``/``validThrough``). docs/popolo.md has the whole mapping table.

Every resource is minted under the import's own namespace ``https://w3id.org/westminster-kg/import/NAME/``
from its Popolo id, percent-encoded (parlparse ids such as ``uk.org.publicwhip/person/10001`` keep
their slashes as ``%2F``). Errors name the JSON path (``memberships[812].start_date``).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox

from westminster_kg.errors import InputError

IMPORT_BASE = "https://w3id.org/westminster-kg/import/"
POPOLO_KEYS = ("persons", "organizations", "memberships", "posts")
# Bigger files are refused before they are read: a Popolo file of every UK minister since 1979 is
# a few MB; 50 MB of JSON would take Python over a GB of memory to hold.
MAX_BYTES = 40_000_000

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


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


A = _n(_RDF + "type")
LABEL = _n(_RDFS + "label")
PREF_LABEL = _n(_SKOS + "prefLabel")
ALT_LABEL = _n(_SKOS + "altLabel")


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


@dataclass
class PopoloResult:
    """The triples of one Popolo file and what was noticed on the way."""

    triples: list[tuple[Any, Any, Any]]
    warnings: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


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


class _Reader:
    """Walks one Popolo document, minting IRIs and checking values; errors carry the JSON path."""

    def __init__(self, path: Path, name: str) -> None:
        self.path = path
        self.base = IMPORT_BASE + name + "/"
        self.triples: list[tuple[Any, Any, Any]] = []
        self.warnings: list[str] = []
        self.ids: dict[str, dict[str, str]] = {k: {} for k in POPOLO_KEYS}
        self._roles: dict[str, ox.NamedNode] = {}
        self.pending: list[tuple[str, str, str]] = []  # (JSON path, list it must name, id)

    def fail(self, where: str, message: str) -> InputError:
        return InputError(f"{self.path}: {where}: {message}")

    def iri(self, kind: str, ident: str) -> ox.NamedNode:
        # quote(safe="") encodes "/" too: a parlparse id stays one path segment.
        return _n(f"{self.base}{kind}/{quote(ident, safe='')}")

    def add(self, s: Any, p: str | ox.NamedNode, o: Any) -> None:
        self.triples.append((s, _n(p) if isinstance(p, str) else p, o))

    def text(self, item: dict[str, Any], key: str, where: str) -> str | None:
        value = item.get(key)
        if value is None or value == "":
            return None
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise self.fail(f"{where}.{key}", f"expected a string, got {type(value).__name__}")
        return str(value)

    def date(self, item: dict[str, Any], key: str, where: str) -> PartialDate | None:
        value = self.text(item, key, where)
        if value is None:
            return None
        match = _PARTIAL_DATE.match(value.strip())
        if not match:
            raise self.fail(f"{where}.{key}", f"{value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
        parts = [int(p) for p in match.groups() if p is not None]
        try:
            dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
        except ValueError as exc:
            raise self.fail(f"{where}.{key}", f"{value!r} is not a date ({exc})") from None
        return PartialDate(value.strip(), len(parts))

    def dates(self, subject: Any, item: dict[str, Any], where: str, start: str, end: str) -> None:
        """``start_date``/``end_date`` as schema:startDate/endDate (or the given keys' terms)."""
        first = self.date(item, "start_date", where)
        last = self.date(item, "end_date", where)
        if first and last and last.before(first):
            raise self.fail(f"{where}.end_date", f"{last.text} is before start_date {first.text}")
        if first:
            self.add(subject, start, first.literal())
        if last:
            self.add(subject, end, last.literal())

    def ident(self, item: Any, kind: str, index: int) -> str:
        where = f"{kind}[{index}]"
        if not isinstance(item, dict):
            raise self.fail(where, f"expected an object, got {type(item).__name__}")
        ident = self.text(item, "id", where)
        if ident is None:
            raise self.fail(f"{where}.id", "missing: every person, organization, post and membership needs an id")
        if ident in self.ids[kind]:
            raise self.fail(f"{where}.id", f"duplicate id {ident!r} (first at {self.ids[kind][ident]})")
        if ident != ident.strip() or any(c.isspace() for c in ident):
            self.warnings.append(f"{self.path}: {where}.id: {ident!r} contains white space; kept, percent-encoded")
        self.ids[kind][ident] = where
        return ident

    def names(self, subject: Any, item: dict[str, Any], where: str) -> None:
        others = item.get("other_names") or []
        if not isinstance(others, list):
            raise self.fail(f"{where}.other_names", "expected a list")
        for j, other in enumerate(others):
            name = self.text(other, "name", f"{where}.other_names[{j}]") if isinstance(other, dict) else None
            if name:
                self.add(subject, ALT_LABEL, ox.Literal(name))

    def identifiers(self, subject: ox.NamedNode, item: dict[str, Any], where: str, predicate: str) -> None:
        found = item.get("identifiers") or []
        if not isinstance(found, list):
            raise self.fail(f"{where}.identifiers", "expected a list")
        for j, entry in enumerate(found):
            here = f"{where}.identifiers[{j}]"
            if not isinstance(entry, dict):
                raise self.fail(here, "expected an object with scheme and identifier")
            value = self.text(entry, "identifier", here)
            if value is None:
                raise self.fail(f"{here}.identifier", "missing")
            node = _n(f"{subject.value}#identifier-{j}")
            self.add(subject, predicate, node)
            self.add(node, A, _n(_ADMS + "Identifier"))
            self.add(node, _SKOS + "notation", ox.Literal(value))
            scheme = self.text(entry, "scheme", here)
            if scheme:
                self.add(node, _ADMS + "schemeAgency", ox.Literal(scheme))

    def links(self, subject: Any, item: dict[str, Any], where: str) -> None:
        for j, link in enumerate(item.get("links") or []):
            url = self.text(link, "url", f"{where}.links[{j}]") if isinstance(link, dict) else None
            if url and re.match(r"^https?://[^\s<>\"{}|^`\\]+$", url):
                self.add(subject, _RDFS + "seeAlso", _n(url))

    def role(self, label: str) -> ox.NamedNode:
        if label not in self._roles:
            node = self.iri("role", label)
            self._roles[label] = node
            self.add(node, A, _n(_ORG + "Role"))
            self.add(node, LABEL, ox.Literal(label))
        return self._roles[label]

    def each(self, data: dict[str, Any], kind: str, read: Callable[[dict[str, Any], str, str], None]) -> None:
        items = data.get(kind) or []
        if not isinstance(items, list):
            raise self.fail(kind, f"expected a list, got {type(items).__name__}")
        for index, item in enumerate(items):
            read(item, self.ident(item, kind, index), f"{kind}[{index}]")

    # --- the four kinds of record -------------------------------------------------------------

    def person(self, item: dict[str, Any], ident: str, where: str) -> None:
        s = self.iri("person", ident)
        self.add(s, A, _n(_FOAF + "Person"))
        self.add(s, A, _n(_PERSON + "Person"))
        name = self.text(item, "name", where)
        if name:
            self.add(s, _FOAF + "name", ox.Literal(name))
            self.add(s, LABEL, ox.Literal(name))
        for key, term in (
            ("given_name", _FOAF + "givenName"),
            ("family_name", _FOAF + "familyName"),
            ("sort_name", "http://www.w3.org/2000/10/swap/pim/contact#sortName"),
            ("gender", _FOAF + "gender"),
            ("honorific_prefix", _SCHEMA + "honorificPrefix"),
        ):
            value = self.text(item, key, where)
            if value:
                self.add(s, term, ox.Literal(value))
        born, died = self.date(item, "birth_date", where), self.date(item, "death_date", where)
        if born and died and died.before(born):
            raise self.fail(f"{where}.death_date", f"{died.text} is before birth_date {born.text}")
        if born:
            self.add(s, _SCHEMA + "birthDate", born.literal())
        if died:
            self.add(s, _SCHEMA + "deathDate", died.literal())
        self.names(s, item, where)
        self.identifiers(s, item, where, _ADMS + "identifier")
        self.links(s, item, where)

    def organization(self, item: dict[str, Any], ident: str, where: str) -> None:
        s = self.iri("organization", ident)
        self.add(s, A, _n(_ORG + "Organization"))
        name = self.text(item, "name", where)
        if name:
            self.add(s, PREF_LABEL, ox.Literal(name))
            self.add(s, LABEL, ox.Literal(name))
        classification = self.text(item, "classification", where)
        if classification:
            self.add(s, _DCTERMS + "type", ox.Literal(classification))
        founded, dissolved = self.date(item, "founding_date", where), self.date(item, "dissolution_date", where)
        if founded and dissolved and dissolved.before(founded):
            raise self.fail(f"{where}.dissolution_date", f"{dissolved.text} is before founding_date {founded.text}")
        if founded:
            self.add(s, _SCHEMA + "foundingDate", founded.literal())
        if dissolved:
            self.add(s, _SCHEMA + "dissolutionDate", dissolved.literal())
        self.names(s, item, where)
        self.identifiers(s, item, where, _ORG + "identifier")
        self.links(s, item, where)

    def post(self, item: dict[str, Any], ident: str, where: str) -> None:
        s = self.iri("post", ident)
        self.add(s, A, _n(_ORG + "Post"))
        label = self.text(item, "label", where)
        if label:
            self.add(s, PREF_LABEL, ox.Literal(label))
            self.add(s, LABEL, ox.Literal(label))
        role = self.text(item, "role", where)
        if role:
            self.add(s, _ORG + "role", self.role(role))
        self.reference(s, item, where, "organization_id", "organizations", "organization", _ORG + "postIn")
        self.dates(s, item, where, _SCHEMA + "startDate", _SCHEMA + "endDate")

    def membership(self, item: dict[str, Any], ident: str, where: str) -> None:
        s = self.iri("membership", ident)
        self.add(s, A, _n(_ORG + "Membership"))
        self.reference(s, item, where, "person_id", "persons", "person", _ORG + "member", required=True)
        self.reference(s, item, where, "organization_id", "organizations", "organization", _ORG + "organization")
        self.reference(s, item, where, "post_id", "posts", "post", _OPENGOV + "post")
        self.reference(s, item, where, "on_behalf_of_id", "organizations", "organization", _OPENGOV + "onBehalfOf")
        role = self.text(item, "role", where)
        if role:
            self.add(s, _ORG + "role", self.role(role))
        label = self.text(item, "label", where)
        if label:
            self.add(s, LABEL, ox.Literal(label))
        self.dates(s, item, where, _SCHEMA + "startDate", _SCHEMA + "endDate")
        first, last = self.date(item, "start_date", where), self.date(item, "end_date", where)
        if first or last:
            interval = _n(s.value + "#during")
            self.add(s, _ORG + "memberDuring", interval)
            self.add(interval, A, _n(_TIME + "Interval"))
            for date, end in ((first, "hasBeginning"), (last, "hasEnd")):
                if date:
                    instant = _n(f"{s.value}#{end}")
                    self.add(interval, _TIME + end, instant)
                    self.add(instant, A, _n(_TIME + "Instant"))
                    self.add(instant, _TIME + _TIME_PROPERTY[date.parts], date.literal())

    # References are checked after every list is read, so their order in the file does not matter.
    def reference(
        self,
        s: ox.NamedNode,
        item: dict[str, Any],
        where: str,
        key: str,
        kind: str,
        iri_kind: str,
        predicate: str,
        *,
        required: bool = False,
    ) -> None:
        target = self.text(item, key, where)
        if target is None:
            if required:
                raise self.fail(f"{where}.{key}", "missing")
            return
        self.pending.append((f"{where}.{key}", kind, target))
        self.add(s, predicate, self.iri(iri_kind, target))

    def check_references(self, data: dict[str, Any]) -> None:
        missing: dict[str, list[tuple[str, str]]] = {}
        for where, kind, target in self.pending:
            if target not in self.ids[kind]:
                missing.setdefault(kind, []).append((where, target))
        for kind, found in missing.items():
            where, target = found[0]
            what = f"{len(found)} reference(s) to {kind} not in the file, first {where} = {target!r}"
            if kind == "persons" and not data.get("persons"):
                # parlparse's ministers files name people defined in its people.json: usable as is.
                self.warnings.append(f"{self.path}: {what}; the file has no persons list, so they stay unnamed")
            else:
                raise self.fail(where, f"no {kind[:-1]} {target!r} in {kind} ({what})")


def popolo_triples(path: Path, name: str, data: Any | None = None) -> PopoloResult:
    """Read a Popolo file into triples under ``https://w3id.org/westminster-kg/import/NAME/``.

    Args:
        path: the JSON file (named in every message).
        name: the import's graph name (already checked).
        data: the parsed JSON, when the caller has read it already.

    Returns:
        The triples, warnings (usable oddities such as ids with spaces) and counts per list.

    Raises:
        InputError: naming the JSON path of the first problem; nothing is returned half-read.
    """
    if data is None:
        data = read_json(path)
    if not isinstance(data, dict) or not any(k in data for k in POPOLO_KEYS):
        raise InputError(f"{path}: not Popolo JSON: expected an object with {', '.join(POPOLO_KEYS)}")
    reader = _Reader(path, name)
    reader.each(data, "persons", reader.person)
    reader.each(data, "organizations", reader.organization)
    reader.each(data, "posts", reader.post)
    reader.each(data, "memberships", reader.membership)
    reader.check_references(data)
    counts = {kind: len(reader.ids[kind]) for kind in POPOLO_KEYS}
    return PopoloResult(reader.triples, reader.warnings, counts)


def not_jsonld_message(path: Path) -> str:
    """The one line for plain JSON that is neither JSON-LD nor Popolo."""
    return (
        f"{path}: plain JSON without @context is not RDF: use --format popolo for Popolo "
        f"({'/'.join(POPOLO_KEYS)}), convert it to CSV and give --mapping, or add a @context to read it as JSON-LD"
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
    "popolo_triples",
    "read_json",
]
