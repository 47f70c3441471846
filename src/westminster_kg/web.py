"""The local web app: the network view, entity pages, ontology docs, a SPARQL 1.1 endpoint and a JSON API.

``wmkg serve`` runs it with uvicorn on 127.0.0.1. Pages and the API go through the same
``KnowledgeGraph`` the CLI uses; every query a client writes (``/sparql``, ``/query``,
``/api/queries/{name}``) runs in a small pool of worker processes instead, because pyoxigraph has no
query timeout or cancellation: a worker that runs over the time limit is killed and replaced, and
the other workers keep answering. Each worker holds its own in-memory copy of the store, loaded from
an N-Quads dump written once at start-up.
"""

from __future__ import annotations

import ipaddress
import pickle
import queue
import re
import select
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO
from urllib.parse import parse_qs, urlencode

from westminster_kg.catalogue import bind, check_nesting, code_outside_literals, with_prefixes
from westminster_kg.errors import QueryError, StoreError, WmkgError
from westminster_kg.namespaces import GRAPH_ONTOLOGY, ONTOLOGY_IRI, PREFIXES, WMR

if TYPE_CHECKING:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response

    from westminster_kg.knowledge_graph import KnowledgeGraph
    from westminster_kg.store import QueryResult


@dataclass
class Settings:
    """What ``wmkg serve`` lets an operator choose."""

    query_timeout: float = 10.0  # seconds a client's query may run before its worker is killed
    max_rows: int = 10_000  # solutions (or triples) returned at most; the response says when capped
    max_body: int = 1_000_000  # bytes of request body accepted
    cors_origins: list[str] = field(default_factory=list)  # e.g. ["https://example.org"]; none by default
    allowed_services: list[str] = field(default_factory=list)  # SERVICE endpoints a query may call
    workers: int = 2  # query worker processes


# --- SPARQL checks before a query reaches a worker ------------------------------------------------

_UPDATE_START = re.compile(
    r"^\s*(?:(?:PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s+<[^>]*>)\s*)*"
    r"(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b",
    re.IGNORECASE,
)


class ForbiddenQueryError(QueryError):
    """A well-formed request this endpoint will not run (an update, or a SERVICE not allowed)."""


class QueryTimeoutError(StoreError):
    """A query ran over the time limit and was stopped."""


_SERVICE_KEYWORD = re.compile(r"(?<![\w:?$-])SERVICE(?![\w:-])", re.IGNORECASE)
_SERVICE_TARGET = re.compile(r"\s*(?:SILENT(?![\w:-])\s*)?(<[^<>\s]*>|[?$]\w+|[A-Za-z0-9_.-]*:[^\s{]*)", re.IGNORECASE)
_CODEPOINT_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def service_targets(sparql: str) -> list[str]:
    """The endpoints a query's ``SERVICE`` clauses call (``?var`` for a variable endpoint).

    Conservative on purpose: every ``SERVICE`` keyword outside strings and comments counts, and one
    whose endpoint cannot be read is reported as ``"?unreadable"``, which is never allowed.
    """
    code = code_outside_literals(sparql)
    prefixes = dict(re.findall(r"(?i)PREFIX\s*([A-Za-z0-9_.-]*):\s*<([^>]*)>", code))
    targets = []
    for keyword in _SERVICE_KEYWORD.finditer(code):
        match = _SERVICE_TARGET.match(code, keyword.end())
        if match is None:
            targets.append("?unreadable")
            continue
        target = match.group(1)
        if target.startswith("<"):
            iri = target[1:-1]
        elif target[0] in "?$":
            iri = target
        else:
            prefix, _, local = target.partition(":")
            iri = prefixes.get(prefix, PREFIXES.get(prefix, prefix + ":")) + local
        # SPARQL lets IRIs spell characters as \uXXXX; compare what the engine will call.
        targets.append(_CODEPOINT_ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), iri))
    return targets


