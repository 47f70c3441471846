"""The time-limited worker processes that answer every query a client writes.

pyoxigraph has no query timeout or cancellation, so each client query runs in a worker process:
a worker that runs over the time limit is killed and replaced, and the other workers keep answering.
The workers share one on-disk Oxigraph store, opened read-only by each (written once per pool, so
once per data reload; or the live generation of ``--store`` itself): no worker holds a copy of the data.

What a worker may do: it parses each query with ``guard.inspect_query`` before Oxigraph sees it (no
SERVICE unless allowed, no unknown functions, bounded nesting), answers at most ``max_rows`` rows and
``max_bytes`` bytes of terms, and turns every engine error into a one-line error reply, so no query
makes it die. Unless a SERVICE allow-list is configured it also runs in a network namespace of its own
with no interfaces (``isolate_network``): even a query the guard misread could not reach any host.
"""

from __future__ import annotations

import ctypes
import os
import pickle
import queue
import select
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from westminster_kg.errors import QueryError, StoreError
from westminster_kg.namespaces import PREFIXES
from westminster_kg.store.temporary import TemporaryFolder
from westminster_kg.web.guard import ForbiddenQueryError, Inspection, inspect_query

if TYPE_CHECKING:
    from westminster_kg.knowledge_graph import KnowledgeGraph
    from westminster_kg.store import QueryResult


class QueryTimeoutError(StoreError):
    """A query ran over the time limit and was stopped."""


# Workers talk length-prefixed pickles over stdin/stdout. They are forked by a warm spawner process
# (westminster_kg.web.spawner), or started as ``python -m westminster_kg.web --worker DUMP`` where no
# spawner can run. multiprocessing's spawn would re-import the caller's main module in every worker,
# which breaks scripts without a main guard, code run from stdin and some notebooks.

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


_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000
NETWORK_ENV = "WMKG_WORKER_NETWORK"  # "1": the worker keeps the network (a SERVICE allow-list is set)


