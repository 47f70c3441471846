"""The CLI's terminal: rich consoles made on first use, a progress spinner, and typer's help without noise."""

from __future__ import annotations

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
