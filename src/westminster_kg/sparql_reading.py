"""A query as Oxigraph will read it: its tokens, the endpoints its ``SERVICE`` clauses call, its dataset.

The guard must read exactly what the engine runs. rdflib's parser expands ``\\uXXXX`` escapes across
the whole text before parsing; Oxigraph decodes them only inside strings and IRIs. A query built on
that difference looked, to an rdflib-based guard, as if its ``SERVICE`` were inside a string, while
Oxigraph called the endpoint. So the query is read here once, in one linear pass, by Oxigraph's own
lexical rules (SPARQL 1.1 grammar, section 19.8), and a ``\\u``/``\\U`` escape outside a string or
an IRI — which no valid query needs, and which the two parsers read differently — is refused.

The reading is conservative: where the two could disagree, the text is read as code (an unknown
character is a token of its own, a string or IRI that does not close as the grammar says is not one),
so a keyword is seen wherever the engine could see one. Comments end at any line break Oxigraph or
Unicode knows. ``tests/test_sparql_reading.py`` compares this reading with Oxigraph's own behaviour
on generated queries (a ``SERVICE`` seen here exactly when Oxigraph calls out).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import urljoin

from westminster_kg.errors import QueryError

# Each alternative is a token kind; tried in this order at each position (first match wins).
_TOKEN = re.compile(
    r"""
    (?P<space>[ \t\r\n]+)
  | (?P<comment>\#[^\r\n\x0b\x0c\x85\u2028\u2029]*)
  | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
  | (?P<string>'''(?:'{0,2}(?:[^'\\]|\\[tbnrf"'\\]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}))*'''
              |\"\"\"(?:"{0,2}(?:[^"\\]|\\[tbnrf"'\\]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}))*\"\"\"
              |'(?:[^'\\\n\r]|\\[tbnrf"'\\]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*'
              |"(?:[^"\\\n\r]|\\[tbnrf"'\\]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*")
  | (?P<variable>[?$][A-Za-z0-9_]+)
  | (?P<bnode>_:[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?)
  | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<pname>(?:[A-Za-z](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?)?:
              (?:(?:[A-Za-z0-9_:]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?\#@%])
                 (?:(?:[A-Za-z0-9_:.-]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?\#@%])*
                    (?:[A-Za-z0-9_:-]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?\#@%]))?)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<number>[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"})
QUERY_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


class Token(NamedTuple):
    """One token of a query: its kind (a group name of ``_TOKEN``), its text and where it starts."""

    kind: str
    text: str
    start: int


_UNREAD = frozenset({"space", "comment"})
_FORMS = QUERY_FORMS | UPDATE_KEYWORDS


def tokens(sparql: str, *, strict: bool = True) -> list[Token]:
    """The query's tokens as Oxigraph reads them, spaces and comments left out.

    Raises:
        QueryError: (``strict``) a backslash outside a string, an IRI or a prefixed name's escape
            (``\\u0053ERVICE``); not strict, it is a token of its own.
    """
    # "other" matches any one character, so the matches follow each other with no gap: each is the token
    # that starts where the one before it ends. One C-level scan, and a tuple per token read.
    found = [Token(m.lastgroup, m.group(), m.start()) for m in _TOKEN.finditer(sparql) if m.lastgroup not in _UNREAD]  # type: ignore[arg-type]
    if strict and "\\" in sparql:
        for token in found:
            if token.kind == "other" and token.text == "\\":
                line = sparql.count("\n", 0, token.start) + 1
                raise QueryError(
                    f"a backslash at line {line} outside a string or an IRI: escapes such as \\u0053 are read "
                    "differently by SPARQL parsers, so they are allowed only inside strings and IRIs"
                )
    return found


def decode_escapes(text: str) -> str:
    """``text`` with every ``\\uXXXX``/``\\UXXXXXXXX`` replaced by its character (as rdflib reads a query)."""
    return _UCHAR.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)


def decode_iri(text: str) -> str:
    """An IRIREF token's IRI, with its escapes decoded as Oxigraph decodes them."""
    return decode_escapes(text[1:-1])


@dataclass(frozen=True)
class Reading:
    """What a query says that matters before it runs."""

    form: str  # SELECT, ASK, CONSTRUCT, DESCRIBE, an update keyword, or "" when there is none
    services: tuple[str, ...]  # each SERVICE's endpoint: an absolute IRI, "?var", or the text that names it
    has_dataset: bool  # a FROM or FROM NAMED clause


def read_query(sparql: str, prefixes: Mapping[str, str] | None = None, base: str | None = None) -> Reading:
    """Read ``sparql`` in one pass: its form, its ``SERVICE`` endpoints and whether it names a dataset.

    Args:
        sparql: the query text.
        prefixes: prefixes predeclared for it (the store's); its own ``PREFIX`` lines win.
        base: the IRI relative IRIs resolve against (a ``BASE`` line wins).

    Raises:
        QueryError: an escape outside strings and IRIs (see ``tokens``).
    """
    reading = _read(tokens(sparql), dict(prefixes or {}), base)
    if _UCHAR.search(sparql):
        # rdflib (the memory store) expands escapes across the whole text before it parses: read that
        # text too, and keep every SERVICE either reading finds.
        expanded = decode_escapes(sparql)
        other = _read(tokens(expanded, strict=False), dict(prefixes or {}), base)
        services = reading.services + tuple(t for t in other.services if t not in reading.services)
        reading = Reading(reading.form or other.form, services, reading.has_dataset or other.has_dataset)
    return reading


def _read(found: list[Token], declared: dict[str, str], base: str | None) -> Reading:
    form, services, has_dataset = "", [], False
    for index, token in enumerate(found):
        if token.kind != "name":  # every keyword that matters here is a name token
            continue
        keyword = token.text.upper()
        if keyword == "PREFIX":
            ahead = found[index + 1 : index + 3]
            if len(ahead) == 2 and ahead[0].kind == "pname" and ahead[1].kind == "iri":
                declared[ahead[0].text[:-1]] = urljoin(base or "", decode_iri(ahead[1].text))
        elif keyword == "BASE":
            if index + 1 < len(found) and found[index + 1].kind == "iri":
                base = urljoin(base or "", decode_iri(found[index + 1].text))
        elif not form and keyword in _FORMS:
            form = keyword
        elif keyword == "FROM":
            has_dataset = True
        elif keyword == "SERVICE":
            services.append(_target(found[index + 1 : index + 4], declared, base))
    return Reading(form, tuple(services), has_dataset)


def _target(ahead: list[Token], prefixes: Mapping[str, str], base: str | None) -> str:
    """The endpoint named by the tokens after ``SERVICE`` (``SILENT`` skipped)."""
    if ahead and ahead[0].kind == "name" and ahead[0].text.upper() == "SILENT":
        ahead = ahead[1:]
    if not ahead:
        return "(no endpoint)"
    token = ahead[0]
    if token.kind == "iri":
        return urljoin(base or "", decode_iri(token.text))
    if token.kind == "variable":
        return "?" + token.text[1:]
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        if prefix in prefixes and "\\" not in local and "%" not in local:
            return prefixes[prefix] + local
        return token.text
    return f"(no endpoint: {token.text[:40]})"


__all__ = ["QUERY_FORMS", "UPDATE_KEYWORDS", "Reading", "Token", "decode_escapes", "decode_iri", "read_query", "tokens"]
