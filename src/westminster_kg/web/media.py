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
# ``format=`` / ``output=`` values and the media types they stand for. A short name that fits both a
# result and a graph (``json``, ``xml``) offers both: the query's form picks. Full media types work too.
FORMAT_NAMES = {
    "json": "application/sparql-results+json, application/ld+json",
    "srj": "application/sparql-results+json",
    "xml": "application/sparql-results+xml, application/rdf+xml",
    "srx": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ttl": "text/turtle",
    "n3": "text/turtle",
    "nt": "application/n-triples",
    "ntriples": "application/n-triples",
    "n-triples": "application/n-triples",
    "json-ld": "application/ld+json",
    "jsonld": "application/ld+json",
    "rdf": "application/rdf+xml",
    "rdfxml": "application/rdf+xml",
    "rdf-xml": "application/rdf+xml",
}
DESCRIPTION_TYPES = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    **{m: n for m, n in GRAPH_TYPES.items() if m not in ("text/plain",)},
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


def requested_media(value: str) -> str:
    """The Accept-style media list a ``format=``/``output=`` value asks for; ``QueryError`` if unknown."""
    text = value.strip().lower()
    if text in FORMAT_NAMES:
        return FORMAT_NAMES[text]
    media = text.split(";")[0].strip()
    if media in RESULT_TYPES or media in GRAPH_TYPES:
        return media
    names = ", ".join(sorted(FORMAT_NAMES))
    raise QueryError(f"unknown format {value!r}: use one of {names}, or a media type such as text/csv")


def serialise_answer(result: QueryResult, accept: str | None) -> tuple[bytes, str] | tuple[str, int, str]:
    """``result`` in the format negotiated from ``accept`` (see ``requested_media`` for ``format=``).

    ``("problem", 406, message)`` when no offered format fits, or when the answer holds a character
    XML 1.0 cannot carry and XML was asked for (the spec allows no escape for those).
    """
    if result.kind == "graph":
        name = negotiate(accept, GRAPH_TYPES, "turtle")
        if name is None:
            offered = ", ".join(GRAPH_MEDIA.values())
            return ("problem", 406, f"a CONSTRUCT/DESCRIBE result comes as {offered}, not {accept}")
        text = result.graph.serialize(format=name)
        media = GRAPH_MEDIA[name]
    else:
        name = negotiate(accept, RESULT_TYPES, "json")
        if name is None:
            offered = ", ".join(RESULT_MEDIA.values())
            return ("problem", 406, f"a SELECT/ASK result comes as {offered}, not {accept}")
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
    "DESCRIPTION_TYPES",
    "FORMAT_NAMES",
    "GRAPH_MEDIA",
    "GRAPH_TYPES",
    "RESULT_MEDIA",
    "RESULT_TYPES",
    "negotiate",
    "parse_accept",
    "requested_media",
    "serialise_answer",
]
