"""The CLI as a newcomer meets it: plain tables for spreadsheets, "did you mean", examples in --help."""

from __future__ import annotations

import csv
import io
import re

import pytest
from support import REPO, wmkg

from westminster_kg import KnowledgeGraph
from westminster_kg.cli import app
from westminster_kg.plain import QUERY_FORMATS

pytestmark = pytest.mark.slow  # the repository's whole graph, and the CLI for each of forty commands' help
COMMANDS = sorted(
    [(c.name,) for c in app.registered_commands]
    + [(group.name, c.name) for group in app.registered_groups for c in group.typer_instance.registered_commands]
)


@pytest.fixture(scope="module")
def kg() -> KnowledgeGraph:
    """The repository's graph, loaded once: every command below works on it (support.cli, in process)."""
    return KnowledgeGraph.load(REPO)


def test_plain_tsv_has_plain_headers_values_and_labels(kg: KnowledgeGraph) -> None:
    done = wmkg("query", "reforms-eroding-conventions", "-p", "government=Coalition", "-f", "tsv", kg=kg)
    assert done.returncode == 0, done.stderr
    header, first, *_ = done.stdout.splitlines()
    assert "?" not in header and "reformGovernment_label" in header.split("\t")
    cells = dict(zip(header.split("\t"), first.split("\t"), strict=True))
    assert cells["reformGovernment"] == "https://w3id.org/westminster-kg/id/coalition-government-2010-2015"
    assert cells["reformGovernment_label"] == "Coalition Government (2010-2015)"
    assert not cells["quote"].startswith('"')


def test_the_sparql_formats_keep_their_own_names(kg: KnowledgeGraph) -> None:
    done = wmkg("query", "governments", "-f", "sparql-tsv", kg=kg)
    assert done.returncode == 0 and done.stdout.startswith("?")
    plain = wmkg("query", "governments", "-f", "csv", kg=kg)
    rows = list(csv.DictReader(io.StringIO(plain.stdout)))
    assert rows and all(not row["start"].startswith('"') for row in rows)


def test_an_unknown_format_lists_every_format(kg: KnowledgeGraph) -> None:
    done = wmkg("query", "governments", "-f", "yaml", kg=kg)
    assert done.returncode == 3
    assert all(name in done.stderr for name in QUERY_FORMATS)


@pytest.mark.parametrize(
    ("typed", "meant"), [("reforms-erodin", "reforms-eroding-conventions"), ("goverments", "governments")]
)
def test_a_misspelt_query_name_gets_did_you_mean(kg: KnowledgeGraph, typed: str, meant: str) -> None:
    done = wmkg("query", typed, kg=kg)
    assert done.returncode == 3 and f"did you mean '{meant}'" in done.stderr
    assert done.stderr.count("\n") == 1


@pytest.mark.parametrize("command", [(), *COMMANDS, *[(group.name,) for group in app.registered_groups]])
def test_help_names_what_to_type_has_an_example_and_no_bool_noise(command: tuple[str, ...]) -> None:
    # In process (typer's runner, the real app): help is rendering only, and forty interpreters
    # started to read it were a tenth of the suite's time.
    done = wmkg(*command, "--help")
    assert done.returncode == 0, done.stdout + done.stderr
    # typer showed "--root <path>", "--backend <str>", "-p <list[str]>": now FOLDER, NAME, KEY=VALUE.
    assert re.findall(r"<[a-z_]+(?:\[[a-z_, ]+\])?>", done.stdout) == []
    if command in COMMANDS:
        assert "<bool>" not in done.stdout
        assert re.search(r"Example: wmkg ", done.stdout), done.stdout
