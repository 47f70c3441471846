"""The typed network projection of the knowledge graph, for networkx, the view and exports.

Nodes are the entities that take part in an evidenced relation (any property typed
``wm:EvidencedRelation``); edges are the uses of those relations, one per ``wm:Claim`` so each edge
carries exactly one claim's evidence. A triple that two claims support (two sections arguing the
same thing) therefore gives two parallel edges, each with its own quotes and stance; a triple with
no claim at all (imported data) gives one edge without evidence.

Node attributes: ``iri``, ``label``, ``cls`` (CURIE of the most specific ``wm:``/``foaf:``/``org:``
class), ``definition``, ``links`` (external identifiers), ``governments`` (governments or periods it
relates to). Edge attributes: ``relation`` (CURIE), ``relation_label``, ``claim``, ``quotes``,
``section``, ``stance``, ``modality`` and ``hedge_cue`` (empty when the graph has none), ``cites``,
``government``/``governments`` (through the subject's ``wm:introducedBy``/``wm:during``, or the
subject itself when it is a government).
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import networkx as nx
from rdflib import Literal, URIRef

from westminster_kg.bound import internal, run
from westminster_kg.errors import ParameterError
from westminster_kg.internal_queries import internal_query
from westminster_kg.namespaces import PREFIXES, curie, local_name

if TYPE_CHECKING:
    from westminster_kg.knowledge_graph import KnowledgeGraph

WM = PREFIXES["wm"]
# Namespaces whose classes name what an entity is; anything else (skos:Concept, prov:Entity) is
# only a fallback, because a reader learns little from it.
PREFERRED_CLASS_NAMESPACES = (WM, PREFIXES["foaf"], PREFIXES["org"])
UNTYPED = "rdfs:Resource"
TIME_CLASSES = (WM + "Government", WM + "Period")

# List-valued attributes: GraphML has no lists, so they are written as JSON arrays there.
LIST_ATTRIBUTES = ("links", "governments", "quotes", "cites", "cites_iris")


def _select(kg: KnowledgeGraph, name: str) -> list[tuple[Any, ...]]:
    return kg.store.query(internal_query(name)).rows


def _prefer_english(current: Literal | None, candidate: Literal) -> bool:
    """Whether ``candidate`` is a better label than ``current`` (English or untagged first)."""
    if current is None:
        return True
    rank = {"en": 0, None: 1}
    return (rank.get(candidate.language, 2), str(candidate)) < (rank.get(current.language, 2), str(current))


def _most_specific_class(types: set[str], superclasses: dict[str, set[str]]) -> str:
    """The CURIE of the class a reader should see: the most specific of our preferred namespaces."""
    preferred = {t for t in types if t.startswith(PREFERRED_CLASS_NAMESPACES)}
    candidates = preferred or types
    if not candidates:
        return UNTYPED
    # Drop every class that is a superclass of another candidate: what is left is most specific.
    specific = {c for c in candidates if not any(c in superclasses.get(o, ()) for o in candidates if o != c)}
    # wm: first (our own vocabulary says most), then alphabetical, so the choice is stable.
    return min((curie(c) for c in specific), key=lambda text: (not text.startswith("wm:"), text))


@dataclass(frozen=True)
class _NodeFacts:
    """What the graph says of each entity, by IRI: the makings of its node's attributes."""

    labels: dict[str, Literal]
    pref_labels: dict[str, Literal]
    definitions: dict[str, Literal]
    types: dict[str, set[str]]
    superclasses: dict[str, set[str]]
    links: dict[str, set[str]]
    times: dict[str, set[str]]
    time_entities: set[str]


@dataclass(frozen=True)
class _ClaimFacts:
    """What the graph says of each claim, by IRI: the makings of its edge's evidence."""

    quotes: dict[str, list[tuple[int, str]]]  # (position in the article, quote)
    sections: dict[str, tuple[str, str]]  # (IRI, label)
    stances: dict[str, tuple[str, str]]  # (IRI, label)
    cites: dict[str, dict[str, str]]  # work IRI → label
    modalities: dict[str, tuple[str, str, str]]  # (IRI, label, hedge cue)


