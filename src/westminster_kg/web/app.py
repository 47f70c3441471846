"""The local web app: the network view, entity pages, ontology docs, a SPARQL 1.1 endpoint and a JSON API.

``wmkg serve`` runs it with uvicorn on 127.0.0.1. Pages and the API go through the same
``KnowledgeGraph`` the CLI uses; every query a client writes (``/sparql``, ``/query``,
``/api/queries/{name}``) runs in the pool of worker processes of ``westminster_kg.web.workers``.
"""

from __future__ import annotations

import ipaddress
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from westminster_kg.web.api import Api
from westminster_kg.web.base import Site
from westminster_kg.web.cache import ResponseCache, ResultCache
from westminster_kg.web.connections import uvicorn_options
from westminster_kg.web.headers import SecurityMiddleware, allowed_hosts
from westminster_kg.web.pages import Pages
from westminster_kg.web.pictures import Pictures
from westminster_kg.web.reconcile import Reconcile
from westminster_kg.web.reload import Reloader, default_loader
from westminster_kg.web.settings import Settings
from westminster_kg.web.sparql import SparqlEndpoint

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from westminster_kg.knowledge_graph import KnowledgeGraph


@dataclass(frozen=True)
class WebApp:
    """The site and its handler objects: one group of routes each, all over the one ``Site``."""

    site: Site
    sparql: SparqlEndpoint
    pages: Pages
    pictures: Pictures
    api: Api
    reconcile: Reconcile

    @classmethod
    def over(cls, kg: KnowledgeGraph, settings: Settings) -> WebApp:
        """The handlers of a site serving ``kg`` (its pool starts with the app's lifespan)."""
        site = Site(kg, settings)
        return cls(site, SparqlEndpoint(site), Pages(site), Pictures(site), Api(site), Reconcile(site))

    def routes(self) -> list[Any]:
        """Every route of the app, to its handler."""
        from starlette.routing import Route

        pictures, pages, api, reconcile = self.pictures, self.pages, self.api, self.reconcile
        return [
            Route("/", pictures.overview),
            Route("/network", pictures.network_page),
            Route("/timeline", pictures.timeline),
            Route("/timeline.svg", pictures.timeline_svg),
            Route("/article", pictures.article),
            Route("/argument", pictures.argument),
            Route("/download", pictures.download),
            Route("/download/{name}", pictures.download_file),
            Route("/.well-known/void", pictures.void),
            Route("/favicon.ico", pictures.favicon),
            Route("/ontology", pictures.ontology),
            Route("/sparql", self.sparql.sparql, methods=["GET", "POST"]),
            Route("/id/{slug:path}", pages.entity),
            Route("/search", pages.search),
            Route("/query", pages.query_page),
            Route("/api/queries", api.api_queries),
            Route("/api/queries/{name}", api.api_query),
            Route("/openapi.json", api.openapi),
            Route("/reconcile", reconcile.reconcile, methods=["GET", "POST"]),
            Route("/reconcile/preview", reconcile.reconcile_preview),
            Route("/reconcile/suggest/{kind}", reconcile.reconcile_suggest),
        ]


def _lifespan(site: Site, loader: Callable[[], KnowledgeGraph] | None) -> Callable[[Any], Any]:
    """Start the query workers (and the reloader) with the app; stop them with it."""
    from contextlib import asynccontextmanager

    from starlette.concurrency import run_in_threadpool

    settings = site.settings

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        kg = site.kg
        pool = await run_in_threadpool(site.start_pool, kg)
        site.swap(kg, pool, reload=False)
        if not pool.isolated and not settings.allowed_services:
            print(
                "warning: query workers could not be cut off from the network (no user or network "
                "namespaces here); a query that mentions SERVICE anywhere is refused",
                file=sys.stderr,
            )
        # Index the labels for typed values once, off the event loop, before the first request.
        await run_in_threadpool(lambda: kg.resolver)
        reload = loader or default_loader(kg)
        reloader = Reloader(site, reload, settings.reload_interval) if reload and settings.reload_interval > 0 else None
        if reloader is not None:
            reloader.start()
        app.state.reloader = reloader
        try:
            yield
        finally:
            if reloader is not None:
                reloader.stop()
            if site.pool is not None:
                site.pool.close()
            site.give_back_resolvers()

    return lifespan


