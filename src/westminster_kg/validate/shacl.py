"""SHACL on Oxigraph: the shapes of ``ontology/shapes.ttl`` checked on the store ``wmkg validate`` loaded.

pyshacl runs each SPARQL constraint once per focus node in rdflib, over an rdflib copy of the data,
after importing rdflib's SPARQL engine: most of a fresh ``wmkg validate``. Here the part of SHACL the
shapes use is checked on the store the check queries read: targets (``sh:targetClass``, a
``sh:SPARQLTarget``); property shapes with a predicate or a sequence path and ``sh:minCount``,
``sh:maxCount``, ``sh:nodeKind``, ``sh:class``, ``sh:in``, ``sh:datatype``, ``sh:minLength`` or
``sh:node``; and SPARQL-based constraints (``sh:sparql``), which Oxigraph runs with ``$this``
substituted. Each result is the one pyshacl gives, decided as pyshacl decides it (its datatype and
length rules on rdflib's literals); ``tests/test_validate_oxigraph.py`` compares the two on the invalid
examples. A shapes graph using anything else raises ``UnsupportedShapesError``, and validate hands it
to pyshacl whole (``pyshacl_results``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD
from rdflib.term import Node

from westminster_kg.namespaces import curie
from westminster_kg.store.oxigraph import from_ox

# Shape and result predicates checked here; sh:name and the like only describe.
SUPPORTED = {SH.targetClass, SH.target, SH.property, SH.sparql, SH.path, SH.message, SH.select, SH.prefixes}
SUPPORTED |= {SH.declare, SH.prefix, SH.namespace, SH.name, SH.description, SH.order, SH.group}
COUNTS = (SH.minCount, SH.maxCount)
VALUE_RULES = (SH.nodeKind, SH["class"], SH["in"], SH.datatype, SH.minLength, SH.node)
SUPPORTED |= {*COUNTS, *VALUE_RULES}
TYPES = {SH.NodeShape, SH.PropertyShape, SH.SPARQLConstraint, SH.SPARQLTarget}
# Variables pyshacl gives a meaning of its own in a SPARQL constraint's text.
SPECIAL_VARIABLES = re.compile(r"[?$](PATH|currentShape|shapesGraph|failure)\b")
THIS = ox.Variable("this")
# The data graph: the union of the store's graphs (``ProjectData.merged``: each triple once); a
# shape's query sees no named graph, as in pyshacl's single data graph.
DATA_GRAPH: dict[str, Any] = {"use_default_graph_as_union": True, "named_graphs": []}
INSTANCES = "SELECT DISTINCT ?node ?class WHERE { ?node a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* ?class }"


class UnsupportedShapesError(Exception):
    """The shapes use a part of SHACL this module does not check (pyshacl does)."""


@dataclass(frozen=True)
class ShapeResult:
    """One SHACL validation result, as validate names it.

    ``source`` and ``message`` are the innermost result's (under ``sh:node``, the shape of the nested
    node that says what is wrong), ``focus`` and ``value`` the outermost's.
    """

    focus: Node
    value: Node | None
    source: Node | None  # None: pyshacl named no shape
    message: str


def _one(shapes: Graph, subject: Node, predicate: URIRef) -> Node | None:
    values = list(shapes.objects(subject, predicate))
    if len(values) > 1:
        raise UnsupportedShapesError(f"{curie(subject)} has {len(values)} values of {curie(predicate)}")
    return values[0] if values else None


def check_supported(shapes: Graph) -> None:
    """Raise ``UnsupportedShapesError`` unless every shape uses only what this module checks."""
    for _subject, predicate, obj in shapes:
        if predicate == RDF.type and str(obj).startswith(str(SH)) and obj not in TYPES:
            raise UnsupportedShapesError(curie(obj))
        if str(predicate).startswith(str(SH)) and predicate not in SUPPORTED:
            raise UnsupportedShapesError(curie(predicate))
    properties = set(shapes.objects(None, SH.property))
    nodes = {*shapes.subjects(SH.property), *shapes.subjects(SH.sparql), *shapes.objects(None, SH.node)}
    nodes |= {*shapes.subjects(SH.targetClass), *shapes.subjects(SH.target), *shapes.subjects(RDF.type, SH.NodeShape)}
    for node in nodes - properties:
        if {OWL.Class, RDFS.Class} & set(shapes.objects(node, RDF.type)):
            raise UnsupportedShapesError(f"{curie(node)} is a class (implicit targets)")
        if any(shapes.value(node, p) is not None for p in (SH.path, SH.message, *COUNTS, *VALUE_RULES)):
            raise UnsupportedShapesError(f"{curie(node)}: constraints on a node shape itself")
    for prop in properties:
        _check_property(shapes, prop)
    for constraint in shapes.objects(None, SH.sparql):
        text, message = _one(shapes, constraint, SH.select), _one(shapes, constraint, SH.message)
        if text is None or message is None or SPECIAL_VARIABLES.search(str(text)) or re.search(r"\{[?$]", message):
            raise UnsupportedShapesError(
                f"{curie(constraint)}: a SPARQL constraint needs one select and one plain message"
            )
    for target in shapes.objects(None, SH.target):
        if (target, RDF.type, SH.SPARQLTarget) not in shapes or _one(shapes, target, SH.select) is None:
            raise UnsupportedShapesError(f"{curie(target)}: a target other than a SPARQL target")
    _check_no_cycle(shapes)


def _check_property(shapes: Graph, prop: Node) -> None:
    if any(shapes.value(prop, p) is not None for p in (SH.property, SH.sparql, SH.targetClass, SH.target)):
        raise UnsupportedShapesError(f"{curie(prop)}: a property shape with shapes or targets of its own")
    _path(shapes, prop)
    rules = [p for p in (*COUNTS, *VALUE_RULES) if _one(shapes, prop, p) is not None]
    if rules and _one(shapes, prop, SH.message) is None:
        raise UnsupportedShapesError(f"{curie(prop)} has no sh:message (pyshacl would write its own)")
    members = _one(shapes, prop, SH["in"])
    if members is not None and any(isinstance(m, Literal) for m in Collection(shapes, members)):
        raise UnsupportedShapesError(f"{curie(prop)}: literals in sh:in (rdflib and Oxigraph write them differently)")


def _check_no_cycle(shapes: Graph) -> None:
    def visit(shape: Node, path: tuple[Node, ...]) -> None:
        if shape in path:
            raise UnsupportedShapesError(f"{curie(shape)} refers to itself through sh:node")
        for prop in shapes.objects(shape, SH.property):
            for nested in shapes.objects(prop, SH.node):
                visit(nested, (*path, shape))

    for shape in {*shapes.subjects(SH.property), *shapes.objects(None, SH.node)}:
        visit(shape, ())


def _path(shapes: Graph, prop: Node) -> tuple[URIRef, ...]:
    path = _one(shapes, prop, SH.path)
    steps = tuple(Collection(shapes, path)) if isinstance(path, BNode) else (path,)
    if not steps or not all(isinstance(step, URIRef) for step in steps):
        raise UnsupportedShapesError(f"{curie(prop)}: a path other than a predicate or a sequence of predicates")
    return steps


def shape_results(shapes: Graph, store: Any, *, checked: bool = False) -> list[ShapeResult]:
    """Every SHACL result for the union of ``store``'s graphs (pyoxigraph) under ``shapes``, in a stable order.

    ``checked``: the caller already ran ``check_supported`` on these shapes (validate keeps them parsed).

    Raises:
        UnsupportedShapesError: when a shape uses a part of SHACL this module does not check.
    """
    if not checked:
        check_supported(shapes)
    engine = _Engine(shapes, store)
    targeted = {*shapes.subjects(SH.targetClass), *shapes.subjects(SH.target)}
    found = [r for shape in sorted(targeted, key=str) for r in engine.node_shape(shape, engine.targets(shape))]
    results = [ShapeResult(engine.term(f), None if v is None else engine.term(v), s, m) for f, v, s, m in found]
    return sorted(results, key=lambda r: (str(r.source), r.message, str(r.focus), str(r.value)))


_Found = tuple[Any, Any, Node, str]  # focus, value (pyoxigraph terms), source, message


class _Engine:
    """The shapes checked on one pyoxigraph store, each lookup made once."""

    def __init__(self, shapes: Graph, store: Any) -> None:
        self.shapes = shapes
        self.store = store
        self._objects: dict[URIRef, dict[Any, list[Any]]] = {}
        self._instances: dict[Node, set[Any]] = {}
        self._terms: dict[Any, Node] = {}
        self._selects: dict[Node, tuple[str, dict[str, str]]] = {}

    def term(self, node: Any) -> Node:
        """The rdflib term for a pyoxigraph term (pyshacl's rules read rdflib's literals)."""
        if node not in self._terms:
            self._terms[node] = from_ox(node)
        return self._terms[node]

    def select(self, holder: Node, this: Any = None) -> Any:
        """The answer to ``holder``'s ``sh:select``, with ``$this`` substituted when given."""
        if holder not in self._selects:
            prefixes = {
                str(self.shapes.value(declared, SH.prefix)): str(self.shapes.value(declared, SH.namespace))
                for owner in self.shapes.objects(holder, SH.prefixes)
                for declared in self.shapes.objects(owner, SH.declare)
            }
            self._selects[holder] = (str(self.shapes.value(holder, SH.select)), prefixes)
        text, prefixes = self._selects[holder]
        substitutions = None if this is None else {THIS: this}
        try:
            return self.store.query(text, prefixes=prefixes, substitutions=substitutions, **DATA_GRAPH)
        except RuntimeError as exc:  # Oxigraph substitutes only a variable the query selects
            raise UnsupportedShapesError(f"{curie(holder)}: {exc}") from exc

    def instances(self, cls: Node) -> set[Any]:
        """What is ``rdf:type/rdfs:subClassOf*`` ``cls``."""
        if cls not in self._instances:
            substitutions = {ox.Variable("class"): ox.NamedNode(str(cls))}
            answer = self.store.query(INSTANCES, substitutions=substitutions, **DATA_GRAPH)
            self._instances[cls] = {row["node"] for row in answer}
        return self._instances[cls]

    def targets(self, shape: Node) -> list[Any]:
        """The focus nodes of ``shape``'s targets."""
        found: dict[Any, None] = {}
        for cls in self.shapes.objects(shape, SH.targetClass):
            found.update(dict.fromkeys(sorted(self.instances(cls), key=str)))
        for target in self.shapes.objects(shape, SH.target):
            answer = self.select(target)
            if THIS not in answer.variables:
                raise UnsupportedShapesError(f"{curie(target)}: a SPARQL target that selects no ?this")
            found.update(dict.fromkeys(row[THIS] for row in answer if row[THIS] is not None))
        return list(found)

    def values(self, focus: Any, path: tuple[URIRef, ...]) -> list[Any]:
        """The value nodes of ``focus`` along ``path``, each once."""
        nodes = [focus]
        for step in path:
            if step not in self._objects:
                by_subject: dict[Any, list[Any]] = {}
                for quad in self.store.quads_for_pattern(None, ox.NamedNode(str(step)), None, None):
                    by_subject.setdefault(quad.subject, []).append(quad.object)
                self._objects[step] = by_subject
            nodes = list(dict.fromkeys(o for n in nodes for o in self._objects[step].get(n, ())))
        return nodes

    def node_shape(self, shape: Node, focus: list[Any]) -> list[_Found]:
        """The results of ``shape``'s property shapes and SPARQL constraints on ``focus``."""
        found = [r for prop in sorted(self.shapes.objects(shape, SH.property), key=str) for r in self.prop(prop, focus)]
        for constraint in sorted(self.shapes.objects(shape, SH.sparql), key=str):
            found += self.sparql(shape, constraint, focus)
        return found

    def prop(self, prop: Node, focus: list[Any]) -> list[_Found]:
        """The results of one property shape on ``focus``."""
        message, path = str(self.shapes.value(prop, SH.message)), _path(self.shapes, prop)
        values = {f: self.values(f, path) for f in focus}
        low, high = (self.shapes.value(prop, p) for p in COUNTS)
        found: list[_Found] = [
            (f, None, prop, message)
            for f in focus
            if (low is not None and len(values[f]) < int(low)) or (high is not None and len(values[f]) > int(high))
        ]
        for predicate in VALUE_RULES:
            rule = self.shapes.value(prop, predicate)
            if rule is None:
                continue
            if predicate == SH.node:
                found += self.nested(prop, rule, values)
                continue
            conforms = self.rule(predicate, rule)
            found += [(f, v, prop, message) for f in focus for v in values[f] if not conforms(v)]
        return found

    def rule(self, predicate: URIRef, rule: Node) -> Callable[[Any], bool]:
        """Whether one value node meets ``predicate`` ``rule``, as pyshacl decides."""
        if predicate == SH.nodeKind:
            kinds = NODE_KINDS.get(rule)
            if kinds is None:
                raise UnsupportedShapesError(f"sh:nodeKind {curie(rule)}")
            return lambda v: isinstance(v, kinds)
        if predicate == SH["class"]:
            return lambda v: v in self.instances(rule)  # a literal never is: it is no subject
        if predicate == SH["in"]:
            members = set(Collection(self.shapes, rule))
            return lambda v: self.term(v) in members
        if predicate == SH.datatype:
            return lambda v: _datatype_matches(self.term(v), rule)
        return lambda v: _long_enough(self.term(v), int(rule))

    def nested(self, prop: Node, shape: Node, values: dict[Any, list[Any]]) -> list[_Found]:
        """``sh:node``: a result for each value that ``shape`` finds fault with, named by the innermost."""
        inner: dict[Any, list[_Found]] = {}
        for found in self.node_shape(shape, list(dict.fromkeys(v for vs in values.values() for v in vs))):
            inner.setdefault(found[0], []).append(found)
        results = []
        for f, nodes in values.items():
            for v in nodes:
                if v in inner:
                    cause = min(inner[v], key=lambda r: (str(r[2]), r[3], str(r[1])))
                    results.append((f, v, cause[2], cause[3]))
        return results

    def sparql(self, shape: Node, constraint: Node, focus: list[Any]) -> list[_Found]:
        """A SPARQL-based constraint: each distinct solution for each focus node is a result."""
        message = str(self.shapes.value(constraint, SH.message))
        named = isinstance(constraint, URIRef) and (constraint, RDF.type, SH.SPARQLConstraint) in self.shapes
        source = constraint if named else shape
        found: list[_Found] = []
        for f in focus:
            answer = self.select(constraint, this=f)
            names = [variable.value for variable in answer.variables]
            for row in dict.fromkeys(tuple(solution[name] for name in names) for solution in answer):
                bound = dict(zip(names, row, strict=True))
                this, value = bound.get("this"), bound.get("value")
                if this is None and value is None and bound.get("path") is None:
                    continue  # pyshacl reports a solution only when it binds one of them
                found.append((f if this is None else this, f if value is None else value, source, message))
        return found


