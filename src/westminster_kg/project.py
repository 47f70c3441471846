"""Where the curated files live and which named graph each belongs to.

A source checkout keeps ``ontology/``, ``graph/`` and ``queries/`` beside ``src/``; a wheel carries
copies under ``westminster_kg/_data``. ``WMKG_ROOT`` overrides both (tests use it for small graphs).
Imported datasets live in ``<root>/imports`` as N-Quads, one file per named graph.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from westminster_kg.errors import InputError
from westminster_kg.iris import GRAPH_ARTICLE, GRAPH_IMPORT, GRAPH_LINKS, GRAPH_ONTOLOGY

ARTICLE_FILE = "graph/sources/westminster-model-article.txt"

# Directory (relative to the root) → named graph its Turtle files are loaded into.
GRAPH_DIRECTORIES: tuple[tuple[str, str], ...] = (
    ("ontology", GRAPH_ONTOLOGY),
    ("graph/sources", GRAPH_ARTICLE),
    ("graph/entities", GRAPH_ARTICLE),
    ("graph/claims", GRAPH_ARTICLE),
    ("graph/tables", GRAPH_ARTICLE),
    ("graph/links", GRAPH_LINKS),
)

# Files under ontology/ that describe the data rather than being data (loaded by validate only).
NOT_DATA = {"shapes.ttl"}


@dataclass(frozen=True)
class SourceFile:
    """One RDF file and the named graph it is loaded into."""

    path: Path
    graph: str
    format: str  # "turtle" or "nquads"


def default_root() -> Path:
    """The folder holding ``ontology/``, ``graph/`` and ``queries/``."""
    if env := os.environ.get("WMKG_ROOT"):
        return Path(env).resolve()
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "ontology").is_dir() and (checkout / "graph").is_dir():
        return checkout
    return Path(__file__).resolve().parent / "_data"


@dataclass(frozen=True)
class Project:
    """The curated files of one knowledge graph."""

    root: Path

    @classmethod
    def open(cls, root: Path | str | None = None) -> Project:
        """Open the project at ``root`` (default: see ``default_root``)."""
        path = Path(root).resolve() if root is not None else default_root()
        if not (path / "graph").is_dir() and not (path / "ontology").is_dir():
            raise InputError(f"{path}: not a westminster-kg folder (no graph/ or ontology/ inside)")
        return cls(path)

    @property
    def queries_dir(self) -> Path:
        """The catalogue folder."""
        return self.root / "queries"

    @property
    def imports_dir(self) -> Path:
        """Imported datasets, one N-Quads file per named graph."""
        return self.root / "imports"

    @property
    def article_path(self) -> Path:
        """The article's text, against which every quote is checked."""
        return self.root / ARTICLE_FILE

    @property
    def shapes_path(self) -> Path:
        """The SHACL shapes."""
        return self.root / "ontology" / "shapes.ttl"

    def article_text(self) -> str:
        """The article as a ``str`` (offsets index into this)."""
        return self.article_path.read_text(encoding="utf-8")

    def source_files(self, *, include_imports: bool = True) -> list[SourceFile]:
        """Every RDF file of the knowledge graph, in a stable order."""
        files: list[SourceFile] = []
        for folder, graph in GRAPH_DIRECTORIES:
            for path in sorted((self.root / folder).glob("**/*.ttl")):
                if path.name not in NOT_DATA:
                    files.append(SourceFile(path, graph, "turtle"))
        if include_imports and self.imports_dir.is_dir():
            for path in sorted(self.imports_dir.glob("*.nq")):
                files.append(SourceFile(path, GRAPH_IMPORT + path.stem, "nquads"))
        return files

    def curated_files(self) -> list[SourceFile]:
        """The hand-edited Turtle files (what ``wmkg fmt`` and ``evidence locate`` rewrite)."""
        return self.source_files(include_imports=False)

    def fingerprint(self) -> str:
        """SHA-256 over every source file's path and bytes: changes when any file changes."""
        digest = hashlib.sha256()
        for source in self.source_files():
            digest.update(str(source.path.relative_to(self.root)).encode())
            digest.update(b"\0" + source.graph.encode() + b"\0")
            digest.update(source.path.read_bytes())
        return digest.hexdigest()

    def relative(self, path: Path) -> str:
        """``path`` relative to the root, for messages."""
        try:
            return str(path.resolve().relative_to(self.root))
        except ValueError:
            return str(path)
