"""The timeline, 1918 to 2016, as SVG: governments as bands, the Haldane Report and Carltona as
origins, reforms at their dates (or their government's span, marked undated), the erosion of each
convention over time, and continuity claims as markers on the government that made them.

The SVG is built with ``xml.etree.ElementTree`` (which escapes all text), has real ``<text>`` (so
it can be selected, searched and printed) and needs nothing from any host. Every mark is a link to
its entity and, in the web app, to its evidence in the article reader.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from westminster_kg.internal_queries import internal_query
from westminster_kg.namespaces import WMR
from westminster_kg.naming import visible
from westminster_kg.view.facts import Span, _date, distinct_labels, hedge_note, spans
from westminster_kg.view.overview import aggregate
from westminster_kg.view.style import OKABE_ITO, family_of

if TYPE_CHECKING:
    import networkx as nx

    from westminster_kg.knowledge_graph import KnowledgeGraph

SVG_NS = "http://www.w3.org/2000/svg"
FIRST_YEAR, BREAK_YEAR, LAST_YEAR = 1918, 1975, 2016
WIDTH = 1400
LEFT = 250  # row labels live left of this
COMPRESSED = 170  # px for 1918-1975: the article's story is 1979 onwards
LANE = 22
AXIS_END = WIDTH - 70  # right of this: marks the article gives no date for
CHAR = 6.4  # average width of a character at 11-12 px, to keep labels apart
END_OF_RECORD = dt.date(LAST_YEAR, 12, 31)  # where a span the article leaves open is drawn to end
# Claims grouped by (subject, relation, object), as view.overview.aggregate gives them.
Merged = dict[tuple[str, str, str], list[dict[str, Any]]]


def x_of(when: dt.date) -> float:
    """Horizontal position of a date: 1918-1975 compressed, 1975-2016 at full scale."""
    year = when.year + (when.timetuple().tm_yday - 1) / 366
    year = min(max(year, FIRST_YEAR), LAST_YEAR + 1)
    if year <= BREAK_YEAR:
        return LEFT + COMPRESSED * (year - FIRST_YEAR) / (BREAK_YEAR - FIRST_YEAR)
    scale = (AXIS_END - LEFT - COMPRESSED) / (LAST_YEAR + 1 - BREAK_YEAR)
    return LEFT + COMPRESSED + scale * (year - BREAK_YEAR)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: Any) -> ET.Element:
    element = ET.SubElement(parent, tag, {k.rstrip("_").replace("_", "-"): str(v) for k, v in attributes.items()})
    if text is not None:
        element.text = text
    return element


def _link(parent: ET.Element, href: str, title: str) -> ET.Element:
    anchor = _sub(parent, "a", href=href)
    _sub(anchor, "title", title)
    return anchor


class _Links:
    """Where marks point: entity pages and evidence in the web app, the IRIs themselves in a file."""

    def __init__(self, entity_base: str | None, article: str | None) -> None:
        self.entity_base, self.article = entity_base, article

    def entity(self, iri: str) -> str:
        if self.entity_base and iri.startswith(str(WMR)):
            return self.entity_base + iri[len(str(WMR)) :]
        return iri

    def evidence(self, claim: str | None, iri: str) -> str:
        if self.article and claim and claim.startswith(str(WMR)):
            return f"{self.article}#{claim[len(str(WMR)) :]}"
        return self.entity(iri)


def _lane(lanes: list[float], begin: float, end: float) -> int:
    """The first lane free before ``begin`` (a new one when none is), now taken up to ``end``."""
    lane = next((i for i, taken in enumerate(lanes) if taken < begin), len(lanes))
    if lane < len(lanes):
        lanes[lane] = end
    else:
        lanes.append(end)
    return lane


def _dates(kg: KnowledgeGraph) -> dict[str, tuple[dt.date | None, dt.date | None]]:
    found: dict[str, tuple[dt.date | None, dt.date | None]] = {}
    for entity, date, start, end in kg.store.query(internal_query("view-dated-entities")).rows:
        first = _date(date) or _date(start)
        last = _date(end) or (_date(date) if date is not None else None)
        old = found.get(str(entity), (None, None))
        found[str(entity)] = (old[0] or first, old[1] or last)
    return found


def _own_times(kg: KnowledgeGraph) -> dict[str, set[str]]:
    """Entity → the governments and periods it belongs to itself (not those of its neighbours)."""
    found: dict[str, set[str]] = defaultdict(set)
    for entity, time in kg.store.query(internal_query("view-own-times")).rows:
        found[str(entity)].add(str(time))
    return found


def _hedged(claim: dict[str, Any]) -> str:
    """`` (possible — hedge: “potentially”)`` after a quote whose claim is not asserted, else ``""``."""
    note = hedge_note(claim.get("modality"), claim.get("modality_label"), claim.get("hedge_cue"))
    return f" ({note})" if note else ""


def _span_of(iri: str, governments: list[str], dates: dict, time_spans: dict[str, Span]) -> tuple[Any, Any, bool]:
    """(start, end, dated): the entity's own dates, else its governments' span (undated)."""
    start, end = dates.get(iri, (None, None))
    if start:
        return start, end or start, True
    known = [time_spans[g] for g in governments if g in time_spans and time_spans[g].start]
    if known:
        first = min(s.start for s in known)
        last = max((s.end or END_OF_RECORD) for s in known)
        return first, last, False
    return None, None, False


@dataclass(frozen=True)
class _Drawing:
    """What every row of the timeline is drawn from, and the SVG element it is drawn into."""

    svg: ET.Element
    links: _Links
    labels: dict[str, str]
    time_spans: dict[str, Span]
    dates: dict[str, tuple[dt.date | None, dt.date | None]]
    merged: Merged


def timeline_svg(
    kg: KnowledgeGraph, graph: nx.MultiDiGraph, *, entity_base: str | None = None, article: str | None = None
) -> str:
    """The timeline as SVG text (see the module docstring).

    Args:
        kg: the knowledge graph.
        graph: the full network from ``build_network``.
        entity_base: URL prefix of entity pages (``/id/``), or ``None`` to link marks to their IRIs.
        article: URL of the article reader (``/article``) for evidence links, or ``None``.

    Returns:
        A standalone SVG document (UTF-8 text without an XML declaration).
    """
    drawing = _Drawing(
        svg=_svg_element(),
        links=_Links(entity_base, article),
        labels=distinct_labels(graph),  # a reform and the unit it set up may share a label
        time_spans=spans(kg),
        dates=_dates(kg),
        merged=aggregate(graph),
    )
    svg = drawing.svg
    _sub(svg, "title", "The Westminster Model argument in time, 1918-2016")
    y = _draw_axis(svg, 30)
    grid = _sub(svg, "g", class_="grid")  # filled at the end, once the height is known
    y = _draw_governments(drawing, y)
    y = _draw_documents(drawing, graph, y)
    y = _draw_reforms(drawing, graph, _own_times(kg), y)
    y = _draw_erosion(drawing, y)
    height = y + 20
    for year in range(1980, 2016, 5):
        x = x_of(dt.date(year, 1, 1))
        _sub(grid, "line", x1=f"{x:.1f}", x2=f"{x:.1f}", y1=60, y2=height - 20, stroke="#f0f0f0")
    svg.set("height", str(height))
    svg.set("viewBox", f"0 0 {WIDTH} {height}")
    ET.register_namespace("", SVG_NS)
    # A control character in a label would make the SVG ill-formed XML, a bidi one reorder it: U+FFFD.
    return visible(ET.tostring(svg, encoding="unicode"), "page")


def _svg_element() -> ET.Element:
    """The empty ``<svg>``; its height and viewBox are set once every row is drawn."""
    return ET.Element(
        "svg",
        {
            "xmlns": SVG_NS,
            "width": str(WIDTH),
            "viewBox": "",
            "role": "img",
            "font-family": "system-ui, sans-serif",
            "font-size": "12",
            "class": "wmkg-timeline",
        },
    )


def _draw_axis(svg: ET.Element, y: float) -> float:
    """The axis at ``y``: decades, the "no date" column and a mark where the scale changes."""
    axis = _sub(svg, "g", class_="axis")
    for year in (1918, 1930, 1943, 1960, *range(1975, 2014, 5), 2016):
        x = x_of(dt.date(year, 1, 1))
        _sub(axis, "line", x1=f"{x:.1f}", x2=f"{x:.1f}", y1=y, y2=y + 6, stroke="#333")
        _sub(axis, "text", str(year), x=f"{x:.1f}", y=y - 4, text_anchor="middle", fill="#333")
    _sub(axis, "line", x1=LEFT, x2=f"{AXIS_END:.1f}", y1=y, y2=y, stroke="#333")
    _sub(axis, "text", "no date", x=f"{AXIS_END + 30:.1f}", y=y - 4, text_anchor="middle", fill="#555")
    xb = x_of(dt.date(BREAK_YEAR, 1, 1))
    _sub(axis, "text", "scale widens from 1975 →", x=f"{xb + 4:.1f}", y=y + 16, fill="#666", font_size="10")
    return y + 30


def _draw_governments(drawing: _Drawing, y: float) -> float:
    """Governments as bands from ``y``, each with a marker per claim of continuity it makes; the y below."""
    continuity = _continuity_by_government(drawing)
    _sub(drawing.svg, "text", "Governments", x=10, y=y + 15, font_weight="bold")
    band_y, lanes = _draw_government_bands(drawing, continuity, y)
    _draw_continuity_markers(drawing, continuity, band_y)
    return y + max(lanes, 1) * (LANE + 4) + 4


def _continuity_by_government(drawing: _Drawing) -> dict[str, list[tuple[str, list[dict]]]]:
    """Government → (what it claims continuity of, the claims) for every continuity claim it makes."""
    time_spans = drawing.time_spans
    continuity: dict[str, list[tuple[str, list[dict]]]] = defaultdict(list)
    for (u, relation, v), claims in drawing.merged.items():
        if relation == "wm:claimsContinuity" and u in time_spans and time_spans[u].kind == "government":
            continuity[u].append((v, claims))
    return continuity


def _draw_government_bands(
    drawing: _Drawing, continuity: dict[str, list[tuple[str, list[dict]]]], y: float
) -> tuple[dict[str, float], int]:
    """One band per dated government; overlapping ones (New Labour and Blair) take another lane.

    Returns:
        Each drawn government's band top, and how many lanes the bands took.
    """
    lanes: list[float] = []
    band_y: dict[str, float] = {}
    govs = sorted((s for s in drawing.time_spans.values() if s.kind == "government" and s.start), key=lambda s: s.start)
    for span in govs:
        x0, x1 = x_of(span.start), x_of(span.end or END_OF_RECORD)
        lane = next((i for i, end in enumerate(lanes) if end <= x0 + 1), len(lanes))
        if lane < len(lanes):
            lanes[lane] = x1
        else:
            lanes.append(x1)
        top = y + lane * (LANE + 4)
        band_y[span.iri] = top
        title = f"{span.label}: {span.start} to {span.end or 'after 2016'}"
        anchor = _link(drawing.svg, drawing.links.entity(span.iri), title)
        _sub(
            anchor,
            "rect",
            x=f"{x0:.1f}",
            y=top,
            width=f"{max(x1 - x0, 2):.1f}",
            height=LANE,
            fill=OKABE_ITO["purple"],
            fill_opacity="0.35",
            stroke=OKABE_ITO["purple"],
        )
        # The label leaves room for the band's continuity markers at its right end.
        room = int((x1 - x0 - 8 - 9 * len(continuity.get(span.iri, ()))) / CHAR)
        text = span.label if len(span.label) <= room else span.label[: max(room - 1, 0)] + "…"
        if room >= 3:
            _sub(anchor, "text", text, x=f"{x0 + 4:.1f}", y=top + 15, fill="#222", font_size="11")
    return band_y, len(lanes)


def _draw_continuity_markers(
    drawing: _Drawing, continuity: dict[str, list[tuple[str, list[dict]]]], band_y: dict[str, float]
) -> None:
    """A ring at the right end of a government's band for each claim of continuity it makes."""
    labels = drawing.labels
    for gov, items in continuity.items():
        if gov not in band_y:  # a government without dates has no band to carry the marker
            continue
        span = drawing.time_spans[gov]
        x1 = x_of(span.end or END_OF_RECORD)
        for i, (target, claims) in enumerate(sorted(items, key=lambda t: labels[t[0]])):
            quote = claims[0]["quotes"][0] if claims[0]["quotes"] else ""
            anchor = _link(
                drawing.svg,
                drawing.links.evidence(claims[0]["claim"], gov),
                f"{labels[gov]} claims continuity of {labels[target]}: “{quote}”" + _hedged(claims[0]),
            )
            _sub(
                anchor,
                "circle",
                cx=f"{x1 - 8 - i * 9:.1f}",
                cy=band_y[gov] + LANE / 2,
                r=4,
                fill="#fff",
                stroke=OKABE_ITO["green"],
                stroke_width=2.5,
                class_="continuity",
            )


