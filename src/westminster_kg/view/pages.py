"""The shared page environment: Jinja with autoescape, link helpers and the site CSS.

Pages extend ``templates/base.html`` (the web app's header and navigation). With
``navigation=False`` they stand alone as files (``wmkg view --timeline -o t.html``, ``wmkg docs``).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from westminster_kg.namespaces import ONTOLOGY_IRI, WMR, curie
from westminster_kg.plain import page_value
from westminster_kg.view.network_app import TEMPLATES_DIR, _inline_safe, static_text


def entity_page(iri: Any) -> str:
    """The web path of a ``wmr:`` IRI (``/id/<slug>``) or an ontology term; ``""`` otherwise."""
    text = str(iri)
    if text.startswith(str(WMR)) and len(text) > len(str(WMR)):
        return "/id/" + text[len(str(WMR)) :]
    if text.startswith(ONTOLOGY_IRI):
        return "/ontology" + ("#" + text.split("#", 1)[1] if "#" in text else "")
    return ""


def external_href(iri: Any) -> str:
    """``iri`` when it is an http(s) link, else ``""``: never a ``javascript:`` href."""
    text = str(iri)
    return text if re.match(r"^https?://", text, re.I) else ""


@cache
def environment() -> Environment:
    """Jinja with autoescape, the ``curie`` filter and the link helpers the templates use."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(["html"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=page_value,  # control and bidi characters in any value shown, never acted on
    )
    env.filters["curie"] = lambda iri: curie(str(iri)) if iri is not None else ""
    env.globals["entity_page"] = entity_page
    env.globals["external_href"] = external_href
    return env


def render_page(template: str, *, navigation: bool = True, **context: Any) -> str:
    """A page from ``template`` with the shared CSS inlined."""
    css = _inline_safe(static_text("view.css"), "style")
    return environment().get_template(template).render(css=css, navigation=navigation, **context)


__all__ = ["entity_page", "environment", "external_href", "render_page"]
