"""Pytest runs in scratch copies of the checkout, a few at a time: what the mutation scripts share.

``scripts/mutate_checks.py`` and ``scripts/mutate_surfaces.py`` write each mutant into a copy of the
files the tests read, never into the checkout, and run the tests that must catch it there. Each copy
is made once and used by one run at a time (``ScratchRuns.borrow``), so ``jobs`` mutants are tested at
once; a mutant is undone in its copy before the copy is lent again. ``stop`` kills the runs still
going (an interrupt, before the copies are removed). Each run is forked from a server that has the
suite's third-party libraries imported (``scripts/fork_server.py``), not started afresh.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TypeVar

REPO = Path(__file__).resolve().parents[1]
T = TypeVar("T")
R = TypeVar("R")


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
    """``jobs`` copies of ``items`` under ``scratch``, lent to one pytest run at a time.

    Each copy has a fork server (``scripts/fork_server.py``) that has imported the suite's third-party
    libraries once and forks each run from there, in the copy; nothing of the project is imported before
    the fork. Use it in a ``with``: at its end the servers stop, and when it ends by an exception (Ctrl-C,
    SIGTERM through ``unwind_on_sigterm``) the runs still going are killed first.
    """

    def __init__(self, scratch: Path, items: Sequence[str], jobs: int) -> None:
        self.copies = [scratch / f"copy-{n}" for n in range(max(1, jobs))]
        self._free: queue.Queue[Path] = queue.Queue()
        self._servers: dict[Path, subprocess.Popen] = {}
        try:
            for copy in self.copies:
                make_copy(copy, items)
                self._servers[copy] = subprocess.Popen(
                    [
                        sys.executable,
                        str(Path(__file__).with_name("fork_server.py")),
                        *map(str, (REPO / "src", REPO / "tests", scratch)),
                    ],
                    cwd=scratch,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                    start_new_session=True,  # its own process group: stop() kills it and all it started
                )
                self._free.put(copy)
            for server in self._servers.values():
                if json.loads(server.stdout.readline() or "{}").get("ready") is not True:
                    raise SystemExit("a fork server (scripts/fork_server.py) did not start")
        except BaseException:
            self.stop()
            raise

    def __enter__(self) -> ScratchRuns:
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        if error is not None:
            self.stop()
        for server in self._servers.values():
            if server.stdin and not server.stdin.closed:
                server.stdin.close()  # the end of its requests: the server ends
            server.wait()

    @contextmanager
    def borrow(self) -> Iterator[Path]:
        """A copy no other run uses until the ``with`` ends (waits for one when all are lent)."""
        copy = self._free.get()
        try:
            yield copy
        finally:
            self._free.put(copy)

    def pytest(self, copy: Path, arguments: Sequence[str], *, src: bool = False) -> tuple[int, str]:
        """``pytest -q -x ARGUMENTS`` in ``copy`` (its ``src/`` ahead of the installed package when ``src``),
        forked by the copy's server; the exit status and the output."""
        command = ["-q", "-x", "-p", "no:cacheprovider", "-n", "0", "--no-header"]
        # The server imported the plugins (xdist, hypothesis) before pytest could mark them for assertion
        # rewriting, which pytest would warn about in every run; the tests' own modules are rewritten as ever.
        command += ["-W", "ignore::pytest.PytestAssertRewriteWarning"]
        output = copy.with_name(copy.name + ".out")
        request = {"cwd": str(copy), "args": [*command, *arguments], "src": src, "output": str(output)}
        server = self._servers[copy]
        server.stdin.write(json.dumps(request) + "\n")
        server.stdin.flush()
        answer = server.stdout.readline()
        if not answer:
            raise SystemExit(f"the fork server of {copy.name} ended (exit {server.wait()})")
        return json.loads(answer)["code"], output.read_text(encoding="utf-8", errors="replace")

    def each(self, function: Callable[[T], R], items: Sequence[T]) -> Iterator[tuple[T, Future[R]]]:
        """``function(item)`` for each of ``items``, as many at once as there are copies: each item with its
        finished future, in the order they finish. An exception meanwhile (Ctrl-C, SIGTERM) kills the runs
        going and cancels those not started, before the threads are waited for."""
        with ThreadPoolExecutor(len(self.copies)) as pool:
            futures = {pool.submit(function, item): item for item in items}
            try:
                for future in as_completed(futures):
                    yield futures[future], future
            except BaseException:
                self.stop()
                pool.shutdown(wait=False, cancel_futures=True)
                raise

    def stop(self) -> None:
        """Kill every server and every run still going (each server's process group)."""
        for server in self._servers.values():
            with suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGKILL)


def unwind_on_sigterm() -> None:
    """A SIGTERM (a CI timeout) unwinds like Ctrl-C, so ``finally`` blocks remove the copies."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupt)
