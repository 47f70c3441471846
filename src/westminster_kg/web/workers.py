"""The pool of time-limited worker processes that answer every query the web app runs.

pyoxigraph has no query timeout or cancellation, so each query runs in a worker process
(``westminster_kg.web.worker``): a worker that runs over the time limit is killed and replaced, and the
other workers keep answering. The workers share one on-disk Oxigraph store, opened read-only by each
(written once per pool, so once per data reload; or the live generation of ``--store`` itself): no
worker holds a copy of the data.
"""

from __future__ import annotations

import dataclasses
import os
import queue
import select
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from westminster_kg.errors import QueryError, StoreError
from westminster_kg.store.temporary import TemporaryFolder
from westminster_kg.web.guard import ForbiddenQueryError
from westminster_kg.web.jobs import Answer, Body, Problem, QueryJob, Refusal
from westminster_kg.web.worker import MEMORY_ENV, NETWORK_ENV, OUT_OF_MEMORY, read_frame, write_frame

if TYPE_CHECKING:
    from westminster_kg.knowledge_graph import KnowledgeGraph


class QueryTimeoutError(StoreError):
    """A query ran over the time limit and was stopped."""


class WorkerLimitError(StoreError):
    """A query ran into a resource limit of its worker (memory): refused, the worker replaced."""


class PoolClosedError(StoreError):
    """The pool was closed (new data swapped in) before the query was given to a worker: ask the new one."""


FAST_SECONDS = 0.5  # a query text that last ran within this may use the pool's fast lane


class _Worker:
    """One worker subprocess, its pipes, and the file its stderr goes to."""

    def __init__(self, dump: str, *, network: bool = False, memory: int = 0, folder: str | None = None) -> None:
        from westminster_kg.web.spawner import spawn

        # stderr to a file, not a pipe: nothing the worker prints can fill a buffer and block it.
        self.errors = tempfile.TemporaryFile(dir=folder)
        # Forked from the warm spawner (milliseconds); a fresh interpreter where there is none (~0.5 s).
        self.process: Any = spawn(dump, network, self.errors.fileno(), memory) or subprocess.Popen(
            [sys.executable, "-m", "westminster_kg.web", "--worker", dump],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.errors,
            bufsize=0,
            env={**os.environ, NETWORK_ENV: "1" if network else "0", MEMORY_ENV: str(memory)},
        )
        self.isolated = False
        self.lane = "any"  # the QueryPool lane it serves: "any", "fast" or "api"

    def send(self, message: Any) -> None:
        write_frame(self.process.stdin, message)

    def wait_readable(self, seconds: float) -> bool:
        """Whether a reply is ready within ``seconds``."""
        ready, _, _ = select.select([self.process.stdout], [], [], max(0.0, seconds))
        return bool(ready)

    def receive(self) -> Any:
        return read_frame(self.process.stdout)

    def ran_out_of_memory(self) -> bool:
        """Whether the worker said, as it died, that an allocation failed (its memory limit)."""
        try:
            self.errors.seek(0, os.SEEK_END)
            size = self.errors.tell()
            self.errors.seek(max(0, size - 64 * 1024))
            return OUT_OF_MEMORY.encode() in self.errors.read()
        except (OSError, ValueError):  # closed already
            return False

    def stop(self) -> None:
        self.process.kill()
        self.process.wait(10)
        for stream in (self.process.stdin, self.process.stdout, self.errors):
            try:
                stream.close()
            except OSError:  # pragma: no cover - a pipe broken by the kill
                pass


