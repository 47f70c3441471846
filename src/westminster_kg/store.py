"""Stores behind the knowledge graph: rdflib memory (the reference) and Oxigraph (the default).

Every store loads the same source files into the same named graphs, answers SPARQL 1.1 queries
over the union of its graphs, and returns rdflib terms, so results compare across stores.
Stores here are read-only to queries: an update is refused with a ``QueryError``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from westminster_kg.catalogue import check_nesting
from westminster_kg.errors import InputError, QueryError, StoreError
from westminster_kg.project import Project, SourceFile

Term = URIRef | BNode | Literal
Quad = tuple[Node, Node, Node, Node | None]

_OX_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "nquads": ox.RdfFormat.N_QUADS,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "trig": ox.RdfFormat.TRIG,
}


@dataclass
class QueryResult:
    """The answer to one query: solutions (SELECT), a boolean (ASK) or a graph (CONSTRUCT)."""

    kind: str  # "select", "ask" or "graph"
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None

    def __len__(self) -> int:
        return len(self.rows) if self.kind == "select" else len(self.graph or ())

    def to_dicts(self) -> list[dict[str, Term | None]]:
        """The solutions as dictionaries keyed by variable name."""
        return [dict(zip(self.variables, row, strict=True)) for row in self.rows]

    def to_python(self) -> list[dict[str, Any]]:
        """The solutions with literals as Python values and IRIs as strings (for notebooks)."""
        return [
            {k: (v.toPython() if isinstance(v, Literal) else (None if v is None else str(v))) for k, v in row.items()}
            for row in self.to_dicts()
        ]

    def to_dataframe(self) -> Any:
        """A pandas DataFrame of the solutions (needs pandas)."""
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise StoreError("to_dataframe() needs pandas: pip install pandas") from exc
        return pd.DataFrame(self.to_python(), columns=self.variables)

    def canonical(self) -> list[tuple[str, ...]]:
        """Rows as sorted N-Triples strings with blank nodes blanked: equal across stores."""

        def show(term: Term | None) -> str:
            if term is None:
                return ""
            if isinstance(term, BNode):
                return "_:b"
            return term.n3()

        if self.kind == "ask":
            return [(str(self.boolean),)]
        if self.kind == "graph":
            return sorted((show(s), show(p), show(o)) for s, p, o in self.graph or ())
        return sorted(tuple(show(t) for t in row) for row in self.rows)

    def serialize(self, fmt: str, *, neutralise_formulas: bool = True) -> str:
        """Write the result as ``json``, ``xml``, ``csv`` or ``tsv`` (SPARQL 1.1 result formats).

        CSV cells that a spreadsheet would run as a formula (leading ``= + - @``) get a leading
        apostrophe unless ``neutralise_formulas`` is false.
        """
        if self.kind == "graph":
            raise QueryError(f"a CONSTRUCT/DESCRIBE result is a graph: use turtle, nt or jsonld, not {fmt}")
        if fmt == "json":
            return json.dumps(_sparql_json(self), ensure_ascii=False, indent=1)
        if fmt == "xml":
            return _sparql_xml(self)
        if fmt in ("csv", "tsv"):
            return _sparql_delimited(self, fmt, neutralise_formulas)
        raise QueryError(f"unknown result format {fmt!r}: use json, xml, csv or tsv")


def _term_json(term: Term) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    out = {"type": "literal", "value": str(term)}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype and term.datatype != XSD.string:
        out["datatype"] = str(term.datatype)
    return out


def _sparql_json(result: QueryResult) -> dict[str, Any]:
    if result.kind == "ask":
        return {"head": {}, "boolean": bool(result.boolean)}
    bindings = [
        {v: _term_json(t) for v, t in zip(result.variables, row, strict=True) if t is not None} for row in result.rows
    ]
    return {"head": {"vars": result.variables}, "results": {"bindings": bindings}}


def _sparql_xml(result: QueryResult) -> str:
    from xml.sax.saxutils import escape, quoteattr

    out = ['<?xml version="1.0"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">']
    out.append("<head>" + "".join(f"<variable name={quoteattr(v)}/>" for v in result.variables) + "</head>")
    if result.kind == "ask":
        out.append(f"<boolean>{'true' if result.boolean else 'false'}</boolean>")
    else:
        out.append("<results>")
        for row in result.rows:
            out.append("<result>")
            for var, term in zip(result.variables, row, strict=True):
                if term is None:
                    continue
                if isinstance(term, URIRef):
                    value = f"<uri>{escape(str(term))}</uri>"
                elif isinstance(term, BNode):
                    value = f"<bnode>{escape(str(term))}</bnode>"
                else:
                    attrs = ""
                    if term.language:
                        attrs = f" xml:lang={quoteattr(term.language)}"
                    elif term.datatype and term.datatype != XSD.string:
                        attrs = f" datatype={quoteattr(str(term.datatype))}"
                    value = f"<literal{attrs}>{escape(str(term))}</literal>"
                out.append(f"<binding name={quoteattr(var)}>{value}</binding>")
            out.append("</result>")
        out.append("</results>")
    out.append("</sparql>")
    return "\n".join(out) + "\n"


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _sparql_delimited(result: QueryResult, fmt: str, neutralise: bool) -> str:
    buffer = io.StringIO()
    if result.kind == "ask":
        return "boolean\n" + ("true" if result.boolean else "false") + "\n"
    if fmt == "tsv":
        buffer.write("\t".join("?" + v for v in result.variables) + "\n")
        for row in result.rows:
            buffer.write("\t".join("" if t is None else _tsv_cell(t) for t in row) + "\n")
        return buffer.getvalue()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in result.rows:
        cells = ["" if t is None else str(t) for t in row]
        if neutralise:
            cells = ["'" + c if c.startswith(_FORMULA_START) else c for c in cells]
        writer.writerow(cells)
    return buffer.getvalue()


def _tsv_cell(term: Term) -> str:
    # SPARQL TSV writes terms in Turtle syntax; n3() escapes tabs and newlines inside literals.
    return term.n3()


# --- term conversion ---------------------------------------------------------------------------


def from_ox(term: Any) -> Term | None:
    """An rdflib term for a pyoxigraph term (``None`` stays ``None``)."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == str(XSD.string):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise StoreError(f"unsupported term from Oxigraph: {term!r}")


