"""The article with its evidence: every quote that supports a claim is a ``<mark data-claim>``.

The whole text is shown line by line (a line of the source file is a paragraph). Claim quotes are
placed by their ``oa:TextPositionSelector`` offsets; where quotes overlap, the text is cut at every
boundary and each piece carries one nested ``<mark>`` per claim covering it, so every claim has
marks of its own. Body paragraphs that hold no evidence at all (the coverage figure of
``wmkg coverage``) are marked as such. Each body sentence (``westminster_kg.sentences``) is a
``<span class="wmkg-s" data-state>`` in one of three states: claim-backed, role-marked (its role and
the reason given, ``data-role`` and ``data-reason``) or untriaged, as ``wmkg coverage --sentences``
counts them. All text is escaped with MarkupSafe; the claim details are JSON data rendered by the
page's script with ``textContent``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from westminster_kg.evidence import coverage_report, leftovers
from westminster_kg.internal_queries import internal_query
from westminster_kg.namespaces import WMR, curie, local_name
from westminster_kg.sentences import PassageRow, Sentence, body_sentences, sentence_inputs, triage
from westminster_kg.view.style import human_name

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
    """``text`` (starting at ``offset`` in the article) with nested marks for the claim spans in it.

    Conversion leftovers ("[bookmark: n84]") are cut out of what is shown; every offset stays the
    source file's, so each mark covers exactly its quote's characters.
    """
    cuts = {0, len(text)}
    for start, end, _claim in covering:
        cuts.update((max(start - offset, 0), min(end - offset, len(text))))
    hidden = leftovers(text)
    for start, end in hidden:
        cuts.update((start, end))
    points = sorted(c for c in cuts if 0 <= c <= len(text))
    out = []
    for a, b in zip(points, points[1:], strict=False):
        if a == b or any(start <= a and b <= end for start, end in hidden):
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


STATE_WORDS = {"claim": "claim-backed", "role": "role-marked", "untriaged": "untriaged"}


@dataclass
class _Sentences:
    """The body sentences with their triage state, and the role-marked ones' passages."""

    spans: list[Sentence]
    states: dict[tuple[int, int], str]
    passages: dict[tuple[int, int], PassageRow]


def _sentences(kg: KnowledgeGraph, text: str) -> _Sentences:
    sections, spans, passages, _triaged = sentence_inputs(kg.store)
    result = triage(text, sections, spans, [(p.start, p.end) for p in passages])
    return _Sentences(body_sentences(text, sections), result.states, {(p.start, p.end): p for p in passages})


def _sentence_open(sentence: Sentence, state: str, passage: PassageRow | None) -> Markup:
    """The opening tag of one sentence's span: its state, and a role-marked sentence's role and reason."""
    if state == "role" and passage is not None:
        role = human_name(passage.role).lower()
        return Markup(
            '<span class="wmkg-s wmkg-s-role" data-state="role" data-start="{}" data-end="{}" data-role="{}" '
            'data-role-label="{}" data-reason="{}" title="{}: {}" tabindex="0">'
        ).format(sentence.start, sentence.end, curie(passage.role), role, passage.reason, role, passage.reason)
    return Markup('<span class="wmkg-s wmkg-s-{}" data-state="{}" data-start="{}" data-end="{}"{}>').format(
        state,
        state,
        sentence.start,
        sentence.end,
        Markup(' title="Untriaged: no claim quotes all of it and no role is given"') if state == "untriaged" else "",
    )


