"""westminster-kg: the Westminster Model article as a queryable, evidence-backed knowledge graph."""

from __future__ import annotations

from typing import Any

__all__ = ["KnowledgeGraph", "WmkgError"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # Imported on first use (PEP 562): a cold `wmkg query NAME -f csv` must not pay for rdflib.
    if name == "KnowledgeGraph":
        from westminster_kg.knowledge_graph import KnowledgeGraph

        return KnowledgeGraph
    if name == "WmkgError":
        from westminster_kg.errors import WmkgError

        return WmkgError
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
