"""What travels between the web app and its query workers: a job, its limits, and its outcome.

A ``QueryJob`` is a query template and the terms bound to it (``westminster_kg.bound``), the Protocol's
dataset and base IRI, and, when the worker should write the answer itself, the client's ``Accept``.
One ``Limits`` carries every bound a query runs under. The worker answers with one outcome:
``Answer`` (rows or a graph), ``Body`` (an answer already written in a media type), ``Problem`` (a
well-formed answer that cannot be written as asked: 406) or ``Refusal`` (the query was not run or
failed: its kind says which status it gets). All are pickled across the worker's pipe.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from westminster_kg.bound import BoundQuery, Values

if TYPE_CHECKING:
    from westminster_kg.store import QueryResult, Term


@dataclass(frozen=True)
class Limits:
    """Every bound a client's query runs under (``wmkg serve`` sets them; see ``Settings``)."""

    timeout: float = 10.0  # seconds from the request's arrival to its answer
    max_rows: int = 10_000  # solutions or triples returned at most
    max_bytes: int = 16 * 1024 * 1024  # bytes of term text in one answer
    max_query_bytes: int = 100_000  # bytes of query text accepted, checked before anything reads it
    parse_seconds: float = 3.0  # reading one query text may take this long


@dataclass(frozen=True)
class QueryJob:
    """One query for a worker: a template and its bound terms, and how to run and answer it."""

    template: str
    values: Values = ()
    default_graphs: tuple[str, ...] = ()  # the Protocol's default-graph-uri
    named_graphs: tuple[str, ...] = ()  # the Protocol's named-graph-uri
    base_iri: str | None = None  # relative IRIs in the query resolve against this (the endpoint's URL)
    accept: str | None = None  # set: the worker writes the answer itself, in the best of these media types
    limits: Limits = field(default_factory=Limits)
    allowed_services: tuple[str, ...] = ()  # SERVICE endpoints a query may call

    @classmethod
    def of(cls, query: BoundQuery, limits: Limits, **options: object) -> QueryJob:
        """The job for a bound query (``options``: the other fields)."""
        return cls(query.template, query.values, limits=limits, **options)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Answer:
    """Rows (``select``), a boolean (``ask``) or triples (``graph``), and whether a limit cut it short.

    Kept as plain rows of rdflib terms (a graph's triples too), which pickle small and fast;
    ``result()`` makes the ``QueryResult`` the rest of the package reads.
    """

    kind: str
    variables: tuple[str, ...] = ()
    rows: tuple[tuple[Term | None, ...], ...] = ()
    boolean: bool | None = None
    truncated: bool = False

    def result(self) -> QueryResult:
        """The answer as a ``QueryResult`` (a graph's triples in an rdflib ``Graph``)."""
        from rdflib import Graph

        from westminster_kg.namespaces import PREFIXES
        from westminster_kg.store import QueryResult

        if self.kind == "ask":
            return QueryResult("ask", boolean=self.boolean)
        if self.kind == "select":
            return QueryResult("select", list(self.variables), list(self.rows))
        graph = Graph()
        for prefix, iri in PREFIXES.items():
            graph.bind(prefix, iri, override=True)
        for triple in self.rows:
            graph.add(triple)  # type: ignore[arg-type]
        return QueryResult("graph", graph=graph)


@dataclass(frozen=True)
class Body:
    """An answer the worker wrote itself: its bytes, media type and whether a limit cut it short."""

    data: bytes
    media: str
    truncated: bool = False


@dataclass(frozen=True)
class Problem:
    """A good answer that cannot be written as the client asked (HTTP ``status``, a one-line message)."""

    status: int
    message: str


@dataclass(frozen=True)
class Refusal:
    """The query was refused or failed: ``kind`` is ``forbidden`` (403), ``syntax`` (400), ``failed``
    (400: the engine's error), or ``limit`` (503: a resource limit of the worker)."""

    kind: str
    message: str


Outcome = Answer | Body | Problem | Refusal

__all__ = ["Answer", "Body", "Limits", "Outcome", "Problem", "QueryJob", "Refusal"]
