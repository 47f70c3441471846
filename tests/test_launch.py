"""A cold ``wmkg query NAME -f csv|tsv`` is answered by ``westminster_kg.launch`` without the full CLI.

What it writes must be byte for byte what the full CLI writes: for every catalogue query that needs no
parameter, in each format, both are run over the same kept store and compared. Whatever the quick path
cannot write exactly, it leaves to the full CLI; and it never imports rdflib or typer.
"""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
from pathlib import Path

import pyoxigraph
import pytest
from support import REPO
from support.cli import click_command, commands_use

from westminster_kg.catalogue import load_catalogue
from westminster_kg.launch import answer_from, quick_answer

pytestmark = pytest.mark.slow  # the CLI in process for every query, and a subprocess

CATALOGUE = load_catalogue(REPO / "queries")
UNPARAMETERISED = sorted(name for name, named in CATALOGUE.items() if not any(p.required for p in named.parameters))


@pytest.fixture(scope="module")
def kept_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache folder of its own, with the kept store built by the full CLI (as a first `wmkg query` does)."""
    cache = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(cache))
        built = subprocess.run(
            [sys.executable, "-m", "westminster_kg.cli", "query", "governments", "-f", "csv"],
            capture_output=True,
            text=True,
            timeout=600,
        )
    assert built.returncode == 0, built.stderr
    return cache


def _full_cli(argv: list[str], kg: object = None) -> tuple[int, str]:
    """The full CLI in process, its stdout taken as written (CliRunner would turn CR LF into LF); with
    ``kg``, every command works on that graph instead of loading the kept store again (support.cli)."""
    written = io.StringIO()
    with contextlib.redirect_stdout(written), commands_use(kg):
        click_command().main(argv, prog_name="wmkg", standalone_mode=False)
    return 0, written.getvalue()


def _quick(argv: list[str]) -> tuple[int | None, str]:
    written = io.StringIO()
    with contextlib.redirect_stdout(written):
        code = quick_answer(argv)
    return code, written.getvalue()


def test_the_quick_path_writes_exactly_what_the_full_cli_writes(
    kept_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(kept_store))
    from westminster_kg.kept_store import live_generation, user_store_folder
    from westminster_kg.knowledge_graph import KnowledgeGraph
    from westminster_kg.project import Project
    from westminster_kg.store.user_cache import cached_store_dir

    # The kept store, opened once as the full CLI opens it (cli.shell.load_kg): its labels indexed once;
    # and once as the quick path opens it. The quick path's writer is asked over it for every query and
    # format; the whole of quick_answer (which opens the store each time, 47 ms) on a sample below.
    project = Project.open(None)
    kg = KnowledgeGraph.load(store_dir=cached_store_dir(project))
    folder = user_store_folder(project.fingerprint())
    store = pyoxigraph.Store.read_only(str(folder / live_generation(folder)))
    answered: dict[tuple[str, str], str] = {}
    for name in UNPARAMETERISED:
        for fmt in ("csv", "tsv"):
            quick = answer_from(store, CATALOGUE[name].sparql, fmt)
            if quick is None:
                continue  # left to the full CLI: nothing written here
            assert quick == _full_cli(["query", name, "-f", fmt], kg)[1], (name, fmt)
            answered[name, fmt] = quick
    assert len(answered) >= len(UNPARAMETERISED)  # most queries in most formats take the quick path
    for name, fmt in sorted(answered)[:: len(answered) // 6]:
        assert _quick(["query", name, "-f", fmt]) == (0, answered[name, fmt]), (name, fmt)


@pytest.mark.parametrize(
    "argv",
    [
        ["query", "governments"],  # a table: rich writes it
        ["query", "reforms-eroding-conventions", "-p", "government=Coalition", "-f", "csv"],  # a value to resolve
        ["query", "entity", "-f", "csv"],  # a required parameter: the full CLI says so
        ["query", "no-such-query", "-f", "csv"],  # the full CLI says "did you mean"
        ["--backend", "memory", "query", "governments", "-f", "csv"],
        ["query", "governments", "-f", "xml"],
        ["query", "governments", "-f", "json"],  # SPARQL JSON: the full CLI's writer
    ],
)
def test_anything_else_is_left_to_the_full_cli(
    kept_store: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str]
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(kept_store))
    assert _quick(argv) == (None, "")


def test_without_a_kept_store_the_full_cli_answers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert _quick(["query", "governments", "-f", "csv"]) == (None, "")


def test_the_quick_path_imports_neither_rdflib_nor_typer(kept_store: Path) -> None:
    probe = (
        "import sys\nfrom westminster_kg.launch import answer_from, quick_answer\n"
        "code = quick_answer(['query', 'governments', '-f', 'csv'])\n"
        "sys.stderr.write(repr((code, 'rdflib' in sys.modules, 'typer' in sys.modules, 'rich' in sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=120,
        env={**__import__("os").environ, "XDG_CACHE_HOME": str(kept_store)},
    )
    assert done.stderr.strip().endswith("(0, False, False, False)"), done.stderr
    assert done.stdout.startswith("start,end,")
