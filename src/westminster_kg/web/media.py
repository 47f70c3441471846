"""Media types and content negotiation for SPARQL answers, and writing an answer in one of them.

Shared by the /sparql handler and the query workers (which serialise answers themselves, so a large
answer costs the server process no CPU); it depends on nothing else in the web app.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from westminster_kg.errors import QueryError
from westminster_kg.store import xml_forbidden

if TYPE_CHECKING:
    from westminster_kg.store import QueryResult

RESULT_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/n-triples": "nt",
    "text/plain": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",  # SPARQLWrapper's default for CONSTRUCT
}
RESULT_MEDIA = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
GRAPH_MEDIA = {
    "turtle": "text/turtle",
    "nt": "application/n-triples",
    "json-ld": "application/ld+json",
    "xml": "application/rdf+xml",
}
FORMAT_NAMES = {
    "json": "json",
    "srj": "json",
    "xml": "xml",
    "srx": "xml",
    "csv": "csv",
    "tsv": "tsv",
    "turtle": "turtle",
    "ttl": "turtle",
    "n3": "turtle",
    "nt": "nt",
    "ntriples": "nt",
    "n-triples": "nt",
    "json-ld": "json-ld",
    "jsonld": "json-ld",
}


def parse_accept(header: str | None) -> list[str]:
    """Media ranges from an Accept header, best first (q=0 dropped; no header means ``*/*``)."""
    if not header or not header.strip():
        return ["*/*"]
    ranked = []
    for position, item in enumerate(header.split(",")):
        parts = [p.strip() for p in item.split(";")]
        media = parts[0].lower()
        quality = 1.0
        for param in parts[1:]:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media and quality > 0:
            ranked.append((-quality, position, media))
    return [media for _, _, media in sorted(ranked)]


def negotiate(accept: str | None, offered: dict[str, str], default: str) -> str | None:
    """The format name for the best offered media type, ``default`` for wildcards, else ``None``."""
    for media in parse_accept(accept):
        if media in offered:
            return offered[media]
        if media == "*/*":
            return default
        if media.endswith("/*"):
            for candidate, name in offered.items():
                if candidate.startswith(media[:-1]):
                    return name
    return None


def serialise_answer(
    result: QueryResult, format_name: str | None, accept: str | None
) -> tuple[bytes, str] | tuple[str, int, str]:
    """``result`` in the requested format (a name, else negotiated from ``accept``): (body, media type).

    ``("problem", 406, message)`` when no offered format fits, or when the answer holds a character
    XML 1.0 cannot carry and XML was asked for (the spec allows no escape for those).
    """
    if result.kind == "graph":
        name = format_name if format_name in GRAPH_MEDIA else negotiate(accept, GRAPH_TYPES, "turtle")
        if name is None:
            return ("problem", 406, f"a CONSTRUCT/DESCRIBE result comes as {', '.join(GRAPH_MEDIA.values())}")
        text = result.graph.serialize(format=name)
        media = GRAPH_MEDIA[name]
    else:
        name = format_name if format_name in RESULT_MEDIA else negotiate(accept, RESULT_TYPES, "json")
        if name is None:
            return ("problem", 406, f"a SELECT/ASK result comes as {', '.join(RESULT_MEDIA.values())}")
        try:
            text = result.serialize(name)
        except QueryError as exc:  # e.g. a character XML cannot carry: another format can
            return ("problem", 406, str(exc))
        media = RESULT_MEDIA[name]
    body = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    if name == "xml":
        bad = xml_forbidden(body.decode("utf-8", "surrogatepass"))
        if bad is not None:
            return (
                "problem",
                406,
                f"the result holds U+{ord(bad):04X}, which XML 1.0 cannot carry: ask for Turtle or N-Triples",
            )
    return body, media


__all__ = [
    "FORMAT_NAMES",
    "GRAPH_MEDIA",
    "GRAPH_TYPES",
    "RESULT_MEDIA",
    "RESULT_TYPES",
    "negotiate",
    "parse_accept",
    "serialise_answer",
]
