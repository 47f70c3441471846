"""The JSON API (``/api/queries``) over the named query catalogue, and its OpenAPI document."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from westminster_kg.bound import BoundQuery, freeze
from westminster_kg.errors import QueryError, WmkgError
from westminster_kg.namespaces import curie
from westminster_kg.web.base import Handlers
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


class Api(Handlers):
    """The handlers of the JSON API."""

    def describe_query(self, named: Any) -> dict[str, Any]:
        return {
            "name": named.name,
            "title": named.title,
            "description": named.description,
            "parameters": [
                {
                    "name": p.name,
                    "kind": p.kind,
                    "required": p.required,
                    "takes": [curie(c) for c in p.takes],
                    "description": p.description,
                }
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
            prepared = await run_in_threadpool(self.kg.prepare, named, params)
            query = BoundQuery(named.sparql, freeze(prepared.values), named.name)
            result, truncated = await run_in_threadpool(self.ask_capped, query)
        except (QueryTimeoutError, WorkerLimitError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=503)
        except WmkgError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        prepared.finish(result)
        headers = answer_headers(result, truncated)
        if fmt == "sparql-json":
            body = with_answer(result.serialize("json"), result)
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


def answer_headers(result: Any, truncated: bool) -> dict[str, str]:
    """What every /api answer says beside its body: the row count, the notes, whether it was capped.

    ``X-Result-Rows`` and ``X-Result-Note`` reach every format, the flat rows and CSV included
    (``X-Result-Note`` is one line: the count with the filters applied, then each note).
    """
    headers = {"X-Result-Rows": str(len(result.rows))}
    # Header values are Latin-1 on the wire: labels with other characters are sent escaped.
    headers["X-Result-Note"] = "; ".join([result.summary(), *result.notes]).encode("ascii", "backslashreplace").decode()
    if truncated:
        headers["X-Result-Truncated"] = "true"
    return headers


def with_answer(sparql_json: str, result: Any) -> str:
    """SPARQL 1.1 JSON results with a member ``wmkg`` beside ``head`` and ``results``.

    ``{"rows": 0, "summary": "0 rows with government = ...", "filters": {...}, "notes": [...]}``: an
    empty answer says so in the body, and what it was asked. SPARQL clients read ``head`` and
    ``results`` and leave other members alone.
    """
    import json

    document = json.loads(sparql_json)
    document["wmkg"] = {
        "rows": len(result.rows),
        "summary": result.summary(),
        "filters": dict(result.filters),
        "notes": list(result.notes),
    }
    return json.dumps(document, ensure_ascii=False, indent=1)


_SPARQL_JSON = {"application/sparql-results+json": {"schema": {"type": "object"}}}
_ERROR = {"application/json": {"schema": {"type": "object", "properties": {"error": {"type": "string"}}}}}
_FLAT = {
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
_FORMAT_PARAMETER = {
    "name": "format",
    "in": "query",
    "required": False,
    "description": "sparql-json (default: SPARQL 1.1 JSON results), json (flat rows with labels) or csv",
    "schema": {"type": "string", "enum": ["sparql-json", "json", "csv"], "default": "sparql-json"},
}


def _fixed_paths() -> dict[str, Any]:
    """The catalogue's own listing and the SPARQL endpoint."""
    return {
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
                    "200": {"description": "Results", "content": _SPARQL_JSON},
                    "400": {"description": "Malformed query"},
                    "403": {"description": "Update or SERVICE"},
                    "406": {"description": "Unsupported Accept"},
                    "503": {"description": "Time limit"},
                },
            }
        },
    }


def _parameter(parameter: Any) -> dict[str, Any]:
    """One catalogue parameter as an OpenAPI query parameter (what an iri value may be, and its kind)."""
    description = parameter.description
    if parameter.kind == "iri":
        kinds = f" of a {' or '.join(curie(c) for c in parameter.takes)}" if parameter.takes else ""
        description += (
            f" A label or alias (any case), a wmr: slug, a CURIE or an IRI{kinds}; one that names nothing, several"
            " things or a thing of another kind is a 400 with the closest names of the right kind."
        )
    return {
        "name": parameter.name,
        "in": "query",
        "required": parameter.required,
        "description": description,
        "schema": {"type": "integer" if parameter.kind in ("integer", "year") else "string"},
    }


def _query_path(named: Any) -> dict[str, Any]:
    """``/api/queries/NAME`` for one named query."""
    return {
        "get": {
            "summary": named.title,
            "description": named.description,
            "operationId": named.name.replace("-", "_"),
            "parameters": [*(_parameter(p) for p in named.parameters), _FORMAT_PARAMETER],
            "responses": {
                "200": {
                    "description": "The rows: SPARQL 1.1 JSON by default (with a member wmkg: the row "
                    "count, the filters applied and notes, e.g. a government that is part of another), flat "
                    "JSON rows with format=json, CSV with format=csv. Headers X-Result-Rows and X-Result-Note "
                    "(the count with the filters, then the notes) on every format; X-Result-Truncated when capped",
                    "content": {**_SPARQL_JSON, **_FLAT},
                },
                "400": {"description": "A parameter is missing or names nothing", "content": _ERROR},
                "503": {"description": "The query ran over the time limit", "content": _ERROR},
            },
        }
    }


def openapi_document(kg: KnowledgeGraph) -> dict[str, Any]:
    """The OpenAPI 3.1 description of the JSON API and the SPARQL endpoint, with every named query."""
    from westminster_kg import __version__

    paths = _fixed_paths()
    for named in kg.catalogue.values():
        paths[f"/api/queries/{named.name}"] = _query_path(named)
    return {"openapi": "3.1.0", "info": {"title": "westminster-kg", "version": __version__}, "paths": paths}


__all__ = ["Api", "openapi_document"]
