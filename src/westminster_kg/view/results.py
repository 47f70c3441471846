"""A query's answer as the web query page shows it: readable columns, the quote among the first.

An IRI column and the label column the catalogue gives beside it (``reform``, ``reformLabel``) are
shown as one column of linked labels, the CURIE kept as a tooltip. The quote (``quote``, ``quotes``)
is the evidence a reader came for: it comes right after the first two columns and is given room,
rather than landing off-screen behind a row of IRIs. Nothing is dropped: every variable the query
returns has its column, and the downloads keep the raw answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rdflib import URIRef

from westminster_kg.namespaces import curie
from westminster_kg.view.pages import entity_page

if TYPE_CHECKING:
    from westminster_kg.store import QueryResult

QUOTE_VARIABLES = ("quote", "quotes", "exact", "evidence")


@dataclass
class Column:
    """One shown column: a variable, and the variable holding its label when there is one."""

    name: str
    label_of: str | None = None  # the label variable shown as this column's text
    quote: bool = False


@dataclass
class Table:
    """The columns and cells of an answer; each cell is (text, link, tooltip)."""

    columns: list[Column]
    rows: list[list[tuple[str, str, str]]] = field(default_factory=list)


def _labelled(variables: list[str]) -> dict[str, str]:
    """IRI variable → its label variable: ``reform`` → ``reformLabel``, ``reformGovernment`` →
    ``governmentLabel`` (an earlier variable whose name ends with the label's stem)."""
    labels: dict[str, str] = {}
    for index, variable in enumerate(variables):
        if not variable.endswith("Label") or variable == "Label":
            continue
        stem = variable[: -len("Label")]
        if stem in variables:
            labels[stem] = variable
            continue
        earlier = [v for v in variables[:index] if v.lower().endswith(stem.lower()) and v not in labels]
        if earlier:
            labels[earlier[-1]] = variable
    return labels


def columns_of(variables: list[str]) -> list[Column]:
    """The shown columns: IRI and label merged, the quote moved up to third place."""
    labels = _labelled(variables)
    merged = set(labels.values())
    columns = [Column(v, labels.get(v), v in QUOTE_VARIABLES) for v in variables if v not in merged]
    quotes = [c for c in columns if c.quote]
    others = [c for c in columns if not c.quote]
    return others[:2] + quotes + others[2:]


def _cell(term: Any, label: Any, name: Callable[[str], str] | None) -> tuple[str, str, str]:
    if term is None:
        return ("", "", "")
    if isinstance(term, URIRef):
        shown = str(label) if label is not None else (name(str(term)) if name else curie(str(term)))
        return (shown, entity_page(term), curie(str(term)))
    return (str(term), "", "")


def result_table(result: QueryResult, name: Callable[[str], str] | None = None) -> Table:
    """The answer of a SELECT query as ``Table``; ``name`` gives a label to an IRI the answer does not
    label itself (a stance, a modality), else it is shown as a CURIE."""
    variables = list(result.variables)
    columns = columns_of(variables)
    position = {v: i for i, v in enumerate(variables)}
    table = Table(columns)
    for row in result.rows:
        table.rows.append(
            [_cell(row[position[c.name]], row[position[c.label_of]] if c.label_of else None, name) for c in columns]
        )
    return table


__all__ = ["Column", "Table", "columns_of", "result_table"]
