"""The SPARQL the package runs itself (``queries/internal/*.rq``): standalone, used, and in step.

Each file must parse with no prefixes injected (its own PREFIX lines only), run in Oxigraph, and be
read by some module; a file nobody reads, or a name nobody has, fails here rather than at run time.
"""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest
from rdflib.plugins.sparql import prepareQuery
from support import REPO

from westminster_kg.errors import QueryError
from westminster_kg.internal_queries import internal_dir, internal_query
from westminster_kg.link.linkset import LINK_PREDICATES
from westminster_kg.namespaces import curie

INTERNAL = REPO / "queries" / "internal"
FILES = sorted(INTERNAL.glob("*.rq"))
SOURCES = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "src").rglob("*.py"))


def test_the_package_reads_the_checkouts_folder() -> None:
    assert internal_dir() == INTERNAL
    assert len(FILES) > 20


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_every_file_parses_standalone_in_rdflib_and_runs_in_oxigraph() -> None:
    broken = []
    for path in FILES:
        text = path.read_text(encoding="utf-8")
        try:
            prepareQuery(text)  # raises on an undeclared prefix
            ox.Store().query(text)  # Oxigraph's parser and evaluator, on an empty store
        except Exception as exc:  # noqa: BLE001 - every broken file is listed
            broken.append(f"{path.name}: {str(exc).splitlines()[0]}")
    assert broken == []


def test_some_module_reads_every_file() -> None:
    unread = [path.name for path in FILES if f'"{path.stem}"' not in SOURCES]
    assert unread == [], "no module calls internal_query()/internal() for these"


def test_every_name_the_code_asks_for_exists() -> None:
    asked = set(re.findall(r'internal(?:_query)?\(\s*"([a-z0-9-]+)"', SOURCES))
    asked |= set(re.findall(r'_select\(kg, "([a-z0-9-]+)"\)', SOURCES))
    missing = sorted(name for name in asked if not (INTERNAL / f"{name}.rq").is_file())
    assert asked and not missing, missing


def test_an_unknown_name_is_one_clear_error() -> None:
    with pytest.raises(QueryError, match=r"internal query 'no-such-query' is missing"):
        internal_query("no-such-query")


def test_the_link_queries_ask_for_every_link_predicate() -> None:
    for name in ("links-plain", "links-provenance", "links-linked-pairs"):
        text = internal_query(name)
        assert [curie(p) for p in LINK_PREDICATES if curie(p) not in text] == [], name
