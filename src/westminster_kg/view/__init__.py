"""The pictures of the graph: the overview, the network explorer, the timeline, the article reader,
entity neighbourhoods, the ontology documentation and the download catalogue.

Each module renders one kind of page from a ``KnowledgeGraph``; the web app and the CLI call them.
The names below are the stable entry points (``from westminster_kg.view import render_html``).
"""

from typing import Any

from westminster_kg.view.network_app import (
    PHYSICS_LIMIT,
    InlineView,
    class_style,
    json_for_script,
    page_data,
    relation_style,
    render_html,
    show,
    write_view,
)
from westminster_kg.view.templates import STATIC_DIR, TEMPLATES_DIR, static_text


def _requested(timeline: bool, network: bool, filters: dict[str, Any]) -> str:
    """Which picture ``wmkg view`` and ``kg.view()`` give: "timeline", "network" or "overview".

    Raises:
        ParameterError: ``timeline`` together with the explorer's options.
    """
    from westminster_kg.errors import ParameterError

    if timeline:
        if filters or network:
            raise ParameterError("--timeline takes no --focus, --depth, --relations, --government or --network")
        return "timeline"
    return "network" if network or filters else "overview"


def write_requested(
    kg: Any,
    output: Any,
    *,
    timeline: bool = False,
    network: bool = False,
    **filters: Any,
) -> Any:
    """The file ``wmkg view`` writes: the timeline, the network explorer (``network`` or any filter:
    focus, depth, relations, government) or, by default, the overview; returns its path.

    Raises:
        ParameterError: ``timeline`` together with the explorer's options.
    """
    filtered = {k: v for k, v in filters.items() if v is not None}
    kind = _requested(timeline, network, filtered)
    if kind == "timeline":
        from westminster_kg.view.timeline import write_timeline

        return write_timeline(kg, output)
    if kind == "network":
        return write_view(kg, output, **filtered)
    from westminster_kg.view.overview import write_overview

    return write_overview(kg, output)


def show_requested(
    kg: Any,
    *,
    timeline: bool = False,
    network: bool = False,
    title: str | None = None,
    height: int = 720,
    **filters: Any,
) -> Any:
    """What ``kg.view()`` shows inline in Jupyter: the same picture ``wmkg view`` writes.

    By default the overview (which reforms eroded which conventions, under which government);
    ``network=True`` or any filter (``focus``, ``depth``, ``relations``, ``government``,
    ``classes``) the network explorer; ``timeline=True`` the timeline.

    Args:
        kg: the knowledge graph.
        timeline: show the timeline.
        network: show the network explorer even without a filter.
        title: the page title (each picture has its own by default).
        height: the frame's height in pixels.
        **filters: ``build_network`` options; any of them means the explorer.

    Returns:
        An ``IPython.display.HTML`` (or an object Jupyter displays the same way).

    Raises:
        ParameterError: ``timeline`` together with the explorer's options.
    """
    from westminster_kg.view.network_app import inline_page

    filtered = {k: v for k, v in filters.items() if v is not None}
    kind = _requested(timeline, network, filtered)
    if kind == "network":
        return show(kg, height=height, **({"title": title} if title else {}), **filtered)
    if kind == "timeline":
        from westminster_kg.network import build_network
        from westminster_kg.view.timeline import render_timeline_page

        return inline_page(render_timeline_page(kg, build_network(kg), navigation=False), height)
    from westminster_kg.view.overview import render_overview

    return inline_page(render_overview(kg, **({"title": title} if title else {})), height)


__all__ = [
    "PHYSICS_LIMIT",
    "STATIC_DIR",
    "TEMPLATES_DIR",
    "InlineView",
    "class_style",
    "json_for_script",
    "page_data",
    "relation_style",
    "render_html",
    "show",
    "show_requested",
    "static_text",
    "write_requested",
    "write_view",
]
