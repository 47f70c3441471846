"""The README's "Join your own data" example, run as written on a copy of the repository: every command
prints exactly the lines the README shows (a docs-drift test: the numbers and rows stay true)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support import REPO

pytestmark = [pytest.mark.slow, pytest.mark.docs]


def the_example() -> list[tuple[str, list[str]]]:
    """(command, the lines it prints) for each ``$`` line of the README's join example."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text[text.index("**5. Join your own data.**") :]
    block = section[section.index("```console\n") + len("```console\n") :]
    block = block[: block.index("```")].replace("\\\n", "")
    steps: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:].split("     #")[0].strip(), []))
        else:
            steps[-1][1].append(line)
    return steps


def test_the_readme_join_example_prints_what_the_readme_shows(tmp_path: Path) -> None:
    root, cwd = tmp_path / "repo", tmp_path / "cwd"
    for folder in ("ontology", "queries", "graph"):
        shutil.copytree(REPO / folder, root / folder)
    cwd.mkdir()
    (cwd / "tests").symlink_to(REPO / "tests")  # the README's paths are relative to the checkout
    steps = the_example()
    assert [command.split()[1] for command, _ in steps] == ["import", "link", "query", "query"]
    for command, shown in steps:
        script = f'wmkg() {{ "{sys.executable}" -m westminster_kg.cli --root "{root}" "$@"; }}\n{command}\n'
        done = subprocess.run(["bash", "-c", script], cwd=cwd, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines() == shown, command