def _draw_documents(drawing: _Drawing, graph: nx.MultiDiGraph, y: float) -> float:
    """Dated documents from ``y``, those before 1979 (the Haldane Report, Carltona) as origins; the y below."""
    svg, labels, dates = drawing.svg, drawing.labels, drawing.dates
    _sub(svg, "text", "Origins and documents", x=10, y=y + 15, font_weight="bold")
    doc_lanes: list[float] = []
    docs = [
        (dates[n][0], n)
        for n in graph
        if family_of(graph.nodes[n]["cls"]).key == "document" and dates.get(n, (None, None))[0]
    ]
    for when, node in sorted(docs):
        x = x_of(when)
        text = labels[node] if str(when.year) in labels[node] else f"{labels[node]} ({when.year})"
        left = x + CHAR * len(text) + 14 > WIDTH  # no room on the right: the label goes left of the mark
        start_x = x - CHAR * len(text) - 14 if left else x - 6
        top = y + _lane(doc_lanes, start_x, x + 6 if left else x + CHAR * len(text) + 14) * LANE
        origin = when.year < 1979
        anchor = _link(svg, drawing.links.entity(node), text + (": an origin of the convention" if origin else ""))
        _sub(
            anchor,
            "path",
            d=f"M{x - 6:.1f},{top + 4} L{x + 6:.1f},{top + 4} L{x:.1f},{top + 16} Z",
            fill="#000" if origin else "#fff",
            stroke="#000",
        )
        _sub(
            anchor,
            "text",
            text,
            x=f"{x - 9 if left else x + 9:.1f}",
            y=top + 15,
            text_anchor="end" if left else "start",
            font_weight="bold" if origin else "normal",
        )
    return y + max(len(doc_lanes), 1) * LANE + 10


