"""SPARQL as text: the lexical checks every layer may run before a query reaches an engine, and the
one place where values are written into query text.

They sit below the store and the catalogue so that both can use them: blank out comments and
string contents (``code_outside_literals``, which only finds where to bind parameters: it has no
security role), refuse queries shaped to overflow a recursive parser's stack (``check_nesting``,
which counts the raw text and reads nothing), and bind values as RDF terms (``bind``: a ``VALUES``
block; ``fill``: what ``VALUES`` cannot bind, an update's graph or a page's size), each term written
from its checked parts. ``tests/test_architecture.py`` fails on SPARQL text built from values anywhere
else in the package.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from westminster_kg.errors import ParameterError, QueryError
from westminster_kg.iris import PREFIXES, XSD_IRI

if TYPE_CHECKING:  # rdflib is imported only where terms are written (cold commands never need it)
    from rdflib import Literal, URIRef

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


# Oxigraph's parser and evaluator recurse once per nesting level, per element of a property path
# and per operator of a flat chain (``1+1+…``, ``a||b||…``, ``{…} OPTIONAL {…} …``): past a few
# thousand levels its stack overflows, which is a segfault, not an error. Measured on pyoxigraph 0.5
# with an 8 MiB stack: 2,200 nested groups, 720 path elements or OPTIONALs, 4,700 nested parentheses,
# 6,600 UNIONs, 6,900 ``+`` and 9,300 ``!``. The check below counts characters of the RAW text, so
# no lexical reading can hide a bracket or an operator from it (one inside a string counts too:
# deliberately conservative). Each kind costs at least in proportion to the stack it can make the
# engine use, and the budget stays well under every measured limit even when kinds are mixed.
_COSTS = {"{": 6, "(": 2, "[": 2, "/": 6, "|": 6, "^": 6}
_COSTS.update(dict.fromkeys("-<>", 1))  # common inside IRIs and names: cheap, still bounded
# Rare in real queries, and each one costs rdflib's parser (the web guard) time that grows faster than
# linearly with the length of a flat chain: at most 500 of them.
_COSTS.update(dict.fromkeys("+*!&=", 6))
MAX_SHAPE_COST = 3_000


def shape_cost(sparql: str) -> int:
    """How much nesting and chaining ``sparql`` can ask of a recursive parser (linear in its length)."""
    return sum(sparql.count(char) * cost for char, cost in _COSTS.items())


def check_nesting(sparql: str, limit: int = MAX_SHAPE_COST) -> None:
    """Raise ``QueryError`` when a query has more brackets, path steps or operators than engines survive.

    Real queries cost a few hundred (the whole catalogue stays under 1,000); the limit is
    ``MAX_SHAPE_COST``.
    """
    cost = shape_cost(sparql)
    if cost > limit:
        raise QueryError(
            f"the query has too many brackets, path steps or operators for the engine to nest safely "
            f"(shape cost {cost} > {limit}); simplify it"
        )


_DECLARED = re.compile(r"(?i)\bPREFIX\s+([A-Za-z][\w.-]*)?:\s*<")
_IRI_REF = re.compile(r"<[^<>\"{}|^`\\\s]*>")
# A prefixed name's prefix: not part of a variable, a longer name or an IRI; "a:b" and ":b" both count.
_PREFIX_USE = re.compile(r"(?<![\w?$:<.-])([A-Za-z][\w.-]*)?:")


def sparql_prologue(prefixes: Mapping[str, str] = PREFIXES) -> str:
    """A ``PREFIX`` line for each of ``prefixes`` (by default every prefix the project declares)."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in sorted(prefixes.items()))


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


# --- values as terms: the one place where values are written into SPARQL text ---------------------

_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _outer_where_brace(sparql: str) -> int | None:
    """Index of the ``{`` that opens the outermost WHERE group, ignoring comments, IRIs, strings."""
    match = re.search(r"(?<![\w:?$])WHERE\s*\{", code_outside_literals(sparql), re.IGNORECASE)
    return match.end() - 1 if match else None


