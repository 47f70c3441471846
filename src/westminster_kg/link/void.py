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
    # The counts cover the published graphs (ontology, article, links), named by GRAPH + VALUES in
    # queries/internal/void-*.rq rather than FROM: rdflib would try to fetch FROM graphs from the web.

    def count(sparql: str) -> int:
        rows = kg.store.query(sparql).rows
        return int(rows[0][0]) if rows and rows[0][0] is not None else 0

    dataset = DATASET_IRI
    header = _ontology_header(kg)
    graph.add((dataset, RDF.type, VOID.Dataset))
    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.add((dataset, DCTERMS.title, Literal(DATASET_TITLE, lang="en")))
    if header.get("description"):
        graph.add((dataset, DCTERMS.description, header["description"]))
    if header.get("license"):
        graph.add((dataset, DCTERMS.license, header["license"]))
    if header.get("issued"):
        graph.add((dataset, DCTERMS.issued, header["issued"]))
    from westminster_kg import __version__

    graph.add((dataset, OWL.versionInfo, Literal(__version__)))
    graph.add((dataset, URIRef(str(DCAT) + "version"), Literal(__version__)))  # DCAT 3
    publisher = BNode("publisher")
    graph.add((dataset, DCTERMS.publisher, publisher))
    graph.add((publisher, RDF.type, FOAF.Organization))
    graph.add((publisher, FOAF.name, Literal(str(header.get("creator", "westminster-kg developers")))))
    graph.add((dataset, DCTERMS.source, WMR.article))
    graph.add((dataset, DCTERMS.conformsTo, URIRef(ONTOLOGY_IRI)))
    graph.add((dataset, VOID.uriSpace, Literal(str(WMR))))
    endpoint_iri = URIRef(endpoint) if endpoint else LOCAL_SPARQL_ENDPOINT
    graph.add((dataset, VOID.sparqlEndpoint, endpoint_iri))
    service = URIRef(str(dataset) + "/sparql-service")
    graph.add((service, RDF.type, DCAT.DataService))
    graph.add((service, DCTERMS.title, Literal("SPARQL endpoint of `wmkg serve`", lang="en")))
    graph.add((service, DCAT.endpointURL, endpoint_iri))
    graph.add((service, DCAT.servesDataset, dataset))
    graph.add(
        (
            service,
            SKOS.note,
            Literal(
                f"`wmkg serve` at {endpoint}."
                if endpoint
                else "The local default: `wmkg serve` listens on 127.0.0.1:8000; there is no public endpoint.",
                lang="en",
            ),
        )
    )

    triples = count(internal_query("void-triples"))
    graph.add((dataset, VOID.triples, Literal(triples)))
    graph.add(
        (
            dataset,
            VOID.entities,
            Literal(count(internal_query("void-entities"))),
        )
    )
    graph.add(
        (
            dataset,
            VOID.distinctSubjects,
            Literal(count(internal_query("void-subjects"))),
        )
    )
    graph.add(
        (
            dataset,
            VOID.properties,
            Literal(count(internal_query("void-properties"))),
        )
    )

    for name, iri in (("ontology", GRAPH_ONTOLOGY), ("article", GRAPH_ARTICLE), ("links", GRAPH_LINKS)):
        subset = URIRef(f"{dataset}/graph/{name}")
        graph.add((dataset, VOID.subset, subset))
        graph.add((subset, RDF.type, VOID.Dataset))
        graph.add((subset, DCTERMS.title, Literal(f"the {name} graph", lang="en")))
        graph.add((subset, SD.name, URIRef(iri)))
        graph.add(
            (subset, VOID.triples, Literal(count(bind(internal_query("void-graph-triples"), {"g": URIRef(iri)}))))
        )

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

    for example in _example_resources(kg):
        graph.add((dataset, VOID.exampleResource, example))

    links = stored_links(kg)
    per_scheme: dict[str, list[Link]] = defaultdict(list)
    for link in links:
        # Accepted candidates form a linkset per import, whatever their IRIs look like.
        imported = [src[len(GRAPH_IMPORT) :] for src in link.sources if src.startswith(GRAPH_IMPORT)]
        key = f"import-{imported[0]}" if imported else (link.scheme.name if link.scheme else "other")
        per_scheme[key].append(link)
    for name, members in sorted(per_scheme.items()):
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
    return graph


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
