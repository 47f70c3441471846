"""The local web app (``wmkg serve``), one module per job.

* ``app`` — ``create_app``, the routes, ``serve``;
* ``sparql`` — the SPARQL 1.1 Protocol: parameters, content negotiation, media types;
* ``guard`` — what a client's query may do (no updates, SERVICE only when allowed, bounded nesting);
* ``workers`` — the pool of time-limited worker processes that answer client queries;
* ``pages`` — the HTML pages; ``api`` — the JSON API and its OpenAPI document;
* ``base`` — what they share: ``Settings``, templates, error responses.
"""

from westminster_kg.web.api import openapi_document
from westminster_kg.web.app import WebApp, create_app, host_warning, is_loopback, serve
from westminster_kg.web.base import BodyTooLargeError, Settings, entity_page, external_href
from westminster_kg.web.guard import ForbiddenQueryError, QueryTooLargeError, check_query, service_targets
from westminster_kg.web.sparql import negotiate, parse_accept
from westminster_kg.web.workers import QueryPool, QueryTimeoutError

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