NODE_KINDS: dict[Node, tuple[type, ...]] = {
    SH.IRI: (ox.NamedNode,),
    SH.BlankNode: (ox.BlankNode,),
    SH.Literal: (ox.Literal,),
    SH.BlankNodeOrIRI: (ox.BlankNode, ox.NamedNode),
    SH.BlankNodeOrLiteral: (ox.BlankNode, ox.Literal),
    SH.IRIOrLiteral: (ox.NamedNode, ox.Literal),
}
# What pyshacl checks a literal's value against, by datatype (others: any value passes).
PYTHON_TYPES: dict[Node, type | tuple[type, ...]] = {
    XSD.string: (str, bytes),
    RDF.langString: (str, bytes),
    XSD.integer: int,
    XSD.float: float,
    XSD.decimal: Decimal,
    XSD.boolean: bool,
    XSD.date: date,
    XSD.time: time,
    XSD.dateTime: datetime,
}


# Built once (each rdflib namespace attribute is a new IRI): the rules below run for every value.
_RDFS_LITERAL, _RDFS_DATATYPE, _XSD_STRING, _LANG_STRING = RDFS.Literal, RDFS.Datatype, XSD.string, RDF.langString


def _datatype_matches(value: Node, datatype: Node) -> bool:
    """pyshacl's ``sh:datatype``: the literal's datatype, and a value of that type (not ill-typed)."""
    if not isinstance(value, Literal):
        return False
    if value.datatype == datatype:
        if getattr(value, "ill_typed", None) is True:
            return False
    elif datatype == _RDFS_LITERAL or (datatype == _RDFS_DATATYPE and value.datatype):
        return True
    elif not (
        (value.datatype is None and value.language is None and datatype == _XSD_STRING)
        or (datatype == _LANG_STRING and value.language)
    ):
        return False
    expected = PYTHON_TYPES.get(datatype)
    return expected is None or isinstance(value.value, expected)


