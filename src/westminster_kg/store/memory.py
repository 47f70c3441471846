"""The reference store: rdflib's in-memory Dataset, slow but independent of Oxigraph."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING

from rdflib import Dataset, Graph, URIRef

from westminster_kg.errors import InputError, QueryError
from westminster_kg.namespaces import PREFIXES
from westminster_kg.project import Project, SourceFile
from westminster_kg.sparql_text import check_nesting
from westminster_kg.store import Quad, QueryResult, source_location, syntax_error

if TYPE_CHECKING:
    from rdflib.plugins.sparql.sparql import Query


@lru_cache(maxsize=256)
def _prepared(sparql: str, prefixes: tuple[tuple[str, str], ...]) -> Query:
    """``sparql`` parsed and translated by rdflib, once per text and prefixes.

    pyparsing takes a tenth of a second for a catalogue query; a prepared query is rdflib's own way to
    run one text many times (its evaluation reads it and changes nothing).
    """
    from rdflib.plugins.sparql import prepareQuery

    return prepareQuery(sparql, initNs=dict(prefixes))


class MemoryStore:
    """rdflib's in-memory Dataset: slow but independent, the reference the others must match."""

    name = "memory"

    def __init__(self) -> None:
        self.dataset = Dataset(default_union=True)

    def load(self, sources: Iterable[SourceFile], project: Project | None = None) -> None:
        """Parse each file with rdflib's own parsers; a bad file is named with its line."""
        staging = Dataset(default_union=True)
        for source in sources:
            try:
                if source.format == "nquads":
                    # Like Oxigraph: quads without a graph go to the file's graph.
                    parsed = Dataset()
                    parsed.parse(source.path, format="nquads")
                    default = parsed.default_graph.identifier
                    for s, p, o, g in parsed.quads((None, None, None, None)):
                        name = g.identifier if isinstance(g, Graph) else g
                        target = URIRef(source.graph) if name in (None, default) else name
                        staging.graph(target).add((s, p, o))
                else:
                    staging.graph(URIRef(source.graph)).parse(source.path, format=source.format)
            except Exception as exc:  # noqa: BLE001 - rdflib raises many kinds for bad syntax
                line = getattr(exc, "lines", None)
                line = line + 1 if isinstance(line, int) else None
                why = getattr(exc, "_why", None) or str(exc).split("\n")[0]
                raise InputError(f"{source_location(source, project, line)}: {why}") from exc
        for quad in staging.quads((None, None, None, None)):
            self.dataset.add(quad)

    def query(self, sparql: str, *, prefixes: Mapping[str, str] | None = None) -> QueryResult:
        """Answer a query with rdflib's SPARQL engine (``prefixes``: see ``Store.query``)."""
        check_nesting(sparql)
        try:
            prepared = _prepared(sparql, tuple(sorted((PREFIXES if prefixes is None else prefixes).items())))
        except Exception as exc:  # noqa: BLE001 - pyparsing errors have several types
            raise syntax_error(sparql, str(exc)) from exc
        try:
            answer = self.dataset.query(prepared)
            if answer.type == "ASK":
                return QueryResult("ask", boolean=bool(answer.askAnswer))
            if answer.type in ("CONSTRUCT", "DESCRIBE"):
                graph = Graph()
                for triple in answer.graph or ():
                    graph.add(triple)
                return QueryResult("graph", graph=graph)
            variables = [str(v) for v in answer.vars]
            return QueryResult("select", variables, [tuple(row) for row in answer])
        except Exception as exc:  # noqa: BLE001 - rdflib's evaluator raises bare Exceptions
            raise QueryError(f"rdflib could not evaluate the query: {exc}") from exc

    def quads(self) -> Iterator[Quad]:
        """Every quad."""
        for s, p, o, g in self.dataset.quads((None, None, None, None)):
            graph = None if g is None or g == self.dataset.default_graph.identifier else g
            yield s, p, o, (graph.identifier if isinstance(graph, Graph) else graph)

    def drop_graph(self, graph: str) -> None:
        """Remove a named graph."""
        self.dataset.remove_graph(URIRef(graph))

    def __len__(self) -> int:
        return sum(1 for _ in self.dataset.quads((None, None, None, None)))


__all__ = ["MemoryStore"]
