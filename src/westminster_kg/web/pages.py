"""The HTML pages: entity pages, search, the ontology (by content negotiation) and the query page."""

from __future__ import annotations

import re
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS

from westminster_kg.bound import BoundQuery, freeze, internal
from westminster_kg.errors import QueryError, WmkgError
from westminster_kg.namespaces import PREFIXES, WM, WMR, curie
from westminster_kg.web.base import WebBase, entity_page
from westminster_kg.web.media import GRAPH_MEDIA, GRAPH_TYPES, negotiate
from westminster_kg.web.workers import QueryTimeoutError, WorkerLimitError

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response


MAX_NEEDLE = 200  # characters of a search or a missing page's name that are looked up
MAX_WORDS = 8  # words of it looked up one by one when the whole finds nothing
MAX_SLUG = 200  # characters of an /id/ path looked at (the longest slug of ours is under 100)


class Pages(WebBase):
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
        entity = self.kg.named_query("entity")
        relations = self.ask(BoundQuery(entity.sparql, freeze({"entity": URIRef(iri)}), entity.name)).to_dicts()
        for row in relations:  # relation and stance IRIs as words readers know
            for key in ("relation", "stance"):
                row[key + "Name"] = self.kg.resolver.label(str(row[key])) if row.get(key) is not None else ""
        argument = self.argument_rows(URIRef(iri))
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
            relations=relations,
            argument=argument,
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

    def argument_rows(self, iri: Any) -> list[dict[str, Any]]:
        """Where the claim ``iri`` (or each claim about the entity ``iri``) stands in the argument map.

        One dict per claim: its IRI and label, and the relations from it (``out``: what it supports,
        attacks, concedes or restates) and to it (``in``: what supports it …), each with its words.
        """
        claims: dict[str, dict[str, Any]] = {}
        for row in self.ask(internal("entity-argument", entity=iri)).to_dicts():
            claim = claims.setdefault(
                str(row["claim"]),
                {"claim": str(row["claim"]), "label": str(row.get("claimLabel") or ""), "out": [], "in": []},
            )
            claim[str(row["direction"])].append(
                {"words": str(row["words"]), "other": str(row["other"]), "label": str(row.get("otherLabel") or "")}
            )
        return list(claims.values())

    def not_found(self, text: str) -> Response:
        needle = re.sub(r"[-_]+", " ", text).strip()
        suggestions = self.suggestions(needle)
        return self.html("not_found.html", 404, title="Not found", text=text, needle=needle, suggestions=suggestions)

    def suggestions(self, needle: str, limit: int = 20) -> list[tuple[str, str]]:
        """(label, page) for entities whose label contains ``needle`` or one of its words.

        Bounded work whatever the request: the needle is cut to ``MAX_NEEDLE`` characters and at most
        ``MAX_WORDS`` of its words are looked up (a 60 KB URL once cost a second per request).
        """
        needle = needle[:MAX_NEEDLE]
        found = list(self.kg.find(needle)) if needle else []
        if not found:
            for word in sorted(set(needle.split()), key=len, reverse=True)[:MAX_WORDS]:
                if len(word) > 2:
                    found.extend(self.kg.find(word))
        pages = []
        for iri in dict.fromkeys(found):
            page = entity_page(iri)
            if page:
                pages.append((self.kg.resolver.label(str(iri)), page))
        return sorted(set(pages))[:limit]

    async def search(self, request: Request) -> Response:
        from starlette.concurrency import run_in_threadpool
        from starlette.responses import RedirectResponse

        needle = request.query_params.get("q", "").strip()[:MAX_NEEDLE]
        results = await run_in_threadpool(self.suggestions, needle, 100) if needle else []  # off the event loop
        if len(results) == 1:
            return RedirectResponse(results[0][1], status_code=303)
        return self.html("search.html", title="Search", needle=needle, results=results)

    # --- ontology -----------------------------------------------------------------------------------
    async def ontology(self, request: Request) -> Response:
        from starlette.concurrency import run_in_threadpool
        from starlette.responses import Response

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
        return await self.ontology_docs()

    # --- /query page ----------------------------------------------------------------------------------
    async def query_page(self, request: Request) -> Response:
        from starlette.concurrency import run_in_threadpool

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
                bound = {}
                if named:
                    for key, raw in values.items():
                        if raw:
                            bound[key] = await run_in_threadpool(self.kg.resolve, named.parameter(key), raw)
                    missing = [p.name for p in named.parameters if p.required and p.name not in bound]
                    if missing and text == named.sparql:
                        raise QueryError(f"query {name!r} needs parameter {missing[0]!r}")
                # The workers predeclare the prefixes: the text stays the user's own, and so do error positions.
                query = BoundQuery(text, freeze(bound), name if named and text == named.sparql else "")
                # A text the client wrote or edited runs where /sparql's queries run, never on the lane
                # that keeps pages and the API answering.
                lane = "api" if query.name else "any"
                result, truncated = await run_in_threadpool(partial(self.ask_capped, query, lane=lane))
                context.update(result=result, truncated=truncated, sparql_final=query.text)
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
