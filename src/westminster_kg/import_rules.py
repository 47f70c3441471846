"""What an import may say: about its own resources, and links to the article's, never the article's words.

An import may describe its own resources and point at the article's (``owl:sameAs``, ``skos:*Match``,
``rdfs:seeAlso``, or its own predicates with an article IRI as object). It may not:

* add a triple whose SUBJECT is an article resource (``wmr:``, ``wm:`` or one of our graph names): that
  would re-label an entity or change what the catalogue answers about it;
* use a relation typed ``wm:EvidencedRelation`` without a ``wm:Claim`` for that very triple carrying a
  quote (``prov:wasDerivedFrom/oa:hasSelector/oa:exact``): that would add an edge no words support.

``wmkg import`` refuses such data before writing anything; ``wmkg validate`` applies the same rule to the
files already in ``imports/``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef

from westminster_kg.errors import InputError
from westminster_kg.internal_queries import internal_query
from westminster_kg.namespaces import GRAPH_BASE, ONTOLOGY_IRI, WMR
from westminster_kg.sparql_text import bind

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
ARTICLE_SPACES = (str(WMR), ONTOLOGY_IRI, GRAPH_BASE)
_ANY = ox.NamedNode("urn:x-wmkg:import-check")  # the graph for quads given without one, while checking


def evidenced_relations(ontology: Path) -> frozenset[str]:
    """The IRIs of every property typed ``wm:EvidencedRelation`` in the ontology file."""
    kind = ox.NamedNode(_wm("EvidencedRelation"))
    found = set()
    for triple in ox.parse(path=str(ontology), format=ox.RdfFormat.TURTLE):
        if triple.predicate.value == _RDF + "type" and triple.object == kind:
            found.add(triple.subject.value)
    return frozenset(found)


def _wm(local: str) -> str:
    return ONTOLOGY_IRI + local if ONTOLOGY_IRI.endswith("#") else ONTOLOGY_IRI + "#" + local


def is_article_resource(term: object) -> bool:
    """Whether ``term`` names one of the article's resources, terms or graphs."""
    return isinstance(term, ox.NamedNode) and term.value.startswith(ARTICLE_SPACES)


def allowed_quads(quads: Iterable[ox.Quad], source: str, line_of: Callable[[ox.Quad], int | None]) -> Iterator[ox.Quad]:
    """``quads`` passed through one by one; ``InputError`` at the first whose subject is the article's."""
    for quad in quads:
        if is_article_resource(quad.subject):
            raise InputError(
                f"{_where(source, line_of(quad))}: <{quad.subject.value}> is the article's: an import may not "
                f"say anything about it (here <{quad.predicate.value}>); describe your own resource and link "
                "it with owl:sameAs, skos:exactMatch or rdfs:seeAlso"
            )
        yield quad


def check_evidence(
    store: ox.Store, relations: frozenset[str], source: str, line_of: Callable[[ox.Quad], int | None]
) -> None:
    """``InputError`` at an evidenced relation in ``store`` that no quoted ``wm:Claim`` there supports.

    Asked of the store rather than of a list, so an import of any size is checked without holding it.
    """
    if not relations:
        return
    unsupported = bind(internal_query("import-unsupported-relation"), {"p": [URIRef(r) for r in sorted(relations)]})
    for row in store.query(unsupported, use_default_graph_as_union=True):
        graph = ox.DefaultGraph() if row["g"] == _ANY else row["g"]
        quad = ox.Quad(row["s"], row["p"], row["o"], graph)
        raise InputError(
            f"{_where(source, line_of(quad))}: <{quad.predicate.value}> is an evidenced relation: an import "
            "may use it only with a wm:Claim for the same triple that quotes its evidence (oa:exact)"
        )


def check_import(
    quads: Iterable[ox.Quad],
    relations: frozenset[str],
    source: str,
    line_of: Callable[[ox.Quad], int | None],
) -> None:
    """Raise ``InputError`` (``source:line: ...``) at the first triple an import may not add."""
    store = ox.Store()
    store.extend(
        quad if isinstance(quad.graph_name, ox.NamedNode) else ox.Quad(quad.subject, quad.predicate, quad.object, _ANY)
        for quad in allowed_quads(quads, source, line_of)
    )
    check_evidence(store, relations, source, line_of)


def _where(source: str, line: int | None) -> str:
    return f"{source}:{line}" if line else source


def line_finder(path: Path) -> Callable[[ox.Quad], int | None]:
    """A best guess at the line of ``path`` that states a quad: the first line naming its subject.

    Parsers give no position per triple; the subject's IRI, or its last segment as written in a
    prefixed name, finds the statement in every format we import. The file is read only when asked,
    a line at a time (it is asked once, for the error message).
    """

    def find(quad: ox.Quad) -> int | None:
        subject = quad.subject.value if isinstance(quad.subject, ox.NamedNode) else ""
        if not subject:
            return None
        local = subject.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
        for needle in (subject, ":" + local):
            try:
                with path.open(encoding="utf-8", errors="replace") as lines:
                    for number, text in enumerate(lines, 1):
                        if needle in text:
                            return number
            except OSError:
                return None
        return None

    return find


__all__ = [
    "ARTICLE_SPACES",
    "allowed_quads",
    "check_evidence",
    "check_import",
    "evidenced_relations",
    "is_article_resource",
    "line_finder",
]
