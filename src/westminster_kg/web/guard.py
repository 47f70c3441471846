"""What a query sent to the web app may do, decided on a real parse of the query.

Two layers, both before Oxigraph sees the text:

1. ``check_text`` (main process, linear time): the query's size in bytes and its shape cost
   (``sparql_text.check_nesting``, which counts the raw text and so cannot be misled by how it is read).
2. ``inspect_query`` (inside the worker process, under the query's time limit): rdflib's SPARQL parser
   and algebra read the query as a SPARQL 1.1 engine does; the algebra is walked for ``SERVICE``
   calls, functions that are neither SPARQL built-ins nor XSD casts, nesting depth and size. Text
   rdflib cannot parse is refused with its message; an update is refused as an update.

A third layer does not depend on reading the query at all: the workers have no network unless a
``SERVICE`` allow-list is configured (``westminster_kg.web.workers``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from westminster_kg.errors import QueryError
from westminster_kg.sparql_text import check_nesting

if TYPE_CHECKING:
    from westminster_kg.web.base import Settings


class ForbiddenQueryError(QueryError):
    """A well-formed request this endpoint will not run (an update, or a SERVICE not allowed)."""


class QueryTooLargeError(QueryError):
    """A query text over the size limit (``wmkg serve --max-query-bytes``)."""


XSD = "http://www.w3.org/2001/XMLSchema#"
# The constructor functions (casts) SPARQL 1.1 and Oxigraph evaluate; every other function IRI would be
# a custom function, which the worker's engine does not have (it raised an uncaught error before).
XSD_CASTS = frozenset(
    XSD + name
    for name in (
        "string",
        "boolean",
        "double",
        "float",
        "decimal",
        "integer",
        "date",
        "time",
        "dateTime",
        "duration",
        "yearMonthDuration",
        "dayTimeDuration",
    )
)
# Real queries nest a few dozen algebra levels and hold a few hundred nodes (the catalogue: at most
# 25 and 350). Beyond these the query is refused before it reaches the engine.
MAX_ALGEBRA_DEPTH = 400
MAX_ALGEBRA_NODES = 20_000


@dataclass(frozen=True)
class Inspection:
    """What the parse found that the worker needs to run the query as written."""

    default_graphs: tuple[str, ...] = ()  # FROM <g>
    named_graphs: tuple[str, ...] = ()  # FROM NAMED <g>
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


def _syntax_message(sparql: str, exc: Exception) -> str:
    line = getattr(exc, "lineno", None)
    column = getattr(exc, "col", None)
    detail = str(getattr(exc, "msg", "") or exc).splitlines()[0][:200]
    where = f" at line {line}, column {column}" if line and column else ""
    return f"SPARQL syntax error{where}: {detail}"


_PATCHED: list[bool] = []


def _skip_service_text() -> None:
    """Stop rdflib re-reading the whole query for each SERVICE's text (its ``service_string``).

    rdflib (7.6) finds that text with a fresh ``search_string`` over the whole query, which fails
    whenever an IRI before the SERVICE holds a '#' (read as a comment), so a valid federated query
    with ``PREFIX rdfs: <...rdf-schema#>`` would be refused; it is also quadratic. Only its own
    evaluator uses the text; the guard reads the parsed ``term``.
    """
    if _PATCHED:
        return
    from rdflib.plugins.sparql.parserutils import Comp

    original = Comp.postParse

    def post_parse(self: Any, instring: str, loc: int, tokens: Any) -> Any:
        if self.name != "ServiceGraphPattern":
            return original(self, instring, loc, tokens)
        self.name = "ServiceGraphPatternParsed"
        try:
            result = original(self, instring, loc, tokens)
        finally:
            self.name = "ServiceGraphPattern"
        result.name = "ServiceGraphPattern"
        result["service_string"] = ""
        return result

    Comp.postParse = post_parse  # type: ignore[method-assign]
    _PATCHED.append(True)


def _parse(sparql: str, prefixes: dict[str, str] | None, base: str | None) -> Any:
    """rdflib's algebra for ``sparql``; ``QueryError``/``ForbiddenQueryError`` for what it refuses."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    _skip_service_text()
    try:
        tree = parseQuery(sparql)
    except RecursionError:
        raise QueryError("the query nests too deeply for the SPARQL parser; simplify it") from None
    except ParseException as exc:
        try:
            parseUpdate(sparql)
        except (ParseException, RecursionError):
            raise QueryError(_syntax_message(sparql, exc)) from None
        raise ForbiddenQueryError("SPARQL updates are refused: this endpoint is read-only") from None
    try:
        return translateQuery(tree, base=base, initNs=prefixes or {})
    except RecursionError:
        raise QueryError("the query nests too deeply for the SPARQL parser; simplify it") from None
    except Exception as exc:  # noqa: BLE001 - rdflib raises bare Exception for e.g. an unknown prefix
        detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise QueryError(f"the query cannot be read: {detail}") from None


