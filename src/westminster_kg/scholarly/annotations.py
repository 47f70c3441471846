"""Every quote of the article as a W3C Web Annotation: one JSON-LD ``AnnotationCollection``.

One annotation per span of the article that the graph quotes. Its target is the article with a
``TextQuoteSelector`` (the article's own characters, with ``CONTEXT`` characters of prefix and suffix)
and a ``TextPositionSelector`` (code-point offsets, end exclusive, that give exactly that text). Its
bodies are what the span supports: each claim with its relation, stance, modality and hedge cue
(motivation ``linking``), plus the claim in words as a ``TextualBody``; an entity the span introduces
(``identifying``); a role-marked passage (``classifying``).
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from westminster_kg.bound import internal
from westminster_kg.errors import InputError
from westminster_kg.evidence import normalised
from westminster_kg.namespaces import CITO, DCTERMS, PROV, RDF, WM, WMR, curie
from westminster_kg.scholarly.citation import claim_statement, how_certain
from westminster_kg.scholarly.claims import (
    ClaimRecord,
    DatasetInfo,
    Span,
    dataset_info,
    load_claims,
    span_at,
    store_asker,
)

if TYPE_CHECKING:
    from westminster_kg.knowledge_graph import KnowledgeGraph

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
ANNOTATION_BASE = "https://w3id.org/westminster-kg/annotation/"
# Our terms beside the Web Annotation context's (none of these names is defined there).
CONTEXT = {
    "wm": str(WM),
    "wmr": str(WMR),
    "prov": str(PROV),
    "cito": str(CITO),
    "subject": {"@id": str(RDF.subject), "@type": "@id"},
    "relation": {"@id": str(RDF.predicate), "@type": "@id"},
    "object": {"@id": str(RDF.object), "@type": "@id"},
    "stance": {"@id": str(WM.stance), "@type": "@id"},
    "modality": {"@id": str(WM.modality), "@type": "@id"},
    "hedgeCue": {"@id": str(WM.hedgeCue)},
    "attributedTo": {"@id": str(PROV.wasAttributedTo), "@type": "@id"},
    "citesAsAuthority": {"@id": str(CITO.citesAsAuthority), "@type": "@id"},
    "about": {"@id": str(DCTERMS.subject), "@type": "@id"},
    "section": {"@id": str(WM.section), "@type": "@id"},
    "passageRole": {"@id": str(WM.passageRole), "@type": "@id"},
}


def annotation_id(span: Span) -> str:
    """The annotation's IRI: one per span of the article, named by its offsets."""
    return f"{ANNOTATION_BASE}{span.start}-{span.end}"


def claim_body(claim: ClaimRecord) -> dict[str, Any]:
    """The claim as a body: its IRI and type, triple (none for a proposition), stance, modality, cue."""
    body: dict[str, Any] = {
        "id": claim.iri,
        "type": ["wm:Claim", "wm:Proposition"] if claim.proposition else "wm:Claim",
        "label": claim.label or claim_statement(claim),
    }
    if claim.has_triple:
        body.update(subject=claim.subject, relation=claim.relation, object=claim.object)
    optional = {
        "stance": claim.stance,
        "modality": claim.modality,
        "hedgeCue": claim.cues,
        "attributedTo": claim.attributed,
        "citesAsAuthority": claim.cites,
        "about": claim.about,
    }
    body.update({key: value for key, value in optional.items() if value})
    return body


def _target(span: Span) -> dict[str, Any]:
    quote: dict[str, Any] = {"type": "TextQuoteSelector", "exact": span.exact}
    if span.prefix:
        quote["prefix"] = span.prefix
    if span.suffix:
        quote["suffix"] = span.suffix
    target: dict[str, Any] = {
        "type": "SpecificResource",
        "source": str(WMR.article),
        "selector": [quote, {"type": "TextPositionSelector", "start": span.start, "end": span.end}],
    }
    if span.section:
        target["section"] = span.section
    return target


