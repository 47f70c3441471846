"""The time-limited worker processes that answer every query a client writes.

pyoxigraph has no query timeout or cancellation, so each client query runs in a worker process:
a worker that runs over the time limit is killed and replaced, and the other workers keep answering.
The workers share one on-disk Oxigraph store, opened read-only by each (written once per pool, so
once per data reload; or the live generation of ``--store`` itself): no worker holds a copy of the data.
"""

from __future__ import annotations

import os
import pickle
import queue
import select
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from westminster_kg.errors import QueryError, StoreError
from westminster_kg.namespaces import PREFIXES
from westminster_kg.web.guard import ForbiddenQueryError

if TYPE_CHECKING:
    from westminster_kg.knowledge_graph import KnowledgeGraph
    from westminster_kg.store import QueryResult


class QueryTimeoutError(StoreError):
    """A query ran over the time limit and was stopped."""


# Workers are plain subprocesses (``python -m westminster_kg.web --worker DUMP``) talking length-prefixed
# pickles over stdin/stdout. multiprocessing's spawn would re-import the caller's main module in every
# worker, which breaks scripts without a main guard, code run from stdin and some notebooks.

_FRAME = struct.Struct("!Q")


def _write_frame(stream: BinaryIO, message: Any) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_FRAME.pack(len(data)) + data)
    stream.flush()


def _read_exactly(stream: BinaryIO, size: int) -> bytes:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = stream.read(size - len(chunks))
        if not chunk:
            raise EOFError("the other end closed the pipe")
        chunks.extend(chunk)
    return bytes(chunks)


def _read_frame(stream: BinaryIO) -> Any:
    (size,) = _FRAME.unpack(_read_exactly(stream, _FRAME.size))
    # Only our own worker or our own server writes to this pipe: unpickling is safe here.
    return pickle.loads(_read_exactly(stream, size))  # noqa: S301


def _answer(
    store: Any,
    sparql: str,
    max_rows: int,
    default_graphs: list[str],
    named_graphs: list[str],
    base_iri: str | None = None,
) -> tuple:
    """One query's reply, read no further than ``max_rows`` solutions or triples.

    The standard prefixes are predeclared (a query's own PREFIX wins) and relative IRIs resolve
    against ``base_iri``, the endpoint's own URL, as the Protocol suggests.
    """
    import pyoxigraph as ox

    from westminster_kg.store import syntax_error
    from westminster_kg.store.oxigraph import from_ox

    try:
        options: dict[str, Any] = {
            "use_default_graph_as_union": not default_graphs,
            "prefixes": PREFIXES,
            "base_iri": base_iri,
        }
        if default_graphs:
            options["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        if named_graphs:
            options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        answer = store.query(sparql, **options)
        if isinstance(answer, ox.QueryBoolean):
            return ("ask", bool(answer))
        if isinstance(answer, ox.QuerySolutions):
            variables = [v.value for v in answer.variables]
            rows = []
            for solution in answer:  # stop at the cap: a huge result is never built
                if len(rows) == max_rows:
                    return ("select", variables, rows, True)
                rows.append(tuple(from_ox(solution[v]) for v in variables))
            return ("select", variables, rows, False)
        triples = []
        for triple in answer:
            if len(triples) == max_rows:
                return ("graph", triples, True)
            triples.append((from_ox(triple.subject), from_ox(triple.predicate), from_ox(triple.object)))
        return ("graph", triples, False)
    except SyntaxError as exc:
        error = syntax_error(sparql, str(exc))
        return ("error", "update" if "updates are refused" in str(error) else "syntax", str(error))
    except (OSError, ValueError, TypeError) as exc:
        detail = str(exc).splitlines()[0] if str(exc) else repr(exc)
        return ("error", "failed", f"the query failed: {detail}")


def worker_main(dump: str) -> None:
    """A worker process: open the shared store (or load an N-Quads dump), then answer queries from stdin
    on stdout until stdin closes."""
    import pyoxigraph as ox

    requests, replies = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must never corrupt the reply stream
    if Path(dump).is_dir():
        store = ox.Store.read_only(dump)
    else:
        store = ox.Store()
        store.bulk_load(path=dump, format=ox.RdfFormat.N_QUADS)
    _write_frame(replies, ("ready",))
    while True:
        try:
            sparql, max_rows, default_graphs, named_graphs, base_iri = _read_frame(requests)
        except EOFError:
            return
        _write_frame(replies, _answer(store, sparql, max_rows, default_graphs, named_graphs, base_iri))


class _Worker:
    """One worker subprocess and its pipes."""

    def __init__(self, dump: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "westminster_kg.web", "--worker", dump],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            bufsize=0,
        )

    def send(self, message: Any) -> None:
        _write_frame(self.process.stdin, message)

    def wait_readable(self, seconds: float) -> bool:
        """Whether a reply is ready within ``seconds``."""
        ready, _, _ = select.select([self.process.stdout], [], [], max(0.0, seconds))
        return bool(ready)

    def receive(self) -> Any:
        return _read_frame(self.process.stdout)

    def stop(self) -> None:
        self.process.kill()
        self.process.wait(10)
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()
            except OSError:  # pragma: no cover - a pipe broken by the kill
                pass


