"""The download catalogue: whole-graph dumps with size and SHA-256, and the site's favicon.

Dumps are made by ``KnowledgeGraph.export`` (the same bytes ``wmkg export`` writes), once, and kept
in memory: the graph is small (a few MB in the largest format) and never changes while served.
"""

from __future__ import annotations

import hashlib
import struct
import threading
import zlib
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from westminster_kg.knowledge_graph import KnowledgeGraph

STEM = "westminster-kg"


@dataclass(frozen=True)
class Dump:
    """One downloadable file."""

    format: str  # the ``wmkg export -f`` name
    name: str  # what it is, for readers
    filename: str
    media_type: str
    description: str
    data: bytes

    @property
    def size(self) -> int:
        """Bytes."""
        return len(self.data)

    @property
    def sha256(self) -> str:
        """Hex SHA-256 of the bytes served."""
        return hashlib.sha256(self.data).hexdigest()

    @property
    def human_size(self) -> str:
        """``1.2 MB``, ``830 kB``: for the page."""
        for unit, factor in (("MB", 1_000_000), ("kB", 1_000)):
            if self.size >= factor:
                return f"{self.size / factor:.1f} {unit}"
        return f"{self.size} bytes"


FORMATS = (
    ("nquads", "N-Quads", ".nq", "application/n-quads", "Every quad, with its named graph (ontology, article, links)."),
    ("trig", "TriG", ".trig", "application/trig", "The same quads as N-Quads, readable, with prefixes."),
    ("turtle", "Turtle", ".ttl", "text/turtle", "All graphs merged into one (named graphs dropped)."),
    ("jsonld", "JSON-LD", ".jsonld", "application/ld+json", "Every quad, as flat JSON-LD with named graphs."),
    ("csv", "Edge CSV", "-edges.csv", "text/csv", "One row per evidenced relation with its quotes, stance, section."),
    ("graphml", "GraphML", ".graphml", "application/graphml+xml", "The relation network for Gephi, yEd, networkx."),
)


class DumpSet:
    """The dumps of one knowledge graph, made on first use (thread-safe) and then kept."""

    def __init__(self, kg: KnowledgeGraph) -> None:
        self.kg = kg
        self._dumps: dict[str, Dump] | None = None
        self._lock = threading.Lock()

    def all(self) -> dict[str, Dump]:
        """Every dump by its file name."""
        with self._lock:
            if self._dumps is None:
                dumps = {}
                for fmt, name, suffix, media, description in FORMATS:
                    data = self.kg.export(fmt)
                    raw = data if isinstance(data, bytes) else data.encode("utf-8")
                    filename = STEM + suffix
                    dumps[filename] = Dump(fmt, name, filename, media, description, raw)
                self._dumps = dumps
            return self._dumps


def _png(size: int, pixel: callable) -> bytes:
    """A PNG of ``size``×``size`` RGBA pixels from ``pixel(x, y)`` (zlib and struct, no imaging library)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack("!I", len(body)) + kind + body + struct.pack("!I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(size)) for y in range(size))
    header = struct.pack("!IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


@cache
def favicon_ico() -> bytes:
    """A 32×32 favicon: the government diamond (reddish purple) over an eroding vermillion bar."""
    size = 32

    def pixel(x: int, y: int) -> tuple[int, int, int, int]:
        if abs(x - 15.5) + abs(y - 12.5) <= 11:
            return (0xCC, 0x79, 0xA7, 255)
        if 25 <= y <= 29 and 3 <= x <= 28:
            return (0xD5, 0x5E, 0x00, 255)
        return (0, 0, 0, 0)

    png = _png(size, pixel)
    # ICO container with one PNG image (supported by every current browser).
    directory = struct.pack("<HHH", 0, 1, 1)
    entry = struct.pack("<BBBBHHII", size, size, 0, 0, 1, 32, len(png), 6 + 16)
    return directory + entry + png


__all__ = ["FORMATS", "Dump", "DumpSet", "favicon_ico"]
