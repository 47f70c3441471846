"""The one Jinja environment of every page and picture, and the static files pages inline.

Autoescape on, control and bidirectional characters shown rather than acted on (``page_value``), the
``curie`` filter and the link helpers the templates use (``entity_page``, ``external_href``).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from westminster_kg.namespaces import ONTOLOGY_IRI, WMR, curie
from westminster_kg.plain import page_value

PACKAGE_DIR = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
STATIC_DIR = PACKAGE_DIR / "static"


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
        autoescape=select_autoescape(["html", "j2"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=page_value,  # control and bidi characters in any value shown, never acted on
    )
    env.filters["curie"] = lambda iri: curie(str(iri)) if iri is not None else ""
    env.globals["entity_page"] = entity_page
    env.globals["external_href"] = external_href
    return env


def static_text(name: str) -> str:
    """A file from ``westminster_kg/static`` (our own JS and CSS, inlined into pages)."""
    return (STATIC_DIR / name).read_text(encoding="utf-8")


def inline_safe(text: str, element: str) -> str:
    """Text that cannot close the element it is inlined into."""
    # Both "<\/" in JS strings and "\3c /" in CSS strings mean the same text, so nothing changes.
    replacement = "<\\/" if element == "script" else "\\3c /"
    for name in (element, element.upper()):
        text = text.replace(f"</{name}", f"{replacement}{name}")
    return text


# The name the view's modules have used for it.
_inline_safe = inline_safe

__all__ = [
    "STATIC_DIR",
    "TEMPLATES_DIR",
    "entity_page",
    "environment",
    "external_href",
    "inline_safe",
    "static_text",
]
