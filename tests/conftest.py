"""Shared fixtures; the helpers themselves live in tests/support (imported as ``support``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.project import DATA, TESTS, make_project

MODULE_SECONDS: dict[str, float] = json.loads((TESTS / "module_seconds.json").read_text(encoding="utf-8"))


@pytest.fixture
def mini_root(tmp_path: Path) -> Path:
    """The small valid slice (tests/data/valid/slice.ttl) as a whole project."""
    return make_project(tmp_path / "mini", DATA / "valid" / "slice.ttl")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's headless Chromium, launched once per module (support.browser)."""
    from support.browser import launch_chromium

    with launch_chromium() as chromium:
        yield chromium


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Chromium and Virtuoso tests belong to the slow tier; the longest modules run first.

    Under pytest-xdist scripts/test.sh runs ``--dist loadfile --no-loadscope-reorder``: every module
    on one worker (so a module's costly fixture, a server, Chromium, Virtuoso or a loaded store, is
    built once), in this order, longest first by tests/module_seconds.json (scripts/module_seconds.py),
    so no long module starts last on one worker while the other has finished. (Not ``loadgroup``:
    with pytest 9.2 its ``xdist_group`` marks are silently ignored, pytest-dev/pytest-xdist#1386.)
    """
    for item in items:
        if item.get_closest_marker("browser") or item.get_closest_marker("virtuoso"):
            item.add_marker(pytest.mark.slow)
    items.sort(key=lambda item: -MODULE_SECONDS.get(item.path.name, 0.0))  # stable: a module stays together
