"""Every console transcript in the README and docs/ is run, and prints what the page says it prints.

A ```` ```console ```` block lists commands (``$ wmkg ...``) and, under each, its output. The blocks of
one page run in order in one fresh copy of the project (ontology, graph, queries, tests/data), with
``wmkg`` the checkout's own CLI (``WMKG_ROOT`` set to the copy), so state carries from one block to the
next as it does for a reader following the page. Each ``wmkg`` is forked from a server that has imported
the CLI once (``support/cli_server.py``), with the shell's own stdio and environment. A command with
output under it must print exactly those lines (stdout and stderr together); one whose output starts
with ``error:`` must fail, any other must succeed. An HTML comment just above a block can set it up
or limit it:

* ``<!-- transcript: setup: SHELL -->`` runs SHELL in the copy first (``wmkg`` is defined there too,
  ``$CHECKOUT`` is the checkout);
* ``<!-- transcript: run N -->`` runs only the first N commands (the rest need the internet);
* ``<!-- transcript: skip: REASON -->`` leaves the block out (a benchmark, a running server).

Counts written in prose ("it lists 40 rows") are checked in ``test_docs_numbers.py`` style below:
each is a pattern and the command whose answer it states.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from support import REPO
from support.cli_server import SOCKET_ENV

pytestmark = [pytest.mark.docs, pytest.mark.slow]  # wmkg in bash (forked commands), over copies of the project

CLI_SERVER = Path(__file__).parent / "support" / "cli_server.py"
PAGES = ["README.md", "docs/joining.md", "docs/popolo.md", "docs/reconcile.md"]
DIRECTIVE = re.compile(r"<!--\s*transcript:\s*(?P<what>setup|run|skip)\s*:?\s*(?P<arg>.*?)\s*-->")


@dataclass
class Command:
    line: int
    text: str
    output: list[str] = field(default_factory=list)


@dataclass
class Block:
    page: str
    line: int
    commands: list[Command]
    setup: str = ""
    run: int | None = None
    skip: str = ""


def transcripts(page: str) -> list[Block]:
    """The console blocks of ``page``, with their directives."""
    lines = (REPO / page).read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    index = 0
    while index < len(lines):
        if lines[index].strip() != "```console":
            index += 1
            continue
        block = Block(page, index + 1, [])
        above = index - 1
        while above >= 0 and (match := DIRECTIVE.search(lines[above])):
            what, arg = match["what"], match["arg"]
            if what == "setup":
                block.setup = arg
            elif what == "run":
                block.run = int(re.match(r"\d+", arg).group())  # type: ignore[union-attr]
            else:
                block.skip = arg or "skipped"
            above -= 1
        index += 1
        while index < len(lines) and lines[index].strip() != "```":
            text = lines[index]
            if text.startswith("$ "):
                block.commands.append(Command(index + 1, text[2:]))
                while block.commands[-1].text.endswith("\\") and index + 1 < len(lines):
                    index += 1  # a command continued on the next line, as a shell reads it
                    block.commands[-1].text = block.commands[-1].text[:-1] + " " + lines[index].strip()
            elif block.commands:
                block.commands[-1].output.append(text)
            index += 1
        blocks.append(block)
    return blocks


def fresh_project(target: Path) -> Path:
    """A copy of what the pages' commands read and write: the curated files and the test data."""
    for folder in ("ontology", "graph", "queries", "docs/examples"):
        shutil.copytree(REPO / folder, target / folder)
    shutil.copytree(REPO / "tests" / "data", target / "tests" / "data")
    return target


# The environment of a transcript's shell (and of the CLI server, which imports the CLI in it).
ENVIRONMENT = {"CHECKOUT": str(REPO), "PATH": "/usr/bin:/bin", "COLUMNS": "100", "PYTHONUNBUFFERED": "1"}


