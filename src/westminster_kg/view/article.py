"""The article with its evidence: every quote that supports a claim is a ``<mark data-claim>``.

The whole text is shown line by line (a line of the source file is a paragraph). Claim quotes are
placed by their ``oa:TextPositionSelector`` offsets; where quotes overlap, the text is cut at every
boundary and each piece carries one nested ``<mark>`` per claim covering it, so every claim has
marks of its own. Body paragraphs that hold no evidence at all (the coverage figure of
``wmkg coverage``) are marked as such. All text is escaped with MarkupSafe; the claim details are
JSON data rendered by the page's script with ``textContent``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from westminster_kg.evidence import coverage_report
from westminster_kg.internal_queries import internal_query
from westminster_kg.namespaces import WMR, curie, local_name

if TYPE_CHECKING:
    from westminster_kg.knowledge_graph import KnowledgeGraph


STANCE_CLASSES = {
    "wm:AuthorArgument": "author",
    "wm:ActorClaim": "actor",
    "wm:CitedLiterature": "cited",
    "wm:ArticleData": "data",
}
RELATION_CLASSES = {
    "wm:erodes": "erodes",
    "wm:institutionalises": "institutionalises",
    "wm:claimsContinuity": "continuity",
}


@dataclass
class _Claim:
    iri: str
    subject: str
    relation: str
    obj: str
    label: str = ""
    quotes: list[str] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)
    section: str = ""
    details: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))


def _claims(kg: KnowledgeGraph) -> dict[str, _Claim]:
    claims: dict[str, _Claim] = {}
    for claim, subject, relation, obj, start, end, quote, section, label in kg.store.query(
        internal_query("article-claim-spans")
    ).rows:
        # A proposition has no triple: its label says what it claims.
        parts = [str(x) if x is not None else "" for x in (subject, relation, obj)]
        item = claims.setdefault(str(claim), _Claim(str(claim), *parts, label=str(label or "")))
        if str(quote) not in item.quotes:
            item.quotes.append(str(quote))
        if start is not None and end is not None and str(start).isdigit() and str(end).isdigit():
            span = (int(start), int(end))
            if span not in item.spans:
                item.spans.append(span)
        if section is not None:
            item.section = str(section)
    for claim, key, value, value_label in kg.store.query(internal_query("article-claim-details")).rows:
        if str(claim) in claims:
            text = (
                str(value_label)
                if value_label is not None
                else (str(value) if not hasattr(value, "n3") or key.value == "cue" else local_name(str(value)))
            )
            pair = (str(value), text)
            if pair not in claims[str(claim)].details[str(key)]:
                claims[str(claim)].details[str(key)].append(pair)
    return claims


def slug(iri: str) -> str:
    """The anchor of a ``wmr:`` IRI (its slug); other IRIs keep their last segment."""
    return iri[len(str(WMR)) :] if iri.startswith(str(WMR)) else local_name(iri)


def _marked(text: str, offset: int, covering: list[tuple[int, int, _Claim]], anchored: set[str]) -> Markup:
    """``text`` (starting at ``offset`` in the article) with nested marks for the claim spans in it."""
    cuts = {0, len(text)}
    for start, end, _claim in covering:
        cuts.update((max(start - offset, 0), min(end - offset, len(text))))
    points = sorted(c for c in cuts if 0 <= c <= len(text))
    out = []
    for a, b in zip(points, points[1:], strict=False):
        if a == b:
            continue
        inner: Markup = escape(text[a:b])
        here = [c for s, e, c in covering if s - offset <= a and e - offset >= b]
        # Innermost first when wrapping: the shortest span is the most specific claim.
        for claim in sorted(here, key=lambda c: (min(e - s for s, e in c.spans), c.iri)):
            stance = next((v for v, _ in claim.details.get("stance", [])), "")
            modality = next((v for v, _ in claim.details.get("modality", [])), "")
            classes = [
                "rel-" + RELATION_CLASSES.get(curie(claim.relation), "other"),
                "stance-" + STANCE_CLASSES.get(curie(stance), "other"),
            ]
            if curie(modality) in ("wm:Hedged", "wm:Possible", "wm:Questioned"):
                classes.append("weak")
            anchor = ""
            if claim.iri not in anchored:
                anchored.add(claim.iri)
                anchor = Markup(' id="{}" tabindex="0"').format(slug(claim.iri))
            inner = Markup('<mark data-claim="{}" class="{}"{}>{}</mark>').format(
                claim.iri, " ".join(classes), anchor, inner
            )
        out.append(inner)
    return Markup("").join(out)


def article_context(kg: KnowledgeGraph, *, entity_base: str | None = "/id/") -> dict[str, Any]:
    """What ``templates/article.html`` needs: sections, paragraphs with marks, claim data, figures."""
    report, text = coverage_report(kg)
    sections = sorted(
        (
            (int(start), int(end), str(iri), str(label))
            for iri, label, start, end, _o in kg.store.query(internal_query("coverage-sections")).rows
        )
    )
    uncovered = {p.start for p in report.uncovered}
    claims = _claims(kg)
    labels = {str(t): str(label) for t, label in kg.store.query(internal_query("article-labels")).rows}
    by_line: list[tuple[int, int, _Claim]] = sorted(
        ((s, e, c) for c in claims.values() for s, e in c.spans), key=lambda t: (t[0], -t[1], t[2].iri)
    )
    heads = {start: (iri, label) for start, _end, iri, label in sections}
    anchored: set[str] = set()
    blocks = []
    offset = 0
    for line in text.split("\n"):
        start, end = offset, offset + len(line)
        offset = end + 1
        if not line.strip():
            continue
        lead = len(line) - len(line.lstrip())
        covering = [(s, e, c) for s, e, c in by_line if s < end and e > start + lead]
        if start in heads:
            iri, _label = heads[start]
            html = _marked(line[lead:].rstrip(), start + lead, covering, anchored)
            blocks.append({"kind": "heading", "id": slug(iri), "html": html})
            continue
        blocks.append(
            {
                "kind": "paragraph",
                "html": _marked(line[lead:], start + lead, covering, anchored),
                "uncovered": (start + lead) in uncovered,
                "marked": bool(covering),
            }
        )

    def page(iri: str) -> str:
        return entity_base + slug(iri) if entity_base and iri.startswith(str(WMR)) else ""

    data = {}
    for claim in claims.values():
        data[claim.iri] = {
            "proposition": claim.label if not claim.relation else "",
            "subject": {"label": labels.get(claim.subject, local_name(claim.subject)), "page": page(claim.subject)},
            "relation": labels.get(claim.relation, local_name(claim.relation)),
            "object": {"label": labels.get(claim.obj, local_name(claim.obj)), "page": page(claim.obj)},
            "stance": ", ".join(t for _, t in claim.details.get("stance", [])),
            "modality": ", ".join(t for _, t in claim.details.get("modality", [])),
            "cue": ", ".join(t for _, t in claim.details.get("cue", [])),
            "cites": [{"label": t, "page": page(v)} for v, t in claim.details.get("cites", [])],
            "attributed": ", ".join(t for _, t in claim.details.get("attributed", [])),
            "section": labels.get(claim.section, ""),
            "quotes": claim.quotes,
            "page": page(claim.iri),
        }
    unplaced = sorted(c.iri for c in claims.values() if c.iri not in anchored)
    return {
        "blocks": blocks,
        "toc": [{"id": slug(iri), "label": label} for _s, _e, iri, label in sections],
        "claims": data,
        "covered": report.covered,
        "total": report.total,
        "share": report.share,
        "claim_count": len(claims),
        "quote_count": sum(len(c.quotes) for c in claims.values()),
        "unplaced": [
            {
                "iri": i,
                "label": data[i]["proposition"]
                or f"{data[i]['subject']['label']} {data[i]['relation']} {data[i]['object']['label']}",
            }
            for i in unplaced
        ],
    }


def render_article(kg: KnowledgeGraph, *, navigation: bool = True) -> str:
    """The article reader page (``/article``)."""
    from westminster_kg.view.network_app import _inline_safe, json_for_script, static_text
    from westminster_kg.view.pages import render_page

    context = article_context(kg, entity_base="/id/" if navigation else None)
    claims_json = json_for_script(context.pop("claims"))
    script = _inline_safe(static_text("article.js"), "script")
    return render_page(
        "article.html",
        navigation=navigation,
        title="The article with its evidence",
        claims_json=claims_json,
        script=script,
        **context,
    )


__all__ = ["article_context", "render_article", "slug"]