def _paragraph(
    text: str, offset: int, covering: list[tuple[int, int, _Claim]], anchored: set[str], sentences: _Sentences
) -> Markup:
    """A paragraph's text with its marks, each body sentence in it wrapped in its state's span.

    A quote that runs over two sentences is cut at the boundary: one mark in each sentence, both for
    the same claim (the first keeps the claim's anchor).
    """
    end = offset + len(text)
    out: list[Markup] = []
    cursor = offset
    for sentence in sentences.spans:
        if sentence.end <= offset or sentence.start >= end:
            continue
        a, b = max(sentence.start, offset), min(sentence.end, end)
        if a > cursor:
            out.append(_marked(text[cursor - offset : a - offset], cursor, covering, anchored))
        key = (sentence.start, sentence.end)
        state = sentences.states.get(key, "untriaged")
        inner = _marked(text[a - offset : b - offset], a, covering, anchored)
        out.append(_sentence_open(sentence, state, sentences.passages.get(key)) + inner + Markup("</span>"))
        cursor = b
    if cursor < end:
        out.append(_marked(text[cursor - offset :], cursor, covering, anchored))
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
    claims = _claims(kg)
    labels = {str(t): str(label) for t, label in kg.store.query(internal_query("article-labels")).rows}
    sentences = _sentences(kg, text)
    anchored: set[str] = set()  # the claims whose first mark is placed (it carries their anchor)
    blocks = _blocks(text, sections, claims, {p.start for p in report.uncovered}, sentences, anchored)
    data = {claim.iri: _claim_panel(claim, labels, entity_base) for claim in claims.values()}
    unplaced = sorted(c.iri for c in claims.values() if c.iri not in anchored)
    return {
        "blocks": blocks,
        "toc": [{"id": slug(iri), "label": label} for _s, _e, iri, label in sections],
        "claims": data,
        "covered": report.covered,
        "total": report.total,
        "share": report.share,
        "sentence_counts": {
            STATE_WORDS[state]: sum(1 for v in sentences.states.values() if v == state) for state in STATE_WORDS
        },
        "sentence_total": len(sentences.states),
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


def _blocks(
    text: str,
    sections: list[tuple[int, int, str, str]],
    claims: dict[str, _Claim],
    uncovered: set[int],
    sentences: _Sentences,
    anchored: set[str],
) -> list[dict[str, Any]]:
    """The article line by line as headings and paragraphs, with their marks; each claim's first mark
    takes its anchor (and the claim joins ``anchored``)."""
    by_line: list[tuple[int, int, _Claim]] = sorted(
        ((s, e, c) for c in claims.values() for s, e in c.spans), key=lambda t: (t[0], -t[1], t[2].iri)
    )
    heads = {start: (iri, label) for start, _end, iri, label in sections}
    blocks = []
    offset = 0
    for line in text.split("\n"):
        start, end = offset, offset + len(line)
        offset = end + 1
        if not line.strip():
            continue
        lead = len(line) - len(line.lstrip())
        covering = [(s, e, c) for s, e, c in by_line if s < end and e > start + lead]
        section_here = heads.get(start)
        if section_here is not None:
            iri, label = section_here
            # The line is the heading when it prints the section's label, or is the article's title.
            if " ".join(line.split()) == " ".join(label.split()) or start == 0:
                html = _marked(line[lead:].rstrip(), start + lead, covering, anchored)
                blocks.append({"kind": "heading", "id": slug(iri), "html": html})
                continue
            # A section whose heading the text does not print (the introduction): its label as the
            # heading (which carries the anchor), and its first line stays the paragraph it is.
            blocks.append({"kind": "heading", "id": slug(iri), "html": Markup("{}").format(label)})
            section_here = None
        blocks.append(
            {
                "kind": "paragraph",
                "id": slug(section_here[0]) if section_here is not None else "",
                "html": _paragraph(line[lead:], start + lead, covering, anchored, sentences),
                "uncovered": (start + lead) in uncovered,
                "marked": bool(covering),
            }
        )
    return blocks


def _claim_panel(claim: _Claim, labels: dict[str, str], entity_base: str | None) -> dict[str, Any]:
    """What the panel of one claim shows: its triple (or proposition), stance, modality and cue,
    cited works, who it is attributed to, its section and quotes, with links to the entities' pages."""

    def page(iri: str) -> str:
        return entity_base + slug(iri) if entity_base and iri.startswith(str(WMR)) else ""

    return {
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


def render_article(kg: KnowledgeGraph, *, navigation: bool = True) -> str:
    """The article reader page (``/article``)."""
    from westminster_kg.view.network_app import json_for_script
    from westminster_kg.view.pages import render_page
    from westminster_kg.view.templates import _inline_safe, static_text

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
