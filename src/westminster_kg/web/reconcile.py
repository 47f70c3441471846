"""``/reconcile``: the W3C Entity Reconciliation API, version 0.2 (what OpenRefine 3.x speaks).

A spreadsheet column of names ("Thatcher", "Cabinet Office", "special advisers") is matched against
the graph's entities. Candidates come from ``KnowledgeGraph.find``, the same label look-up the CLI
resolves parameter values with (labels, ``skos:prefLabel`` and ``skos:altLabel``); each is scored
0..100 by how alike the names are (``link.labels``), restricted by type and by ``properties``.

Endpoints (https://reconciliation-api.github.io/specs/0.2/):

* ``GET /reconcile``: the service manifest; ``GET|POST /reconcile`` with ``queries=`` (JSON): a batch.
* ``GET /reconcile/preview?id=SLUG``: a small HTML card (label, types, definition, external ids).
* ``GET /reconcile/suggest/{entity,type,property}?prefix=...``: auto-completion.

Entity ids are ``wmr:`` slugs (``cabinet-office``); the view URL is the entity's ``/id/`` page.
Type and property ids are CURIEs (``wm:Department``, ``foaf:Person``, ``wm:introducedBy``).
Malformed, empty or oversized requests get 400 with ``{"error": "..."}``.
"""

from __future__ import annotations

import html
import json
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDFS, SKOS

from westminster_kg.internal_queries import internal_query
from westminster_kg.link.labels import label_similarity, normalise_label, organisation_key
from westminster_kg.link.linkset import scheme_of
from westminster_kg.namespaces import PREFIXES, WM, WMR, curie
from westminster_kg.web.base import WebBase, external_href

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

MAX_QUERIES = 100  # per batch: OpenRefine sends 10 at a time by default
MAX_QUERY_CHARS = 500
MAX_LIMIT = 100
SPEC = "0.2"
_LINKS = (OWL.sameAs, SKOS.exactMatch, SKOS.closeMatch)


class ReconcileError(ValueError):
    """A request the API cannot answer: 400 with this message."""


def _expand(curie_or_iri: str) -> URIRef:
    """``wm:Department`` or a full IRI as an IRI; an unknown prefix raises ``ReconcileError``."""
    text = curie_or_iri.strip()
    if text.startswith(("http://", "https://", "urn:")):
        return URIRef(text)
    prefix, sep, local = text.partition(":")
    if sep and prefix in PREFIXES:
        return URIRef(PREFIXES[prefix] + local)
    raise ReconcileError(f"{text!r} is not a known CURIE or IRI (prefixes: {', '.join(sorted(PREFIXES))})")


def _entity(slug: str) -> URIRef:
    text = slug.strip()
    return URIRef(text) if text.startswith(str(WMR)) else WMR[text]


def _slug(iri: Any) -> str:
    return str(iri)[len(str(WMR)) :]


def parse_batch(raw: str) -> dict[str, dict[str, Any]]:
    """The ``queries`` parameter, checked: a JSON object of at most ``MAX_QUERIES`` queries."""
    if not raw.strip():
        raise ReconcileError('queries is empty: send a JSON object such as {"q0": {"query": "Cabinet Office"}}')
    try:
        batch = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ReconcileError(f"queries is not JSON: {exc.msg} (character {exc.pos})") from None
    if not isinstance(batch, dict) or not batch:
        raise ReconcileError("queries must be a non-empty JSON object of named queries")
    if len(batch) > MAX_QUERIES:
        raise ReconcileError(f"queries holds {len(batch)} queries; at most {MAX_QUERIES} per batch")
    for key, query in batch.items():
        if not isinstance(query, dict):
            raise ReconcileError(f"queries.{key}: expected an object with a query string")
        text = query.get("query")
        if not isinstance(text, str) or not text.strip():
            raise ReconcileError(f"queries.{key}.query: a non-empty string is required")
        if len(text) > MAX_QUERY_CHARS:
            raise ReconcileError(f"queries.{key}.query: {len(text)} characters; at most {MAX_QUERY_CHARS}")
        limit = query.get("limit", 10)
        if isinstance(limit, bool) or not isinstance(limit, int | float) or not 0 < limit <= MAX_LIMIT:
            raise ReconcileError(f"queries.{key}.limit: a number from 1 to {MAX_LIMIT}")
        kinds = query.get("type")
        if kinds is not None and not isinstance(kinds, str | list):
            raise ReconcileError(f"queries.{key}.type: a type id or a list of them")
        properties = query.get("properties", [])
        if not isinstance(properties, list) or not all(
            isinstance(p, dict) and isinstance(p.get("pid"), str) and "v" in p for p in properties
        ):
            raise ReconcileError(f'queries.{key}.properties: a list of {{"pid": ..., "v": ...}}')
    return batch


