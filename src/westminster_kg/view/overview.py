"""The overview: which reforms eroded which conventions, under which government, at first sight.

A deterministic layered layout, computed here rather than by physics in the browser, so the same
graph always gives the same picture and labels never pile up:

    Governments (time order) → reforms and actors → ideas and theories → conventions, principles, models

Only the three relations the argument turns on (erodes, institutionalises, claims continuity) and
the ``introducedBy`` links that tie reforms to governments are drawn at first; all other relations
and entities are one click away (expand a node, toggle a relation). Parallel claims are merged:
one edge per (subject, relation, object) carrying every claim and quote behind it. Claims are never
nodes.
"""

from __future__ import annotations

import textwrap
from collections import defaultdict
from typing import TYPE_CHECKING, Any

import networkx as nx

from westminster_kg.namespaces import WMR
from westminster_kg.view.facts import sort_key, spans
from westminster_kg.view.style import FAMILIES, HIDDEN_CLASSES, WEAK_MODALITIES, family_of, human_name, relation_style

if TYPE_CHECKING:
    from westminster_kg.knowledge_graph import KnowledgeGraph

CORE_RELATIONS = ("wm:erodes", "wm:institutionalises", "wm:claimsContinuity")
LINK_RELATIONS = ("wm:introducedBy",)
DEFAULT_RELATIONS = CORE_RELATIONS + LINK_RELATIONS
COLUMN_TITLES = ("Governments", "Reforms and actors", "Ideas and theories", "Conventions, principles, models")
COLUMN_GAP = 290.0  # px between columns at scale 1
STAGGER = 85.0  # a crowded column splits into two sub-columns this far either side
ROW_GAP = 44.0  # px between rows of a (staggered) column
SINGLE_ROW_GAP = 76.0  # px between rows of a column that is not staggered
STAGGER_FROM = 9  # rows at which a column is staggered
LABEL_WIDTH = 20  # characters per label line


def wrap_label(label: str, width: int = LABEL_WIDTH) -> str:
    """The label on at most three lines of about ``width`` characters (vis-network breaks on ``\\n``)."""
    lines = textwrap.wrap(label, width=width, break_long_words=True) or [label]
    if len(lines) > 3:
        lines = lines[:2] + [textwrap.shorten(" ".join(lines[2:]), width=width, placeholder="…")]
    return "\n".join(lines)


def aggregate(graph: nx.MultiDiGraph) -> dict[tuple[str, str, str], list[dict[str, Any]]]:
    """Claims grouped by (subject, relation, object), nodes of hidden classes left out."""
    merged: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for u, v, data in graph.edges(data=True):
        if graph.nodes[u]["cls"] in HIDDEN_CLASSES or graph.nodes[v]["cls"] in HIDDEN_CLASSES:
            continue
        merged[(u, data["relation"], v)].append(data)
    return merged


def _columns(graph: nx.MultiDiGraph, core: set[str], edges: dict, governments: list[str]) -> list[list[str]]:
    """Each core node's column: governments, reforms/actors, ideas, what is eroded or claimed."""
    subjects = {u for (u, r, _v) in edges if r in ("wm:erodes", "wm:institutionalises")}
    targets = {v for (_u, r, v) in edges if r in ("wm:erodes", "wm:claimsContinuity")}
    columns: list[list[str]] = [[g for g in governments if g in core], [], [], []]
    for node in sorted(core - set(columns[0])):
        family = family_of(graph.nodes[node]["cls"]).key
        if node in targets and node not in subjects:
            columns[3].append(node)
        elif family in ("reform", "actor", "government", "period", "document"):
            columns[1].append(node)
        else:
            columns[2].append(node)
    return columns