class QueryPool:
    """Worker processes that each hold the store; a query over its time limit kills its worker.

    ``run`` blocks, so the web app calls it from a thread; the event loop keeps serving.

    Two small lanes keep anyone's /sparql load from starving the rest: ``fast_workers`` extra workers
    answer only queries whose same text last ran within ``FAST_SECONDS`` (clients that keep every
    ordinary worker busy to the time limit cannot make a cheap, repeated query wait behind them), and
    ``api_workers`` answer only ``run(..., lane="api")``, the app's own pages and API. Every worker
    opens the same on-disk store, or, for data of at most ``in_memory_quads`` quads, loads it into
    memory from one N-Quads dump (Oxigraph answers from memory several times faster than from disk).
    """

    def __init__(
        self,
        kg: KnowledgeGraph,
        workers: int | None = None,
        *,
        allowed_services: list[str] | tuple[str, ...] = (),
        fast_workers: int = 0,
        api_workers: int = 0,
        memory: int = 0,
        in_memory_quads: int = 0,
    ) -> None:
        # Workers get a network only when some SERVICE endpoint is allowed; otherwise none at all.
        self.allowed_services = list(allowed_services)
        self.memory = memory  # bytes of data memory each worker may use (0: no limit)
        self.isolated = True  # every worker started so far runs without a network
        self._folder = TemporaryFolder("serve")  # removed by close(); if killed, by the next start
        self.dump = shared_store(kg, Path(self._folder.name) / "store", in_memory_quads=in_memory_quads)
        workers = workers or default_workers()
        self._lanes: dict[str, queue.Queue[_Worker]] = {"any": queue.Queue()}
        for lane, count in (("fast", fast_workers), ("api", api_workers)):
            if count > 0:
                self._lanes[lane] = queue.Queue()
        self._idle = self._lanes["any"]
        self._took: dict[str, float] = {}  # a query text's last run time, seconds (bounded below)
        self._closed = False
        self._retiring = False  # new data is live: close as soon as the last query here ends
        self._in_flight = 0  # queries given to this pool and not answered yet
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self.replaced = 0  # workers killed at the time limit or found dead, and restarted
        self.died = 0  # workers that died while answering (a bug: no query should do this)
        self.out_of_memory = 0  # workers stopped by their memory limit (a query asked for too much)
        lanes = ["any"] * max(1, workers) + ["fast"] * fast_workers + ["api"] * api_workers
        starters = [threading.Thread(target=self._start_worker, args=(lane,)) for lane in lanes]
        for thread in starters:
            thread.start()
        for thread in starters:
            thread.join()
        if self._idle.empty():
            raise StoreError("no SPARQL worker process could start (see the errors above)")

    @property
    def idle(self) -> int:
        """How many workers wait for a query."""
        return self._idle.qsize()

    def _start_worker(self, lane: str = "any") -> None:
        worker = _Worker(self.dump, network=bool(self.allowed_services), memory=self.memory, folder=self._folder.name)
        worker.lane = lane
        try:
            if not worker.wait_readable(120):
                raise EOFError("the worker did not start")
            reply = worker.receive()
            if reply[0] != "ready":
                raise EOFError("the worker did not start")
        except (EOFError, OSError):
            worker.stop()
            return
        worker.isolated = bool(reply[1])
        with self._lock:
            self.isolated = self.isolated and worker.isolated
            if self._closed:
                worker.stop()
                return
            self._all.add(worker)
        self._queue_of(worker).put(worker)

    def _queue_of(self, worker: _Worker) -> queue.Queue[_Worker]:
        return self._lanes.get(worker.lane, self._idle)

    def run(self, job: QueryJob, *, deadline: float | None = None, lane: str = "any") -> Answer | Body | Problem:
        """Answer ``job`` in a free worker by ``deadline``: rows or a graph (``Answer``), or the answer
        written in the job's ``accept`` (``Body``), or why it cannot be written so (``Problem``).

        Args:
            job: the query, its bound terms and its limits (``job.limits.timeout`` is named in errors).
            deadline: ``time.monotonic()`` by which the answer must be in: the request's arrival plus the
                time limit, so waiting for a free worker counts. Default: now plus the time limit.
            lane: "api" for the app's own pages and API (its own workers when the pool has them).

        Raises:
            QueryTimeoutError: the query, with its wait for a free worker, ran over the limit.
            WorkerLimitError: the query ran into the worker's memory limit.
            ForbiddenQueryError: an update, or a SERVICE not allowed.
            QueryError: the text is not SPARQL, or the engine refused it (one line).
            StoreError: the worker died, or the pool was closed meanwhile.
        """
        with self._lock:
            if self._closed or self._retiring:
                raise PoolClosedError("these query workers were retired for new data")
            self._in_flight += 1
        try:
            return self._run(job, deadline, lane)
        finally:
            with self._lock:
                self._in_flight -= 1
                last = self._retiring and self._in_flight == 0
            if last:
                self.close()

    @property
    def closed(self) -> bool:
        """Whether the workers are stopped (closed, or retired with no query left)."""
        return self._closed

    def retire(self) -> None:
        """Take no new query, and close as soon as the last one in flight has its answer."""
        with self._lock:
            self._retiring = True
            idle = self._in_flight == 0
        if idle:
            self.close()

    def _run(self, job: QueryJob, deadline: float | None, lane: str) -> Answer | Body | Problem:
        timeout = job.limits.timeout
        deadline = time.monotonic() + timeout if deadline is None else deadline
        if tuple(self.allowed_services) != job.allowed_services:
            job = dataclasses.replace(job, allowed_services=tuple(self.allowed_services))
        text = job.template
        if lane not in self._lanes:
            lane = "any"
        if lane == "any" and "fast" in self._lanes and self._took.get(text, FAST_SECONDS + 1) <= FAST_SECONDS:
            lane = "fast"
        try:
            worker = self._lanes[lane].get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise QueryTimeoutError(
                f"every query worker stayed busy for the whole {timeout:g} s time limit; try again"
            ) from None
        started = time.monotonic()
        try:
            worker.send(job)
            if not worker.wait_readable(deadline - time.monotonic()):
                raise QueryTimeoutError(f"the query was stopped at the {timeout:g} s time limit (counted from arrival)")
            outcome = worker.receive()
        except (QueryTimeoutError, EOFError, OSError, ValueError) as exc:  # ValueError: close() shut its pipes
            self._took.pop(text, None)
            out_of_memory = not isinstance(exc, QueryTimeoutError) and worker.ran_out_of_memory()
            self._replace(worker)
            if isinstance(exc, QueryTimeoutError):
                raise
            if self._closed:
                raise StoreError("the query workers were stopped while this query ran; try again") from exc
            if out_of_memory:
                self.out_of_memory += 1
                raise WorkerLimitError(
                    f"the query needed more than the {self.memory // 2**20} MiB a query worker may use, so it was "
                    "stopped (wmkg serve --worker-memory)"
                ) from None
            self.died += 1
            raise StoreError("the query worker died while answering; it has been replaced") from exc
        self._queue_of(worker).put(worker)
        if len(self._took) > 4096:
            self._took.clear()
        self._took[text] = time.monotonic() - started
        if isinstance(outcome, Refusal):
            raise _refusal_error(outcome)
        return outcome

    def _replace(self, worker: _Worker) -> None:
        """Kill ``worker`` and start another in the background (loading takes a moment)."""
        with self._lock:
            self._all.discard(worker)
            closed = self._closed
        worker.stop()
        self.replaced += 1
        if not closed:
            threading.Thread(target=self._start_worker, args=(worker.lane,), daemon=True).start()

    def close(self) -> None:
        """Stop every worker and remove the dump (a second call does nothing)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            workers, self._all = list(self._all), set()
        for worker in workers:
            worker.stop()
        self._folder.cleanup()


def _refusal_error(refusal: Refusal) -> QueryError | StoreError:
    if refusal.kind == "forbidden":
        return ForbiddenQueryError(refusal.message)
    if refusal.kind == "limit":
        return WorkerLimitError(refusal.message)
    return QueryError(refusal.message)


def default_workers() -> int:
    """One query worker per CPU this process may use (at least one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def shared_store(kg: KnowledgeGraph, path: Path, *, in_memory_quads: int = 0) -> str:
    """Where the workers find every quad of ``kg``: an on-disk Oxigraph store they open read-only, or,
    when ``kg`` has at most ``in_memory_quads`` quads, an N-Quads file each loads into memory.

    ``--store`` already keeps one: its live generation is used as it is (a rebuild keeps the previous
    generation, so workers reading it are not pulled from under). Otherwise ``kg`` is written to ``path``.
    """
    import pyoxigraph as ox

    from westminster_kg.store.oxigraph import ox_quads

    if in_memory_quads > 0 and len(kg.store) <= in_memory_quads:
        dump = path.with_suffix(".nq")
        with dump.open("wb") as out:
            ox.serialize(ox_quads(kg.store), out, format=ox.RdfFormat.N_QUADS)
        return str(dump)
    live = getattr(kg.store, "generation", None)
    if live is not None and getattr(kg.store, "path", None) is not None:
        return str(Path(kg.store.path) / live)
    store = ox.Store(str(path))
    store.bulk_extend(ox_quads(kg.store))
    store.flush()
    del store  # closes RocksDB: the workers open it read-only
    return str(path)


__all__ = ["PoolClosedError", "QueryPool", "QueryTimeoutError", "WorkerLimitError", "default_workers", "shared_store"]
