"""The SPARQL 1.1 Service Description that ``GET /sparql`` without a query returns.

What a client can learn before it asks anything (https://www.w3.org/TR/sparql11-service-description/):
the endpoint's address, the language (SPARQL 1.1 Query only: the endpoint is read-only), the result
and graph formats, the features (the default graph is the union of the named graphs; federation
only when ``--allow-service`` names endpoints), the default dataset with each named graph and its
size, and the prefixes every query may use without declaring them (as SHACL ``sh:declare``, the
vocabulary Wikidata-style services and SHACL-SPARQL use for prefix declarations).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, SH, VOID, XSD

from westminster_kg.namespaces import PREFIXES

if TYPE_CHECKING:
    pass

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")

# The W3C names (http://www.w3.org/ns/formats/) of the formats /sparql answers in.
RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV")
GRAPH_FORMATS = ("Turtle", "N-Triples", "JSON-LD", "RDF_XML")


def service_description(endpoint: str, sizes: list[tuple[str, int]], *, federation: bool = False) -> Graph:
    """The ``sd:Service`` at ``endpoint`` as an rdflib graph.

    Args:
        endpoint: the URL the endpoint is served at (as the client reached it).
        sizes: (named graph IRI, triples) for each named graph (``queries/internal/service-graph-sizes.rq``).
        federation: whether some ``SERVICE`` endpoints are allowed (``sd:BasicFederatedQuery``).

    Returns:
        The description, with ``sd:``, ``void:`` and ``sh:`` prefixes bound.
    """
    graph = Graph()
    for prefix, namespace in (("sd", SD), ("void", VOID), ("sh", SH), ("formats", FORMATS), ("xsd", XSD)):
        graph.bind(prefix, namespace)
    service = URIRef(endpoint)
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, service))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    for name in RESULT_FORMATS + GRAPH_FORMATS:
        graph.add((service, SD.resultFormat, FORMATS[name]))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    if federation:
        graph.add((service, SD.feature, SD.BasicFederatedQuery))
    dataset, default = BNode(), BNode()
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    graph.add((default, VOID.triples, Literal(sum(n for _, n in sizes))))
    for name, triples in sizes:
        named, described = BNode(), BNode()
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, URIRef(name)))
        graph.add((named, SD.graph, described))
        graph.add((described, RDF.type, SD.Graph))
        graph.add((described, VOID.triples, Literal(triples)))
    for prefix, namespace in sorted(PREFIXES.items()):
        declaration = BNode()
        graph.add((service, SH.declare, declaration))
        graph.add((declaration, SH.prefix, Literal(prefix)))
        graph.add((declaration, SH.namespace, Literal(namespace, datatype=XSD.anyURI)))
    return graph


__all__ = ["SD", "service_description"]
