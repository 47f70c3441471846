"""Temporary stores in TMPDIR: named after their owner process, removed on every exit path it has.

An import reads its file into a temporary on-disk store, ``wmkg serve`` writes one for its query
workers, the web app builds its dumps in one. Each is a folder ``wmkg-KIND-PID-START-RANDOM`` in the
temporary directory, where PID and START (the process's start time, in clock ticks since boot)
name the process that owns it:

* a normal end, an error, Ctrl-C or SIGTERM (the CLI turns it into an exit) removes it;
* SIGKILL, a crash or the OOM killer cannot: the next ``temporary_folder`` of any kind removes every
  folder whose owner is provably gone (no process with that PID, or one started at another time,
  which is the PID reused). A folder whose owner cannot be told (another naming, another user's) is
  left alone.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import tempfile
import weakref
from collections.abc import Iterator
from pathlib import Path

PREFIX = "wmkg-"
_OURS = re.compile(r"^wmkg-[a-z]+-(\d+)-(\d+)-[0-9a-f]+$")


def process_start(pid: int) -> int | None:
    """When process ``pid`` started (clock ticks since boot, from /proc), or ``None`` where unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: count fields after its last ")".
    fields = stat.rsplit(")", 1)[-1].split()
    try:
        return int(fields[19])  # field 22 of the whole line
    except (IndexError, ValueError):
        return None


def owner_alive(pid: int, start: int) -> bool:
    """Whether the process that made a folder (``pid`` started at ``start``) still runs."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: not ours to judge
    current = process_start(pid)
    return current is None or start == 0 or current == start


def remove_abandoned(directory: Path | None = None) -> list[Path]:
    """Remove the folders of ours in ``directory`` (default TMPDIR) whose owner is gone; return them."""
    where = Path(directory or tempfile.gettempdir())
    removed = []
    try:
        entries = list(where.iterdir())
    except OSError:
        return removed
    for entry in entries:
        match = _OURS.match(entry.name)
        if match is None or not entry.is_dir() or entry.is_symlink():
            continue
        if not owner_alive(int(match.group(1)), int(match.group(2))):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


class TemporaryFolder:
    """A folder in TMPDIR named after this process, removed by ``cleanup`` (or when collected, or at exit)."""

    def __init__(self, kind: str, directory: Path | None = None) -> None:
        remove_abandoned(directory)
        pid = os.getpid()
        name = f"{PREFIX}{kind}-{pid}-{process_start(pid) or 0}-{secrets.token_hex(4)}"
        self.path = Path(directory or tempfile.gettempdir()) / name
        # Runs at interpreter exit too (sys.exit, an unhandled exception, SIGTERM turned into SystemExit).
        # Registered before the folder exists: a signal between the two would otherwise leave it behind.
        self._finalizer = weakref.finalize(self, shutil.rmtree, str(self.path), ignore_errors=True)
        self.path.mkdir(mode=0o700)

    @property
    def name(self) -> str:
        """The folder's path as text (as ``tempfile.TemporaryDirectory`` has it)."""
        return str(self.path)

    def cleanup(self) -> None:
        """Remove the folder and everything in it (once; later calls do nothing)."""
        self._finalizer()


@contextlib.contextmanager
def temporary_folder(kind: str, directory: Path | None = None) -> Iterator[Path]:
    """A ``TemporaryFolder`` for the ``with`` block, removed when it ends however it ends."""
    folder = TemporaryFolder(kind, directory)
    try:
        yield folder.path
    finally:
        folder.cleanup()


__all__ = ["TemporaryFolder", "owner_alive", "process_start", "remove_abandoned", "temporary_folder"]
