"""One import, from one or several files, into its own named graph: read, typed, checked, then written.

The files (and ``--persons`` files, read first so memberships find their people; of parlparse's
``people.xml``, only the persons the memberships name are kept) are read a piece at a time into a
store: in memory for files up to ``IN_MEMORY_BYTES`` in all, else a temporary on-disk one, so memory
stays bounded for large data. There every membership, post and organisation is typed
(``posts.classify_import``), the import rules are checked, and only then is ``imports/NAME.nq``
written, atomically. A failure at any point leaves the previous import as it was. A CSV without a
mapping is read by its well-known column names; the mapping used is written beside the import
(``imports/NAME.FILE.mapping.json``) for review and reuse with ``--mapping``.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import pyoxigraph as ox

from westminster_kg.errors import InputError
from westminster_kg.import_rules import Skolemiser, allowed_quads, check_evidence, evidenced_relations, line_finder
from westminster_kg.internal_queries import internal_query
from westminster_kg.link.importers.csv_columns import AmbiguousColumnsError, recognise
from westminster_kg.link.importers.csv_mapping import CsvMapping
from westminster_kg.link.importers.parlparse_people import PeopleXml, is_people_xml, person_triples, read_people_xml
from westminster_kg.link.importers.popolo import (
    IMPORT_BASE,
    looks_like_jsonld,
    looks_like_popolo,
    not_jsonld_message,
    popolo_triples,
    read_json,
)
from westminster_kg.link.importers.posts import classify_import, describe_kinds
from westminster_kg.link.importers.problems import Problems
from westminster_kg.link.importers.rdf import RDF_FORMATS, parse_rdf
from westminster_kg.namespaces import GRAPH_IMPORT
from westminster_kg.project import Project
from westminster_kg.store.temporary import remove_abandoned, temporary_folder
from westminster_kg.turtle import write_atomically

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
# Files up to this size in all (parlparse's ministers file and people.xml are 4.5 MB) are imported
# in a store in memory; larger ones through a temporary on-disk store (tests/test_temporary.py's
# 400,000-line file, 30 MB, is over it).
IN_MEMORY_BYTES = 16 * 1024 * 1024
_GRAPH_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_PERSON = ox.NamedNode("http://xmlns.com/foaf/0.1/Person")
_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


@dataclass(frozen=True)
class ImportResult:
    """What one import wrote, and what it made of its files."""

    name: str
    graph: str
    path: Path
    triples: int
    replaced: bool
    warnings: tuple[str, ...] = field(default=())
    notes: tuple[str, ...] = field(default=())
    mappings: tuple[Path, ...] = field(default=())


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


def mapping_file(project: Project, name: str, source: Path) -> Path:
    """Where the mapping an import used for the CSV ``source`` is written: ``imports/NAME.STEM.mapping.json``."""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", source.stem).strip("-") or "table"
    return project.imports_dir / f"{name}.{stem}.mapping.json"


@dataclass
class _Run:
    """One import in progress: its name, graph, what was noticed, and the mappings to write."""

    project: Project
    name: str
    graph: ox.NamedNode
    problems: Problems
    base: str | None
    mappings: list[Path]
    written: dict[Path, dict] = field(default_factory=dict)
    known_persons: set[str] = field(default_factory=set)
    redirects: dict[str, str] = field(default_factory=dict)

    def fill(self, store: ox.Store, people: list[Path], files: list[Path], fmt: str | None) -> list[str]:
        """Read every file into ``store`` (``--persons`` files first, so memberships find their people),
        type its posts and check the persons files; returns the notes to show.

        Blank nodes become IRIs of the import's own (so its dumps canonicalise in bounded time), and an
        import may describe only its own resources (``westminster_kg.import_rules``).
        """
        skolem = Skolemiser(self.name)
        from_persons: dict[Path, set] = {}
        xml_people: list[PeopleXml] = []
        for path in people:
            from_persons[path] = set()
            if _is_people_xml(path):  # parlparse's people.xml: read now, its persons chosen below
                xml_people.append(read_people_xml(path, self.problems))
                from_persons[path] = {xml_people[-1].iri(self.name, i) for i in xml_people[-1].persons}
                self.known_persons |= set(xml_people[-1].persons)
                continue
            quads = skolem.quads(_person_subjects(self.quads(path, None, persons=True), from_persons[path]), str(path))
            store.bulk_extend(allowed_quads(quads, str(path), line_finder(path), self.name))
            self.known_persons |= {_local_id(s) for s in from_persons[path] if isinstance(s, ox.NamedNode)}
        for path in files:
            quads = skolem.quads(self.quads(path, fmt), str(path))
            store.bulk_extend(allowed_quads(quads, str(path), line_finder(path), self.name))
        for found in xml_people:
            self.people_xml(store, found)
        kinds, unnamed = classify_import(store, self.graph)
        _check_persons_files(store, from_persons, files)
        if unnamed:
            self.problems.warn(
                "person(s) named by memberships but described by no file: kept by id, without a name",
                "give their file with --persons to name them",
                unnamed,
            )
        return [*self.problems.notes, *describe_kinds(kinds)]

    def people_xml(self, store: ox.Store, people: PeopleXml) -> None:
        """The persons of a ``people.xml`` that the memberships name (all of them when there are no
        memberships), added to ``store``, with a note of how many were read and kept."""
        members = {
            row["member"] for row in store.query(internal_query("import-members"), use_default_graph_as_union=True)
        }
        chosen = None if not members else [i for i in people.persons if people.iri(self.name, i) in members]
        triples = person_triples(people, self.name, chosen, self.problems)
        quads = (ox.Quad(s, p, o, self.graph) for s, p, o in triples)
        store.bulk_extend(allowed_quads(quads, str(people.path), line_finder(people.path), self.name))
        read = f"{people.path}: {len(people.persons):,} persons read ({people.records:,} <person> elements)"
        if chosen is None:
            self.problems.note(f"{read}, all imported (no memberships to choose them by)")
        else:
            self.problems.note(
                f"{read}; the memberships name {len(members):,} persons, {len(chosen):,} of them described "
                f"here: those imported, the other {len(people.persons) - len(chosen):,} left out"
            )

    def quads(self, path: Path, fmt: str | None, persons: bool = False) -> Iterator[ox.Quad]:
        """Every quad of one file, in the import's graph, whatever its format."""
        kind = detect_format(path, fmt)
        if not path.is_file():
            raise InputError(f"{path}: no such file")
        if kind == "jsonld" and fmt is None and path.suffix.lower() == ".json":
            # Plain JSON is the common case for .json: look before handing it to the JSON-LD parser,
            # which would read a file without @context as no triples at all.
            data = read_json(path)
            if looks_like_popolo(data):
                yield from self.popolo(path, data, persons)
                return
            if not looks_like_jsonld(data):
                raise InputError(not_jsonld_message(path))
        if kind == "popolo":
            yield from self.popolo(path, None, persons)
        elif kind == "csv":
            yield from self.csv(path)
        else:
            yield from parse_rdf(path, kind, self.graph, base=self.base)

    def popolo(self, path: Path, data: object, persons: bool) -> Iterator[ox.Quad]:
        result = popolo_triples(
            path, self.name, data, problems=self.problems, known_persons=self.known_persons, redirects=self.redirects
        )
        if persons:
            self.known_persons |= result.person_ids
            self.redirects |= result.redirects
        for s, p, o in result.triples:
            yield ox.Quad(s, p, o, self.graph)

    def csv(self, path: Path) -> Iterator[ox.Quad]:
        if self.mappings:
            mapping = CsvMapping.load(Path(self.mappings.pop(0)), self.name)
        else:
            mapping = self.recognised(path)
        for s, p, o in mapping.triples(path, self.problems):
            yield ox.Quad(s, p, o, self.graph)

    def recognised(self, path: Path) -> CsvMapping:
        import csv

        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                header = next(csv.reader(handle), [])
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise InputError(f"{path}:1: cannot read the header: {exc}") from None
        target = mapping_file(self.project, self.name, path)
        try:
            found = recognise(path, header)
        except AmbiguousColumnsError as exc:
            _write_json(target, exc.proposal.mapping)
            raise InputError(
                f"{exc}: a proposed mapping is in {self.project.relative(target)}; settle it there and run "
                f"again with --mapping {self.project.relative(target)}"
            ) from None
        for line in found.describe(path):
            self.problems.note(line)
        self.written[target] = found.mapping
        return CsvMapping.from_dict(target, found.mapping, self.name)


