"""The argument map as the Argument Interchange Format (AIF) JSON that AIFdb and OVA read.

Claims are I-nodes; each ``wm:supports`` is an RA node (a reified ``wm:Inference`` is one RA node for
all its premises), each ``wm:attacks`` a CA node, each ``wm:concedes`` a CA node marked "Concession"
(from the conceded claim to the claim made despite it), each ``wm:restates`` an MA node. An I-node's
text is its claim's quotes in article order, joined by ``JOIN`` — the article's own words only.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from westminster_kg.internal_queries import internal_query
from westminster_kg.namespaces import WM, WMR

if TYPE_CHECKING:
    from westminster_kg.knowledge_graph import KnowledgeGraph

JOIN = " […] "
# relation → (AIF node type, node text); the edge runs from the first end to the second.
SCHEMES = {
    str(WM.supports): ("RA", "Default Inference"),
    str(WM.attacks): ("CA", "Default Conflict"),
    str(WM.concedes): ("CA", "Concession"),
    str(WM.restates): ("MA", "Default Rephrase"),
}


def _node_id(iri: str) -> str:
    return iri[len(str(WMR)) :] if iri.startswith(str(WMR)) else iri


def aif_document(kg: KnowledgeGraph) -> dict:
    """The argument map as an AIF document: ``nodes``, ``edges``, ``locutions``, ``participants``."""
    quotes: dict[str, list[str]] = {}
    for claim, quote, _start in kg.store.query(internal_query("argument-claim-quotes")).rows:
        texts = quotes.setdefault(str(claim), [])
        if str(quote) not in texts:
            texts.append(str(quote))
    nodes: dict[str, dict] = {}
    edges: list[dict] = []

    def i_node(iri: str) -> str:
        key = _node_id(iri)
        if key not in nodes:
            nodes[key] = {"nodeID": key, "text": JOIN.join(quotes.get(iri, [])), "type": "I"}
        return key

    def link(source: str, target: str) -> None:
        edges.append({"edgeID": f"e{len(edges) + 1}", "fromID": source, "toID": target})

    rows = [tuple(map(_text, row)) for row in kg.store.query(internal_query("argument-edges")).rows]
    # A supports edge that an inference reifies is drawn once, through the inference's RA node.
    reified = {(source, target) for source, _relation, target, inference in rows if inference}
    inferences: dict[str, str] = {}
    for source, relation, target, inference in rows:
        if not inference and relation == str(WM.supports) and (source, target) in reified:
            continue
        kind, text = SCHEMES[relation]
        # wm:concedes runs from the claim made to the point granted; in AIF the granted point conflicts.
        start, end = (target, source) if relation == str(WM.concedes) else (source, target)
        if inference:
            s_node = inferences.get(inference)
            if s_node is None:
                s_node = inferences[inference] = _node_id(inference)
                nodes[s_node] = {"nodeID": s_node, "text": text, "type": kind}
                link(s_node, i_node(end))
            link(i_node(start), s_node)
            continue
        s_node = f"{kind.lower()}-{len(nodes) + 1}"
        nodes[s_node] = {"nodeID": s_node, "text": text, "type": kind}
        link(i_node(start), s_node)
        link(s_node, i_node(end))
    return {"nodes": list(nodes.values()), "edges": edges, "locutions": [], "participants": []}


def _text(term: object) -> str:
    return "" if term is None else str(term)


def to_aif_json(kg: KnowledgeGraph) -> str:
    """The AIF document as JSON text (``wmkg export -f aif``)."""
    return json.dumps(aif_document(kg), ensure_ascii=False, indent=1) + "\n"


__all__ = ["JOIN", "aif_document", "to_aif_json"]