def _full_network(kg: KnowledgeGraph) -> nx.MultiDiGraph:
    """Every entity and every evidenced relation, before any filter."""
    graph = nx.MultiDiGraph()
    relation_labels: dict[str, str] = {}
    for relation, label in _select(kg, "network-relation-labels"):
        if str(relation) not in relation_labels or label is not None:
            relation_labels[str(relation)] = str(label) if label is not None else local_name(str(relation))
    nodes, claims = _node_facts(kg), _claim_facts(kg)
    for subject, relation, obj, claim in _select(kg, "network-edges"):
        s, p, o = str(subject), str(relation), str(obj)
        _add_node(graph, s, nodes)
        _add_node(graph, o, nodes)
        claim_iri = str(claim) if claim is not None else None
        edge_times = sorted(nodes.times.get(s, set()) | ({s} if s in nodes.time_entities else set()))
        graph.add_edge(
            s,
            o,
            key=claim_iri or curie(p),
            relation=curie(p),
            relation_iri=p,
            relation_label=relation_labels.get(p, local_name(p)),
            claim=claim_iri,
            **_evidence_attributes(claims, claim_iri or ""),
            government=edge_times[0] if edge_times else None,
            governments=edge_times,
        )
    # A node relates to the governments of its own reforms, of its edges and of its neighbours
    # that are governments: the set the view's government menu filters on.
    for u, v, data in graph.edges(data=True):
        for end, other in ((u, v), (v, u)):
            graph.nodes[end]["governments"].update(data["governments"])
            if other in nodes.time_entities:
                graph.nodes[end]["governments"].add(other)
    for _, data in graph.nodes(data=True):
        data["governments"] = sorted(data["governments"])
    return graph


def _node_facts(kg: KnowledgeGraph) -> _NodeFacts:
    """Every entity's labels (English first), definition, types, links out and times."""
    superclasses: dict[str, set[str]] = defaultdict(set)
    for cls, sup in _select(kg, "network-subclasses"):
        superclasses[str(cls)].add(str(sup))
    labels: dict[str, Literal] = {}
    pref_labels: dict[str, Literal] = {}
    definitions: dict[str, Literal] = {}
    for entity, prop, value in _select(kg, "network-node-labels"):
        if not isinstance(value, Literal):
            continue
        target = {"label": labels, "prefLabel": pref_labels}.get(local_name(str(prop)), definitions)
        if _prefer_english(target.get(str(entity)), value):
            target[str(entity)] = value
    types: dict[str, set[str]] = defaultdict(set)
    for entity, rdf_type in _select(kg, "network-node-types"):
        types[str(entity)].add(str(rdf_type))
    links: dict[str, set[str]] = defaultdict(set)
    for entity, link in _select(kg, "network-node-links"):
        links[str(entity)].add(str(link))
    times: dict[str, set[str]] = defaultdict(set)
    for entity, time in _select(kg, "network-node-times"):
        times[str(entity)].add(str(time))
    time_entities = {e for e, ts in types.items() if ts & set(TIME_CLASSES)}
    return _NodeFacts(labels, pref_labels, definitions, types, superclasses, links, times, time_entities)


