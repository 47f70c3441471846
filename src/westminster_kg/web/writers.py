"""SPARQL answers written straight from Oxigraph's terms, in the worker that found them.

A fresh query's answer used to travel from Oxigraph's terms to rdflib's and then through a writer that
indented JSON with Python's pure-Python encoder: most of a fresh query's time (about 25 ms of 26 for the
catalogue's 64 KB answer). A SELECT answer in JSON within the row and byte limits is now written by
Oxigraph's own results serialiser (``web.worker``); the writers here serve the rest from Oxigraph's
terms: JSON cut at a limit (by the C encoder, in the bytes Oxigraph writes for IRIs, blank nodes and
literals), CSV and TSV, ASK answers, and graphs (CONSTRUCT, DESCRIBE) by Oxigraph's own RDF
serialisers. XML results, rare, are still written from rdflib's terms (``store.QueryResult``), which
check the characters XML 1.0 cannot carry.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pyoxigraph as ox

from westminster_kg.namespaces import PREFIXES
from westminster_kg.web.media import GRAPH_MEDIA, GRAPH_TYPES, RESULT_MEDIA, RESULT_TYPES, negotiate

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # as store.QueryResult.serialize neutralises them
_GRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "json-ld": ox.RdfFormat.JSON_LD,
    "xml": ox.RdfFormat.RDF_XML,
}


def _term_json(term: Any) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != _XSD_STRING:
        out["datatype"] = term.datatype.value
    return out


def solutions_json(variables: list[str], rows: list[tuple[Any, ...]]) -> bytes:
    """SPARQL 1.1 Query Results JSON of ``rows`` of Oxigraph terms (``None``: unbound)."""
    bindings = [{v: _term_json(t) for v, t in zip(variables, row, strict=True) if t is not None} for row in rows]
    document = {"head": {"vars": variables}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")


def boolean_json(value: bool) -> bytes:
    """The JSON answer to an ASK query."""
    return json.dumps({"head": {}, "boolean": value}).encode()


def solutions_delimited(variables: list[str], rows: list[tuple[Any, ...]], fmt: str) -> bytes:
    """SPARQL 1.1 CSV (plain values; formula-like cells neutralised) or TSV (terms in Turtle syntax)."""
    if fmt == "tsv":
        lines = ["\t".join("?" + v for v in variables)]
        lines += ["\t".join("" if t is None else str(t) for t in row) for row in rows]
        return ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(variables)
    for row in rows:
        cells = ["" if t is None else ("_:" + t.value if isinstance(t, ox.BlankNode) else t.value) for t in row]
        writer.writerow(["'" + c if c.startswith(_FORMULA_START) else c for c in cells])
    return buffer.getvalue().encode("utf-8", "surrogatepass")


def boolean_delimited(value: bool) -> bytes:
    """The CSV/TSV answer to an ASK query."""
    return b"boolean\n" + (b"true\n" if value else b"false\n")


def result_format(accept: str | None) -> str | None:
    """The results format negotiated from ``accept`` (json, xml, csv, tsv), or ``None``."""
    return negotiate(accept, RESULT_TYPES, "json")


def graph_format(accept: str | None) -> str | None:
    """The graph format negotiated from ``accept`` (turtle, nt, json-ld, xml), or ``None``."""
    return negotiate(accept, GRAPH_TYPES, "turtle")


def write_graph(triples: list[Any], name: str) -> tuple[bytes, str]:
    """Oxigraph triples in graph format ``name``, by Oxigraph's own serialiser (prefixes for Turtle)."""
    prefixes = dict(PREFIXES) if name == "turtle" else None
    return ox.serialize(triples, format=_GRAPH_FORMATS[name], prefixes=prefixes), GRAPH_MEDIA[name]


def write_solutions(variables: list[str], rows: list[tuple[Any, ...]], name: str) -> tuple[bytes, str]:
    """Oxigraph solutions in results format ``name`` (json, csv or tsv)."""
    data = solutions_json(variables, rows) if name == "json" else solutions_delimited(variables, rows, name)
    return data, RESULT_MEDIA[name]


def write_boolean(value: bool, name: str) -> tuple[bytes, str]:
    """An ASK answer in results format ``name`` (json, csv or tsv)."""
    return (boolean_json(value) if name == "json" else boolean_delimited(value)), RESULT_MEDIA[name]


__all__ = [
    "graph_format",
    "result_format",
    "solutions_delimited",
    "solutions_json",
    "write_boolean",
    "write_graph",
    "write_solutions",
]
