"""What an import may say: about its own resources, and links to the article's, never the article's words.

An import may describe its own resources and point at the article's or another import's
(``owl:sameAs``, ``skos:*Match``, ``rdfs:seeAlso``, or its own predicates with such an IRI as object).
It may not:

* add a triple whose SUBJECT is an article resource (``wmr:``, ``wm:`` or one of our graph names): that
  would re-label an entity or change what the catalogue answers about it;
* add a triple whose SUBJECT is under the project's namespace ``https://w3id.org/westminster-kg/`` but
  not under its own, ``https://w3id.org/westminster-kg/import/NAME/``: another import's people,
  organisations and memberships are that import's (one triple naming a ``ministers`` person would add
  a row to every query that lists office holders);
* use a relation typed ``wm:EvidencedRelation`` without a ``wm:Claim`` for that very triple carrying a
  quote (``prov:wasDerivedFrom/oa:hasSelector/oa:exact``): that would add an edge no words support.

Blank nodes are given IRIs as they are read (``skolemised``): ``.../import/NAME/.well-known/genid/N``,
numbered in the order the file first mentions them, so the same file always gives the same IRIs.
Resources named by IRIs never need canonicalising in a dump, however alike they look
(``westminster_kg.store.canonical``).

``wmkg import`` refuses such data before writing anything; ``wmkg validate`` applies the same rules to
the files already in ``imports/``.
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

PROJECT_SPACE = "https://w3id.org/westminster-kg/"
IMPORT_SPACE = PROJECT_SPACE + "import/"
GENID = ".well-known/genid/"  # RDF 1.1 Concepts §3.5: skolem IRIs of blank nodes

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


def import_namespace(name: str) -> str:
    """The namespace import ``name`` mints its resources under (and may describe)."""
    return f"{IMPORT_SPACE}{name}/"


def owner_of(term: object, own: str) -> str | None:
    """Whom ``term`` belongs to when import ``own`` may not describe it ("the article", "the import
    'ministers'", "the project"); ``None`` when it may: its own namespace, or one outside the project's."""
    if not isinstance(term, ox.NamedNode):
        return None
    iri = term.value
    if iri.startswith(ARTICLE_SPACES):
        return "the article"
    mine = import_namespace(own)
    if not iri.startswith(PROJECT_SPACE) or iri.startswith(mine) or iri in (mine[:-1], mine[:-1] + "#"):
        return None
    other = iri[len(IMPORT_SPACE) :].split("/", 1)[0].split("#", 1)[0] if iri.startswith(IMPORT_SPACE) else ""
    return f"the import {other!r}" if other else f"the project ({PROJECT_SPACE})"


def allowed_quads(
    quads: Iterable[ox.Quad], source: str, line_of: Callable[[ox.Quad], int | None], own: str
) -> Iterator[ox.Quad]:
    """``quads`` passed through one by one; ``InputError`` at the first whose subject import ``own`` may
    not describe: the article's, another import's or elsewhere in the project's namespace."""
    for quad in quads:
        owner = owner_of(quad.subject, own)
        if owner is not None:
            raise InputError(
                f"{_where(source, line_of(quad))}: <{quad.subject.value}> belongs to {owner}: import {own!r} may not "
                f"say anything about it (here <{quad.predicate.value}>); describe your own resource (under "
                f"{import_namespace(own)} or any namespace not ours) and link it with owl:sameAs, "
                "skos:exactMatch or rdfs:seeAlso"
            )
        yield quad


class Skolemiser:
    """Blank nodes of import ``own`` as IRIs of its own, numbered in the order the quads first mention
    them: ``.../import/NAME/.well-known/genid/1``, ``/2``, ... across every file of one import.

    One dictionary entry per distinct blank node is kept while reading (about 200 bytes each).
    """

    def __init__(self, own: str) -> None:
        self.base = import_namespace(own) + GENID
        self.names: dict[tuple[str, str], ox.NamedNode] = {}

    def named(self, term: ox.BlankNode, scope: str) -> ox.NamedNode:
        """The IRI of blank node ``term`` of the file ``scope`` (two files' ``_:b0`` are two nodes)."""
        key = (scope, term.value)
        iri = self.names.get(key)
        if iri is None:
            iri = self.names[key] = ox.NamedNode(f"{self.base}{len(self.names) + 1}")
        return iri

    def quads(self, quads: Iterable[ox.Quad], scope: str = "") -> Iterator[ox.Quad]:
        """``quads`` with every blank node replaced by its IRI."""
        for quad in quads:
            subject, value = quad.subject, quad.object
            if isinstance(subject, ox.BlankNode) or isinstance(value, ox.BlankNode):
                subject = self.named(subject, scope) if isinstance(subject, ox.BlankNode) else subject
                value = self.named(value, scope) if isinstance(value, ox.BlankNode) else value
                quad = ox.Quad(subject, quad.predicate, value, quad.graph_name)
            yield quad


def skolemised(quads: Iterable[ox.Quad], own: str) -> Iterator[ox.Quad]:
    """``quads`` of one file of import ``own`` with every blank node an IRI of its own (``Skolemiser``)."""
    return Skolemiser(own).quads(quads)


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
    own: str,
) -> None:
    """Raise ``InputError`` (``source:line: ...``) at the first triple import ``own`` may not add."""
    store = ox.Store()
    store.extend(
        quad if isinstance(quad.graph_name, ox.NamedNode) else ox.Quad(quad.subject, quad.predicate, quad.object, _ANY)
        for quad in allowed_quads(quads, source, line_of, own)
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
        if not subject or GENID in subject:  # a blank node, named by us: the file does not spell it
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
    "Skolemiser",
    "ARTICLE_SPACES",
    "GENID",
    "IMPORT_SPACE",
    "PROJECT_SPACE",
    "allowed_quads",
    "check_evidence",
    "check_import",
    "evidenced_relations",
    "import_namespace",
    "is_article_resource",
    "line_finder",
    "owner_of",
    "skolemised",
]
