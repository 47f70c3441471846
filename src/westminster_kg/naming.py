"""Which of an entity's labels is shown, and how its text is: one rule for every surface.

An entity may have an ``rdfs:label``, a ``skos:prefLabel`` and any number of ``skos:altLabel`` s, in
several languages. The one shown beside its IRI (a ``_label`` column, a page title) is the best by
``rank``: a label before an alias, English or untagged before another language, then alphabetical.

Its text is shown by ``visible``: control and bidi characters become escapes wherever text leaves
for a terminal or a page (``plain``, the cold ``wmkg query`` of ``launch``, the pages' Jinja). Here,
below both and free of rdflib, so the cold path writes exactly what the full CLI writes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

# What a terminal acts on or a reader is fooled by: C0 controls but tab and line feed (a carriage
# return only alone: CR LF ends CSV rows), DEL and C1 (ESC and CSI start colour, title and OSC 8
# link sequences), and the bidirectional formatting characters (U+202E shows text reversed).
CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|\r(?!\n)")
ESCAPES: dict[str, Callable[[int], str]] = {
    "text": lambda code: f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}",  # for people: visible
    "unicode": lambda code: f"\\u{code:04X}",  # JSON strings, Turtle and N-Triples literals: the same value
    "xml": lambda code: f"&#x{code:X};",  # XML character references: the same value
    "page": lambda code: "\ufffd",  # inside markup already made (SVG, JSON in a script): safe anywhere
}


def visible(text: str, form: str = "text") -> str:
    """``text`` with every character of ``CONTROLS`` written as an escape of ``form`` (``ESCAPES``)."""
    if not CONTROLS.search(text):
        return text
    escape = ESCAPES[form]
    return CONTROLS.sub(lambda match: escape(ord(match.group())), text)


def rank(is_alias: bool, language: str | None) -> int:
    """Lower is better: a label before an alias, English (or no language) before another language."""
    return (2 if is_alias else 0) + (0 if language in (None, "", "en") else 1)


def shown_labels(rows: Iterable[tuple[str, str, str | None, bool]]) -> dict[str, str]:
    """The label shown for each IRI, from ``(iri, label, language, is_alias)`` rows (``label-lookup.rq``)."""
    best: dict[str, tuple[int, str]] = {}
    for iri, label, language, is_alias in rows:
        candidate = (rank(is_alias, language), label)
        if iri not in best or candidate < best[iri]:
            best[iri] = candidate
    return {iri: label for iri, (_, label) in best.items()}


__all__ = ["CONTROLS", "ESCAPES", "rank", "shown_labels", "visible"]
