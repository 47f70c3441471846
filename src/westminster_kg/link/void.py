"""VoID and DCAT for the published dataset, every number counted from the loaded data."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, SKOS, VOID

from westminster_kg.catalogue import bind
from westminster_kg.internal_queries import internal_query
from westminster_kg.link.linkset import SCHEMES, Link, stored_links
from westminster_kg.namespaces import (
    GRAPH_ARTICLE,
    GRAPH_IMPORT,
    GRAPH_LINKS,
    GRAPH_ONTOLOGY,
    ONTOLOGY_IRI,
    PREFIXES,
    SD,
    WMR,
    curie,
)

if TYPE_CHECKING:
    from westminster_kg.knowledge_graph import KnowledgeGraph

DATASET_IRI = URIRef("https://w3id.org/westminster-kg/dataset")
LOCAL_SPARQL_ENDPOINT = URIRef("http://127.0.0.1:8000/sparql")
# The dataset's title: here and in its citations (westminster_kg.scholarly), never typed twice.
DATASET_TITLE = "Westminster KG: the Westminster Model article as an evidence-backed knowledge graph"


def void_description(kg: KnowledgeGraph, endpoint: str | None = None) -> Graph:
    """VoID and DCAT for the published dataset (ontology, article and links graphs).

    ``endpoint`` is the SPARQL endpoint's address (``wmkg void --endpoint``, or the address a
    running ``wmkg serve`` is reached at); without it, ``wmkg serve``'s default 127.0.0.1:8000.

    Every number — triples, entities, per-class and per-property partitions, links per linkset — is
    counted from the loaded data; title, licence, version and publisher come from the ontology's
    header, so nothing here is typed by hand twice. Imports are users' own data and not described.
    """
    graph = Graph()
    for prefix in ("dcat", "dcterms", "foaf", "rdfs", "skos", "void", "wmr", "xsd", "owl", "prov"):
        graph.bind(prefix, PREFIXES[prefix], override=True)
    _describe_dataset(graph, _ontology_header(kg))
    _describe_endpoint(graph, endpoint)
    _describe_sizes(graph, kg)
    _describe_partitions(graph, kg)
    for example in _example_resources(kg):
        graph.add((DATASET_IRI, VOID.exampleResource, example))
    for name, members in sorted(_links_by_linkset(kg).items()):
        _describe_linkset(graph, name, members)
    return graph


def _describe_dataset(graph: Graph, header: dict[str, Any]) -> None:
    """The dataset's types, title, description, licence, version, publisher and sources."""
    from westminster_kg import __version__

    dataset = DATASET_IRI
    graph.add((dataset, RDF.type, VOID.Dataset))
    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.add((dataset, DCTERMS.title, Literal(DATASET_TITLE, lang="en")))
    if header.get("description"):
        graph.add((dataset, DCTERMS.description, header["description"]))
    if header.get("license"):
        graph.add((dataset, DCTERMS.license, header["license"]))
    if header.get("issued"):
        graph.add((dataset, DCTERMS.issued, header["issued"]))
    graph.add((dataset, OWL.versionInfo, Literal(__version__)))
    graph.add((dataset, URIRef(str(DCAT) + "version"), Literal(__version__)))  # DCAT 3
    publisher = BNode("publisher")
    graph.add((dataset, DCTERMS.publisher, publisher))
    graph.add((publisher, RDF.type, FOAF.Organization))
    graph.add((publisher, FOAF.name, Literal(str(header.get("creator", "westminster-kg developers")))))
    graph.add((dataset, DCTERMS.source, WMR.article))
    graph.add((dataset, DCTERMS.conformsTo, URIRef(ONTOLOGY_IRI)))
    graph.add((dataset, VOID.uriSpace, Literal(str(WMR))))


def _describe_endpoint(graph: Graph, endpoint: str | None) -> None:
    """The SPARQL endpoint, as VoID says it and as a DCAT data service serving the dataset."""
    dataset = DATASET_IRI
    endpoint_iri = URIRef(endpoint) if endpoint else LOCAL_SPARQL_ENDPOINT
    graph.add((dataset, VOID.sparqlEndpoint, endpoint_iri))
    service = URIRef(str(dataset) + "/sparql-service")
    graph.add((service, RDF.type, DCAT.DataService))
    graph.add((service, DCTERMS.title, Literal("SPARQL endpoint of `wmkg serve`", lang="en")))
    graph.add((service, DCAT.endpointURL, endpoint_iri))
    graph.add((service, DCAT.servesDataset, dataset))
    note = (
        f"`wmkg serve` at {endpoint}."
        if endpoint
        else "The local default: `wmkg serve` listens on 127.0.0.1:8000; there is no public endpoint."
    )
    graph.add((service, SKOS.note, Literal(note, lang="en")))


def _count(kg: KnowledgeGraph, sparql: str) -> int:
    """The one number a counting query answers (0 when it answers nothing)."""
    rows = kg.store.query(sparql).rows
    return int(rows[0][0]) if rows and rows[0][0] is not None else 0


