"""Pytest runs in scratch copies of the checkout, a few at a time: what the mutation scripts share.

``scripts/mutate_checks.py`` and ``scripts/mutate_surfaces.py`` write each mutant into a copy of the
files the tests read, never into the checkout, and run the tests that must catch it there. Each copy
is made once and used by one run at a time (``ScratchRuns.borrow``), so ``jobs`` mutants are tested at
once; a mutant is undone in its copy before the copy is lent again. ``stop`` kills the runs still
going (an interrupt, before the copies are removed).
"""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def make_copy(target: Path, items: Sequence[str]) -> None:
    """``items`` (files or folders of the checkout) copied into ``target``, caches left out."""
    for item in items:
        source, destination = REPO / item, target / item
        if source.is_dir():
            shutil.copytree(source, destination, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"))
        else:
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)


class ScratchRuns:
    """``jobs`` copies of ``items`` under ``scratch``, lent to one pytest run at a time."""

    def __init__(self, scratch: Path, items: Sequence[str], jobs: int) -> None:
        self.copies = [scratch / f"copy-{n}" for n in range(max(1, jobs))]
        self._free: queue.Queue[Path] = queue.Queue()
        for copy in self.copies:
            make_copy(copy, items)
            self._free.put(copy)
        self._running: set[subprocess.Popen] = set()
        self._lock = threading.Lock()

    @contextmanager
    def borrow(self) -> Iterator[Path]:
        """A copy no other run uses until the ``with`` ends (waits for one when all are lent)."""
        copy = self._free.get()
        try:
            yield copy
        finally:
            self._free.put(copy)

    def pytest(self, copy: Path, arguments: Sequence[str], *, src: bool = False) -> tuple[int, str]:
        """``pytest -q -x ARGUMENTS`` in ``copy`` (its ``src/`` ahead of the installed package when ``src``);
        the exit status and the output."""
        env = dict(os.environ)
        if src:
            env["PYTHONPATH"] = str(copy / "src") + os.pathsep + env.get("PYTHONPATH", "")
        command = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-n", "0", "--no-header"]
        process = subprocess.Popen(
            [*command, *arguments], cwd=copy, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        with self._lock:
            self._running.add(process)
        try:
            output, _ = process.communicate()
        finally:
            with self._lock:
                self._running.discard(process)
        return process.returncode, output

    def stop(self) -> None:
        """Kill every pytest run still going."""
        with self._lock:
            for process in self._running:
                process.kill()


def unwind_on_sigterm() -> None:
    """A SIGTERM (a CI timeout) unwinds like Ctrl-C, so ``finally`` blocks remove the copies."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupt)