def _is_people_xml(path: Path) -> bool:
    return path.suffix.lower() == ".xml" and is_people_xml(path)


def _write_json(target: Path, data: dict) -> None:
    write_atomically(
        target, (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8"), create_parents=True
    )


def _person_subjects(quads: Iterable[ox.Quad], found: set[ox.NamedNode | ox.BlankNode]) -> Iterator[ox.Quad]:
    """``quads`` passed through, noting every subject typed ``foaf:Person`` into ``found``."""
    for quad in quads:
        if quad.predicate == _TYPE and quad.object == _PERSON:
            found.add(quad.subject)
        yield quad


def import_dataset(
    project: Project,
    file: Path | str | Sequence[Path | str],
    graph_name: str,
    *,
    fmt: str | None = None,
    mapping: Path | str | Sequence[Path | str] | None = None,
    base: str | None = None,
    persons: Sequence[Path | str] = (),
    strict: bool = False,
) -> ImportResult:
    """Import one or several files into one named graph of their own, all or nothing.

    Args:
        project: the project whose ``imports/`` folder receives the file.
        file: the dataset, or several files that make one dataset (memberships, posts, organisations).
        graph_name: a lower-case slug; the graph is ``https://w3id.org/westminster-kg/graph/import/NAME``.
        fmt: turtle, ntriples, nquads, trig, jsonld, rdfxml, csv or popolo (default: from the suffix;
            a ``.json`` file without ``@context`` holding Popolo's lists is read as Popolo).
        mapping: for CSV, TOML or JSON column mappings, one per CSV file in order; a CSV without one
            is read by its well-known column names and its mapping written beside the import.
        base: the IRI relative IRIs in the file resolve against; without it they are an error.
        persons: files of people the memberships name (parlparse's ``people.json`` or ``people.xml``,
            a persons CSV), read first; each must name someone the memberships name. Alone (no
            ``file``), they import. Of a ``people.xml`` (some 13,000 people) only the persons the
            memberships name are imported; given as a ``file``, it is read as a persons file.
        strict: the first unreadable record is an error (otherwise it is left out and listed).

    Returns:
        What was written, with warnings (records left out, duplicates merged) and notes (what the
        columns became, the kinds of post).
    """
    name = check_graph_name(graph_name)
    files = [Path(f) for f in ([file] if isinstance(file, str | Path) else file)]
    people = [Path(p) for p in persons]
    if fmt is None:  # parlparse's people.xml given as a FILE is a persons file all the same
        people += [f for f in files if _is_people_xml(f)]
        files = [f for f in files if f not in people]
    if not files and not people:
        raise InputError("nothing to import: give a FILE (or --persons FILE)")
    mappings = [Path(m) for m in ([mapping] if isinstance(mapping, str | Path) else mapping or [])]
    csv_files = [f for f in files + people if detect_format(f, fmt if f in files else None) == "csv"]
    if mappings and len(mappings) > len(csv_files):
        raise InputError(f"--mapping applies to CSV only: {len(mappings)} mapping(s) for {len(csv_files)} CSV file(s)")
    graph = ox.NamedNode(GRAPH_IMPORT + name)
    run = _Run(project, name, graph, Problems(strict=strict), base, list(mappings))
    # The article's resources and evidenced edges are the article's: see westminster_kg.import_rules.
    relations = evidenced_relations(project.root / "ontology" / "westminster.ttl")
    target = project.imports_dir / f"{name}.nq"
    replaced = target.exists()
    # On disk, removed however the import ends; a killed import's is removed by the next one (store.temporary).
    on_disk = _on_disk(files + people)
    if not on_disk:
        remove_abandoned()  # as a folder of its own would: a killed import's or server's store goes
    with temporary_folder("import") if on_disk else nullcontext(None) as folder:
        store = ox.Store() if folder is None else ox.Store(str(folder))
        try:
            count, notes = _build(run, store, people, files, fmt, relations)
            # Written in the store's own order (the one in memory orders differently from the one on
            # disk): the same data always gives the same file. (No name
            # may keep the store's dump method: it would keep the store open past the del below.)
            write_atomically(target, functools.partial(store.dump, format=ox.RdfFormat.N_QUADS), create_parents=True)
        except BaseException as exc:
            # The traceback's frames hold the store open, and RocksDB writes on in the background: it
            # must be closed before its folder is removed, or the removal fails and hides the error.
            exc.__traceback__ = None
            del store
            raise
        del store  # closes RocksDB before its folder is removed
    for path, data in run.written.items():
        _write_json(path, data)
    for stale in project.imports_dir.glob(f"{name}.*.mapping.json"):
        if stale not in run.written and stale not in mappings:
            stale.unlink()
    return ImportResult(
        name, str(graph.value), target, count, replaced, tuple(run.problems.lines()), tuple(notes), tuple(run.written)
    )


def _on_disk(paths: list[Path]) -> bool:
    """Whether files this large in all are read into a temporary on-disk store (RocksDB spills to disk,
    so memory stays bounded whatever the size) rather than one in memory (twice as fast, no folder)."""
    return sum(p.stat().st_size for p in paths if p.is_file()) > IN_MEMORY_BYTES


def _build(
    run: _Run, store: ox.Store, people: list[Path], files: list[Path], fmt: str | None, relations: frozenset[str]
) -> tuple[int, list[str]]:
    """Fill ``store`` with the import and check it; returns the triple count and the notes to show."""
    notes = run.fill(store, people, files, fmt)
    count = len(store)
    first = files[0] if files else people[0]
    if not count:
        why = f" (every record was unreadable; the first: {run.problems.skipped[0]})" if run.problems.skipped else ""
        raise InputError(f"{first}: no triples to import{why}")
    check_evidence(store, relations, str(first), line_finder(first))
    return count, notes


def _local_id(subject: ox.NamedNode) -> str:
    return unquote(subject.value.rsplit("/", 1)[-1])


def _check_persons_files(store: ox.Store, from_persons: dict[Path, set], files: list[Path]) -> None:
    """A ``--persons`` file must name someone the memberships name, when there are memberships."""
    if not from_persons or not files:
        return
    members = {row["member"] for row in store.query(internal_query("import-members"), use_default_graph_as_union=True)}
    if not members:
        return
    for path, found in from_persons.items():
        if found and not found & members:
            theirs = sorted(_local_id(s) for s in found if isinstance(s, ox.NamedNode))[:1]
            named = sorted(_local_id(m) for m in members if isinstance(m, ox.NamedNode))[:1]
            raise InputError(
                f"{path}: none of its {len(found):,} persons is named by a membership of the import "
                f"(its ids look like {theirs[0] if theirs else '?'!r}; the memberships name e.g. "
                f"{named[0] if named else '?'!r}): is it the persons file of this dataset?"
            )
        if not found:
            raise InputError(f"{path}: no persons in the --persons file")


def drop_import(project: Project, name: str) -> Path:
    """Remove import ``name`` (its ``imports/NAME.nq`` and the mappings written beside it)."""
    check_graph_name(name)
    target = project.imports_dir / f"{name}.nq"
    if not target.exists():
        known = ", ".join(list_imports(project)) or "none"
        raise InputError(f"no import named {name!r} (imports: {known})")
    target.unlink()
    for mapping in project.imports_dir.glob(f"{name}.*.mapping.json"):
        mapping.unlink()
    return target


def list_imports(project: Project) -> list[str]:
    """The names of the imported graphs."""
    if not project.imports_dir.is_dir():
        return []
    return sorted(p.stem for p in project.imports_dir.glob("*.nq"))


__all__ = [
    "IMPORT_BASE",
    "IMPORT_FORMATS",
    "ImportResult",
    "check_graph_name",
    "detect_format",
    "drop_import",
    "import_dataset",
    "import_graph_iri",
    "list_imports",
    "mapping_file",
]
