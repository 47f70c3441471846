"""The Python API: load the knowledge graph into a store, ask named or ad-hoc queries, export.

The CLI, the web app and notebooks all go through ``KnowledgeGraph``::

    kg = KnowledgeGraph.load()
    kg.query("reforms-eroding-conventions", government="Coalition").rows
"""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rdflib import Dataset, Literal, URIRef

from westminster_kg.catalogue import (
    NamedQuery,
    Parameter,
    PreparedQuery,
    bind,
    load_catalogue,
    parse_value,
)
from westminster_kg.errors import ParameterError, QueryError
from westminster_kg.internal_queries import internal_query
from westminster_kg.namespaces import PREFIXES, WM, curie, local_name
from westminster_kg.project import Project
from westminster_kg.resolve import Resolver
from westminster_kg.store import QueryResult, Store, open_store

# Each ``wmkg export -f`` name and the pyoxigraph writer of it (None: a projection of the network,
# not RDF). By name, as pyoxigraph is imported when used.
EXPORT_FORMATS = {
    "turtle": "TURTLE",
    "nt": "N_TRIPLES",
    "nquads": "N_QUADS",
    "trig": "TRIG",
    "jsonld": "JSON_LD",
    "graphml": None,
    "csv": None,
    "aif": None,
    "web-annotation": None,
    "nanopub": None,
    "bibtex": None,
    "csl-json": None,
}
# Formats that are a folder, not a file (``wmkg export -f ro-crate -o DIR``).
EXPORT_FOLDERS = {"ro-crate": "westminster_kg.scholarly.crate:write_crate"}


# The network projection and its view sit a layer above this API (they take a KnowledgeGraph).
# The methods that offer them here reach them by dotted path at call time, as the store registry
# reaches its backends, so this module never imports the layer above it.
PROJECTIONS = {
    "network": "westminster_kg.network:build_network",
    "graphml": "westminster_kg.network:to_graphml",
    "csv": "westminster_kg.network:to_edge_csv",
    "view": "westminster_kg.view:show_requested",
    "aif": "westminster_kg.argument:to_aif_json",
    "web-annotation": "westminster_kg.scholarly.annotations:to_web_annotation_json",
    "nanopub": "westminster_kg.scholarly.nanopubs:to_nanopub_trig",
    "bibtex": "westminster_kg.scholarly.references:to_bibtex",
    "csl-json": "westminster_kg.scholarly.references:to_csl_json",
}


def _projection(name: str) -> Any:
    module, _, attribute = (PROJECTIONS.get(name) or EXPORT_FOLDERS[name]).partition(":")
    return getattr(importlib.import_module(module), attribute)


