"""``wmkg``: a thin command-line shell over the Python API.

The commands live by job in this package's modules (``query``, ``curation``, ``publish``, ``serve``,
``data``); each registers itself on the one typer app of ``westminster_kg.cli.shell``.
Every error a user can cause is a ``WmkgError``: it is printed as one line on stderr and the
command exits non-zero. ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import sys

# Each module registers its commands on the app; imported in the order `wmkg --help` lists them.
# isort: off
from westminster_kg.cli import query, curation, publish, serve, data  # noqa: F401

# isort: on
from westminster_kg.cli.shell import OPTIONS, app, escape
from westminster_kg.console import err
from westminster_kg.errors import WmkgError


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def main() -> None:
    """Entry point of the ``wmkg`` command."""
    import signal

    # SIGTERM and SIGHUP end the command through SystemExit rather than on the spot, so every `with`
    # and `finally` runs: temporary stores are removed, half-written files deleted. (`wmkg serve`'s
    # uvicorn puts its own graceful handlers in place while it runs.) A signal ignored by whoever
    # started us (nohup) stays ignored.
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None and signal.getsignal(number) is signal.SIG_DFL:
            signal.signal(number, _exit_on_signal)
    try:
        app(prog_name="wmkg")
    except WmkgError as exc:
        if OPTIONS.debug:
            raise
        err.print(f"[red]error[/]: {escape(str(exc))}")
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)


__all__ = ["app", "main"]
