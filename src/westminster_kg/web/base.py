"""What every part of the web app shares: the site (settings, the data snapshot, templates, answers) and
the base of its handler objects.

The data a request is answered from is one ``Snapshot``: the knowledge graph, its pool of query workers
and which reload made them. A reload (``westminster_kg.web.reload``) swaps the site's snapshot in one
assignment; a handler reads it once and answers wholly from it. Handlers are objects over the one
``Site`` (``SparqlEndpoint``, ``Pages``, ``Pictures``, ``Api``, ``Reconcile``), each a group of routes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from westminster_kg.errors import QueryError, StoreError, WmkgError
from westminster_kg.view.templates import entity_page, environment, external_href  # noqa: F401 - shared
from westminster_kg.web.guard import ForbiddenQueryError, QueryTooLargeError, check_text
from westminster_kg.web.jobs import Answer, Body, Problem, QueryJob
from westminster_kg.web.settings import Settings
from westminster_kg.web.workers import QueryTimeoutError, WorkerLimitError

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

    from westminster_kg.bound import BoundQuery
    from westminster_kg.knowledge_graph import KnowledgeGraph
    from westminster_kg.resolve import Resolver
    from westminster_kg.store import QueryResult
    from westminster_kg.web.cache import ResultCache
    from westminster_kg.web.workers import QueryPool


class BodyTooLargeError(WmkgError):
    """A request body over ``--max-body``."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the request body is over the {limit}-byte limit (wmkg serve --max-body)")


@dataclass(frozen=True)
class Snapshot:
    """The data requests are answered from: swapped whole by a reload, never changed in place."""

    kg: KnowledgeGraph
    pool: QueryPool | None  # its "api" lane answers pages and the API, so /sparql cannot starve them
    generation: int = 0  # how many times new data was swapped in (caches key on it)


class Site:
    """What every handler shares: the settings, the current snapshot, the templates and the kept answers."""

    def __init__(self, kg: KnowledgeGraph, settings: Settings) -> None:
        self.settings = settings
        self.snapshot = Snapshot(kg, None)
        self.cache: ResultCache | None = None  # answers kept until the data changes (web.cache)
        self.templates = environment()  # the view's own Jinja setup: one autoescape, filters and link helpers
        # What is built once per loaded graph (the network projection, the entity pages' index), by name.
        self._derived: dict[str, tuple[KnowledgeGraph, Any]] = {}
        self._derived_lock = threading.RLock()  # a build may ask for another
        # Each resolver this site's workers answer for, with the runner it had before (given back on stop).
        self._lent: list[tuple[Resolver, Callable[[BoundQuery], QueryResult] | None]] = []

    @property
    def kg(self) -> KnowledgeGraph:
        """The knowledge graph of the current snapshot."""
        return self.snapshot.kg

    @property
    def pool(self) -> QueryPool | None:
        """The query workers of the current snapshot."""
        return self.snapshot.pool

    @property
    def generation(self) -> int:
        """How many times new data was swapped in."""
        return self.snapshot.generation

    def swap(self, kg: KnowledgeGraph, pool: QueryPool, *, reload: bool = True) -> QueryPool | None:
        """Serve ``kg`` with ``pool`` from now on, in one assignment; returns the pool it replaced.

        ``reload``: new data (the generation goes up); else the first pool of the data already served.
        """
        old = self.snapshot
        self.snapshot = Snapshot(kg, pool, old.generation + 1 if reload else old.generation)
        return old.pool

    def start_pool(self, kg: KnowledgeGraph) -> QueryPool:
        """Query workers over ``kg`` (blocking: they load first), with the lanes that keep pages answering."""
        from westminster_kg.web.workers import QueryPool

        # Values people type are looked up in memory; what must be asked of the store (is this IRI
        # known?) is asked through the workers, as every query a request shapes is.
        self._lent.append((kg.resolver, kg.resolver.runner))
        kg.resolver.runner = self.ask
        return QueryPool(
            kg,
            self.settings.workers,
            allowed_services=self.settings.allowed_services,
            fast_workers=1,
            api_workers=1,
            memory=self.settings.worker_memory * 2**20,
            in_memory_quads=self.settings.worker_in_memory_quads,
        )

    def give_back_resolvers(self) -> None:
        """The runners the resolvers had before this site lent them its workers (call when they stop).

        A knowledge graph outlives the app that served it (a notebook asks it again, or a second app
        serves it): its look-ups must not go on asking workers that are gone.
        """
        while self._lent:
            resolver, before = self._lent.pop()
            if resolver.runner == self.ask:
                resolver.runner = before

    def derived(self, name: str, build: Callable[[KnowledgeGraph], Any]) -> Any:
        """``build(kg)`` for the current snapshot's graph, built on first use and kept until new data.

        For what the whole graph gives and no request shapes (the network projection, the entity
        pages' index): built in this process, once per loaded graph, instead of once per request.
        """
        kg = self.kg  # read once: a reload may swap in new data meanwhile
        with self._derived_lock:
            kept = self._derived.get(name)
            if kept is None or kept[0] is not kg:
                kept = self._derived[name] = (kg, build(kg))
            return kept[1]

    def network(self) -> Any:
        """The whole network projection of the current data, built once per snapshot's graph."""
        from westminster_kg.network import build_network

        return self.derived("network", build_network)

    # --- helpers ------------------------------------------------------------------------------------
    def public_url(self, request: Request, path: str) -> str:
        """``path`` on this server as its clients reach it: under ``--base-url`` when set (behind a
        proxy), else under the address this request came to."""
        base = self.settings.base_url or str(request.base_url)
        return base.rstrip("/") + path

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
            (QueryTooLargeError, 413),
            (ForbiddenQueryError, 403),
            (QueryError, 400),
            (QueryTimeoutError, 503),
            (WorkerLimitError, 503),
            (StoreError, 500),
        ):
            if isinstance(error, kind):
                return self.problem(request, status, str(error))
        return self.problem(request, 400, str(error))

    def ask(self, query: BoundQuery, *, deadline: float | None = None, lane: str = "api") -> QueryResult:
        """Answer a bound query in a worker (blocking; call it off the event loop), within the time limit.

        Every query a page, the API or ``/reconcile`` runs goes through here: a fixed template and its
        bound terms, never text built from request values (``westminster_kg.bound``).
        """
        answer, _ = self.ask_capped(query, deadline=deadline, lane=lane)
        return answer

    def ask_capped(
        self, query: BoundQuery, *, deadline: float | None = None, lane: str = "api"
    ) -> tuple[QueryResult, bool]:
        """``ask``, and whether the row or byte limit cut the answer short."""
        outcome = self.answer(QueryJob.of(query, self.settings.limits), deadline=deadline, lane=lane)
        assert isinstance(outcome, Answer)  # no media asked for: the worker never writes a body
        return outcome.result(), outcome.truncated

    def answer(self, job: QueryJob, *, deadline: float | None = None, lane: str = "api") -> Answer | Body | Problem:
        """Run ``job`` in the pool (blocking): ``lane`` "api" (pages, the API) or "any" (client SPARQL).

        The template is checked here in linear time (size, shape) before it is sent; the worker reads it
        and refuses what the endpoint will not run (``westminster_kg.web.guard``).
        """
        from westminster_kg.web.workers import PoolClosedError

        check_text(job.template, self.settings.max_query_bytes)
        for _ in range(3):
            pool = self.pool  # read once: a reload may swap in a new pool meanwhile
            if pool is None:
                raise StoreError("the query workers are not running")
            try:
                return pool.run(job, deadline=deadline, lane=lane)
            except PoolClosedError:
                continue  # new data went live between reading self.pool and asking it: ask the new pool
        raise StoreError("the data was reloaded three times while this query waited; try again")

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