def _draw_reforms(drawing: _Drawing, graph: nx.MultiDiGraph, own: dict[str, set[str]], y: float) -> float:
    """Reforms from ``y``: at their date, or over their government's span when the article gives no
    date; those with neither listed below them. The y below it all."""
    svg, labels = drawing.svg, drawing.labels
    _sub(svg, "text", "Reforms", x=10, y=y + 15, font_weight="bold")
    _sub(svg, "text", "■ dated   ▭ undated: its government's span", x=10, y=y + 30, fill="#555", font_size="10")
    reform_lanes: list[float] = []
    undated: list[str] = []
    for _, node, start, end, dated in _reform_spans(drawing, graph, own):
        if start is None:
            undated.append(node)
            continue
        _draw_reform(drawing, node, (start, end, dated), reform_lanes, y)
    y += max(len(reform_lanes), 1) * LANE + 6
    if undated:
        names = ", ".join(labels[n] for n in sorted(undated, key=lambda n: labels[n].casefold()))
        _sub(
            svg,
            "text",
            f"No date and no government in the article: {names}",
            x=10,
            y=y + 12,
            fill="#555",
            font_size="11",
            class_="undated",
        )
        y += 22
    return y


def _reform_spans(drawing: _Drawing, graph: nx.MultiDiGraph, own: dict[str, set[str]]) -> list[tuple[Any, ...]]:
    """(sort date, reform, start, end, dated) of every reform, in the order they are drawn."""
    time_spans = drawing.time_spans
    reforms = []
    for node, data in graph.nodes(data=True):
        if family_of(data["cls"]).key != "reform":
            continue
        # Its own government (the one that introduced it), never one it is merely related to: the
        # Coalition abolished New Labour's Delivery Unit, which is not the Coalition's for that.
        times = [t for t in own.get(node, ()) if t in time_spans]
        govs_of = [t for t in times if time_spans[t].kind == "government"] or times
        start, end, dated = _span_of(node, govs_of, drawing.dates, time_spans)
        reforms.append((start or dt.date(9999, 1, 1), node, start, end, dated))
    return sorted(reforms, key=lambda r: (r[0], drawing.labels[r[1]]))


