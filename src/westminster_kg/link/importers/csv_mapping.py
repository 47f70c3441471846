"""CSV rows as triples, by a column mapping (TOML or JSON): see ``CsvMapping``."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox
from rdflib.namespace import RDF, XSD

from westminster_kg.errors import InputError
from westminster_kg.link.linkset import ANY_IRI
from westminster_kg.namespaces import PREFIXES, curie

_IRI_SCHEMES = {"http", "https", "urn", "tag", "mailto", "file", "ftp", "did", "info", "doi", "ark"}
_DATE = re.compile(r"^-?\d{4}-\d{2}-\d{2}$")
_LANG = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")  # BCP 47's shape
_CHECKS: dict[str, Any] = {
    str(XSD.integer): lambda v: re.fullmatch(r"[+-]?\d+", v) is not None,
    str(XSD.decimal): lambda v: re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", v) is not None,
    str(XSD.double): lambda v: _is_float(v),
    str(XSD.boolean): lambda v: v in ("true", "false", "1", "0"),
    str(XSD.date): lambda v: _is_date(v),
    str(XSD.dateTime): lambda v: _is_datetime(v),
    str(XSD.gYear): lambda v: re.fullmatch(r"-?\d{4}", v) is not None,
    str(XSD.anyURI): lambda v: ANY_IRI.match(v) is not None,
}


def _is_float(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _is_date(value: str) -> bool:
    if not _DATE.match(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_datetime(value: str) -> bool:
    try:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return "T" in value


@dataclass(frozen=True)
class PropertyMapping:
    """One object per row: from a ``column`` or a ``template``, as an IRI or a (typed) literal."""

    predicate: str
    column: str | None = None
    template: str | None = None
    iri: bool = False
    datatype: str | None = None
    lang: str | None = None
    required: bool = False


@dataclass(frozen=True)
class ResourceMapping:
    """One resource per row: its IRI template, classes and properties."""

    subject: str
    classes: tuple[str, ...]
    properties: tuple[PropertyMapping, ...]


@dataclass(frozen=True)
class CsvMapping:
    """How CSV rows become triples. TOML (or the same structure as JSON)::

    [prefixes]                       # besides the standard ones (rdfs, org, schema, ...)
    ex = "https://example.org/ministers/"

    [[resources]]                    # one or more resources per row
    subject = "ex:appointment/{id}"  # {column} is replaced by the cell, percent-encoded
    class = "org:Membership"         # or a list

    [[resources.properties]]
    predicate = "org:organization"
    template = "urn:uuid:{organisation_id}"
    iri = true                       # an IRI object; otherwise a literal
    [[resources.properties]]
    predicate = "schema:startDate"
    column = "start_date"
    datatype = "xsd:date"            # checked per cell; or lang = "en"
    required = true                  # an empty cell is an error (otherwise it is skipped)
    """

    path: Path
    prefixes: dict[str, str]
    resources: tuple[ResourceMapping, ...]

    @classmethod
    def load(cls, path: Path) -> CsvMapping:
        """Read and check a mapping file; errors name the file (and line for TOML syntax)."""
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{path}: cannot read the mapping: {exc.strerror or exc}") from None
        if path.suffix.lower() == ".json":
            try:
                raw = json.loads(text)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}:{exc.lineno}: {exc.msg}") from None
        else:
            import tomllib

            try:
                raw = tomllib.loads(text)
            except tomllib.TOMLDecodeError as exc:
                line = re.search(r"line (\d+)", str(exc))
                where = f"{path}:{line.group(1)}" if line else str(path)
                raise InputError(f"{where}: {str(exc).split(' (at line')[0]}") from None
        return cls._from_dict(path, raw)

    @classmethod
    def _from_dict(cls, path: Path, raw: Any) -> CsvMapping:
        def fail(message: str) -> InputError:
            return InputError(f"{path}: {message}")

        if not isinstance(raw, dict) or not isinstance(raw.get("resources"), list) or not raw["resources"]:
            raise fail("the mapping needs at least one [[resources]] entry with a subject template")
        prefixes = dict(PREFIXES)
        for key, value in (raw.get("prefixes") or {}).items():
            if not isinstance(value, str) or not ANY_IRI.match(value):
                raise fail(f"prefix {key!r} must map to an IRI")
            prefixes[key] = value
        mapping = cls(path, prefixes, ())
        resources = []
        for number, entry in enumerate(raw["resources"], start=1):
            where = f"resources #{number}"
            if not isinstance(entry, dict) or not isinstance(entry.get("subject"), str):
                raise fail(f'{where}: needs subject = "...{{column}}..."')
            classes = entry.get("class", [])
            classes = [classes] if isinstance(classes, str) else list(classes)
            properties = []
            for index, prop in enumerate(entry.get("properties", []), start=1):
                here = f"{where}, property #{index}"
                if not isinstance(prop, dict) or not isinstance(prop.get("predicate"), str):
                    raise fail(f'{here}: needs predicate = "prefix:name"')
                if ("column" in prop) == ("template" in prop):
                    raise fail(f"{here}: give exactly one of column or template")
                if prop.get("iri") and (prop.get("datatype") or prop.get("lang")):
                    raise fail(f"{here}: an IRI object takes no datatype or lang")
                if prop.get("lang") is not None and not _LANG.match(str(prop.get("lang"))):
                    raise fail(f"{here}: lang {prop.get('lang')!r} is not a language tag (e.g. en, en-GB)")
                properties.append(
                    PropertyMapping(
                        predicate=mapping.expand(prop["predicate"], here),
                        column=prop.get("column"),
                        template=prop.get("template"),
                        iri=bool(prop.get("iri", False)),
                        datatype=mapping.expand(prop["datatype"], here) if prop.get("datatype") else None,
                        lang=prop.get("lang"),
                        required=bool(prop.get("required", False)),
                    )
                )
            resources.append(
                ResourceMapping(entry["subject"], tuple(mapping.expand(c, where) for c in classes), tuple(properties))
            )
        return cls(path, prefixes, tuple(resources))

    def expand(self, text: str, where: str = "") -> str:
        """A CURIE with a known prefix as a full IRI; an IRI as it is."""
        prefix, sep, local = text.partition(":")
        if sep and prefix in self.prefixes and not local.startswith("//"):
            return self.prefixes[prefix] + local
        # A typo in a prefix would otherwise pass as an IRI of an unheard-of scheme ("nope:1").
        if prefix.lower() in _IRI_SCHEMES and ANY_IRI.match(text.replace("{", "").replace("}", "")):
            return text
        raise InputError(
            f"{self.path}: {where}: {text!r} is neither a known prefix:name nor an IRI "
            f"(prefixes: {', '.join(sorted(self.prefixes))})"
        )

    def columns(self) -> set[str]:
        """Every column the mapping reads."""
        used = set()
        for resource in self.resources:
            used |= set(re.findall(r"\{([^{}]+)\}", resource.subject))
            for prop in resource.properties:
                if prop.column:
                    used.add(prop.column)
                if prop.template:
                    used |= set(re.findall(r"\{([^{}]+)\}", prop.template))
        return used

    def triples(self, csv_path: Path) -> Iterator[tuple[ox.NamedNode, ox.NamedNode, Any]]:
        """Every row as triples, read a row at a time; the first bad cell raises an ``InputError`` naming row
        and column."""
        try:
            with csv_path.open(encoding="utf-8-sig", newline="") as handle:
                reader = csv.DictReader(handle)
                header = reader.fieldnames or []
                missing = sorted(self.columns() - set(header))
                if missing:
                    raise InputError(
                        f"{self.path}: the mapping reads column(s) {', '.join(missing)} that {csv_path.name} "
                        f"lacks (its columns: {', '.join(header) or 'none'})"
                    )
                for number, row in enumerate(reader, start=1):
                    yield from self._row_triples(row, len(header), f"{csv_path}:{reader.line_num}: row {number}")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{csv_path}: cannot read: {exc}") from None

    def _row_triples(
        self, row: dict[str, str], columns: int, where: str
    ) -> Iterator[tuple[ox.NamedNode, ox.NamedNode, Any]]:
        if None in row or any(v is None for v in row.values()):
            raise InputError(f"{where}: {columns} columns expected, the row has a different count")
        for resource in self.resources:
            subject = ox.NamedNode(self._fill(resource.subject, row, where, iri=True))
            for cls in resource.classes:
                yield (subject, ox.NamedNode(str(RDF.type)), ox.NamedNode(cls))
            for prop in resource.properties:
                term = self._object(prop, row, where)
                if term is not None:
                    yield (subject, ox.NamedNode(prop.predicate), term)

    def _fill(self, template: str, row: dict[str, str], where: str, *, iri: bool) -> str:
        def cell(match: re.Match[str]) -> str:
            column = match.group(1)
            value = (row.get(column) or "").strip()
            if not value:
                raise InputError(f"{where}, column {column!r}: empty, but the template {template!r} needs it")
            return quote(value, safe="-._~") if iri else value

        text = re.sub(r"\{([^{}]+)\}", cell, template)
        if iri:
            text = self.expand(text, where)
            if not ANY_IRI.match(text):
                raise InputError(f"{where}: {text!r} is not a valid IRI")
        return text

    def _object(self, prop: PropertyMapping, row: dict[str, str], where: str) -> Any:
        if prop.column is not None:
            value = (row.get(prop.column) or "").strip()
            if not value:
                if prop.required:
                    raise InputError(f"{where}, column {prop.column!r}: empty, but required")
                return None
            if prop.iri:
                iri = self.expand(value, f"{where}, column {prop.column!r}")
                try:
                    return ox.NamedNode(iri)
                except ValueError as exc:
                    raise InputError(f"{where}, column {prop.column!r}: {iri!r} is not an IRI ({exc})") from None
        else:
            assert prop.template is not None
            if not all((row.get(c) or "").strip() for c in re.findall(r"\{([^{}]+)\}", prop.template)):
                if prop.required:
                    raise InputError(f"{where}: the template {prop.template!r} needs a cell that is empty")
                return None
            value = self._fill(prop.template, row, where, iri=prop.iri)
            if prop.iri:
                try:
                    return ox.NamedNode(value)
                except ValueError as exc:
                    raise InputError(f"{where}: {value!r} is not an IRI ({exc})") from None
        if prop.datatype:
            check = _CHECKS.get(prop.datatype)
            if check is not None and not check(value):
                column = f", column {prop.column!r}" if prop.column else ""
                raise InputError(f"{where}{column}: {value!r} is not a valid {curie(prop.datatype)}")
            return ox.Literal(value, datatype=ox.NamedNode(prop.datatype))
        if prop.lang:
            return ox.Literal(value, language=prop.lang)
        return ox.Literal(value)


__all__ = ["CsvMapping", "PropertyMapping", "ResourceMapping"]
