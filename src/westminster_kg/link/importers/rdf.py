"""Importing RDF files (Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML) into one named graph."""

from __future__ import annotations

import re
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


def parse_rdf(path: Path, kind: str, graph: ox.NamedNode) -> list[ox.Quad]:
    """Every triple of ``path`` moved into ``graph``; data addressed to one of our graphs is refused."""
    fmt = RDF_FORMATS[kind]
    quads: list[ox.Quad] = []
    try:
        for quad in ox.parse(path=str(path), format=fmt, base_iri=path.resolve().as_uri()):
            name = quad.graph_name
            if isinstance(name, ox.NamedNode) and name != graph and name.value.startswith(GRAPH_BASE):
                raise InputError(
                    f"{path}: data for our own graph <{name.value}> is refused: an import goes only "
                    f"to its own graph <{graph.value}>"
                )
            quads.append(ox.Quad(quad.subject, quad.predicate, quad.object, graph))
    except SyntaxError as exc:
        message = str(exc.args[0]) if exc.args else str(exc)
        location = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], tuple) else ()
        line = location[1] if len(location) > 1 else None
        if "LoadDocumentCallback" in message:
            message = "remote JSON-LD contexts are not fetched: put the @context in the file"
        message = re.sub(r"^Parser error (at|between) line \d+ column \d+( and line \d+ column \d+)?: ", "", message)
        raise InputError(f"{path}:{line}: {message}" if line else f"{path}: {message}") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return quads


__all__ = ["RDF_FORMATS", "parse_rdf"]
