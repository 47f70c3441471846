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
from contextlib import chdir, nullcontext
from pathlib import Path


def run_wmkg(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run the real ``wmkg`` command in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "westminster_kg.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
    )


def wmkg(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the ``wmkg`` CLI in this process, as ``westminster_kg.cli.main`` runs it.

    ``env`` adds environment variables for the run. A ``WmkgError`` becomes ``error: MESSAGE`` on stderr
    and its exit code, as ``main`` makes it; any other exception is raised (the real command would
    print a traceback: a bug either way).
    """
    from typer.testing import CliRunner

    from westminster_kg.cli import app
    from westminster_kg.errors import WmkgError
    from westminster_kg.naming import visible

    # No terminal, as in a subprocess: rich writes 80 columns and no colour whatever the caller's terminal.
    environment = {"COLUMNS": "80", "NO_COLOR": "1", "TERM": "dumb", **(env or {})}
    with chdir(cwd) if cwd is not None else nullcontext():
        result = CliRunner().invoke(app, list(args), env=environment, prog_name="wmkg", catch_exceptions=True)
    code, stderr, error = result.exit_code, result.stderr, result.exception
    if isinstance(error, WmkgError):
        code, stderr = error.exit_code, stderr + f"error: {visible(str(error))}\n"
    elif isinstance(error, KeyboardInterrupt):
        code, stderr = 130, stderr + "interrupted\n"
    elif error is not None and not isinstance(error, SystemExit):
        raise error
    return subprocess.CompletedProcess(["wmkg", *args], code, result.stdout, stderr)
