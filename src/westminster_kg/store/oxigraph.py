"""The default store: pyoxigraph, in memory (or on disk at a path), and term conversion to rdflib."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph

from westminster_kg.errors import InputError, StoreError
from westminster_kg.namespaces import PREFIXES
from westminster_kg.project import Project, SourceFile
from westminster_kg.sparql_text import check_nesting
from westminster_kg.store import Quad, QueryResult, source_location, syntax_error
from westminster_kg.terms import from_ox, to_ox

OX_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "nquads": ox.RdfFormat.N_QUADS,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "trig": ox.RdfFormat.TRIG,
}


def ox_quads(store: Any) -> Iterator[Any]:
    """Every quad of ``store`` as pyoxigraph terms: read natively from an Oxigraph store, converted from any other."""
    if isinstance(store, OxigraphStore):
        return iter(store.store)
    return (
        ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.DefaultGraph() if g is None else to_ox(g))
        for s, p, o, g in store.quads()
    )


class OxigraphStore:
    """pyoxigraph, in memory (default) or on disk at ``path``."""

    name = "oxigraph"

    def __init__(self, path: Path | str | None = None, *, read_only: bool = False) -> None:
        try:
            if path is None:
                self.store = ox.Store()
            elif read_only:
                self.store = ox.Store.read_only(str(path))
            else:
                self.store = ox.Store(str(path))
        except OSError as exc:
            raise StoreError(f"{path}: cannot open the Oxigraph store: {exc}") from exc
        self.path = Path(path) if path else None

    def load(self, sources: Iterable[SourceFile], project: Project | None = None) -> None:
        """Load files; a file that fails to parse is named with its line and leaves nothing."""
        sources = list(sources)
        staging = ox.Store()
        for source in sources:
            parse_into(staging, source, project)
        # Everything parsed: copy in one go, so the real store never holds half a load.
        self.store.extend(staging)
        if self.path is not None:
            self.store.flush()

    def query(self, sparql: str, *, prefixes: Mapping[str, str] | None = None) -> QueryResult:
        """Answer a query over the union of graphs (``prefixes``: see ``Store.query``)."""
        check_nesting(sparql)
        try:
            answer = self.store.query(
                sparql, use_default_graph_as_union=True, prefixes=dict(PREFIXES if prefixes is None else prefixes)
            )
        except SyntaxError as exc:
            raise syntax_error(sparql, str(exc)) from exc
        except OSError as exc:
            raise StoreError(f"Oxigraph failed to answer: {exc}") from exc
        return _ox_result(answer)

    def quads(self) -> Iterator[Quad]:
        """Every quad as rdflib terms."""
        for q in self.store:
            graph = None if isinstance(q.graph_name, ox.DefaultGraph) else from_ox(q.graph_name)
            yield from_ox(q.subject), from_ox(q.predicate), from_ox(q.object), graph

    def drop_graph(self, graph: str) -> None:
        """Remove a named graph (no error when absent)."""
        node = ox.NamedNode(graph)
        if node in set(self.store.named_graphs()):
            self.store.remove_graph(node)

    def __len__(self) -> int:
        return len(self.store)


def parse_into(store: Any, source: SourceFile, project: Project | None, graph: Any = None) -> None:
    """Parse one file into ``store``, in ``graph`` (default: ``source.graph``); an error names file:line.

    Args:
        store: a pyoxigraph ``Store``.
        source: the file, its format and its graph.
        project: to name the file relative to the project's root in errors.
        graph: a pyoxigraph ``NamedNode`` to load into instead of ``source.graph``.
    """
    try:
        store.load(
            path=str(source.path),
            format=OX_FORMATS[source.format],
            to_graph=ox.NamedNode(source.graph) if graph is None else graph,
        )
    except SyntaxError as exc:
        line = exc.args[1][1] if len(exc.args) > 1 and exc.args[1] else None
        raise InputError(f"{source_location(source, project, line)}: {exc.args[0]}") from exc
    except OSError as exc:
        raise InputError(f"{source_location(source, project, None)}: {exc}") from exc


def _ox_result(answer: Any) -> QueryResult:
    if isinstance(answer, ox.QueryBoolean):
        return QueryResult("ask", boolean=bool(answer))
    if isinstance(answer, ox.QuerySolutions):
        variables = [v.value for v in answer.variables]
        # A solution iterates over its values in the order of the variables, ``None`` where unbound.
        rows = [tuple(map(from_ox, solution)) for solution in answer]
        return QueryResult("select", variables, rows)
    graph = Graph()
    for triple in answer:
        graph.add((from_ox(triple.subject), from_ox(triple.predicate), from_ox(triple.object)))
    return QueryResult("graph", graph=graph)


__all__ = ["OX_FORMATS", "OxigraphStore", "from_ox", "parse_into", "to_ox"]
