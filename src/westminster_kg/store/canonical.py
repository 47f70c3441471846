"""Blank-node labels for dumps: RDFC-1.0 when its work is bounded, a linear fallback otherwise.

RDFC-1.0 (W3C RDF Dataset Canonicalization) labels blank nodes from the graph's shape alone, so the
same graph gives the same bytes and SHA-256 on every load. Its cost is linear for the blank nodes it
tells apart by their own statements ("first degree", RDFC-1.0 §4.6) and grows exponentially with
groups of blank nodes it cannot tell apart: a clique of 10 blank nodes (90 triples) kept Oxigraph
busy for over 90 s, holding the GIL. So the work is estimated first, in linear time, from what
RDFC-1.0 itself looks at:

1. each blank node's first-degree signature (its quads, itself written ``_:a`` and every other blank
   node ``_:z``): a node whose signature is unique is named at once;
2. the rest ("ambiguous") are joined into groups by the quads they share. Around one node, RDFC-1.0
   tries every order of a set of look-alike neighbours (same signature, position and predicate);
   where no node of a group has two look-alikes there is one order, and a group of ``c`` nodes
   mentioned ``m`` times costs about ``c² · m`` (a long chain is the worst: 400 nodes in a cycle
   took 10 s); where some node has, the orders multiply through the group, so only groups of at
   most ``MAX_ORDERED_GROUP`` nodes are estimated, at ``c! · c · m``, and a larger one is over any
   bound (a cube of 16 took 1.6 s, a complete bipartite graph of 12 took 20 s).

When the sum over the groups is within ``WORK_BOUND`` (about a second on pyoxigraph 0.5 here,
~0.1 µs a step: ``benchmarks/export_hostile.py``), Oxigraph's RDFC-1.0 names every blank node.
Otherwise the fallback: blank nodes are numbered in the order of their first-degree signature, ties
in load order. That is linear and keeps every triple, but the labels of look-alike nodes, and so
the bytes, may differ between loads; ``BlankNodesNotCanonical`` says so. The curated graph
estimates at about 24,000 steps, found in 0.1 s (its look-alikes are members of OWL lists: chains,
no two alike around one node), and ``wmkg import`` gives imported blank nodes IRIs
(``westminster_kg.import_rules.skolemised``), so only a file placed in ``imports/`` by hand can get
there.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx
import pyoxigraph as ox

WORK_BOUND = 10_000_000
MAX_ORDERED_GROUP = 7  # a 7-clique, the worst group of 7, took 0.3 s; an 8-clique 3.3 s


class BlankNodesNotCanonical(UserWarning):
    """A dump whose blank nodes were numbered by the fallback, not by RDFC-1.0 (see the module)."""


@dataclass(frozen=True)
class Labelled:
    """Quads with their blank nodes named, and how."""

    quads: list[ox.Quad]
    canonical: bool  # named by RDFC-1.0 (the same on every load) or by the fallback
    work: int  # the estimate of RDFC-1.0's n-degree steps (past the bound: where counting stopped)
    ambiguous: int  # blank nodes RDFC-1.0 cannot name by their own statements
    over: int = 0  # blank nodes in the group whose estimate passed the bound (fallback only)
    graphs: tuple[str, ...] = ()  # the named graphs holding that group (fallback only)


def _mentions(quads: list[ox.Quad]) -> dict[ox.BlankNode, list[ox.Quad]]:
    """Each blank node with the quads that mention it, in load order."""
    mentions: dict[ox.BlankNode, list[ox.Quad]] = defaultdict(list)
    for quad in quads:
        for node in {t for t in (quad.subject, quad.object, quad.graph_name) if isinstance(t, ox.BlankNode)}:
            mentions[node].append(quad)
    return mentions


def _signatures(mentions: dict[ox.BlankNode, list[ox.Quad]]) -> dict[ox.BlankNode, bytes]:
    """Each blank node's first-degree signature (RDFC-1.0 §4.6, with SHA-256 over sorted N-Quads)."""

    def written(term: object, node: ox.BlankNode) -> str:
        if isinstance(term, ox.BlankNode):
            return "_:a" if term == node else "_:z"
        return "" if isinstance(term, ox.DefaultGraph) else str(term)

    signatures = {}
    for node, quads in mentions.items():
        lines = sorted(" ".join(written(term, node) for term in quad) for quad in quads)
        signatures[node] = hashlib.sha256("\n".join(lines).encode()).digest()
    return signatures


