"""The interactive network view: one self-contained HTML file built on pyvis's vis-network.

pyvis is used for what it does well, building vis-network node, edge and global options, and for
the vis-network build it ships; its own page template is not used, because it loads Bootstrap from
a CDN and writes ``title`` popups as HTML. Our template inlines vis-network's JS and CSS, holds all
graph text as JSON in a ``<script type="application/json">`` block and renders it with
``textContent``, so a label such as ``<img src=x onerror=...>`` stays text.

The layout is computed here, in Python, with a fixed seed, and physics is off: the same graph gives
the same picture on every load. Up to ``PHYSICS_LIMIT`` nodes every node gets a grid cell of its own
near its spring-layout place, so no label covers another (``view.network_layout``); beyond that a
force layout places them, so a large page is usable at once.
"""

from __future__ import annotations

import base64
import gzip
import html
import json
import math
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np
from pyvis.edge import Edge
from pyvis.network import Network
from pyvis.node import Node

from westminster_kg.errors import WmkgError
from westminster_kg.namespaces import WMR, local_name
from westminster_kg.view.entity import all_words, local_runner, panel_words
from westminster_kg.view.facts import hedge_note
from westminster_kg.view.network_layout import readable_layout, wrap
from westminster_kg.view.style import HIDDEN_CLASSES, family_of, human_name, relation_style
from westminster_kg.view.templates import _inline_safe, environment, static_text

if TYPE_CHECKING:
    from westminster_kg.knowledge_graph import KnowledgeGraph

# Above this many nodes, a force layout rather than a grid of readable labels (at 1,000 nodes the
# browser's physics took 4.4 s to interactive, the Python layout 0.06 s + 0.6 s: benchmarks/VIEW.md).
PHYSICS_LIMIT = 500
NETWORKX_LAYOUT_LIMIT = 2000  # networkx's spring layout beyond this is too slow (see _layout)


# Colour and shape by class family, and edge styles, come from style.py: one colour-blind-safe
# vocabulary (Okabe-Ito plus shapes and dash patterns) for every picture.
def class_style(cls: str) -> tuple[str, str]:
    """(colour, vis shape) for a class CURIE: its family's."""
    family = family_of(cls)
    return family.colour, family.shape


def json_for_script(data: Any) -> str:
    """JSON that is safe inside ``<script type="application/json">``: no ``<``, ``>``, ``&`` or U+2028/9.

    ``</script>`` or ``<!--`` in a label would otherwise end or change the script element; the
    escapes are valid JSON, so ``JSON.parse`` gives back exactly the original text.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for raw, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(raw, escaped)
    return text


@cache
def _vis_assets() -> tuple[str, str]:
    """vis-network's JS and CSS as shipped inside the pyvis package (no CDN)."""
    import pyvis

    folder = Path(pyvis.__file__).resolve().parent / "templates" / "lib" / "vis-9.1.2"
    try:
        js = (folder / "vis-network.min.js").read_text(encoding="utf-8")
        css = (folder / "vis-network.css").read_text(encoding="utf-8")
    except OSError as exc:  # pragma: no cover - a broken pyvis install
        raise WmkgError(f"pyvis's bundled vis-network is missing ({folder}): reinstall pyvis") from exc
    # 205 KB of the CSS are PNG icons as data: URIs, for the navigation, editing and configuration
    # buttons; every picture here turns those off, and every page (and notebook cell) carried them.
    css = re.sub(r"url\((['\"]?)data:[^)]*\1\)", "none", css)
    return _inline_safe(js, "script"), _inline_safe(css, "style")


