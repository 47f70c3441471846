"""The project's files as ``wmkg validate`` reads them: parsed once, by Oxigraph, into one store.

The store is the one ``wmkg query`` loads (each folder's files in the folder's graph, queries over
their union): the check queries, SHACL and the Python checks all read it. Which file describes an
entity is only needed to name files in findings, so each file's own graph is read (parsed into a
second store) the first time a finding asks.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from westminster_kg.namespaces import WM, curie
from westminster_kg.project import Project, SourceFile
from westminster_kg.store.oxigraph import OxigraphStore, from_ox, parse_into, to_ox

TYPE = RDF.type  # built once: each rdflib namespace attribute is a new IRI
FILE_GRAPH = "urn:x-westminster-kg:validate:file:"  # + the file's index: one graph per file
COUNT_DISTINCT = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"


class GraphView:
    """The union of a pyoxigraph store's graphs, each triple once, read the way rdflib's ``Graph`` is.

    A predicate's triples are read in one sweep the first time a look-up names it (rdf:type's are
    looked up one by one: there are many), and each term is converted once.
    """

    def __init__(self, store: Any) -> None:
        self.store = store
        self._forward: dict[Node, dict[Any, list[Any]]] = {}
        self._backward: dict[Node, dict[Any, list[Any]]] = {}
        self._rdflib: dict[Any, Node] = {}
        self._ox: dict[Node, Any] = {}

    def _term(self, node: Any) -> Node:
        if node not in self._rdflib:
            self._rdflib[node] = from_ox(node)
        return self._rdflib[node]

    def _oxigraph(self, term: Node) -> Any:
        if term not in self._ox:
            self._ox[term] = to_ox(term)
        return self._ox[term]

    def _triples(self, subject: Node | None, predicate: Node | None, obj: Node | None) -> list[Any]:
        pattern = (None if term is None else self._oxigraph(term) for term in (subject, predicate, obj))
        # A triple two graphs hold comes back once per graph: rdflib's merged graph held it once.
        return list(dict.fromkeys(q.triple for q in self.store.quads_for_pattern(*pattern, None)))

    def _index(self, predicate: Node) -> tuple[dict[Any, list[Any]], dict[Any, list[Any]]]:
        if predicate not in self._forward:
            forward: dict[Any, list[Any]] = {}
            backward: dict[Any, list[Any]] = {}
            for triple in self._triples(None, predicate, None):
                forward.setdefault(triple.subject, []).append(triple.object)
                backward.setdefault(triple.object, []).append(triple.subject)
            self._forward[predicate], self._backward[predicate] = forward, backward
        return self._forward[predicate], self._backward[predicate]

    def triples(self, pattern: tuple[Node | None, Node | None, Node | None]) -> Iterator[tuple[Node, Node, Node]]:
        """The triples matching ``(subject, predicate, object)``, ``None`` matching anything."""
        for triple in self._triples(*pattern):
            yield self._term(triple.subject), self._term(triple.predicate), self._term(triple.object)

    def value(self, subject: Node, predicate: Node) -> Node | None:
        """One object of ``subject``'s ``predicate``, or ``None``."""
        return next(self.objects(subject, predicate), None)

    def subjects(self, predicate: Node | None = None, obj: Node | None = None) -> Iterator[Node]:
        """The subjects of the triples with ``predicate`` and ``obj``."""
        if predicate is None or obj is None or predicate == TYPE:
            return (self._term(triple.subject) for triple in self._triples(None, predicate, obj))
        return (self._term(s) for s in self._index(predicate)[1].get(self._oxigraph(obj), ()))

    def objects(self, subject: Node | None = None, predicate: Node | None = None) -> Iterator[Node]:
        """The objects of the triples with ``subject`` and ``predicate``."""
        if predicate is None or subject is None or predicate == TYPE:
            return (self._term(triple.object) for triple in self._triples(subject, predicate, None))
        return (self._term(o) for o in self._index(predicate)[0].get(self._oxigraph(subject), ()))

    def subject_objects(self, predicate: Node | None = None) -> Iterator[tuple[Node, Node]]:
        """(subject, object) of each triple with ``predicate``."""
        return ((self._term(t.subject), self._term(t.object)) for t in self._triples(None, predicate, None))

    def __contains__(self, triple: tuple[Node | None, Node | None, Node | None]) -> bool:
        pattern = (None if term is None else self._oxigraph(term) for term in triple)
        return next(iter(self.store.quads_for_pattern(*pattern, None)), None) is not None