def rdfc_work(quads: list[ox.Quad], bound: int = WORK_BOUND) -> tuple[int, set[ox.BlankNode], set[ox.BlankNode]]:
    """The estimate of RDFC-1.0's n-degree work on ``quads`` (see the module docstring).

    Returns:
        (work, the ambiguous blank nodes, the group whose estimate passed the bound or an empty set);
        counting stops at that group, so a hostile graph costs no more than a benign one to estimate.
    """
    mentions = _mentions(quads)
    signatures = _signatures(mentions)
    seen: dict[bytes, int] = defaultdict(int)
    for signature in signatures.values():
        seen[signature] += 1
    ambiguous = {node for node, signature in signatures.items() if seen[signature] > 1}
    groups = nx.Graph()
    groups.add_nodes_from(ambiguous)
    look_alikes: dict[ox.BlankNode, int] = {}
    for node in ambiguous:
        neighbours: dict[tuple[str, str, bytes], set[ox.BlankNode]] = defaultdict(set)
        for quad in mentions[node]:
            for position, term in (("s", quad.subject), ("o", quad.object), ("g", quad.graph_name)):
                if isinstance(term, ox.BlankNode) and term != node and term in ambiguous:
                    groups.add_edge(node, term)
                    predicate = "" if position == "g" else quad.predicate.value
                    neighbours[(position, predicate, signatures[term])].add(term)
        look_alikes[node] = max((len(n) for n in neighbours.values()), default=1)
    work = 0
    over: set[ox.BlankNode] = set()
    for group in nx.connected_components(groups):
        size, mentioned = len(group), sum(len(mentions[node]) for node in group)
        if all(look_alikes[node] == 1 for node in group):
            work += size * size * mentioned
        elif size <= MAX_ORDERED_GROUP:
            work += math.factorial(size) * size * mentioned
        else:
            work = bound + 1
        if work > bound:
            over = set(group)
            break
    return work, ambiguous, over


def name_blank_nodes(quads: Iterable[ox.Quad], bound: int = WORK_BOUND) -> Labelled:
    """``quads`` with blank nodes named by RDFC-1.0 when its estimated work is within ``bound``, else
    numbered by first-degree signature (ties in load order: not the same on every load)."""
    quads = list(quads)
    work, ambiguous, over = rdfc_work(quads, bound)
    if not over:
        dataset = ox.Dataset(quads)
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        return Labelled(list(dataset), True, work, len(ambiguous))
    mentions = _mentions(quads)
    signatures = _signatures(mentions)
    order = {node: index for index, node in enumerate(mentions)}  # load order, for ties
    ranked = sorted(mentions, key=lambda node: (signatures[node], order[node]))
    names = {node: ox.BlankNode(f"b{index}") for index, node in enumerate(ranked)}
    graphs = sorted({q.graph_name.value for n in over for q in mentions[n] if isinstance(q.graph_name, ox.NamedNode)})
    relabelled = [ox.Quad(*(names.get(t, t) if isinstance(t, ox.BlankNode) else t for t in q)) for q in quads]
    return Labelled(relabelled, False, work, len(ambiguous), len(over), tuple(graphs))


__all__ = ["MAX_ORDERED_GROUP", "WORK_BOUND", "BlankNodesNotCanonical", "Labelled", "name_blank_nodes", "rdfc_work"]
