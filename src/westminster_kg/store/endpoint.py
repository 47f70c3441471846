"""Any SPARQL 1.1 endpoint as a store: Virtuoso, GraphDB, QLever, Fuseki, Neptune, Oxigraph server.

Reads go through the SPARQL 1.1 Protocol (POST, form-encoded) and come back as rdflib terms, so
``QueryResult.canonical()`` compares with the local stores. Loads go through SPARQL 1.1 Update
(``INSERT { } WHERE { }``), or through the Graph Store Protocol when a ``graph_store_url`` is given.

A load is staged: each graph is written under a temporary graph name first, and only when every
file has been parsed and uploaded are the staging graphs moved onto the real names, by one update
request (``MOVE``). A failure before that point drops the staging graphs and leaves the real ones
untouched. How atomic the final request is depends on the engine (Virtuoso runs one request in one
transaction); between two engines' requests nothing is shared.

Queries are answered over the endpoint's default graph. On Virtuoso, GraphDB and QLever that is the
union of all graphs, as our stores assume; on Fuseki or Oxigraph server it is not unless configured
(``tdb:unionDefaultGraph``, ``--union-default-graph``), or pass ``default_graphs`` to name the graphs
to merge (sent as ``default-graph-uri``).
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

from westminster_kg.errors import InputError, QueryError, StoreError
from westminster_kg.internal_queries import internal_query
from westminster_kg.namespaces import GRAPH_BASE, PREFIXES
from westminster_kg.project import Project, SourceFile
from westminster_kg.sparql_text import bind, fill, insert_update, paged, with_prefixes
from westminster_kg.store import Quad, QueryResult, Term, syntax_error
from westminster_kg.store.oxigraph import OxigraphStore

RESULTS_JSON = "application/sparql-results+json"
GRAPH_TYPES = "application/n-triples, text/turtle;q=0.9"
STAGING = "urn:x-wmkg:staging:"
# Triples per INSERT request: Virtuoso 7.2's parser runs out of memory at ~5,000 in one request.
CHUNK_TRIPLES = 1000
GSP_CHUNK_TRIPLES = 50000
PAGE_ROWS = 10000

_QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
_PROLOGUE = re.compile(r"\A(?:\s+|#[^\n]*\n?|PREFIX\s+[A-Za-z0-9_.-]*:\s*<[^>]*>|BASE\s+<[^>]*>)*", re.IGNORECASE)


def query_form(sparql: str) -> str | None:
    """The query's form (SELECT, ASK, CONSTRUCT, DESCRIBE), or ``None`` for anything else."""
    rest = sparql[_PROLOGUE.match(sparql).end() :]  # type: ignore[union-attr] - the pattern always matches
    word = re.match(r"[A-Za-z]+", rest)
    form = word.group(0).upper() if word else ""
    return form if form in _QUERY_FORMS else None


class _BasicOrDigest(httpx.Auth):
    """User and password for whichever scheme the server asks for (Virtuoso asks for Digest)."""

    def __init__(self, user: str, password: str) -> None:
        self._digest = httpx.DigestAuth(user, password)
        self._basic = httpx.BasicAuth(user, password)
        self._scheme: str | None = None

    def auth_flow(self, request: httpx.Request) -> Any:
        if self._scheme == "digest":
            yield from self._digest.auth_flow(request)
            return
        if self._scheme == "basic":
            yield from self._basic.auth_flow(request)
            return
        response = yield request
        if response.status_code != 401:
            return
        challenge = response.headers.get("www-authenticate", "").strip().lower()
        self._scheme = "digest" if challenge.startswith("digest") else "basic"
        yield from self.auth_flow(request)


def credentials_from_url(url: str) -> tuple[str, httpx.Auth | None]:
    """The URL without ``user:password@`` and an auth for them (Basic or Digest, as challenged)."""
    parts = urlsplit(url)
    if parts.username is None:
        return url, None
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    clean = urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
    return clean, _BasicOrDigest(parts.username, parts.password or "")