def _layout(graph: nx.MultiDiGraph) -> dict[str, tuple[float, float]]:
    """Positions for a large graph, in vis-network's pixel space.

    networkx's spring layout takes about 2.4 s for 1,500 nodes but ~12 s for 5,000 and minutes
    for 20,000 (its sparse version loops over nodes in Python), so beyond ``NETWORKX_LAYOUT_LIMIT``
    a sampled force layout in numpy is used: each node is pushed away from a random sample of
    nodes instead of all of them, which costs O(n·sample + edges) per step.
    """
    simple = nx.Graph(graph.to_undirected(as_view=True))
    if len(simple) <= NETWORKX_LAYOUT_LIMIT:
        positions = nx.spring_layout(simple, iterations=15, seed=7)
        coords = {n: (float(p[0]), float(p[1])) for n, p in positions.items()}
    else:
        coords = _sampled_force_layout(simple)
    scale = 40.0 * math.sqrt(len(simple))  # about 40 px between neighbours whatever the size
    return {n: (x * scale, y * scale) for n, (x, y) in coords.items()}


def _sampled_force_layout(graph: nx.Graph, iterations: int = 60, sample: int = 64) -> dict[str, tuple[float, float]]:
    """Fruchterman–Reingold with repulsion estimated from a random sample of nodes (numpy only)."""
    nodes = list(graph)
    index = {n: i for i, n in enumerate(nodes)}
    n = len(nodes)
    rng = np.random.default_rng(7)
    pos = rng.uniform(-1, 1, size=(n, 2))
    edges = np.array([(index[u], index[v]) for u, v in graph.edges() if u != v], dtype=np.int64).reshape(-1, 2)
    k = math.sqrt(4.0 / n)  # ideal distance in a 2×2 box
    temperature = 0.2
    for _ in range(iterations):
        others = rng.integers(0, n, size=(n, min(sample, n)))
        delta = pos[:, None, :] - pos[others]
        dist2 = np.maximum((delta**2).sum(axis=2), 1e-9)
        # Repulsion k²/d from the sample, scaled up to stand for all n nodes.
        move = (delta * (k * k / dist2)[:, :, None]).sum(axis=1) * (n / others.shape[1])
        if len(edges):
            d = pos[edges[:, 0]] - pos[edges[:, 1]]
            length = np.maximum(np.sqrt((d**2).sum(axis=1)), 1e-9)
            pull = d * (length / k)[:, None]  # attraction d²/k along each edge
            np.add.at(move, edges[:, 0], -pull)
            np.add.at(move, edges[:, 1], pull)
        norm = np.maximum(np.sqrt((move**2).sum(axis=1)), 1e-9)
        pos += move / norm[:, None] * np.minimum(norm, temperature)[:, None]
        temperature *= 0.93
    pos -= pos.mean(axis=0)
    pos /= max(float(np.abs(pos).max()), 1e-9)
    return {node: (float(pos[i, 0]), float(pos[i, 1])) for node, i in index.items()}


def _vis_options(large: bool) -> dict[str, Any]:
    """Global vis-network options, built with pyvis's option objects."""
    net = Network(directed=True)
    net.toggle_physics(False)  # positions come from Python (page_data): stable from load to load
    net.set_edge_smooth("continuous" if not large else "discrete")
    net.toggle_hide_edges_on_drag(large)
    net.options.interaction.hover = True
    net.options.interaction.tooltipDelay = 200
    net.options.interaction.navigationButtons = False
    options = json.loads(net.options.to_json())
    options["edges"]["color"] = {"inherit": False}
    options["edges"]["smooth"]["enabled"] = not large
    options["layout"] = {"improvedLayout": False}
    options["nodes"] = {
        "font": {"size": 12 if not large else 14, "face": "sans-serif", "strokeWidth": 3, "strokeColor": "#ffffff"},
        "size": 12 if not large else 16,
    }
    return options


PARALLEL_ROUNDNESS = 0.2  # vis roundness between neighbouring curves of one pair (0.2 ≈ 9 % of their distance)


