"""``/reconcile``: the W3C Entity Reconciliation API, version 0.2 (what OpenRefine 3.x speaks).

A spreadsheet column of names ("Thatcher", "Cabinet Office", "special advisers") is matched against
the graph's entities. Candidates come from the label index the CLI resolves parameter values with
(``westminster_kg.resolve``: labels, ``skos:prefLabel`` and ``skos:altLabel``, in memory); each is
scored 0..100 by how alike the names are (``link.labels``), restricted by type and by ``properties``.

Endpoints (https://reconciliation-api.github.io/specs/0.2/):

* ``GET /reconcile``: the service manifest; ``GET|POST /reconcile`` with ``queries=`` (JSON): a batch.
* ``GET /reconcile/preview?id=SLUG``: a small HTML card (label, types, definition, external ids).
* ``GET /reconcile/suggest/{entity,type,property}?prefix=...``: auto-completion.

Nothing a client sends becomes query text: a batch is checked field by field first (``parse_batch``:
a type or property id must be one of the service's own, a limit a whole number from 1 to 100), and the
graph is then asked through fixed queries (``queries/internal/reconcile-*.rq``) with the candidates and
properties bound as terms, in the query workers, within the time limit counted from the request's
arrival. A batch is answered ``CHUNK`` queries at a time and stops when the client goes away.
Malformed, empty or oversized requests get 400 with ``{"error": "..."}`` naming the field.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from rdflib import URIRef
from rdflib.namespace import RDFS, SKOS

from westminster_kg.bound import internal
from westminster_kg.link.labels import label_similarity, normalise_label, organisation_key
from westminster_kg.link.linkset import scheme_of
from westminster_kg.namespaces import PREFIXES, WM, WMR, curie
from westminster_kg.resolve import normalise, words
from westminster_kg.web.base import Handlers, external_href

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

MAX_QUERIES = 100  # per batch: OpenRefine sends 10 at a time by default
MAX_QUERY_CHARS = 500
MAX_LIMIT = 100
MAX_PROPERTIES = 10  # per query
MAX_PROPERTY_VALUES = 20  # per property
MAX_CANDIDATES = 200  # per query, before scoring
MAX_WORDS = 8  # words of a query looked up one by one when the whole finds nothing
CHUNK = 10  # queries answered between two looks at whether the client is still there
SPEC = "0.2"
_SLUG = r"[A-Za-z0-9._~-]{1,200}"


class ReconcileError(ValueError):
    """A request the API cannot answer: 400 with this message."""


@dataclass(frozen=True)
class Term:
    """A class or property the service offers: its IRI, label and definition."""

    iri: URIRef
    label: str
    definition: str


@dataclass(frozen=True)
class Vocabulary:
    """The types and properties the service offers (from the ontology and the data), by IRI."""

    classes: dict[URIRef, Term]
    properties: dict[URIRef, Term]


@dataclass(frozen=True)
class ReconcileQuery:
    """One query of a batch, checked: its text, the types and property values it asks for, its limit."""

    key: str
    text: str
    types: frozenset[URIRef]
    properties: tuple[tuple[URIRef, frozenset[str]], ...]  # (property, normalised values wanted)
    limit: int


def _expand(field: str, value: Any, known: dict[URIRef, Term] | None) -> URIRef:
    """``wm:Department`` or a full IRI, one of ``known`` (when given); else ``ReconcileError`` naming ``field``."""
    if not isinstance(value, str):
        raise ReconcileError(f"{field}: an id is a string such as 'wm:Department', not {json.dumps(value)[:60]}")
    text = value.strip()
    if text.startswith(("http://", "https://", "urn:")):
        iri = URIRef(text)
    else:
        prefix, sep, local = text.partition(":")
        if not (sep and prefix in PREFIXES):
            raise ReconcileError(
                f"{field}: {text[:100]!r} is not a known CURIE or IRI (prefixes: {', '.join(sorted(PREFIXES))})"
            )
        iri = URIRef(PREFIXES[prefix] + local)
    if known is not None and iri not in known:
        kind = "property" if field.endswith("pid") else "type"
        raise ReconcileError(
            f"{field}: {text[:100]!r} is not a {kind} of this service (/reconcile/suggest/{kind}?prefix=... lists them)"
        )
    return iri


def _wanted_values(field: str, value: Any) -> frozenset[str]:
    """A property's wanted values (a string, number, ``{"id": ...}`` or a list of them), normalised."""
    items = value if isinstance(value, list) else [value]
    if not items or len(items) > MAX_PROPERTY_VALUES:
        raise ReconcileError(f"{field}: one to {MAX_PROPERTY_VALUES} values")
    wanted = set()
    for item in items:
        if isinstance(item, dict):
            item = item.get("id")
        if isinstance(item, bool) or not isinstance(item, str | int | float) or len(str(item)) > MAX_QUERY_CHARS:
            raise ReconcileError(f'{field}: a value is a string, a number or {{"id": "..."}} of at most 500 characters')
        wanted.add(normalise_label(str(item)))
    return frozenset(wanted)


