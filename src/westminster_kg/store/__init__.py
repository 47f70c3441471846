"""Stores behind the knowledge graph, chosen by name from a small registry.

Every store loads the same source files into the same named graphs, answers SPARQL 1.1 queries
over the union of its graphs, and returns rdflib terms, so results compare across stores.
Stores are read-only to queries: an update is refused with a ``QueryError``.

This module holds what every backend shares (``QueryResult``, the ``Store`` protocol,
``syntax_error``) and the registry ``BACKENDS``: a backend's name maps to the dotted path of its
class, imported only when that backend is opened (as rdflib's plugin registry does). So importing
``westminster_kg.store`` imports no backend, and a new backend is one ``register`` call:

* ``memory`` — rdflib's in-memory Dataset, the reference (``westminster_kg.store.memory``);
* ``oxigraph`` — pyoxigraph in memory, the default (``westminster_kg.store.oxigraph``);
* ``disk`` — pyoxigraph on disk, rebuilt only when the sources change (``westminster_kg.store.disk``);
* ``endpoint`` — any SPARQL 1.1 endpoint over HTTP (``westminster_kg.store.endpoint``).
"""

from __future__ import annotations

import csv
import importlib
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from westminster_kg.errors import QueryError, StoreError
from westminster_kg.project import Project, SourceFile

Term = URIRef | BNode | Literal
Quad = tuple[Node, Node, Node, Node | None]


@dataclass
class QueryResult:
    """The answer to one query: solutions (SELECT), a boolean (ASK) or a graph (CONSTRUCT)."""

    kind: str  # "select", "ask" or "graph"
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None
    # Set by KnowledgeGraph for a named query: each parameter as given ("government",
    # "Blair Government (1997-2007)"), notes on how it was read, and IRI -> label to show.
    filters: list[tuple[str, str]] = field(default_factory=list, compare=False)
    notes: list[str] = field(default_factory=list, compare=False)
    labels: Mapping[str, str] | None = field(default=None, compare=False, repr=False)

    def summary(self) -> str:
        """The row count with the filters applied: "0 rows with government = ..."."""
        from westminster_kg.readable import count_line

        if self.kind == "ask":
            return f"answer: {'yes' if self.boolean else 'no'}"
        if self.kind == "graph":
            return f"{len(self)} triple{'' if len(self) == 1 else 's'}"
        return count_line(len(self.rows), self.filters)

    def _repr_html_(self) -> str:
        """How Jupyter shows a result: the row count, notes, the key columns and every quote in full."""
        from westminster_kg.readable import result_html

        if self.kind != "select":
            import html

            return f"<p><strong>{html.escape(self.summary())}</strong></p>"
        labels = self.labels or {}
        return result_html(self.variables, self.rows, labels.get, filters=self.filters, notes=self.notes)

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
            text = _sparql_xml(self)
            bad = xml_forbidden(text)
            if bad is not None:
                # XML 1.0 cannot carry these at all, not even as character references (spec 2.2):
                # refuse rather than write a document no XML parser reads.
                raise QueryError(f"the result holds U+{ord(bad):04X}, which XML 1.0 cannot carry: use json, csv or tsv")
            return text
        if fmt in ("csv", "tsv"):
            return _sparql_delimited(self, fmt, neutralise_formulas)
        raise QueryError(f"unknown result format {fmt!r}: use json, xml, csv or tsv")


_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_forbidden(text: str) -> str | None:
    """The first character XML 1.0 forbids in ``text`` (C0 controls but tab/LF/CR, surrogates, U+FFFE/F)."""
    match = _XML_FORBIDDEN.search(text)
    return match.group(0) if match else None


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


_TSV_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _tsv_cell(term: Term) -> str:
    # SPARQL TSV writes terms in Turtle syntax, one row a line: a literal's tab or line break would
    # split its cell or row, so literals are written in the short form with every such character
    # escaped (n3() would use the long """…""" form, which keeps them raw).
    if not isinstance(term, Literal):
        return term.n3()
    text = '"' + str(term).translate(_TSV_ESCAPES) + '"'
    if term.language:
        return f"{text}@{term.language}"
    if term.datatype and term.datatype != XSD.string:
        return f"{text}^^<{term.datatype}>"
    return text


# --- query checks shared by every store --------------------------------------------------------

_POSITION = re.compile(r"(?:error at |line:?\s*)(\d+)[:,]\s*(?:col(?:umn)?:?\s*)?(\d+)", re.IGNORECASE)


