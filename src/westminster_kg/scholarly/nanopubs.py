"""One nanopublication per claim, as TriG in the nanopub schema (``np:``): head, assertion, provenance,
publication info, each a named graph of its own.

- **assertion**: the claim's triple (``subject relation object``), or for a proposition (no triple) the
  proposition itself: its type, label and what it is about (``dcterms:subject``).
- **provenance** of the assertion: whose words (``prov:wasAttributedTo``), stance, modality and hedge
  cue, cited works, and each quote as a ``wm:Evidence`` with its ``TextQuoteSelector`` (exact, prefix,
  suffix) and ``TextPositionSelector`` in the article, and its section. An actor's claim, a possible or
  questioned one is asserted here only as what its provenance says it is: never as the authors' fact.
- **publication info**: the dataset and version it belongs to, its licence, creator and date, and the
  claim node it was made from.

Every node is an IRI under the nanopublication's own namespace (no blank nodes, which nanopub tools
rename when they sign). Nothing is signed: publishing to a nanopub server is for whoever holds a key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from westminster_kg.namespaces import CITO, OA, PREFIXES, WM
from westminster_kg.scholarly.claims import ClaimRecord, DatasetInfo, dataset_info, load_claims, store_asker

if TYPE_CHECKING:
    from westminster_kg.knowledge_graph import KnowledgeGraph

NP = Namespace("http://www.nanopub.org/nschema#")
PAV = Namespace("http://purl.org/pav/")
NANOPUB_BASE = "https://w3id.org/westminster-kg/np/"


def nanopub_iri(claim: ClaimRecord) -> URIRef:
    """The nanopublication of ``claim``: ``…/np/<claim slug>``; its graphs are ``#Head``, ``#assertion``…"""
    return URIRef(NANOPUB_BASE + claim.slug)


def add_nanopub(dataset: Dataset, claim: ClaimRecord, info: DatasetInfo) -> URIRef:
    """Add ``claim``'s nanopublication (four named graphs) to ``dataset``; returns its IRI."""
    this = nanopub_iri(claim)
    sub = Namespace(str(this) + "#")
    head, assertion, provenance, pubinfo = (
        dataset.graph(sub[name]) for name in ("Head", "assertion", "provenance", "pubinfo")
    )
    head.add((this, RDF.type, NP.Nanopublication))
    head.add((this, NP.hasAssertion, assertion.identifier))
    head.add((this, NP.hasProvenance, provenance.identifier))
    head.add((this, NP.hasPublicationInfo, pubinfo.identifier))
    _assert(assertion, claim)
    _provenance(provenance, URIRef(assertion.identifier), claim, sub)
    _pubinfo(pubinfo, this, claim, info)
    return this


def _assert(graph: Graph, claim: ClaimRecord) -> None:
    if claim.has_triple:
        graph.add((URIRef(claim.subject), URIRef(claim.relation), URIRef(claim.object)))
        return
    proposition = URIRef(claim.iri)
    graph.add((proposition, RDF.type, WM.Proposition))
    if claim.label:
        graph.add((proposition, RDFS.label, Literal(claim.label, lang="en")))
    for about in claim.about:
        graph.add((proposition, DCTERMS.subject, URIRef(about)))