class Reconcile(WebBase):
    """The reconciliation service's handlers (mixed into the web app)."""

    # --- what the graph offers -------------------------------------------------------------------
    def _types_of(self, iri: URIRef) -> list[URIRef]:
        return sorted({row[0] for row in self.kg.store.query(f"SELECT ?t WHERE {{ <{iri}> a ?t }}").rows})

    def _classes(self) -> list[tuple[URIRef, str, str]]:
        """(class, label, definition) of every class in the ontology, and of every class in use."""
        rows = self.kg.store.query(internal_query("reconcile-types")).rows
        found: dict[URIRef, tuple[URIRef, str, str]] = {}
        for cls, label, definition in rows:
            found.setdefault(cls, (cls, str(label or curie(str(cls))), str(definition or "")))
        return sorted(found.values(), key=lambda t: curie(str(t[0])))

    def _properties(self) -> list[tuple[URIRef, str, str]]:
        rows = self.kg.store.query(internal_query("reconcile-properties")).rows
        found: dict[URIRef, tuple[URIRef, str, str]] = {}
        for prop, label, definition in rows:
            found.setdefault(prop, (prop, str(label or curie(str(prop))), str(definition or "")))
        found[RDFS.label] = (RDFS.label, "label", "The entity's name")
        found[SKOS.altLabel] = (SKOS.altLabel, "other name", "Another name the entity is known by")
        return sorted(found.values(), key=lambda t: curie(str(t[0])))

    def _values(self, iri: URIRef, prop: URIRef) -> set[str]:
        """Normalised values of ``prop`` on ``iri``: literals, and slugs and labels of resources."""
        rows = self.kg.store.query(
            f"SELECT ?o ?l WHERE {{ <{iri}> <{prop}> ?o OPTIONAL {{ ?o <{RDFS.label}>|<{SKOS.altLabel}> ?l }} }}"
        ).rows
        values = set()
        for value, label in rows:
            values.add(
                normalise_label(_slug(value)) if str(value).startswith(str(WMR)) else normalise_label(str(value))
            )
            if label is not None:
                values.add(normalise_label(str(label)))
        return values

    def external_ids(self, iri: URIRef) -> list[tuple[str, str, str]]:
        """(scheme title, identifier, web link or "") of the entity's links to Wikidata, GOV.UK, Parliament, IfG."""
        rows = self.kg.store.query(
            f"SELECT ?o WHERE {{ <{iri}> ?p ?o VALUES ?p {{ {' '.join(f'<{p}>' for p in _LINKS)} }} }}"
        ).rows
        found = []
        for (target,) in rows:
            scheme = scheme_of(str(target))
            if scheme is None:
                continue
            match = scheme.pattern.match(str(target))
            ident = match.group(1) if match else str(target)
            link = str(target)
            if scheme.name == "wikidata":
                link = f"https://www.wikidata.org/wiki/{ident}"
            found.append((scheme.title, ident, external_href(link)))
        return sorted(set(found))

    # --- matching --------------------------------------------------------------------------------
    def reconcile_one(self, query: dict[str, Any]) -> list[dict[str, Any]]:
        """Candidates for one query, best first: ``{id, name, description, score, match, type}``."""
        text = str(query["query"]).strip()
        wanted = query.get("type")
        types = {_expand(t) for t in ([wanted] if isinstance(wanted, str) else wanted or [])}
        properties = [(_expand(p["pid"]), p["v"]) for p in query.get("properties", [])]
        found = self.lookup(text)
        class_names = {c: label for c, label, _ in self._classes()}
        results = []
        for iri in dict.fromkeys(found):
            if not str(iri).startswith(str(WMR)):
                continue  # imports' resources have no page of ours
            its_types = self._types_of(iri)
            if types and not types & set(its_types):
                continue
            if not all(self._has_value(iri, prop, value) for prop, value in properties):
                continue
            names = [
                str(row[0])
                for row in self.kg.store.query(
                    f"SELECT ?l WHERE {{ <{iri}> <{RDFS.label}>|<{SKOS.prefLabel}>|<{SKOS.altLabel}> ?l }}"
                ).rows
            ]
            score = max((label_similarity(text, name) for name in names), default=0.0)
            if any(organisation_key(text) == organisation_key(name) for name in names):
                score = max(score, 0.97)  # "Her Majesty's Treasury" is "HM Treasury", as in link candidates
            exact = any(normalise_label(text) == normalise_label(name) for name in names)
            results.append(
                {
                    "id": _slug(iri),
                    "name": self.kg.label(iri),
                    "description": self._description(iri),
                    "score": 100.0 if exact else round(score * 100, 1),
                    "match": exact,
                    "type": [{"id": curie(str(t)), "name": class_names.get(t, curie(str(t)))} for t in its_types],
                }
            )
        results.sort(key=lambda r: (-r["score"], r["name"]))
        exact_ones = [r for r in results if r["match"]]
        if len(exact_ones) > 1:  # two entities of the same name: neither is certain
            for r in exact_ones:
                r["match"] = False
        return results[: int(query.get("limit", 10))]

    def lookup(self, text: str, *, limit: int = 200) -> list[URIRef]:
        """Our entities named ``text``: the CLI's resolver (``KnowledgeGraph.find``) first, then any
        label containing the text, then any label containing one of its words."""
        found = [iri for iri in self.kg.find(text) if str(iri).startswith(str(WMR))]
        if found:
            return found
        found = self.containing(text, limit=limit)
        if not found:
            for word in sorted(set(text.split()), key=len, reverse=True):
                if len(word) > 2:
                    found.extend(self.containing(word, limit=limit))
        return list(dict.fromkeys(found))

    def containing(self, text: str, *, limit: int = 200) -> list[URIRef]:
        """Our entities with a label containing ``text`` (case-insensitive)."""
        needle = Literal(text.lower()).n3()  # LCASE in SPARQL is lower(), not casefold()
        rows = self.kg.store.query(
            f"SELECT DISTINCT ?e WHERE {{ ?e <{RDFS.label}>|<{SKOS.prefLabel}>|<{SKOS.altLabel}> ?l "
            f'FILTER(STRSTARTS(STR(?e), "{WMR}") && CONTAINS(LCASE(STR(?l)), {needle})) }} ORDER BY ?e LIMIT {limit}'
        ).rows
        return [row[0] for row in rows]

    def _has_value(self, iri: URIRef, prop: URIRef, wanted: Any) -> bool:
        values = self._values(iri, prop)
        for item in wanted if isinstance(wanted, list) else [wanted]:
            text = item.get("id", "") if isinstance(item, dict) else str(item)
            if normalise_label(str(text)) in values:
                return True
        return False

    def _description(self, iri: URIRef) -> str:
        rows = self.kg.store.query(f"SELECT ?d WHERE {{ <{iri}> <{SKOS.definition}> ?d }}").rows
        text = str(rows[0][0]) if rows else ""
        return text if len(text) <= 200 else text[:197] + "..."

    # --- handlers ----------------------------------------------------------------------------------
    def error(self, message: str, status: int = 400) -> Response:
        from starlette.responses import JSONResponse

        return JSONResponse({"error": message, "status": status}, status_code=status)

    def manifest(self, request: Request) -> dict[str, Any]:
        """The service manifest (0.2): names, id spaces, view, preview, suggest and default types."""
        base = str(request.base_url).rstrip("/")
        defaults = ("wm:Department", "foaf:Person", "wm:Reform", "wm:Government", "wm:Convention")
        labels = {curie(str(c)): label for c, label, _ in self._classes()}
        return {
            "versions": [SPEC],
            "name": "Westminster KG (entities of 'The Westminster model' article)",
            "identifierSpace": str(WMR),
            "schemaSpace": str(WM),
            "view": {"url": f"{base}/id/{{{{id}}}}"},
            "preview": {"url": f"{base}/reconcile/preview?id={{{{id}}}}", "width": 400, "height": 200},
            "defaultTypes": [{"id": t, "name": labels.get(t, t)} for t in defaults if t in labels],
            "suggest": {
                "entity": {"service_url": base, "service_path": "/reconcile/suggest/entity"},
                "type": {"service_url": base, "service_path": "/reconcile/suggest/type"},
                "property": {"service_url": base, "service_path": "/reconcile/suggest/property"},
            },
        }

    async def reconcile(self, request: Request) -> Response:
        """``GET /reconcile`` (manifest, or ``?queries=``) and ``POST /reconcile`` (form ``queries=``)."""
        from starlette.concurrency import run_in_threadpool
        from starlette.responses import JSONResponse

        from westminster_kg.web.base import BodyTooLargeError

        raw: str | None = request.query_params.get("queries")
        if request.method == "POST":
            try:
                body = (await self.read_body(request)).decode("utf-8", "replace")
            except BodyTooLargeError as exc:
                return self.error(str(exc), 413)
            kind = request.headers.get("content-type", "")
            if "application/json" in kind:
                raw = body
            else:
                values = parse_qs(body, keep_blank_values=True).get("queries")
                raw = values[0] if values else None
            if raw is None:
                return self.error("POST /reconcile needs a form field queries= (a JSON object of queries)")
        if raw is None:
            return JSONResponse(await run_in_threadpool(self.manifest, request))
        try:
            batch = parse_batch(raw)
            answer = await run_in_threadpool(lambda: {k: {"result": self.reconcile_one(q)} for k, q in batch.items()})
        except ReconcileError as exc:
            return self.error(str(exc))
        return JSONResponse(answer)

    async def reconcile_preview(self, request: Request) -> Response:
        """A small HTML card for one entity, with its external ids as links."""
        from starlette.concurrency import run_in_threadpool
        from starlette.responses import HTMLResponse

        slug = request.query_params.get("id", "").strip()
        if not slug or len(slug) > MAX_QUERY_CHARS:
            return self.error("preview needs ?id=SLUG (an id from a reconciliation result)")
        iri = _entity(slug)
        types = await run_in_threadpool(self._types_of, iri)
        if not types:
            return self.error(f"no entity {slug!r}", 404)
        label, description = self.kg.label(iri), self._description(iri)
        ids = await run_in_threadpool(self.external_ids, iri)
        parts = [
            '<div class="wmkg-preview" style="font-family:sans-serif;font-size:0.9em">',
            f'<a href="/id/{html.escape(_slug(iri))}" target="_blank"><b>{html.escape(label)}</b></a>',
            f"<div>{html.escape(', '.join(curie(str(t)) for t in types))}</div>",
        ]
        if description:
            parts.append(f"<p>{html.escape(description)}</p>")
        if ids:
            parts.append("<ul>")
            for title, ident, link in ids:
                shown = html.escape(ident)
                item = f'<a href="{html.escape(link)}" target="_blank">{shown}</a>' if link else shown
                parts.append(f"<li>{html.escape(title)}: {item}</li>")
            parts.append("</ul>")
        parts.append("</div>")
        return HTMLResponse("".join(parts))

    async def reconcile_suggest(self, request: Request) -> Response:
        """``/reconcile/suggest/{entity,type,property}?prefix=...``."""
        from starlette.concurrency import run_in_threadpool
        from starlette.responses import JSONResponse

        kind = request.path_params["kind"]
        prefix = request.query_params.get("prefix", "").strip()
        if not prefix or len(prefix) > MAX_QUERY_CHARS:
            return self.error(f"suggest needs ?prefix= (1 to {MAX_QUERY_CHARS} characters)")
        needle = normalise_label(prefix)
        if kind == "entity":
            found = await run_in_threadpool(self.containing, prefix, limit=25)
            result = [
                {"id": _slug(iri), "name": self.kg.label(iri), "description": self._description(iri)} for iri in found
            ]
        elif kind in ("type", "property"):
            terms = await run_in_threadpool(self._classes if kind == "type" else self._properties)
            result = [
                {"id": curie(str(term)), "name": label, **({"description": text} if text else {})}
                for term, label, text in terms
                if needle in normalise_label(label) or needle in normalise_label(curie(str(term)))
            ][:25]
        else:
            return self.error(f"no suggest service {kind!r}: use entity, type or property", 404)
        return JSONResponse({"result": result})


__all__ = ["MAX_QUERIES", "Reconcile", "ReconcileError", "parse_batch"]