def syntax_error(query: str, message: str) -> QueryError:
    """A ``QueryError`` for a malformed query, an empty one, or an update sent where only queries go.

    Whether the text is an update is read lexically (``sparql_reading``), not by parsing it again.
    """
    from westminster_kg.sparql_reading import UPDATE_KEYWORDS, read_query

    if not query.strip():
        return QueryError("the query is empty: send a SELECT, ASK, CONSTRUCT or DESCRIBE query")
    try:
        form = read_query(query).form
    except QueryError as exc:
        return exc
    if form in UPDATE_KEYWORDS:
        return QueryError("SPARQL updates are refused: the knowledge graph is read-only to queries")
    match = _POSITION.search(message)
    where = f" at line {match.group(1)}, column {match.group(2)}" if match else ""
    detail = message.split("\n")[0]
    return QueryError(f"SPARQL syntax error{where}: {detail}")


class Store(Protocol):
    """What every store offers the rest of the package."""

    name: str

    def load(self, sources: Iterable[SourceFile], project: Project | None = None) -> None:
        """Load files into their named graphs, all or nothing."""

    def query(self, sparql: str, *, prefixes: Mapping[str, str] | None = None) -> QueryResult:
        """Answer a SPARQL 1.1 query over the union of all graphs.

        ``prefixes`` are predeclared for the query (the standard ``PREFIXES`` when ``None``; ``{}``
        for none): the query's own ``PREFIX`` lines win, and no text is added to the query, so an
        error's line and column are the query's own.
        """

    def quads(self) -> Iterator[Quad]:
        """Every quad (graph ``None`` for the default graph)."""

    def drop_graph(self, graph: str) -> None:
        """Remove a named graph."""

    def __len__(self) -> int: ...


def source_location(source: SourceFile, project: Project | None, line: int | None) -> str:
    """``file:line`` of ``source`` for messages (relative to the project when there is one)."""
    name = project.relative(source.path) if project else str(source.path)
    return f"{name}:{line}" if line else name


# --- the registry -------------------------------------------------------------------------------

BACKENDS: dict[str, str] = {
    "memory": "westminster_kg.store.memory:MemoryStore",
    "oxigraph": "westminster_kg.store.oxigraph:OxigraphStore",
    "disk": "westminster_kg.store.disk:PersistentOxigraphStore",
    "endpoint": "westminster_kg.store.endpoint:EndpointStore",
}


def register(name: str, path: str) -> None:
    """Make a backend class available under ``name``.

    Args:
        name: the backend's name, as ``open_store`` and ``backend_class`` take it.
        path: ``package.module:ClassName``; the module is imported on first use only.
    """
    BACKENDS[name] = path


def backend_class(name: str) -> type:
    """The class registered as ``name``, its module imported now (``StoreError`` for unknown names)."""
    try:
        module, _, attribute = BACKENDS[name].partition(":")
    except KeyError:
        raise StoreError(f"unknown backend {name!r}: use {' or '.join(sorted(BACKENDS))}") from None
    return getattr(importlib.import_module(module), attribute)


def open_store(
    backend: str = "oxigraph",
    path: Path | str | None = None,
    *,
    endpoint: str | None = None,
    update_endpoint: str | None = None,
) -> Store:
    """A store: ``oxigraph`` (in memory, or persistent on disk at ``path``), ``memory``, or a SPARQL
    endpoint (``endpoint``, with ``update_endpoint`` to load it; see ``westminster_kg.store.endpoint``).

    The persistent store keeps what it loaded and is rebuilt only when the source files change
    (``westminster_kg.store.disk``); the others start empty.
    """
    if endpoint is not None:
        if path is not None:
            raise StoreError("a store folder and an endpoint exclude each other: the endpoint keeps the data")
        return backend_class("endpoint")(endpoint, update_endpoint)
    if update_endpoint is not None:
        raise StoreError("an update endpoint needs the query endpoint (the URL queries go to)")
    if backend not in ("oxigraph", "memory"):
        raise StoreError(f"unknown backend {backend!r}: use oxigraph or memory")
    if path is not None:
        if backend == "memory":
            raise StoreError("the memory backend keeps nothing on disk: give no store folder, or use oxigraph")
        return backend_class("disk")(path)
    return backend_class(backend)()


__all__ = [
    "BACKENDS",
    "Quad",
    "QueryResult",
    "Store",
    "Term",
    "backend_class",
    "open_store",
    "register",
    "source_location",
    "syntax_error",
    "xml_forbidden",
]
