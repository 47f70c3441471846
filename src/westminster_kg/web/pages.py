"""The HTML pages: entity pages (by content negotiation), search and the query page."""

from __future__ import annotations

import re
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS

from westminster_kg.bound import BoundQuery, freeze, internal
from westminster_kg.errors import WmkgError
from westminster_kg.namespaces import PREFIXES, WM, WMR, curie
from westminster_kg.web.base import Handlers, entity_page
from westminster_kg.web.media import GRAPH_MEDIA, GRAPH_TYPES, negotiate
from westminster_kg.web.workers import QueryTimeoutError, WorkerLimitError

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response


MAX_NEEDLE = 200  # characters of a search or a missing page's name that are looked up
MAX_WORDS = 8  # words of it looked up one by one when the whole finds nothing
MAX_SLUG = 200  # characters of an /id/ path looked at (the longest slug of ours is under 100)


class Pages(Handlers):
    """The handlers of the HTML pages."""

    # --- entity pages -------------------------------------------------------------------------------
    async def entity(self, request: Request) -> Response:
        from rdflib import URIRef
        from starlette.responses import Response

        slug = request.path_params["slug"]
        iri = str(WMR) + slug
        accept = request.headers.get("accept")
        name = negotiate(accept, {"text/html": "html", "application/xhtml+xml": "html", **GRAPH_TYPES}, "html")
        if name is None:
            return self.problem(
                request, 406, f"cannot answer with {accept}: use text/html, " + ", ".join(GRAPH_MEDIA.values())
            )
        from starlette.concurrency import run_in_threadpool

        # A slug is a path segment of unreserved characters; anything else names nothing of ours.
        known = len(slug) <= MAX_SLUG and re.fullmatch(r"[A-Za-z0-9._~-]+", slug) is not None
        try:
            if known:
                known = bool((await run_in_threadpool(self.ask, internal("entity-exists", entity=URIRef(iri)))).boolean)
            if not known:
                if name != "html":
                    return self.problem(request, 404, f"nothing is known about {WMR}{slug[:MAX_SLUG]}")
                return await run_in_threadpool(self.not_found, slug[:MAX_SLUG])
            if name != "html":
                graph = await run_in_threadpool(self.describe, URIRef(iri))
                body = graph.serialize(format=name)
                return Response(body, media_type=GRAPH_MEDIA[name], headers={"Vary": "Accept"})
            return await run_in_threadpool(self.entity_html, iri)
        except WmkgError as exc:
            return self.problem_for(request, exc)

    def describe(self, iri: Any) -> Any:
        """The entity's triples both ways, and its claims with their evidence, as an rdflib Graph."""
        graph = self.ask(internal("entity-describe", entity=iri)).graph
        for prefix, namespace in PREFIXES.items():
            graph.bind(prefix, namespace, override=True)
        return graph

    def entity_html(self, iri: str) -> Response:
        from rdflib import Literal, URIRef

        from westminster_kg.view.neighbourhood import neighbourhood_svg
        from westminster_kg.view.style import human_name

        facts = self.ask(internal("entity-facts", entity=URIRef(iri))).rows
        label = self.kg.resolver.label(iri)
        # Class names as readers say them ("Convention"), the CURIE kept as a tooltip.
        types = sorted((human_name(curie(str(o))), curie(str(o))) for p, o in facts if str(p) == str(RDF.type))
        definitions = [str(o) for p, o in facts if str(p) == str(SKOS.definition)]
        link_properties = {str(OWL.sameAs), str(SKOS.exactMatch), str(SKOS.closeMatch)}
        links = sorted({str(o) for p, o in facts if str(p) in link_properties})
        shown = {
            str(RDF.type),
            str(SKOS.definition),
            str(RDFS.label),
            str(PROV.wasDerivedFrom),
            *link_properties,
            # A claim's place in the argument has its own block (templates/entity_argument.html).
            *(str(WM[name]) for name in ("supports", "attacks", "concedes", "restates")),
        }
        other_facts = [
            (p, o) for p, o in facts if str(p) not in shown and (isinstance(o, Literal) or isinstance(o, URIRef))
        ]
        # Every claim naming it, in the graph's own direction, every quote attributed to it, and where
        # its claims stand in the argument: looked up in the index built once per loaded graph.
        page = self.entity_index().context(iri)
        full = self.network()
        # A small static SVG (a few kB): the page stays light and needs no script.
        neighbourhood = neighbourhood_svg(full, iri) if iri in full else ""
        return self.html(
            "entity.html",
            title=label,
            iri=iri,
            types=types,
            definitions=definitions,
            links=links,
            facts=other_facts,
            claims=page["claims"],
            words=page["words"],
            argument=page["argument"],
            neighbourhood=neighbourhood,
            formats=GRAPH_MEDIA,
            citation=self.claim_citation(iri) if any(str(o) == str(WM.Claim) for _p, o in facts) else None,
        )

    def claim_citation(self, iri: str) -> dict[str, str]:
        """A claim page's citation (``templates/citation.html``): text, BibTeX, its passage in ``/article``."""
        from rdflib import URIRef

        from westminster_kg.scholarly.citation import claim_bibtex, claim_citation
        from westminster_kg.scholarly.claims import dataset_info, load_claims

        try:
            records = load_claims(self.ask, self.kg.project.article_text(), claims=[URIRef(iri)])
        except WmkgError as exc:  # a claim without quote or offsets: said on the page, never cited half
            return {"problem": str(exc)}
        if not records:
            return {}
        dataset = dataset_info(self.ask)
        claim = records[0]
        return {
            "text": claim_citation(claim, dataset),
            "bibtex": claim_bibtex(claim, dataset),
            "passage": "/article#" + claim.slug,
        }

    def entity_index(self) -> Any:
        """Every entity page's claims, words and place in the argument (``view.entity.EntityIndex``).

        Built once per loaded graph in this process, as the search index is: fixed queries over the
        whole graph that no request shapes, whose every row is needed (the workers' row cap would cut
        them short). A page then asks the workers only for its entity's own facts.
        """
        from westminster_kg.view.entity import EntityIndex, local_runner

        return self.site.derived("entity-index", lambda kg: EntityIndex.build(local_runner(kg)))

    def not_found(self, text: str) -> Response:
        needle = re.sub(r"[-_]+", " ", text).strip()
        suggestions = self.suggestions(needle)
        return self.html("not_found.html", 404, title="Not found", text=text, needle=needle, suggestions=suggestions)

    def search_index(self) -> Any:
        """The search index of the graph now served (built once per loaded graph: one query).

        Built in this process, as the resolver's label index is: a fixed query over the whole graph
        that no request shapes, whose every row is needed (the workers' row cap would cut it short).
        """
        from westminster_kg.view.entity import local_runner
        from westminster_kg.view.search import SearchIndex

        kg = self.kg  # read once: a reload may swap in new data meanwhile
        kept = getattr(self, "_search", None)
        if kept is None or kept[0] is not kg:
            kept = (kg, SearchIndex.build(local_runner(kg)))
            self._search = kept
        return kept[1]

    def suggestions(self, needle: str, limit: int = 20) -> list[tuple[str, str]]:
        """(label, page) for entities whose label or alias has ``needle``'s words, or one of its words.

        Bounded work whatever the request: the needle is cut to ``MAX_NEEDLE`` characters and at most
        ``MAX_WORDS`` of its words are looked up (a 60 KB URL once cost a second per request).
        """
        index = self.search_index()
        needle = needle[:MAX_NEEDLE]
        found = index.search(needle).entities if needle else []
        if not found:
            for word in sorted(set(needle.split()), key=len, reverse=True)[:MAX_WORDS]:
                if len(word) > 2:
                    found.extend(index.search(word).entities)
        pages = {}
        for match in found:
            page = entity_page(match.iri)
            if page and page not in pages:
                pages[page] = match.label
        return [(label, page) for page, label in pages.items()][:limit]

    async def search(self, request: Request) -> Response:
        """``/search?q=``: every entity whose label or alias has the words, then every quote that has them."""
        from starlette.concurrency import run_in_threadpool
        from starlette.responses import RedirectResponse

        from westminster_kg.view.search import search_context

        needle = request.query_params.get("q", "").strip()[:MAX_NEEDLE]
        result = await run_in_threadpool(lambda: self.search_index().search(needle)) if needle else None
        # Straight to the page only when nothing else matches: never past other matches.
        if result is not None and len(result) == 1 and result.entities:
            return RedirectResponse(entity_page(result.entities[0].iri), status_code=303)
        shown = search_context(result, entity_page) if result is not None else {"entities": [], "quotes": []}
        return self.html("search.html", title="Search", needle=needle, **shown)

    # --- /query page ----------------------------------------------------------------------------------
    async def query_page(self, request: Request) -> Response:
        from rdflib import URIRef
        from starlette.concurrency import run_in_threadpool

        from westminster_kg.view.results import result_table

        params = request.query_params
        catalogue = self.kg.catalogue
        name = params.get("name") or (next(iter(catalogue)) if catalogue else "")
        named = catalogue.get(name)
        text = params.get("sparql")
        if text is None:
            text = named.sparql if named else "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 20"
        values = {p.name: params.get("p." + p.name, "") for p in (named.parameters if named else ())}
        context: dict[str, Any] = {
            "title": "Queries",
            "catalogue": catalogue,
            "name": name,
            "named": named,
            "sparql": text,
            "values": values,
            "result": None,
            "error": None,
            "truncated": False,
            "downloads": {},
        }
        status = 200
        if "run" in params:
            try:
                prepared = None
                bound: dict[str, Any] = {}
                if named:
                    # The catalogue's own text: its parameters resolved, checked for their kind, a
                    # government bound with the governments it is part of (PreparedQuery).
                    given = {key: raw for key, raw in values.items() if raw}
                    if text == named.sparql:
                        prepared = await run_in_threadpool(self.kg.prepare, named, given)
                        bound = prepared.values
                    else:
                        for key, raw in given.items():
                            bound[key] = await run_in_threadpool(self.kg.resolve, named.parameter(key), raw)
                # The workers predeclare the prefixes: the text stays the user's own, and so do error positions.
                query = BoundQuery(text, freeze(bound), name if named and text == named.sparql else "")
                # A text the client wrote or edited runs where /sparql's queries run, never on the lane
                # that keeps pages and the API answering.
                lane = "api" if query.name else "any"
                result, truncated = await run_in_threadpool(partial(self.ask_capped, query, lane=lane))
                if prepared is not None:
                    prepared.finish(result)  # the values as asked and the notes (a government's whole)
                context.update(result=result, truncated=truncated, sparql_final=query.text)
                # The filters applied, as a reader named them and as the graph knows them: an empty
                # answer says which ones matched nothing together.
                label = self.kg.resolver.label
                # (A government bound with its wholes or parts is shown as it was asked: the first term.)
                context["filters"] = [
                    (key, label(str(term)) if isinstance(term, URIRef) else str(term), curie(str(term)))
                    for key, value in bound.items()
                    for term in [value[0] if isinstance(value, tuple) else value]
                ]
                if result.kind not in ("ask", "graph"):
                    context["table"] = result_table(result, label)
                if result.kind != "graph":
                    context["downloads"] = {
                        fmt: "/sparql?" + urlencode({"query": query.text, "format": fmt}) for fmt in ("csv", "json")
                    }
            except (QueryTimeoutError, WorkerLimitError) as exc:
                context["error"], status = str(exc), 503
            except (WmkgError, ValueError) as exc:
                context["error"], status = str(exc), 400
        context["max_rows"] = self.settings.max_rows
        # A value that names nothing, or a query that fails, is the client's error: never a 200 page.
        return self.html("query.html", status, **context)


__all__ = ["Pages"]