def parallel_curves(edges: list[tuple[str, str]]) -> dict[int, dict[str, Any]]:
    """A distinct vis-network ``smooth`` curve for every edge that shares its two ends with another.

    Drawn on top of each other, parallel edges cannot be told apart and a click on one opens
    another. The edges of one pair fan out symmetrically: with an odd count the middle one is
    straight, the others bend alternately to either side, further out the more there are. Sides are
    taken in one frame per pair (its ends sorted), so an edge running the other way flips
    clockwise/counter-clockwise to land on its own side instead of on a mirror of its neighbour.

    Args:
        edges: (from, to) of every edge, in drawing order.

    Returns:
        The ``smooth`` option for each parallel edge's index in ``edges``; others keep the global one.
    """
    groups: dict[tuple[str, str], list[int]] = {}
    for index, (u, v) in enumerate(edges):
        if u != v:  # a self-loop is drawn as a loop, not a curve
            groups.setdefault((min(u, v), max(u, v)), []).append(index)
    curves: dict[int, dict[str, Any]] = {}
    for (first, _second), indices in groups.items():
        if len(indices) < 2:
            continue
        odd = len(indices) % 2 == 1
        for slot, index in enumerate(indices):
            # Offsets from the straight line, in steps: 0, +1, -1, +2, -2, … for an odd count and
            # +0.5, -0.5, +1.5, -1.5, … for an even one, so the fan is symmetric and no two coincide.
            step = (slot + 1) // 2 if odd else slot // 2 + 0.5
            clockwise = (slot % 2 == 1) if odd else (slot % 2 == 0)
            if edges[index][0] != first:
                clockwise = not clockwise  # the same bend seen from the other end
            curves[index] = {
                "enabled": True,
                "type": "curvedCW" if clockwise else "curvedCCW",
                "roundness": round(step * PARALLEL_ROUNDNESS, 3),
            }
    return curves


def page_data(
    graph: nx.MultiDiGraph, *, entity_base: str | None = None, words: dict[str, list[Any]] | None = None
) -> dict[str, Any]:
    """Everything the page needs, as plain JSON-able data (vis items plus the evidence).

    ``words``: each entity's attributed quotes (``view.entity.all_words``), shown in its panel.
    """
    large = graph.number_of_nodes() > PHYSICS_LIMIT
    labels = {n: d["label"] for n, d in graph.nodes(data=True)}
    # Claims are evidence of edges, never things in the argument: no node for them.
    hidden = {n for n, c in graph.nodes(data="cls") if c in HIDDEN_CLASSES}
    if hidden:
        graph = graph.subgraph([n for n in graph if n not in hidden])
    # Laid out here, never by physics in the browser: the same picture on every load. Up to
    # PHYSICS_LIMIT nodes, a grid of readable labels (view.network_layout); beyond, a force layout.
    positions = _layout(graph) if large else readable_layout(graph)
    vis_nodes, node_info = _vis_nodes(graph, positions, large, entity_base, words or {})
    vis_edges, edge_info = _vis_edges(graph)
    time_iris: set[str] = set()
    for info in (*node_info.values(), *edge_info.values()):
        time_iris.update(info["governments"])
    return {
        "nodes": vis_nodes,
        "edges": vis_edges,
        "nodeInfo": node_info,
        "edgeInfo": edge_info,
        "classes": _classes_legend(graph),
        "relations": _relations_legend(edge_info),
        "governments": sorted(
            ({"iri": iri, "label": labels.get(iri, local_name(iri))} for iri in time_iris),
            key=lambda g: g["label"].casefold(),
        ),
        "options": _vis_options(large),
        "large": large,
        "focus": graph.graph.get("focus", ""),
    }


