"""Ontology documentation in the manner of pyLODE: header metadata, contents, classes with their
hierarchy and instance counts, properties with definition, domain, range, inverse and a real example
with its quote, the concept schemes (stance, modality), namespaces.

pyLODE itself was considered: it documents the ontology file alone, so it cannot show how many
instances a class has or a real claim with its quote, it renders definitions as Markdown (raw HTML
in a definition would reach the page) and it brings httpx, dominate and tqdm. The page here is
rendered with Jinja's autoescape from the ontology graph plus a few counts over the data.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from westminster_kg.catalogue import bind
from westminster_kg.internal_queries import internal_query
from westminster_kg.namespaces import ONTOLOGY_IRI, PREFIXES, curie, local_name

if TYPE_CHECKING:
    from westminster_kg.knowledge_graph import KnowledgeGraph

VANN = "http://purl.org/vocab/vann/"
WM = PREFIXES["wm"]


def _text(graph: Graph, subject: Any, *predicates: URIRef) -> str:
    """The English (or untagged) value of the first predicate that has one."""
    for predicate in predicates:
        values = list(graph.objects(subject, predicate))
        for value in sorted(values, key=lambda v: (getattr(v, "language", None) not in ("en", None), str(v))):
            return str(value)
    return ""


def _ref(iri: Any, labels: dict[str, str]) -> dict[str, str]:
    """A term reference for the template: its label, CURIE and anchor (ours) or IRI (others)."""
    text = str(iri)
    ours = text.startswith(WM)
    return {
        "label": labels.get(text, curie(text)),
        "curie": curie(text),
        "anchor": local_name(text) if ours else "",
        "iri": text,
    }


def ontology_context(kg: KnowledgeGraph) -> dict[str, Any]:
    """Everything ``templates/ontology_docs.html`` shows, from the ontology graph and the data."""
    graph = kg.store.query(internal_query("ontology-graph")).graph
    labels = {str(s): str(o) for s, o in graph.subject_objects(RDFS.label)}
    labels.update({str(s): str(o) for s, o in graph.subject_objects(SKOS.prefLabel) if str(s) not in labels})
    counts = {str(c): int(n) for c, n in kg.store.query(internal_query("ontology-docs-class-counts")).rows}
    uses = {str(p): int(n) for p, n in kg.store.query(internal_query("ontology-docs-property-uses")).rows}
    classes, hierarchy = _classes(graph, labels, counts)
    return {
        "header": _header(graph),
        "classes": classes,
        "hierarchy": hierarchy,
        "object_properties": _properties(kg, graph, labels, uses, OWL.ObjectProperty),
        "datatype_properties": _properties(kg, graph, labels, uses, OWL.DatatypeProperty),
        "schemes": _schemes(kg, graph, labels),
        "namespaces": sorted(PREFIXES.items()),
    }


def _header(graph: Graph) -> dict[str, str]:
    """The ontology header's metadata: title, description, creator, dates, version, licence, prefix."""
    ontology = URIRef(ONTOLOGY_IRI)
    return {
        "iri": ONTOLOGY_IRI,
        "title": _text(graph, ontology, DCTERMS.title, RDFS.label) or "Ontology",
        "description": _text(graph, ontology, DCTERMS.description),
        "comment": _text(graph, ontology, RDFS.comment),
        "creator": _text(graph, ontology, DCTERMS.creator),
        "created": _text(graph, ontology, DCTERMS.created),
        "modified": _text(graph, ontology, DCTERMS.modified),
        "version": _text(graph, ontology, OWL.versionInfo),
        "version_iri": _text(graph, ontology, OWL.versionIRI),
        "license": _text(graph, ontology, DCTERMS.license),
        "prefix": _text(graph, ontology, URIRef(VANN + "preferredNamespacePrefix")),
        "namespace": _text(graph, ontology, URIRef(VANN + "preferredNamespaceUri")),
    }


