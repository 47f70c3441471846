"""Every query a request or a typed value shapes: a fixed text, and values bound to it as RDF terms.

SPARQL text is never built from values. A ``BoundQuery`` is a template — a catalogue query
(``queries/*.rq``), one the package runs itself (``queries/internal/*.rq``) or a query a client wrote —
and the terms bound to its variables, written as a ``VALUES`` block by ``catalogue.bind`` (which
checks every IRI and writes every literal from its parts). A value can only ever be a term: it cannot
close an IRI, open a group or add a ``SERVICE``.

Where a bound query runs does not change its text: in the caller's process (``run``: the CLI,
notebooks, link candidates), or in the web app's time-limited worker pool (``web.base.WebBase.ask``),
whose worker checks the template once and binds the terms itself. ``tests/test_architecture.py``
fails on SPARQL text built from runtime values anywhere in the package.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rdflib import Literal, URIRef

from westminster_kg.catalogue import bind
from westminster_kg.internal_queries import internal_query

if TYPE_CHECKING:
    from westminster_kg.store import QueryResult, Store

Term = URIRef | Literal
Values = tuple[tuple[str, Term | tuple[Term, ...]], ...]


@dataclass(frozen=True)
class BoundQuery:
    """A query template and the terms bound to its variables (hashable: answers may be kept by it).

    Args:
        template: the query text, exactly as written in its ``.rq`` file or by its client.
        values: (variable, term) pairs, or (variable, tuple of terms) for several solutions.
        name: where the template comes from (an internal or catalogue query's name), for messages.
    """

    template: str
    values: Values = ()
    name: str = ""

    @property
    def text(self) -> str:
        """The template with its values in a ``VALUES`` block (``catalogue.bind``)."""
        return bind(self.template, dict(self.values))


def freeze(values: Mapping[str, Term | Iterable[Term] | None]) -> Values:
    """``values`` as the hashable pairs ``BoundQuery`` keeps: lists become tuples, ``None`` is left out."""
    frozen: list[tuple[str, Term | tuple[Term, ...]]] = []
    for name, value in values.items():
        if value is None:
            continue
        frozen.append((name, value if isinstance(value, URIRef | Literal) else tuple(value)))
    return tuple(frozen)


def internal(name: str, **values: Term | Iterable[Term] | None) -> BoundQuery:
    """``queries/internal/NAME.rq`` with ``values`` bound (a variable given ``None`` stays free)."""
    return BoundQuery(internal_query(name), freeze(values), name)


def run(store: Store, query: BoundQuery) -> QueryResult:
    """Answer ``query`` in this process, from ``store``."""
    return store.query(query.text)


__all__ = ["BoundQuery", "Term", "Values", "freeze", "internal", "run"]
