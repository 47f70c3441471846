"""The CLI's terminal: rich consoles made on first use, a progress spinner, and typer's help without noise."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

import typer.core


class _Console:
    """rich's Console, made on first use: importing rich costs a tenth of a second that a command
    writing CSV to stdout never needs."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Any = None

    def __getattr__(self, name: str) -> Any:
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return getattr(self._console, name)


def Table(*columns: Any, **options: Any) -> Any:  # noqa: N802 - stands in for rich's class
    """rich's ``Table``, imported when a command prints one."""
    from rich.table import Table as RichTable

    return RichTable(*columns, **options)


out = _Console(highlight=False, soft_wrap=True)
err = _Console(stderr=True, highlight=False, soft_wrap=True)

# typer prints a value's Python type after every option and argument ("<str>", "<path>",
# "<list[str]>", "<bool>" even for flags that take no value). A flag shows only its name(s); a value
# shows what to type, by the parameter's name below (an explicit ``metavar=`` wins; a name not listed
# shows in capitals, as click does).
METAVARS = {
    "accept": "FILE",
    "accept_above": "SCORE",
    "allow_service": "URL",
    "backend": "NAME",
    "base": "IRI",
    "base_url": "URL",
    "cors": "ORIGIN",
    "depth": "HOPS",
    "drop": "NAME",
    "endpoint": "URL",
    "endpoint_deadline": "SECONDS",
    "endpoint_max_bytes": "BYTES",
    "file": "FILE",
    "fmt": "FORMAT",
    "focus": "ENTITY",
    "format": "FORMAT",
    "government": "GOVERNMENT",
    "govuk_url": "URL",
    "graph": "NAME",
    "host": "ADDRESS",
    "mapping": "FILE",
    "max_body": "BYTES",
    "max_query_bytes": "BYTES",
    "max_result_bytes": "BYTES",
    "max_rows": "ROWS",
    "minimum": "SHARE",
    "name": "NAME",
    "output": "FILE",
    "param": "KEY=VALUE",
    "parliament_url": "URL",
    "port": "PORT",
    "public_name": "HOST",
    "query_timeout": "SECONDS",
    "relations": "RELATIONS",
    "reload_interval": "SECONDS",
    "root": "FOLDER",
    "sparql": "QUERY",
    "store": "FOLDER",
    "threshold": "SCORE",
    "timeout": "SECONDS",
    "update_endpoint": "URL",
    "wikidata_url": "URL",
    "workers": "N",
}


def _metavar(param: Any, ctx: Any) -> str | None:
    """What the help shows after a parameter: nothing for a flag, else the value to type."""
    if getattr(param, "is_flag", False):
        return None
    if param.metavar is not None:
        return param.metavar
    return METAVARS.get(param.name or "", (param.name or "value").upper())


typer.core.TyperOption.display_type_rich = _metavar
typer.core.TyperArgument.display_type_rich = _metavar


@contextmanager
def working(what: str) -> Iterator[None]:
    """A spinner on stderr while ``what`` runs (only on a terminal; gone when done)."""
    with err.status(what) if err.is_terminal else nullcontext():
        yield


__all__ = ["Table", "err", "out", "working"]


def print_result(result: Any, fmt: str, *, raw: bool = False, label: Any = None, wide: bool = False) -> None:
    """Print a query result in the chosen format (``QUERY_FORMATS``); ``label`` names IRIs.

    ``table`` fits the terminal: the key columns (``westminster_kg.readable``), long text cut with
    "…", then the row count with the filters applied and any notes; ``wide`` shows every column.
    Other formats write stdout for programs; the row count of an empty answer and the notes go to
    stderr, one line each, so stdout stays machine-readable.
    """
    label = label or (lambda iri: None)
    if fmt != "table" or result.kind == "graph":
        from westminster_kg.plain import render

        sys.stdout.write(render(result, fmt, label, neutralise=not raw))
        if result.kind == "select" and not result.rows:
            err.print(_plain(result.summary()))
        for note in result.notes:
            err.print(_plain(f"note: {note}"))
        return
    if result.kind == "ask":
        out.print("true" if result.boolean else "false")
        return
    table, hidden = _wide_table(result) if wide else _fitted_table(result, label, out.width)
    if result.rows:
        out.print(table)
    shown = result.summary()
    if hidden and result.rows:
        shown += (
            f"; {len(result.variables) - hidden} of {len(result.variables)} columns shown (--wide: all; -f csv: a file)"
        )
    out.print(_plain(shown))
    for note in result.notes:
        out.print(_plain(f"note: {note}"))


def _plain(text: str) -> str:
    """``text`` as rich prints it verbatim, with no control character left to act on the terminal."""
    from rich.markup import escape

    from westminster_kg.naming import visible

    return escape(visible(text))


def _wide_table(result: Any) -> tuple[Any, int]:
    """Every column, every term as its CURIE or text (what ``--wide`` asks for)."""
    table = Table(show_lines=False)
    for variable in result.variables:
        table.add_column(variable, overflow="fold")  # wrapped, never cut
    for row in result.rows:
        table.add_row(*(_cell(t) for t in row))
    return table, 0


def _fitted_table(result: Any, label: Any, width: int) -> tuple[Any, int]:
    """The key columns that fit ``width``, each cut with "…"; and how many columns are not shown."""
    from rich import box

    from westminster_kg.readable import cell_text, fit_columns, key_columns

    columns = key_columns(result.variables, result.rows)
    texts = [[cell_text(row[c.index], label) for c in columns] for row in result.rows]
    fitted = fit_columns(columns, texts, width)
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for column in fitted:
        table.add_column(_plain(column.heading), width=column.width, no_wrap=True, overflow="ellipsis")
    for row in result.rows:
        table.add_row(*(_plain(cell_text(row[c.index], label)) for c in fitted))
    return table, len(result.variables) - len(fitted)


def _cell(term: Any) -> str:
    from rich.markup import escape

    from westminster_kg.namespaces import curie
    from westminster_kg.naming import visible

    if term is None:
        return ""
    from rdflib import URIRef

    # visible: an ESC or U+202E in an imported label must not act on the terminal (naming.CONTROLS).
    return escape(visible(curie(term, brackets=True) if isinstance(term, URIRef) else str(term)))
