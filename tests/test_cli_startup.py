"""A CLI that starts fast: the store kept in the user's cache folder, and only the imports a command needs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support import DATA, make_project
from support import wmkg as in_process

QUERY = ("query", "reforms-eroding-conventions", "--format", "csv")

pytestmark = pytest.mark.slow  # worker processes and CLI subprocesses


def wmkg(root: Path, cache: Path | str, *args: str, python: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    return subprocess.run(
        [sys.executable, *python, "-m", "westminster_kg.cli", "--root", str(root), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def stores(cache: Path) -> list[Path]:
    folder = cache / "westminster-kg" / "stores"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def built_at(store: Path) -> list[str]:
    return sorted(json.loads(p.read_text())["built_at"] + p.name for p in store.glob("store-*.json"))


def test_a_query_reuses_the_store_kept_for_these_files_and_answers_the_same(tmp_path: Path) -> None:
    root = make_project(tmp_path / "mini", DATA / "valid" / "slice.ttl")
    cache = tmp_path / "cache"
    first = wmkg(root, cache, *QUERY)
    assert first.returncode == 0, first.stderr
    [store] = stores(cache)
    built = built_at(store)
    again = wmkg(root, cache, *QUERY)
    reference = in_process("--root", str(root), "--backend", "memory", *QUERY)  # rdflib's answer, no cache
    assert again.returncode == reference.returncode == 0
    assert first.stdout == again.stdout == reference.stdout and first.stdout.count("\n") > 1
    assert stores(cache) == [store] and built_at(store) == built  # reopened, not rebuilt


def test_queries_started_together_on_a_cold_cache_all_answer(tmp_path: Path) -> None:
    # Each used to build its own generation and delete the one another had just opened.
    root = make_project(tmp_path / "mini", DATA / "valid" / "slice.ttl")
    cache = tmp_path / "cache"
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    command = [sys.executable, "-m", "westminster_kg.cli", "--root", str(root), "query", "reforms-eroding-conventions"]
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True, "env": env}
    runs = [subprocess.Popen(command, **pipes) for _ in range(4)]  # twice the cores: they overlap
    results = [(run.wait(120), *run.communicate()) for run in runs]
    assert [code for code, _, _ in results] == [0] * 4, [err for _, _, err in results]
    assert len({out for _, out, _ in results}) == 1
    assert len(list(stores(cache)[0].glob("store-*.json"))) == 1  # built once


def test_edited_files_get_a_new_store_and_new_answers(tmp_path: Path) -> None:
    root = make_project(tmp_path / "mini", DATA / "valid" / "slice.ttl")
    cache = tmp_path / "cache"
    before = wmkg(root, cache, *QUERY)
    claims = root / "graph" / "claims" / "slice.ttl"
    text = claims.read_text()
    label = '"New Public Management"@en'
    assert label in text
    claims.write_text(text.replace(label, '"New Public Management, relabelled"@en'))
    after = wmkg(root, cache, *QUERY)
    assert before.returncode == after.returncode == 0, after.stderr
    assert "relabelled" not in before.stdout and "relabelled" in after.stdout
    assert len(stores(cache)) == 2


def test_a_broken_file_gives_the_same_error_with_or_without_the_cache(tmp_path: Path) -> None:
    root = make_project(tmp_path / "mini", DATA / "valid" / "slice.ttl")
    (root / "graph" / "claims" / "broken.ttl").write_text(
        "@prefix wmr: <https://w3id.org/westminster-kg/id/> .\n\nwmr:a wmr:b wmr:c ;\n  .\n]\n"
    )
    cached = wmkg(root, tmp_path / "cache", *QUERY)
    # No cache folder can be made under a file: the command parses in memory instead.
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    uncached = wmkg(root, blocker, *QUERY)
    assert cached.returncode == uncached.returncode == 2
    assert cached.stderr == uncached.stderr and "graph/claims/broken.ttl:" in cached.stderr
    assert "Traceback" not in cached.stderr
    assert not [p for s in stores(tmp_path / "cache") for p in s.glob("store-*")]  # nothing half-built is live


def test_a_csv_query_never_imports_rich(tmp_path: Path) -> None:
    root = make_project(tmp_path / "mini", DATA / "valid" / "slice.ttl")
    done = wmkg(root, tmp_path / "cache", *QUERY, python=("-X", "importtime"))
    assert done.returncode == 0
    imported = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert "westminster_kg.knowledge_graph" in imported
    assert not {name for name in imported if name.split(".")[0] == "rich"}


def test_validate_reuses_its_report_while_nothing_it_depends_on_changed(tmp_path: Path) -> None:
    # The kept report is a file in the cache folder: asked in this process (support.cli), each run reads
    # and writes it as the command in a new process would (nothing is kept in memory between runs).
    root = make_project(tmp_path / "mini", DATA / "valid" / "slice.ttl")
    cache = tmp_path / "cache"

    def validate() -> subprocess.CompletedProcess:
        return in_process("--root", str(root), "validate", env={"XDG_CACHE_HOME": str(cache)})

    first = validate()
    assert first.returncode == 0 and "valid: 5 quotes checked" in first.stdout, first.stderr
    [kept] = (cache / "westminster-kg" / "validate").glob("*.json")
    assert validate().stdout == first.stdout
    # The kept report is what a second run prints (tampered with here to tell it apart).
    kept.write_text(kept.read_text().replace('"quotes_checked": 5', '"quotes_checked": 12345'))
    assert "valid: 12345 quotes checked" in validate().stdout
    # A changed quote is a new input: validated afresh, and the violation shows.
    claims = root / "graph" / "claims" / "slice.ttl"
    claims.write_text(claims.read_text().replace("This change raises questions", "This change raised questions"))
    changed = validate()
    assert changed.returncode == 1 and "quote not found in the article" in changed.stderr
    # And a broken file fails the same way every time: nothing is kept for it.
    (root / "graph" / "claims" / "broken.ttl").write_text("wmr:a wmr:b .\n")
    broken = [validate() for _ in range(2)]
    assert [b.returncode for b in broken] == [2, 2] and broken[0].stderr == broken[1].stderr
    assert "graph/claims/broken.ttl" in broken[0].stderr
