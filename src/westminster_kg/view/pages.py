"""The shared page environment: Jinja with autoescape, link helpers and the site CSS.

Pages extend ``templates/base.html`` (the web app's header and navigation). With
``navigation=False`` they stand alone as files (``wmkg view --timeline -o t.html``, ``wmkg docs``).
"""

from __future__ import annotations

from typing import Any

from westminster_kg.view.templates import _inline_safe, entity_page, environment, external_href, static_text


def render_page(template: str, *, navigation: bool = True, **context: Any) -> str:
    """A page from ``template`` with the shared CSS inlined."""
    css = _inline_safe(static_text("view.css"), "style")
    return environment().get_template(template).render(css=css, navigation=navigation, **context)


__all__ = ["entity_page", "environment", "external_href", "render_page"]
