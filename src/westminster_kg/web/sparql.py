"""The SPARQL 1.1 Protocol: request parameters, content negotiation, result and graph media types."""

from __future__ import annotations

import functools
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from westminster_kg.errors import QueryError, StoreError, WmkgError
from westminster_kg.web.base import WebBase
from westminster_kg.web.guard import ForbiddenQueryError
from westminster_kg.web.media import (
    FORMAT_NAMES,
    GRAPH_MEDIA,
    GRAPH_TYPES,
    RESULT_MEDIA,
    RESULT_TYPES,
    negotiate,
    parse_accept,
    serialise_answer,
)

if TYPE_CHECKING:
    import anyio
    from starlette.requests import Request
    from starlette.responses import Response


async def _chunks(body: bytes, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    # Sent in pieces, so one large answer does not hold the event loop for the whole write.
    for start in range(0, len(body), size):
        yield body[start : start + size]


class SparqlEndpoint(WebBase):
    """``/sparql``: the SPARQL 1.1 Protocol endpoint (queries only)."""

    async def sparql(self, request: Request) -> Response:
        import anyio
        import anyio.to_thread
        from starlette.responses import StreamingResponse

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
                        query,
                        format_name,
                        accept,
                        deadline=deadline,
                        default_graphs=params.get("default-graph-uri"),
                        named_graphs=params.get("named-graph-uri"),
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
        if isinstance(answer, tuple) and answer[0] == "problem":
            return self.problem(request, answer[1], answer[2])
        body, media, truncated = answer
        headers = {"Vary": "Accept"}
        if truncated:
            headers["X-Result-Truncated"] = "true"
            headers["X-Result-Note"] = (
                f"results capped at {self.settings.max_rows} rows or triples or "
                f"{self.settings.max_result_bytes} bytes of terms (wmkg serve --max-rows, --max-result-bytes)"
            )
        charset = "; charset=utf-8" if not media.endswith("json") else ""
        return StreamingResponse(_chunks(body), media_type=media + charset, headers=headers)

    @property
    def sparql_limiter(self) -> anyio.CapacityLimiter:
        """The threads /sparql may hold at once (created on first use, inside the event loop)."""
        import anyio

        limiter = getattr(self, "_sparql_limiter", None)
        if limiter is None:
            limiter = self._sparql_limiter = anyio.CapacityLimiter(self.settings.sparql_concurrency)
        return limiter

    def answer_bytes(
        self, query: str, format_name: str | None, accept: str | None, *, deadline: float, **graphs: Any
    ) -> tuple[bytes, str, bool] | tuple[str, int, str]:
        """Run ``query`` and get its serialised answer: the body, its media type, whether capped.

        The worker serialises (``serialise_answer``), so a large answer costs the server process no CPU.
        A result that cannot be written in the negotiated format comes back as ``("problem", status,
        message)``.
        """
        from westminster_kg.web.guard import check_text

        check_text(query, self.settings.max_query_bytes)
        if self.pool is None:
            raise StoreError("the query workers are not running")
        return self.pool.run_serialised(
            query,
            (format_name, accept),
            timeout=self.settings.query_timeout,
            max_rows=self.settings.max_rows,
            max_bytes=self.settings.max_result_bytes,
            deadline=deadline,
            **graphs,
        )

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


__all__ = [
    "FORMAT_NAMES",
    "GRAPH_MEDIA",
    "GRAPH_TYPES",
    "RESULT_MEDIA",
    "RESULT_TYPES",
    "SparqlEndpoint",
    "negotiate",
    "parse_accept",
    "serialise_answer",
]
