"""Datasets in: Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML, CSV (with a column mapping) or Popolo JSON.

Each import goes into its own named graph ``.../graph/import/NAME``, written to ``imports/NAME.nq``
only after the whole file parsed, and atomically.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from westminster_kg.errors import InputError
from westminster_kg.import_rules import allowed_quads, check_evidence, evidenced_relations, line_finder, skolemised
from westminster_kg.link.importers.csv_mapping import CsvMapping
from westminster_kg.link.importers.popolo import (
    looks_like_jsonld,
    looks_like_popolo,
    not_jsonld_message,
    popolo_triples,
    read_json,
)
from westminster_kg.link.importers.rdf import RDF_FORMATS, parse_rdf
from westminster_kg.namespaces import GRAPH_IMPORT
from westminster_kg.project import Project
from westminster_kg.store.temporary import temporary_folder

IMPORT_FORMATS: dict[str, ox.RdfFormat | None] = {**RDF_FORMATS, "csv": None, "popolo": None}
_SUFFIXES = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".nt": "ntriples",
    ".nq": "nquads",
    ".trig": "trig",
    ".jsonld": "jsonld",
    ".json": "jsonld",
    ".rdf": "rdfxml",
    ".owl": "rdfxml",
    ".xml": "rdfxml",
    ".csv": "csv",
}
_GRAPH_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class ImportResult:
    """What one import wrote."""

    name: str
    graph: str
    path: Path
    triples: int
    replaced: bool
    warnings: tuple[str, ...] = field(default=())


def import_graph_iri(name: str) -> str:
    """The named graph of import ``name`` (the name is checked first)."""
    check_graph_name(name)
    return GRAPH_IMPORT + name


def check_graph_name(name: str) -> str:
    """``name`` when it is a lower-case slug of at most 64 characters, else an ``InputError``."""
    if not _GRAPH_NAME.match(name or "") or len(name) > 64:
        raise InputError(f"graph name {name!r}: use lower-case letters, digits and single hyphens (e.g. ifg-ministers)")
    return name


def detect_format(path: Path, fmt: str | None) -> str:
    """The import format: ``fmt`` if given (checked), else from the file's suffix."""
    if fmt is not None:
        key = fmt.lower().replace("-", "").replace("_", "")
        key = {"ttl": "turtle", "nt": "ntriples", "nq": "nquads", "json": "jsonld", "xml": "rdfxml"}.get(key, key)
        if key not in IMPORT_FORMATS:
            raise InputError(f"unknown import format {fmt!r}: use {', '.join(IMPORT_FORMATS)}")
        return key
    suffix = path.suffix.lower()
    if suffix not in _SUFFIXES:
        raise InputError(f"{path}: cannot tell the format from the suffix {suffix or '(none)'!r}: give --format")
    return _SUFFIXES[suffix]


def import_dataset(
    project: Project,
    file: Path | str,
    graph_name: str,
    *,
    fmt: str | None = None,
    mapping: Path | str | None = None,
    base: str | None = None,
) -> ImportResult:
    """Import a dataset into its own named graph, all or nothing.

    The whole file is read first, a piece at a time, into a temporary on-disk store (so memory stays
    bounded whatever the file's size, but for one small entry per distinct blank node); a syntax
    error names the file and line (for CSV the row and column), blank nodes get IRIs of the import's
    own and the rules of ``westminster_kg.import_rules`` are checked there (an import describes only
    its own resources). Only then is
    ``imports/NAME.nq`` written, atomically (a temporary file renamed over the old one), so a crash at
    any moment leaves the previous import intact. Data addressed to one of our own graphs (ontology,
    article, links or another import) is refused.

    Args:
        project: the project whose ``imports/`` folder receives the file.
        file: the dataset.
        graph_name: a lower-case slug; the graph is ``https://w3id.org/westminster-kg/graph/import/NAME``.
        fmt: turtle, ntriples, nquads, trig, jsonld, rdfxml, csv or popolo (default: from the suffix;
            a ``.json`` file without ``@context`` holding Popolo's lists is read as Popolo).
        mapping: for CSV, a TOML or JSON column mapping (see ``CsvMapping``).
        base: the IRI relative IRIs in the file resolve against; without it they are an error.

    Returns:
        What was written.
    """
    from westminster_kg.turtle import write_atomically

    path = Path(file)
    name = check_graph_name(graph_name)
    graph = ox.NamedNode(GRAPH_IMPORT + name)
    kind = detect_format(path, fmt)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    warnings: list[str] = []
    data = None
    if kind == "jsonld" and fmt is None and path.suffix.lower() == ".json":
        # Plain JSON is the common case for .json: look before handing it to the JSON-LD parser,
        # which would read a file without @context as no triples at all.
        data = read_json(path)
        if looks_like_popolo(data):
            kind = "popolo"
        elif not looks_like_jsonld(data):
            raise InputError(not_jsonld_message(path))
    if kind == "popolo":
        if mapping is not None:
            raise InputError(f"--mapping applies to CSV only, not to {kind}")
        popolo = popolo_triples(path, name, data)
        warnings = popolo.warnings
        quads: Iterable[ox.Quad] = (ox.Quad(s, p, o, graph) for s, p, o in popolo.triples)
    elif kind == "csv":
        if mapping is None:
            raise InputError(f"{path}: a CSV import needs --mapping FILE (TOML or JSON: subject, class, columns)")
        triples = CsvMapping.load(Path(mapping)).triples(path)
        quads = (ox.Quad(s, p, o, graph) for s, p, o in triples)
    else:
        if mapping is not None:
            raise InputError(f"--mapping applies to CSV only, not to {kind}")
        quads = parse_rdf(path, kind, graph, base=base)
    # The article's resources and evidenced edges are the article's: see westminster_kg.import_rules.
    relations = evidenced_relations(project.root / "ontology" / "westminster.ttl")
    line_of = line_finder(path)
    target = project.imports_dir / f"{name}.nq"
    replaced = target.exists()
    # Removed however the import ends; a killed import's is removed by the next one (store.temporary).
    with temporary_folder("import") as folder:
        store = ox.Store(str(folder))
        store.bulk_extend(allowed_quads(skolemised(quads, name), str(path), line_of, name))
        count = len(store)
        if not count:
            raise InputError(f"{path}: no triples to import")
        check_evidence(store, relations, str(path), line_of)
        # Written in the store's own order: the same data always gives the same file.
        write_atomically(target, functools.partial(store.dump, format=ox.RdfFormat.N_QUADS), create_parents=True)
        del store  # closes RocksDB before its folder is removed
    return ImportResult(name, str(graph.value), target, count, replaced, tuple(warnings))


def drop_import(project: Project, name: str) -> Path:
    """Remove import ``name`` (its ``imports/NAME.nq``); an unknown name lists the known ones."""
    check_graph_name(name)
    target = project.imports_dir / f"{name}.nq"
    if not target.exists():
        known = ", ".join(list_imports(project)) or "none"
        raise InputError(f"no import named {name!r} (imports: {known})")
    target.unlink()
    return target


def list_imports(project: Project) -> list[str]:
    """The names of the imported graphs."""
    if not project.imports_dir.is_dir():
        return []
    return sorted(p.stem for p in project.imports_dir.glob("*.nq"))


__all__ = [
    "IMPORT_FORMATS",
    "CsvMapping",
    "ImportResult",
    "check_graph_name",
    "detect_format",
    "drop_import",
    "import_dataset",
    "import_graph_iri",
    "list_imports",
]
