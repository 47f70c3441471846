"""The project's IRIs and prefixes as plain strings, importable without rdflib.

``westminster_kg.namespaces`` builds rdflib namespaces from these; the modules a cold command needs
(``project``, ``catalogue``, ``sparql_text``, ``quick``) read them here, so ``wmkg query NAME -f csv``
never pays for importing rdflib.
"""

from __future__ import annotations

ONTOLOGY_IRI = "https://w3id.org/westminster-kg/ontology"
WM_IRI = ONTOLOGY_IRI + "#"
WMR_IRI = "https://w3id.org/westminster-kg/id/"
GRAPH_BASE = "https://w3id.org/westminster-kg/graph/"
GRAPH_ONTOLOGY = GRAPH_BASE + "ontology"
GRAPH_ARTICLE = GRAPH_BASE + "article"
GRAPH_LINKS = GRAPH_BASE + "links"
GRAPH_IMPORT = GRAPH_BASE + "import/"

# Prefixes declared in every query and in every serialisation we write (a test checks them against
# rdflib's namespaces of the same names).
PREFIXES: dict[str, str] = {
    "cito": "http://purl.org/spar/cito/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "dcterms": "http://purl.org/dc/terms/",
    "fabio": "http://purl.org/spar/fabio/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "oa": "http://www.w3.org/ns/oa#",
    "org": "http://www.w3.org/ns/org#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": "http://www.w3.org/ns/prov#",
    "qb": "http://purl.org/linked-data/cube#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "schema": "https://schema.org/",
    "sh": "http://www.w3.org/ns/shacl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "time": "http://www.w3.org/2006/time#",
    "vann": "http://purl.org/vocab/vann/",
    "void": "http://rdfs.org/ns/void#",
    "wd": "http://www.wikidata.org/entity/",
    "wm": WM_IRI,
    "wmr": WMR_IRI,
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
XSD_IRI = PREFIXES["xsd"]

__all__ = [
    "GRAPH_ARTICLE",
    "GRAPH_BASE",
    "GRAPH_IMPORT",
    "GRAPH_LINKS",
    "GRAPH_ONTOLOGY",
    "ONTOLOGY_IRI",
    "PREFIXES",
    "WMR_IRI",
    "WM_IRI",
    "XSD_IRI",
]