def _claim_facts(kg: KnowledgeGraph) -> _ClaimFacts:
    """Every claim's quotes (in the article's order), section, stance, cited works and modality."""
    quotes: dict[str, list[tuple[int, str]]] = defaultdict(list)
    # A claim whose quotes lie in several sections is placed in the section of its first quote in the
    # article (ties: the smaller IRI), not of whichever row the store returned first: the same graph
    # must give the same CSV and GraphML bytes from every store.
    placed: dict[str, tuple[int, str, str]] = {}
    for claim, quote, start, section, section_label in _select(kg, "network-claim-evidence"):
        position = int(start) if isinstance(start, Literal) and str(start).isdigit() else 1 << 62
        if (position, str(quote)) not in quotes[str(claim)]:
            quotes[str(claim)].append((position, str(quote)))
        if section is not None:
            label = str(section_label) if section_label else local_name(str(section))
            candidate = (position, str(section), label)
            if str(claim) not in placed or candidate < placed[str(claim)]:
                placed[str(claim)] = candidate
    sections = {claim: (iri, label) for claim, (_, iri, label) in placed.items()}
    stances: dict[str, tuple[str, str]] = {}
    for claim, stance, stance_label in _select(kg, "network-claim-stances"):
        if str(claim) not in stances or stance_label is not None:
            stances[str(claim)] = (str(stance), str(stance_label) if stance_label else local_name(str(stance)))
    cites: dict[str, dict[str, str]] = defaultdict(dict)
    for claim, work, work_label in _select(kg, "network-claim-cites"):
        cites[str(claim)][str(work)] = str(work_label) if work_label is not None else local_name(str(work))
    # Modality (wm:Asserted, wm:Hedged, ...) and the words that hedge: optional, because older graphs
    # and imported data have neither.
    modalities: dict[str, tuple[str, str, str]] = {}
    for claim, modality, modality_label, cue in _select(kg, "network-claim-modalities"):
        old = modalities.get(str(claim), ("", "", ""))
        modalities[str(claim)] = (
            str(modality) if modality is not None else old[0],
            str(modality_label) if modality_label is not None else old[1],
            str(cue) if cue is not None else old[2],
        )
    return _ClaimFacts(quotes, sections, stances, cites, modalities)


def _add_node(graph: nx.MultiDiGraph, iri: str, facts: _NodeFacts) -> None:
    """``iri`` as a node with its label, most specific class, definition, links and own times (once)."""
    if iri in graph:
        return
    label = facts.labels.get(iri) or facts.pref_labels.get(iri)
    own_times = set(facts.times.get(iri, ()))
    if iri in facts.time_entities:
        own_times.add(iri)
    graph.add_node(
        iri,
        iri=iri,
        label=str(label) if label is not None else local_name(iri),
        cls=_most_specific_class(facts.types.get(iri, set()), facts.superclasses),
        definition=str(facts.definitions[iri]) if iri in facts.definitions else "",
        links=sorted(facts.links.get(iri, ())),
        governments=own_times,  # a set while building; sorted into a list by _full_network
    )


def _evidence_attributes(facts: _ClaimFacts, claim_iri: str) -> dict[str, Any]:
    """An edge's evidence attributes from its claim (all empty for an edge without one, ``""``)."""
    section_iri, section_label = facts.sections.get(claim_iri, ("", ""))
    stance_iri, stance_label = facts.stances.get(claim_iri, ("", ""))
    cited = facts.cites.get(claim_iri, {})
    modality_iri, modality_label, cue = facts.modalities.get(claim_iri, ("", "", ""))
    return {
        "quotes": [quote for _, quote in sorted(facts.quotes.get(claim_iri, []))],
        "section": section_label,
        "section_iri": section_iri,
        "stance": curie(stance_iri) if stance_iri else "",
        "stance_label": stance_label,
        "modality": curie(modality_iri) if modality_iri else "",
        "modality_label": modality_label or (local_name(modality_iri) if modality_iri else ""),
        "hedge_cue": cue,
        "cites": [cited[w] for w in sorted(cited)],
        "cites_iris": sorted(cited),
    }


def relation_names(kg: KnowledgeGraph) -> dict[str, str]:
    """Every evidenced relation by each name a user may give it: local name, CURIE, IRI, label."""
    names: dict[str, str] = {}
    for relation, label in _select(kg, "network-relation-labels"):
        iri = str(relation)
        for name in (local_name(iri), curie(iri), iri, str(label) if label is not None else None):
            if name:
                names[name.casefold()] = iri
    return names


