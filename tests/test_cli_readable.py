"""The CLI's default answers read at a terminal: they fit its width, name their row count, and an empty
answer says so (on stderr for the machine formats, whose stdout stays what a program reads).

Asked of the CLI in this process (``support.wmkg``) over one loaded graph, a terminal's width given as
COLUMNS; the real process keeps its streams apart just the same (the last test runs it).
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from functools import cache

import pytest
import support
from support import REPO

from westminster_kg import KnowledgeGraph

pytestmark = pytest.mark.slow  # the repository's whole graph, and a real wmkg


@cache
def repository_graph() -> KnowledgeGraph:
    """The repository's graph, loaded once for the module (loading is not what these tests are about)."""
    return KnowledgeGraph.load(REPO)


@pytest.fixture(scope="module")
def kg() -> KnowledgeGraph:
    return repository_graph()


def wmkg(*args: str, columns: int = 100) -> subprocess.CompletedProcess:
    """``wmkg`` as a terminal of ``columns`` characters runs it (rich reads COLUMNS), in this process,
    every command working on the module's loaded graph of the repository."""
    return support.wmkg(*args, env={"COLUMNS": str(columns)}, kg=repository_graph())


def test_the_continuity_paradox_reads_at_100_columns(kg: KnowledgeGraph) -> None:
    done = wmkg("query", "continuity-paradox", columns=100)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    rows = kg.query("continuity-paradox").rows
    assert max(len(line) for line in lines) <= 100
    # One line a row (886 lines for 38 rows before), a header, a rule and the count.
    assert len(lines) <= len(rows) + 4
    assert lines[-1].startswith(f"{len(rows)} rows; ")
    header = lines[0].split()
    # The key columns: who, which convention, which reform, and both quotes.
    assert {"government", "convention", "reform", "continuityQuote", "erosionQuote"} <= set(header), header
    # Each row starts with its government's label (cut with "…" when long), in the query's order.
    for line, row in zip(lines[2:], rows, strict=False):
        label = kg.label(row[0])
        shown = line.split("   ")[0].strip()
        assert label.startswith(shown.rstrip("…")) and (shown == label or shown.endswith("…")), (shown, label)


def test_wide_shows_every_column_uncut(kg: KnowledgeGraph) -> None:
    done = wmkg("query", "continuity-paradox", "--wide", columns=400)
    assert done.returncode == 0, done.stderr
    assert all(variable in done.stdout for variable in kg.query("continuity-paradox").variables)
    assert "…" not in done.stdout.replace("...", "")


def test_the_catalogue_listing_fits_80_columns() -> None:
    done = wmkg("queries", columns=80)
    assert done.returncode == 0, done.stderr
    assert max(len(line) for line in done.stdout.splitlines()) <= 80
    # Names are never cut: each one can be copied from the listing.
    listed = {line.split()[0] for line in done.stdout.splitlines() if line and not line.startswith((" ", "─"))}
    from westminster_kg.catalogue import load_catalogue

    assert set(load_catalogue(REPO / "queries")) <= listed


def test_an_empty_answer_says_0_rows_with_its_filters_in_the_table() -> None:
    done = wmkg("query", "reforms-eroding-conventions", "-p", "government=Major", "-p", "convention=impartiality")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "0 rows with government = Major Government (1990-1997), convention = impartiality"


@pytest.mark.parametrize("fmt", ["csv", "json", "tsv"])
def test_an_empty_answer_in_a_machine_format_says_so_on_stderr_only(fmt: str) -> None:
    done = wmkg(
        "query", "reforms-eroding-conventions", "-p", "government=Major", "-p", "convention=impartiality", "-f", fmt
    )
    assert done.returncode == 0
    assert done.stderr.strip() == "0 rows with government = Major Government (1990-1997), convention = impartiality"
    if fmt == "json":
        assert json.loads(done.stdout)["results"]["bindings"] == []
    else:
        assert len(list(csv.reader(io.StringIO(done.stdout), delimiter="," if fmt == "csv" else "\t"))) == 1


def test_a_part_of_a_government_notes_the_whole_on_stderr_for_csv(kg: KnowledgeGraph) -> None:
    done = wmkg("query", "reforms-eroding-conventions", "-p", "government=Blair government", "-f", "csv")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert rows and {row["reformGovernment"] for row in rows} == {str(kg.resolver.resolve("New Labour", "government"))}
    assert done.stderr.strip() == (
        "note: government: Blair Government (1997-2007) is part of New Labour Government (1997-2010): the article "
        "attributes these to New Labour Government (1997-2010) as a whole, and they are included"
    )


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("NPM", "government: 'NPM' is an idea (New Public Management), not a government; the governments are: "),
        ("Thatcherism", "government: 'Thatcherism' is an ideology, not a government; the governments are: "),
    ],
)
def test_a_value_of_another_kind_exits_2_with_one_line(value: str, says: str) -> None:
    done = wmkg("query", "reforms-eroding-conventions", "-p", f"government={value}", "-f", "csv")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("error: " + says) and done.stderr.count("\n") == 1


def test_the_view_refuses_a_government_of_another_kind_and_writes_nothing(tmp_path) -> None:
    done = wmkg("view", "--government", "NPM", "-o", str(tmp_path / "v.html"))
    assert done.returncode == 2 and "'NPM' is an idea" in done.stderr
    assert not (tmp_path / "v.html").exists()


def test_the_view_of_a_part_notes_the_whole(tmp_path) -> None:
    done = wmkg("view", "--government", "Brown", "-o", str(tmp_path / "v.html"))
    assert done.returncode == 0, done.stderr
    assert "note: government: Brown Government (2007-2010) is part of New Labour Government" in done.stderr


def test_the_real_process_writes_the_empty_note_on_stderr_and_only_the_header_on_stdout() -> None:
    env = {**os.environ, "COLUMNS": "100"}
    args = ["query", "reforms-eroding-conventions", "-p", "government=Major", "-p", "convention=impartiality"]
    done = subprocess.run(
        [sys.executable, "-m", "westminster_kg.cli", *args, "-f", "csv"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0
    assert done.stderr.strip() == "0 rows with government = Major Government (1990-1997), convention = impartiality"
    assert len(list(csv.reader(io.StringIO(done.stdout)))) == 1  # the header alone
