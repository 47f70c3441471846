"""SPARQL as text: the lexical checks every layer may run before a query reaches an engine.

They sit below the store and the catalogue so that both can use them: blank out comments and
string contents (``code_outside_literals``), then refuse queries nested too deep for Oxigraph's
parser (``check_nesting``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from westminster_kg.errors import QueryError
from westminster_kg.namespaces import PREFIXES

_SPECIAL = re.compile(r"[<#'\"]")
_IRI_REF = re.compile(r"<[^<>\"{}|^`\\\s]*>")
# A string's body up to its closing quote: an escape (backslash and any character) or any other
# character that does not start the closing quote (runs without a backslash or quote in one step).
# Matched by the regex engine, not char by char: a query carrying a 1 MB literal is scanned at once.
_BODY = {
    quote: re.compile(r"(?:[^\\" + quote[0] + r"]+|\\.|(?!" + quote + r")[^\\])*", re.DOTALL)
    for quote in ("'", '"', "'''", '"""')
}


def code_outside_literals(sparql: str) -> str:
    """The query with comments and string contents blanked (same length, same offsets).

    Keywords and brackets inside strings, IRIs and comments are then invisible to the
    lexical checks below (where to bind, how deep a query nests, which SERVICEs it calls).
    """
    out: list[str] = []
    i, n = 0, len(sparql)
    while i < n:
        special = _SPECIAL.search(sparql, i)
        if special is None:
            out.append(sparql[i:])
            break
        out.append(sparql[i : special.start()])
        i = special.start()
        c = sparql[i]
        if c == "<":
            # An IRI ref has no spaces; a '<' followed by space or '=' is an operator.
            match = _IRI_REF.match(sparql, i)
            out.append(match.group(0) if match else c)
            i = match.end() if match else i + 1
            continue
        if c == "#":
            end = sparql.find("\n", i)
            end = n if end < 0 else end
            out.append(" " * (end - i))
            i = end
            continue
        quote = sparql[i : i + 3] if sparql[i : i + 3] in ("'''", '"""') else c
        j = _BODY[quote].match(sparql, i + len(quote)).end()
        if j < n and not sparql.startswith(quote, j):
            j += 2  # a backslash as the very last character escapes past the end
        closed = min(j, n)
        out.append(quote + " " * (closed - i - len(quote)) + sparql[closed : closed + len(quote)])
        i = j + len(quote)
    return "".join(out)[:n]


# Oxigraph's parser recurses per nesting level and overflows its stack (a segfault, not an error)
# near 3,000 levels; real queries nest a handful. Refusing early turns a crash into a message.
MAX_NESTING = 200


_BRACKET = re.compile(r"[{}()\[\]]")


def check_nesting(sparql: str, limit: int = MAX_NESTING, *, code: str | None = None) -> None:
    """Raise ``QueryError`` when groups, brackets or parentheses nest deeper than ``limit``.

    Args:
        sparql: the query.
        limit: the deepest nesting allowed.
        code: ``code_outside_literals(sparql)`` when the caller has it already.
    """
    depth = deepest = 0
    for bracket in _BRACKET.finditer(code_outside_literals(sparql) if code is None else code):
        c = bracket.group(0)
        if c in "{([":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > limit:
                raise QueryError(f"the query nests brackets more than {limit} deep; simplify it")
        elif c in "})]":
            depth -= 1


_DECLARED = re.compile(r"(?i)\bPREFIX\s+([A-Za-z][\w.-]*)?:\s*<")
_IRI_REF = re.compile(r"<[^<>\"{}|^`\\\s]*>")
# A prefixed name's prefix: not part of a variable, a longer name or an IRI; "a:b" and ":b" both count.
_PREFIX_USE = re.compile(r"(?<![\w?$:<.-])([A-Za-z][\w.-]*)?:")


def declared_prefixes(sparql: str) -> set[str]:
    """The prefixes the query declares with its own ``PREFIX`` lines."""
    return {m.group(1) or "" for m in _DECLARED.finditer(code_outside_literals(sparql))}


def used_prefixes(sparql: str) -> set[str]:
    """The prefixes the query's prefixed names use (its ``PREFIX`` declarations aside).

    Comments, strings and IRIs are blanked first, so ``"12:30"`` or ``<http://x>`` count for nothing.
    """
    code = _IRI_REF.sub(lambda m: " " * len(m.group(0)), code_outside_literals(sparql))
    code = _DECLARED.sub(" ", code)
    return {m.group(1) or "" for m in _PREFIX_USE.finditer(code)}


def with_prefixes(sparql: str, prefixes: Mapping[str, str] = PREFIXES) -> str:
    """The query with a ``PREFIX`` for each of ``prefixes`` it uses but does not declare.

    Only for places that cannot hand prefixes over separately (a remote SPARQL endpoint, the web
    pages' worker protocol): the stores take them through their ``prefixes`` argument instead.
    The declarations go in front of the first line, not on lines of their own, so an error's line
    number stays the user's own.
    """
    missing = sorted((used_prefixes(sparql) - declared_prefixes(sparql)) & prefixes.keys())
    return "".join(f"PREFIX {p}: <{prefixes[p]}> " for p in missing) + sparql


__all__ = [
    "MAX_NESTING",
    "check_nesting",
    "code_outside_literals",
    "declared_prefixes",
    "used_prefixes",
    "with_prefixes",
]