def _draw_reform(
    drawing: _Drawing, node: str, span: tuple[dt.date, dt.date, bool], lanes: list[float], y: float
) -> None:
    """One reform's bar in the first free lane of ``lanes`` below ``y``: filled when dated, dashed when
    it stands over its government's span, its label on whichever side has room."""
    start, end, dated = span
    label = drawing.labels[node]
    x0, x1 = x_of(start), x_of(end)
    text = label + ("" if dated else " (undated)")
    right = max(x1, x0 + 10)
    left = right + CHAR * len(text) + 12 > WIDTH
    begin = x0 - CHAR * len(text) - 12 if left else x0 - 6
    top = y + _lane(lanes, begin, right + 6 if left else right + CHAR * len(text) + 12) * LANE
    when = f"{start.year}" + (f"-{end.year}" if end and end.year != start.year else "")
    title = f"{label}: {when}" + ("" if dated else " (the article gives no date: its government's span)")
    anchor = _link(drawing.svg, drawing.links.entity(node), title)
    look = (
        {"fill": OKABE_ITO["orange"], "stroke": "#333"}
        if dated
        else {"fill": "#fff", "stroke": OKABE_ITO["orange"], "stroke_width": 2, "stroke_dasharray": "4 3"}
    )
    _sub(
        anchor,
        "rect",
        x=f"{x0:.1f}",
        y=top + 4,
        width=f"{max(x1 - x0, 10):.1f}",
        height=12,
        class_="reform " + ("dated" if dated else "undated"),
        **look,
    )
    _sub(
        anchor,
        "text",
        text,
        x=f"{x0 - 5 if left else right + 5:.1f}",
        y=top + 15,
        font_size="11",
        text_anchor="end" if left else "start",
    )


