"""The overview: which reforms eroded which conventions, under which government, at first sight.

A deterministic layered layout, computed here rather than by physics in the browser, so the same
graph always gives the same picture and labels never pile up:

    Governments (time order) → reforms and actors → ideas and theories → conventions, principles, models

What the argument turns on is drawn at first: which reforms and ideas erode or institutionalise
what, and which government introduced each reform. ``introducedBy`` runs against the left-to-right
reading (reform → government), so it is drawn as its inverse, "introduces" (government → reform);
the data keep the graph's own subject, relation and object beside the drawn ends. Governments' claims
of continuity are many and cover the picture, so they are summarised in the legend and drawn when
switched on. All other relations and entities are one click away (expand a node, toggle a relation).
Parallel claims are merged: one edge per (subject, relation, object) carrying every claim and quote
behind it. Claims are never nodes. Each node carries the words the article attributes to it.
"""

from __future__ import annotations

import textwrap
from collections import defaultdict
from typing import TYPE_CHECKING, Any

import networkx as nx

from westminster_kg.namespaces import WMR
from westminster_kg.view.entity import all_words, local_runner, panel_words
from westminster_kg.view.facts import sort_key, spans
from westminster_kg.view.style import FAMILIES, HIDDEN_CLASSES, WEAK_MODALITIES, family_of, human_name, relation_style

if TYPE_CHECKING:
    from westminster_kg.knowledge_graph import KnowledgeGraph

CORE_RELATIONS = ("wm:erodes", "wm:institutionalises", "wm:claimsContinuity")
LINK_RELATIONS = ("wm:introducedBy",)
# Drawn at first: continuity claims wait behind their switch (summarised in the legend).
DEFAULT_RELATIONS = ("wm:erodes", "wm:institutionalises", *LINK_RELATIONS)
LAYOUT_RELATIONS = CORE_RELATIONS + LINK_RELATIONS  # what places nodes, so a switch never moves one
# Relations drawn from their object to their subject, with the words that read that way.
DRAWN_INVERSE = {"wm:introducedBy": "introduces"}
COLUMN_TITLES = ("Governments", "Reforms and actors", "Ideas and theories", "Conventions, principles, models")
# The frame the picture is fitted into at 1440×900 (legend and header aside): of the layouts tried,
# the one that fits it at the largest scale (so the largest labels) is kept.
FRAME = (1180.0, 820.0)
STAGGER_CHOICES = (None, 14, 11, 9)  # rows at which a column splits into two sub-columns (None: never)
LABEL_WIDTH = 20  # characters per label line
# The label's box in canvas px, as overview.js draws it (16 px sans-serif under a 12 px shape): the
# layout keeps every two boxes apart, so labels never overlap at any zoom.
CHAR_PX = 9.2  # the widest average character width of 16 px sans-serif seen (Chromium, DejaVu Sans)
LINE_PX = 19.5  # one line of label
SHAPE_PX = 34.0  # the shape above the label, and the gap between them
MARGIN_PX = 36.0  # between two columns' outermost labels
ROW_MARGIN_PX = 10.0  # between two labels one above the other


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


def label_box(label: str) -> tuple[float, float]:
    """(width, height) in canvas px of a node with its wrapped label (``wrap_label``)."""
    lines = wrap_label(label).split("\n")
    return max(len(line) for line in lines) * CHAR_PX + 8.0, len(lines) * LINE_PX + SHAPE_PX


def layout(columns: list[list[str]], labels: dict[str, str]) -> tuple[dict[str, tuple[float, float]], list[float]]:
    """Pixel positions, columns left to right, and each column's x: of the layouts that split crowded
    columns from ``STAGGER_CHOICES`` rows on, the one that fits ``FRAME`` at the largest scale."""

    def scale(placed: tuple[dict[str, tuple[float, float]], list[float]]) -> float:
        points = placed[0].values()
        if not points:
            return 1.0
        width = max(x for x, _ in points) - min(x for x, _ in points) + 2 * max(label_box(labels[n])[0] for n in labels)
        height = max(y for _, y in points) - min(y for _, y in points) + 2 * LINE_PX * 3 + SHAPE_PX
        return min(FRAME[0] / width, FRAME[1] / height)

    return max((_layout(columns, labels, split) for split in STAGGER_CHOICES), key=scale)


