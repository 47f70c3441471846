"""SPARQL as text: the lexical checks every layer may run before a query reaches an engine.

They sit below the store and the catalogue so that both can use them: blank out comments and
string contents (``code_outside_literals``), then refuse queries nested too deep for Oxigraph's
parser (``check_nesting``).
"""

from __future__ import annotations

import re

from westminster_kg.errors import QueryError


def code_outside_literals(sparql: str) -> str:
    """The query with comments and string contents blanked (same length, same offsets).

    Keywords and brackets inside strings, IRIs and comments are then invisible to the
    lexical checks below (where to bind, how deep a query nests, which SERVICEs it calls).
    """
    out: list[str] = []
    i, n = 0, len(sparql)
    while i < n:
        c = sparql[i]
        if c == "<":
            # An IRI ref has no spaces; a '<' followed by space or '=' is an operator.
            match = re.match(r"<[^<>\"{}|^`\\\s]*>", sparql[i:])
            if match:
                out.append(match.group(0))
                i += match.end()
                continue
        if c == "#":
            end = sparql.find("\n", i)
            end = n if end < 0 else end
            out.append(" " * (end - i))
            i = end
            continue
        if c in "'\"":
            quote = sparql[i : i + 3] if sparql[i : i + 3] in ("'''", '"""') else c
            j = i + len(quote)
            while j < n and not sparql.startswith(quote, j):
                j += 2 if sparql[j] == "\\" else 1
            closed = min(j, n)
            out.append(quote + " " * (closed - i - len(quote)) + sparql[closed : closed + len(quote)])
            i = j + len(quote)
            continue
        out.append(c)
        i += 1
    return "".join(out)[:n]


# Oxigraph's parser recurses per nesting level and overflows its stack (a segfault, not an error)
# near 3,000 levels; real queries nest a handful. Refusing early turns a crash into a message.
MAX_NESTING = 200


def check_nesting(sparql: str, limit: int = MAX_NESTING) -> None:
    """Raise ``QueryError`` when groups, brackets or parentheses nest deeper than ``limit``."""
    depth = deepest = 0
    for c in code_outside_literals(sparql):
        if c in "{([":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > limit:
                raise QueryError(f"the query nests brackets more than {limit} deep; simplify it")
        elif c in "})]":
            depth -= 1


__all__ = ["MAX_NESTING", "check_nesting", "code_outside_literals"]
