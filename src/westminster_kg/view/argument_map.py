"""The argument map page (``/argument``): from the thesis and the verdict down to premises and their quotes.

The map is drawn as an outline, one tree per root: under each claim, the claims that bear on it —
those that support, attack or restate it, and the points it concedes — each with its own quotes,
stance and modality, and links to its place in the article (``/article#claim-…``) and to its page.
Every argument relation of the graph is drawn exactly once, as one ``<li>`` carrying its two ends and
its relation (``data-from``, ``data-relation``, ``data-to``), which is what the browser test reads
back and compares with the graph. A claim that bears on several others is drawn in full the first
time and as a link to that place afterwards, so the map stays finite and every edge is still drawn.
Relations that reach neither root are drawn after the roots, from the claims they end in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from westminster_kg.internal_queries import internal_query
from westminster_kg.namespaces import WM, WMR

if TYPE_CHECKING:
    from westminster_kg.knowledge_graph import KnowledgeGraph

# How a relation reads from the claim drawn below to the claim above it ("↑ supports").
RELATION_WORDS = {
    "supports": "supports",
    "attacks": "attacks",
    "restates": "restates",
    "concedes": "is conceded by",  # drawn under the claim that concedes it: the point granted
}


@dataclass
class ClaimInfo:
    """What the map shows of one claim."""

    iri: str
    label: str = ""
    quotes: list[str] = field(default_factory=list)
    stance: str = ""
    modality: str = ""
    modality_iri: str = ""
    cue: str = ""
    section: str = ""

    @property
    def slug(self) -> str:
        """The claim's anchor in the article and its page name."""
        return self.iri[len(str(WMR)) :] if self.iri.startswith(str(WMR)) else self.iri

    @property
    def tentative(self) -> bool:
        """Whether the article words it with less than full certainty."""
        return self.modality_iri not in ("", str(WM.Asserted))


@dataclass(frozen=True)
class Edge:
    """One argument relation, as stored: ``source relation target`` (``relation`` a local name)."""

    source: str
    relation: str
    target: str


@dataclass
class ArgumentMap:
    """The claims and relations of the argument, and its roots (``("thesis", iri)``, …)."""

    claims: dict[str, ClaimInfo]
    edges: list[Edge]
    roots: list[tuple[str, str]]
    connectives: dict[tuple[str, str], list[str]]  # (premise, conclusion) → the inference's words


def argument_map(kg: KnowledgeGraph) -> ArgumentMap:
    """The argument map of ``kg``, read with the package's internal queries."""
    claims: dict[str, ClaimInfo] = {}
    rows = kg.store.query(internal_query("argument-claims")).rows
    for claim, label, stance, modality, modality_label, cue, section, _start in rows:
        info = claims.setdefault(str(claim), ClaimInfo(str(claim)))
        info.label = info.label or _text(label)
        info.stance = info.stance or _text(stance)
        info.modality = info.modality or _text(modality_label)
        info.modality_iri = info.modality_iri or _text(modality)
        info.cue = info.cue or _text(cue)
        info.section = info.section or _text(section)  # the first quote's, in article order
    for claim, quote, _start in kg.store.query(internal_query("argument-claim-quotes")).rows:
        info = claims.setdefault(str(claim), ClaimInfo(str(claim)))
        if str(quote) not in info.quotes:
            info.quotes.append(str(quote))
    edges: list[Edge] = []
    connectives: dict[tuple[str, str], list[str]] = {}
    inference_words: dict[str, list[str]] = {}
    for inference, quote in kg.store.query(internal_query("argument-inference-quotes")).rows:
        inference_words.setdefault(str(inference), []).append(str(quote))
    for source, relation, target, inference in kg.store.query(internal_query("argument-edges")).rows:
        if inference is not None:  # the reified inference: its premise also supports its conclusion directly
            connectives.setdefault((str(source), str(target)), []).extend(inference_words.get(str(inference), []))
            continue
        edge = Edge(str(source), str(relation).rsplit("#", 1)[-1], str(target))
        if edge not in edges:
            edges.append(edge)
    roots = [(str(name), str(claim)) for name, claim in kg.store.query(internal_query("argument-roots")).rows]
    return ArgumentMap(claims, edges, roots, connectives)


def _text(term: Any) -> str:
    return "" if term is None else str(term)


def _below(edges: list[Edge]) -> dict[str, list[tuple[Edge, str]]]:
    """For each claim, the relations drawn under it and the claim each one draws there."""
    below: dict[str, list[tuple[Edge, str]]] = {}
    for edge in edges:
        if edge.relation == "concedes":  # the point granted is drawn under the claim that grants it
            below.setdefault(edge.source, []).append((edge, edge.target))
        else:
            below.setdefault(edge.target, []).append((edge, edge.source))
    return below


def outline(amap: ArgumentMap) -> list[dict[str, Any]]:
    """The map as trees for the template: the roots first, then what reaches neither root."""
    below = _below(amap.edges)
    expanded: set[str] = set()

    def node(claim: str, edge: Edge | None, depth: int) -> dict[str, Any]:
        item: dict[str, Any] = {"claim": amap.claims.get(claim, ClaimInfo(claim)), "edge": edge, "depth": depth}
        if edge is not None:
            item["words"] = RELATION_WORDS[edge.relation]
            item["connective"] = amap.connectives.get((edge.source, edge.target), [])
        if claim in expanded:
            item["reference"] = True
            item["children"] = []
            return item
        expanded.add(claim)
        item["reference"] = False
        item["children"] = [node(other, e, depth + 1) for e, other in sorted(below.get(claim, []), key=_order)]
        return item

    trees = [{"root": name, **node(claim, None, 0)} for name, claim in amap.roots]
    # What reaches neither root: start from the claims that bear on nothing further.
    bearing = {e.source for e in amap.edges if e.relation != "concedes"} | {
        e.target for e in amap.edges if e.relation == "concedes"
    }
    pending = [c for c in below if c not in expanded]
    for claim in sorted(pending, key=lambda c: (c in bearing, c)):
        if claim not in expanded:
            trees.append({"root": "", **node(claim, None, 0)})
    return trees


def _order(pair: tuple[Edge, str]) -> tuple[int, str]:
    edge, other = pair
    return (["supports", "restates", "concedes", "attacks"].index(edge.relation), other)


def drawn_edges(trees: list[dict[str, Any]]) -> list[Edge]:
    """Every relation the outline draws (each exactly once, by construction)."""
    out: list[Edge] = []
    stack = list(trees)
    while stack:
        item = stack.pop()
        if item.get("edge") is not None:
            out.append(item["edge"])
        stack.extend(item["children"])
    return out


def render_argument(kg: KnowledgeGraph, *, navigation: bool = True) -> str:
    """The ``/argument`` page."""
    from westminster_kg.view.pages import render_page

    amap = argument_map(kg)
    trees = outline(amap)
    counts = {relation: sum(1 for e in amap.edges if e.relation == relation) for relation in RELATION_WORDS}
    involved = {e.source for e in amap.edges} | {e.target for e in amap.edges}
    return render_page(
        "argument.html",
        navigation=navigation,
        title="The argument map",
        trees=trees,
        counts=counts,
        relations=len(amap.edges),
        claims=len(involved),
    )


__all__ = ["ArgumentMap", "ClaimInfo", "Edge", "argument_map", "drawn_edges", "outline", "render_argument"]