def _limit(field: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise ReconcileError(f"{field}: a whole number from 1 to {MAX_LIMIT}")
    if not 1 <= value <= MAX_LIMIT:
        raise ReconcileError(f"{field}: a whole number from 1 to {MAX_LIMIT}, not {value}")
    return int(value)


def parse_query(key: str, query: Any, vocabulary: Vocabulary | None = None) -> ReconcileQuery:
    """One query of a batch, checked field by field (``vocabulary``: the type and property ids allowed)."""
    where = f"queries.{key}"
    if not isinstance(query, dict):
        raise ReconcileError(f"{where}: expected an object with a query string")
    text = query.get("query")
    if not isinstance(text, str) or not text.strip():
        raise ReconcileError(f"{where}.query: a non-empty string is required")
    if len(text) > MAX_QUERY_CHARS:
        raise ReconcileError(f"{where}.query: {len(text)} characters; at most {MAX_QUERY_CHARS}")
    kinds = query.get("type")
    if kinds is not None and not isinstance(kinds, str | list):
        raise ReconcileError(f"{where}.type: a type id or a list of them")
    kinds = [kinds] if isinstance(kinds, str) else kinds or []
    classes = vocabulary.classes if vocabulary else None
    types = frozenset(_expand(f"{where}.type[{i}]", t, classes) for i, t in enumerate(kinds[:MAX_PROPERTIES]))
    properties = query.get("properties", [])
    if not isinstance(properties, list) or len(properties) > MAX_PROPERTIES:
        raise ReconcileError(f'{where}.properties: a list of at most {MAX_PROPERTIES} {{"pid": ..., "v": ...}}')
    checked = []
    for i, item in enumerate(properties):
        if not isinstance(item, dict) or "pid" not in item or "v" not in item:
            raise ReconcileError(f'{where}.properties[{i}]: an object {{"pid": ..., "v": ...}}')
        pid = _expand(f"{where}.properties[{i}].pid", item["pid"], vocabulary.properties if vocabulary else None)
        checked.append((pid, _wanted_values(f"{where}.properties[{i}].v", item["v"])))
    limit = _limit(f"{where}.limit", query.get("limit", 10))
    return ReconcileQuery(key, text.strip(), types, tuple(checked), limit)


def parse_batch(raw: str, vocabulary: Vocabulary | None = None) -> list[ReconcileQuery]:
    """The ``queries`` parameter, checked: a JSON object of at most ``MAX_QUERIES`` queries."""
    if not raw.strip():
        raise ReconcileError('queries is empty: send a JSON object such as {"q0": {"query": "Cabinet Office"}}')
    try:
        batch = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ReconcileError(f"queries is not JSON: {exc.msg} (character {exc.pos})") from None
    except RecursionError:
        raise ReconcileError("queries nests too deeply to be a batch of queries") from None
    if not isinstance(batch, dict) or not batch:
        raise ReconcileError("queries must be a non-empty JSON object of named queries")
    if len(batch) > MAX_QUERIES:
        raise ReconcileError(f"queries holds {len(batch)} queries; at most {MAX_QUERIES} per batch")
    return [parse_query(str(key), query, vocabulary) for key, query in batch.items()]


def _slug(iri: Any) -> str:
    return str(iri)[len(str(WMR)) :]


class Reconcile(Handlers):
    """The reconciliation service's handlers (mixed into the web app)."""

    _vocabulary: tuple[int, Vocabulary] | None = None

    # --- what the graph offers -------------------------------------------------------------------
    def vocabulary(self) -> Vocabulary:
        """The classes and properties the service offers, read once per generation of the data."""
        kept = self._vocabulary
        if kept is not None and kept[0] == self.generation:
            return kept[1]
        generation = self.generation
        classes: dict[URIRef, Term] = {}
        for iri, label, definition in self.ask(internal("reconcile-types")).rows:
            classes.setdefault(iri, Term(iri, str(label or curie(str(iri))), str(definition or "")))
        properties: dict[URIRef, Term] = {}
        for iri, label, definition in self.ask(internal("reconcile-properties")).rows:
            properties.setdefault(iri, Term(iri, str(label or curie(str(iri))), str(definition or "")))
        properties[RDFS.label] = Term(RDFS.label, "label", "The entity's name")
        properties[SKOS.altLabel] = Term(SKOS.altLabel, "other name", "Another name the entity is known by")
        vocabulary = Vocabulary(classes, properties)
        self._vocabulary = (generation, vocabulary)
        return vocabulary

    def lookup(self, text: str, *, limit: int = MAX_CANDIDATES) -> list[str]:
        """Our entities named ``text``: the CLI's resolver first, then any label containing the text,
        then any label containing one of its words (all in memory, bounded by ``limit``)."""
        resolver = self.kg.resolver
        found = [str(iri) for iri in resolver.find(text) if str(iri).startswith(str(WMR))]
        if not found:
            found = self.containing(text, limit=limit)
        if not found:
            for word in sorted(words(normalise(text)), key=len, reverse=True)[:MAX_WORDS]:
                if len(word) > 2:
                    found.extend(self.containing(word, limit=limit))
        return list(dict.fromkeys(found))[:limit]

    def containing(self, text: str, *, limit: int = 25) -> list[str]:
        """Our entities with a label containing ``text`` (as labels are compared: case, accents folded)."""
        needle = normalise(text)
        if not needle:
            return []
        found = {
            iri
            for name, iris in self.kg.resolver.by_name.items()
            if needle in name
            for iri in iris
            if iri.startswith(str(WMR))
        }
        return sorted(found)[:limit]

    def details(self, entities: list[str], deadline: float | None = None) -> dict[str, dict[str, list[Any]]]:
        """Types, names and definitions of ``entities``, from one bound query."""
        found: dict[str, dict[str, list[Any]]] = {e: {"type": [], "name": [], "definition": []} for e in entities}
        if entities:
            query = internal("reconcile-candidates", entity=[URIRef(e) for e in entities])
            for entity, what, value in self.ask(query, deadline=deadline).rows:
                found[str(entity)][str(what)].append(value)
        return found

    def property_values(self, entities: list[str], prop: URIRef, deadline: float | None = None) -> dict[str, set[str]]:
        """Normalised values of ``prop`` on each of ``entities``: literals, and slugs and labels of resources."""
        values: dict[str, set[str]] = {e: set() for e in entities}
        if not entities:
            return values
        query = internal("reconcile-values", entity=[URIRef(e) for e in entities], property=prop)
        for entity, value, label in self.ask(query, deadline=deadline).rows:
            text = _slug(value) if str(value).startswith(str(WMR)) else str(value)
            values[str(entity)].add(normalise_label(text))
            if label is not None:
                values[str(entity)].add(normalise_label(str(label)))
        return values

    def external_ids(self, iri: URIRef) -> list[tuple[str, str, str]]:
        """(scheme title, identifier, web link or "") of the entity's links to Wikidata, GOV.UK, Parliament, IfG."""
        found = []
        for (target,) in self.ask(internal("reconcile-external-ids", entity=iri)).rows:
            scheme = scheme_of(str(target))
            if scheme is None:
                continue
            match = scheme.pattern.match(str(target))
            ident = match.group(1) if match else str(target)
            link = f"https://www.wikidata.org/wiki/{ident}" if scheme.name == "wikidata" else str(target)
            found.append((scheme.title, ident, external_href(link)))
        return sorted(set(found))

    # --- matching --------------------------------------------------------------------------------
    def answer_chunk(self, queries: list[ReconcileQuery], deadline: float) -> dict[str, dict[str, Any]]:
        """Candidates for a few queries, best first: one query for their details, one per property."""
        candidates = {q.key: self.lookup(q.text) for q in queries}
        details = self.details(sorted({e for found in candidates.values() for e in found}), deadline)
        wanted: dict[URIRef, set[str]] = {}  # property -> candidates of the queries that ask for it
        for query in queries:
            for prop, _ in query.properties:
                wanted.setdefault(prop, set()).update(candidates[query.key])
        values = {prop: self.property_values(sorted(found), prop, deadline) for prop, found in wanted.items()}
        classes = self.vocabulary().classes
        answer = {}
        for query in queries:
            results = []
            for iri in candidates[query.key]:
                facts = details[iri]
                types = sorted(set(facts["type"]), key=str)
                if query.types and not query.types & set(types):
                    continue
                if not all(values[prop][iri] & wanted_values for prop, wanted_values in query.properties):
                    continue
                results.append(self._scored(query.text, iri, facts, types, classes))
            results.sort(key=lambda r: (-r["score"], r["name"]))
            exact = [r for r in results if r["match"]]
            if len(exact) > 1:  # two entities of the same name: neither is certain
                for r in exact:
                    r["match"] = False
            answer[query.key] = {"result": results[: query.limit]}
        return answer

    def _scored(
        self, text: str, iri: str, facts: dict[str, list[Any]], types: list[Any], classes: dict[URIRef, Term]
    ) -> dict[str, Any]:
        names = [str(name) for name in facts["name"]]
        score = max((label_similarity(text, name) for name in names), default=0.0)
        if any(organisation_key(text) == organisation_key(name) for name in names):
            score = max(score, 0.97)  # "Her Majesty's Treasury" is "HM Treasury", as in link candidates
        exact = any(normalise_label(text) == normalise_label(name) for name in names)
        definition = str(facts["definition"][0]) if facts["definition"] else ""
        return {
            "id": _slug(iri),
            "name": self.kg.resolver.label(iri),
            "description": definition if len(definition) <= 200 else definition[:197] + "...",
            "score": 100.0 if exact else round(score * 100, 1),
            "match": exact,
            "type": [{"id": curie(str(t)), "name": classes[t].label if t in classes else curie(str(t))} for t in types],
        }

    # --- handlers ----------------------------------------------------------------------------------
    def error(self, message: str, status: int = 400) -> Response:
        from starlette.responses import JSONResponse

        return JSONResponse({"error": message, "status": status}, status_code=status)

    def manifest(self, request: Request) -> dict[str, Any]:
        """The service manifest (0.2): names, id spaces, view, preview, suggest and default types."""
        base = self.public_url(request, "")
        defaults = ("wm:Department", "foaf:Person", "wm:Reform", "wm:Government", "wm:Convention")
        labels = {curie(str(c)): term.label for c, term in self.vocabulary().classes.items()}
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

    async def _batch_text(self, request: Request) -> str | None:
        """The ``queries`` parameter of a GET or POST (``None``: a GET without it, the manifest)."""
        raw: str | None = request.query_params.get("queries")
        if request.method != "POST":
            return raw
        body = (await self.read_body(request)).decode("utf-8", "replace")
        if "application/json" in request.headers.get("content-type", ""):
            return body
        values = parse_qs(body, keep_blank_values=True).get("queries")
        if not values:
            raise ReconcileError("POST /reconcile needs a form field queries= (a JSON object of queries)")
        return values[0]

    async def reconcile(self, request: Request) -> Response:
        """``GET /reconcile`` (manifest, or ``?queries=``) and ``POST /reconcile`` (form ``queries=``)."""
        from starlette.concurrency import run_in_threadpool
        from starlette.responses import JSONResponse, Response

        from westminster_kg.errors import StoreError, WmkgError
        from westminster_kg.web.base import BodyTooLargeError
        from westminster_kg.web.workers import QueryTimeoutError, WorkerLimitError

        deadline = (getattr(request.state, "arrived", None) or time.monotonic()) + self.settings.query_timeout
        try:
            raw = await self._batch_text(request)
            if raw is None:
                return JSONResponse(await run_in_threadpool(self.manifest, request))
            queries = parse_batch(raw, await run_in_threadpool(self.vocabulary))
            answer: dict[str, Any] = {}
            for start in range(0, len(queries), CHUNK):
                if await request.is_disconnected():  # nobody is waiting for the rest
                    return Response(status_code=499)
                answer.update(await run_in_threadpool(self.answer_chunk, queries[start : start + CHUNK], deadline))
        except ReconcileError as exc:
            return self.error(str(exc))
        except BodyTooLargeError as exc:
            return self.error(str(exc), 413)
        except (QueryTimeoutError, WorkerLimitError) as exc:
            return self.error(str(exc), 503)
        except WmkgError as exc:  # a worker that died (500), or a query the engine refused (400)
            return self.error(str(exc), 500 if isinstance(exc, StoreError) else 400)
        return JSONResponse(answer)

    async def reconcile_preview(self, request: Request) -> Response:
        """A small HTML card for one entity, with its external ids as links."""
        import re

        from starlette.concurrency import run_in_threadpool
        from starlette.responses import HTMLResponse

        slug = request.query_params.get("id", "").strip()
        if not re.fullmatch(_SLUG, slug):
            return self.error("preview needs ?id=SLUG (an id from a reconciliation result: letters, digits, -._~)")
        iri = str(WMR) + slug
        facts = (await run_in_threadpool(self.details, [iri]))[iri]
        if not facts["type"]:
            return self.error(f"no entity {slug!r}", 404)
        ids = await run_in_threadpool(self.external_ids, URIRef(iri))
        from westminster_kg.view.templates import environment

        page = (
            environment()
            .get_template("reconcile_preview.html")
            .render(
                iri=iri,
                label=self.kg.resolver.label(iri),
                types=sorted(curie(str(t)) for t in set(facts["type"])),
                definition=str(facts["definition"][0]) if facts["definition"] else "",
                ids=ids,
            )
        )
        return HTMLResponse(page)

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
            details = await run_in_threadpool(self.details, found)
            result = []
            for iri in found:
                definition = str(details[iri]["definition"][0]) if details[iri]["definition"] else ""
                result.append({"id": _slug(iri), "name": self.kg.resolver.label(iri), "description": definition})
        elif kind in ("type", "property"):
            vocabulary = await run_in_threadpool(self.vocabulary)
            terms = (vocabulary.classes if kind == "type" else vocabulary.properties).values()
            result = [
                {"id": curie(str(t.iri)), "name": t.label, **({"description": t.definition} if t.definition else {})}
                for t in sorted(terms, key=lambda t: curie(str(t.iri)))
                if needle in normalise_label(t.label) or needle in normalise_label(curie(str(t.iri)))
            ][:25]
        else:
            return self.error(f"no suggest service {kind!r}: use entity, type or property", 404)
        return JSONResponse({"result": result})


__all__ = ["MAX_QUERIES", "Reconcile", "ReconcileError", "ReconcileQuery", "parse_batch", "parse_query"]
