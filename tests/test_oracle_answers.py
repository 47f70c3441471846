"""The catalogue's answers say what the graph says, on every surface that gives them: the CLI's CSV
and JSON and ``/api``'s rows. Each is compared, row for row, with ``tests/support/oracle.py`` (SPARQL of
its own on rdflib's reference store): the right subject and object in the right direction, with the
stance, modality, hedge and quote of every claim, nothing more and nothing missing. The CLI and the
app both run in this process (``support.cli.wmkg``, ``support.app``).
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from support import InProcessApp, wmkg
from support.oracle import WMR, entity_rows, erosion_rows, plain

from westminster_kg import KnowledgeGraph

ENTITIES = ("haldane-convention", "carltona-doctrine", "coalition-government-2010-2015", "principal-agent-model")


@pytest.fixture(scope="module")
def kg() -> KnowledgeGraph:
    """The graph the CLI answers from: loaded once for the module (support.cli.wmkg)."""
    return KnowledgeGraph.load()


ENTITY_KEYS = ("direction", "relation", "other", "stance", "modality", "hedgeCue", "quote")
EROSION_KEYS = ("reform", "convention", "reformGovernment", "modality", "hedgeCue", "stance", "quote")


def keyed(rows: list[dict[str, str | None]], keys: tuple[str, ...]) -> set[tuple[str, ...]]:
    return {tuple(plain(row.get(k) or "") if k == "quote" else (row.get(k) or "") for k in keys) for row in rows}


def from_sparql_json(text: str) -> list[dict[str, str | None]]:
    document = json.loads(text)
    return [{k: v["value"] for k, v in b.items()} for b in document["results"]["bindings"]]


def from_csv(text: str) -> list[dict[str, str | None]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
@pytest.mark.parametrize("slug", ENTITIES)
def test_the_clis_csv_and_json_give_each_relation_of_an_entity_as_the_graph_states_it(kg, oracle, slug):
    expected = entity_rows(oracle, WMR + slug)
    assert expected
    for fmt, read in (("csv", from_csv), ("json", from_sparql_json)):
        done = wmkg("query", "entity", "-p", f"entity={slug}", "-f", fmt, kg=kg)
        assert done.returncode == 0, done.stderr
        assert keyed(read(done.stdout), ENTITY_KEYS) == expected, (slug, fmt)


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
@pytest.mark.parametrize("slug", ENTITIES)
def test_the_api_gives_each_relation_of_an_entity_as_the_graph_states_it(real_app: InProcessApp, oracle, slug):
    expected = entity_rows(oracle, WMR + slug)
    for fmt, read in (("json", json.loads), ("csv", from_csv), ("sparql-json", from_sparql_json)):
        response = real_app.get("/api/queries/entity", params={"entity": slug, "format": fmt})
        assert response.status_code == 200, response.text
        assert keyed(read(response.text), ENTITY_KEYS) == expected, (slug, fmt)


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_the_cli_and_the_api_give_the_coalitions_erosions_with_their_hedges(kg, real_app, oracle):
    government = WMR + "coalition-government-2010-2015"
    expected = erosion_rows(oracle, government)
    assert any(row[4] for row in expected)  # some of them hedged: the hedge must come through
    done = wmkg("query", "reforms-eroding-conventions", "-p", "government=Coalition", "-f", "csv", kg=kg)
    assert done.returncode == 0, done.stderr
    assert keyed(from_csv(done.stdout), EROSION_KEYS) == expected
    response = real_app.get(
        "/api/queries/reforms-eroding-conventions",
        params={"government": "coalition-government-2010-2015", "format": "json"},
    )
    assert keyed(response.json(), EROSION_KEYS) == expected