def isolate_network() -> bool:
    """Move this process into a new, empty network namespace; whether that worked.

    Root (or CAP_SYS_ADMIN) can unshare the network alone; anyone else may where unprivileged user
    namespaces are enabled, mapping their own uid and gid so file access is unchanged. In the new
    namespace there is no interface at all (not even a working loopback): every connect fails.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:  # pragma: no cover - no libc to call (not Linux)
        return False
    if not hasattr(libc, "unshare"):  # pragma: no cover - not Linux
        return False
    if libc.unshare(_CLONE_NEWNET) == 0:
        return True
    uid, gid = os.getuid(), os.getgid()
    if libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNET) != 0:
        return False
    try:
        Path("/proc/self/setgroups").write_text("deny")
        Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
        Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")
    except OSError:  # pragma: no cover - the namespace holds; only the id maps failed
        pass
    return True


def _term_size(term: Any) -> int:
    return 0 if term is None else len(str(term)) + 16


_INSPECTED: dict[tuple, Inspection | QueryError] = {}  # a small cache: clients repeat their queries
PARSE_SECONDS = 3.0  # rdflib's parse of one query may take this long; then the query is refused
FAST_SECONDS = 0.5  # a query text that last ran within this may use the pool's fast lane


class _ParseBudgetError(Exception):
    """Raised inside the serving thread when the parse of a query runs over ``PARSE_SECONDS``."""


def _parse_within(sparql: str, allowed_services: list[str], seconds: float, base_iri: str | None) -> Inspection:
    """``inspect_query`` stopped after ``seconds``: the worker refuses the query and stays alive.

    rdflib's parser is pure Python, so an exception set asynchronously on this thread stops it at the
    next bytecode; the lock makes sure the exception is only ever set while the parse is running.
    """
    lock, state = threading.Lock(), {"parsing": True}
    thread_id = threading.get_ident()

    def stop() -> None:
        with lock:
            if state["parsing"]:
                error = ctypes.py_object(_ParseBudgetError)
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), error)

    timer = threading.Timer(seconds, stop)
    timer.start()
    try:
        # Read the query as Oxigraph will: with the predeclared prefixes and the endpoint's base IRI.
        return inspect_query(sparql, allowed_services, prefixes=PREFIXES, base=base_iri)
    except _ParseBudgetError:
        raise QueryError(f"the query is too complex to read within {seconds:g} s; simplify it") from None
    finally:
        with lock:
            state["parsing"] = False
        timer.cancel()


def _inspect(
    sparql: str, allowed_services: list[str], seconds: float = PARSE_SECONDS, base_iri: str | None = None
) -> Inspection:
    key = (sparql, tuple(allowed_services), base_iri)
    verdict = _INSPECTED.get(key)
    if verdict is None:
        try:
            verdict = _parse_within(sparql, allowed_services, seconds, base_iri)
        except QueryError as exc:
            verdict = exc
        if len(_INSPECTED) > 256:
            _INSPECTED.clear()
        _INSPECTED[key] = verdict
    if isinstance(verdict, QueryError):
        raise verdict
    return verdict


def _answer(store: Any, job: dict) -> tuple:
    """One query's reply, read no further than ``max_rows`` solutions or triples or ``max_bytes`` of terms."""
    import pyoxigraph as ox

    from westminster_kg.store import syntax_error
    from westminster_kg.store.oxigraph import from_ox

    sparql, max_rows, max_bytes = job["sparql"], job["max_rows"], job["max_bytes"]
    try:
        base_iri = job.get("base_iri")
        inspection = _inspect(sparql, job["allowed_services"], job.get("parse_seconds", PARSE_SECONDS), base_iri)
        # The standard prefixes are predeclared (a query's own PREFIX wins) and relative IRIs resolve
        # against the endpoint's own URL, as the Protocol suggests.
        options: dict[str, Any] = {"prefixes": PREFIXES, "base_iri": base_iri}
        if job["default_graphs"] or job["named_graphs"]:
            # The Protocol's default-graph-uri / named-graph-uri override the query's FROM (spec 2.1.4).
            options["default_graph"] = [ox.NamedNode(g) for g in job["default_graphs"]]
            options["named_graphs"] = [ox.NamedNode(g) for g in job["named_graphs"]]
        elif not inspection.has_dataset:
            # No dataset given: the default graph is the union of the store's graphs. With FROM or
            # FROM NAMED in the query, Oxigraph builds that dataset from the store's graphs (never
            # fetching anything); the union flag would silently override it.
            options["use_default_graph_as_union"] = True
        answer = store.query(sparql, **options)
        if isinstance(answer, ox.QueryBoolean):
            return ("ask", bool(answer))
        size = 0
        if isinstance(answer, ox.QuerySolutions):
            variables = [v.value for v in answer.variables]
            rows = []
            for solution in answer:  # stop at the cap: a huge result is never built
                row = tuple(from_ox(solution[v]) for v in variables)
                size += sum(_term_size(t) for t in row)
                if len(rows) == max_rows or size > max_bytes:
                    return ("select", variables, rows, True)
                rows.append(row)
            return ("select", variables, rows, False)
        triples = []
        for triple in answer:
            terms = (from_ox(triple.subject), from_ox(triple.predicate), from_ox(triple.object))
            size += sum(_term_size(t) for t in terms)
            if len(triples) == max_rows or size > max_bytes:
                return ("graph", triples, True)
            triples.append(terms)
        return ("graph", triples, False)
    except ForbiddenQueryError as exc:
        return ("error", "forbidden", str(exc))
    except QueryError as exc:
        return ("error", "syntax", str(exc))
    except SyntaxError as exc:
        error = syntax_error(sparql, str(exc))
        return ("error", "forbidden" if "updates are refused" in str(error) else "syntax", str(error))
    except Exception as exc:  # noqa: BLE001 - any engine error is this query's failure, never the worker's
        text = str(exc).strip()
        detail = text.splitlines()[0][:300] if text else type(exc).__name__
        return ("error", "failed", f"the query failed: {detail}")


def _serialised(reply: tuple, accept: str | None) -> tuple:
    """A data reply turned into ("body", bytes, media, truncated) or ("problem", status, message)."""
    from westminster_kg.web.media import serialise_answer

    if reply[0] == "error":
        return reply
    result, truncated = _result(reply)
    answer = serialise_answer(result, accept)
    if answer[0] == "problem":
        return answer
    return ("body", answer[0], answer[1], truncated)


def _result(reply: tuple) -> tuple[QueryResult, bool]:
    """The ``QueryResult`` a data reply stands for, and whether it was capped."""
    from rdflib import Graph

    from westminster_kg.store import QueryResult

    kind = reply[0]
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


