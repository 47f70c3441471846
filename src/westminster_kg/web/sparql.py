"""The SPARQL 1.1 Protocol: request parameters, content negotiation, result and graph media types."""

from __future__ import annotations

import functools
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from westminster_kg.errors import QueryError, WmkgError
from westminster_kg.web.base import Handlers
from westminster_kg.web.guard import ForbiddenQueryError
from westminster_kg.web.jobs import Body, Problem, QueryJob
from westminster_kg.web.media import (
    DESCRIPTION_TYPES,
    GRAPH_MEDIA,
    GRAPH_TYPES,
    RESULT_MEDIA,
    RESULT_TYPES,
    negotiate,
    requested_media,
)

if TYPE_CHECKING:
    import anyio
    from starlette.requests import Request
    from starlette.responses import Response


class UnsupportedCharsetError(QueryError):
    """A request body declared in a charset other than UTF-8 (the Protocol requires UTF-8): 415."""


class SparqlEndpoint(Handlers):
    """``/sparql``: the SPARQL 1.1 Protocol endpoint (queries only) and its service description."""

    def endpoint_url(self, request: Request) -> str:
        """The address this endpoint is served at: ``--base-url`` when set, else as the client reached it."""
        base = getattr(self.settings, "base_url", None)
        if base:
            return base.rstrip("/") + "/sparql"
        return str(request.url.replace(query="", fragment=""))

    async def sparql(self, request: Request) -> Response:
        import anyio
        import anyio.to_thread
        from starlette.responses import Response

        try:
            params = await self.sparql_parameters(request)
        except UnsupportedCharsetError as exc:
            return self.problem(request, 415, str(exc))
        except WmkgError as exc:
            return self.problem_for(request, exc)
        queries = params.get("query", [])
        if len(queries) > 1:
            return self.problem(request, 400, f"give exactly one 'query' parameter, not {len(queries)}")
        if not queries:
            if request.method in ("GET", "HEAD"):
                return await self.describe_service(request)
            return self.problem(
                request,
                400,
                "no query: send ?query=... (GET), a form field 'query' or an application/sparql-query body (POST)",
            )
        formats = params.get("format", []) + params.get("output", [])
        accept = request.headers.get("accept")
        try:
            if formats:
                accept = requested_media(formats[0])
        except QueryError as exc:
            return self.problem(request, 400, str(exc))
        if negotiate(accept, RESULT_TYPES, "json") is None and negotiate(accept, GRAPH_TYPES, "turtle") is None:
            return self.problem(
                request,
                406,
                f"cannot answer with {accept}: results come as "
                f"{', '.join(RESULT_MEDIA.values())}; graphs as {', '.join(GRAPH_MEDIA.values())}",
            )
        # The time limit counts from the request's arrival (stamped by the app's outer middleware):
        # waiting for a thread, a worker or the serialiser is part of it.
        arrived = getattr(request.state, "arrived", None) or time.monotonic()
        deadline = arrived + self.settings.query_timeout
        try:
            with anyio.fail_after(max(0.0, deadline - time.monotonic())):
                # /sparql has its own threads (self.sparql_limiter): its load cannot use up the pool
                # that pages and the API run on. Query and serialisation both run off the event loop.
                answer = await anyio.to_thread.run_sync(
                    functools.partial(
                        self.answer_bytes,
                        queries[0],
                        accept,
                        deadline=deadline,
                        default_graphs=params.get("default-graph-uri"),
                        named_graphs=params.get("named-graph-uri"),
                        base_iri=self.endpoint_url(request),
                    ),
                    limiter=self.sparql_limiter,
                )
        except TimeoutError:
            return self.problem(
                request,
                503,
                f"the endpoint stayed busy for the whole {self.settings.query_timeout:g} s time limit; try again",
            )
        except WmkgError as exc:
            return self.problem_for(request, exc)
        if isinstance(answer, Problem):
            return self.problem(request, answer.status, answer.message)
        body, media = answer.data, answer.media
        headers = {"Vary": "Accept"}
        if answer.truncated:
            headers["X-Result-Truncated"] = "true"
            headers["X-Result-Note"] = (
                f"results capped at {self.settings.max_rows} rows or triples or "
                f"{self.settings.max_result_bytes} bytes of terms (wmkg serve --max-rows, --max-result-bytes)"
            )
        charset = "; charset=utf-8" if not media.endswith("json") else ""
        # Whole, not streamed: the answer cache (web.cache) collects every answer before sending it anyway.
        return Response(body, media_type=media + charset, headers=headers)

    @property
    def sparql_limiter(self) -> anyio.CapacityLimiter:
        """The threads /sparql may hold at once (created on first use, inside the event loop)."""
        import anyio

        limiter = getattr(self, "_sparql_limiter", None)
        if limiter is None:
            limiter = self._sparql_limiter = anyio.CapacityLimiter(self.settings.sparql_concurrency)
        return limiter

    def answer_bytes(self, query: str, accept: str | None, *, deadline: float, **options: Any) -> Body | Problem:
        """Run a client's ``query`` and get its answer written in the negotiated media type.

        The worker writes the answer (``serialise_answer``), so a large answer costs the server process no
        CPU. ``options`` are the Protocol's dataset (``default_graphs``, ``named_graphs``) and ``base_iri``.
        """
        job = QueryJob(
            query,
            accept=accept or "*/*",
            limits=self.settings.limits,
            default_graphs=tuple(options.get("default_graphs") or ()),
            named_graphs=tuple(options.get("named_graphs") or ()),
            base_iri=options.get("base_iri"),
        )
        outcome = self.answer(job, deadline=deadline, lane="any")
        assert isinstance(outcome, Body | Problem)  # a media type was asked for
        return outcome

    async def describe_service(self, request: Request) -> Response:
        """``GET /sparql`` without a query: the query page for browsers, else the service description."""
        from starlette.concurrency import run_in_threadpool
        from starlette.responses import Response

        from westminster_kg.bound import internal
        from westminster_kg.namespaces import PREFIXES
        from westminster_kg.web.service import service_description

        accept = request.headers.get("accept")
        offered = {"text/html": "html", "application/xhtml+xml": "html", **DESCRIPTION_TYPES}
        name = negotiate(accept, offered, "turtle")
        if name is None:
            media = ", ".join(sorted(set(DESCRIPTION_TYPES) | {"text/html"}))
            return self.problem(request, 406, f"the service description comes as {media}, not {accept}")
        if name == "html":
            return self.html("sparql.html", title="SPARQL endpoint", settings=self.settings, prefixes=PREFIXES)
        try:
            rows = (await run_in_threadpool(self.ask, internal("service-graph-sizes"))).rows
        except WmkgError as exc:
            return self.problem_for(request, exc)
        sizes = [(str(graph), int(triples)) for graph, triples in rows]
        graph = service_description(self.endpoint_url(request), sizes, federation=bool(self.settings.allowed_services))
        return Response(graph.serialize(format=name), media_type=GRAPH_MEDIA[name], headers={"Vary": "Accept"})

    async def sparql_parameters(self, request: Request) -> dict[str, list[str]]:
        """Protocol parameters from the URL and, for POST, from a form or a direct query body.

        Raises:
            ForbiddenQueryError: an update (``update=`` anywhere, or an ``application/sparql-update`` body).
            UnsupportedCharsetError: a body declared in a charset other than UTF-8.
            QueryError: a body that is not UTF-8, or of a media type the Protocol does not define.
        """
        params = _parse_form(request.url.query, "the URL")
        if request.method == "POST":
            content_type, _, rest = request.headers.get("content-type", "").partition(";")
            content_type = content_type.strip().lower()
            charset = _charset(rest)
            if charset not in (None, "utf-8", "utf8", "us-ascii"):
                raise UnsupportedCharsetError(
                    f"the request body declares charset={charset}: SPARQL requests must be UTF-8 "
                    "(send it as UTF-8 and say charset=utf-8, or leave the charset out)"
                )
            body = await self.read_body(request)
            if content_type == "application/sparql-update":
                raise ForbiddenQueryError("SPARQL updates are refused: this endpoint is read-only")
            if content_type == "application/sparql-query":
                try:
                    params.setdefault("query", []).append(body.decode("utf-8"))
                except UnicodeDecodeError as exc:
                    raise QueryError(f"the query body is not UTF-8 (byte {exc.start}): send UTF-8") from None
            elif content_type == "application/x-www-form-urlencoded":
                for key, values in _form_body(request, body).items():
                    params.setdefault(key, []).extend(values)
            else:
                raise QueryError(
                    "POST a form (application/x-www-form-urlencoded) or a query (application/sparql-query), "
                    f"not {content_type or 'no content type'}"
                )
        if "update" in params:
            raise ForbiddenQueryError("SPARQL updates are refused: this endpoint is read-only")
        return params


