"""The picture pages: the overview (``/``), the network explorer, the timeline, the article reader,
the argument map, the ontology documentation, downloads, VoID and the favicon.

Each page depends only on the loaded graph, which does not change while the app runs, so each is
rendered once (in a worker thread, off the event loop) and then served from memory.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from westminster_kg.web.base import Handlers

if TYPE_CHECKING:
    from collections.abc import Callable

    from starlette.requests import Request
    from starlette.responses import Response


VOID_CACHE = 8  # VoID texts kept, one per endpoint address


class Pictures(Handlers):
    """Handlers of the pages that show the argument."""

    _rendered: dict[str, Any]
    _render_lock: threading.Lock
    _void: OrderedDict[tuple[int, str], str]
    _void_lock = threading.Lock()  # guards the per-app dict, made on first use

    def rendered(self, key: str, make: Callable[[], Any]) -> Any:
        """``make()``'s result, made once per generation of the data (``web.reload`` bumps it)."""
        if not hasattr(self, "_render_lock"):
            self._render_lock = threading.Lock()
            self._rendered = {}
        generation = self.generation
        with self._render_lock:
            kept = self._rendered.get(key)
            if kept is not None and kept[0] == generation:
                return kept[1]
            value = make()
            # A page made while new data was being swapped in is sent but not kept.
            if self.generation == generation:
                self._rendered[key] = (generation, value)
            return value

    async def _page(self, key: str, make: Callable[[], str]) -> Response:
        from starlette.concurrency import run_in_threadpool
        from starlette.responses import HTMLResponse

        return HTMLResponse(await run_in_threadpool(self.rendered, key, make))

    async def overview(self, request: Request) -> Response:
        """``/``: which reforms eroded which conventions, under which government; in its head, the
        dataset as schema.org ``Dataset`` JSON-LD (for dataset search)."""
        from starlette.concurrency import run_in_threadpool

        from westminster_kg.view.overview import render_overview

        head = await run_in_threadpool(self.dataset_jsonld)
        return await self._page(
            "overview",
            lambda: render_overview(
                self.kg, self.network(), title="Westminster KG", entity_base="/id/", navigation=True, head_jsonld=head
            ),
        )

    def dataset_facts(self) -> Any:
        """The dataset's citation facts (``scholarly.claims.DatasetInfo``), asked once per generation."""
        from westminster_kg.scholarly.claims import dataset_info

        return self.rendered("dataset-facts", lambda: dataset_info(self.ask))

    def dataset_jsonld(self) -> str:
        """The schema.org ``Dataset`` of the home page's head, as script-safe JSON text."""
        from westminster_kg.scholarly.crate import CRATE_ARCHIVE, schema_org_dataset
        from westminster_kg.view.downloads import FORMATS, STEM
        from westminster_kg.view.network_app import json_for_script

        # The files' names and types only: the home page does not wait for the dumps to be made.
        files = [(STEM + suffix, media) for _f, _n, suffix, media, _d in FORMATS] + [(CRATE_ARCHIVE, "application/zip")]
        return json_for_script(schema_org_dataset(self.dataset_facts(), "/download/", files))

    def packages(self, dumps: dict[str, Any]) -> Any:
        """The RO-Crate (one ZIP) and CITATION.cff offered on ``/download``, made once from ``dumps``
        (``dumps()``'s files)."""
        dataset = self.dataset_facts()  # outside `rendered`: its lock is not re-entrant

        def make() -> dict[str, Any]:
            from westminster_kg.scholarly.crate import CRATE_ARCHIVE, citation_cff, crate_zip
            from westminster_kg.view.downloads import Dump

            crate = Dump(
                "ro-crate",
                "RO-Crate",
                CRATE_ARCHIVE,
                "application/zip",
                "The dumps, the ontology, every quote as Web Annotations, every claim as a nanopublication, the "
                "references and CITATION.cff, described by ro-crate-metadata.json (RO-Crate 1.1).",
                crate_zip(self.kg, dumps),
            )
            cff = citation_cff(dataset).encode("utf-8")
            citation = Dump("cff", "CITATION.cff", "CITATION.cff", "application/x-yaml", "How to cite it.", cff)
            return {d.filename: d for d in (crate, citation)}

        return self.rendered("packages", make)

    async def network_page(self, request: Request) -> Response:
        """``/network``: the whole network explorer with its filters."""
        from westminster_kg.view import render_html
        from westminster_kg.view.entity import all_words, local_runner

        return await self._page(
            "network",
            lambda: render_html(
                self.network(),
                title="Westminster KG network",
                entity_base="/id/",
                navigation=True,
                words=all_words(local_runner(self.kg)),  # in process, as the picture itself is made
            ),
        )

    async def timeline(self, request: Request) -> Response:
        """``/timeline``: the argument in time, 1918-2016, as SVG in a page."""
        from westminster_kg.view.timeline import render_timeline_page

        return await self._page("timeline", lambda: render_timeline_page(self.kg, self.network()))

    async def timeline_svg(self, request: Request) -> Response:
        """``/timeline.svg``: the timeline alone, for embedding and downloading."""
        from starlette.concurrency import run_in_threadpool
        from starlette.responses import Response

        from westminster_kg.view.timeline import timeline_svg

        svg = await run_in_threadpool(
            self.rendered,
            "timeline.svg",
            lambda: timeline_svg(self.kg, self.network(), entity_base="/id/", article="/article"),
        )
        return Response(svg, media_type="image/svg+xml")

    async def article(self, request: Request) -> Response:
        """``/article``: the article with every quote that supports a claim highlighted."""
        from westminster_kg.view.article import render_article

        return await self._page("article", lambda: render_article(self.kg))

    async def argument(self, request: Request) -> Response:
        """``/argument``: the argument map, from the thesis and the verdict down to the premises."""
        from westminster_kg.view.argument_map import render_argument

        return await self._page("argument", lambda: render_argument(self.kg))

    async def ontology(self, request: Request) -> Response:
        """``/ontology``: its documentation for browsers, the ontology itself in an RDF format otherwise."""
        from starlette.concurrency import run_in_threadpool
        from starlette.responses import Response

        from westminster_kg.bound import internal
        from westminster_kg.namespaces import PREFIXES
        from westminster_kg.view.ontology_docs import render_ontology_docs
        from westminster_kg.web.media import GRAPH_MEDIA, GRAPH_TYPES, negotiate

        accept = request.headers.get("accept")
        name = negotiate(accept, {"text/html": "html", "application/xhtml+xml": "html", **GRAPH_TYPES}, "html")
        if name is None:
            return self.problem(
                request, 406, f"cannot answer with {accept}: use text/html, " + ", ".join(GRAPH_MEDIA.values())
            )
        if name != "html":
            graph = (await run_in_threadpool(self.ask, internal("ontology-graph"))).graph
            for prefix, namespace in PREFIXES.items():
                graph.bind(prefix, namespace, override=True)
            return Response(graph.serialize(format=name), media_type=GRAPH_MEDIA[name], headers={"Vary": "Accept"})
        return await self._page("ontology", lambda: render_ontology_docs(self.kg))

    async def dumps(self) -> Any:
        """The download catalogue's dumps (``view.downloads.Dumps``), made once per generation of the data.

        Made by a child process over the workers' store, off the event loop: a graph whose blank nodes
        take long to name slows only /download, never another route. Requests that come meanwhile
        wait for the same child; a failure is kept for the generation too (a hostile graph costs one
        time-out, not one per request).
        """
        import asyncio

        from starlette.concurrency import run_in_threadpool

        from westminster_kg.errors import StoreError
        from westminster_kg.view.downloads import DumpsFailedError, dumps_from_store

        for _attempt in range(2):
            snapshot = self.site.snapshot  # read once: the generation, the pool and the graph of one data
            generation, pool = snapshot.generation, snapshot.pool
            kept = self.__dict__.get("_dumps_task")
            if kept is None or kept[0] != generation:
                if pool is None:
                    raise StoreError("the query workers are not running")
                root = snapshot.kg.project.root
                task = asyncio.ensure_future(run_in_threadpool(dumps_from_store, pool.dump, root))
                kept = self._dumps_task = (generation, task)
            try:
                return await asyncio.shield(kept[1])
            except DumpsFailedError:
                # New data came meanwhile and the old pool (its store) may be gone: make them once more.
                if self.generation == generation:
                    raise
        raise DumpsFailedError("the data changed twice while the downloads were made: ask again", 503)

    async def _dumps_or_problem(self, request: Request) -> Any:
        from westminster_kg.errors import StoreError
        from westminster_kg.view.downloads import DumpsFailedError

        try:
            return await self.dumps()
        except DumpsFailedError as exc:
            return self.problem(request, exc.status, str(exc))
        except StoreError as exc:
            return self.problem(request, 503, str(exc))

    async def download(self, request: Request) -> Response:
        """``/download``: every dump with its size and SHA-256."""
        from starlette.concurrency import run_in_threadpool
        from starlette.responses import HTMLResponse, Response

        from westminster_kg.scholarly.citation import dataset_bibtex, dataset_citation
        from westminster_kg.view.pages import render_page

        dumps = await self._dumps_or_problem(request)
        if isinstance(dumps, Response):
            return dumps
        packages = await run_in_threadpool(self.packages, dumps.files)
        dataset = await run_in_threadpool(self.dataset_facts)
        return HTMLResponse(
            render_page(
                "download.html",
                title="Download",
                dumps=list(dumps.files.values()),
                notes=dumps.notes,
                packages=list(packages.values()),
                citation=dataset_citation(dataset),
                bibtex=dataset_bibtex(dataset),
            )
        )

    async def download_file(self, request: Request) -> Response:
        """``/download/<file>``: one dump, 404 with the list of files for any other name."""
        from starlette.concurrency import run_in_threadpool
        from starlette.responses import Response

        name = request.path_params["name"]
        made = await self._dumps_or_problem(request)
        if isinstance(made, Response):
            return made
        dumps = {**made.files, **await run_in_threadpool(self.packages, made.files)}
        if name not in dumps:
            return self.problem(request, 404, f"no download named {name!r}; there are: {', '.join(dumps)}")
        dump = dumps[name]
        headers = {"Content-Disposition": f'attachment; filename="{dump.filename}"', "Digest": f"sha-256={dump.sha256}"}
        return Response(dump.data, media_type=dump.media_type, headers=headers)

    async def void(self, request: Request) -> Response:
        """``/.well-known/void``: the dataset's VoID description as Turtle, its ``void:sparqlEndpoint``
        the ``/sparql`` of the address the request came to (or of ``--base-url``)."""
        from starlette.concurrency import run_in_threadpool
        from starlette.responses import Response

        text = await run_in_threadpool(self.void_text, self.public_url(request, "/sparql"))
        return Response(text, media_type="text/turtle; charset=utf-8")

    def void_text(self, endpoint: str) -> str:
        """The VoID Turtle naming ``endpoint``, kept for the last few addresses asked for.

        A server bound to 0.0.0.0 answers any IP literal as its Host, so the addresses are not a
        fixed few: the cache keeps ``VOID_CACHE`` of them, not one per address ever seen.
        """
        from westminster_kg.link import void_turtle

        key = (self.generation, endpoint)  # counts change when new data is swapped in
        with self._void_lock:
            cache = self.__dict__.setdefault("_void", OrderedDict())
            if key in cache:
                cache.move_to_end(key)
                return cache[key]
        text = void_turtle(self.kg, endpoint)  # counts over the graph: ~0.3 s, outside the lock
        with self._void_lock:
            cache[key] = text
            while len(cache) > VOID_CACHE:
                cache.popitem(last=False)
        return text

    async def favicon(self, request: Request) -> Response:
        """``/favicon.ico``."""
        from starlette.responses import Response

        from westminster_kg.view.downloads import favicon_ico

        return Response(favicon_ico(), media_type="image/x-icon", headers={"Cache-Control": "max-age=86400"})


__all__ = ["Pictures"]
