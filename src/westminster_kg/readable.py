"""Answers as people read them: the key columns, cells cut to fit, the row-count line and the notebook's HTML.

A query result keeps every column the SPARQL selects (``-f csv``, ``--wide`` and the SPARQL formats
show them all). Read at a terminal or in a notebook, most of them repeat one another: an IRI column
beside its label, an empty hedge column. The key columns are the rest, an IRI shown by its label:
labels first, then quotes (the evidence, never dropped before a label), then the other columns;
at a terminal as many as fit its width, long text cut with "…".
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rdflib import Literal, URIRef

from westminster_kg.namespaces import WMR, curie

# (narrowest, widest) each kind of column is given at a terminal; quotes take the room left.
WIDTHS = {"label": (12, 24), "quote": (20, 10_000), "term": (6, 12), "other": (6, 16)}
FIRST_LABELS = 3  # label columns placed before the quotes; further ones come after them
LABEL_FIRST_STEP = 18  # labels are widened this far before the quotes take the room left
QUOTE_COMFORT = 40  # a further column is shown only while each quote keeps this much room
NOTEBOOK_ROWS = 200  # rows a notebook shows inline; the result itself keeps every row


@dataclass(frozen=True)
class Column:
    """One column as shown: the variable it shows, its heading and its role ("label", "quote", "other")."""

    variable: str
    index: int
    heading: str
    role: str
    width: int = 0


def count_line(count: int, filters: Sequence[tuple[str, str]] = ()) -> str:
    """The row count and the filters applied, as every surface says it (the query page too).

    "0 rows with government = Blair Government (1997-2007)", "1 row", "38 rows".
    """
    text = f"{count} row{'' if count == 1 else 's'}"
    if filters:
        text += " with " + ", ".join(f"{name} = {shown}" for name, shown in filters)
    return text


def cell_text(term: Any, label: Callable[[str], str | None]) -> str:
    """A term as a person reads it: an IRI by its label (else its CURIE), text on one line."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return label(str(term)) or curie(term, brackets=True)
    return " ".join(str(term).split())