def _draw_erosion(drawing: _Drawing, y: float) -> float:
    """One row from ``y`` per convention, principle or model something erodes or claims continuity
    of, the most eroded first; the y below them."""
    y += 8
    svg, labels, merged = drawing.svg, drawing.labels, drawing.merged
    _sub(svg, "text", "Erosion over time", x=10, y=y + 12, font_weight="bold")
    _sub(
        svg,
        "text",
        "▮ erodes (the eroding reform's or idea's time)   ○ a government claims continuity",
        x=LEFT,
        y=y + 12,
        fill="#555",
        font_size="10",
    )
    y += 22
    targets = sorted(
        {v for (u, r, v) in merged if r in ("wm:erodes", "wm:claimsContinuity")},
        key=lambda v: (-sum(1 for (_u, r, w) in merged if w == v and r == "wm:erodes"), labels[v]),
    )
    for target in targets:
        _sub(svg, "text", labels[target][:38], x=10, y=y + 14)
        _sub(svg, "line", x1=LEFT, x2=WIDTH - 10, y1=y + 10, y2=y + 10, stroke="#ddd")
        _draw_erosion_row(drawing, target, y)
        y += LANE
    return y


def _draw_erosion_row(drawing: _Drawing, target: str, y: float) -> None:
    """The marks on ``target``'s row: each eroder or claimant at its own time (or its government's),
    those without a time right of the axis, one after another."""
    labels = drawing.labels
    timeless = 0
    for (u, relation, v), claims in sorted(drawing.merged.items()):
        if v != target or relation not in ("wm:erodes", "wm:claimsContinuity"):
            continue
        govs_of = sorted({g for c in claims for g in c["governments"]}) or ([u] if u in drawing.time_spans else [])
        start, end, _dated = _span_of(u, govs_of, drawing.dates, drawing.time_spans)
        quoted = next((c for c in claims if c["quotes"]), claims[0])
        quote = quoted["quotes"][0] if quoted["quotes"] else ""
        verb = "erodes" if relation == "wm:erodes" else "claims continuity of"
        title = f"{labels[u]} {verb} {labels[target]} ({sum(len(c['quotes']) for c in claims)} quotes): “{quote}”"
        title += _hedged(quoted)
        anchor = _link(drawing.svg, drawing.links.evidence(claims[0]["claim"], u), title)
        if start is None:
            x0, x1 = AXIS_END + 10 + timeless * 8, AXIS_END + 14 + timeless * 8
            timeless += 1
        else:
            x0, x1 = x_of(start), x_of(end)
        _erosion_mark(anchor, relation, claims, (x0, x1), y)