def _serve(requests: BinaryIO, replies: BinaryIO, store: Any) -> None:
    while True:
        try:
            job = _read_frame(requests)
        except EOFError:
            return
        try:
            reply = _answer(store, job)
            if job.get("serialise"):
                reply = _serialised(reply, job["serialise"])
        except RecursionError:  # pragma: no cover - the guard's limits keep this out of reach
            reply = ("error", "syntax", "the query nests too deeply to answer; simplify it")
        except _ParseBudgetError:  # pragma: no cover - the stop landed just after the parse ended
            reply = ("error", "syntax", f"the query is too complex to read within {PARSE_SECONDS:g} s; simplify it")
        _write_frame(replies, reply)


def worker_main(dump: str) -> None:
    """A worker process: open the shared store (or load an N-Quads dump), then answer queries from stdin
    on stdout until stdin closes."""
    import pyoxigraph as ox

    isolated = os.environ.get(NETWORK_ENV) != "1" and isolate_network()
    requests, replies = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must never corrupt the reply stream
    if Path(dump).is_dir():
        store = ox.Store.read_only(dump)
    else:
        store = ox.Store()
        store.bulk_load(path=dump, format=ox.RdfFormat.N_QUADS)
    inspect_query("ASK {}")  # import and warm rdflib's parser now, not inside the first client's time limit
    _write_frame(replies, ("ready", isolated))
    # rdflib's parser recurses deeply: run it on a thread with a large stack and a high recursion limit,
    # so a query the linear guard let through ends in an answer or a one-line error, never a crash.
    sys.setrecursionlimit(20_000)
    threading.stack_size(512 * 1024 * 1024)
    thread = threading.Thread(target=_serve, args=(requests, replies, store))
    thread.start()
    thread.join()