def key_columns(variables: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[Column]:
    """The columns worth reading, in the query's order: no empty column, no IRI beside its label."""
    columns = []
    for index, variable in enumerate(variables):
        cells = [row[index] for row in rows if row[index] is not None]
        if rows and not cells:
            continue
        iris = [cell for cell in cells if isinstance(cell, URIRef)]
        if iris and (f"{variable}Label" in variables or f"{variable}_label" in variables):
            continue  # its label column says it in words
        lengths = [len(str(cell)) for cell in cells if isinstance(cell, Literal)]
        if re.search(r"quote$", variable, re.IGNORECASE) or (lengths and sum(lengths) / len(lengths) > 60):
            role = "quote"
        elif variable.endswith(("Label", "_label")) or any(str(iri).startswith(str(WMR)) for iri in iris):
            role = "label"  # the things the answer is about
        elif iris:
            role = "term"  # a term of the vocabulary (a modality, a stance): short, read after the quotes
        else:
            role = "other"
        heading = re.sub(r"(Label|_label)$", "", variable) if variable not in ("label",) else variable
        columns.append(Column(variable, index, heading or variable, role))
    return columns


def fit_columns(columns: list[Column], texts: list[list[str]], width: int) -> list[Column]:
    """The columns that fit ``width`` characters, each with the width it is given.

    Labels come first, then quotes, then the rest; a column is left out when even its narrowest
    width no longer fits. Quotes take the room that is left.

    Args:
        columns: the key columns, in the query's order.
        texts: the cells as text, one list per row, in the order of ``columns``.
        width: the terminal's width.
    """
    natural = [max([len(c.heading)] + [len(row[i]) for row in texts]) for i, c in enumerate(columns)]
    floor = [min(natural[i], WIDTHS[c.role][0]) for i, c in enumerate(columns)]
    ceiling = [min(natural[i], WIDTHS[c.role][1]) for i, c in enumerate(columns)]
    labels = [i for i, c in enumerate(columns) if c.role == "label"]
    # A label column that mostly repeats an earlier one (the claimant is nearly always the
    # government) is read last.
    repeats = [i for i in labels if any(_mostly_same(texts, j, i) for j in labels if j < i)]
    labels = [i for i in labels if i not in repeats]
    repeats = [i for i in repeats if not any(_all_same(texts, j, i) for j in labels)]  # an exact copy: never
    by_role = {role: [i for i, c in enumerate(columns) if c.role == role] for role in ("quote", "term", "other")}
    essential = labels[:FIRST_LABELS] + by_role["quote"]
    extra = labels[FIRST_LABELS:] + by_role["term"] + by_role["other"] + repeats
    chosen: list[int] = []
    for i in essential:
        if sum(floor[j] + 2 for j in [*chosen, i]) <= width:
            chosen.append(i)
    # Further columns only while the quotes keep room to be read.
    comfortable = [
        min(natural[i], QUOTE_COMFORT if c.role == "quote" else LABEL_FIRST_STEP if c.role == "label" else floor[i])
        for i, c in enumerate(columns)
    ]
    for i in extra:
        if sum(max(floor[j], comfortable[j]) + 2 for j in [*chosen, i]) <= width:
            chosen.append(i)
    chosen.sort()
    given = {i: floor[i] for i in chosen}
    room = width - sum(given[i] + 2 for i in chosen)
    # Widen labels part of the way, then the quotes, then the labels and the rest to their full width.
    quotes = [i for i in chosen if columns[i].role == "quote"]
    others = [i for i in chosen if columns[i].role != "quote"]
    for stage, members in ((LABEL_FIRST_STEP, others), (None, quotes), (None, others)):
        for n, i in enumerate(members):
            target = ceiling[i] if stage is None else min(ceiling[i], stage)
            share = max(0, min(room // (len(members) - n), target - given[i]))
            given[i] += share
            room -= share
    return [Column(c.variable, c.index, c.heading, c.role, given[i]) for i, c in enumerate(columns) if i in given]


def _mostly_same(texts: list[list[str]], first: int, second: int) -> bool:
    """Whether column ``second`` repeats column ``first`` in at least three rows of four."""
    same = sum(1 for row in texts if row[first] == row[second])
    return bool(texts) and same * 4 >= len(texts) * 3


def _all_same(texts: list[list[str]], first: int, second: int) -> bool:
    return all(row[first] == row[second] for row in texts)


def result_html(
    variables: Sequence[str],
    rows: Sequence[Sequence[Any]],
    label: Callable[[str], str | None],
    *,
    filters: Sequence[tuple[str, str]] = (),
    notes: Sequence[str] = (),
) -> str:
    """A result as a notebook shows it: the row count, notes, the key columns with quotes in full.

    At most ``NOTEBOOK_ROWS`` rows are drawn (the page says how many more there are); every cell
    is escaped.
    """
    parts = [f"<p><strong>{html.escape(count_line(len(rows), filters))}</strong></p>"]
    parts += [f"<p><em>Note: {html.escape(note)}</em></p>" for note in notes]
    columns = key_columns(variables, rows)
    if rows:
        head = "".join(f"<th>{html.escape(c.heading)}</th>" for c in columns)
        body = "".join(
            "<tr>"
            + "".join(
                f'<td style="text-align:left{";min-width:20em" if c.role == "quote" else ""}">'
                f"{html.escape(cell_text(row[c.index], label))}</td>"
                for c in columns
            )
            + "</tr>"
            for row in rows[:NOTEBOOK_ROWS]
        )
        parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        if len(rows) > NOTEBOOK_ROWS:
            parts.append(f"<p>… and {len(rows) - NOTEBOOK_ROWS} more rows (.to_dataframe() has them all)</p>")
    return '<div class="wmkg-result">' + "".join(parts) + "</div>"


__all__ = ["Column", "cell_text", "count_line", "fit_columns", "key_columns", "result_html"]
