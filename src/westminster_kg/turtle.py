"""Canonical Turtle for the curated files, and atomic file writes.

``wmkg fmt`` rewrites every curated file with ``canonical_turtle``: prefixes first, one subject
per block, blocks sorted by IRI, ``rdf:type`` then labels and definitions first in each block,
blank nodes nested. Formatting twice gives the same bytes, and never changes the graph.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.plugins.serializers.turtle import TurtleSerializer

from westminster_kg.errors import InputError
from westminster_kg.namespaces import PREFIXES
from westminster_kg.project import Project

# Predicates shown first in a block, in this order; the rest follow sorted by IRI.
LEADING_PREDICATES = [
    RDF.type,
    RDFS.label,
    SKOS.prefLabel,
    SKOS.altLabel,
    SKOS.definition,
    RDF.subject,
    RDF.predicate,
    RDF.object,
]


class CanonicalTurtleSerializer(TurtleSerializer):
    """rdflib's Turtle writer with our predicate order."""

    short_name = "wmkg-turtle"

    def __init__(self, store: Graph) -> None:
        super().__init__(store)
        self.predicateOrder = LEADING_PREDICATES


def canonical_turtle(graph: Graph) -> str:
    """The graph as canonical Turtle text (only prefixes the graph uses are declared)."""
    from rdflib.compare import to_canonical_graph

    # Canonical blank node labels: a shared blank node keeps the same label across rewrites.
    out = Graph()
    for triple in to_canonical_graph(graph):
        out.add(triple)
    used = {str(t) for triple in graph for t in triple}
    for prefix, namespace in PREFIXES.items():
        if any(t.startswith(namespace) for t in used):
            out.bind(prefix, namespace, override=True, replace=True)
    import io

    buffer = io.BytesIO()
    CanonicalTurtleSerializer(out).serialize(buffer, encoding="utf-8")
    text = buffer.getvalue().decode("utf-8")
    return text.rstrip("\n") + "\n"


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path`` and rename it over ``path``.

    A crash at any moment leaves either the old file or the new one, never half of one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def format_project(project: Project, *, write: bool = True) -> list[str]:
    """Rewrite every curated Turtle file canonically; return the files that changed.

    The graph of each file is compared before and after (isomorphism): a formatter bug can
    never silently change data.
    """
    from rdflib.compare import isomorphic

    changed = []
    for source in project.curated_files():
        if source.format != "turtle" or source.path.name == "shapes.ttl":
            continue
        original = source.path.read_text(encoding="utf-8")
        graph = Graph().parse(data=original, format="turtle")
        text = canonical_turtle(graph)
        if text == original:
            continue
        if not isomorphic(graph, Graph().parse(data=text, format="turtle")):
            raise InputError(f"{project.relative(source.path)}: formatting would change the graph; left as is")
        changed.append(project.relative(source.path))
        if write:
            write_atomically(source.path, text.encode("utf-8"))
    return changed