class Handlers:
    """A group of routes over the one ``Site``: its data, settings and helpers, read as the handler's own."""

    def __init__(self, site: Site) -> None:
        self.site = site

    @property
    def kg(self) -> KnowledgeGraph:
        """The knowledge graph being served."""
        return self.site.kg

    @property
    def pool(self) -> QueryPool | None:
        """The query workers being used."""
        return self.site.pool

    @property
    def generation(self) -> int:
        """How many times new data was swapped in."""
        return self.site.generation

    @property
    def settings(self) -> Settings:
        """What ``wmkg serve`` was told."""
        return self.site.settings

    def ask(self, query: BoundQuery, **options: Any) -> QueryResult:
        """``Site.ask``."""
        return self.site.ask(query, **options)

    def ask_capped(self, query: BoundQuery, **options: Any) -> tuple[QueryResult, bool]:
        """``Site.ask_capped``."""
        return self.site.ask_capped(query, **options)

    def answer(self, job: QueryJob, **options: Any) -> Answer | Body | Problem:
        """``Site.answer``."""
        return self.site.answer(job, **options)

    def html(self, template: str, status: int = 200, **context: Any) -> Response:
        """``Site.html``."""
        return self.site.html(template, status, **context)

    def problem(self, request: Request, status: int, message: str) -> Response:
        """``Site.problem``."""
        return self.site.problem(request, status, message)

    def problem_for(self, request: Request, error: WmkgError) -> Response:
        """``Site.problem_for``."""
        return self.site.problem_for(request, error)

    def public_url(self, request: Request, path: str) -> str:
        """``Site.public_url``."""
        return self.site.public_url(request, path)

    async def read_body(self, request: Request) -> bytes:
        """``Site.read_body``."""
        return await self.site.read_body(request)

    def network(self) -> Any:
        """``Site.network``."""
        return self.site.network()


__all__ = ["BodyTooLargeError", "Handlers", "Settings", "Site", "Snapshot", "entity_page", "external_href"]
