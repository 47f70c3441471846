"""Graph comparisons for tests: isomorphism by RDFC-1.0 canonical naming in Oxigraph.

rdflib's ``isomorphic`` canonicalises both graphs in Python on every call: seconds for an entity's
description with a few hundred blank nodes (and 18 GB for two trees of look-alikes, tests/test_canonical.py).
Oxigraph names the blank nodes of the same graph in milliseconds; two graphs are isomorphic exactly when
their canonical forms are the same set of triples.
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Graph


def canonical_triples(graph: Graph) -> frozenset[ox.Quad]:
    """``graph``'s triples with its blank nodes named by RDFC-1.0: equal sets for isomorphic graphs only."""
    dataset = ox.Dataset(ox.parse(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return frozenset(dataset)


def isomorphic(first: Graph, second: Graph) -> bool:
    """Whether the two graphs are the same up to the names of their blank nodes."""
    return len(first) == len(second) and canonical_triples(first) == canonical_triples(second)
