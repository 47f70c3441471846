r"""Plain tables of query results, for people and spreadsheets rather than SPARQL clients.

The SPARQL result formats (``QueryResult.serialize``: JSON, XML, CSV, TSV) keep every term's
kind; a spreadsheet wants plain values: an IRI as it is, a literal as its text or number, and a
label beside each IRI. Here a column ``x`` holding IRIs gets a ``x_label`` column after it, unless
the query already selects ``xLabel``. Used by ``wmkg query -f csv|tsv|json`` and
``/api/queries/NAME?format=csv|json``.

Every text written here passes ``visible``: control characters (C0 but tab and line feed, DEL, C1)
and the bidirectional formatting characters become escapes, so a label imported with an OSC or
colour sequence, a bell or U+202E cannot act on the reader's terminal or reorder what they see. The
formats that can carry the character itself take their own lossless escape (JSON, Turtle, N-Triples
and SPARQL TSV ``\u001b``; XML ``&#x9B;``); the plain ones (table, CSV, TSV, SPARQL CSV) have none,
and show ``\x1b`` or ``\u202e`` instead.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

from rdflib import BNode, Literal, URIRef

from westminster_kg.errors import QueryError
from westminster_kg.naming import CONTROLS, visible
from westminster_kg.store import QueryResult

# Cells a spreadsheet would run as a formula: an apostrophe in front keeps them text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def page_value(value: Any) -> Any:
    """Jinja's ``finalize`` for every page: text shows its control characters as ``\\x1b``; markup
    made earlier (an SVG, JSON for a script) gets U+FFFD, valid wherever it stands."""
    if not isinstance(value, str) or not CONTROLS.search(value):
        return value
    from markupsafe import Markup

    if isinstance(value, Markup):
        return Markup(visible(str(value), "page"))
    return visible(value)


def plain_columns(result: QueryResult, label: Callable[[str], str | None]) -> list[tuple[str, str | None]]:
    """(column, variable it shows) for each variable and each added ``_label`` column (variable ``None``)."""
    columns: list[tuple[str, str | None]] = []
    for index, variable in enumerate(result.variables):
        columns.append((variable, variable))
        has_iri = any(isinstance(row[index], URIRef) for row in result.rows)
        if has_iri and f"{variable}Label" not in result.variables and f"{variable}_label" not in result.variables:
            columns.append((f"{variable}_label", None))
    return columns


def plain_value(term: Any) -> Any:
    """A term as a plain Python value: IRIs and blank nodes as text, literals as numbers, booleans or text."""
    if term is None:
        return None
    if isinstance(term, URIRef | BNode):
        return str(term)
    if isinstance(term, Literal):
        value = term.toPython()
        if isinstance(value, bool | int | float):
            return value
        return str(term)
    return str(term)


def plain_rows(result: QueryResult, label: Callable[[str], str | None]) -> list[dict[str, Any]]:
    """The solutions as flat dictionaries of plain values, with a label beside each IRI.

    Args:
        result: a SELECT result (an ASK result gives one row ``{"boolean": ...}``).
        label: the label of an IRI, or ``None`` when it has none.

    Returns:
        One dictionary per solution; unbound variables are ``None``.
    """
    if result.kind == "ask":
        return [{"boolean": bool(result.boolean)}]
    columns = plain_columns(result, label)
    rows = []
    for row in result.rows:
        cells = dict(zip(result.variables, row, strict=True))
        flat: dict[str, Any] = {}
        for column, variable in columns:
            if variable is not None:
                flat[column] = plain_value(cells[variable])
            else:
                term = cells[column[: -len("_label")]]
                flat[column] = label(str(term)) if isinstance(term, URIRef) else None
        rows.append(flat)
    return rows


def to_json(result: QueryResult, label: Callable[[str], str | None]) -> str:
    """The flat rows as a JSON array (``[{"var": value, "var_label": ...}]``)."""
    return visible(json.dumps(plain_rows(result, label), ensure_ascii=False, indent=1), "unicode")


def to_delimited(
    result: QueryResult, label: Callable[[str], str | None], delimiter: str = ",", *, neutralise: bool = True
) -> str:
    """The flat rows as CSV (``delimiter=","``) or TSV (``"\\t"``): a header of plain names, plain cells.

    Cells that a spreadsheet would run as a formula get a leading apostrophe unless ``neutralise``
    is false; numbers are written as numbers. TSV cells have tabs and line breaks replaced by spaces.
    """
    rows = plain_rows(result, label)
    header = list(rows[0]) if rows else [c for c, _ in plain_columns(result, label)]
    buffer = io.StringIO()
    # TSV has no quoting (cells lose their tabs and line breaks instead); CSV quotes as RFC 4180 says.
    writer = csv.writer(buffer, lineterminator="\r\n")
    write = (lambda cells: buffer.write("\t".join(cells) + "\n")) if delimiter == "\t" else writer.writerow
    write(header)
    for row in rows:
        cells = []
        for value in row.values():
            if value is None:
                cells.append("")
                continue
            text = str(value).lower() if isinstance(value, bool) else str(value)
            if delimiter == "\t":
                text = " ".join(text.split("\t")).replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
            if neutralise and isinstance(value, str) and text.startswith(_FORMULA_START):
                text = "'" + text
            cells.append(visible(text))
        write(cells)
    return buffer.getvalue()


# What ``wmkg query -f`` takes: plain csv/tsv for spreadsheets, the SPARQL formats under their own names.
QUERY_FORMATS = (
    *("table", "csv", "tsv", "json", "xml", "sparql-json", "sparql-xml", "sparql-csv", "sparql-tsv"),
    *("turtle", "nt", "jsonld"),
)


def render(result: QueryResult, fmt: str, label: Callable[[str], str | None], *, neutralise: bool = True) -> str:
    """``result`` as text in ``fmt``, one of ``QUERY_FORMATS`` (``table`` is Turtle for a graph result).

    Raises:
        QueryError: the format does not fit the result's kind (a table format for a graph, or back).
    """
    if result.kind == "graph":
        formats = {"table": "turtle", "turtle": "turtle", "nt": "nt", "jsonld": "json-ld"}
        if fmt not in formats:
            raise QueryError(f"a graph result prints as turtle, nt or jsonld, not {fmt}")
        # Control characters can stand only inside literals there, where \uXXXX means the same.
        return visible(result.graph.serialize(format=formats[fmt]), "unicode")
    if fmt in ("csv", "tsv"):
        return to_delimited(result, label, "," if fmt == "csv" else "\t", neutralise=neutralise)
    if fmt in ("turtle", "nt", "jsonld", "table"):
        raise QueryError(f"a SELECT/ASK result prints as table, csv, tsv, json or xml, not {fmt}")
    name = fmt.removeprefix("sparql-")
    # JSON, XML and TSV (terms in Turtle syntax) have an escape that keeps the value; SPARQL CSV has none.
    form = {"json": "unicode", "xml": "xml", "tsv": "unicode"}.get(name, "text")
    return visible(result.serialize(name, neutralise_formulas=neutralise), form)


__all__ = [
    "CONTROLS",
    "QUERY_FORMATS",
    "page_value",
    "plain_columns",
    "plain_rows",
    "plain_value",
    "render",
    "to_delimited",
    "to_json",
    "visible",
]
