"""One query worker process: it holds the store (in memory, or the shared one on disk) and answers ``QueryJob``s.

pyoxigraph has no query timeout or cancellation, so every query the web app runs is answered in a
worker process (the pool in ``westminster_kg.web.workers`` kills one that runs over its time limit).
What a worker does with a job:

* it reads the template as Oxigraph will before Oxigraph sees it (``guard``: no update, no SERVICE
  unless allowed, no escape the parsers read differently) — once per template text, as the same
  templates come back with other values — then binds the job's terms (``sparql_text.bind``: terms
  only, never text);
* it answers at most ``max_rows`` rows and ``max_bytes`` bytes of terms, and writes the answer in the
  client's media type when asked, so a large answer costs the server process no CPU: a SELECT asked for
  as JSON by Oxigraph's own serialiser, stopped as soon as it may be past a limit (then evaluated again
  and read row by row up to the limit, as every other answer is);
* every engine error becomes a one-line ``Refusal``: no query makes it die.

Unless a SERVICE allow-list is configured it runs in a network namespace of its own with no
interfaces (``isolate_network``): even a query the guard misread could not reach any host.
"""

from __future__ import annotations

import ctypes
import os
import pickle
import re
import struct
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from westminster_kg.errors import QueryError
from westminster_kg.namespaces import PREFIXES
from westminster_kg.sparql_reading import decode_escapes
from westminster_kg.web.guard import ForbiddenQueryError, Inspection, inspect_query
from westminster_kg.web.jobs import Answer, Body, Limits, Outcome, Problem, QueryJob, Refusal

# Jobs and outcomes travel as length-prefixed pickles over the worker's stdin/stdout. Workers are forked
# by a warm spawner (westminster_kg.web.spawner), or started as ``python -m westminster_kg.web --worker
# DUMP`` where no spawner can run. multiprocessing's spawn would re-import the caller's main module in
# every worker, which breaks scripts without a main guard, code run from stdin and some notebooks.
_FRAME = struct.Struct("!Q")


def write_frame(stream: BinaryIO, message: Any) -> None:
    """Send one pickled message, prefixed with its length."""
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


def read_frame(stream: BinaryIO) -> Any:
    """Receive one message sent by ``write_frame`` (``EOFError`` when the other end closed)."""
    (size,) = _FRAME.unpack(_read_exactly(stream, _FRAME.size))
    # Only our own worker or our own server writes to this pipe: unpickling is safe here.
    return pickle.loads(_read_exactly(stream, size))  # noqa: S301


_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000
NETWORK_ENV = "WMKG_WORKER_NETWORK"  # "1": the worker keeps the network (a SERVICE allow-list is set)
MEMORY_ENV = "WMKG_WORKER_MEMORY"  # bytes of data memory the worker may use ("0": no limit)
# What Rust prints when an allocation fails (then it aborts): the pool reads it from the worker's stderr.
OUT_OF_MEMORY = "memory allocation of"


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


_INSPECTED: dict[tuple, Inspection | QueryError] = {}  # templates come back with other values
# Whether this process has no network (worker_main sets it). Without that second wall, a query that
# mentions SERVICE anywhere is refused outright rather than trusted to the guard's reading.
ISOLATED = False
_MENTIONS_SERVICE = re.compile(r"(?i)service")


def inspect_template(job: QueryJob) -> Inspection:
    """The guard's verdict on the job's template, read once per text (``QueryError`` when refused)."""
    key = (job.template, job.allowed_services, job.base_iri)
    verdict = _INSPECTED.get(key)
    if verdict is None:
        try:
            # Read as Oxigraph will: with the predeclared prefixes and the endpoint's base IRI.
            verdict = inspect_query(job.template, list(job.allowed_services), prefixes=PREFIXES, base=job.base_iri)
        except QueryError as exc:
            verdict = exc
        if len(_INSPECTED) > 256:
            _INSPECTED.clear()
        _INSPECTED[key] = verdict
    if isinstance(verdict, QueryError):
        raise verdict
    return verdict


@dataclass
class _Found:
    """What Oxigraph answered, still as Oxigraph's terms, read no further than the job's limits."""

    kind: str  # "select", "ask" or "graph"
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    boolean: bool | None = None
    truncated: bool = False

    def answer(self) -> Answer:
        """As rdflib terms, for the pages and the API that read them."""
        from westminster_kg.store.oxigraph import from_ox

        rows = tuple(tuple(from_ox(t) for t in row) for row in self.rows)
        return Answer(self.kind, tuple(self.variables), rows, self.boolean, self.truncated)


def _term_size(term: Any) -> int:
    return 0 if term is None else len(term.value) + 16 if hasattr(term, "value") else len(str(term)) + 16


