"""Query workers forked from one warm process, instead of each started from scratch.

A worker spends ~0.5 s of CPU starting Python and building rdflib's SPARQL grammar before it can
answer anything, and a pool starts its workers again on every data reload. The spawner
(``python -m westminster_kg.web --spawner FD``) pays that once: it imports and warms what a worker
needs, then, for each request on its socket (a store path, whether the worker keeps the network, and
the worker's two pipe ends passed as file descriptors), forks a child that runs the worker on those
pipes. The spawner stays single-threaded, so a fork copies no lock held by another thread, and
it ignores SIGCHLD, so the kernel reaps its children. One spawner serves every pool of the process;
it exits when the process that started it closes the socket (or dies).

The process that asked holds a ``pidfd`` for each worker: it can signal and wait for a process that
is not its child, without the risk of a reused PID. Where a spawner cannot start, workers are started
as plain subprocesses, as before.
"""

from __future__ import annotations

import atexit
import os
import pickle
import select
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Any

FORK_SECONDS = 10.0  # a fork takes milliseconds; a spawner this slow is stopped or stuck, and is replaced
_lock = threading.Lock()
_spawner: dict[str, Any] = {}  # "socket" and "process" of this process's spawner, once started


class ForkedWorker:
    """The handle of a forked worker: its pipes, and ``poll``/``kill``/``wait`` as ``subprocess.Popen`` has."""

    def __init__(self, pid: int, to_worker: int, from_worker: int) -> None:
        self._pidfd = os.pidfd_open(pid)  # first: if it fails, the pipes are still the caller's to close
        self.pid, self.returncode = pid, None
        self.stdin = os.fdopen(to_worker, "wb", buffering=0)
        self.stdout = os.fdopen(from_worker, "rb", buffering=0)

    def __del__(self) -> None:
        # Closed here only, once: the pool's threads may poll, kill and wait at the same moment, and a
        # pidfd closed by one of them while another selects on it could close someone else's file.
        if hasattr(self, "_pidfd"):
            os.close(self._pidfd)

    def poll(self) -> int | None:
        """``None`` while the worker runs; then -9 (its exit status is the spawner's to collect)."""
        if self.returncode is None and select.select([self._pidfd], [], [], 0)[0]:
            self.returncode = -signal.SIGKILL
        return self.returncode

    def kill(self) -> None:
        """SIGKILL, through the pidfd (never a reused PID)."""
        try:
            signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)
        except ProcessLookupError:
            pass  # it has ended already

    def wait(self, timeout: float | None = None) -> int:
        """Wait until the worker has ended (``subprocess.TimeoutExpired`` after ``timeout`` seconds)."""
        if not select.select([self._pidfd], [], [], timeout)[0]:
            raise subprocess.TimeoutExpired(f"worker {self.pid}", timeout or 0)
        return self.poll() or 0


def spawn(dump: str, network: bool, errors: int, memory: int) -> ForkedWorker | None:
    """A worker over the store at ``dump`` forked by this process's spawner; ``None`` if there is none.

    ``errors`` is the file descriptor the worker's stderr goes to; ``memory`` its memory limit in bytes
    (0: none).
    """
    with _lock:
        if "socket" not in _spawner and not _start():
            return None
        child_stdin, to_worker = os.pipe()
        from_worker, child_stdout = os.pipe()
        worker, stuck = None, False
        try:
            request = pickle.dumps((dump, network, memory))
            socket.send_fds(_spawner["socket"], [request], [child_stdin, child_stdout, errors])
            pid = int(_spawner["socket"].recv(64) or 0)
            if pid > 0:
                worker = ForkedWorker(pid, to_worker, from_worker)
        except TimeoutError:  # stopped (SIGSTOP) or stuck: kill it; the next worker gets a new spawner
            stuck = True
        except (OSError, ValueError):  # the spawner died, or this kernel has no pidfd: start workers as before
            pass
        finally:
            os.close(child_stdin)
            os.close(child_stdout)
        if worker is None:
            os.close(to_worker)  # the forked worker, if any, reads end-of-file and exits
            os.close(from_worker)
            _stop(kill=stuck)
        return worker


def _start() -> bool:
    if not hasattr(os, "pidfd_open") or not hasattr(socket, "send_fds"):  # pragma: no cover - not Linux
        return False
    ours, theirs = socket.socketpair()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "westminster_kg.web", "--spawner", str(theirs.fileno())],
            pass_fds=[theirs.fileno()],
            stdin=subprocess.DEVNULL,
        )
    except OSError:  # pragma: no cover - no interpreter to start
        ours.close()
        return False
    finally:
        theirs.close()
    ours.settimeout(120)  # its imports, on the busiest machine
    try:
        ready = ours.recv(16) == b"ready"
    except OSError:
        ready = False
    if not ready:
        ours.close()
        process.kill()
        process.wait()
        return False
    ours.settimeout(FORK_SECONDS)
    _spawner.update(socket=ours, process=process)
    atexit.register(_stop)
    return True


def _stop(*, kill: bool = False) -> None:
    if "socket" in _spawner:
        _spawner.pop("socket").close()  # the spawner reads end-of-file and exits
        process = _spawner.pop("process")
        if kill:
            process.kill()  # SIGKILL ends a stopped process too
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:  # pragma: no cover - it did not see the close
            process.kill()
            process.wait(5)


def spawner_main(fd: int, run_worker: Callable[[str], None], network_env: str, memory_env: str) -> None:
    """The spawner process (after the caller's warm-up): fork one ``run_worker(dump)`` per request on
    the socket ``fd`` until it closes, with ``network_env`` set to "1" in a worker that keeps the network
    and ``memory_env`` to its memory limit."""
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps the workers
    requests = socket.socket(fileno=fd)
    requests.sendall(b"ready")
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(requests, 65536, 3)
        except OSError:
            return
        if not message:
            return
        dump, network, memory = pickle.loads(message)  # noqa: S301 - only the process that started us writes here
        pid = os.fork()
        if pid == 0:  # the worker
            try:
                requests.close()
                os.dup2(fds[0], 0)
                os.dup2(fds[1], 1)
                os.dup2(fds[2], 2)
                for extra in fds:
                    os.close(extra)
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                os.environ[network_env] = "1" if network else "0"
                os.environ[memory_env] = str(memory)
                # Kept here too: the worker rebinds sys.stdout, and the last reference would close it.
                streams = open(0, closefd=False), open(1, "w", closefd=False)  # noqa: SIM115
                sys.stdin, sys.stdout = streams
                run_worker(dump)
            except BaseException:  # noqa: BLE001 - a worker that fails says why, like a started one would
                import traceback

                traceback.print_exc()
                os._exit(1)
            finally:
                os._exit(0)
        for extra in fds:
            os.close(extra)
        requests.sendall(str(pid).encode())


__all__ = ["ForkedWorker", "spawn", "spawner_main"]
