"""westminster-kg: the Westminster Model article as a queryable, evidence-backed knowledge graph."""

from westminster_kg.errors import WmkgError
from westminster_kg.knowledge_graph import KnowledgeGraph

__all__ = ["KnowledgeGraph", "WmkgError"]
__version__ = "0.1.0"