def _order(columns: list[list[str]], neighbours: dict[str, set[str]], labels: dict[str, str]) -> list[list[str]]:
    """Barycentre ordering (a few sweeps of the Sugiyama heuristic) to keep edges from crossing.

    Column 0 stays in time order; the others are sorted by the mean position of their neighbours
    in the columns already placed, down and back up, with labels breaking ties so it is stable.
    """
    position: dict[str, float] = {}

    def place(column: list[str]) -> None:
        for i, node in enumerate(column):
            position[node] = i / max(len(column) - 1, 1)

    place(columns[0])
    for column in columns[1:]:
        place(sorted(column, key=lambda n: labels[n].casefold()))
    for _ in range(4):
        for index in list(range(1, len(columns))) + list(range(len(columns) - 2, 0, -1)):
            own = set(columns[index])

            def barycentre(node: str, own: set[str] = own) -> tuple[float, str]:
                near = [position[m] for m in neighbours[node] if m in position and m not in own]
                return (sum(near) / len(near) if near else position[node], labels[node].casefold())

            columns[index] = sorted(columns[index], key=barycentre)
            place(columns[index])
    return columns


def layout(columns: list[list[str]]) -> dict[str, tuple[float, float]]:
    """Pixel positions: columns left to right; crowded ones split into two staggered sub-columns."""
    positions: dict[str, tuple[float, float]] = {}
    for index, column in enumerate(columns):
        x = index * COLUMN_GAP
        count = len(column)
        staggered = count >= STAGGER_FROM
        gap = ROW_GAP if staggered else SINGLE_ROW_GAP
        for row, node in enumerate(column):
            dx = (-STAGGER if row % 2 == 0 else STAGGER) if staggered else 0.0
            positions[node] = (x + dx, (row - (count - 1) / 2) * gap)
    return positions


def overview_data(kg: KnowledgeGraph, graph: nx.MultiDiGraph, *, entity_base: str | None = None) -> dict[str, Any]:
    """Everything the overview page needs as JSON-able data.

    Args:
        kg: the knowledge graph (for government dates).
        graph: the full network from ``build_network``.
        entity_base: URL prefix of entity pages (``/id/``), ``None`` in a file.

    Returns:
        ``nodes`` (every entity, core ones with fixed positions), ``edges`` (one per subject,
        relation and object with all its claims), ``relations`` and ``families`` (the legend),
        ``governments`` (time order), ``columns`` (titles and x positions) and ``defaults``.
    """
    time_spans = spans(kg)
    merged = aggregate(graph)
    governments = sorted(
        (n for n, d in graph.nodes(data=True) if d["cls"] == "wm:Government"),
        key=lambda n: sort_key(time_spans.get(n)),
    )
    core: set[str] = set()
    for u, relation, v in merged:
        if relation in CORE_RELATIONS:
            core.update((u, v))
    core.update(g for g in governments if any(g in (u, v) for (u, r, v) in merged if r in DEFAULT_RELATIONS))
    labels = {n: d["label"] for n, d in graph.nodes(data=True)}
    neighbours: dict[str, set[str]] = defaultdict(set)
    for u, relation, v in merged:
        if relation in DEFAULT_RELATIONS and u in core and v in core:
            neighbours[u].add(v)
            neighbours[v].add(u)
    columns = _order(_columns(graph, core, merged, governments), neighbours, labels)
    positions = layout(columns)

    nodes = []
    for node, data in sorted(graph.nodes(data=True)):
        if data["cls"] in HIDDEN_CLASSES:
            continue
        family = family_of(data["cls"])
        item: dict[str, Any] = {
            "id": node,
            "label": data["label"],
            "wrapped": wrap_label(data["label"]),
            "family": family.key,
            "className": human_name(data["cls"]),
            "definition": data["definition"],
            "page": entity_base + node[len(str(WMR)) :] if entity_base and node.startswith(str(WMR)) else "",
            "core": node in core,
        }
        if node in positions:
            item["x"], item["y"] = positions[node]
        nodes.append(item)

    edges = []
    for number, ((u, relation, v), claims) in enumerate(sorted(merged.items())):
        first = claims[0]
        evidence = []
        for claim in sorted(claims, key=lambda c: (c["section"], c["claim"] or "")):
            evidence.append(
                {
                    "claim": claim["claim"] or "",
                    "quotes": list(claim["quotes"]),
                    "stance": claim["stance_label"] or claim["stance"],
                    "modality": claim.get("modality_label", "") or "",
                    "weak": claim.get("modality", "") in WEAK_MODALITIES,
                    "cue": claim.get("hedge_cue", "") or "",
                    "section": claim["section"],
                    "cites": list(claim["cites"]),
                }
            )
        governments_of_edge = sorted({g for c in claims for g in c["governments"]})
        edges.append(
            {
                "id": f"r{number}",
                "from": u,
                "to": v,
                "relation": relation,
                "relationLabel": first["relation_label"],
                "quotes": sum(len(c["quotes"]) for c in claims),
                "claims": evidence,
                "weak": all(e["weak"] for e in evidence),
                "governments": governments_of_edge,
                "core": relation in DEFAULT_RELATIONS and u in core and v in core,
            }
        )

    relation_labels = {e["relation"]: e["relationLabel"] for e in edges}
    relations = [
        {"curie": r, "label": relation_labels[r], "default": r in DEFAULT_RELATIONS, **relation_style(r)}
        for r in sorted(
            relation_labels,
            key=lambda r: (
                r not in DEFAULT_RELATIONS,
                DEFAULT_RELATIONS.index(r) if r in DEFAULT_RELATIONS else 0,
                relation_labels[r],
            ),
        )
    ]
    families_present = {n["family"] for n in nodes}
    families = [
        {"key": f.key, "name": f.name, "color": f.colour, "shape": f.shape, "border": f.border}
        for f in FAMILIES.values()
        if f.key in families_present
    ]
    time_nodes = [n for n in graph if n in time_spans]
    return {
        "nodes": nodes,
        "edges": edges,
        "relations": relations,
        "families": families,
        "governments": [
            {"iri": t, "label": labels.get(t, time_spans[t].label)}
            for t in sorted(time_nodes, key=lambda t: sort_key(time_spans[t]))
        ],
        "columns": [
            {"title": title, "x": i * COLUMN_GAP, "top": min((positions[n][1] for n in col), default=0.0)}
            for i, (title, col) in enumerate(zip(COLUMN_TITLES, columns, strict=True))
        ],
        "defaults": list(DEFAULT_RELATIONS),
    }


