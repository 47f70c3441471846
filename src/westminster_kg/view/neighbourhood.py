"""An entity's neighbourhood as a small static SVG for its page: no script, a few kilobytes.

The entity sits in the middle; its neighbours sit on a circle (left for incoming relations, right
for outgoing), one line per relation with the number of quotes behind it, drawn in the relation's
style; every neighbour links to its own page. Built with ElementTree, so every label is escaped.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import TYPE_CHECKING

from westminster_kg.namespaces import WMR
from westminster_kg.view.overview import aggregate
from westminster_kg.view.style import family_of, relation_style

if TYPE_CHECKING:
    import networkx as nx

SVG_NS = "http://www.w3.org/2000/svg"
WIDTH, HEIGHT_MIN, ROW, COLUMN = 860, 160, 22, 270
MAX_NEIGHBOURS = 24


def _shape(parent: ET.Element, shape: str, x: float, y: float, r: float, fill: str) -> None:
    """The family's shape (the overview's vis-network shapes, drawn in SVG)."""
    attrs = {"fill": fill, "stroke": "#333", "stroke-width": "1.2"}
    if shape == "dot":
        ET.SubElement(parent, "circle", {"cx": f"{x:.1f}", "cy": f"{y:.1f}", "r": f"{r:.1f}", **attrs})
        return
    if shape == "square":
        points = [(x - r, y - r), (x + r, y - r), (x + r, y + r), (x - r, y + r)]
    elif shape == "diamond":
        points = [(x, y - r * 1.3), (x + r * 1.3, y), (x, y + r * 1.3), (x - r * 1.3, y)]
    elif shape == "triangle":
        points = [(x, y - r * 1.2), (x + r * 1.2, y + r), (x - r * 1.2, y + r)]
    elif shape == "triangleDown":
        points = [(x, y + r * 1.2), (x + r * 1.2, y - r), (x - r * 1.2, y - r)]
    elif shape == "star":
        points = [
            (
                x + (r * 1.3 if i % 2 == 0 else r * 0.55) * math.sin(i * math.pi / 5),
                y - (r * 1.3 if i % 2 == 0 else r * 0.55) * math.cos(i * math.pi / 5),
            )
            for i in range(10)
        ]
    else:  # hexagon and anything else
        points = [(x + r * math.cos(i * math.pi / 3), y + r * math.sin(i * math.pi / 3)) for i in range(6)]
    ET.SubElement(parent, "polygon", {"points": " ".join(f"{a:.1f},{b:.1f}" for a, b in points), **attrs})


def _page(iri: str, entity_base: str) -> str:
    return entity_base + iri[len(str(WMR)) :] if iri.startswith(str(WMR)) else ""


# Each neighbour's relations with the centre: (relation CURIE, "in" or "out", number of quotes).
Relations = dict[str, list[tuple[str, str, int]]]


@dataclass(frozen=True)
class _Layout:
    """Where the picture puts things: the centre, and each shown neighbour at (x, y, text-anchor)."""

    height: float
    centre: tuple[float, float]
    incoming: list[str]
    outgoing: list[str]
    positions: dict[str, tuple[float, float, str]]


def neighbourhood_svg(graph: nx.MultiDiGraph, iri: str, *, entity_base: str = "/id/") -> str:
    """The SVG text of ``iri``'s neighbourhood in ``graph`` (``""`` when it has no relation)."""
    by_neighbour, verbs = _relations_of(graph, iri)
    if not by_neighbour:
        return ""
    labels = {n: d["label"] for n, d in graph.nodes(data=True)}
    ranked = sorted(by_neighbour, key=lambda n: (-sum(q for _r, _d, q in by_neighbour[n]), labels[n].casefold()))
    shown, hidden = ranked[:MAX_NEIGHBOURS], ranked[MAX_NEIGHBOURS:]
    layout = _layout(shown, by_neighbour, labels)
    svg = ET.Element(
        "svg",
        {
            "xmlns": SVG_NS,
            "viewBox": f"0 0 {WIDTH} {layout.height}",
            "width": str(WIDTH),
            "height": str(layout.height),
            "font-family": "system-ui, sans-serif",
            "font-size": "12",
            "role": "img",
            "class": "wmkg-neighbourhood-svg",
        },
    )
    ET.SubElement(svg, "title").text = f"Relations of {labels.get(iri, iri)}"
    for x, anchor, words in ((COLUMN, "end", "relations into it"), (WIDTH - COLUMN, "start", "relations from it")):
        if layout.incoming if anchor == "end" else layout.outgoing:
            head = ET.SubElement(svg, "text", {"x": str(x), "y": "16", "text-anchor": anchor, "fill": "#555"})
            head.text = words
    _draw_lines(ET.SubElement(svg, "g"), layout, by_neighbour, verbs, labels, iri)
    _draw_neighbours(svg, graph, layout, labels, entity_base)
    _draw_centre(svg, graph, iri, layout.centre, labels.get(iri, iri))
    _draw_key(svg, layout.height)
    if hidden:
        more = ET.SubElement(svg, "text", {"x": "10", "y": str(layout.height - 6), "fill": "#555"})
        more.text = f"and {len(hidden)} more (listed in the table above)"
    ET.register_namespace("", SVG_NS)
    return ET.tostring(svg, encoding="unicode")