def _erosion_mark(anchor: ET.Element, relation: str, claims: list[dict], xs: tuple[float, float], y: float) -> None:
    """An erosion as a bar over ``xs`` (paler when every claim of it is hedged), a continuity claim as a ring."""
    x0, x1 = xs
    if relation == "wm:erodes":
        weak = all(c.get("modality", "") in ("wm:Hedged", "wm:Possible", "wm:Questioned") for c in claims)
        _sub(
            anchor,
            "rect",
            x=f"{x0:.1f}",
            y=y + 3,
            width=f"{max(x1 - x0, 4):.1f}",
            height=14,
            fill=OKABE_ITO["vermillion"],
            fill_opacity="0.25" if weak else "0.55",
            class_="erosion",
        )
    else:
        _sub(
            anchor,
            "circle",
            cx=f"{(x0 + x1) / 2:.1f}",
            cy=y + 10,
            r=5,
            fill="#fff",
            stroke=OKABE_ITO["green"],
            stroke_width=2.5,
            class_="continuity",
        )


def render_timeline_page(kg: KnowledgeGraph, graph: nx.MultiDiGraph, *, navigation: bool = True) -> str:
    """The timeline page: the SVG inline, with SVG/PNG export and print."""
    from westminster_kg.view.pages import render_page
    from westminster_kg.view.templates import _inline_safe, static_text

    svg = timeline_svg(
        kg, graph, entity_base="/id/" if navigation else None, article="/article" if navigation else None
    )
    script = _inline_safe(static_text("timeline.js"), "script")
    return render_page("timeline.html", navigation=navigation, title="Timeline 1918-2016", svg=svg, script=script)


def write_timeline(kg: KnowledgeGraph, path: Any) -> Any:
    """Write the timeline to ``path``: SVG, or the HTML page when the name ends in .html/.htm."""
    from pathlib import Path

    from westminster_kg.network import build_network
    from westminster_kg.turtle import write_atomically

    target = Path(path)
    graph = build_network(kg)
    if target.suffix.lower() in (".html", ".htm"):
        text = render_timeline_page(kg, graph, navigation=False)
    else:
        text = '<?xml version="1.0" encoding="UTF-8"?>\n' + timeline_svg(kg, graph)
    write_atomically(target, text.encode("utf-8"))  # an existing file keeps its mode; a new one is 0644
    return target


__all__ = ["render_timeline_page", "timeline_svg", "write_timeline", "x_of"]
