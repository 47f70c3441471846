"""`wmkg validate`: the valid slice passes; each invalid example trips exactly its check."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import DATA, make_project

from westminster_kg.project import Project
from westminster_kg.validate import validate


def test_the_valid_slice_passes(mini_root: Path) -> None:
    report = validate(Project.open(mini_root))
    assert report.ok, [str(f) for f in report.violations]
    assert report.quotes_checked == 5


INVALID = sorted((DATA / "invalid").glob("*.ttl"))


@pytest.mark.parametrize("example", INVALID, ids=[p.stem for p in INVALID])
def test_each_invalid_example_trips_its_check(tmp_path: Path, example: Path) -> None:
    root = make_project(tmp_path / "p", DATA / "valid" / "slice.ttl")
    shutil.copy(example, root / "graph" / "claims" / example.name)
    expected_check = example.read_text().splitlines()[0].removeprefix("# expect:").strip()
    report = validate(Project.open(root))
    checks = {f.check for f in report.violations}
    assert expected_check in checks, [str(f) for f in report.violations]
    named = [f for f in report.violations if f.check == expected_check]
    assert any(f.file == f"graph/claims/{example.name}" for f in named), [str(f) for f in named]