def _describe_sizes(graph: Graph, kg: KnowledgeGraph) -> None:
    """Triples, entities, subjects and properties of the whole, and a subset per published graph."""
    # The counts cover the published graphs (ontology, article, links), named by GRAPH + VALUES in
    # queries/internal/void-*.rq rather than FROM: rdflib would try to fetch FROM graphs from the web.
    dataset = DATASET_IRI
    graph.add((dataset, VOID.triples, Literal(_count(kg, internal_query("void-triples")))))
    graph.add((dataset, VOID.entities, Literal(_count(kg, internal_query("void-entities")))))
    graph.add((dataset, VOID.distinctSubjects, Literal(_count(kg, internal_query("void-subjects")))))
    graph.add((dataset, VOID.properties, Literal(_count(kg, internal_query("void-properties")))))
    for name, iri in (("ontology", GRAPH_ONTOLOGY), ("article", GRAPH_ARTICLE), ("links", GRAPH_LINKS)):
        subset = URIRef(f"{dataset}/graph/{name}")
        graph.add((dataset, VOID.subset, subset))
        graph.add((subset, RDF.type, VOID.Dataset))
        graph.add((subset, DCTERMS.title, Literal(f"the {name} graph", lang="en")))
        graph.add((subset, SD.name, URIRef(iri)))
        triples = _count(kg, bind(internal_query("void-graph-triples"), {"g": URIRef(iri)}))
        graph.add((subset, VOID.triples, Literal(triples)))


def _describe_partitions(graph: Graph, kg: KnowledgeGraph) -> None:
    """A partition per class (its entities) and per property (its triples), and the vocabularies used."""
    dataset = DATASET_IRI
    classes = kg.store.query(internal_query("void-class-partitions")).rows
    for cls, n in classes:
        part = URIRef(f"{dataset}/class/{_partition_slug(cls)}")
        graph.add((dataset, VOID.classPartition, part))
        graph.add((part, VOID["class"], cls))
        graph.add((part, VOID.entities, Literal(int(n))))
    properties = kg.store.query(internal_query("void-property-partitions")).rows
    vocabularies: set[str] = set()
    for prop, n in properties:
        part = URIRef(f"{dataset}/property/{_partition_slug(prop)}")
        graph.add((dataset, VOID.propertyPartition, part))
        graph.add((part, VOID.property, prop))
        graph.add((part, VOID.triples, Literal(int(n))))
        vocabularies.add(_namespace_of(str(prop)))
    for cls, _n in classes:
        vocabularies.add(_namespace_of(str(cls)))
    for namespace in sorted(v for v in vocabularies if v and v != str(WMR)):
        graph.add((dataset, VOID.vocabulary, URIRef(namespace)))


def _links_by_linkset(kg: KnowledgeGraph) -> dict[str, list[Link]]:
    """The stored links by linkset: one per scheme (``wikidata``, …), per import, and ``other``."""
    per_scheme: dict[str, list[Link]] = defaultdict(list)
    for link in stored_links(kg):
        # Accepted candidates form a linkset per import, whatever their IRIs look like.
        imported = [src[len(GRAPH_IMPORT) :] for src in link.sources if src.startswith(GRAPH_IMPORT)]
        key = f"import-{imported[0]}" if imported else (link.scheme.name if link.scheme else "other")
        per_scheme[key].append(link)
    return per_scheme


def _describe_linkset(graph: Graph, name: str, members: list[Link]) -> None:
    """The linkset ``name``: its size, predicates, and the dataset its links point into."""
    dataset = DATASET_IRI
    linkset = URIRef(f"{dataset}/linkset/{name}")
    graph.add((dataset, VOID.subset, linkset))
    graph.add((linkset, RDF.type, VOID.Linkset))
    graph.add((linkset, VOID.subjectsTarget, dataset))
    graph.add((linkset, VOID.triples, Literal(len(members))))
    for predicate in sorted({m.predicate for m in members}):
        graph.add((linkset, VOID.linkPredicate, predicate))
    scheme = SCHEMES.get(name)
    if scheme is not None:
        target = URIRef(scheme.homepage)
        graph.add((linkset, DCTERMS.title, Literal(f"links to {scheme.title}", lang="en")))
        graph.add((linkset, VOID.objectsTarget, target))
        graph.add((target, RDF.type, VOID.Dataset))
        graph.add((target, DCTERMS.title, Literal(scheme.title, lang="en")))
        graph.add((target, VOID.uriSpace, Literal(scheme.uri_space)))
    elif name.startswith("import-"):
        graph.add((linkset, DCTERMS.title, Literal(f"accepted links to the import {name[7:]!r}", lang="en")))
        graph.add((linkset, VOID.objectsTarget, URIRef(GRAPH_IMPORT + name[7:])))
    else:
        graph.add((linkset, DCTERMS.title, Literal("links to other datasets", lang="en")))


def _ontology_header(kg: KnowledgeGraph) -> dict[str, Any]:
    rows = kg.store.query(internal_query("void-ontology-header")).rows
    if not rows:
        return {}
    description, license_, creator, issued = rows[0]
    pairs = (("description", description), ("license", license_), ("creator", creator), ("issued", issued))
    return {k: v for k, v in pairs if v is not None}


def _example_resources(kg: KnowledgeGraph) -> list[URIRef]:
    """The three entities most often the subject or object of a claim (ties broken by IRI)."""
    rows = kg.store.query(internal_query("void-example-resources")).rows
    return [row[0] for row in rows]


def _namespace_of(iri: str) -> str:
    for namespace in sorted(PREFIXES.values(), key=len, reverse=True):
        if iri.startswith(namespace):
            return namespace
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1] if cut > 0 else ""


def _partition_slug(iri: Any) -> str:
    compact = curie(iri)
    if compact != str(iri):
        return compact.replace(":", "-")
    return hashlib.sha256(str(iri).encode()).hexdigest()[:12]


def void_turtle(kg: KnowledgeGraph, endpoint: str | None = None) -> str:
    """The VoID description as Turtle (with the ``sd:`` prefix, which ``PREFIXES`` lacks)."""
    graph = void_description(kg, endpoint)
    graph.bind("sd", SD, override=True)
    return graph.serialize(format="turtle")


__all__ = ["DATASET_IRI", "DATASET_TITLE", "LOCAL_SPARQL_ENDPOINT", "void_description", "void_turtle"]
