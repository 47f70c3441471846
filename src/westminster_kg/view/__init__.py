"""The pictures of the graph: the overview, the network explorer, the timeline, the article reader,
entity neighbourhoods, the ontology documentation and the download catalogue.

Each module renders one kind of page from a ``KnowledgeGraph``; the web app and the CLI call them.
The names below are the stable entry points (``from westminster_kg.view import render_html``).
"""

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
    "write_view",
]
