"""What a query sent to the web app may do, decided on the query as the engine reads it.

Two layers, both before Oxigraph runs the query, both linear in its length:

1. ``check_text`` (server process): the query's size in bytes and its shape cost
   (``sparql_text.check_nesting``, which counts the raw text and so cannot be misled by how it is read).
2. ``inspect_query`` (in the worker, once per query text): one lexical pass by Oxigraph's own rules
   (``westminster_kg.sparql_reading``) finds every ``SERVICE`` and its endpoint, the dataset clause and
   whether the text is an update; an escape outside strings and IRIs, which parsers read differently, is
   refused. Oxigraph then parses the text itself: its syntax errors, and its refusal of functions it
   does not have, come back as one-line errors.

A third layer does not depend on reading the query at all: the workers have no network unless a
``SERVICE`` allow-list is configured (``westminster_kg.web.worker``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from westminster_kg.errors import QueryError
from westminster_kg.namespaces import PREFIXES
from westminster_kg.sparql_reading import UPDATE_KEYWORDS, read_query
from westminster_kg.sparql_text import check_nesting

if TYPE_CHECKING:
    from westminster_kg.web.settings import Settings


class ForbiddenQueryError(QueryError):
    """A well-formed request this endpoint will not run (an update, or a SERVICE not allowed)."""


class QueryTooLargeError(QueryError):
    """A query text over the size limit (``wmkg serve --max-query-bytes``)."""


@dataclass(frozen=True)
class Inspection:
    """What the reading found that the worker needs to run the query as written."""

    has_dataset: bool = False  # the query has a FROM or FROM NAMED clause


def check_text(sparql: str, max_bytes: int) -> None:
    """Refuse, in linear time, a query too large or too deeply shaped to parse safely.

    Raises:
        QueryTooLargeError: over ``max_bytes`` bytes of UTF-8.
        QueryError: too many brackets, path steps or operators (see ``sparql_text.check_nesting``).
    """
    size = len(sparql.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise QueryTooLargeError(
            f"the query is {size} bytes, over the {max_bytes}-byte limit (wmkg serve --max-query-bytes)"
        )
    check_nesting(sparql)


def inspect_query(
    sparql: str,
    allowed_services: list[str] | tuple[str, ...] = (),
    *,
    prefixes: dict[str, str] | None = None,
    base: str | None = None,
) -> Inspection:
    """Read ``sparql`` as Oxigraph will and refuse what this endpoint will not run.

    Raises:
        ForbiddenQueryError: an update, or a ``SERVICE`` whose endpoint is not in ``allowed_services``
            (a variable endpoint is never allowed).
        QueryError: an escape outside strings and IRIs.
    """
    reading = read_query(sparql, PREFIXES if prefixes is None else prefixes, base)
    if reading.form in UPDATE_KEYWORDS:
        raise ForbiddenQueryError("SPARQL updates are refused: this endpoint is read-only")
    for target in reading.services:
        if target not in allowed_services:
            raise ForbiddenQueryError(
                f"SERVICE {target} is refused: federation is off unless the endpoint is allowed "
                "(wmkg serve --allow-service URL)"
            )
    return Inspection(reading.has_dataset)


def check_query(sparql: str, settings: Settings) -> Inspection:
    """Both layers in one call (the CLI and tests; the web app splits them across processes)."""
    check_text(sparql, settings.max_query_bytes)
    return inspect_query(sparql, settings.allowed_services)


def service_targets(sparql: str, prefixes: dict[str, str] | None = None) -> list[str]:
    """The endpoints a query's ``SERVICE`` clauses call, in order (``?v`` for a variable).

    ``prefixes`` are those the store predeclares (default: the project's standard ones), so a query
    that leaves them out reads as the store will read it.
    """
    return list(read_query(sparql, PREFIXES if prefixes is None else prefixes).services)


__all__ = [
    "ForbiddenQueryError",
    "Inspection",
    "QueryTooLargeError",
    "check_query",
    "check_text",
    "inspect_query",
    "service_targets",
]
