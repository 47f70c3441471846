"""SPARQL the package itself runs, kept as ``.rq`` files in ``queries/internal/`` beside the catalogue.

Each file declares its own PREFIX lines, so it runs unchanged in rdflib, Oxigraph or any SPARQL 1.1
endpoint (paste it into ``/sparql`` to see what a page or a count is made of). They belong to the
code, not to a project: they are read from this checkout (or the wheel's copy), never from
``--root``. Queries assembled from parts at run time stay in Python next to the code that builds them.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from westminster_kg.errors import QueryError

_CHECKOUT = Path(__file__).resolve().parents[2] / "queries" / "internal"
_WHEEL = Path(__file__).resolve().parent / "_data" / "queries" / "internal"


def internal_dir() -> Path:
    """The folder of the internal queries: the checkout's, else the installed wheel's."""
    return _CHECKOUT if _CHECKOUT.is_dir() else _WHEEL


@cache
def internal_query(name: str) -> str:
    """The text of ``queries/internal/NAME.rq``.

    Args:
        name: the file's stem, e.g. ``network-edges``.

    Returns:
        The query, PREFIX lines included.

    Raises:
        QueryError: no such file (a packaging mistake, named with the folder searched).
    """
    path = internal_dir() / f"{name}.rq"
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise QueryError(f"{path}: the internal query {name!r} is missing ({exc.strerror or exc})") from None


__all__ = ["internal_dir", "internal_query"]
