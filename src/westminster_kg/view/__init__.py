"""The pictures of the graph: the overview, the network explorer, the timeline, the article reader,
entity neighbourhoods, the ontology documentation and the download catalogue.

Each module renders one kind of page from a ``KnowledgeGraph``; the web app and the CLI call them.
The names below are the stable entry points (``from westminster_kg.view import render_html``).
"""

from typing import Any

from westminster_kg.view.network_app import (
    PHYSICS_LIMIT,
    STATIC_DIR,
    TEMPLATES_DIR,
    InlineView,
    class_style,
    json_for_script,
    page_data,
    relation_style,
    render_html,
    show,
    static_text,
    write_view,
)


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
    from westminster_kg.errors import ParameterError

    filtered = {k: v for k, v in filters.items() if v is not None}
    if timeline:
        if filtered or network:
            raise ParameterError("--timeline takes no --focus, --depth, --relations, --government or --network")
        from westminster_kg.view.timeline import write_timeline

        return write_timeline(kg, output)
    if network or filtered:
        return write_view(kg, output, **filtered)
    from westminster_kg.view.overview import write_overview

    return write_overview(kg, output)


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
    "static_text",
    "write_requested",
    "write_view",
]