def check_query(sparql: str, settings: Settings) -> None:
    """Refuse updates and SERVICE calls to endpoints not allowed (``ForbiddenQueryError``)."""
    check_nesting(sparql)
    if _UPDATE_START.match(code_outside_literals(sparql)):
        raise ForbiddenQueryError("SPARQL updates are refused: this endpoint is read-only")
    for target in service_targets(sparql):
        if target not in settings.allowed_services:
            raise ForbiddenQueryError(
                f"SERVICE {target} is refused: federation is off unless the endpoint is allowed "
                "(wmkg serve --allow-service URL)"
            )


# --- the worker pool ----------------------------------------------------------------------------------
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


def _answer(store: Any, sparql: str, max_rows: int, default_graphs: list[str], named_graphs: list[str]) -> tuple:
    """One query's reply, read no further than ``max_rows`` solutions or triples."""
    import pyoxigraph as ox

    from westminster_kg.store import from_ox, syntax_error

    try:
        options: dict[str, Any] = {"use_default_graph_as_union": not default_graphs}
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
    """A worker process: load the dump, then answer queries from stdin on stdout until stdin closes."""
    import pyoxigraph as ox

    requests, replies = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must never corrupt the reply stream
    store = ox.Store()
    store.bulk_load(path=dump, format=ox.RdfFormat.N_QUADS)
    _write_frame(replies, ("ready",))
    while True:
        try:
            sparql, max_rows, default_graphs, named_graphs = _read_frame(requests)
        except EOFError:
            return
        _write_frame(replies, _answer(store, sparql, max_rows, default_graphs, named_graphs))


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

    def __init__(self, kg: KnowledgeGraph, workers: int = 2) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="wmkg-serve-")
        self.dump = str(Path(self._folder.name) / "store.nq")
        _dump_nquads(kg, self.dump)
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
            worker.send((sparql, max_rows, default_graphs or [], named_graphs or []))
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


def _dump_nquads(kg: KnowledgeGraph, path: str) -> None:
    """Write every quad of ``kg`` to ``path`` as N-Quads (Oxigraph's own dump when it is the store)."""
    import pyoxigraph as ox

    from westminster_kg.store import OxigraphStore, to_ox

    if isinstance(kg.store, OxigraphStore):
        kg.store.store.dump(path, format=ox.RdfFormat.N_QUADS)
        return
    copy = ox.Store()
    copy.extend(
        ox.Quad(to_ox(s), to_ox(p), to_ox(o), to_ox(g) if g is not None else ox.DefaultGraph())
        for s, p, o, g in kg.store.quads()
    )
    copy.dump(path, format=ox.RdfFormat.N_QUADS)


# --- content negotiation ----------------------------------------------------------------------------

RESULT_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/n-triples": "nt",
    "text/plain": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",  # SPARQLWrapper's default for CONSTRUCT
}
RESULT_MEDIA = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
GRAPH_MEDIA = {
    "turtle": "text/turtle",
    "nt": "application/n-triples",
    "json-ld": "application/ld+json",
    "xml": "application/rdf+xml",
}
FORMAT_NAMES = {
    "json": "json",
    "srj": "json",
    "xml": "xml",
    "srx": "xml",
    "csv": "csv",
    "tsv": "tsv",
    "turtle": "turtle",
    "ttl": "turtle",
    "n3": "turtle",
    "nt": "nt",
    "ntriples": "nt",
    "n-triples": "nt",
    "json-ld": "json-ld",
    "jsonld": "json-ld",
}


def parse_accept(header: str | None) -> list[str]:
    """Media ranges from an Accept header, best first (q=0 dropped; no header means ``*/*``)."""
    if not header or not header.strip():
        return ["*/*"]
    ranked = []
    for position, item in enumerate(header.split(",")):
        parts = [p.strip() for p in item.split(";")]
        media = parts[0].lower()
        quality = 1.0
        for param in parts[1:]:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media and quality > 0:
            ranked.append((-quality, position, media))
    return [media for _, _, media in sorted(ranked)]


def negotiate(accept: str | None, offered: dict[str, str], default: str) -> str | None:
    """The format name for the best offered media type, ``default`` for wildcards, else ``None``."""
    for media in parse_accept(accept):
        if media in offered:
            return offered[media]
        if media == "*/*":
            return default
        if media.endswith("/*"):
            for candidate, name in offered.items():
                if candidate.startswith(media[:-1]):
                    return name
    return None