def _relations_of(graph: nx.MultiDiGraph, iri: str) -> tuple[Relations, dict[str, str]]:
    """``iri``'s relations by neighbour (self-loops left out), and each relation's verb."""
    merged = {k: v for k, v in aggregate(graph).items() if iri in (k[0], k[2]) and k[0] != k[2]}
    by_neighbour: Relations = {}
    verbs: dict[str, str] = {}
    for (u, relation, v), claims in merged.items():
        other, direction = (v, "out") if u == iri else (u, "in")
        quotes = sum(len(c["quotes"]) for c in claims)
        by_neighbour.setdefault(other, []).append((relation, direction, quotes))
        verbs[relation] = claims[0]["relation_label"]
    return by_neighbour, verbs


def _layout(shown: list[str], by_neighbour: Relations, labels: dict[str, str]) -> _Layout:
    """Neighbours with any relation into the centre in the left column, the others in the right, by label."""
    incoming = [n for n in shown if any(d == "in" for _r, d, _q in by_neighbour[n])]
    outgoing = [n for n in shown if n not in incoming]
    rows = max(len(incoming), len(outgoing), 1)
    height = max(HEIGHT_MIN, 70 + rows * ROW)
    cx, cy = WIDTH / 2, 20 + height / 2
    positions: dict[str, tuple[float, float, str]] = {}
    for x, anchor, group in ((COLUMN, "end", incoming), (WIDTH - COLUMN, "start", outgoing)):
        for i, node in enumerate(sorted(group, key=lambda n: labels[n].casefold())):
            y = cy + (i - (len(group) - 1) / 2) * ROW
            positions[node] = (x, y, anchor)
    return _Layout(height, (cx, cy), incoming, outgoing, positions)


def _draw_lines(
    lines: ET.Element, layout: _Layout, by_neighbour: Relations, verbs: dict[str, str], labels: dict[str, str], iri: str
) -> None:
    """A curve from the centre to a neighbour per relation between them (fanned out when several),
    as thick as its quotes are many, in the relation's style, its tooltip saying who does what to whom."""
    cx, cy = layout.centre
    for node, (x, y, _anchor) in layout.positions.items():
        for k, (relation, direction, quotes) in enumerate(by_neighbour[node]):
            style = relation_style(relation)
            bend = (k - (len(by_neighbour[node]) - 1) / 2) * 18
            mx, my = (cx + x) / 2, (cy + y) / 2 + bend
            attrs = {
                "d": f"M{cx:.1f},{cy:.1f} Q{mx:.1f},{my:.1f} {x:.1f},{y:.1f}",
                "fill": "none",
                "stroke": str(style["color"]),
                "stroke-width": f"{1.2 + min(quotes, 6) * 0.4:.1f}",
            }
            if style["dashes"]:
                attrs["stroke-dasharray"] = " ".join(str(d) for d in style["dashes"])  # type: ignore[union-attr]
            path = ET.SubElement(lines, "path", attrs)
            verb = verbs[relation]
            ET.SubElement(path, "title").text = (
                f"{labels.get(iri, iri)} {verb} {labels[node]}"
                if direction == "out"
                else f"{labels[node]} {verb} {labels.get(iri, iri)}"
            ) + f" ({quotes} quotes)"


def _draw_neighbours(
    svg: ET.Element, graph: nx.MultiDiGraph, layout: _Layout, labels: dict[str, str], entity_base: str
) -> None:
    """Each neighbour in its family's shape and colour, labelled, linked to its page when it has one."""
    for node, (x, y, anchor) in layout.positions.items():
        family = family_of(graph.nodes[node]["cls"])
        href = _page(node, entity_base)
        holder = ET.SubElement(svg, "a", {"href": href}) if href else ET.SubElement(svg, "g")
        ET.SubElement(holder, "title").text = f"{labels[node]} ({family.name})"
        _shape(holder, family.shape, x, y, 7, family.colour)
        text = ET.SubElement(
            holder,
            "text",
            {"x": f"{x + (10 if anchor == 'start' else -10):.1f}", "y": f"{y + 4:.1f}", "text-anchor": anchor},
        )
        text.text = labels[node] if len(labels[node]) <= 38 else labels[node][:37] + "…"


def _draw_centre(svg: ET.Element, graph: nx.MultiDiGraph, iri: str, centre: tuple[float, float], name: str) -> None:
    """The entity itself, larger, its name in bold below it (haloed so lines do not cross it out)."""
    cx, cy = centre
    family = family_of(graph.nodes[iri]["cls"])
    _shape(svg, family.shape, cx, cy, 12, family.colour)
    label = ET.SubElement(
        svg,
        "text",
        {
            "x": f"{cx:.1f}",
            "y": f"{cy + 30:.1f}",
            "text-anchor": "middle",
            "font-weight": "bold",
            "font-size": "13",
            "stroke": "#fff",
            "stroke-width": "4",
            "paint-order": "stroke",
        },
    )
    label.text = name


def _draw_key(svg: ET.Element, height: float) -> None:
    """A key for the three relations the argument turns on (other relations: thin lines in other colours)."""
    for row, (relation, words) in enumerate(
        (
            ("wm:erodes", "erodes"),
            ("wm:institutionalises", "institutionalises"),
            ("wm:claimsContinuity", "claims continuity"),
        )
    ):
        style = relation_style(relation)
        y = height - 14 - 18 * (2 - row)
        attrs = {
            "x1": str(WIDTH - 190),
            "x2": str(WIDTH - 150),
            "y1": str(y),
            "y2": str(y),
            "stroke": str(style["color"]),
            "stroke-width": "2.5",
        }
        if style["dashes"]:
            attrs["stroke-dasharray"] = " ".join(str(d) for d in style["dashes"])  # type: ignore[union-attr]
        ET.SubElement(svg, "line", attrs)
        key = ET.SubElement(svg, "text", {"x": str(WIDTH - 144), "y": str(y + 4), "fill": "#333"})
        key.text = words


__all__ = ["neighbourhood_svg"]