def resolve_relations(kg: KnowledgeGraph, relations: Iterable[str] | str) -> set[str]:
    """IRIs for relation names such as ``erodes``, ``wm:erodes`` or ``claims continuity``."""
    if isinstance(relations, str):
        relations = relations.split(",")
    names = relation_names(kg)
    chosen = set()
    for raw in relations:
        name = str(raw).strip()
        if not name:
            continue
        if name.casefold() not in names:
            known = ", ".join(sorted({local_name(iri) for iri in names.values()}))
            raise ParameterError(f"unknown relation {name!r}; evidenced relations: {known}")
        chosen.add(names[name.casefold()])
    return chosen


def entity_exists(kg: KnowledgeGraph, iri: str) -> bool:
    """Whether the graph says anything about ``iri`` (as subject or object)."""
    return bool(run(kg.store, internal("entity-exists", entity=URIRef(iri))).boolean)


def resolve_entity(kg: KnowledgeGraph, raw: str, what: str, kinds: Iterable[str] = ()) -> str:
    """The IRI an option value names: an IRI, a CURIE, a ``wmr:`` slug or a label (``westminster_kg.resolve``).

    Raises:
        ParameterError: nothing or more than one entity matches, or one not of ``kinds`` (when
            given); the message names ``what`` and the nearest values of the right kind.
    """
    return str(kg.resolver.resolve(raw, what, tuple(kinds)))


def government_filter(kg: KnowledgeGraph, government: str) -> tuple[set[str], list[str]]:
    """The governments and periods a ``government`` filter keeps, and notes on how it was read.

    A government or a period, as the queries' government parameters take; a part of a government
    (Blair's) keeps what the article attributes to the whole (New Labour), and the note says so.

    Raises:
        ParameterError: the value names nothing, several things, or something of another kind.
    """
    time_iri = resolve_entity(kg, government, "government", TIME_CLASSES)
    times, note = kg.resolver.nest(time_iri)
    return {str(t) for t in times}, [f"government: {note}"] if note else []


def _resolve_classes(graph: nx.MultiDiGraph, classes: Iterable[str] | str) -> set[str]:
    if isinstance(classes, str):
        classes = classes.split(",")
    present = {data["cls"] for _, data in graph.nodes(data=True)}
    by_name = {c.casefold(): c for c in present} | {c.split(":")[-1].casefold(): c for c in present}
    chosen = set()
    for raw in classes:
        name = str(raw).strip()
        if not name:
            continue
        key = curie(name).casefold()
        if key not in by_name:
            raise ParameterError(f"unknown class {name!r}; classes in the network: {', '.join(sorted(present))}")
        chosen.add(by_name[key])
    return chosen