# --- the app ------------------------------------------------------------------------------------------


def _template_environment() -> Any:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from westminster_kg.view import TEMPLATES_DIR

    environment = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(["html"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    from westminster_kg.network import curie

    environment.filters["curie"] = lambda iri: curie(str(iri)) if iri is not None else ""
    environment.globals["entity_page"] = entity_page
    return environment


def entity_page(iri: Any) -> str:
    """The path of the web page for a ``wmr:`` IRI (``/id/<slug>``) or the ontology; ``""`` otherwise."""
    text = str(iri)
    if text.startswith(str(WMR)) and len(text) > len(str(WMR)):
        return "/id/" + text[len(str(WMR)) :]
    if text.startswith(ONTOLOGY_IRI):
        return "/ontology" + ("#" + text.split("#", 1)[1] if "#" in text else "")
    return ""


def external_href(iri: Any) -> str:
    """``iri`` when it is a web link (http/https), else ``""``: never a javascript: href."""
    text = str(iri)
    return text if re.match(r"^https?://", text, re.I) else ""


class WebApp:
    """The handlers, sharing one knowledge graph, one query pool and the templates."""

    def __init__(self, kg: KnowledgeGraph, settings: Settings) -> None:
        self.kg = kg
        self.settings = settings
        self.pool: QueryPool | None = None
        self.templates = _template_environment()
        self.templates.globals["external_href"] = external_href
        self._view_page: str | None = None
        self._network: Any = None
        self._network_lock = threading.Lock()

    def network(self) -> Any:
        """The whole network projection, built once: the view and every neighbourhood come from it."""
        from westminster_kg.network import build_network

        with self._network_lock:
            if self._network is None:
                self._network = build_network(self.kg)
            return self._network

    # --- helpers ------------------------------------------------------------------------------------
    def html(self, template: str, status: int = 200, **context: Any) -> Response:
        from starlette.responses import HTMLResponse

        from westminster_kg.view import static_text

        page = self.templates.get_template(template).render(css=static_text("view.css"), **context)
        return HTMLResponse(page, status_code=status)

    def problem(self, request: Request, status: int, message: str) -> Response:
        """An error as HTML for browsers and as plain text (one line) for everyone else."""
        from starlette.responses import PlainTextResponse

        if "text/html" in request.headers.get("accept", ""):
            return self.html("error.html", status, title=f"Error {status}", message=message)
        return PlainTextResponse(message + "\n", status_code=status)

    def problem_for(self, request: Request, error: WmkgError) -> Response:
        """The response for an error a client caused (or a worker that died: 500)."""
        # Most specific first: ForbiddenQueryError is a QueryError, QueryTimeoutError a StoreError.
        for kind, status in (
            (BodyTooLargeError, 413),
            (ForbiddenQueryError, 403),
            (QueryError, 400),
            (QueryTimeoutError, 503),
            (StoreError, 500),
        ):
            if isinstance(error, kind):
                return self.problem(request, status, str(error))
        return self.problem(request, 400, str(error))

    def run_query(self, sparql: str, **graphs: Any) -> tuple[QueryResult, bool]:
        check_query(sparql, self.settings)
        if self.pool is None:
            raise StoreError("the query workers are not running")
        return self.pool.run(sparql, timeout=self.settings.query_timeout, max_rows=self.settings.max_rows, **graphs)

    async def read_body(self, request: Request) -> bytes:
        """The request body, refused with ``BodyTooLargeError`` past ``max_body`` bytes."""
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self.settings.max_body:
            raise BodyTooLargeError(self.settings.max_body)
        body = bytearray()
        async for chunk in request.stream():
            body.extend(chunk)
            if len(body) > self.settings.max_body:
                raise BodyTooLargeError(self.settings.max_body)
        return bytes(body)

    # --- / ------------------------------------------------------------------------------------------
    async def home(self, request: Request) -> Response:
        from starlette.concurrency import run_in_threadpool
        from starlette.responses import HTMLResponse

        from westminster_kg.view import render_html

        if self._view_page is None:
            self._view_page = await run_in_threadpool(
                render_html, self.network(), title="Westminster KG", entity_base="/id/", navigation=True
            )
        return HTMLResponse(self._view_page)

    # --- /sparql ------------------------------------------------------------------------------------
    async def sparql(self, request: Request) -> Response:
        from starlette.concurrency import run_in_threadpool
        from starlette.responses import Response

        try:
            params = await self.sparql_parameters(request)
        except WmkgError as exc:
            return self.problem_for(request, exc)
        query = params.get("query", [None])[0]
        if query is None:
            if request.method == "GET" and "text/html" in request.headers.get("accept", ""):
                return self.html("sparql.html", title="SPARQL endpoint", settings=self.settings)
            return self.problem(
                request,
                400,
                "no query: send ?query=... (GET), a form field 'query' or an application/sparql-query body (POST)",
            )
        requested = params.get("format", params.get("output", [None]))[0]
        format_name = FORMAT_NAMES.get((requested or "").lower())
        accept = request.headers.get("accept")
        if (
            format_name is None
            and negotiate(accept, RESULT_TYPES, "json") is None
            and negotiate(accept, GRAPH_TYPES, "turtle") is None
        ):
            return self.problem(
                request,
                406,
                f"cannot answer with {accept}: results come as "
                f"{', '.join(RESULT_MEDIA.values())}; graphs as {', '.join(GRAPH_MEDIA.values())}",
            )
        try:
            result, truncated = await run_in_threadpool(
                self.run_query,
                query,
                default_graphs=params.get("default-graph-uri"),
                named_graphs=params.get("named-graph-uri"),
            )
        except WmkgError as exc:
            return self.problem_for(request, exc)
        if result.kind == "graph":
            name = format_name if format_name in GRAPH_MEDIA else negotiate(accept, GRAPH_TYPES, "turtle")
            if name is None:
                offered = ", ".join(GRAPH_MEDIA.values())
                return self.problem(request, 406, f"a CONSTRUCT/DESCRIBE result comes as {offered}")
            body = result.graph.serialize(format=name)
            media = GRAPH_MEDIA[name]
        else:
            name = format_name if format_name in RESULT_MEDIA else negotiate(accept, RESULT_TYPES, "json")
            if name is None:
                return self.problem(request, 406, f"a SELECT/ASK result comes as {', '.join(RESULT_MEDIA.values())}")
            body = result.serialize(name)
            media = RESULT_MEDIA[name]
        headers = {"Vary": "Accept"}
        if truncated:
            headers["X-Result-Truncated"] = "true"
            headers["X-Result-Note"] = (
                f"results capped at {self.settings.max_rows} rows or triples (wmkg serve --max-rows)"
            )
        charset = "; charset=utf-8" if not media.endswith("json") else ""
        return Response(body, media_type=media + charset, headers=headers)

    async def sparql_parameters(self, request: Request) -> dict[str, list[str]]:
        """Protocol parameters from the URL and, for POST, from a form or a direct query body."""
        params = parse_qs(request.url.query, keep_blank_values=True)
        if request.method != "POST":
            if "update" in params:
                raise ForbiddenQueryError("SPARQL updates are refused: this endpoint is read-only")
            return params
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        body = await self.read_body(request)
        if content_type == "application/sparql-update" or (
            content_type.endswith("form-urlencoded") and "update" in parse_qs(body.decode("utf-8", "replace"))
        ):
            raise ForbiddenQueryError("SPARQL updates are refused: this endpoint is read-only")
        if content_type == "application/sparql-query":
            params["query"] = [body.decode("utf-8", "replace")]
        elif content_type == "application/x-www-form-urlencoded":
            for key, values in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items():
                params.setdefault(key, []).extend(values)
        else:
            raise QueryError(
                "POST a form (application/x-www-form-urlencoded) or a query (application/sparql-query), "
                f"not {content_type or 'no content type'}"
            )
        return params

    # --- entity pages -------------------------------------------------------------------------------
    async def entity(self, request: Request) -> Response:
        from rdflib import URIRef
        from starlette.responses import Response

        from westminster_kg.network import entity_exists

        slug = request.path_params["slug"]
        iri = str(WMR) + slug
        accept = request.headers.get("accept")
        name = negotiate(accept, {"text/html": "html", "application/xhtml+xml": "html", **GRAPH_TYPES}, "html")
        if name is None:
            return self.problem(
                request, 406, f"cannot answer with {accept}: use text/html, " + ", ".join(GRAPH_MEDIA.values())
            )
        if not re.fullmatch(r"[A-Za-z0-9._~-]+", slug) or not entity_exists(self.kg, iri):
            if name != "html":
                return self.problem(request, 404, f"nothing is known about {iri}")
            return self.not_found(slug)
        if name != "html":
            graph = self.describe(URIRef(iri))
            return Response(graph.serialize(format=name), media_type=GRAPH_MEDIA[name], headers={"Vary": "Accept"})
        from starlette.concurrency import run_in_threadpool

        return await run_in_threadpool(self.entity_html, iri)

    def describe(self, iri: Any) -> Any:
        """The entity's triples both ways, and its claims with their evidence, as an rdflib Graph."""
        term = iri.n3()
        sparql = f"""CONSTRUCT {{ ?s ?p ?o }} WHERE {{
          {{ BIND({term} AS ?s) ?s ?p ?o }}
          UNION {{ ?s ?p ?o FILTER(?o = {term}) }}
          UNION {{ ?s a wm:Claim ; rdf:subject|rdf:object {term} . ?s ?p ?o }}
          UNION {{ ?c a wm:Claim ; rdf:subject|rdf:object {term} ; prov:wasDerivedFrom ?s . ?s ?p ?o }}
          UNION {{ ?c a wm:Claim ; rdf:subject|rdf:object {term} ; prov:wasDerivedFrom/oa:hasSelector ?s . ?s ?p ?o }}
          UNION {{ {term} prov:wasDerivedFrom ?s . ?s ?p ?o }}
          UNION {{ {term} prov:wasDerivedFrom/oa:hasSelector ?s . ?s ?p ?o }}
        }}"""
        graph = self.kg.store.query(with_prefixes(sparql)).graph
        for prefix, namespace in PREFIXES.items():
            graph.bind(prefix, namespace, override=True)
        return graph

    def entity_html(self, iri: str) -> Response:
        from rdflib import Literal, URIRef

        from westminster_kg.network import curie
        from westminster_kg.view import render_html

        facts = self.kg.store.query(
            with_prefixes(f"SELECT ?p ?o WHERE {{ {URIRef(iri).n3()} ?p ?o }} ORDER BY ?p ?o")
        ).rows
        label = self.kg.label(iri)
        types = sorted(curie(str(o)) for p, o in facts if str(p) == PREFIXES["rdf"] + "type")
        definitions = [str(o) for p, o in facts if str(p) == PREFIXES["skos"] + "definition"]
        link_properties = {PREFIXES["owl"] + "sameAs", PREFIXES["skos"] + "exactMatch", PREFIXES["skos"] + "closeMatch"}
        links = sorted({str(o) for p, o in facts if str(p) in link_properties})
        shown = {
            PREFIXES["rdf"] + "type",
            PREFIXES["skos"] + "definition",
            PREFIXES["rdfs"] + "label",
            PREFIXES["prov"] + "wasDerivedFrom",
            *link_properties,
        }
        other_facts = [
            (p, o) for p, o in facts if str(p) not in shown and (isinstance(o, Literal) or isinstance(o, URIRef))
        ]
        relations = self.kg.query("entity", entity=URIRef(iri)).to_dicts()
        names: dict[str, str] = {}  # relation and stance IRIs as words readers know
        for row in relations:
            for key in ("relation", "stance"):
                if row.get(key) is not None and str(row[key]) not in names:
                    names[str(row[key])] = self.kg.label(row[key])
                row[key + "Name"] = names.get(str(row.get(key)), "")
        neighbourhood = ""
        full = self.network()
        if iri in full:  # an entity in no evidenced relation has no graph to draw
            near = full.subgraph({iri, *full.successors(iri), *full.predecessors(iri)}).copy()
            near.graph["focus"] = iri
            neighbourhood = render_html(near, title=f"Around {label}", entity_base="/id/")
        return self.html(
            "entity.html",
            title=label,
            iri=iri,
            types=types,
            definitions=definitions,
            links=links,
            facts=other_facts,
            relations=relations,
            neighbourhood=neighbourhood,
            formats=GRAPH_MEDIA,
        )

    def not_found(self, text: str) -> Response:
        needle = re.sub(r"[-_]+", " ", text).strip()
        suggestions = self.suggestions(needle)
        return self.html("not_found.html", 404, title="Not found", text=text, needle=needle, suggestions=suggestions)

    def suggestions(self, needle: str, limit: int = 20) -> list[tuple[str, str]]:
        """(label, page) for entities whose label contains ``needle`` or one of its words."""
        found = list(self.kg.find(needle)) if needle else []
        if not found:
            for word in sorted(set(needle.split()), key=len, reverse=True):
                if len(word) > 2:
                    found.extend(self.kg.find(word))
        pages = []
        for iri in dict.fromkeys(found):
            page = entity_page(iri)
            if page:
                pages.append((self.kg.label(iri), page))
        return sorted(set(pages))[:limit]

    async def search(self, request: Request) -> Response:
        from starlette.responses import RedirectResponse

        needle = request.query_params.get("q", "").strip()
        results = self.suggestions(needle, limit=100) if needle else []
        if len(results) == 1:
            return RedirectResponse(results[0][1], status_code=303)
        return self.html("search.html", title="Search", needle=needle, results=results)

    # --- ontology -----------------------------------------------------------------------------------
    async def ontology(self, request: Request) -> Response:
        from starlette.responses import Response

        accept = request.headers.get("accept")
        name = negotiate(accept, {"text/html": "html", "application/xhtml+xml": "html", **GRAPH_TYPES}, "html")
        if name is None:
            return self.problem(
                request, 406, f"cannot answer with {accept}: use text/html, " + ", ".join(GRAPH_MEDIA.values())
            )
        if name != "html":
            graph = self.kg.store.query(
                f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{GRAPH_ONTOLOGY}> {{ ?s ?p ?o }} }}"
            ).graph
            for prefix, namespace in PREFIXES.items():
                graph.bind(prefix, namespace, override=True)
            return Response(graph.serialize(format=name), media_type=GRAPH_MEDIA[name], headers={"Vary": "Accept"})
        return self.html("ontology.html", title="Westminster KG ontology", **self.ontology_terms())

    def ontology_terms(self) -> dict[str, Any]:
        """Header, classes and properties of the ontology, each with label, definition and links."""
        rows = self.kg.store.query(
            with_prefixes(
                f"SELECT ?s ?p ?o WHERE {{ GRAPH <{GRAPH_ONTOLOGY}> {{ ?s ?p ?o }} FILTER(isIRI(?s)) }} "
                "ORDER BY ?s ?p ?o"
            )
        ).rows
        terms: dict[str, dict[str, list[Any]]] = {}
        for s, p, o in rows:
            terms.setdefault(str(s), {}).setdefault(str(p), []).append(o)
        rdf_type, owl = PREFIXES["rdf"] + "type", PREFIXES["owl"]

        def kind(iri: str) -> str:
            types = {str(t) for t in terms[iri].get(rdf_type, [])}
            if owl + "Ontology" in types:
                return "ontology"
            if owl + "Class" in types:
                return "class"
            if types & {owl + "ObjectProperty", owl + "DatatypeProperty"}:
                return "property"
            return "individual"

        grouped: dict[str, list[dict[str, Any]]] = {"ontology": [], "class": [], "property": [], "individual": []}
        for iri in sorted(terms):
            values = terms[iri]
            grouped[kind(iri)].append(
                {
                    "iri": iri,
                    "anchor": iri.split("#", 1)[1] if "#" in iri else "",
                    "label": str(
                        (
                            values.get(PREFIXES["rdfs"] + "label")
                            or values.get(PREFIXES["skos"] + "prefLabel")
                            or [iri.rsplit("#", 1)[-1]]
                        )[0]
                    ),
                    "values": sorted(values.items()),
                }
            )
        return {
            "header": grouped["ontology"],
            "classes": grouped["class"],
            "properties": grouped["property"],
            "individuals": grouped["individual"],
        }

    # --- /query page ----------------------------------------------------------------------------------
    async def query_page(self, request: Request) -> Response:
        from starlette.concurrency import run_in_threadpool

        params = request.query_params
        catalogue = self.kg.catalogue
        name = params.get("name") or (next(iter(catalogue)) if catalogue else "")
        named = catalogue.get(name)
        text = params.get("sparql")
        if text is None:
            text = named.sparql if named else "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 20"
        values = {p.name: params.get("p." + p.name, "") for p in (named.parameters if named else ())}
        context: dict[str, Any] = {
            "title": "Queries",
            "catalogue": catalogue,
            "name": name,
            "named": named,
            "sparql": text,
            "values": values,
            "result": None,
            "error": None,
            "truncated": False,
            "downloads": {},
        }
        if "run" in params:
            try:
                bound = {}
                if named:
                    for key, raw in values.items():
                        if raw:
                            bound[key] = self.kg.resolve(named.parameter(key), raw)
                    missing = [p.name for p in named.parameters if p.required and p.name not in bound]
                    if missing and text == named.sparql:
                        raise QueryError(f"query {name!r} needs parameter {missing[0]!r}")
                final = bind(with_prefixes(text), bound)
                result, truncated = await run_in_threadpool(self.run_query, final)
                context.update(result=result, truncated=truncated, sparql_final=final)
                if result.kind != "graph":
                    context["downloads"] = {
                        fmt: "/sparql?" + urlencode({"query": final, "format": fmt}) for fmt in ("csv", "json")
                    }
            except (WmkgError, ValueError) as exc:
                context["error"] = str(exc)
        context["max_rows"] = self.settings.max_rows
        return self.html("query.html", **context)

    # --- JSON API -------------------------------------------------------------------------------------
    def describe_query(self, named: Any) -> dict[str, Any]:
        return {
            "name": named.name,
            "title": named.title,
            "description": named.description,
            "parameters": [
                {"name": p.name, "kind": p.kind, "required": p.required, "description": p.description}
                for p in named.parameters
            ],
            "url": f"/api/queries/{named.name}",
            "sparql": named.sparql,
        }

    async def api_queries(self, request: Request) -> Response:
        from starlette.responses import JSONResponse

        return JSONResponse({"queries": [self.describe_query(q) for q in self.kg.catalogue.values()]})

    async def api_query(self, request: Request) -> Response:
        from starlette.concurrency import run_in_threadpool
        from starlette.responses import JSONResponse, Response

        name = request.path_params["name"]
        try:
            named = self.kg.named_query(name)
        except QueryError as exc:
            return JSONResponse({"error": str(exc)}, status_code=404)
        try:
            values = self.kg.bind_parameters(named, dict(request.query_params))
            result, truncated = await run_in_threadpool(self.run_query, bind(with_prefixes(named.sparql), values))
        except QueryTimeoutError as exc:
            return JSONResponse({"error": str(exc)}, status_code=503)
        except WmkgError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        headers = {"X-Result-Truncated": "true"} if truncated else {}
        return Response(result.serialize("json"), media_type="application/sparql-results+json", headers=headers)

    async def openapi(self, request: Request) -> Response:
        from starlette.responses import JSONResponse

        return JSONResponse(openapi_document(self.kg))


