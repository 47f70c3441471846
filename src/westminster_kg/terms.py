"""Terms between pyoxigraph and rdflib: one conversion for every layer that holds both."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from westminster_kg.errors import StoreError

_XSD_STRING = str(XSD.string)


# rdflib's Literal constructor parses the value into a Python one, and a graph of 19,000 quads has
# about 8,000 distinct terms: a query over all of it converted each term 14 times (0.34 s; 0.07 s with
# this cache). Both kinds of term are immutable, so one rdflib term can stand for every occurrence.
@lru_cache(maxsize=1 << 16)
def from_ox(term: Any) -> URIRef | BNode | Literal | None:
    """An rdflib term for a pyoxigraph term (``None`` stays ``None``)."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise StoreError(f"unsupported term from Oxigraph: {term!r}")


def to_ox(term: Node) -> Any:
    """A pyoxigraph term for an rdflib term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise StoreError(f"unsupported term: {term!r}")


__all__ = ["from_ox", "to_ox"]