def render_overview(
    kg: KnowledgeGraph,
    graph: nx.MultiDiGraph | None = None,
    *,
    title: str = "Westminster KG: the argument at a glance",
    entity_base: str | None = None,
    navigation: bool = False,
    head_jsonld: str | None = None,
) -> str:
    """The overview as one self-contained HTML page (vis-network inlined, no request to any host).

    Args:
        kg: the knowledge graph.
        graph: the network from ``build_network`` (built here when ``None``).
        title: the page title.
        entity_base: URL prefix of entity pages (``/id/`` in the web app); ``None`` for a file.
        navigation: show the web app's links.
        head_jsonld: script-safe JSON-LD for the page's head (the web app's schema.org ``Dataset``).

    Returns:
        The HTML text.
    """
    from westminster_kg.network import build_network
    from westminster_kg.view.network_app import _environment, _inline_safe, _vis_assets, json_for_script, static_text

    if graph is None:
        graph = build_network(kg)
    vis_js, vis_css = _vis_assets()
    return (
        _environment()
        .get_template("overview.html")
        .render(
            title=title,
            data_json=json_for_script(overview_data(kg, graph, entity_base=entity_base)),
            vis_js=vis_js,
            vis_css=vis_css,
            overview_js=_inline_safe(static_text("overview.js"), "script"),
            view_css=_inline_safe(static_text("view.css"), "style"),
            navigation=navigation,
            head_jsonld=head_jsonld,
        )
    )


def write_overview(kg: KnowledgeGraph, path: Any, *, title: str | None = None) -> Any:
    """Write the overview of ``kg`` to ``path`` (atomically, readable by all); returns the path."""
    from pathlib import Path

    from westminster_kg.turtle import write_atomically

    target = Path(path)
    page = render_overview(kg, title=title or "Westminster KG: the argument at a glance")
    write_atomically(target, page.encode("utf-8"))  # an existing file keeps its mode; a new one is 0644
    return target


__all__ = [
    "CORE_RELATIONS",
    "DEFAULT_RELATIONS",
    "aggregate",
    "overview_data",
    "render_overview",
    "wrap_label",
    "write_overview",
]
