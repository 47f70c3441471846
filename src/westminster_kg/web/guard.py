"""What a query sent to the web app may do: no updates, no SERVICE calls unless allowed, no deep nesting.

These checks run before a query reaches a worker process; they read the text lexically (comments and
strings blanked by ``code_outside_literals``) and are deliberately conservative.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from westminster_kg.errors import QueryError
from westminster_kg.namespaces import PREFIXES
from westminster_kg.sparql_text import check_nesting, code_outside_literals

if TYPE_CHECKING:
    from westminster_kg.web.base import Settings

_UPDATE_START = re.compile(
    r"^\s*(?:(?:PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s+<[^>]*>)\s*)*"
    r"(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b",
    re.IGNORECASE,
)


class ForbiddenQueryError(QueryError):
    """A well-formed request this endpoint will not run (an update, or a SERVICE not allowed)."""


# The keyword, then (by hand, see service_targets) no name character before it: a look-behind
# tried at every position costs a quarter of a second on a 1 MB query.
_SERVICE_KEYWORD = re.compile(r"SERVICE(?![\w:-])", re.IGNORECASE)
_NAME_CHARACTER = re.compile(r"[\w:?$-]")
_SERVICE_TARGET = re.compile(r"\s*(?:SILENT(?![\w:-])\s*)?(<[^<>\s]*>|[?$]\w+|[A-Za-z0-9_.-]*:[^\s{]*)", re.IGNORECASE)
_CODEPOINT_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def service_targets(sparql: str, *, code: str | None = None) -> list[str]:
    """The endpoints a query's ``SERVICE`` clauses call (``?var`` for a variable endpoint).

    Conservative on purpose: every ``SERVICE`` keyword outside strings and comments counts, and one
    whose endpoint cannot be read is reported as ``"?unreadable"``, which is never allowed.
    ``code`` is ``code_outside_literals(sparql)`` when the caller has it already.
    """
    code = code_outside_literals(sparql) if code is None else code
    prefixes = dict(re.findall(r"(?i)PREFIX\s*([A-Za-z0-9_.-]*):\s*<([^>]*)>", code))
    targets = []
    for keyword in _SERVICE_KEYWORD.finditer(code):
        if keyword.start() and _NAME_CHARACTER.match(code, keyword.start() - 1):
            continue  # the end of a longer name such as ?myservice or ex:SERVICE
        match = _SERVICE_TARGET.match(code, keyword.end())
        if match is None:
            targets.append("?unreadable")
            continue
        target = match.group(1)
        if target.startswith("<"):
            iri = target[1:-1]
        elif target[0] in "?$":
            iri = target
        else:
            prefix, _, local = target.partition(":")
            iri = prefixes.get(prefix, PREFIXES.get(prefix, prefix + ":")) + local
        # SPARQL lets IRIs spell characters as \uXXXX; compare what the engine will call.
        targets.append(_CODEPOINT_ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), iri))
    return targets


def check_query(sparql: str, settings: Settings) -> None:
    """Refuse updates and SERVICE calls to endpoints not allowed (``ForbiddenQueryError``)."""
    code = code_outside_literals(sparql)  # once: a client's query may be a megabyte
    check_nesting(sparql, code=code)
    if _UPDATE_START.match(code):
        raise ForbiddenQueryError("SPARQL updates are refused: this endpoint is read-only")
    for target in service_targets(sparql, code=code):
        if target not in settings.allowed_services:
            raise ForbiddenQueryError(
                f"SERVICE {target} is refused: federation is off unless the endpoint is allowed "
                "(wmkg serve --allow-service URL)"
            )


__all__ = ["ForbiddenQueryError", "check_query", "service_targets"]