def to_ox(term: Node) -> Any:
    """A pyoxigraph term for an rdflib term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise StoreError(f"unsupported term: {term!r}")


# --- query checks shared by every store --------------------------------------------------------

_POSITION = re.compile(r"(?:error at |line:?\s*)(\d+)[:,]\s*(?:col(?:umn)?:?\s*)?(\d+)", re.IGNORECASE)


def syntax_error(query: str, message: str) -> QueryError:
    """A ``QueryError`` for a malformed query, or for an update sent where only queries go."""
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        parseUpdate(query)
    except Exception:  # noqa: BLE001 - any failure means: not a valid update either
        match = _POSITION.search(message)
        where = f" at line {match.group(1)}, column {match.group(2)}" if match else ""
        detail = message.split("\n")[0]
        return QueryError(f"SPARQL syntax error{where}: {detail}")
    return QueryError("SPARQL updates are refused: the knowledge graph is read-only to queries")


class Store(Protocol):
    """What every store offers the rest of the package."""

    name: str

    def load(self, sources: Iterable[SourceFile], project: Project | None = None) -> None:
        """Load files into their named graphs, all or nothing."""

    def query(self, sparql: str) -> QueryResult:
        """Answer a SPARQL 1.1 query over the union of all graphs."""

    def quads(self) -> Iterator[Quad]:
        """Every quad (graph ``None`` for the default graph)."""

    def drop_graph(self, graph: str) -> None:
        """Remove a named graph."""

    def __len__(self) -> int: ...


def _where(source: SourceFile, project: Project | None, line: int | None) -> str:
    name = project.relative(source.path) if project else str(source.path)
    return f"{name}:{line}" if line else name


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
            try:
                staging.load(
                    path=str(source.path),
                    format=_OX_FORMATS[source.format],
                    to_graph=ox.NamedNode(source.graph),
                )
            except SyntaxError as exc:
                line = exc.args[1][1] if len(exc.args) > 1 and exc.args[1] else None
                raise InputError(f"{_where(source, project, line)}: {exc.args[0]}") from exc
            except OSError as exc:
                raise InputError(f"{_where(source, project, None)}: {exc}") from exc
        # Everything parsed: copy in one go, so the real store never holds half a load.
        self.store.extend(staging)
        if self.path is not None:
            self.store.flush()

    def query(self, sparql: str) -> QueryResult:
        """Answer a query over the union of graphs."""
        check_nesting(sparql)
        try:
            answer = self.store.query(sparql, use_default_graph_as_union=True)
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


def _ox_result(answer: Any) -> QueryResult:
    if isinstance(answer, ox.QueryBoolean):
        return QueryResult("ask", boolean=bool(answer))
    if isinstance(answer, ox.QuerySolutions):
        variables = [v.value for v in answer.variables]
        rows = [tuple(from_ox(solution[v]) for v in variables) for solution in answer]
        return QueryResult("select", variables, rows)
    graph = Graph()
    for triple in answer:
        graph.add((from_ox(triple.subject), from_ox(triple.predicate), from_ox(triple.object)))
    return QueryResult("graph", graph=graph)


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
                raise InputError(f"{_where(source, project, line)}: {why}") from exc
        for quad in staging.quads((None, None, None, None)):
            self.dataset.add(quad)

    def query(self, sparql: str) -> QueryResult:
        """Answer a query with rdflib's SPARQL engine."""
        from rdflib.plugins.sparql import prepareQuery

        check_nesting(sparql)
        try:
            prepared = prepareQuery(sparql)
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


def open_store(
    backend: str = "oxigraph",
    path: Path | str | None = None,
    *,
    endpoint: str | None = None,
    update_endpoint: str | None = None,
) -> Store:
    """A store: ``oxigraph`` (in memory, or persistent on disk at ``path``), ``memory``, or a SPARQL
    endpoint (``endpoint``, with ``update_endpoint`` to load it; see ``westminster_kg.endpoint``).

    The persistent store keeps what it loaded and is rebuilt only when the source files change
    (``westminster_kg.persistent``); the others start empty.
    """
    if endpoint is not None:
        if path is not None:
            raise StoreError("--store and --endpoint exclude each other: the endpoint keeps the data")
        from westminster_kg.endpoint import EndpointStore

        return EndpointStore(endpoint, update_endpoint)
    if update_endpoint is not None:
        raise StoreError("--update-endpoint needs --endpoint (the URL queries go to)")
    if backend == "oxigraph":
        if path is not None:
            from westminster_kg.persistent import PersistentOxigraphStore

            return PersistentOxigraphStore(path)
        return OxigraphStore(path)
    if backend == "memory":
        if path is not None:
            raise StoreError("the memory backend keeps nothing on disk: drop --store or use oxigraph")
        return MemoryStore()
    raise StoreError(f"unknown backend {backend!r}: use oxigraph or memory")
