"""Where the checkout is, and small projects built from its real ontology, queries and article."""

from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TESTS = REPO / "tests"
DATA = TESTS / "data"


def make_project(target: Path, *claim_files: Path) -> Path:
    """A project folder with the real ontology, queries and article, and the given data files."""
    # copyfile, not copy2: the contents are what a project is; copying each file's times, mode and
    # extended attributes tripled the system calls of the ~170 files a project has.
    for folder in ("ontology", "queries", "graph/sources"):
        shutil.copytree(REPO / folder, target / folder, copy_function=shutil.copyfile)
    (target / "graph" / "claims").mkdir(parents=True)
    for path in claim_files:
        shutil.copy(path, target / "graph" / "claims" / path.name)
    return target