class KnowledgeGraph:
    """The knowledge graph in one store, with its query catalogue."""

    def __init__(self, store: Store, project: Project) -> None:
        self.store = store
        self.project = project
        self._catalogue: dict[str, NamedQuery] | None = None
        self._resolver: Resolver | None = None

    @classmethod
    def load(
        cls,
        root: Path | str | None = None,
        *,
        backend: str = "oxigraph",
        store_dir: Path | str | None = None,
        endpoint: str | None = None,
        update_endpoint: str | None = None,
    ) -> KnowledgeGraph:
        """Load every source file into a new store.

        Args:
            root: the folder with ``ontology/``, ``graph/`` and ``queries/`` (default: this checkout).
            backend: ``oxigraph`` (default) or ``memory`` (rdflib, the reference).
            store_dir: keep the Oxigraph store on disk here (reopened without re-parsing while the
                files are unchanged).
            endpoint: a SPARQL 1.1 query endpoint to use instead of a local store. Without
                ``update_endpoint`` it is used as it is (read-only: the data must be there).
            update_endpoint: the SPARQL Update endpoint: the project's graphs are replaced there.

        Returns:
            The loaded knowledge graph.
        """
        project = Project.open(root)
        store = open_store(backend, store_dir, endpoint=endpoint, update_endpoint=update_endpoint)
        if endpoint is None or update_endpoint is not None:
            store.load(project.source_files(), project)
        return cls(store, project)

    # --- the catalogue ---------------------------------------------------------------------

    @property
    def catalogue(self) -> dict[str, NamedQuery]:
        """The named queries, by name."""
        if self._catalogue is None:
            self._catalogue = load_catalogue(self.project.queries_dir)
        return self._catalogue

    def named_query(self, name: str) -> NamedQuery:
        """The named query ``name``, or a ``QueryError`` that lists the known names."""
        try:
            return self.catalogue[name]
        except KeyError:
            import difflib

            # Names the typed text starts or is part of first ("reforms-erodin"), then look-alikes.
            close = [q for q in sorted(self.catalogue) if name and name in q]
            close += difflib.get_close_matches(name, list(self.catalogue), n=3, cutoff=0.6)
            close = list(dict.fromkeys(close))[:3]
            if close:
                guess = " or ".join(repr(q) for q in close)
                raise QueryError(
                    f"unknown query {name!r}; did you mean {guess}? (`wmkg queries` lists all {len(self.catalogue)})"
                ) from None
            known = ", ".join(sorted(self.catalogue)) or "(none)"
            raise QueryError(f"unknown query {name!r}; known queries: {known}") from None

    def query(self, name_or_sparql: str, **params: Any) -> QueryResult:
        """Run a named query (by name) or a SPARQL query (by text) with parameters.

        Args:
            name_or_sparql: a catalogue name such as ``reforms-eroding-conventions``, or SPARQL.
            **params: parameter values: an IRI, a ``wmr:`` slug or CURIE, a label, or a literal.

        Returns:
            The result, with rdflib terms.
        """
        text = name_or_sparql.strip()
        if "\n" not in text and " " not in text and not text.upper().startswith(("SELECT", "ASK")):
            prepared = self.prepare(self.named_query(text), params)
            result = prepared.finish(self.store.query(prepared.sparql))
        else:
            values = {k: self.resolve_value(k, v) for k, v in params.items() if v is not None}
            result = self.run(text, values)
        result.labels = self.resolver.labels
        return result

    def run(self, sparql: str, values: dict[str, URIRef | Literal] | None = None) -> QueryResult:
        """Run SPARQL text with pre-bound variables (the standard prefixes are predeclared)."""
        return self.store.query(bind(sparql, values or {}))

    def bind_parameters(self, named: NamedQuery, params: dict[str, Any]) -> dict[str, Any]:
        """Check and resolve parameter values for ``named`` into RDF terms (see ``prepare``)."""
        return self.prepare(named, params).values

    def prepare(self, named: NamedQuery, params: dict[str, Any]) -> PreparedQuery:
        """Resolve ``params`` for ``named``: the terms to bind, the filters to report, notes.

        A value must be of a kind the parameter declares (``ResolveError`` with the nearest values
        of the right kind otherwise). A government is bound together with the governments it is
        part of and those part of it (``Resolver.nest``), with a note that says so.

        Raises:
            ParameterError: an unknown or missing parameter, or a value that names nothing (or
                more than one thing, or something of another kind).
        """
        prepared = PreparedQuery(named)
        for key, raw in params.items():
            parameter = named.parameter(key)
            if raw is None or raw == "":
                continue
            # A term from Python code is not looked up by label, but is still checked for its kind.
            if isinstance(raw, URIRef) and parameter.takes and str(raw) in self.resolver.types:
                term: URIRef | Literal = self.resolver.resolve(str(raw), key, parameter.takes)
            elif isinstance(raw, URIRef | Literal):
                term = raw
            else:
                term = self.resolve(parameter, str(raw))
            shown = self.resolver.label(str(term)) if isinstance(term, URIRef) else str(term)
            prepared.filters.append((key, shown))
            prepared.values[key] = term
            if isinstance(term, URIRef) and str(WM.Government) in parameter.takes:
                prepared.values[key], note = self.resolver.nest(str(term))
                if note:
                    prepared.notes.append(f"{key}: {note}")
        for parameter in named.parameters:
            if parameter.required and parameter.name not in prepared.values:
                raise ParameterError(
                    f"query {named.name!r} needs parameter {parameter.name!r} "
                    f"(--param {parameter.name}=...): {parameter.description}"
                )
        return prepared

    def resolve_value(self, name: str, raw: Any) -> URIRef | Literal:
        """A term for a parameter of an ad-hoc query: an IRI, slug, CURIE or label."""
        if isinstance(raw, URIRef | Literal):
            return raw
        return self.resolve(Parameter(name, "iri"), str(raw))

    @property
    def resolver(self) -> Resolver:
        """The label index of this graph's store, built on first use (see ``westminster_kg.resolve``)."""
        if self._resolver is None:
            self._resolver = Resolver.build(self.store)
        return self._resolver

    def resolve(self, parameter: Parameter, raw: str) -> URIRef | Literal:
        """Turn a parameter value into a term: ``iri`` values through the resolver (never a missing IRI)."""
        if parameter.kind == "iri":
            return self.resolver.resolve(raw, parameter.name, parameter.takes)
        value = parse_value(parameter, raw)
        assert isinstance(value, URIRef | Literal)  # only iri parameters look labels up
        return value

    def find(self, text: str) -> list[URIRef]:
        """Entities whose label is ``text`` (case-, accent-insensitive), else whose label has its words."""
        return self.resolver.find(text)

    def label(self, iri: URIRef | str) -> str:
        """The English label of ``iri`` (or its last path segment)."""
        rows = self.store.query(bind(internal_query("entity-label"), {"entity": URIRef(iri)})).rows
        if rows:
            return str(rows[0][0])
        return local_name(iri)

    # --- whole-graph views --------------------------------------------------------------------

    def dataset(self) -> Dataset:
        """A copy of everything as an rdflib Dataset (named graphs kept)."""
        dataset = Dataset()
        for s, p, o, g in self.store.quads():
            context = dataset.graph(g) if g is not None else dataset.default_context
            context.add((s, p, o))
        for prefix, iri in PREFIXES.items():
            dataset.bind(prefix, iri, override=True)
        return dataset

    def stats(self) -> dict[str, Counter[str]]:
        """Counts of entities by class; per ``wm:`` relation, plain triples, claim nodes and quotes.

        ``relations`` counts plain (truthy) triples; ``claims`` counts claim nodes, several of which may
        rest on one sentence; ``quotes`` counts *distinct* quote texts, the evidence itself (a sentence
        applied to four governments is one quote). ``evidence`` holds the totals of the last two.
        """
        classes = self.store.query(internal_query("stats-classes"))
        relations = self.store.query(internal_query("stats-relations"))
        claims: dict[str, set[str]] = {}
        quotes: dict[str, set[str]] = {}
        for p, claim, quote in self.store.query(internal_query("stats-evidence")).rows:
            claims.setdefault(curie(p), set()).add(str(claim))
            quotes.setdefault(curie(p), set()).add(" ".join(str(quote).split()))
        return {
            "classes": Counter({curie(c): int(n) for c, n in classes.rows}),
            "relations": Counter({curie(p): int(n) for p, n in relations.rows}),
            "claims": Counter({p: len(c) for p, c in claims.items()}),
            "quotes": Counter({p: len(q) for p, q in quotes.items()}),
            "evidence": Counter(
                {
                    "claim nodes": len(set().union(*claims.values())),
                    "distinct quotes": len(set().union(*quotes.values())),
                }
            ),
            "triples": Counter({"quads": len(self.store)}),
        }

    def export(self, fmt: str, path: Path | str | None = None) -> str | bytes:
        """Serialise the whole graph (ontology and data) as ``fmt``; write to ``path`` if given.

        Quad formats (nquads, trig) keep the named graphs; triple formats merge them.
        ``graphml`` and ``csv`` are projections of the relation network, not full RDF.
        """
        data = self.exports([fmt])[fmt]
        if path is not None:
            from westminster_kg.turtle import write_atomically

            write_atomically(Path(path), data if isinstance(data, bytes) else data.encode())
        return data

    def exports(self, formats: Iterable[str]) -> dict[str, str | bytes]:
        """Several exports of the whole graph at once, each exactly as ``export`` makes it alone.

        They share their work: the blank nodes are named and the statements sorted once for every quad
        format (nquads, trig, jsonld) and once for every triple format (turtle, nt), and the relation
        network is projected once for graphml and csv (the download page's six dumps: 3.5 s → 2 s).
        """
        formats = list(formats)
        for fmt in formats:
            if fmt in EXPORT_FOLDERS:
                raise QueryError(f"{fmt} is a folder: use export_folder({fmt!r}, DIR) (wmkg export -f {fmt} -o DIR)")
            if fmt not in EXPORT_FORMATS:
                known = ", ".join([*EXPORT_FORMATS, *EXPORT_FOLDERS])
                raise QueryError(f"unknown export format {fmt!r}: use {known}")
        shared: dict[str, Any] = {}  # the network, and the named, sorted statements of each kind
        found: dict[str, str | bytes] = {}
        for fmt in formats:
            if fmt in ("graphml", "csv"):
                if "network" not in shared:
                    shared["network"] = self.to_networkx()
                found[fmt] = _projection(fmt)(shared["network"])
            elif fmt in PROJECTIONS:  # aif and the scholarly formats: functions of the whole graph
                found[fmt] = _projection(fmt)(self)
            else:
                kind = "triples" if fmt in ("turtle", "nt") else "quads"
                if kind not in shared:
                    shared[kind] = self._dump_statements(triples=kind == "triples")
                found[fmt] = self._rdf_dump(fmt, shared[kind])
        return found

    def export_folder(self, fmt: str, folder: Path | str) -> list[Path]:
        """Write a folder export (``ro-crate``) into ``folder``, which must not exist or be empty.

        The folder is made beside its final place and renamed into it, so a failure leaves nothing
        half-written; a link, device, file or non-empty folder there is refused (``InputError``).

        Returns:
            The files written, inside ``folder``.
        """
        if fmt not in EXPORT_FOLDERS:
            raise QueryError(f"{fmt!r} is not a folder format: use {', '.join(EXPORT_FOLDERS)}")
        return _projection(fmt)(self, Path(folder))

    def _dump_statements(self, *, triples: bool) -> list[Any]:
        """Every quad (or, for triple formats, every triple of the union of the graphs), blank nodes
        named, sorted: what a dump writes."""
        # Oxigraph's writers: a hundred times faster than rdflib's (the first /download of the web
        # app waited ~8 s for its dumps), and its flat JSON-LD keeps a blank node that refers to itself,
        # which rdflib's writer dropped (found by the round-trip property test). Blank nodes named by
        # RDFC-1.0 (W3C RDF Dataset Canonicalization) when its work is bounded, and the statements
        # sorted, so the same graph gives the same bytes and checksum on every load, not only within
        # one; past the bound a linear fallback, with a warning (westminster_kg.store.canonical).
        import warnings

        import pyoxigraph as ox

        from westminster_kg.store.canonical import BlankNodesNotCanonical, name_blank_nodes
        from westminster_kg.store.oxigraph import ox_quads

        quads = ox_quads(self.store)
        if triples:  # triple formats: the union of every named graph
            quads = [ox.Quad(*triple) for triple in {q.triple for q in quads}]
        named = name_blank_nodes(quads)
        if not named.canonical:
            where = ", ".join(f"<{g}>" for g in named.graphs) or "the merged graph"
            warnings.warn(
                BlankNodesNotCanonical(
                    f"{named.over} blank nodes in {where} look too much alike for RDFC-1.0 to name within its "
                    "work bound: this dump numbers its blank nodes instead, so its bytes and checksum may differ "
                    "between loads (the triples do not); an import gets IRIs for its blank nodes when it is "
                    "imported again with `wmkg import`"
                ),
                stacklevel=4,
            )
        return sorted(
            (q.triple if triples else q for q in named.quads),
            key=lambda q: tuple(str(term) for term in q),
        )

    def _rdf_dump(self, fmt: str, statements: list[Any]) -> str:
        import pyoxigraph as ox

        prefixes = dict(PREFIXES) if fmt in ("turtle", "trig") else None
        return ox.serialize(statements, format=getattr(ox.RdfFormat, EXPORT_FORMATS[fmt]), prefixes=prefixes).decode(
            "utf-8"
        )

    def to_networkx(self, **options: Any) -> Any:
        """The typed projection: entities as nodes (class, label), relations as edges (evidence)."""
        return _projection("network")(self, **options)

    def view(self, **options: Any) -> Any:
        """Show the graph inline in Jupyter: by default the overview, as ``wmkg view`` writes it.

        ``kg.view()`` is the overview (which reforms eroded which conventions, under which
        government); ``kg.view(network=True)`` or any filter (``focus="Haldane convention"``,
        ``relations="erodes"``, ``government="Coalition"``, ``depth``) the network explorer;
        ``kg.view(timeline=True)`` the timeline. ``title`` and ``height`` (pixels) set the frame.
        """
        return _projection("view")(self, **options)

    def evidenced_relations(self) -> list[URIRef]:
        """Every property typed ``wm:EvidencedRelation`` in the ontology."""
        rows = self.store.query(internal_query("evidenced-relations")).rows
        return [row[0] for row in rows]
