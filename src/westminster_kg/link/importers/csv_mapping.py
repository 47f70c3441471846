"""CSV rows as triples, by a column mapping (TOML or JSON): see ``CsvMapping``.

The mapping is either written by hand or proposed by ``csv_columns`` from a header of well-known
column names (and written beside the import for review). A row that cannot be read (a date no
calendar knows, a cell an IRI cannot hold) is left out and listed; ``--strict`` makes it the error.
A malformed mapping, a missing or repeated column, or a cell over the CSV reader's limit stops the
import with one line naming the file and where.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib.namespace import RDF, SKOS, XSD

from westminster_kg.errors import InputError
from westminster_kg.link.importers.popolo import IMPORT_BASE, partial_date, quote_id
from westminster_kg.link.importers.problems import Problems
from westminster_kg.link.linkset import ANY_IRI
from westminster_kg.namespaces import PREFIXES, curie

_IRI_SCHEMES = {"http", "https", "urn", "tag", "mailto", "file", "ftp", "did", "info", "doi", "ark"}
_DATE = re.compile(r"^-?\d{4}-\d{2}-\d{2}$")
_LANG = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")  # BCP 47's shape
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
# Placeholders that are not columns: the row's number and the CSV file's stem.
ROW, FILE = "_row", "_file"
# A cell over Python's csv field limit (128 KiB) stops the reader; it is named rather than raised.
CELL_LIMIT = csv.field_size_limit()
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
_OPTIONS = {"predicate", "column", "template", "iri", "datatype", "lang", "required", "partial_date"}
_OPTIONS |= {"whole_number", "first_only"}


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


class RowError(InputError):
    """One row cannot be read: left out and listed (``Problems.skip``), fatal only with ``--strict``."""


@dataclass(frozen=True)
class PropertyMapping:
    """One object per row: from a ``column`` or a ``template``, as an IRI or a (typed) literal.

    ``partial_date``: the cell is ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (xsd:gYear, gYearMonth,
    date). ``whole_number``: a spreadsheet's ``500.0`` is read as ``500``. ``first_only``: the first
    value a resource gets is kept; a different one on a later row becomes a ``skos:altLabel`` (a
    person whose name changed, named twice) and is reported.
    """

    predicate: str
    column: str | None = None
    template: str | None = None
    iri: bool = False
    datatype: str | None = None
    lang: str | None = None
    required: bool = False
    partial_date: bool = False
    whole_number: bool = False
    first_only: bool = False


@dataclass(frozen=True)
class ResourceMapping:
    """One resource per row: its IRI template, classes and properties."""

    subject: str
    classes: tuple[str, ...]
    properties: tuple[PropertyMapping, ...]


@dataclass
class _Seen:
    """First values of ``first_only`` properties, by (subject, predicate): (value, row)."""

    first: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    renamed: set[str] = field(default_factory=set)  # subjects already reported


@dataclass(frozen=True)
class CsvMapping:
    """How CSV rows become triples. TOML (or the same structure as JSON)::

    [prefixes]                       # besides the standard ones (rdfs, org, schema, ...)
    ex = "https://example.org/ministers/"

    [[resources]]                    # one or more resources per row
    subject = "ex:appointment/{id}"  # {column} is replaced by the cell, percent-encoded;
                                     # {_row} by the row's number, {_file} by the file's stem
    class = "org:Membership"         # or a list

    [[resources.properties]]
    predicate = "org:organization"
    template = "urn:uuid:{organisation_id}"
    iri = true                       # an IRI object; otherwise a literal
    [[resources.properties]]
    predicate = "schema:startDate"
    column = "start_date"
    datatype = "xsd:date"            # checked per cell; or lang = "en"; or partial_date = true
    required = true                  # an empty cell is an error (otherwise it is skipped)

    The prefix ``import:`` is the import's own namespace (``.../import/NAME/``), so a mapping can be
    reused under another ``--graph``.
    """

    path: Path
    prefixes: dict[str, str]
    resources: tuple[ResourceMapping, ...]

    @classmethod
    def load(cls, path: Path, import_name: str | None = None) -> CsvMapping:
        """Read and check a mapping file; errors name the file (and line for TOML syntax)."""
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"{path}: the mapping is not UTF-8 text (byte {exc.start})") from None
        except OSError as exc:
            raise InputError(f"{path}: cannot read the mapping: {exc.strerror or exc}") from None
        if path.suffix.lower() == ".json":
            try:
                raw = json.loads(text)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}:{exc.lineno}: {exc.msg}") from None
            except (RecursionError, ValueError):
                raise InputError(f"{path}: the mapping's JSON is nested too deeply or has a number too long") from None
        else:
            import tomllib

            try:
                raw = tomllib.loads(text)
            except tomllib.TOMLDecodeError as exc:
                line = re.search(r"line (\d+)", str(exc))
                where = f"{path}:{line.group(1)}" if line else str(path)
                raise InputError(f"{where}: {str(exc).split(' (at line')[0]}") from None
            except RecursionError:
                raise InputError(f"{path}: the mapping is nested too deeply") from None
        return cls.from_dict(path, raw, import_name)

    @classmethod
    def from_dict(cls, path: Path, raw: Any, import_name: str | None = None) -> CsvMapping:
        """A mapping from its parsed TOML/JSON structure; every problem is an ``InputError`` naming ``path``."""

        def fail(message: str) -> InputError:
            return InputError(f"{path}: {message}")

        if not isinstance(raw, dict) or not isinstance(raw.get("resources"), list) or not raw["resources"]:
            raise fail("the mapping needs at least one [[resources]] entry with a subject template")
        declared = raw.get("prefixes") or {}
        if not isinstance(declared, dict):
            raise fail("[prefixes] must be a table of prefix = IRI")
        prefixes = dict(PREFIXES)
        if import_name is not None:
            prefixes["import"] = f"{IMPORT_BASE}{import_name}/"
        for key, value in declared.items():
            if not isinstance(value, str) or not ANY_IRI.match(value):
                raise fail(f"prefix {key!r} must map to an IRI")
            prefixes[key] = value
        mapping = cls(path, prefixes, ())
        resources = [mapping._resource(entry, number) for number, entry in enumerate(raw["resources"], start=1)]
        return cls(path, prefixes, tuple(resources))

    def _resource(self, entry: Any, number: int) -> ResourceMapping:
        where = f"resources #{number}"
        if not isinstance(entry, dict) or not isinstance(entry.get("subject"), str):
            raise InputError(f'{self.path}: {where}: needs subject = "...{{column}}..."')
        classes = entry.get("class", [])
        classes = [classes] if isinstance(classes, str) else classes
        if not isinstance(classes, list) or not all(isinstance(c, str) for c in classes):
            raise InputError(f"{self.path}: {where}: class must be a CURIE or a list of them")
        properties = entry.get("properties", [])
        if not isinstance(properties, list):
            raise InputError(f"{self.path}: {where}: properties must be a list of [[resources.properties]]")
        found = tuple(self._property(prop, f"{where}, property #{i}") for i, prop in enumerate(properties, start=1))
        self._check_template(entry["subject"], f"{where}, subject")
        return ResourceMapping(entry["subject"], tuple(self.expand(c, where) for c in classes), found)

    def _check_template(self, template: str, where: str) -> None:
        """A template's prefix and shape are the mapping's to get right, not each row's: checked once."""
        try:
            sample = self.expand(_PLACEHOLDER.sub("x", template), where)
        except InputError:
            raise InputError(
                f"{self.path}: {where}: {template[:200]!r} is neither a known prefix:name nor an IRI "
                f"(prefixes: {', '.join(sorted(self.prefixes))})"
            ) from None
        try:
            if not ANY_IRI.match(sample):
                raise ValueError("not of the form scheme:rest")
            ox.NamedNode(sample)
        except ValueError as exc:
            raise InputError(f"{self.path}: {where}: {template[:200]!r} does not make an IRI ({exc})") from None

    def _property(self, prop: Any, here: str) -> PropertyMapping:
        def fail(message: str) -> InputError:
            return InputError(f"{self.path}: {here}: {message}")

        if not isinstance(prop, dict) or not isinstance(prop.get("predicate"), str):
            raise fail('needs predicate = "prefix:name"')
        if unknown := sorted(set(prop) - _OPTIONS):
            raise fail(f"unknown key(s) {', '.join(unknown)} (known: {', '.join(sorted(_OPTIONS))})")
        if ("column" in prop) == ("template" in prop):
            raise fail("give exactly one of column or template")
        for key in ("column", "template", "datatype", "lang"):
            if key in prop and not isinstance(prop[key], str):
                raise fail(f"{key} must be a string, not {type(prop[key]).__name__}")
        for key in ("iri", "required", "partial_date", "whole_number", "first_only"):
            if key in prop and not isinstance(prop[key], bool):
                raise fail(f"{key} must be true or false, not {prop[key]!r}")
        if prop.get("iri") and (prop.get("datatype") or prop.get("lang") or prop.get("partial_date")):
            raise fail("an IRI object takes no datatype, lang or partial_date")
        if prop.get("lang") is not None and not _LANG.match(str(prop.get("lang"))):
            raise fail(f"lang {prop.get('lang')!r} is not a language tag (e.g. en, en-GB)")
        if prop.get("iri") and "template" in prop:
            self._check_template(prop["template"], here)
        return PropertyMapping(
            predicate=self.expand(prop["predicate"], here),
            column=prop.get("column"),
            template=prop.get("template"),
            iri=bool(prop.get("iri", False)),
            datatype=self.expand(prop["datatype"], here) if prop.get("datatype") else None,
            lang=prop.get("lang"),
            required=bool(prop.get("required", False)),
            partial_date=bool(prop.get("partial_date", False)),
            whole_number=bool(prop.get("whole_number", False)),
            first_only=bool(prop.get("first_only", False)),
        )

    def expand(self, text: str, where: str = "") -> str:
        """A CURIE with a known prefix as a full IRI; an IRI as it is."""
        prefix, sep, local = text.partition(":")
        if sep and prefix in self.prefixes and not local.startswith("//"):
            return self.prefixes[prefix] + local
        # A typo in a prefix would otherwise pass as an IRI of an unheard-of scheme ("nope:1").
        if prefix.lower() in _IRI_SCHEMES and ANY_IRI.match(text.replace("{", "").replace("}", "")):
            return text
        raise InputError(
            f"{self.path}: {where}: {text[:200]!r} is neither a known prefix:name nor an IRI "
            f"(prefixes: {', '.join(sorted(self.prefixes))})"
        )

    def columns(self) -> set[str]:
        """Every column the mapping reads."""
        used = set()
        for resource in self.resources:
            used |= set(_PLACEHOLDER.findall(resource.subject))
            for prop in resource.properties:
                if prop.column:
                    used.add(prop.column)
                if prop.template:
                    used |= set(_PLACEHOLDER.findall(prop.template))
        return used - {ROW, FILE}

    def triples(
        self, csv_path: Path, problems: Problems | None = None
    ) -> Iterator[tuple[ox.NamedNode, ox.NamedNode, Any]]:
        """Every row as triples, read a row at a time. A row that cannot be read is left out and listed in
        ``problems`` (or raises, with ``problems.strict``); a bad header or file raises ``InputError``."""
        problems = problems if problems is not None else Problems(strict=True)
        seen = _Seen()
        try:
            with csv_path.open(encoding="utf-8-sig", newline="") as handle:
                reader = csv.reader(handle)
                header = next(reader, [])
                self._check_header(csv_path, header)
                for number, cells in enumerate(reader, start=1):
                    where = f"{csv_path}:{reader.line_num}: row {number}"
                    try:
                        row = self._row(cells, header, where)
                        row[ROW], row[FILE] = str(number), csv_path.stem
                        yield from list(self._row_triples(row, where, seen, problems))
                    except RowError as exc:
                        problems.skip(str(exc))
        except csv.Error as exc:
            line = f":{reader.line_num}" if "reader" in locals() else ""
            limit = f" (a cell may hold at most {CELL_LIMIT:,} characters)" if "field limit" in str(exc) else ""
            raise InputError(f"{csv_path}{line}: not readable as CSV: {exc}{limit}") from None
        except UnicodeDecodeError:
            line = f":{reader.line_num + 1}" if "reader" in locals() else ""
            raise InputError(f"{csv_path}{line}: not UTF-8 text (save the spreadsheet as CSV UTF-8)") from None
        except OSError as exc:
            raise InputError(f"{csv_path}: cannot read: {exc.strerror or exc}") from None

    def _check_header(self, csv_path: Path, header: list[str]) -> None:
        names = [h.strip() for h in header]
        repeated = sorted({h for h in names if names.count(h) > 1})
        if repeated:
            first = repeated[0]
            places = [str(i + 1) for i, h in enumerate(names) if h == first]
            raise InputError(
                f"{csv_path}:1: column {first!r} appears {len(places)} times (columns {', '.join(places)}): "
                "rename one, or the later would silently win"
            )
        missing = sorted(self.columns() - set(names))
        if missing:
            raise InputError(
                f"{self.path}: the mapping reads column(s) {', '.join(missing)} that {csv_path.name} "
                f"lacks (its columns: {', '.join(names) or 'none'})"
            )

    @staticmethod
    def _row(cells: list[str], header: list[str], where: str) -> dict[str, str]:
        if len(cells) != len(header):
            raise RowError(f"{where}: {len(header)} columns expected, the row has {len(cells)}")
        return {name.strip(): value for name, value in zip(header, cells, strict=True)}

    def _row_triples(
        self, row: dict[str, str], where: str, seen: _Seen, problems: Problems
    ) -> Iterator[tuple[ox.NamedNode, ox.NamedNode, Any]]:
        for resource in self.resources:
            subject = self._named(self._fill(resource.subject, row, where, iri=True), where)
            for cls in resource.classes:
                yield (subject, ox.NamedNode(str(RDF.type)), ox.NamedNode(cls))
            for prop in resource.properties:
                term = self._object(prop, row, where)
                if prop.partial_date and isinstance(term, ox.Literal) and not term.datatype.value.endswith("#date"):
                    problems.warn(
                        "partial date(s) kept at their precision (a year or a month) and compared at it",
                        f"{where}, column {prop.column!r}: {term.value!r}",
                    )
                if term is None:
                    continue
                predicate = ox.NamedNode(prop.predicate)
                if prop.first_only:
                    key, row_name = (subject.value, prop.predicate), where.split(": ")[0]
                    first = seen.first.setdefault(key, (str(term.value), row_name))
                    if first[0] != str(term.value):
                        problems.warn(
                            "resource(s) named differently on different rows: one resource, every name kept",
                            f"{row_name}: {term.value!r} for <{subject.value}> (first {first[0]!r} at {first[1]})",
                            0 if subject.value in seen.renamed else 1,
                        )
                        seen.renamed.add(subject.value)
                        predicate = ox.NamedNode(str(SKOS.altLabel))
                yield (subject, predicate, term)

    @staticmethod
    def _named(iri: str, where: str) -> ox.NamedNode:
        try:
            return ox.NamedNode(iri)
        except ValueError as exc:
            raise RowError(f"{where}: {iri[:200]!r} is not a valid IRI ({exc})") from None

    def _fill(self, template: str, row: dict[str, str], where: str, *, iri: bool) -> str:
        def cell(match: re.Match[str]) -> str:
            column = match.group(1)
            value = (row.get(column) or "").strip()
            if not value:
                raise RowError(f"{where}, column {column!r}: empty, but the template {template!r} needs it")
            return quote_id(value, "-._~") if iri else value

        text = _PLACEHOLDER.sub(cell, template)
        if iri:
            try:
                text = self.expand(text, where)
            except InputError as exc:
                raise RowError(str(exc)) from None
            if not ANY_IRI.match(text):
                raise RowError(f"{where}: {text[:200]!r} is not a valid IRI")
        return text

    def _object(self, prop: PropertyMapping, row: dict[str, str], where: str) -> Any:
        if prop.column is not None:
            value = (row.get(prop.column) or "").strip()
            if prop.whole_number and re.fullmatch(r"\d+\.0+", value):
                value = value.split(".")[0]  # a spreadsheet's 500.0 for the id 500
            if not value:
                if prop.required:
                    raise RowError(f"{where}, column {prop.column!r}: empty, but required")
                return None
            if prop.iri:
                try:
                    return self._named(self.expand(value, f"{where}, column {prop.column!r}"), where)
                except InputError as exc:
                    raise RowError(str(exc)) from None
        else:
            assert prop.template is not None
            if not all((row.get(c) or "").strip() for c in _PLACEHOLDER.findall(prop.template)):
                if prop.required:
                    raise RowError(f"{where}: the template {prop.template!r} needs a cell that is empty")
                return None
            if prop.whole_number:
                row = {k: v.split(".")[0] if re.fullmatch(r"\d+\.0+", v.strip()) else v for k, v in row.items()}
            value = self._fill(prop.template, row, where, iri=prop.iri)
            if prop.iri:
                return self._named(value, where)
        return self._literal(prop, value, where)

    @staticmethod
    def _literal(prop: PropertyMapping, value: str, where: str) -> ox.Literal:
        column = f", column {prop.column!r}" if prop.column else ""
        if prop.partial_date:
            found = partial_date(value)
            if found is None:
                raise RowError(f"{where}{column}: {value[:100]!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
            return found.literal()
        if prop.datatype:
            check = _CHECKS.get(prop.datatype)
            if check is not None and not check(value):
                raise RowError(f"{where}{column}: {value[:100]!r} is not a valid {curie(prop.datatype)}")
            return ox.Literal(value, datatype=ox.NamedNode(prop.datatype))
        if prop.lang:
            return ox.Literal(value, language=prop.lang)
        return ox.Literal(value)


__all__ = ["CELL_LIMIT", "CsvMapping", "PropertyMapping", "ResourceMapping", "RowError"]