def _classes(
    graph: Graph, labels: dict[str, str], counts: dict[str, int]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Our classes by label, each with its definition, super- and subclasses and instance count; and
    the same classes as a tree (roots: the classes with no superclass of ours)."""
    class_iris = sorted({str(c) for c in graph.subjects(RDF.type, OWL.Class) if str(c).startswith(WM)})
    supers: dict[str, list[str]] = defaultdict(list)
    subs: dict[str, list[str]] = defaultdict(list)
    for c in class_iris:
        for s in graph.objects(URIRef(c), RDFS.subClassOf):
            if isinstance(s, URIRef):
                supers[c].append(str(s))
                subs[str(s)].append(c)
    classes = []
    for c in sorted(class_iris, key=lambda x: labels.get(x, x).casefold()):
        term = URIRef(c)
        classes.append(
            {
                **_ref(c, labels),
                "definition": _text(graph, term, SKOS.definition, RDFS.comment),
                "note": _text(graph, term, SKOS.note),
                "supers": [_ref(s, labels) for s in sorted(supers[c])],
                "subs": [_ref(s, labels) for s in sorted(subs[c])],
                "instances": counts.get(c, 0),
            }
        )

    def tree(root: str, seen: frozenset[str]) -> dict[str, Any]:
        children = [
            tree(s, seen | {root}) for s in sorted(subs.get(root, []), key=lambda x: labels.get(x, x)) if s not in seen
        ]
        return {**_ref(root, labels), "instances": counts.get(root, 0), "children": children}

    roots = [c for c in class_iris if not any(s in class_iris for s in supers[c])]
    hierarchy = [tree(r, frozenset()) for r in sorted(roots, key=lambda x: labels.get(x, x).casefold())]
    return classes, hierarchy


def _properties(
    kg: KnowledgeGraph, graph: Graph, labels: dict[str, str], uses: dict[str, int], owl_type: URIRef
) -> list[dict[str, Any]]:
    """Our properties of ``owl_type`` (object or datatype), each with its definition, domain, range,
    inverse, superproperties, number of uses and an example from the data."""
    inverse: dict[str, str] = {}
    for a, b in graph.subject_objects(OWL.inverseOf):
        inverse[str(a)], inverse[str(b)] = str(b), str(a)
    evidenced = {str(p) for p in graph.subjects(RDF.type, URIRef(WM + "EvidencedRelation"))}
    found = []
    for p in sorted({str(p) for p in graph.subjects(RDF.type, owl_type) if str(p).startswith(WM)}):
        term = URIRef(p)
        found.append(
            {
                **_ref(p, labels),
                "definition": _text(graph, term, SKOS.definition, RDFS.comment),
                "domain": [_ref(d, labels) for d in sorted(graph.objects(term, RDFS.domain)) if isinstance(d, URIRef)],
                "range": [_ref(r, labels) for r in sorted(graph.objects(term, RDFS.range)) if isinstance(r, URIRef)],
                "inverse": _ref(inverse[p], labels) if p in inverse else None,
                "supers": [
                    _ref(s, labels) for s in sorted(graph.objects(term, RDFS.subPropertyOf)) if isinstance(s, URIRef)
                ],
                "evidenced": p in evidenced,
                "uses": uses.get(p, 0),
                "skos_example": _text(graph, term, SKOS.example),
                "example": _claim_example(kg, term) if p in evidenced else _plain_example(kg, term),
            }
        )
    return found


def _claim_example(kg: KnowledgeGraph, relation: URIRef) -> dict[str, str] | None:
    """One claim of an evidenced relation with its quote, or ``None`` when the data has none."""
    rows = kg.store.query(bind(internal_query("ontology-docs-claim-example"), {"p": relation})).rows
    if not rows:
        return None
    claim, s, o, s_label, o_label, quote = rows[0]
    return {
        "subject": s_label or local_name(str(s)),
        "object": o_label or local_name(str(o)),
        "quote": str(quote),
        "claim": str(claim),
        "subject_iri": str(s),
        "object_iri": str(o),
    }


def _plain_example(kg: KnowledgeGraph, prop: URIRef) -> dict[str, str] | None:
    """One use of a property that claims do not carry, or ``None`` when the data has none."""
    rows = kg.store.query(bind(internal_query("ontology-docs-plain-example"), {"p": prop})).rows
    if not rows:
        return None
    s, o, s_label = rows[0]
    return {
        "subject": s_label or local_name(str(s)),
        "subject_iri": str(s),
        "object": str(o) if isinstance(o, Literal) else local_name(str(o)),
        "object_iri": "" if isinstance(o, Literal) else str(o),
        "quote": "",
        "claim": "",
    }


def _schemes(kg: KnowledgeGraph, graph: Graph, labels: dict[str, str]) -> list[dict[str, Any]]:
    """The concept schemes (stance, modality), each concept with its definition and number of claims."""
    scheme_uses = {str(c): int(n) for c, n in kg.store.query(internal_query("ontology-docs-scheme-uses")).rows}
    schemes = []
    for scheme in sorted({str(s) for s in graph.subjects(RDF.type, SKOS.ConceptScheme)}):
        concepts = sorted(
            {str(c) for c in graph.subjects(SKOS.inScheme, URIRef(scheme))}, key=lambda c: labels.get(c, c)
        )
        schemes.append(
            {
                **_ref(scheme, labels),
                "definition": _text(graph, URIRef(scheme), SKOS.definition),
                "concepts": [
                    {
                        **_ref(c, labels),
                        "definition": _text(graph, URIRef(c), SKOS.definition),
                        "claims": scheme_uses.get(c, 0),
                    }
                    for c in concepts
                ],
            }
        )
    return schemes


def render_ontology_docs(kg: KnowledgeGraph, *, navigation: bool = True) -> str:
    """The documentation page (``/ontology`` and ``wmkg docs``)."""
    from westminster_kg.view.pages import render_page

    context = ontology_context(kg)
    return render_page("ontology_docs.html", navigation=navigation, title=context["header"]["title"], **context)


def write_docs(kg: KnowledgeGraph, folder: Any) -> list[Any]:
    """Write ``index.html`` (the documentation) and ``ontology.ttl`` into ``folder``; returns the paths."""
    from pathlib import Path

    from westminster_kg.errors import ParameterError
    from westminster_kg.turtle import write_atomically

    target = Path(folder)
    if target.exists() and not target.is_dir():
        raise ParameterError(f"--output {target}: exists and is not a folder")
    target.mkdir(parents=True, exist_ok=True)
    page = target / "index.html"
    write_atomically(page, render_ontology_docs(kg, navigation=False).encode("utf-8"))
    graph = kg.store.query(internal_query("ontology-graph")).graph
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True)
    turtle = target / "ontology.ttl"
    write_atomically(turtle, graph.serialize(format="turtle").encode("utf-8"))
    return [page, turtle]


__all__ = ["ontology_context", "render_ontology_docs", "write_docs"]