def _vis_nodes(
    graph: nx.MultiDiGraph,
    positions: dict[str, tuple[float, float]],
    large: bool,
    entity_base: str | None,
    words: dict[str, list[Any]],
) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """vis-network's node items (placed, in their family's style) and what each node's panel shows."""
    vis_nodes, node_info = [], {}
    for node, data in sorted(graph.nodes(data=True)):
        colour, shape = class_style(data["cls"])
        options: dict[str, Any] = {"color": colour}
        if node in positions:
            options.update(x=positions[node][0], y=positions[node][1], physics=False)
        vis_nodes.append(Node(node, shape, data["label"] if large else wrap(data["label"]), **options).options)
        node_info[node] = {
            "iri": data["iri"],
            "label": data["label"],
            "cls": data["cls"],
            "className": human_name(data["cls"]),
            "definition": data["definition"],
            "links": list(data["links"]),
            "governments": list(data["governments"]),
            "page": _entity_page(node, entity_base),
            "words": panel_words(words.get(node, [])),
        }
    return vis_nodes, node_info


def _vis_edges(graph: nx.MultiDiGraph) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """vis-network's edge items (in their relation's style, parallel ones fanned out) and each one's evidence."""
    vis_edges, edge_info = [], {}
    ordered = sorted(graph.edges(keys=True, data=True), key=lambda e: e[:3])
    curves = parallel_curves([(u, v) for u, v, _key, _data in ordered])
    for number, (u, v, _key, data) in enumerate(ordered):
        style = relation_style(data["relation"])
        edge_id = f"e{number}"
        extra = {"smooth": curves[number]} if number in curves else {}
        vis_edges.append(
            Edge(
                u,
                v,
                directed=True,
                id=edge_id,
                color=style["color"],
                dashes=style["dashes"],
                width=style["width"],
                arrows={"to": {"enabled": True, "type": style["arrow"]}},
                **extra,
            ).options
        )
        edge_info[edge_id] = {
            "from": u,
            "to": v,
            "relation": data["relation"],
            "relation_label": data["relation_label"],
            "claim": data["claim"] or "",
            "quotes": list(data["quotes"]),
            "section": data["section"],
            "stance": data["stance_label"] or data["stance"],
            "modality": data.get("modality_label", "") or "",
            # The article's hedge shown with the quote: never more certain than its words.
            "hedge": hedge_note(data.get("modality"), data.get("modality_label"), data.get("hedge_cue")),
            "cites": list(data["cites"]),
            "governments": list(data["governments"]),
        }
    return vis_edges, edge_info