class BodyTooLargeError(WmkgError):
    """A request body over ``--max-body``."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the request body is over the {limit}-byte limit (wmkg serve --max-body)")


def openapi_document(kg: KnowledgeGraph) -> dict[str, Any]:
    """The OpenAPI 3.1 description of the JSON API and the SPARQL endpoint, with every named query."""
    sparql_json = {"application/sparql-results+json": {"schema": {"type": "object"}}}
    error = {"application/json": {"schema": {"type": "object", "properties": {"error": {"type": "string"}}}}}
    paths: dict[str, Any] = {
        "/api/queries": {
            "get": {
                "summary": "The named query catalogue",
                "responses": {
                    "200": {
                        "description": "Every named query with its parameters",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
        "/sparql": {
            "get": {
                "summary": "SPARQL 1.1 Protocol query (read-only)",
                "parameters": [
                    {"name": "query", "in": "query", "required": True, "schema": {"type": "string"}},
                    {
                        "name": "format",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "string", "enum": sorted(set(FORMAT_NAMES.values()))},
                    },
                ],
                "responses": {
                    "200": {"description": "Results", "content": sparql_json},
                    "400": {"description": "Malformed query"},
                    "403": {"description": "Update or SERVICE"},
                    "406": {"description": "Unsupported Accept"},
                    "503": {"description": "Time limit"},
                },
            }
        },
    }
    for named in kg.catalogue.values():
        paths[f"/api/queries/{named.name}"] = {
            "get": {
                "summary": named.title,
                "description": named.description,
                "operationId": named.name.replace("-", "_"),
                "parameters": [
                    {
                        "name": p.name,
                        "in": "query",
                        "required": p.required,
                        "description": p.description,
                        "schema": {"type": "integer" if p.kind in ("integer", "year") else "string"},
                    }
                    for p in named.parameters
                ],
                "responses": {
                    "200": {
                        "description": "SPARQL 1.1 JSON results (header X-Result-Truncated when capped)",
                        "content": sparql_json,
                    },
                    "400": {"description": "A parameter is missing or names nothing", "content": error},
                    "503": {"description": "The query ran over the time limit", "content": error},
                },
            }
        }
    from westminster_kg import __version__

    return {"openapi": "3.1.0", "info": {"title": "westminster-kg", "version": __version__}, "paths": paths}


def create_app(kg: KnowledgeGraph, *, settings: Settings | None = None) -> Starlette:
    """The ASGI app over ``kg``; its query workers start with the app's lifespan and stop with it."""
    from contextlib import asynccontextmanager

    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.middleware import Middleware
    from starlette.middleware.cors import CORSMiddleware
    from starlette.routing import Route

    settings = settings or Settings()
    web = WebApp(kg, settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        web.pool = await run_in_threadpool(QueryPool, kg, settings.workers)
        try:
            yield
        finally:
            web.pool.close()

    middleware = []
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origins,
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=["Accept", "Content-Type"],
                expose_headers=["X-Result-Truncated", "X-Result-Note"],
            )
        )
    routes = [
        Route("/", web.home),
        Route("/sparql", web.sparql, methods=["GET", "POST"]),
        Route("/id/{slug:path}", web.entity),
        Route("/ontology", web.ontology),
        Route("/search", web.search),
        Route("/query", web.query_page),
        Route("/api/queries", web.api_queries),
        Route("/api/queries/{name}", web.api_query),
        Route("/openapi.json", web.openapi),
    ]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.web = web
    return app


def is_loopback(host: str) -> bool:
    """Whether ``host`` only listens on this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def host_warning(host: str) -> str | None:
    """The warning to print when ``host`` listens beyond this machine, else ``None``."""
    if is_loopback(host):
        return None
    return (
        f"warning: listening on {host}: anyone who can reach this machine can use the app and its "
        "SPARQL endpoint (bind 127.0.0.1 unless you mean it)"
    )


def serve(kg: KnowledgeGraph, *, host: str = "127.0.0.1", port: int = 8000, settings: Settings | None = None) -> None:
    """Run the app with uvicorn until interrupted; warn when it listens beyond this machine."""
    import uvicorn

    warning = host_warning(host)
    if warning:
        print(warning, file=sys.stderr)
    uvicorn.run(create_app(kg, settings=settings), host=host, port=port, log_level="info")


__all__ = ["QueryPool", "Settings", "check_query", "create_app", "negotiate", "serve", "service_targets"]


if __name__ == "__main__":  # a query worker: python -m westminster_kg.web --worker DUMP
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        worker_main(sys.argv[2])
    else:
        sys.exit("usage: python -m westminster_kg.web --worker DUMP.nq (started by wmkg serve)")