def _long_enough(value: Node, minimum: int) -> bool:
    """pyshacl's ``sh:minLength``: a blank node never is; a string literal by its value, others by their text."""
    if minimum == 0:
        return True
    if isinstance(value, BNode):
        return False
    if isinstance(value, Literal) and value.value is not None and value.datatype in (None, _LANG_STRING, _XSD_STRING):
        return len(str(value.value)) >= minimum
    return len(str(value)) >= minimum


@lru_cache(maxsize=256)
def _prepared(text: str) -> object:
    from rdflib.plugins.sparql import prepareQuery

    return prepareQuery(text)


class _PreparedQueries(Graph):
    """A graph that parses and translates each SPARQL text once (once per process: the texts are the shapes').

    pyshacl runs a SPARQL constraint once per focus node, always the same text with a different
    ``$this`` binding, and rdflib parses the text every time (a tenth of a second a text). A prepared
    query with ``initBindings`` is rdflib's own way to run one text many times, on any graph.
    """

    def query(self, query_object, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN201 - rdflib's signature
        if isinstance(query_object, str) and not kwargs.get("initNs") and not kwargs.get("base"):
            query_object = _prepared(query_object)
        return super().query(query_object, *args, **kwargs)


def pyshacl_results(shapes: Graph, data: Graph) -> list[ShapeResult]:
    """The results pyshacl gives for ``data`` under ``shapes``, named as ``shape_results`` names them.

    The reference ``shape_results`` is tested against, and what validate runs when the shapes use a
    part of SHACL ``shape_results`` does not check.
    """
    from pyshacl import validate as shacl_validate

    # pyshacl would copy the data anyway (advanced mode); our copy parses each SPARQL text once.
    target = _PreparedQueries()
    target += data
    conforms, report, _ = shacl_validate(target, shacl_graph=shapes, advanced=True, allow_warnings=True, inplace=True)
    if conforms:
        return []
    found = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        if (None, SH.detail, result) in report:
            continue  # reported through the result it details
        # A nested shape (sh:node) failed: name the innermost shape, which says what is wrong.
        cause = result
        while (detail := report.value(cause, SH.detail)) is not None:
            cause = detail
        shape = report.value(cause, SH.sourceConstraint) or report.value(cause, SH.sourceShape)
        if not isinstance(shape, URIRef) or (shape, RDF.type, SH.SPARQLConstraint) not in shapes:
            shape = report.value(cause, SH.sourceShape)
        focus, value = report.value(result, SH.focusNode), report.value(result, SH.value)
        found.append(ShapeResult(focus, value, shape, str(report.value(cause, SH.resultMessage))))
    return sorted(found, key=lambda r: (str(r.source), r.message, str(r.focus), str(r.value)))


__all__ = ["ShapeResult", "UnsupportedShapesError", "check_supported", "pyshacl_results", "shape_results"]