def _layout(
    columns: list[list[str]], labels: dict[str, str], stagger_from: int | None
) -> tuple[dict[str, tuple[float, float]], list[float]]:
    """One layout: a column as wide as its widest label; a crowded one (``stagger_from`` rows or more)
    split into two sub-columns a label's width apart, its rows alternating between them. Rows are a
    label's height apart (two rows in a split column), columns a margin apart: no two labels overlap.
    """
    positions: dict[str, tuple[float, float]] = {}
    xs: list[float] = []
    right = 0.0  # where the last column's labels end
    for column in columns:
        boxes = [label_box(labels[n]) for n in column] or [(0.0, 0.0)]
        width = max(w for w, _h in boxes)
        height = max(h for _w, h in boxes) + ROW_MARGIN_PX
        staggered = stagger_from is not None and len(column) >= stagger_from
        half = width + ROW_MARGIN_PX if staggered else width / 2  # from the column's x to its outer edge
        x = right + (MARGIN_PX if xs else 0.0) + half
        gap = height / 2 if staggered else height
        for row, node in enumerate(column):
            dx = (-1 if row % 2 == 0 else 1) * (width + ROW_MARGIN_PX) / 2 if staggered else 0.0
            positions[node] = (x + dx, (row - (len(column) - 1) / 2) * gap)
        xs.append(x)
        right = x + half
    return positions, xs


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
    core = _core(merged, governments)
    labels = {n: d["label"] for n, d in graph.nodes(data=True)}
    neighbours: dict[str, set[str]] = defaultdict(set)
    for u, relation, v in merged:
        if relation in DEFAULT_RELATIONS and u in core and v in core:
            neighbours[u].add(v)
            neighbours[v].add(u)
    columns = _order(_columns(graph, core, merged, governments), neighbours, labels)
    # What only a claim of continuity reaches waits at the foot of its column: hidden at first, it
    # leaves no gap in the picture, and switched on it appears in its column without moving anything.
    columns = [[n for n in c if n in neighbours] + [n for n in c if n not in neighbours] for c in columns]
    positions, column_x = layout(columns, labels)
    nodes = _nodes(graph, core, positions, all_words(local_runner(kg)), entity_base)
    edges = [_edge(f"r{number}", key, claims, core) for number, (key, claims) in enumerate(sorted(merged.items()))]
    families_present = {n["family"] for n in nodes}
    time_nodes = [n for n in graph if n in time_spans]
    return {
        "nodes": nodes,
        "edges": edges,
        "relations": _relations_legend(edges),
        "families": [
            {"key": f.key, "name": f.name, "color": f.colour, "shape": f.shape, "border": f.border}
            for f in FAMILIES.values()
            if f.key in families_present
        ],
        "governments": [
            {"iri": t, "label": labels.get(t, time_spans[t].label)}
            for t in sorted(time_nodes, key=lambda t: sort_key(time_spans[t]))
        ],
        "columns": [
            {"title": title, "x": column_x[i], "top": min((positions[n][1] for n in col), default=0.0)}
            for i, (title, col) in enumerate(zip(COLUMN_TITLES, columns, strict=True))
        ],
        "defaults": list(DEFAULT_RELATIONS),
        "continuity": _continuity_summary(edges),
    }


def _core(merged: dict[tuple[str, str, str], list[dict[str, Any]]], governments: list[str]) -> set[str]:
    """What the picture places: the ends of the core relations, and the governments they link to."""
    core: set[str] = set()
    for u, relation, v in merged:
        if relation in CORE_RELATIONS:
            core.update((u, v))
    core.update(g for g in governments if any(g in (u, v) for (u, r, v) in merged if r in LAYOUT_RELATIONS))
    return core


def _nodes(
    graph: nx.MultiDiGraph,
    core: set[str],
    positions: dict[str, tuple[float, float]],
    words: dict[str, list[Any]],
    entity_base: str | None,
) -> list[dict[str, Any]]:
    """Every entity not of a hidden class, with its family, definition, page, words and (core ones) place."""
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
            "words": panel_words(words.get(node, [])),
        }
        if node in positions:
            item["x"], item["y"] = positions[node]
        nodes.append(item)
    return nodes


def _edge(edge_id: str, key: tuple[str, str, str], claims: list[dict[str, Any]], core: set[str]) -> dict[str, Any]:
    """One line for a (subject, relation, object): the graph's direction and the drawn one, every claim."""
    u, relation, v = key
    first = claims[0]
    evidence = [_evidence(claim) for claim in sorted(claims, key=lambda c: (c["section"], c["claim"] or ""))]
    inverse = relation in DRAWN_INVERSE
    return {
        "id": edge_id,
        "subject": u,  # the graph's own direction ...
        "object": v,
        "from": v if inverse else u,  # ... and the drawn one: left to right
        "to": u if inverse else v,
        "inverse": inverse,
        "relation": relation,
        "relationLabel": first["relation_label"],
        "label": DRAWN_INVERSE[relation] if inverse else first["relation_label"],
        "quotes": sum(len(c["quotes"]) for c in claims),
        "claims": evidence,
        "weak": all(e["weak"] for e in evidence),
        "governments": sorted({g for c in claims for g in c["governments"]}),
        "core": relation in LAYOUT_RELATIONS and u in core and v in core,
    }


def _evidence(claim: dict[str, Any]) -> dict[str, Any]:
    """One claim behind a line: its quotes, stance, modality and hedge, section and cited works."""
    return {
        "claim": claim["claim"] or "",
        "quotes": list(claim["quotes"]),
        "stance": claim["stance_label"] or claim["stance"],
        "modality": claim.get("modality_label", "") or "",
        "weak": claim.get("modality", "") in WEAK_MODALITIES,
        "cue": claim.get("hedge_cue", "") or "",
        "section": claim["section"],
        "cites": list(claim["cites"]),
    }


def _relations_legend(edges: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The relations drawn, with their style: those drawn at first first, in their order, then by label."""
    relation_labels = {e["relation"]: e["label"] for e in edges}
    return [
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


def _continuity_summary(edges: list[dict[str, Any]]) -> dict[str, int]:
    """How many claims of continuity the legend summarises while they are not drawn."""
    claims = [e for e in edges if e["relation"] == "wm:claimsContinuity"]
    return {
        "lines": len(claims),
        "quotes": sum(e["quotes"] for e in claims),
        "claimants": len({e["subject"] for e in claims}),
        "claimed": len({e["object"] for e in claims}),
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
    from westminster_kg.view.network_app import _vis_assets, json_for_script
    from westminster_kg.view.templates import _inline_safe, environment, static_text

    if graph is None:
        graph = build_network(kg)
    vis_js, vis_css = _vis_assets()
    return (
        environment()
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
    "DRAWN_INVERSE",
    "aggregate",
    "overview_data",
    "render_overview",
    "wrap_label",
    "write_overview",
]