def bind(sparql: str, values: Mapping[str, URIRef | Literal | Sequence[URIRef | Literal]]) -> str:
    """The query with each variable pre-bound to its RDF term(s) by a VALUES block.

    A variable given a sequence of terms gets one solution per term (``VALUES ?v { <a> <b> }``); an
    empty sequence binds nothing, so the query has no solutions. Terms are written by rdflib's own
    N-Triples serialiser (``n3()``), which escapes quotes, newlines and angle brackets, and IRIs are
    checked for the characters an IRI cannot hold, so a value can never change the query's structure.
    """
    if not values:
        return sparql
    for name in values:
        if not _VARIABLE.match(name):
            raise ParameterError(f"{name!r} is not a SPARQL variable name")
    position = _outer_where_brace(sparql)
    if position is None:
        raise QueryError("parameters need a query with an explicit 'WHERE { ... }' group")
    # On the WHERE line itself: the query's line numbers, and so its error positions, stay its own.
    block = "".join(f" VALUES ?{name} {{ {_terms_n3(term)} }}" for name, term in values.items())
    return sparql[: position + 1] + block + sparql[position + 1 :]


def _terms_n3(value: URIRef | Literal | Sequence[URIRef | Literal]) -> str:
    from rdflib import Literal, URIRef

    if isinstance(value, URIRef | Literal):
        return _safe_n3(value)
    if isinstance(value, str) or not isinstance(value, Sequence | frozenset | set):
        raise ParameterError(f"cannot bind {value!r}: only IRIs and literals")
    return " ".join(_safe_n3(term) for term in value)


# What an IRIREF may not hold (SPARQL 1.1 grammar, rule 139), and a BCP 47 language tag (rule 145).
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_LANGUAGE_TAG = re.compile(r"[A-Za-z]+(?:-[A-Za-z0-9]+)*")
_STRING_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"}


def _safe_iri(iri: str) -> str:
    if _NOT_IN_IRI.search(iri):
        raise ParameterError(f'{iri!r} is not a valid IRI (spaces, controls and <>"{{}}|^`\\ are not allowed)')
    return f"<{iri}>"


def _safe_n3(term: URIRef | Literal) -> str:
    """``term`` in SPARQL syntax, written from its parts (rdflib's ``n3()`` passes a datatype IRI through unchecked)."""
    from rdflib import Literal, URIRef

    if isinstance(term, URIRef):
        return _safe_iri(str(term))
    if isinstance(term, Literal):
        text = '"' + "".join(_STRING_ESCAPES.get(c, c) for c in str(term)) + '"'
        if term.language:
            if not _LANGUAGE_TAG.fullmatch(term.language):
                raise ParameterError(f"{term.language!r} is not a language tag")
            return f"{text}@{term.language}"
        if term.datatype is not None and str(term.datatype) != XSD_IRI + "string":
            return f"{text}^^{_safe_iri(str(term.datatype))}"
        return text
    raise ParameterError(f"cannot bind {term!r}: only IRIs and literals")


_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def fill(template: str, **terms: URIRef | Literal | int) -> str:
    """A SPARQL Update, or a query's ``LIMIT``/``OFFSET``, with ``${name}`` placeholders filled.

    For what a ``VALUES`` block cannot bind: the graph an update names, a page's size and offset. Each
    IRI and literal is written by the same checked term writer as ``bind``; a number must be an ``int``.
    """

    def term(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in terms:
            raise ParameterError(f"no value for ${{{name}}}")
        value = terms[name]
        from rdflib import Literal, URIRef

        if isinstance(value, bool) or not isinstance(value, int | URIRef | Literal):
            raise ParameterError(f"cannot fill ${{{name}}} with {value!r}: only IRIs, literals and whole numbers")
        return str(value) if isinstance(value, int) else _safe_n3(value)

    return _PLACEHOLDER.sub(term, template)


def paged(sparql: str, limit: int, offset: int) -> str:
    """``sparql`` (which must end without a solution modifier of its own) with ``LIMIT``/``OFFSET`` added."""
    for name, value in (("limit", limit), ("offset", offset)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ParameterError(f"a page's {name} is a whole number, not {value!r}")
    return fill(sparql.rstrip() + " LIMIT ${limit} OFFSET ${offset}", limit=limit, offset=offset)


def insert_update(graph: URIRef, ntriples: str) -> str:
    """``INSERT { GRAPH <graph> { ... } } WHERE {}`` for triples already written as N-Triples (by
    Oxigraph's serialiser). Not ``INSERT DATA``: Virtuoso refuses blank nodes there ("not allowed in a
    constant clause"); a template with an empty ``WHERE`` inserts the same triples on every engine."""
    return fill("INSERT { GRAPH ${graph} {\n", graph=graph) + ntriples + "\n} } WHERE {}"


__all__ = [
    "MAX_SHAPE_COST",
    "bind",
    "fill",
    "insert_update",
    "paged",
    "check_nesting",
    "code_outside_literals",
    "declared_prefixes",
    "shape_cost",
    "sparql_prologue",
    "used_prefixes",
    "with_prefixes",
]
