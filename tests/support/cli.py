"""The ``wmkg`` command, run as a user runs it (a subprocess) or in this process (no interpreter to start).

``run_wmkg`` starts ``python -m westminster_kg.cli``: for what only a process shows (its exit status
as the shell sees it, signals, a cold start, what it imports). ``wmkg`` runs the same typer app in this
process, with stdout and stderr captured and an error a user can cause written as the real command
writes it (one line, its exit code): for what the command answers. Both return a
``subprocess.CompletedProcess`` with text stdout and stderr (line ends as ``text=True`` gives them).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, chdir, contextmanager, nullcontext
from functools import cache
from pathlib import Path
from typing import Any
from unittest.mock import patch


def run_wmkg(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run the real ``wmkg`` command in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "westminster_kg.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
    )


def wmkg(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, kg: Any = None
) -> subprocess.CompletedProcess:
    """Run the ``wmkg`` CLI in this process, as ``westminster_kg.cli.main`` runs it.

    ``env`` adds environment variables for the run. ``kg``: a graph already loaded, which every command
    then works on instead of loading one (the options, the command and its writing run as ever): for
    many questions asked of the same data, where loading is not the subject. A ``WmkgError`` becomes
    ``error: MESSAGE`` on stderr and its exit code, as ``main`` makes it; any other exception is raised
    (the real command would print a traceback: a bug either way).
    """
    import typer.testing

    from westminster_kg import console
    from westminster_kg.cli import app
    from westminster_kg.errors import WmkgError
    from westminster_kg.naming import visible

    # No terminal, as in a subprocess: rich writes 80 columns and no colour whatever the caller's terminal.
    environment = {"COLUMNS": "80", "NO_COLOR": "1", "TERM": "dumb", **(env or {})}
    with ExitStack() as run:
        run.enter_context(chdir(cwd) if cwd is not None else nullcontext())
        run.enter_context(commands_use(kg))
        run.enter_context(patch.object(typer.testing, "_get_command", lambda _app: click_command()))
        # A terminal of this run's own, as a new process makes: rich reads COLUMNS when its console is made.
        run.enter_context(patch.object(console.out, "_console", None))
        run.enter_context(patch.object(console.err, "_console", None))
        result = typer.testing.CliRunner().invoke(app, list(args), env=environment, prog_name="wmkg")
    code, stderr, error = result.exit_code, result.stderr, result.exception
    if isinstance(error, WmkgError):
        code, stderr = error.exit_code, stderr + f"error: {visible(str(error))}\n"
    elif isinstance(error, KeyboardInterrupt):
        code, stderr = 130, stderr + "interrupted\n"
    elif error is not None and not isinstance(error, SystemExit):
        raise error
    return subprocess.CompletedProcess(["wmkg", *args], code, result.stdout, stderr)


@cache
def click_command() -> Any:
    """The click command typer builds from ``westminster_kg.cli.app``, built once a process as the real
    command builds it once a run (typer builds it anew at each call of the app: ~0.03 s of CPU)."""
    import typer.main

    from westminster_kg.cli import app

    return typer.main.get_command(app)


# The CLI modules that load the graph through ``westminster_kg.cli.shell.load_kg`` (imported by name).
_LOADERS = ("shell", "curation", "data", "publish", "query", "serve")


@contextmanager
def commands_use(kg: Any) -> Iterator[None]:
    """While the ``with`` lasts, every command's ``load_kg`` gives ``kg`` (nothing changes when ``kg`` is None)."""
    if kg is None:
        yield
        return
    import importlib

    with ExitStack() as patches:
        for name in _LOADERS:
            module = importlib.import_module(f"westminster_kg.cli.{name}")
            patches.enter_context(patch.object(module, "load_kg", lambda **_options: kg))
        yield