class ProjectData:
    """The project's files in one store (see the module docstring), and which file says what.

    Attributes:
        store: the store the check queries read (``wmkg query``'s: the union of the folders' graphs).
        graph: the same data read as an rdflib ``Graph`` would be, every file merged.
    """

    def __init__(self, project: Project, sources: list[SourceFile]) -> None:
        self.project = project
        self.sources = sources
        self.store = OxigraphStore()
        for source in sources:
            parse_into(self.store.store, source, project)  # a parse error names file:line
        self.graph = GraphView(self.store.store)
        self._per_file: list[tuple[str, Any]] | None = None
        self._files_store = ox.Store()
        self._file_of: dict[Node, str] = {}
        self._triaged_in: dict[str, str] | None = None

    def merged(self) -> Any:
        """A pyoxigraph store whose union holds each triple once, as the rdflib graph SHACL read did.

        The store itself, unless two folders' files state the same triple (then a copy, merged).
        """
        store = self.store.store
        distinct = next(iter(store.query(COUNT_DISTINCT, use_default_graph_as_union=True)))["n"]
        if int(distinct.value) == len(store):  # the store holds each triple in one graph only
            return store
        merged = ox.Store()
        merged.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in dict.fromkeys(q.triple for q in store))
        return merged

    def rdflib_graph(self) -> Graph:
        """Every file merged, as an rdflib ``Graph`` (for pyshacl)."""
        graph = Graph()
        for triple in self.graph.triples((None, None, None)):
            graph.add(triple)
        return graph

    def files(self) -> list[tuple[str, Any]]:
        """(path relative to the root, the file's graph) for each file, in the project's order."""
        if self._per_file is None:
            self._per_file = []
            for index, source in enumerate(self.sources):
                graph = ox.NamedNode(f"{FILE_GRAPH}{index}")
                parse_into(self._files_store, source, self.project, graph)
                self._per_file.append((self.project.relative(source.path), graph))
        return self._per_file

    def owner(self, node: object) -> object:
        """The IRI that holds ``node`` (a blank node's nearest IRI ancestor)."""
        seen = set()
        while isinstance(node, BNode) and node not in seen:
            seen.add(node)
            parent = next(self.graph.subjects(None, node), None)
            if parent is None:
                break
            node = parent
        return node

    def file_of(self, subject: object) -> str:
        """The first file (in the project's order) with ``subject`` as a subject, or ``""``."""
        if not isinstance(subject, URIRef):
            return ""
        if subject not in self._file_of:
            term = to_ox(subject)
            described = (name for name, graph in self.files() if self._describes(graph, term))
            self._file_of[subject] = next(described, "")
        return self._file_of[subject]

    def _describes(self, graph: Any, subject: Any) -> bool:
        return next(self._files_store.quads_for_pattern(subject, None, None, graph), None) is not None

    def where(self, node: object) -> tuple[str, str]:
        """(file, entity) for a node."""
        owner = self.owner(node)
        entity = curie(owner, brackets=True) if isinstance(owner, URIRef) else ""
        return self.file_of(owner), entity

    def triaged_in(self) -> dict[str, str]:
        """Section IRI -> the file that declares it ``wm:triaged true`` (the last such file)."""
        if self._triaged_in is not None:
            return self._triaged_in
        declared: dict[str, str] = {}
        triaged = to_ox(WM.triaged)
        for name, graph in self.files():
            for quad in self._files_store.quads_for_pattern(None, triaged, None, graph):
                first = next(self._files_store.quads_for_pattern(quad.subject, triaged, None, graph))
                if from_ox(first.object).toPython() is True:
                    declared[quad.subject.value] = name
        self._triaged_in = declared
        return declared


__all__ = ["GraphView", "ProjectData"]
