"""The local web app (``wmkg serve``), one module per job.

* ``app`` — ``create_app``, the routes, ``serve``;
* ``sparql`` — the SPARQL 1.1 Protocol: parameters, content negotiation, media types;
* ``guard`` — what a client's query may do (no updates, SERVICE only when allowed, bounded nesting);
* ``workers`` — the pool of time-limited worker processes that answer client queries;
* ``pages`` — the HTML pages; ``api`` — the JSON API and its OpenAPI document;
* ``base`` — what they share: ``Settings``, templates, error responses.
"""

from __future__ import annotations

import importlib
from typing import Any

# Names are imported on first use (PEP 562): ``wmkg query`` needs only ``guard``, and importing the whole
# app would pull in the view's pyvis, networkx and IPython for nothing (about 0.6 s of a cold start).
_HOMES = {
    "openapi_document": "api",
    "WebApp": "app",
    "create_app": "app",
    "host_warning": "app",
    "is_loopback": "app",
    "serve": "app",
    "BodyTooLargeError": "base",
    "Settings": "settings",
    "entity_page": "base",
    "external_href": "base",
    "ForbiddenQueryError": "guard",
    "QueryTooLargeError": "guard",
    "check_query": "guard",
    "service_targets": "guard",
    "negotiate": "media",
    "parse_accept": "media",
    "QueryPool": "workers",
    "QueryTimeoutError": "workers",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)


__all__ = [
    "BodyTooLargeError",
    "ForbiddenQueryError",
    "QueryPool",
    "QueryTimeoutError",
    "QueryTooLargeError",
    "Settings",
    "WebApp",
    "check_query",
    "create_app",
    "entity_page",
    "external_href",
    "host_warning",
    "is_loopback",
    "negotiate",
    "openapi_document",
    "parse_accept",
    "serve",
    "service_targets",
]