def term_from_json(binding: dict[str, str]) -> Term:
    """An rdflib term for one SPARQL JSON binding.

    Virtuoso writes booleans as ``"1"``/``"0"`` and uses the 2005 ``typed-literal`` type; both are
    read as the canonical forms our other stores give.
    """
    kind = binding.get("type")
    value = binding.get("value", "")
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value.removeprefix("nodeID://"))
    if kind in ("literal", "typed-literal"):
        language = binding.get("xml:lang")
        if language:
            return Literal(value, lang=language)
        datatype = binding.get("datatype")
        if not datatype or datatype == str(XSD.string):
            return Literal(value)
        if datatype == str(XSD.boolean) and value in ("1", "0"):
            value = "true" if value == "1" else "false"
        return Literal(value, datatype=URIRef(datatype))
    raise StoreError(f"unknown term type in SPARQL results: {kind!r}")


class EndpointStore:
    """A remote (or local server) SPARQL 1.1 endpoint.

    Args:
        query_url: the SPARQL query endpoint, e.g. ``http://127.0.0.1:8890/sparql``.
        update_url: the SPARQL Update endpoint; without it the store is read-only.
        graph_store_url: a Graph Store Protocol endpoint, used instead of INSERT DATA for loads.
        auth: an ``httpx.Auth`` or ``(user, password)``; ``user:password@`` in a URL works too.
        timeout: seconds to wait for one read, connect or write.
        deadline: seconds for a whole request, however the server drips its answer (default
            ``EndpointStore.deadline``).
        max_response_bytes: the largest answer read (default ``EndpointStore.max_response_bytes``).
        default_graphs: graphs to merge as the default graph (``default-graph-uri``), for engines
            whose default graph is not the union of all graphs.
    """

    name = "endpoint"
    # Defaults for every request (``wmkg --endpoint-deadline/--endpoint-max-bytes`` change them): a
    # server that drips its answer or never ends it cannot hold the client longer or fill its memory.
    deadline: float = 120.0  # seconds for a whole request: connect, send, every byte of the answer
    max_response_bytes: int = 256 * 1024 * 1024
    max_redirects: int = 5  # same host only: a query is never re-sent to another host

    def __init__(
        self,
        query_url: str,
        update_url: str | None = None,
        *,
        graph_store_url: str | None = None,
        auth: httpx.Auth | tuple[str, str] | None = None,
        timeout: float = 60.0,
        default_graphs: list[str] | None = None,
        deadline: float | None = None,
        max_response_bytes: int | None = None,
    ) -> None:
        self.query_url, query_auth = credentials_from_url(query_url)
        self.update_url, update_auth = credentials_from_url(update_url) if update_url else (None, None)
        if graph_store_url:
            self.graph_store_url, store_auth = credentials_from_url(graph_store_url)
        else:
            self.graph_store_url, store_auth = None, None
        if isinstance(auth, tuple):
            auth = _BasicOrDigest(*auth)
        self._auth = {
            self.query_url: auth or query_auth,
            self.update_url: auth or update_auth or query_auth,
            self.graph_store_url: auth or store_auth or update_auth,
        }
        self.timeout = timeout
        self.default_graphs = list(default_graphs or [])
        if deadline is not None:
            self.deadline = deadline
        if max_response_bytes is not None:
            self.max_response_bytes = max_response_bytes
        # Redirects are followed by hand (_send): only to the same scheme, host and port.
        self._client = httpx.Client(timeout=timeout, follow_redirects=False)

    def __repr__(self) -> str:
        return f"EndpointStore({self.query_url!r}, update_url={self.update_url!r})"

    # --- HTTP ----------------------------------------------------------------------------------

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """One request; every way it can fail becomes a one-line ``StoreError`` naming the URL.

        The answer is read within ``deadline`` seconds and ``max_response_bytes`` bytes; a redirect is
        followed only to the same scheme, host and port.
        """
        started = time.monotonic()
        target = url
        for _ in range(self.max_redirects + 1):
            response = self._send_once(method, target, url, started, **kwargs)
            if response.status_code not in (301, 302, 303, 307, 308) or "location" not in response.headers:
                break
            following = response.request.url.join(response.headers["location"])
            origin = httpx.URL(target)
            if (following.scheme, following.host, following.port) != (origin.scheme, origin.host, origin.port):
                raise StoreError(
                    f"{url}: redirects to another host ({following.scheme}://{following.host}): refused, "
                    "the query is not sent on; use the final URL"
                )
            target = str(following)
        else:
            raise StoreError(f"{url}: more than {self.max_redirects} redirects")
        if response.status_code >= 400:
            raise StoreError(f"{url}: HTTP {response.status_code}: {_first_line(response.text)}")
        return response

    def _send_once(self, method: str, target: str, url: str, started: float, **kwargs: Any) -> httpx.Response:
        remaining = self.deadline - (time.monotonic() - started)
        if remaining <= 0:
            raise StoreError(f"{url}: no complete answer within the {self.deadline:g} s deadline")
        timeout = httpx.Timeout(min(self.timeout, remaining))
        body = bytearray()
        try:
            with self._client.stream(method, target, auth=self._auth.get(url), timeout=timeout, **kwargs) as streamed:
                for chunk in streamed.iter_bytes():
                    body.extend(chunk)
                    if len(body) > self.max_response_bytes:
                        raise StoreError(
                            f"{url}: the answer is over {self.max_response_bytes} bytes (--endpoint-max-bytes); "
                            "stopped reading"
                        )
                    if time.monotonic() - started > self.deadline:
                        raise StoreError(
                            f"{url}: no complete answer within the {self.deadline:g} s deadline "
                            "(--endpoint-deadline); stopped reading"
                        )
                headers = [
                    (k, v)
                    for k, v in streamed.headers.multi_items()
                    if k.lower() not in ("content-encoding", "content-length")
                ]
                return httpx.Response(
                    streamed.status_code, headers=headers, content=bytes(body), request=streamed.request
                )
        except httpx.ConnectError as exc:
            raise StoreError(f"{url}: cannot connect ({_reason(exc)}); is the endpoint running?") from exc
        except httpx.TimeoutException as exc:
            raise StoreError(f"{url}: no answer within {min(self.timeout, remaining):g} s") from exc
        except httpx.HTTPError as exc:
            raise StoreError(f"{url}: {type(exc).__name__}: {_reason(exc)}") from exc

    def _update(self, sparql: str) -> None:
        if self.update_url is None:
            raise StoreError(f"{self.query_url}: read-only endpoint: give an update endpoint to load or drop")
        self._send(
            "POST",
            self.update_url,
            content=sparql.encode("utf-8"),
            headers={"Content-Type": "application/sparql-update; charset=utf-8"},
        )

    # --- queries -------------------------------------------------------------------------------

    def query(self, sparql: str, *, prefixes: Mapping[str, str] | None = None) -> QueryResult:
        """Answer a query over the endpoint's default graph (the union of graphs, see above).

        The protocol has no way to predeclare prefixes, so those of ``prefixes`` (the standard
        ones when ``None``) that the query uses without declaring are written in front of its first
        line: its line numbers stay its own.
        """
        sparql = with_prefixes(sparql, PREFIXES if prefixes is None else prefixes)
        form = query_form(sparql)
        if form is None:
            raise syntax_error(sparql, "expected SELECT, ASK, CONSTRUCT or DESCRIBE")
        accept = RESULTS_JSON if form in ("SELECT", "ASK") else GRAPH_TYPES
        data: dict[str, str | list[str]] = {"query": sparql}
        if self.default_graphs:
            data["default-graph-uri"] = self.default_graphs
        try:
            response = self._send("POST", self.query_url, data=data, headers={"Accept": accept})
        except StoreError as exc:
            # A 400 is the engine refusing the query text: that is the query's fault, not the store's.
            if ": HTTP 400:" in str(exc):
                raise QueryError(f"the endpoint refused the query: {str(exc).split(': HTTP 400: ', 1)[1]}") from exc
            raise
        if form in ("CONSTRUCT", "DESCRIBE"):
            return QueryResult("graph", graph=self._parse_graph(response))
        try:
            answer = response.json()
        except ValueError as exc:
            raise StoreError(f"{self.query_url}: the answer is not SPARQL JSON results") from exc
        if "boolean" in answer:
            return QueryResult("ask", boolean=bool(answer["boolean"]))
        variables = list(answer.get("head", {}).get("vars", []))
        rows = [
            tuple(term_from_json(b[v]) if v in b else None for v in variables)
            for b in answer.get("results", {}).get("bindings", [])
        ]
        return QueryResult("select", variables, rows)

    def _parse_graph(self, response: httpx.Response) -> Graph:
        content_type = response.headers.get("content-type", "").split(";")[0].strip()
        fmt = {"application/n-triples": "nt", "text/plain": "nt"}.get(content_type, "turtle")
        graph = Graph()
        try:
            graph.parse(data=response.text, format=fmt)
        except Exception as exc:  # noqa: BLE001 - rdflib's parsers raise many kinds
            raise StoreError(f"{self.query_url}: cannot read the graph it sent ({content_type})") from exc
        return graph

    def graphs(self, prefix: str = GRAPH_BASE) -> list[str]:
        """Our named graphs on the endpoint (those under ``GRAPH_BASE``, or another prefix)."""
        rows = self.query(bind(internal_query("endpoint-graphs"), {"prefix": Literal(prefix)})).rows
        return sorted(str(row[0]) for row in rows)

    def quads(self) -> Iterator[Quad]:
        """Every quad of our graphs: by the Graph Store Protocol when given, else page by page.

        Pages carry no ORDER BY: Virtuoso refuses a sorted page past its 10,000th row
        (``MaxSortedTopRows``), and an engine that caps an answer's rows just gives shorter pages.
        Unordered pages are not guaranteed stable, so the quads collected are counted against the
        graph's size and a mismatch is an error rather than a silently incomplete copy.
        """
        for graph in self.graphs():
            if self.graph_store_url is not None:
                yield from self._graph_from_store(graph)
                continue
            seen: set[tuple[Term, Term, Term]] = set()
            while True:
                page = paged(internal_query("endpoint-graph-page"), PAGE_ROWS, len(seen))
                rows = self.query(bind(page, {"g": URIRef(graph)})).rows
                fresh = [row for row in rows if row not in seen]
                seen.update(fresh)  # type: ignore[arg-type]
                if not rows or not fresh:
                    break
            expected = int(self.query(bind(internal_query("endpoint-graph-size"), {"g": URIRef(graph)})).rows[0][0])
            if len(seen) != expected:
                raise StoreError(
                    f"{self.query_url}: paging through <{graph}> gave {len(seen)} of {expected} triples; "
                    "give a Graph Store Protocol URL to read it whole"
                )
            for s, p, o in seen:
                yield s, p, o, URIRef(graph)

    def _graph_from_store(self, graph: str) -> Iterator[Quad]:
        response = self._send(
            "GET",
            self.graph_store_url or "",
            params={"graph": graph, "graph-uri": graph},
            headers={"Accept": GRAPH_TYPES},
        )
        for s, p, o in self._parse_graph(response):
            yield s, p, o, URIRef(graph)

    def __len__(self) -> int:
        # Only our graphs: Virtuoso's union also holds its own system graphs.
        rows = self.query(bind(internal_query("endpoint-size"), {"prefix": Literal(GRAPH_BASE)})).rows
        return int(rows[0][0]) if rows else 0

    # --- loading -------------------------------------------------------------------------------

    def drop_graph(self, graph: str) -> None:
        """Remove a named graph (no error when absent)."""
        self._update(fill("DROP SILENT GRAPH ${graph}", graph=URIRef(graph)))

    def load(self, sources: Iterable[SourceFile], project: Project | None = None) -> None:
        """Replace our graphs on the endpoint with the files' content, staged (see the module doc).

        Every file is parsed locally first, so a malformed file is named with its line before
        anything is sent. Graphs under ``GRAPH_BASE`` that no file feeds any more are dropped.
        """
        if self.update_url is None and self.graph_store_url is None:
            raise StoreError(f"{self.query_url}: read-only endpoint: give an update endpoint to load")
        if self.update_url is None:
            raise StoreError(f"{self.graph_store_url}: loading also needs an update endpoint (for MOVE)")
        by_graph = _parse_sources(list(sources), project)
        # Staging graphs left by a load that was killed would be counted twice in the union.
        self._drop_quietly(self.graphs(STAGING))
        token = secrets.token_hex(6)
        staging = {graph: f"{STAGING}{token}:{graph}" for graph in by_graph}
        try:
            for graph, triples in by_graph.items():
                self._upload(staging[graph], triples)
            stale = [g for g in self.graphs() if g not in by_graph]
            move = "MOVE SILENT GRAPH ${staging} TO GRAPH ${graph}"
            operations = [fill(move, staging=URIRef(staging[g]), graph=URIRef(g)) for g in by_graph]
            operations += [fill("DROP SILENT GRAPH ${graph}", graph=URIRef(g)) for g in stale]
            self._update(" ;\n".join(operations))
        except BaseException:
            self._drop_quietly(staging.values())
            raise

    def _drop_quietly(self, graphs: Iterable[str]) -> None:
        for graph in graphs:
            try:
                self._update(fill("DROP SILENT GRAPH ${graph}", graph=URIRef(graph)))
            except StoreError:
                pass  # the endpoint is failing already; the first error is the one to report

    def _upload(self, graph: str, triples: list[Any]) -> None:
        if self.graph_store_url is not None:
            # POST appends to the (new, empty) staging graph; chunks keep requests a sane size.
            # Virtuoso reads the graph from ``graph-uri``, the standard names it ``graph``.
            for chunk in _chunks_keeping_blank_nodes_together(triples, GSP_CHUNK_TRIPLES):
                self._send(
                    "POST",
                    self.graph_store_url,
                    params={"graph": graph, "graph-uri": graph},
                    content=ox.serialize(chunk, format=ox.RdfFormat.N_TRIPLES),
                    headers={"Content-Type": "application/n-triples"},
                )
            return
        for chunk in _chunks_keeping_blank_nodes_together(triples, CHUNK_TRIPLES):
            body = ox.serialize(chunk, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
            self._update(insert_update(URIRef(graph), body))


def _parse_sources(sources: list[SourceFile], project: Project | None) -> dict[str, list[Any]]:
    """Each target graph's triples (pyoxigraph), parsed by the same parser as the local stores."""
    local = OxigraphStore()
    local.load(sources, project)
    by_graph: dict[str, list[Any]] = {source.graph: [] for source in sources}
    for quad in local.store:
        if isinstance(quad.graph_name, ox.DefaultGraph):
            raise InputError("a source file put triples in the default graph; every file needs a named graph")
        by_graph.setdefault(quad.graph_name.value, []).append(quad.triple)
    return by_graph


def _chunks_keeping_blank_nodes_together(triples: list[Any], size: int) -> Iterator[list[Any]]:
    """Triples in chunks where all triples sharing a blank node sit in the same chunk.

    A blank node label is scoped to one INSERT DATA request, so splitting an evidence node's
    triples across two requests would make two nodes of one.
    """
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for t in triples:
        if isinstance(t.subject, ox.BlankNode) and isinstance(t.object, ox.BlankNode):
            parent[root(t.subject.value)] = root(t.object.value)
    groups: dict[str | None, list[Any]] = {}
    for t in triples:
        node = t.subject if isinstance(t.subject, ox.BlankNode) else t.object
        key = root(node.value) if isinstance(node, ox.BlankNode) else None
        groups.setdefault(key, []).append(t)
    chunk: list[Any] = []
    for key, group in groups.items():
        members = [[t] for t in group] if key is None else [group]
        for member in members:
            if chunk and len(chunk) + len(member) > size:
                yield chunk
                chunk = []
            chunk.extend(member)
    if chunk:
        yield chunk


def _reason(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return _first_line(text)


def _first_line(text: str) -> str:
    for line in text.strip().splitlines():
        if line.strip():
            return line.strip()[:300]
    return "(empty answer)"
