"""Importing RDF files (Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML) into one named graph."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

from westminster_kg.errors import InputError
from westminster_kg.namespaces import GRAPH_BASE

RDF_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}


# An internal DTD subset that declares entities: "billion laughs" expands a few hundred bytes into
# gigabytes. Looked for in the raw bytes, before any XML parser sees the file.
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)


def refuse_entity_declarations(path: Path) -> None:
    """``InputError`` when an XML file has a DOCTYPE that declares entities (checked on the raw bytes).

    Reads in chunks with an overlap, so memory stays bounded whatever the file's size; also refuses
    UTF-16/32 encoded XML, whose markup the byte check would not see.
    """
    overlap = 16
    tail = b""
    line = 1
    try:
        with path.open("rb") as stream:
            head = stream.read(4)
            if head[:2] in (b"\xff\xfe", b"\xfe\xff") or head in (b"\x00\x00\x00<", b"<\x00\x00\x00"):
                raise InputError(f"{path}: RDF/XML in UTF-16 or UTF-32 is not accepted: save it as UTF-8")
            stream.seek(0)
            seen_doctype = False
            while chunk := stream.read(1 << 20):
                window = tail + chunk
                for pattern, found_doctype in ((_DOCTYPE, True), (_ENTITY, False)):
                    match = pattern.search(window)
                    if match is None:
                        continue
                    if found_doctype:
                        seen_doctype = True
                    elif seen_doctype or _DOCTYPE.search(window[: match.start()]):
                        at = line + window[: match.start()].count(b"\n") - tail.count(b"\n")
                        raise InputError(
                            f"{path}:{at}: the DOCTYPE declares entities, which are refused (entity expansion "
                            "can blow a small file up to gigabytes): remove the DOCTYPE"
                        )
                line += chunk.count(b"\n")
                tail = window[-overlap:]
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None


def parse_rdf(path: Path, kind: str, graph: ox.NamedNode, base: str | None = None) -> Iterator[ox.Quad]:
    """Every triple of ``path`` moved into ``graph``, as it is read; data addressed to one of our graphs is refused.

    Relative IRIs resolve against ``base`` only: without one they are an error, never the file's local
    path (which would then be served to everyone).
    """
    fmt = RDF_FORMATS[kind]
    if kind == "rdfxml":
        refuse_entity_declarations(path)
    try:
        for quad in ox.parse(path=str(path), format=fmt, base_iri=base):
            name = quad.graph_name
            if isinstance(name, ox.NamedNode) and name != graph and name.value.startswith(GRAPH_BASE):
                raise InputError(
                    f"{path}: data for our own graph <{name.value}> is refused: an import goes only "
                    f"to its own graph <{graph.value}>"
                )
            yield ox.Quad(quad.subject, quad.predicate, quad.object, graph)
    except SyntaxError as exc:
        message = str(exc.args[0]) if exc.args else str(exc)
        location = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], tuple) else ()
        line = location[1] if len(location) > 1 else None
        if "LoadDocumentCallback" in message:
            message = "remote JSON-LD contexts are not fetched: put the @context in the file"
        elif base is None and re.search(r"relative IRI|No scheme found|without a base", message, re.IGNORECASE):
            message = f"{message} (relative IRIs need --base IRI: they never resolve against the local path)"
        message = re.sub(r"^Parser error (at|between) line \d+ column \d+( and line \d+ column \d+)?: ", "", message)
        raise InputError(f"{path}:{line}: {message}" if line else f"{path}: {message}") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None


__all__ = ["RDF_FORMATS", "parse_rdf", "refuse_entity_declarations"]