def _charset(parameters: str) -> str | None:
    """The ``charset`` of a Content-Type's parameters (lower case), or ``None``."""
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return None


def _form_body(request: Request, body: bytes) -> dict[str, list[str]]:
    """A form body's fields: as the answer cache already decoded them (``FORM_SCOPE_KEY``), else decoded here.

    Raises:
        QueryError: the body is not ASCII, or has percent-escapes that are not UTF-8.
    """
    from westminster_kg.web.cache import FORM_SCOPE_KEY

    kept = request.scope.get(FORM_SCOPE_KEY)
    if kept is not None and kept[0] == body:  # decoded with the same strict rules as _parse_form's
        fields: dict[str, list[str]] = {}
        for key, value in kept[1]:
            fields.setdefault(key, []).append(value)
        return fields
    try:
        text = body.decode("ascii")
    except UnicodeDecodeError:
        raise QueryError("a form body is percent-encoded ASCII; this one is not") from None
    return _parse_form(text, "the form body")


def _parse_form(text: str, where: str) -> dict[str, list[str]]:
    """Percent-encoded ``key=value`` pairs; percent-escapes that are not UTF-8 are a ``QueryError``."""
    try:
        return parse_qs(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise QueryError(f"{where} has percent-escapes that are not UTF-8: encode the query as UTF-8") from None


__all__ = ["SparqlEndpoint", "UnsupportedCharsetError"]
