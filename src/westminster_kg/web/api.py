"""The JSON API (``/api/queries``) over the named query catalogue, and its OpenAPI document."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from westminster_kg.bound import BoundQuery, freeze
from westminster_kg.errors import QueryError, WmkgError
from westminster_kg.web.base import WebBase
from westminster_kg.web.media import FORMAT_NAMES
from westminster_kg.web.workers import QueryTimeoutError, WorkerLimitError

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

    from westminster_kg.knowledge_graph import KnowledgeGraph


# /api/queries/NAME?format=...: flat rows (json, csv) for people and spreadsheets, or SPARQL JSON.
API_MEDIA = {
    "sparql-json": "application/sparql-results+json",
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
}
API_FORMATS = {
    "application/sparql-results+json": "sparql-json",
    "srj": "sparql-json",
    "text/csv": "csv",
    "application/json": "json",
}


class Api(WebBase):
    """The handlers of the JSON API."""

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
        params = dict(request.query_params)
        fmt = params.pop("format", "sparql-json").strip().lower()
        fmt = API_FORMATS.get(fmt, fmt)
        if fmt not in API_MEDIA:
            known = ", ".join(sorted(set(API_FORMATS) | set(API_MEDIA)))
            return JSONResponse({"error": f"unknown format {fmt!r}: use {known}"}, status_code=400)
        try:
            values = await run_in_threadpool(self.kg.bind_parameters, named, params)
            query = BoundQuery(named.sparql, freeze(values), named.name)
            result, truncated = await run_in_threadpool(self.ask_capped, query)
        except (QueryTimeoutError, WorkerLimitError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=503)
        except WmkgError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        headers = {"X-Result-Truncated": "true"} if truncated else {}
        if fmt == "sparql-json":
            body = result.serialize("json")
        else:
            from westminster_kg.plain import to_delimited, to_json

            labels = self.kg.resolver.labels.get
            body = to_json(result, labels) if fmt == "json" else to_delimited(result, labels)
            if fmt == "csv":
                headers["Content-Disposition"] = f'attachment; filename="{named.name}.csv"'
        return Response(body, media_type=API_MEDIA[fmt], headers=headers)

    async def openapi(self, request: Request) -> Response:
        from starlette.responses import JSONResponse

        return JSONResponse(openapi_document(self.kg))


def openapi_document(kg: KnowledgeGraph) -> dict[str, Any]:
    """The OpenAPI 3.1 description of the JSON API and the SPARQL endpoint, with every named query."""
    sparql_json = {"application/sparql-results+json": {"schema": {"type": "object"}}}
    error = {"application/json": {"schema": {"type": "object", "properties": {"error": {"type": "string"}}}}}
    flat = {
        "application/json": {
            "schema": {
                "type": "array",
                "items": {
                    "type": "object",
                    "description": "One solution: each variable's plain value (IRI, text, number), and "
                    "VAR_label beside each IRI-valued VAR that has no VARLabel variable",
                },
            }
        },
        "text/csv": {"schema": {"type": "string"}},
    }
    format_parameter = {
        "name": "format",
        "in": "query",
        "required": False,
        "description": "sparql-json (default: SPARQL 1.1 JSON results), json (flat rows with labels) or csv",
        "schema": {"type": "string", "enum": ["sparql-json", "json", "csv"], "default": "sparql-json"},
    }
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
                        "schema": {"type": "string", "enum": sorted(FORMAT_NAMES)},
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
                    *(
                        {
                            "name": p.name,
                            "in": "query",
                            "required": p.required,
                            "description": p.description
                            + " A label or alias (any case), a wmr: slug, a CURIE or an IRI; one that names"
                            " nothing, or several things, is a 400 with the closest names."
                            if p.kind == "iri"
                            else p.description,
                            "schema": {"type": "integer" if p.kind in ("integer", "year") else "string"},
                        }
                        for p in named.parameters
                    ),
                    format_parameter,
                ],
                "responses": {
                    "200": {
                        "description": "The rows: SPARQL 1.1 JSON by default, flat JSON rows with format=json, "
                        "CSV with format=csv (header X-Result-Truncated when capped)",
                        "content": {**sparql_json, **flat},
                    },
                    "400": {"description": "A parameter is missing or names nothing", "content": error},
                    "503": {"description": "The query ran over the time limit", "content": error},
                },
            }
        }
    from westminster_kg import __version__

    return {"openapi": "3.1.0", "info": {"title": "westminster-kg", "version": __version__}, "paths": paths}


__all__ = ["Api", "openapi_document"]