def _children(node: Any) -> list[Any]:
    from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, SequencePath
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        return [value for key, value in node.items() if key != "_vars"]
    if isinstance(node, list | tuple | set | frozenset):
        return list(node)
    if isinstance(node, SequencePath | AlternativePath | NegatedPath):
        return list(node.args)
    if isinstance(node, InvPath):
        return [node.arg]
    if isinstance(node, MulPath):
        return [node.path]
    return []


def inspect_query(
    sparql: str,
    allowed_services: list[str] | tuple[str, ...] = (),
    *,
    prefixes: dict[str, str] | None = None,
    base: str | None = None,
) -> Inspection:
    """Parse ``sparql`` as a SPARQL 1.1 query and refuse what this endpoint will not run.

    Runs in the worker process (the parse is slow and recursive); the walk over the algebra is
    iterative and bounded by ``MAX_ALGEBRA_NODES``.

    Raises:
        ForbiddenQueryError: an update, or a ``SERVICE`` whose endpoint is not in ``allowed_services``
            (a variable endpoint is never allowed).
        QueryError: not SPARQL, an unknown function, or nested/sized beyond the limits.
    """
    from rdflib import Variable
    from rdflib.plugins.sparql.parserutils import CompValue

    # rdflib's parser recurses per nesting level; Python's recursion limit turns a too-deep query into a
    # RecursionError (caught in _parse) long before the C stack is at risk, and check_text bounds the rest.
    query = _parse(sparql, prefixes, base)
    algebra = query.algebra
    stack: list[tuple[Any, int]] = [(algebra, 0)]
    seen = 0
    while stack:
        node, depth = stack.pop()
        seen += 1
        if seen > MAX_ALGEBRA_NODES:
            raise QueryError(f"the query is too large (over {MAX_ALGEBRA_NODES} parts); simplify it")
        if depth > MAX_ALGEBRA_DEPTH:
            raise QueryError(f"the query nests more than {MAX_ALGEBRA_DEPTH} levels deep; simplify it")
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                target = node.get("term")
                shown = f"?{target}" if isinstance(target, Variable) else str(target)
                if isinstance(target, Variable) or str(target) not in allowed_services:
                    raise ForbiddenQueryError(
                        f"SERVICE {shown} is refused: federation is off unless the endpoint is allowed "
                        "(wmkg serve --allow-service URL)"
                    )
            elif node.name == "Function" and str(node.get("iri")) not in XSD_CASTS:
                raise QueryError(
                    f"unknown function <{node.get('iri')}>: this endpoint has only the SPARQL built-ins "
                    "and the XSD casts"
                )
        stack.extend((child, depth + 1) for child in _children(node))
    defaults, named = [], []
    for clause in algebra.get("datasetClause") or []:
        if "default" in clause:
            defaults.append(str(clause["default"]))
        if "named" in clause:
            named.append(str(clause["named"]))
    return Inspection(tuple(defaults), tuple(named), bool(defaults or named))


def check_query(sparql: str, settings: Settings) -> Inspection:
    """Both layers in one call (the CLI and tests; the web app splits them across processes)."""
    check_text(sparql, settings.max_query_bytes)
    return inspect_query(sparql, settings.allowed_services)


def service_targets(sparql: str, prefixes: dict[str, str] | None = None) -> list[str]:
    """The endpoints a query's ``SERVICE`` clauses call, read from rdflib's algebra (``?v`` for a variable).

    ``prefixes`` are those the store predeclares (default: the project's standard ones), so a query
    that leaves them out reads as the store will read it.
    """
    from rdflib import Variable
    from rdflib.plugins.sparql.parserutils import CompValue

    from westminster_kg.namespaces import PREFIXES

    query = _parse(sparql, PREFIXES if prefixes is None else prefixes, None)
    targets, stack = [], [query.algebra]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue) and node.name == "ServiceGraphPattern":
            term = node.get("term")
            targets.append(f"?{term}" if isinstance(term, Variable) else str(term))
        stack.extend(reversed(_children(node)))  # depth first, in the order the query says them
    return targets


__all__ = [
    "MAX_ALGEBRA_DEPTH",
    "MAX_ALGEBRA_NODES",
    "XSD_CASTS",
    "ForbiddenQueryError",
    "Inspection",
    "QueryTooLargeError",
    "check_query",
    "check_text",
    "inspect_query",
    "service_targets",
]
