"""The ``wmkg`` command's entry point: a cold ``wmkg query NAME -f csv`` answered at once, else the full CLI.

Starting the full CLI imports typer, rich and rdflib: about 0.4 s of CPU before any work, for a query
Oxigraph answers in milliseconds from the store ``wmkg query`` keeps in the user's cache folder. So a
plain ``wmkg query NAME -f csv|tsv`` — no parameter, no option, the kept store built from these very
files — is answered here with only pyoxigraph and the package's rdflib-free modules, writing exactly
what the full CLI writes (``tests/test_launch.py`` compares the bytes for every such query). Anything
else, and anything unexpected (no kept store yet, a literal of a kind this path does not write, an
empty answer whose summary the full CLI words), goes to the full CLI, which then answers and reports
errors its own way.
"""

from __future__ import annotations

import csv
import io
import os
import re
import sys
from typing import Any

from westminster_kg.iris import PREFIXES, XSD_IRI
from westminster_kg.naming import visible

# The literal kinds written here as the full CLI writes them (plain.plain_value): text, dates as their
# lexical form, integers as numbers. Others (decimals, doubles, booleans) go to the full CLI.
_AS_TEXT = {XSD_IRI + name for name in ("string", "date", "dateTime", "gYear", "gYearMonth", "anyURI")}
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_INTEGER = XSD_IRI + "integer"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # as plain.to_delimited neutralises them
_FORMATS = ("csv", "tsv")  # the plain tables; -f json is SPARQL JSON, written by the full CLI


def main() -> None:
    """Entry point of the ``wmkg`` command."""
    code = quick_answer(sys.argv[1:])
    if code is not None:
        sys.exit(code)
    from westminster_kg.cli import main as full_cli

    full_cli()


def _parse(argv: list[str]) -> tuple[str, str] | None:
    """(query name, format) when ``argv`` is exactly ``query NAME -f FMT`` (or ``--format FMT``)."""
    if len(argv) == 4 and argv[0] == "query" and argv[2] in ("-f", "--format"):
        name, fmt = argv[1], argv[3]
    elif len(argv) == 3 and argv[0] == "query" and argv[2].startswith("--format="):
        name, fmt = argv[1], argv[2].partition("=")[2]
    else:
        return None
    return (name, fmt) if fmt in _FORMATS and re.fullmatch(r"[a-z][a-z0-9-]*", name) else None


def quick_answer(argv: list[str]) -> int | None:
    """Answer ``argv`` from the kept store and return the exit code, or ``None`` to leave it to the full CLI."""
    parsed = _parse(argv)
    if parsed is None:
        return None
    try:
        text = _answer(*parsed)
    except Exception:  # noqa: BLE001 - anything unexpected: the full CLI answers, and words any error
        return None
    if text is None:
        return None
    sys.stdout.write(text)
    sys.stdout.flush()
    return 0


def _answer(name: str, fmt: str) -> str | None:
    import pyoxigraph as ox

    from westminster_kg.catalogue import parse_named_query
    from westminster_kg.kept_store import built_from, generation_metadata, live_generation, user_store_folder
    from westminster_kg.project import Project

    project = Project.open(None)
    path = project.queries_dir / f"{name}.rq"
    if not path.is_file():
        return None
    named = parse_named_query(path)
    if any(p.required for p in named.parameters):
        return None
    fingerprint = project.fingerprint()
    folder = user_store_folder(fingerprint)
    generation = live_generation(folder)
    if generation is None or not built_from(generation_metadata(folder), fingerprint):
        return None
    os.utime(folder)  # used: the cache's pruning goes by modification time, as for the full CLI
    return answer_from(ox.Store.read_only(str(folder / generation)), named.sparql, fmt)


def answer_from(store: Any, sparql: str, fmt: str) -> str | None:
    """The table ``wmkg query`` writes for ``sparql`` over an open pyoxigraph ``store`` as ``fmt`` (csv or
    tsv), or ``None`` where only the full CLI writes it exactly (not a SELECT, no rows, a literal kind)."""
    import pyoxigraph as ox

    answer = store.query(sparql, use_default_graph_as_union=True, prefixes=PREFIXES)
    if not isinstance(answer, ox.QuerySolutions):
        return None
    variables = [v.value for v in answer.variables]
    rows = [tuple(solution) for solution in answer]  # a solution's values in the variables' order
    if not rows:
        return None  # the full CLI says "0 rows" with the filters applied
    columns = _columns(variables, rows)
    shown = {t.value for row in rows for t in row if isinstance(t, ox.NamedNode)}
    labels = _labels(store, shown) if any(source is None for _, source in columns) else {}
    flat = [_flat(variables, columns, row, labels) for row in rows]
    if flat is None or any(row is None for row in flat):
        return None
    return _delimited(flat, "," if fmt == "csv" else "\t")


