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

# typer prints a value type after every option, "<bool>" included for flags that take no value;
# a flag shows only its name(s).
_display_type_rich = typer.core.TyperOption.display_type_rich
typer.core.TyperOption.display_type_rich = lambda self, ctx: None if self.is_flag else _display_type_rich(self, ctx)


@contextmanager
def working(what: str) -> Iterator[None]:
    """A spinner on stderr while ``what`` runs (only on a terminal; gone when done)."""
    with err.status(what) if err.is_terminal else nullcontext():
        yield


__all__ = ["Table", "err", "out", "working"]


def print_result(result: Any, fmt: str, *, raw: bool = False, label: Any = None) -> None:
    """Print a query result in the chosen format (``QUERY_FORMATS``); ``label`` names IRIs for csv/tsv."""
    if fmt != "table" or result.kind == "graph":
        from westminster_kg.plain import render

        sys.stdout.write(render(result, fmt, label or (lambda iri: None), neutralise=not raw))
        return
    if result.kind == "ask":
        out.print("true" if result.boolean else "false")
        return
    table = Table(*result.variables, show_lines=False)
    for row in result.rows:
        table.add_row(*(_cell(t) for t in row))
    out.print(table)
    err.print(f"{len(result.rows)} row(s)")


def _cell(term: Any) -> str:
    from rich.markup import escape

    from westminster_kg.namespaces import curie

    if term is None:
        return ""
    from rdflib import URIRef

    return escape(curie(term, brackets=True) if isinstance(term, URIRef) else str(term))
