"""The SPARQL 1.1 Protocol: request parameters, content negotiation, result and graph media types."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from westminster_kg.errors import QueryError, WmkgError
from westminster_kg.web.base import WebBase
from westminster_kg.web.guard import ForbiddenQueryError

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

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
# ``format=`` / ``output=`` values and the media types they stand for. A short name that fits both a
# result and a graph (``json``, ``xml``) offers both: the query's form picks. Full media types work too.
FORMAT_NAMES = {
    "json": "application/sparql-results+json, application/ld+json",
    "srj": "application/sparql-results+json",
    "xml": "application/sparql-results+xml, application/rdf+xml",
    "srx": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ttl": "text/turtle",
    "n3": "text/turtle",
    "nt": "application/n-triples",
    "ntriples": "application/n-triples",
    "n-triples": "application/n-triples",
    "json-ld": "application/ld+json",
    "jsonld": "application/ld+json",
    "rdf": "application/rdf+xml",
    "rdfxml": "application/rdf+xml",
    "rdf-xml": "application/rdf+xml",
}
DESCRIPTION_TYPES = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    **{m: n for m, n in GRAPH_TYPES.items() if m not in ("text/plain",)},
}


class UnsupportedCharsetError(QueryError):
    """A request body declared in a charset other than UTF-8 (the Protocol requires UTF-8): 415."""


def requested_media(value: str) -> str:
    """The Accept-style media list a ``format=``/``output=`` value asks for; ``QueryError`` if unknown."""
    text = value.strip().lower()
    if text in FORMAT_NAMES:
        return FORMAT_NAMES[text]
    media = text.split(";")[0].strip()
    if media in RESULT_TYPES or media in GRAPH_TYPES:
        return media
    names = ", ".join(sorted(FORMAT_NAMES))
    raise QueryError(f"unknown format {value!r}: use one of {names}, or a media type such as text/csv")


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


class SparqlEndpoint(WebBase):
    """``/sparql``: the SPARQL 1.1 Protocol endpoint (queries only) and its service description."""

    def endpoint_url(self, request: Request) -> str:
        """The address this endpoint is served at: ``--base-url`` when set, else as the client reached it."""
        base = getattr(self.settings, "base_url", None)
        if base:
            return base.rstrip("/") + "/sparql"
        return str(request.url.replace(query="", fragment=""))

    async def sparql(self, request: Request) -> Response:
        from starlette.concurrency import run_in_threadpool
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
        try:
            result, truncated = await run_in_threadpool(
                self.run_query,
                queries[0],
                default_graphs=params.get("default-graph-uri"),
                named_graphs=params.get("named-graph-uri"),
                base_iri=self.endpoint_url(request),
            )
        except WmkgError as exc:
            return self.problem_for(request, exc)
        if result.kind == "graph":
            name = negotiate(accept, GRAPH_TYPES, "turtle")
            if name is None:
                offered = ", ".join(GRAPH_MEDIA.values())
                return self.problem(request, 406, f"a CONSTRUCT/DESCRIBE result comes as {offered}, not {accept}")
            body = result.graph.serialize(format=name)
            media = GRAPH_MEDIA[name]
        else:
            name = negotiate(accept, RESULT_TYPES, "json")
            if name is None:
                offered = ", ".join(RESULT_MEDIA.values())
                return self.problem(request, 406, f"a SELECT/ASK result comes as {offered}, not {accept}")
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

    async def describe_service(self, request: Request) -> Response:
        """``GET /sparql`` without a query: the query page for browsers, else the service description."""
        from starlette.concurrency import run_in_threadpool
        from starlette.responses import Response

        from westminster_kg.namespaces import PREFIXES
        from westminster_kg.web.service import graph_sizes, service_description

        accept = request.headers.get("accept")
        offered = {"text/html": "html", "application/xhtml+xml": "html", **DESCRIPTION_TYPES}
        name = negotiate(accept, offered, "turtle")
        if name is None:
            media = ", ".join(sorted(set(DESCRIPTION_TYPES) | {"text/html"}))
            return self.problem(request, 406, f"the service description comes as {media}, not {accept}")
        if name == "html":
            return self.html("sparql.html", title="SPARQL endpoint", settings=self.settings, prefixes=PREFIXES)
        sizes = await run_in_threadpool(graph_sizes, self.kg.store)
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
                try:
                    text = body.decode("ascii")
                except UnicodeDecodeError:
                    raise QueryError("a form body is percent-encoded ASCII; this one is not") from None
                for key, values in _parse_form(text, "the form body").items():
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


def _parse_form(text: str, where: str) -> dict[str, list[str]]:
    """Percent-encoded ``key=value`` pairs; percent-escapes that are not UTF-8 are a ``QueryError``."""
    try:
        return parse_qs(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise QueryError(f"{where} has percent-escapes that are not UTF-8: encode the query as UTF-8") from None


__all__ = [
    "DESCRIPTION_TYPES",
    "FORMAT_NAMES",
    "GRAPH_MEDIA",
    "GRAPH_TYPES",
    "RESULT_MEDIA",
    "RESULT_TYPES",
    "SparqlEndpoint",
    "UnsupportedCharsetError",
    "negotiate",
    "parse_accept",
    "requested_media",
]