class _Worker:
    """One worker subprocess and its pipes."""

    def __init__(self, dump: str, *, network: bool = False) -> None:
        from westminster_kg.web.spawner import spawn

        # Forked from the warm spawner (milliseconds); a fresh interpreter where there is none (~0.5 s).
        self.process: Any = spawn(dump, network) or subprocess.Popen(
            [sys.executable, "-m", "westminster_kg.web", "--worker", dump],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            bufsize=0,
            env={**os.environ, NETWORK_ENV: "1" if network else "0"},
        )
        self.isolated = False
        self.lane = "any"  # the QueryPool lane it serves: "any", "fast" or "api"

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

    Two small lanes keep anyone's /sparql load from starving the rest: ``fast_workers`` extra workers
    answer only queries whose same text last ran within ``FAST_SECONDS`` (clients that keep every
    ordinary worker busy to the time limit cannot make a cheap, repeated query wait behind them), and
    ``api_workers`` answer only ``run(..., lane="api")``, the app's own pages and API. Every worker
    opens the same on-disk store.
    """

    def __init__(
        self,
        kg: KnowledgeGraph,
        workers: int | None = None,
        *,
        allowed_services: list[str] | tuple[str, ...] = (),
        fast_workers: int = 0,
        api_workers: int = 0,
    ) -> None:
        # Workers get a network only when some SERVICE endpoint is allowed; otherwise none at all.
        self.allowed_services = list(allowed_services)
        self.isolated = True  # every worker started so far runs without a network
        self._folder = TemporaryFolder("serve")  # removed by close(); if killed, by the next start
        self.dump = shared_store(kg, Path(self._folder.name) / "store")
        workers = workers or default_workers()
        self._lanes: dict[str, queue.Queue[_Worker]] = {"any": queue.Queue()}
        for lane, count in (("fast", fast_workers), ("api", api_workers)):
            if count > 0:
                self._lanes[lane] = queue.Queue()
        self._idle = self._lanes["any"]
        self._took: dict[str, float] = {}  # a query text's last run time, seconds (bounded below)
        self._closed = False
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self.replaced = 0  # workers killed at the time limit or found dead, and restarted
        self.died = 0  # workers that died while answering (a bug: no query should do this)
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
        worker = _Worker(self.dump, network=bool(self.allowed_services))
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

    def run(
        self,
        sparql: str,
        *,
        timeout: float,
        max_rows: int,
        max_bytes: int = 64 * 1024 * 1024,
        deadline: float | None = None,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        base_iri: str | None = None,
        lane: str = "any",
    ) -> tuple[QueryResult, bool]:
        """Answer ``sparql`` by ``deadline``; returns the result and whether it was capped.

        Args:
            sparql: the query as the client wrote it.
            timeout: the time limit in seconds (named in the error message).
            max_rows: solutions or triples returned at most.
            max_bytes: bytes of term text returned at most (a truncated result says so).
            deadline: ``time.monotonic()`` by which the answer must be in: the request's arrival plus
                ``timeout``, so waiting for a free worker counts. Default: now plus ``timeout``.
            default_graphs: the Protocol's ``default-graph-uri`` values.
            named_graphs: the Protocol's ``named-graph-uri`` values.
            base_iri: the IRI relative IRIs in the query resolve against (the endpoint's own URL).
            lane: "api" for the app's own pages and API (its own workers when the pool has them).

        Raises:
            QueryTimeoutError: the query, with its wait for a free worker, ran over the limit.
            ForbiddenQueryError: an update, or a SERVICE not allowed.
            QueryError: the text is not SPARQL, or the engine refused it (one line).
        """
        job = self._job(sparql, timeout, max_rows, max_bytes, default_graphs, named_graphs, base_iri)
        return _result(self._exchange(job, timeout, deadline, lane))

    def run_serialised(
        self,
        sparql: str,
        accept: str | None,
        *,
        timeout: float,
        max_rows: int,
        max_bytes: int = 64 * 1024 * 1024,
        deadline: float | None = None,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        base_iri: str | None = None,
    ) -> tuple[bytes, str, bool] | tuple[str, int, str]:
        """Like ``run``, but the worker also writes the answer: (body, media type, capped).

        ``accept`` is the Accept list (``format=`` already turned into one); ``("problem", status, message)`` comes back
        when the answer cannot be written as asked (see ``web.sparql.serialise_answer``).
        """
        job = self._job(sparql, timeout, max_rows, max_bytes, default_graphs, named_graphs, base_iri)
        job["serialise"] = accept or "*/*"
        reply = self._exchange(job, timeout, deadline, "any")
        if reply[0] == "problem":
            return reply
        return reply[1], reply[2], reply[3]

    def _job(
        self,
        sparql: str,
        timeout: float,
        max_rows: int,
        max_bytes: int,
        default_graphs: list[str] | None,
        named_graphs: list[str] | None,
        base_iri: str | None,
    ) -> dict[str, Any]:
        return {
            "sparql": sparql,
            "max_rows": max_rows,
            "max_bytes": max_bytes,
            "default_graphs": list(default_graphs or []),
            "named_graphs": list(named_graphs or []),
            "allowed_services": self.allowed_services,
            "base_iri": base_iri,
            "parse_seconds": min(PARSE_SECONDS, timeout),
        }

    def _exchange(self, job: dict[str, Any], timeout: float, deadline: float | None, lane: str) -> tuple:
        """Send ``job`` to a free worker and get its reply by ``deadline``; errors raised as above."""
        deadline = time.monotonic() + timeout if deadline is None else deadline
        text = job["sparql"]
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
            reply = worker.receive()
        except (QueryTimeoutError, EOFError, OSError, ValueError) as exc:  # ValueError: close() shut its pipes
            self._took.pop(text, None)
            self._replace(worker)
            if isinstance(exc, QueryTimeoutError):
                raise
            if self._closed:
                raise StoreError("the query workers were stopped while this query ran; try again") from exc
            self.died += 1
            raise StoreError("the query worker died while answering; it has been replaced") from exc
        self._queue_of(worker).put(worker)
        if len(self._took) > 4096:
            self._took.clear()
        self._took[text] = time.monotonic() - started
        if reply[0] == "error":
            if reply[1] == "forbidden":
                raise ForbiddenQueryError(reply[2])
            raise QueryError(reply[2])
        return reply

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

    from westminster_kg.store.oxigraph import ox_quads

    live = getattr(kg.store, "generation", None)
    if live is not None and getattr(kg.store, "path", None) is not None:
        return str(Path(kg.store.path) / live)
    store = ox.Store(str(path))
    store.bulk_extend(ox_quads(kg.store))
    store.flush()
    del store  # closes RocksDB: the workers open it read-only
    return str(path)


__all__ = ["QueryPool", "QueryTimeoutError", "default_workers", "shared_store", "worker_main"]