def _provenance(graph: Graph, assertion: URIRef, claim: ClaimRecord, sub: Namespace) -> None:
    if claim.stance:
        graph.add((assertion, WM.stance, URIRef(claim.stance)))
    if claim.modality:
        graph.add((assertion, WM.modality, URIRef(claim.modality)))
    for cue in claim.cues:
        graph.add((assertion, WM.hedgeCue, Literal(cue)))
    for agent in claim.attributed:
        graph.add((assertion, PROV.wasAttributedTo, URIRef(agent)))
    for work in claim.cites:
        graph.add((assertion, CITO.citesAsAuthority, URIRef(work)))
    for number, span in enumerate(claim.spans, start=1):
        evidence, quote, position = sub[f"evidence-{number}"], sub[f"quote-{number}"], sub[f"position-{number}"]
        graph.add((assertion, PROV.wasDerivedFrom, evidence))
        graph.add((evidence, RDF.type, WM.Evidence))
        graph.add((evidence, OA.hasSource, URIRef(PREFIXES["wmr"] + "article")))
        if span.section:
            graph.add((evidence, WM.section, URIRef(span.section)))
        graph.add((evidence, OA.hasSelector, quote))
        graph.add((evidence, OA.hasSelector, position))
        graph.add((quote, RDF.type, OA.TextQuoteSelector))
        graph.add((quote, OA.exact, Literal(span.exact)))
        if span.prefix:
            graph.add((quote, OA.prefix, Literal(span.prefix)))
        if span.suffix:
            graph.add((quote, OA.suffix, Literal(span.suffix)))
        graph.add((position, RDF.type, OA.TextPositionSelector))
        graph.add((position, OA.start, Literal(span.start, datatype=XSD.nonNegativeInteger)))
        graph.add((position, OA.end, Literal(span.end, datatype=XSD.nonNegativeInteger)))


def _pubinfo(graph: Graph, this: URIRef, claim: ClaimRecord, info: DatasetInfo) -> None:
    graph.add((this, PROV.wasDerivedFrom, URIRef(claim.iri)))
    graph.add((this, DCTERMS.isPartOf, URIRef(info.iri)))
    graph.add((this, PAV.version, Literal(info.version)))
    graph.add((this, DCTERMS.creator, Literal(info.creator)))
    if info.license:
        graph.add((this, DCTERMS.license, URIRef(info.license)))
    if info.issued:  # the dataset version's date: the same bytes on every export
        graph.add((this, DCTERMS.created, Literal(info.issued, datatype=XSD.date)))


def nanopub_dataset(kg: KnowledgeGraph) -> Dataset:
    """Every claim's nanopublication in one rdflib Dataset (four named graphs each)."""
    dataset = Dataset()
    for prefix in ("cito", "dcterms", "oa", "prov", "rdfs", "wm", "wmr", "xsd"):
        dataset.bind(prefix, PREFIXES[prefix], override=True)
    dataset.bind("np", NP)
    dataset.bind("pav", PAV)
    _add_every_nanopub(dataset, kg)
    return dataset


def _add_every_nanopub(dataset: Dataset | _Quads, kg: KnowledgeGraph) -> None:
    ask = store_asker(kg)
    info = dataset_info(ask)
    for claim in load_claims(ask, kg.project.article_text(), kg.project.root):
        add_nanopub(dataset, claim, info)  # type: ignore[arg-type]


class _Quads:
    """What ``add_nanopub`` adds, as a set of (s, p, o, graph): the quads an rdflib Dataset would hold,
    without its per-statement indexes and events (~0.5 s of CPU for the repository's 400 claims)."""

    def __init__(self) -> None:
        self.quads: set[tuple] = set()

    def graph(self, identifier: URIRef) -> _Named:
        """The named graph ``identifier``: its ``add`` adds to this set."""
        return _Named(self.quads, identifier)


class _Named:
    def __init__(self, quads: set[tuple], identifier: URIRef) -> None:
        self.quads, self.identifier = quads, identifier

    def add(self, triple: tuple) -> None:
        self.quads.add((*triple, self.identifier))


def to_nanopub_trig(kg: KnowledgeGraph) -> str:
    """Every nanopublication as TriG text (``wmkg export -f nanopub``), statements in a stable order."""
    import pyoxigraph as ox

    from westminster_kg.store.oxigraph import to_ox

    collected = _Quads()
    _add_every_nanopub(collected, kg)
    quads = sorted(
        (ox.Quad(*(to_ox(term) for term in quad)) for quad in collected.quads),
        key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)),
    )
    prefixes = {k: PREFIXES[k] for k in ("cito", "dcterms", "oa", "prov", "rdf", "rdfs", "wm", "wmr", "xsd")}
    prefixes.update(np=str(NP), pav=str(PAV))
    return ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=prefixes).decode("utf-8")


__all__ = ["NANOPUB_BASE", "NP", "PAV", "add_nanopub", "nanopub_dataset", "nanopub_iri", "to_nanopub_trig"]