def _middleware(site: Site) -> list[Any]:
    """The layers around every route, outermost first."""
    from starlette.middleware import Middleware
    from starlette.middleware.cors import CORSMiddleware
    from starlette.middleware.gzip import GZipMiddleware

    settings = site.settings
    # Outermost of all: the Host check, arrival time and security headers apply to every response.
    middleware = [Middleware(SecurityMiddleware, hosts=settings.allowed_hosts)]
    # Results compress well (143 KB of SPARQL JSON for one query): gzip when the client accepts it,
    # outside the answer cache, so the cache keeps plain bodies and each client gets its own encoding.
    middleware.append(Middleware(GZipMiddleware, minimum_size=1000))
    # Then: a kept answer skips everything below it (CORS headers included, as they were sent).
    site.cache = ResultCache(settings.cache_bytes)
    middleware.append(Middleware(ResponseCache, web=site, cache=site.cache, max_body=settings.max_body))
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origins,
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=["Accept", "Content-Type"],
                expose_headers=["X-Result-Truncated", "X-Result-Note", "X-Result-Rows"],
            )
        )
    return middleware


def create_app(
    kg: KnowledgeGraph,
    *,
    settings: Settings | None = None,
    loader: Callable[[], KnowledgeGraph] | None = None,
) -> Starlette:
    """The ASGI app over ``kg``; its query workers start with the app's lifespan and stop with it.

    Args:
        kg: the knowledge graph to serve.
        settings: limits and options (``wmkg serve`` flags).
        loader: loads the graph again when its files change (``westminster_kg.web.reload``); by
            default ``kg``'s own project and backend. Off when ``settings.reload_interval`` is 0.
    """
    from starlette.applications import Starlette

    from westminster_kg.errors import WmkgError

    web = WebApp.over(kg, settings or Settings())

    async def client_error(request: Any, exc: Exception) -> Any:
        # Whatever route a time-out or a refused query reaches: one line, and 503 for a time limit or a
        # worker's memory limit, never a 500 with a traceback.
        assert isinstance(exc, WmkgError)
        return web.site.problem_for(request, exc)

    app = Starlette(
        routes=web.routes(),
        middleware=_middleware(web.site),
        lifespan=_lifespan(web.site, loader),
        exception_handlers={WmkgError: client_error},
    )
    app.state.web = web.site
    app.state.handlers = web
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


def serve(
    kg: KnowledgeGraph,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    settings: Settings | None = None,
    public_names: list[str] | tuple[str, ...] = (),
) -> None:
    """Run the app with uvicorn until interrupted; warn when it listens beyond this machine.

    Only requests whose ``Host`` names the bound address (or one of ``public_names``) are answered;
    connections get header and keep-alive timeouts and a limit (``westminster_kg.web.connections``).
    """
    import dataclasses
    from urllib.parse import urlsplit

    import uvicorn

    warning = host_warning(host)
    if warning:
        print(warning, file=sys.stderr)
    settings = settings or Settings()
    if settings.base_url:  # the public address a proxy forwards from is a name this server answers to
        public_names = [*public_names, urlsplit(settings.base_url).netloc]
    settings = dataclasses.replace(settings, allowed_hosts=allowed_hosts(host, port, public_names))
    options = uvicorn_options(forwarded_allow_ips=settings.forwarded_allow_ips)
    uvicorn.run(create_app(kg, settings=settings), host=host, port=port, log_level="info", **options)


__all__ = ["WebApp", "create_app", "host_warning", "is_loopback", "serve"]