def build_network(
    kg: KnowledgeGraph,
    *,
    relations: Iterable[str] | str | None = None,
    government: str | None = None,
    focus: str | None = None,
    depth: int | None = None,
    classes: Iterable[str] | str | None = None,
) -> nx.MultiDiGraph:
    """The typed projection of ``kg`` as a networkx ``MultiDiGraph`` (see the module docstring).

    Args:
        kg: the loaded knowledge graph.
        relations: keep only these relations (names, CURIEs, IRIs or labels; a comma list is fine).
        government: keep only edges under this government or period (label, slug or IRI).
        focus: keep only the neighbourhood of this entity (label, slug or IRI).
        depth: how many hops around ``focus`` to keep, ignoring direction (default 1).
        classes: keep only nodes of these classes (CURIEs such as ``wm:Reform`` or local names).

    Returns:
        The network. Filters on edges drop the nodes they leave without edges (except the focus).

    Raises:
        ParameterError: an option names no relation, class or entity, or ``depth`` lacks ``focus``.
    """
    if depth is not None and focus is None:
        raise ParameterError("depth needs a focus entity (--focus LABEL --depth N)")
    if depth is not None and depth < 0:
        raise ParameterError(f"depth must be 0 or more, not {depth}")
    graph = _full_network(kg)
    edges_filtered = False
    if relations is not None:
        wanted = resolve_relations(kg, relations)
        graph.remove_edges_from(
            [(u, v, k) for u, v, k, p in graph.edges(keys=True, data="relation_iri") if p not in wanted]
        )
        edges_filtered = True
    notes: list[str] = []
    if government is not None:
        # A government or a period, as the queries' government parameters; a part of a government
        # (Blair's) keeps what the article attributes to the whole (New Labour), and says so.
        kept, notes = government_filter(kg, government)
        graph.remove_edges_from(
            [(u, v, k) for u, v, k, ts in graph.edges(keys=True, data="governments") if not kept & set(ts)]
        )
        edges_filtered = True
    if classes is not None:
        wanted_classes = _resolve_classes(graph, classes)
        graph.remove_nodes_from([n for n, c in graph.nodes(data="cls") if c not in wanted_classes])
        edges_filtered = True
    focus_iri = None
    if focus is not None:
        focus_iri = resolve_entity(kg, focus, "focus")
        if focus_iri not in graph:
            raise ParameterError(f"focus: {focus!r} takes part in no relation shown in the network")
        near = nx.single_source_shortest_path_length(graph.to_undirected(as_view=True), focus_iri, cutoff=depth or 1)
        graph.remove_nodes_from([n for n in list(graph) if n not in near])
    if edges_filtered:
        graph.remove_nodes_from([n for n in list(graph) if graph.degree(n) == 0 and n != focus_iri])
    graph.graph.update(
        {
            "name": "westminster-kg",
            "focus": focus_iri or "",
            "relations": sorted(resolve_relations(kg, relations)) if relations is not None else [],
            "notes": notes,
        }
    )
    return graph


def _flat(value: Any) -> Any:
    """A GraphML-friendly value: lists as JSON arrays, everything else as is."""
    if isinstance(value, list | tuple | set):
        return json.dumps(sorted(value) if isinstance(value, set) else list(value), ensure_ascii=False)
    return value


def to_graphml(graph: nx.MultiDiGraph) -> str:
    """The network as GraphML text; list attributes become JSON arrays, missing values are left out."""
    flat = nx.MultiDiGraph()
    flat.graph.update({k: _flat(v) for k, v in graph.graph.items() if v is not None})
    for node, data in graph.nodes(data=True):
        flat.add_node(node, **{k: _flat(v) for k, v in data.items() if v is not None})
    for u, v, key, data in graph.edges(keys=True, data=True):
        flat.add_edge(u, v, key=key, **{k: _flat(x) for k, x in data.items() if x is not None})
    return "\n".join(nx.generate_graphml(flat, named_key_ids=True)) + "\n"


_EDGE_COLUMNS = (
    "source",
    "source_label",
    "relation",
    "relation_label",
    "target",
    "target_label",
    "claim",
    "stance",
    "section",
    "government",
    "quotes",
    "cites",
)
# Cells a spreadsheet would run as a formula; the same guard QueryResult.serialize applies to CSV.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def to_edge_csv(graph: nx.MultiDiGraph) -> str:
    """One row per edge with its evidence; several quotes or cited works are joined by newlines."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(_EDGE_COLUMNS)
    rows = []
    for u, v, data in graph.edges(data=True):
        rows.append(
            [
                u,
                graph.nodes[u]["label"],
                data["relation"],
                data["relation_label"],
                v,
                graph.nodes[v]["label"],
                data["claim"] or "",
                data["stance"],
                data["section"],
                " ".join(data["governments"]),
                "\n".join(data["quotes"]),
                "\n".join(data["cites"]),
            ]
        )
    for row in sorted(rows):
        writer.writerow(["'" + c if c.startswith(_FORMULA_START) else c for c in row])
    return buffer.getvalue()


__all__ = ["build_network", "curie", "resolve_entity", "resolve_relations", "to_edge_csv", "to_graphml"]