def _classes_legend(graph: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """Each class shown, with its colour, shape and number of nodes, by CURIE."""
    class_counts: dict[str, int] = {}
    for _node, cls in graph.nodes(data="cls"):
        class_counts[cls] = class_counts.get(cls, 0) + 1
    return [
        {
            "curie": cls,
            "name": human_name(cls),
            "color": class_style(cls)[0],
            "shape": class_style(cls)[1],
            "count": count,
        }
        for cls, count in sorted(class_counts.items())
    ]


def _relations_legend(edge_info: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Each relation shown, with its style and number of edges, by label."""
    relation_counts: dict[str, list[Any]] = {}
    for info in edge_info.values():
        relation_counts.setdefault(info["relation"], [info["relation_label"], 0])[1] += 1
    return [
        {"curie": rel, "label": label, "count": count, **relation_style(rel)}
        for rel, (label, count) in sorted(relation_counts.items(), key=lambda kv: kv[1][0])
    ]


def _entity_page(iri: str, entity_base: str | None) -> str:
    """The web app's page for ``iri`` (only ``wmr:`` entities have one), or ``""``."""
    if entity_base is None or not iri.startswith(str(WMR)):
        return ""
    return entity_base + iri[len(str(WMR)) :]


def render_html(
    graph: nx.MultiDiGraph,
    *,
    title: str,
    entity_base: str | None = None,
    navigation: bool = False,
    words: dict[str, list[Any]] | None = None,
) -> str:
    """The network as one self-contained HTML page that makes no network request.

    Args:
        graph: a network from ``build_network``.
        title: the page title (escaped like all text).
        entity_base: URL prefix of entity pages (``/id/`` in the web app); ``None`` for a file.
        navigation: show the web app's links (query page, SPARQL, ontology).
        words: each entity's attributed quotes (``view.entity.all_words``), for its panel.

    Returns:
        The HTML text.
    """
    vis_js, vis_css = _vis_assets()
    template = environment().get_template("view.html")
    return template.render(
        title=title,
        data_json=json_for_script(page_data(graph, entity_base=entity_base, words=words)),
        vis_js=vis_js,
        vis_css=vis_css,
        view_js=_inline_safe(static_text("view.js"), "script"),
        view_css=_inline_safe(static_text("view.css"), "style"),
        navigation=navigation,
    )


class InlineView:
    """The view for a notebook: Jupyter calls ``_repr_html_`` and shows it in a sandboxed iframe."""

    def __init__(self, page: str, height: int = 720) -> None:
        self.page = page
        self.height = height

    def _repr_html_(self) -> str:
        # srcdoc keeps the page's own scripts and styles away from the notebook's. The page travels
        # gzipped (a notebook keeps every output: three pictures of a megabyte each made a 2.2 MB
        # notebook); a few lines of script in the frame unpack it with the browser's own
        # DecompressionStream and write it into the frame.
        packed = base64.b64encode(gzip.compress(self.page.encode("utf-8"), 9, mtime=0)).decode("ascii")
        loader = (
            '<!doctype html><meta charset="utf-8"><script>(async()=>{'
            f'const b=Uint8Array.from(atob("{packed}"),c=>c.charCodeAt(0));'
            'const s=new Blob([b]).stream().pipeThrough(new DecompressionStream("gzip"));'
            "const page=await new Response(s).text();document.open();document.write(page);document.close();"
            "})();</script>"
        )
        return (
            f'<iframe srcdoc="{html.escape(loader, quote=True)}" style="width:100%;height:{self.height}px;'
            'border:1px solid #ddd" sandbox="allow-scripts"></iframe>'
        )


def show(kg: KnowledgeGraph, **options: Any) -> Any:
    """The view for Jupyter: ``kg.view(relations="erodes")`` displays inline.

    Args:
        kg: the knowledge graph.
        **options: ``build_network`` options (relations, government, focus, depth, classes) and
            ``title`` and ``height`` (pixels).

    Returns:
        An ``IPython.display.HTML`` object when IPython is installed, else an object Jupyter
        displays the same way.
    """
    from westminster_kg.network import build_network

    title = options.pop("title", "Westminster KG network")
    height = int(options.pop("height", 720))
    words = all_words(local_runner(kg))
    return inline_page(render_html(build_network(kg, **options), title=title, words=words), height)


def inline_page(page: str, height: int = 720) -> Any:
    """A self-contained page for Jupyter: ``IPython.display.HTML`` when IPython is there, else an
    object Jupyter displays the same way (an ``InlineView``)."""
    inline = InlineView(page, height)
    try:
        from IPython.display import HTML
    except ImportError:
        return inline
    import warnings

    with warnings.catch_warnings():
        # IPython suggests IFrame for any <iframe>, but IFrame cannot carry a srcdoc page.
        warnings.simplefilter("ignore", UserWarning)
        return HTML(inline._repr_html_())


def write_view(kg: KnowledgeGraph, path: Path | str, *, title: str | None = None, **options: Any) -> Path:
    """Write the view of ``kg`` (with ``build_network`` options) to ``path``; returns the path."""
    from westminster_kg.network import build_network
    from westminster_kg.turtle import write_atomically

    graph = build_network(kg, **options)
    page = render_html(graph, title=title or "Westminster KG network", words=all_words(local_runner(kg)))
    target = Path(path)
    write_atomically(target, page.encode("utf-8"))  # an existing file keeps its mode; a new one is 0644
    return target


__all__ = ["inline_page", "json_for_script", "render_html", "show", "write_view"]