class QueryPool:
    """Worker processes that each hold the store; a query over its time limit kills its worker.

    ``run`` blocks, so the web app calls it from a thread; the event loop keeps serving.
    """

    def __init__(self, kg: KnowledgeGraph, workers: int | None = None) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="wmkg-serve-")
        self.dump = shared_store(kg, Path(self._folder.name) / "store")
        workers = workers or default_workers()
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._closed = False
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self.replaced = 0
        starters = [threading.Thread(target=self._start_worker) for _ in range(max(1, workers))]
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

    def _start_worker(self) -> None:
        worker = _Worker(self.dump)
        try:
            if not worker.wait_readable(120) or worker.receive() != ("ready",):
                raise EOFError("the worker did not start")
        except (EOFError, OSError):
            worker.stop()
            return
        with self._lock:
            if self._closed:
                worker.stop()
                return
            self._all.add(worker)
        self._idle.put(worker)

    def run(
        self,
        sparql: str,
        *,
        timeout: float,
        max_rows: int,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        base_iri: str | None = None,
    ) -> tuple[QueryResult, bool]:
        """Answer ``sparql`` within ``timeout`` seconds; returns the result and whether it was capped.

        Raises:
            QueryTimeoutError: the query (or the wait for a free worker) ran over the limit.
            ForbiddenQueryError: the text is an update.
            QueryError: the text is not SPARQL (message with line and column).
        """
        from rdflib import Graph

        from westminster_kg.store import QueryResult

        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            raise QueryTimeoutError(f"every query worker stayed busy for {timeout:g} s; try again") from None
        # The time limit counts from when a worker takes the query: waiting behind slow queries of
        # other clients (bounded by the same limit above) must not eat this query's own budget.
        started = time.monotonic()
        try:
            worker.send((sparql, max_rows, default_graphs or [], named_graphs or [], base_iri))
            if not worker.wait_readable(timeout - (time.monotonic() - started)):
                raise QueryTimeoutError(f"the query was stopped after the {timeout:g} s time limit")
            reply = worker.receive()
        except (QueryTimeoutError, EOFError, OSError) as exc:
            self._replace(worker)
            if isinstance(exc, QueryTimeoutError):
                raise
            raise StoreError("the query worker died while answering; it has been replaced") from exc
        self._idle.put(worker)
        kind = reply[0]
        if kind == "error":
            if reply[1] == "update":
                raise ForbiddenQueryError(reply[2])
            raise QueryError(reply[2])
        if kind == "ask":
            return QueryResult("ask", boolean=reply[1]), False
        if kind == "select":
            return QueryResult("select", reply[1], reply[2]), reply[3]
        graph = Graph()
        for prefix, iri in PREFIXES.items():
            graph.bind(prefix, iri, override=True)
        for triple in reply[1]:
            graph.add(triple)
        return QueryResult("graph", graph=graph), reply[2]

    def _replace(self, worker: _Worker) -> None:
        """Kill ``worker`` and start another in the background (loading takes a moment)."""
        with self._lock:
            self._all.discard(worker)
            closed = self._closed
        worker.stop()
        self.replaced += 1
        if not closed:
            threading.Thread(target=self._start_worker, daemon=True).start()

    def close(self) -> None:
        """Stop every worker and remove the dump."""
        with self._lock:
            self._closed = True
            workers, self._all = list(self._all), set()
        for worker in workers:
            worker.stop()
        self._folder.cleanup()


def default_workers() -> int:
    """One query worker per CPU this process may use (at least one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def shared_store(kg: KnowledgeGraph, path: Path) -> str:
    """The folder of an on-disk Oxigraph store with every quad of ``kg``, for the workers to open read-only.

    ``--store`` already keeps one: its live generation is used as it is (a rebuild keeps the previous
    generation, so workers reading it are not pulled from under). Otherwise ``kg`` is written to ``path``.
    """
    import pyoxigraph as ox

    from westminster_kg.store.oxigraph import OxigraphStore, to_ox

    live = getattr(kg.store, "generation", None)
    if live is not None and getattr(kg.store, "path", None) is not None:
        return str(Path(kg.store.path) / live)
    store = ox.Store(str(path))
    if isinstance(kg.store, OxigraphStore):
        store.bulk_extend(kg.store.store)
    else:
        store.bulk_extend(
            ox.Quad(to_ox(s), to_ox(p), to_ox(o), to_ox(g) if g is not None else ox.DefaultGraph())
            for s, p, o, g in kg.store.quads()
        )
    store.flush()
    del store  # closes RocksDB: the workers open it read-only
    return str(path)


__all__ = ["QueryPool", "QueryTimeoutError", "default_workers", "shared_store", "worker_main"]