def _evaluate(store: Any, job: QueryJob) -> Any:
    """Oxigraph's answer to the job (solutions, triples or a boolean), once the guard has let it through."""
    import pyoxigraph as ox

    from westminster_kg.sparql_text import bind

    inspection = inspect_template(job)
    if not ISOLATED and not job.allowed_services and _MENTIONS_SERVICE.search(decode_escapes(job.template)):
        raise ForbiddenQueryError(
            "this server could not cut its query workers off the network (no network namespaces here), so a "
            "query that mentions SERVICE anywhere, even in a string or a comment, is refused"
        )
    sparql = bind(job.template, dict(job.values)) if job.values else job.template
    # The standard prefixes are predeclared (a query's own PREFIX wins) and relative IRIs resolve
    # against the endpoint's own URL, as the Protocol suggests.
    options: dict[str, Any] = {"prefixes": PREFIXES, "base_iri": job.base_iri}
    if job.default_graphs or job.named_graphs:
        # The Protocol's default-graph-uri / named-graph-uri override the query's FROM (spec 2.1.4).
        options["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
        options["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    elif not inspection.has_dataset:
        # No dataset given: the default graph is the union of the store's graphs. With FROM or FROM
        # NAMED in the query, Oxigraph builds that dataset from the store's graphs (never fetching
        # anything); the union flag would silently override it.
        options["use_default_graph_as_union"] = True
    return store.query(sparql, **options)


def _run(store: Any, job: QueryJob, answer: Any = None) -> _Found:
    """The job's answer (``answer``, or evaluated now), read no further than its row and byte limits."""
    import pyoxigraph as ox

    if answer is None:
        answer = _evaluate(store, job)
    if isinstance(answer, ox.QueryBoolean):
        return _Found("ask", boolean=bool(answer))
    found = _Found("select" if isinstance(answer, ox.QuerySolutions) else "graph")
    if found.kind == "select":
        found.variables = [v.value for v in answer.variables]
        items: Any = (tuple(solution[v] for v in found.variables) for solution in answer)
    else:
        items = ((t.subject, t.predicate, t.object) for t in answer)
    size, limits = 0, job.limits
    for row in items:  # stop at the cap: a huge result is never built
        size += sum(_term_size(t) for t in row)
        if len(found.rows) == limits.max_rows or size > limits.max_bytes:
            found.truncated = True
            break
        found.rows.append(row)
    return found


class _PastLimitError(Exception):
    """Raised into Oxigraph's serialiser to stop it: the answer is past a limit of the job."""


class _CappedOutput:
    """Where Oxigraph's JSON results serialiser writes: it stops the writing (``_PastLimitError``) once the
    answer might be past the job's limits.

    Bytes: the JSON of a term is longer than the term's size as ``_run`` counts it (its value and 16),
    so an answer whose JSON fits in ``max_bytes`` is never cut for its bytes. Rows: consecutive solutions
    are written ``},{``, so the count of ``},{`` plus one is at least the number of rows (a string may
    hold more, which only counts too many).
    """

    def __init__(self, limits: Limits) -> None:
        self.max_rows, self.max_bytes = limits.max_rows, limits.max_bytes
        self.parts: list[bytes] = []
        self.size = 0
        self.separators = 0

    def write(self, chunk: bytes) -> int:
        data = bytes(chunk)
        if self.parts:  # a separator split between two chunks lies within their last and first two bytes
            self.separators += (self.parts[-1][-2:] + data[:2]).count(b"},{")
        self.separators += data.count(b"},{")
        self.size += len(data)
        if self.size > self.max_bytes or self.separators + 1 > self.max_rows:
            raise _PastLimitError
        self.parts.append(data)
        return len(data)

    def flush(self) -> None:
        """Nothing to flush: the parts are kept in memory."""


def _json_body(evaluated: Any, job: QueryJob) -> Body | None:
    """SELECT solutions written in JSON by Oxigraph's own serialiser, when JSON is what the client gets.

    ``None``: not a SELECT, or not JSON (``_written`` writes it then).

    Raises:
        _PastLimitError: the answer may be past the row or byte limit (read it row by row, up to the limit).
    """
    import pyoxigraph as ox

    from westminster_kg.web.media import RESULT_MEDIA
    from westminster_kg.web.writers import result_format

    if not isinstance(evaluated, ox.QuerySolutions) or result_format(job.accept) != "json":
        return None
    output = _CappedOutput(job.limits)
    evaluated.serialize(output, format=ox.QueryResultsFormat.JSON)
    return Body(b"".join(output.parts), RESULT_MEDIA["json"])


def _written(found: _Found, accept: str) -> Body | Problem:
    """The answer in the best media type of ``accept`` (``Problem`` when none fits)."""
    import pyoxigraph as ox

    from westminster_kg.store import xml_forbidden
    from westminster_kg.web import writers
    from westminster_kg.web.media import GRAPH_MEDIA, RESULT_MEDIA, serialise_answer

    if found.kind == "graph":
        name = writers.graph_format(accept)
        if name is None:
            return Problem(406, f"a CONSTRUCT/DESCRIBE result comes as {', '.join(GRAPH_MEDIA.values())}, not {accept}")
        data, media = writers.write_graph([ox.Triple(*row) for row in found.rows], name)
        if name == "xml" and (bad := xml_forbidden(data.decode("utf-8", "surrogatepass"))) is not None:
            # XML 1.0 cannot carry it at all, not even as a character reference (spec 2.2).
            return Problem(
                406, f"the result holds U+{ord(bad):04X}, which XML 1.0 cannot carry: ask for Turtle or N-Triples"
            )
        return Body(data, media, found.truncated)
    name = writers.result_format(accept)
    if name is None:
        return Problem(406, f"a SELECT/ASK result comes as {', '.join(RESULT_MEDIA.values())}, not {accept}")
    if name == "xml":  # written from rdflib's terms, which check what XML 1.0 cannot carry
        written = serialise_answer(found.answer().result(), accept)
        if written[0] == "problem":
            return Problem(written[1], written[2])
        return Body(written[0], written[1], found.truncated)
    if found.kind == "ask":
        data, media = writers.write_boolean(bool(found.boolean), name)
    else:
        data, media = writers.write_solutions(found.variables, found.rows, name)
    return Body(data, media, found.truncated)


def answer(store: Any, job: QueryJob) -> Outcome:
    """One job's outcome: never an exception, whatever the query does."""
    from westminster_kg.store import syntax_error

    try:
        if not job.accept:
            return _run(store, job).answer()
        evaluated = _evaluate(store, job)
        try:
            body = _json_body(evaluated, job)
        except _PastLimitError:  # maybe past a limit: evaluated again and read row by row, up to the limit
            return _written(_run(store, job), job.accept)
        return body or _written(_run(store, job, evaluated), job.accept)
    except ForbiddenQueryError as exc:
        return Refusal("forbidden", str(exc))
    except QueryError as exc:
        return Refusal("syntax", str(exc))
    except SyntaxError as exc:
        error = syntax_error(job.template, str(exc))
        return Refusal("forbidden" if "updates are refused" in str(error) else "syntax", str(error))
    except MemoryError:
        return Refusal("limit", "the query needed more memory than a worker may use (wmkg serve --worker-memory)")
    except RecursionError:  # pragma: no cover - the guard's limits keep this out of reach
        return Refusal("syntax", "the query nests too deeply to answer; simplify it")
    except Exception as exc:  # noqa: BLE001 - any engine error is this query's failure, never the worker's
        text = str(exc).strip()
        detail = text.splitlines()[0][:300] if text else type(exc).__name__
        return Refusal("failed", f"the query failed: {detail}")


def _serve(requests: BinaryIO, replies: BinaryIO, store: Any) -> None:
    while True:
        try:
            job = read_frame(requests)
        except EOFError:
            return
        write_frame(replies, answer(store, job))


def limit_memory(limit: int) -> None:
    """Cap this process's data memory (heap and anonymous mappings: RLIMIT_DATA) at ``limit`` bytes.

    A query that asks for more fails its allocation: Oxigraph (Rust) aborts the worker, printing
    ``OUT_OF_MEMORY``, which the pool reports as this limit; Python raises ``MemoryError``.
    """
    if limit > 0:
        import resource

        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


def worker_main(dump: str) -> None:
    """A worker process: open the shared store (or load an N-Quads dump), then answer jobs from stdin
    on stdout until stdin closes."""
    import pyoxigraph as ox

    global ISOLATED
    isolated = ISOLATED = os.environ.get(NETWORK_ENV) != "1" and isolate_network()
    requests, replies = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must never corrupt the reply stream
    if Path(dump).is_dir():
        store = ox.Store.read_only(dump)
    else:
        store = ox.Store()
        store.bulk_load(path=dump, format=ox.RdfFormat.N_QUADS)
    limit_memory(int(os.environ.get(MEMORY_ENV) or 0))
    write_frame(replies, ("ready", isolated))
    # Oxigraph's parser and evaluator recurse once per nesting level, on the calling thread's stack: a
    # large one keeps a query the shape budget let through far from overflowing it (a crash, not an error).
    threading.stack_size(64 * 1024 * 1024)
    thread = threading.Thread(target=_serve, args=(requests, replies, store))
    thread.start()
    thread.join()


__all__ = [
    "MEMORY_ENV",
    "NETWORK_ENV",
    "OUT_OF_MEMORY",
    "limit_memory",
    "answer",
    "inspect_template",
    "isolate_network",
    "read_frame",
    "worker_main",
    "write_frame",
]