@pytest.fixture(scope="module")
def cli_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The socket of a ``wmkg`` server (``support/cli_server.py``): each transcript command is forked from a
    process that has imported the CLI once (what a page shows is the output and the exit status; the
    process's own start is tested in test_cli.py and test_cli_startup.py)."""
    path = str(tmp_path_factory.mktemp("cli") / "wmkg.sock")
    server = subprocess.Popen(
        [sys.executable, str(CLI_SERVER), path],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=ENVIRONMENT,
        start_new_session=True,  # a group of its own: the server and a command still running end together
    )
    try:
        assert server.stdout is not None and server.stdout.readline() == b"ready\n", "the wmkg server did not start"
        yield path
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def shell(command: str, root: Path, server: str) -> subprocess.CompletedProcess:
    """``command`` in bash in ``root``, with ``wmkg`` the checkout's CLI over the copy (through ``server``)."""
    prelude = f'wmkg() {{ "{sys.executable}" -S "{CLI_SERVER}" --client "$@"; }}\n'
    # stdout and stderr into one pipe, unbuffered: the lines come in the order a terminal shows them.
    return subprocess.run(
        ["bash", "-c", prelude + "{ " + command + "\n} 2>&1"],
        cwd=root,
        env={**ENVIRONMENT, "WMKG_ROOT": str(root), "HOME": str(root), SOCKET_ENV: server},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize("page", PAGES)
def test_every_transcript_prints_what_the_page_says(page: str, tmp_path: Path, cli_server: str) -> None:
    root = fresh_project(tmp_path / "project")
    blocks = [b for b in transcripts(page) if b.commands]
    assert blocks, f"{page}: no console transcript found"
    for block in blocks:
        if block.skip:
            continue
        if block.setup:
            done = shell(block.setup, root, cli_server)
            assert done.returncode == 0, f"{page}:{block.line}: setup failed: {done.stdout}"
        for command in block.commands[: block.run]:
            done = shell(command.text, root, cli_server)
            printed = done.stdout.rstrip("\n").splitlines()
            where = f"{page}:{command.line}: $ {command.text}"
            if command.output and command.output[0].startswith("error:"):
                assert done.returncode != 0, f"{where}: should fail"
            else:
                assert done.returncode == 0, f"{where}: exit {done.returncode}: {done.stdout}"
            if command.output:
                assert says(command.output, printed), f"{where}\n  page says:\n{command.output}\n  prints:\n{printed}"


def says(shown: list[str], printed: list[str]) -> bool:
    """Whether ``printed`` is what the page shows: line for line, where a line that is only "..." (or
    "…") stands for any number of lines the page leaves out."""
    if not shown:
        return not printed
    if shown[0].strip() in ("...", "…"):
        return any(says(shown[1:], printed[skip:]) for skip in range(len(printed) + 1))
    return bool(printed) and printed[0] == shown[0] and says(shown[1:], printed[1:])


def test_an_ellipsis_in_a_transcript_stands_for_the_lines_left_out() -> None:
    assert says(["a", "  ...", "z"], ["a", "b", "c", "z"]) and says(["a", "...", "z"], ["a", "z"])
    assert not says(["a", "...", "z"], ["a", "b"]) and not says(["a", "b"], ["a", "c"])


# --- numbers in prose -------------------------------------------------------------------------------
# (page, pattern with one number group, setup + command whose output is that number). Each count a page
# states about the data is here, so it cannot drift from what the command answers.
PROSE_NUMBERS = [
    (
        "docs/joining.md",
        r"Without the `-p` it lists (\d+) rows",
        "wmkg import tests/data/import/ministers.csv --graph ministers --mapping tests/data/import/ministers.toml "
        ">/dev/null 2>&1 && wmkg query ministers-in-office-at-reform -f csv | tail -n +2 | wc -l",
    ),
    (
        "README.md",
        r"passes all (\d+) tests of the W3C SPARQL 1\.1 Protocol suite",
        f'"{sys.executable}" -c "import sys; sys.path[:0] = [\'{REPO}/tests\']; '
        'import test_protocol as t; print(len(t.TESTS))"',
    ),
]


@pytest.mark.parametrize(("page", "pattern", "command"), PROSE_NUMBERS, ids=[p[1][:40] for p in PROSE_NUMBERS])
def test_every_count_in_prose_is_what_the_command_answers(
    page: str, pattern: str, command: str, tmp_path: Path, cli_server: str
) -> None:
    match = re.search(pattern, (REPO / page).read_text(encoding="utf-8"))
    assert match, f"{page}: the sentence {pattern!r} is gone (update PROSE_NUMBERS)"
    done = shell(command, fresh_project(tmp_path / "project"), cli_server)
    assert done.returncode == 0, done.stderr
    assert int(match.group(1)) == int(done.stdout.split()[-1]), f"{page}: says {match.group(1)}, is {done.stdout}"
