"""The download catalogue: whole-graph dumps with size and SHA-256, and the site's favicon.

Dumps are made by ``KnowledgeGraph.exports`` (the same bytes ``wmkg export`` writes) and kept in
memory: the graph is small (a few MB in the largest format). The web app has them made by a child
process over its workers' on-disk store (``dumps_from_store``), once per generation of the data:
naming blank nodes holds the GIL, so in the server's own process a large or hostile graph would
stop every route while it ran, and SIGTERM with them; a child is killed at ``DUMP_SECONDS`` instead.
"""

from __future__ import annotations

import hashlib
import json
import struct
import subprocess
import sys
import threading
import warnings
import zlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from westminster_kg.errors import StoreError

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


DUMP_SECONDS = 300.0  # the child making the web app's dumps is killed after this


class DumpsFailedError(StoreError):
    """The dumps could not be made: ``status`` 503 when they took too long, else 500."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Dumps:
    """Every dump by its file name, and the warnings making them raised (shown on the page)."""

    files: dict[str, Dump]
    notes: tuple[str, ...] = ()


def make_dumps(kg: KnowledgeGraph) -> Dumps:
    """Every dump of ``kg``, made here (``BlankNodesNotCanonical`` warnings kept as notes)."""
    from westminster_kg.store.canonical import BlankNodesNotCanonical

    files = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", BlankNodesNotCanonical)
        made = kg.exports(fmt for fmt, *_ in FORMATS)  # their work shared: blank nodes named once a kind
        for fmt, name, suffix, media, description in FORMATS:
            data = made[fmt]
            raw = data if isinstance(data, bytes) else data.encode("utf-8")
            files[STEM + suffix] = Dump(fmt, name, STEM + suffix, media, description, raw)
    notes = dict.fromkeys(str(w.message) for w in caught if issubclass(w.category, BlankNodesNotCanonical))
    return Dumps(files, tuple(notes))


class DumpSet:
    """The dumps of one knowledge graph, made here on first use (thread-safe) and then kept."""

    def __init__(self, kg: KnowledgeGraph) -> None:
        self.kg = kg
        self._dumps: Dumps | None = None
        self._lock = threading.Lock()

    def all(self) -> dict[str, Dump]:
        """Every dump by its file name."""
        with self._lock:
            if self._dumps is None:
                self._dumps = make_dumps(self.kg)
            return self._dumps.files


def dumps_from_store(store: str, root: Path, seconds: float = DUMP_SECONDS) -> Dumps:
    """Every dump of the query workers' data ``store`` (project ``root``), made by a child process.

    Raises:
        DumpsFailedError: the child ran over ``seconds`` (killed; status 503) or failed (500).
    """
    from westminster_kg.store.temporary import temporary_folder

    with temporary_folder("dumps") as out:
        code = "import sys; from westminster_kg.view.downloads import main; main(sys.argv[1:])"
        command = [sys.executable, "-c", code, store, str(root), str(out)]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=seconds, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise DumpsFailedError(
                f"the downloads took longer than {seconds:g} s to make and were given up; use `wmkg export`", 503
            ) from None
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
            raise DumpsFailedError(f"the downloads could not be made: {last}", 500)
        made = json.loads((out / "dumps.json").read_text(encoding="utf-8"))
        files = {}
        for fmt, name, suffix, media, description in FORMATS:
            data = (out / (STEM + suffix)).read_bytes()
            files[STEM + suffix] = Dump(fmt, name, STEM + suffix, media, description, data)
        return Dumps(files, tuple(made["notes"]))


def main(arguments: list[str]) -> None:
    """The child of ``dumps_from_store``, given STORE ROOT OUT: write every dump of the query workers'
    data STORE (an on-disk store, opened read-only, or their N-Quads file, loaded into memory) into the
    folder OUT, with ``dumps.json`` listing the notes."""
    import pyoxigraph as ox

    from westminster_kg.knowledge_graph import KnowledgeGraph
    from westminster_kg.project import Project
    from westminster_kg.store.oxigraph import OxigraphStore

    store, root, out = arguments
    if Path(store).is_file():
        data = OxigraphStore()
        data.store.bulk_load(path=store, format=ox.RdfFormat.N_QUADS)
    else:
        data = OxigraphStore(store, read_only=True)
    dumps = make_dumps(KnowledgeGraph(data, Project.open(root)))
    for dump in dumps.files.values():
        (Path(out) / dump.filename).write_bytes(dump.data)
    (Path(out) / "dumps.json").write_text(json.dumps({"notes": list(dumps.notes)}), encoding="utf-8")


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


__all__ = [
    "DUMP_SECONDS",
    "FORMATS",
    "Dump",
    "DumpSet",
    "Dumps",
    "DumpsFailedError",
    "dumps_from_store",
    "favicon_ico",
    "make_dumps",
]