def _other_spans(kg: KnowledgeGraph, text: str) -> dict[tuple[int, int], list[dict[str, Any]]]:
    """Bodies of the spans that are no claim's: entities introduced, role-marked passages."""
    bodies: dict[tuple[int, int], list[dict[str, Any]]] = defaultdict(list)
    for row in store_asker(kg)(internal("scholarly-other-spans")).to_dicts():
        holder, quote = str(row["holder"]), str(row["quote"])
        if row["start"] is None or row["end"] is None:
            raise InputError(f"{curie(holder)}: the quote {quote[:60]!r} has no offsets: run `wmkg evidence locate`")
        start, end = int(row["start"]), int(row["end"])
        if normalised(text[start:end]) != normalised(quote):
            raise InputError(f"{curie(holder)}: offsets {start}-{end} do not give the quote {quote[:60]!r}")
        body: dict[str, Any] = {"id": holder}
        if row["label"] is not None:
            body["label"] = str(row["label"])
        if row["role"] is not None:
            body["passageRole"] = str(row["role"])
        if body not in bodies[(start, end)]:
            bodies[(start, end)].append(body)
    return bodies


def annotation_collection(kg: KnowledgeGraph) -> dict[str, Any]:
    """Every quoted span of the article as one ``AnnotationCollection`` with one page of annotations."""
    text = kg.project.article_text()
    ask = store_asker(kg)
    dataset = dataset_info(ask)
    claims = load_claims(ask, text, kg.project.root)
    by_span: dict[tuple[int, int], list[ClaimRecord]] = defaultdict(list)
    for claim in claims:
        for span in claim.spans:
            by_span[(span.start, span.end)].append(claim)
    others = _other_spans(kg, text)
    sections = {(s.start, s.end): s for claim in claims for s in claim.spans}
    items = []
    for key in sorted(set(by_span) | set(others)):
        span = sections.get(key) or span_at(text, *key)
        items.append(_annotation(span, by_span.get(key, []), others.get(key, []), dataset))
    collection_id = ANNOTATION_BASE.rstrip("/")
    return {
        "@context": [ANNO_CONTEXT, CONTEXT],
        "id": collection_id,
        "type": "AnnotationCollection",
        "label": f"Every quote of “{dataset.article_title}” in {dataset.title}, version {dataset.version}",
        "total": len(items),
        "first": {"id": collection_id + "/page-1", "type": "AnnotationPage", "startIndex": 0, "items": items},
    }


def _annotation(
    span: Span, claims: list[ClaimRecord], others: list[dict[str, Any]], dataset: DatasetInfo
) -> dict[str, Any]:
    bodies: list[dict[str, Any]] = []
    motivations = []
    if claims:
        motivations.append("linking")
        for claim in claims:
            words = f"{claim_statement(claim)} ({how_certain(claim)})"
            bodies.append({"type": "TextualBody", "purpose": "describing", "value": words, "format": "text/plain"})
            bodies.append(claim_body(claim))
    if any("passageRole" not in body for body in others):
        motivations.append("identifying")
    if any("passageRole" in body for body in others):
        motivations.append("classifying")
    bodies.extend(others)
    return {
        "id": annotation_id(span),
        "type": "Annotation",
        "motivation": motivations[0] if len(motivations) == 1 else motivations,
        "creator": {"type": "Organization", "name": dataset.creator},
        "rights": dataset.license,
        "body": bodies,
        "target": _target(span),
    }


def to_web_annotation_json(kg: KnowledgeGraph) -> str:
    """The collection as JSON-LD text (``wmkg export -f web-annotation``)."""
    return json.dumps(annotation_collection(kg), ensure_ascii=False, indent=1) + "\n"


__all__ = ["ANNOTATION_BASE", "ANNO_CONTEXT", "annotation_collection", "claim_body", "to_web_annotation_json"]