def _columns(variables: list[str], rows: list[tuple[Any, ...]]) -> list[tuple[str, str | None]]:
    """(column, variable it shows) with a ``_label`` column after each IRI column (``plain.plain_columns``)."""
    import pyoxigraph as ox

    columns: list[tuple[str, str | None]] = []
    for index, variable in enumerate(variables):
        columns.append((variable, variable))
        has_iri = any(isinstance(row[index], ox.NamedNode) for row in rows)
        if has_iri and f"{variable}Label" not in variables and f"{variable}_label" not in variables:
            columns.append((f"{variable}_label", None))
    return columns


_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
# What ``label-lookup.rq`` reads, looked up by pattern for the few IRIs a table shows: (property, is alias).
_LABELS = ((_RDFS + "label", False), (_SKOS + "prefLabel", False), (_SKOS + "altLabel", True))
_UNLABELLED = ("https://w3id.org/westminster-kg/ontology#Claim", "http://www.w3.org/1999/02/22-rdf-syntax-ns#Statement")


def _labels(store: Any, iris: set[str]) -> dict[str, str]:
    """The label shown for each of ``iris``, as the resolver's index has it (``label-lookup.rq``,
    ``naming.shown_labels``): claims and link statements, whose labels are generated, have none."""
    import pyoxigraph as ox

    from westminster_kg.naming import shown_labels

    a = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    rows = []
    for iri in iris:
        node = ox.NamedNode(iri)
        if any(next(store.quads_for_pattern(node, a, ox.NamedNode(t)), None) for t in _UNLABELLED):
            continue
        for prop, alias in _LABELS:
            for quad in store.quads_for_pattern(node, ox.NamedNode(prop), None):
                if isinstance(quad.object, ox.Literal):
                    rows.append((iri, quad.object.value, quad.object.language, alias))
    return shown_labels(rows)


def _flat(
    variables: list[str], columns: list[tuple[str, str | None]], row: tuple[Any, ...], labels: dict[str, str]
) -> dict[str, Any] | None:
    """One row of plain values (``plain.plain_rows``), or ``None`` when a literal is of a kind not written here."""
    import pyoxigraph as ox

    cells = dict(zip(variables, row, strict=True))
    flat: dict[str, Any] = {}
    for column, variable in columns:
        if variable is None:
            term = cells[column[: -len("_label")]]
            flat[column] = labels.get(term.value) if isinstance(term, ox.NamedNode) else None
            continue
        term = cells[variable]
        if term is None:
            flat[column] = None
        elif isinstance(term, ox.NamedNode | ox.BlankNode):
            flat[column] = term.value
        elif term.language or term.datatype.value in _AS_TEXT or term.datatype.value == _LANG_STRING:
            flat[column] = term.value
        elif term.datatype.value == _INTEGER and re.fullmatch(r"[+-]?\d+", term.value):
            flat[column] = int(term.value)
        else:
            return None
    return flat


def _delimited(rows: list[dict[str, Any]], delimiter: str) -> str:
    """CSV or TSV of plain rows, cell for cell as ``plain.to_delimited`` writes them."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    write = (lambda cells: buffer.write("\t".join(cells) + "\n")) if delimiter == "\t" else writer.writerow
    write(list(rows[0]))
    for row in rows:
        cells = []
        for value in row.values():
            if value is None:
                cells.append("")
                continue
            text = str(value)
            if delimiter == "\t":
                text = " ".join(text.split("\t")).replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
            if isinstance(value, str) and text.startswith(_FORMULA_START):
                text = "'" + text
            cells.append(visible(text))  # no control character reaches the terminal (naming.visible)
        write(cells)
    return buffer.getvalue()


__all__ = ["answer_from", "main", "quick_answer"]
